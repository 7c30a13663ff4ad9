from __future__ import annotations

import json
import shutil

from conftest import SAMPLE

from kneeload.cli import main


def test_summary_of_sample_data(capsys):
    assert main(["summary", str(SAMPLE), "--tz", "Europe/London"]) == 0
    out = capsys.readouterr().out
    assert "97 activities, 92 runs, 364.5 mi running" in out
    assert "2026-05-31  09:" in out and "12.00 mi" in out  # the planted 12-mile long run
    assert "Skipped (counted once): 1" in out
    assert "2026-04-09_0706_run_phone.gpx: the same activity as" in out


def test_summary_json_in_km(capsys):
    assert main(["summary", str(SAMPLE / "runs"), "--json", "--unit", "km"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["unit"] == "km"
    assert len(doc["activities"]) == 97
    first = doc["activities"][0]
    assert first["start_time"] == "2026-03-03T07:00:00+00:00"
    assert first["local_date"] == "2026-03-03T00:00:00"
    assert first["distance"] == round(first["distance"], 9)
    assert abs(first["distance"] - 3.0 * 1.609344) < 0.01
    assert [s["kind"] for s in doc["skipped"]] == ["duplicate"]


def test_summary_exit_1_when_a_file_is_skipped(tmp_path, data, capsys):
    shutil.copy(data / "fit/fenix5-tiny-run.fit", tmp_path)
    shutil.copy(data / "invalid/no-time-stamps.fit", tmp_path)
    assert main(["summary", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "Skipped (not read): 1" in out
    assert "no-time-stamps.fit: cannot be placed on a date" in out


def test_summary_usage_errors_exit_2(tmp_path, capsys):
    assert main(["summary", str(tmp_path / "missing")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["summary", str(tmp_path), "--unit", "furlong"]) == 2
    assert main([]) == 2
    assert main(["summary", str(tmp_path), "--tz", "Nowhere/Land"]) == 2
    assert "unknown time zone" in capsys.readouterr().err


def test_output_piped_into_head_stops_quietly():
    import subprocess
    import sys
    cmd = (f"{sys.executable} -m kneeload.cli summary {SAMPLE} | head -2")
    out = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert len(out.stdout.splitlines()) == 2
    assert "Traceback" not in out.stderr and "BrokenPipe" not in out.stderr
    # a reader that is gone before anything is written (`| true`): the write meets a closed
    # pipe for sure; 141 = 128 + SIGPIPE, never 1 ("something to act on")
    cmd = f"{sys.executable} -m kneeload.cli summary {SAMPLE} | true; echo ${{PIPESTATUS[0]}}"
    out = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "141"
    assert "Traceback" not in out.stderr and "BrokenPipe" not in out.stderr


def test_help_texts_render(capsys):
    import pytest
    for argv in (["--help"], ["check", "--help"], ["report", "--help"], ["pain", "add", "--help"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "flag risky load jumps (10% rule" in out
    assert "option_strings" not in out
