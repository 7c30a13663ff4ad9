"""Issue 25, item 6: input that cannot be right is refused (exit 2, one line) or called out;
``pain list``; ``pain add`` finds the log as every command does."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from kneeload.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def run_cli(argv, capsys):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_a_plan_inside_the_history_is_refused_with_the_last_runs_date(tmp_path, capsys):
    plan = tmp_path / "plan.csv"
    plan.write_text("date,distance\n2026-08-01,5\n2026-08-03,6\n")
    status, _, err = run_cli(["plan", plan, "--history", SAMPLE], capsys)
    assert status == 2
    last = err.strip().splitlines()[-1]
    # the sample's last run is on Sunday 16 August 2026
    assert "2026-08-16" in last and "--replace" in last and last.startswith("kneeload: ")


def test_replace_drops_the_history_from_the_plans_first_day(tmp_path, capsys):
    plan = tmp_path / "plan.csv"
    plan.write_text("date,distance\n2026-08-01,5\n2026-08-03,6\n")
    status, out, err = run_cli(["plan", plan, "--history", SAMPLE, "--replace", "--json"],
                               capsys)
    assert status in (0, 1)
    assert "left out of the history" in err
    doc = json.loads(out)
    assert [p["date"] for p in doc["plan"]] == ["2026-08-01", "2026-08-03"]
    # flags are judged from the plan's days on, none from the dropped history
    assert all(f["date"] >= "2026-08-01" for f in doc["flags"])


def test_pain_add_refuses_a_future_date_and_an_unknown_activity(tmp_path, capsys):
    log = tmp_path / "pain.csv"
    later = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    status, _, err = run_cli(["pain", "add", "--log", log, "--score", "2", "--date", later],
                             capsys)
    assert status == 2 and len(err.splitlines()) == 1 and "in the future" in err
    status, _, err = run_cli(["pain", "add", "--log", log, "--score", "2", "--activity",
                              "nosuchrun.fit"], capsys)
    assert status == 2 and len(err.splitlines()) == 1 and "nosuchrun.fit" in err
    assert not log.exists()  # nothing was written
    shutil.copy(sorted((SAMPLE / "runs").iterdir())[0], tmp_path)
    status, _, _ = run_cli(["pain", "add", "--log", log, "--score", "2", "--date",
                            "2026-03-03", "--activity", "2026-03-03_0700_run.fit"], capsys)
    assert status == 0 and "2026-03-03_0700_run.fit" in log.read_text()


def test_pain_add_and_list_use_the_discovered_log(tmp_path, capsys, monkeypatch):
    shutil.copy(SAMPLE / "pain.csv", tmp_path / "pain.csv")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KNEELOAD_CONFIG_DIR", str(tmp_path / "cfg"))
    status, out, err = run_cli(["pain", "add", "--score", "1", "--date", "2026-08-17"], capsys)
    assert status == 0 and "pain.csv" in err
    status, out, _ = run_cli(["pain", "list", "--json"], capsys)
    entries = json.loads(out)["entries"]
    assert len(entries) == 101  # the sample's 100 entries and the one just added
    assert entries[-1]["date"] == "2026-08-17" and entries[-1]["pain"] == 1
    status, out, _ = run_cli(["pain", "list"], capsys)
    assert status == 0 and out.splitlines()[0].startswith("date")
    assert "101 entries" in out


def test_pain_without_a_log_anywhere_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KNEELOAD_CONFIG_DIR", str(tmp_path / "cfg"))
    for argv in (["pain", "list"], ["pain", "add", "--score", "1"]):
        status, _, err = run_cli(argv, capsys)
        assert status == 2 and len(err.splitlines()) == 1 and "--log" in err


@pytest.mark.parametrize("sub", ["add", "list"])
def test_pain_sub_commands_have_help(sub, capsys):
    with pytest.raises(SystemExit):
        main(["pain", sub, "--help"])
    assert "--log" in capsys.readouterr().out
