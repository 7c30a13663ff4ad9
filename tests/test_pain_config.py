"""``[pain] log`` in kneeload.toml (issue 25): every command that reads the pain log uses
the log the settings name when ``--pain`` / ``--log`` is not given."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import SAMPLE

from kneeload import Season
from kneeload.cli import main
from kneeload.config import Config, load_config

SETTINGS = 'tz = "Europe/London"\nunit = "mi"\n[pain]\nlog = "knee/my-log.csv"\n'


@pytest.fixture
def season_dir(tmp_path):
    """The sample season in a temp folder, its pain log moved to knee/my-log.csv and named
    in kneeload.toml (no pain.csv beside the data)."""
    folder = tmp_path / "season"
    shutil.copytree(SAMPLE, folder)
    (folder / "knee").mkdir()
    (folder / "pain.csv").rename(folder / "knee" / "my-log.csv")
    (folder / "kneeload.toml").write_text(SETTINGS)
    return folder


def test_the_setting_is_relative_to_the_settings_file(tmp_path):
    (tmp_path / "kneeload.toml").write_text(SETTINGS)
    cfg = load_config(tmp_path / "kneeload.toml")
    assert cfg.pain_log == str(tmp_path / "knee" / "my-log.csv")
    assert load_config(None).pain_log is None
    assert Config().with_settings(pain={"log": "/x/p.csv"}).pain_log == "/x/p.csv"


@pytest.mark.parametrize("value, match", [
    ("3", "pain.log: expected the pain log's path"),
    ('""', "pain.log: expected the pain log's path"),
    ('"a\\nb.csv"', "pain.log: expected the pain log's path"),
])
def test_a_bad_log_setting_is_exit_2_naming_the_file(tmp_path, capsys, value, match):
    (tmp_path / "kneeload.toml").write_text(f"[pain]\nlog = {value}\n")
    assert main(["pain", "list", "--log", str(tmp_path / "x.csv")]) in (0, 2)  # no toml read
    capsys.readouterr()
    assert main(["check", str(tmp_path), "--config", str(tmp_path / "kneeload.toml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kneeload: ") and "kneeload.toml: pain.log" in err and match in err
    assert len(err.strip().splitlines()) == 1


def test_an_unknown_pain_setting_names_log_among_the_settings(tmp_path, capsys):
    (tmp_path / "kneeload.toml").write_text("[pain]\nlogfile = \"p.csv\"\n")
    assert main(["check", str(tmp_path), "--config", str(tmp_path / "kneeload.toml")]) == 2
    assert ("unknown setting 'logfile'; settings are model, threshold, window_days, "
            "episode_gap_days, log") in capsys.readouterr().err


def test_check_pairs_and_report_read_the_named_log(season_dir, capsys):
    assert main(["check", str(season_dir), "--json"]) in (0, 1)
    out = capsys.readouterr()
    doc = json.loads(out.out)
    # the sample's 15 pain flags (tests/test_pain.py), from the log the settings name
    assert sum(f["rule"].startswith("pain_") for f in doc["flags"]) == 15
    assert f"pain log: {season_dir}/knee/my-log.csv ([pain] log in {season_dir}" in out.err
    assert main(["pairs", str(season_dir), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)["summary"]
    # the sample's 3 of 7 spike days (sample_data/README.md)
    assert (s["spikes"], s["spikes_followed_by_pain"]) == (7, 3)
    assert main(["report", str(season_dir), "--json"]) in (0, 1)
    assert json.loads(capsys.readouterr().out)["pain"] is not None
    # --pain still wins: an empty log of one entry
    other = season_dir / "other.csv"
    other.write_text("date,pain\n2026-05-01,0\n")
    assert main(["check", str(season_dir), "--json", "--pain", str(other)]) in (0, 1)
    doc = json.loads(capsys.readouterr().out)
    assert not any(f["rule"].startswith("pain_") for f in doc["flags"])


def test_plan_reads_the_named_log(season_dir, capsys):
    plan = season_dir / "plan.csv"
    assert main(["plan", str(plan), "--history", str(season_dir), "--json"]) in (0, 1)
    assert "[pain] log in" in capsys.readouterr().err


def test_pain_add_and_list_use_the_named_log(tmp_path, monkeypatch, capsys):
    (tmp_path / "kneeload.toml").write_text(SETTINGS)
    (tmp_path / "knee").mkdir()
    monkeypatch.chdir(tmp_path)
    # the named log does not exist yet: pain add creates it
    assert main(["pain", "add", "--score", "2", "--date", "2026-05-01"]) == 0
    out = capsys.readouterr()
    assert "knee/my-log.csv" in out.out and "[pain] log in" in out.err
    assert (tmp_path / "knee" / "my-log.csv").read_text().splitlines()[1].startswith(
        "2026-05-01,2")
    assert main(["pain", "list", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(e["date"], e["pain"]) for e in doc["entries"]] == [("2026-05-01", 2.0)]


def test_a_named_log_that_is_missing_is_exit_2_for_readers(season_dir, capsys):
    (season_dir / "knee" / "my-log.csv").unlink()
    assert main(["check", str(season_dir)]) == 2
    err = capsys.readouterr().err
    assert "[pain] log names" in err and "my-log.csv, which is not a file" in err
    assert main(["pairs", str(season_dir)]) == 2
    assert "which is not a file" in capsys.readouterr().err


def test_season_from_paths_reads_the_named_log(season_dir):
    season = Season.from_paths(season_dir)
    assert season.pain is not None and season.files.pain.endswith("knee/my-log.csv")
    # a Config of one's own: its own pain_log, not the folder's settings file
    own = Config().with_settings(pain={"log": str(season_dir / "knee" / "my-log.csv")})
    assert Season.from_paths(season_dir, config=own).pain is not None
    assert Season.from_paths(season_dir, config=Config()).pain is None
