"""Limits as shown, planned to the letter, pass on every surface (found trying it as a new
user): after a long break each day's longest run is the graded return's, and the Python API
rounds a limit down as the CLI does."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from kneeload import Season
from kneeload.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def _plan(tmp_path: Path, date: str, miles: float) -> str:
    path = tmp_path / f"plan-{miles}.csv"
    path.write_text(f"date,distance\n{date},{miles}\n")
    return str(path)


def test_after_a_long_break_the_days_longest_run_is_the_graded_returns(tmp_path, capsys):
    # the sample's last run is Sun 16 Aug; on Wed 2 Dec that is 108 days off: a return as a
    # new runner (33% share): runs of at most 33% x the pre-break 30-day longest (6.5 mi) =
    # 2.145 mi, shown 2.1 (down). The 30-day spike window is empty, so the old day limit
    # (7.1 mi, the pre-break caution) let a plan trip the return rule.
    assert main(["check", str(SAMPLE), "--today", "2026-12-02", "--json"]) in (0, 1)
    days = json.loads(capsys.readouterr().out)["next_week"]["days"]
    thu = next(d for d in days if d["date"] == "2026-12-03")
    assert thu["max_run_display"] == "2.1 mi" and thu["bound_by"] == "return_after_break"
    assert main(["plan", _plan(tmp_path, "2026-12-03", 2.1), "--history", str(SAMPLE),
                 "--today", "2026-12-02", "--fail-on", "info"]) == 0
    capsys.readouterr()
    assert main(["plan", _plan(tmp_path, "2026-12-03", 2.2), "--history", str(SAMPLE),
                 "--today", "2026-12-02", "--fail-on", "info"]) == 1


def test_the_api_gives_the_numbers_the_cli_shows():
    # as of Mon 17 Aug, Monday's longest run is the two-week room: 1.3 x 14.0 - 15.0 =
    # 3.2 mi less a little (3.1943 mi): 3.19 at 2 decimals and "3.1 mi" shown, never 3.2
    season = Season.from_paths(SAMPLE, today="2026-08-17")
    ahead = season.next_week().as_dict("mi")
    monday = ahead["days"][0]
    assert pd.Timestamp(monday["date"]) == pd.Timestamp("2026-08-17")
    assert (monday["max_run"], monday["max_run_display"]) == (3.19, "3.1 mi")
    assert monday["bound_by"] == "two_week_increase"
    week = season.this_week().as_dict("mi")
    assert week["run_max_display"] == "3.1 mi" and week["run_max"] == 3.19
