"""Issue 20, items 2, 4, 5, 6, 7: what the data says, and only that.

Each case is computed by hand in its comment."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from kneeload.cli import main
from kneeload.io import read_activities


def run(argv: list[str]) -> tuple[int, str, str]:
    """``kneeload argv`` in-process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


# --- item 4: same-day rows of a manual log keep their order -------------------------------

SAME_DAY = """date,distance,duration
2026-05-01,6,60:00
2026-05-08,6,60:00
2026-05-15,6,60:00
2026-05-22,6,60:00
2026-05-29,6,60:00
2026-06-05,8,80:00
2026-06-05,13,130:00
"""


def test_manual_log_same_day_rows_keep_their_order(tmp_path):
    log = write(tmp_path / "log.csv", SAME_DAY)
    acts = read_activities([log], tz="UTC", cache=False).activities
    day = acts[acts["local_date"] == pd.Timestamp("2026-06-05")]
    # the rows of 5 Jun: noon, then noon + 1 s, in the file's order (8 mi, then 13 mi)
    assert [f"{t:%H:%M:%S}" for t in day["local_start"]] == ["12:00:00", "12:00:01"]
    assert (day["distance_m"] / 1609.344).round(1).tolist() == [8.0, 13.0]
    code, out, _ = run(["check", log, "--json", "--no-cache", "--tz", "UTC",
                        "--today", "2026-06-07"])
    spikes = [(f["value"], f["severity"]) for f in json.loads(out)["flags"]
              if f["rule"] == "session_spike"]
    # 30 days before the 8-miler: longest 6 mi -> 8 / 6 - 1 = +33.3% (warn, >30-100% band);
    # the 13-miler after it that day: longest 8 mi (the morning run counts) ->
    # 13 / 8 - 1 = +62.5% (warn), not 13 / 6 - 1 = +116.7% (alert) as when both were at noon
    assert spikes == [(33.3, "warn"), (62.5, "warn")]
    assert code == 1


def test_manual_log_time_column_is_the_start(tmp_path):
    # the evening row written first: the time column, not the file's order, sets the day
    log = write(tmp_path / "log.csv", "date,distance,duration,time\n"
                "2026-06-05,13,130:00,18:30\n2026-06-05,8,80:00,07:15:30\n"
                "2026-06-06,3,30:00,\n")
    acts = read_activities([log], tz="UTC", cache=False).activities
    got = [(f"{t:%Y-%m-%d %H:%M:%S}", round(d / 1609.344, 1))
           for t, d in zip(acts["local_start"], acts["distance_m"], strict=True)]
    assert got == [("2026-06-05 07:15:30", 8.0), ("2026-06-05 18:30:00", 13.0),
                   ("2026-06-06 12:00:00", 3.0)]  # no time: noon


def test_manual_log_bad_time_names_the_line(tmp_path):
    log = write(tmp_path / "log.csv", "date,distance,duration,time\n2026-06-05,5,45:00,25:00\n")
    code, out, _ = run(["summary", log, "--no-cache", "--tz", "UTC"])
    # the file is skipped (exit 1) with its line and the value named, never read as noon
    assert code == 1
    assert "log.csv: line 2: time '25:00' is not HH:MM or HH:MM:SS (24-hour)" in out
