"""Issue 25, items 1, 7 and 11: inputs, values and environments that once ended in exit 3 (a
"bug") or in a multi-line usage block. Every case is generated here, at test time."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

import kneeload
from kneeload import shoes as sh
from kneeload.cli import _is_own_code, main, printable
from kneeload.io._time import machine_timezone

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


def run_cli(argv, capsys):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def runs(tmp_path):
    d = tmp_path / "runs"
    d.mkdir()
    for f in sorted((SAMPLE / "runs").iterdir())[:6]:
        shutil.copy(f, d)
    return d


# --- item 1: own code by the package's location -------------------------------------------

def test_own_code_is_found_by_the_package_location_not_a_folder_name(tmp_path):
    pkg = Path(kneeload.__file__).parent
    assert _is_own_code(str(pkg / "cli.py"))
    # a clone folder named kneeload: its tests are not kneeload's code
    assert not _is_own_code(str(tmp_path / "kneeload" / "tests" / "test_x.py"))
    assert not _is_own_code(str(ROOT / "tests" / "test_hostile.py"))


# --- item 7: one-line usage errors ----------------------------------------------------------

def test_an_unknown_command_is_one_line_with_a_hint(capsys):
    status, _, err = run_cli(["chek"], capsys)
    assert status == 2
    assert err.splitlines() == ["kneeload: unknown command 'chek' (did you mean 'check'?) "
                                "(see 'kneeload --help')"]


@pytest.mark.parametrize("argv", [
    ["summary", "x", "--bogus"], ["check", "x", "--fail-on", "panic"],
    ["plan", "p.csv", "--history", "x", "--unit", "furlong"], ["shoes", "x", "--as-of", "soon"],
    ["pain", "add", "--log", "p.csv", "--score", "ten"], ["pain", "ad"],
    ["pairs", "x", "--pair-window", "three"], ["report", "x", "--format", "docx"],
    ["check", "x", "--since", "31/05/2026"], ["summary"],
])
def test_every_sub_command_with_a_bad_option_is_one_stderr_line_exit_2(argv, capsys):
    status, out, err = run_cli(argv, capsys)
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("kneeload: "), err


@pytest.mark.parametrize("spelling,unit", [("miles", "mi"), ("mile", "mi"), ("MI", "mi"),
                                           ("kilometres", "km"), ("kilometers", "km"),
                                           ("km", "km")])
def test_unit_aliases(spelling, unit, runs, capsys):
    status, out, _ = run_cli(["summary", runs, "--unit", spelling, "--json"], capsys)
    assert status == 0
    assert f'"unit": "{unit}"' in out


def test_every_usage_message_has_the_prefix(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    for argv in (["check", empty], ["report", SAMPLE, "--since", "2026-06-01", "--until",
                                    "2026-05-01", "-o", tmp_path / "r.json"],
                 ["plan", tmp_path / "nosuch.csv", "--history", SAMPLE]):
        status, _, err = run_cli(argv, capsys)
        assert status == 2
        assert err.splitlines()[-1].startswith("kneeload: "), err


# --- item 11: no input ends in exit 3 -------------------------------------------------------

@pytest.mark.parametrize("fmt", ["pdf", "html"])
def test_a_dollar_in_a_shoe_name_or_the_runner_name_is_text_not_maths(fmt, runs, tmp_path,
                                                                       capsys):
    (runs / "shoes.csv").write_text("shoe,default\nCheap $$ pair,yes\n$x^2$ racer,\n")
    out = tmp_path / f"r.{fmt}"
    status, _, err = run_cli(["report", runs, "-o", out, "--name", "Cheap $$ pair"], capsys)
    assert status in (0, 1), err
    assert out.stat().st_size > 1000
    if fmt == "html":
        assert "Cheap $$ pair" in out.read_text()


@pytest.mark.parametrize("metres", [10.0, 1.0])
def test_a_shoe_run_a_few_metres_projects_beyond_2100(metres, tmp_path):
    (tmp_path / "shoes.csv").write_text("shoe,default\nTiny,yes\n")
    shoes = sh.read_shoes(tmp_path / "shoes.csv")
    day = pd.Timestamp("2026-05-01")
    assigned = pd.DataFrame({"local_date": [day], "local_start": [day + pd.Timedelta(hours=7)],
                             "distance_m": [metres], "shoe": ["Tiny"]})
    status = sh.shoe_status(assigned, shoes)
    row = status.iloc[0]
    # 500 mi = 804,672 m at 10 m / 56 days: 4.5 million days, past 2100 (and pandas' 2262)
    assert pd.isna(row.replace_on) and bool(row.replace_beyond)
    from kneeload.report.content import shoe_rows
    from kneeload.report.tables import shoes_text
    assert "beyond 2100" in shoes_text(shoe_rows(status, "mi"), "mi")
    from kneeload.report.figures import shoe_mileage
    shoe_mileage(status, "mi").savefig(tmp_path / "s.png")


@pytest.mark.parametrize("tz,expect", [
    ("Asia/Tokyo", "Asia/Tokyo"),
    (":/usr/share/zoneinfo/Asia/Tokyo", "Asia/Tokyo"),
    ("JST-9", "JST"),
])
def test_tz_as_a_name_a_path_or_a_posix_rule(tz, expect, monkeypatch):
    if not Path("/usr/share/zoneinfo/Asia/Tokyo").exists():
        pytest.skip("no system zoneinfo here")
    monkeypatch.setenv("TZ", tz)
    zone = machine_timezone()
    assert str(getattr(zone, "key", None) or zone.tzname(None)) == expect
    # Tokyo is UTC+9 without daylight saving: 9 h in January (POSIX "-9" is east of UTC)
    assert zone.utcoffset(pd.Timestamp("2026-01-15").to_pydatetime()) == pd.Timedelta(hours=9)


@pytest.mark.parametrize("tz", ["A" * 300, "CET-1CEST", "Nowhere/Land", "/nonexistent/zone"])
def test_an_unusable_tz_falls_back_with_a_one_line_note(tz, monkeypatch):
    monkeypatch.setenv("TZ", tz)
    with pytest.warns(UserWarning) as rec:
        zone = machine_timezone()
    assert zone is not None
    assert len(rec) == 1 and "\n" not in str(rec[0].message)
    assert len(str(rec[0].message)) < 300


def test_a_300_character_tz_is_a_note_on_the_command_line(runs, tmp_path):
    import subprocess
    env = {**os.environ, "TZ": "A" * 300, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "kneeload.cli", "summary", runs, "--no-cache"],
                         capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode in (0, 1), out.stderr
    assert "Traceback" not in out.stderr


def test_settings_nested_50000_deep_is_exit_2_naming_the_file(runs, tmp_path, capsys):
    cfg = tmp_path / "deep.toml"
    cfg.write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n")
    status, _, err = run_cli(["check", runs, "--config", cfg], capsys)
    assert status == 2
    assert str(cfg) in err and "nested too deeply" in err
    assert len(err.strip().splitlines()[-1]) < 400


def test_control_characters_in_file_names_are_escaped(tmp_path, capsys):
    d = tmp_path / "data"
    d.mkdir()
    forged = "run\x1b[31m\rkneeload: all well\n.fit"
    shutil.copy(sorted((SAMPLE / "runs").iterdir())[0], d / forged)
    (d / "bad\x1b]0;title\x07\n.gpx").write_text("<gpx>not really")
    status, out, err = run_cli(["summary", d], capsys)
    assert status == 1
    for text in (out, err):
        assert "\x1b" not in text and "\r" not in text and "\x07" not in text
    assert "run\\x1b[31m\\rkneeload: all well\\n.fit" in out
    assert "bad\\x1b]0;title\\x07\\n.gpx" in out
    assert printable("a\u202eb") == "a\\u202eb"


@pytest.mark.parametrize("var,value", [("HOME", "relative/home"), ("HOME", "/x/" + "a" * 5000),
                                       ("XDG_CONFIG_HOME", "rel"),
                                       ("KNEELOAD_CONFIG_DIR", "not/absolute")])
def test_an_unusable_home_or_xdg_is_a_one_line_note(var, value, monkeypatch):
    from kneeload.discover import discover, user_config_dir
    if var != "KNEELOAD_CONFIG_DIR":
        monkeypatch.delenv("KNEELOAD_CONFIG_DIR", raising=False)
    monkeypatch.setenv(var, value)
    with pytest.warns(UserWarning) as rec:
        folder = user_config_dir()
    assert folder == "" or os.path.isabs(folder)
    assert len(rec) == 1 and "\n" not in str(rec[0].message) and var in str(rec[0].message)
    assert os.environ[var] == value  # left as it was
    with pytest.warns(UserWarning):
        assert discover([SAMPLE]).pain == str(SAMPLE / "pain.csv")


def test_a_file_that_exhausts_memory_is_skipped_and_the_rest_read(tmp_path):
    """One 100 MB GPX among five runs, under an 800 MB address-space limit: that file is
    skipped with a reason (a MemoryError in its parse), the five runs are read."""
    import subprocess
    d = tmp_path / "season"
    d.mkdir()
    for f in sorted((SAMPLE / "runs").iterdir())[:5]:
        shutil.copy(f, d)
    with open(d / "huge.gpx", "w") as fh:
        fh.write('<?xml version="1.0"?><gpx version="1.1" creator="test" '
                 'xmlns="http://www.topografix.com/GPX/1/1"><trk><type>running</type>'
                 "<trkseg>\n")
        t0 = pd.Timestamp("2026-03-01 07:00:00")
        i = 0
        while fh.tell() < 100_000_000:
            fh.write(f'<trkpt lat="{51.5 + i * 1e-7:.7f}" lon="{-0.1 + i * 1e-7:.7f}">'
                     f"<ele>10.0</ele><time>{t0 + pd.Timedelta(seconds=i):%Y-%m-%dT%H:%M:%S}Z"
                     "</time></trkpt>\n")
            i += 1
        fh.write("</trkseg></trk></gpx>\n")
    code = ("import resource, sys\n"
            "resource.setrlimit(resource.RLIMIT_AS, (800 * 2**20, 800 * 2**20))\n"
            "from kneeload.cli import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    for extra in ([], ["--json"]):
        out = subprocess.run([sys.executable, "-c", code, "summary", d, "--no-cache", *extra],
                             capture_output=True, text=True, timeout=300, env=env)
        assert out.returncode == 1, out.stderr  # 1: a file skipped, the rest read
        assert "Traceback" not in out.stderr and "internal error" not in out.stderr
        text = out.stdout + out.stderr
        assert "huge.gpx" in text and "ran out of memory" in text
        if extra:
            import json
            doc = json.loads(out.stdout)
            assert len(doc["activities"]) == 5
