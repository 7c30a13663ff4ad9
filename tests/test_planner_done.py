"""Issue 21's done-when: on the sample season and on a season with a pain flare-up (the
sample season judged on 20 Jul, its pain flags of 16-19 Jul open), ``plan --build`` writes
4-12 weeks that ``kneeload plan`` itself passes with no flag, in mi and in km, for weekly and
race goals."""

from __future__ import annotations

import pandas as pd
import pytest

import kneeload
from kneeload.load import check_plan
from kneeload.plan import read_plan
from kneeload.planfiles import write_plan_csv


@pytest.fixture(scope="module")
def sample():
    return kneeload.Season.from_paths("sample_data")


def _season(sample, today: str, unit: str):
    acts = sample.activities[sample.activities["local_date"] <= today]
    cfg = sample.config.with_settings(unit=unit)
    return kneeload.Season(acts, cfg, pain=sample.pain[sample.pain["date"] <= today],
                           today=today)


# (season day, goal, weeks, unit, expected weeks): race goals plan the weeks up to the
# race's week (its Monday - the first Monday) / 7 + 1
CASES = [
    ("2026-08-16", "30mi/week", 4, "mi", 4),
    ("2026-08-16", "40km/week", 12, "km", 12),
    ("2026-08-16", "half 2026-11-08", None, "km", 12),  # 17 Aug .. week of 2 Nov: 12
    ("2026-08-16", "10k 2026-09-13", None, "mi", 4),    # 17 Aug .. week of 7 Sep: 4
    ("2026-07-20", "30mi/week", 12, "mi", 12),          # the flare-up: pain flags open
    ("2026-07-20", "50km/week", 4, "km", 4),
    ("2026-07-20", "marathon 2026-10-11", None, "mi", 12),  # 20 Jul .. week of 5 Oct: 12
    ("2026-07-20", "5k 2026-08-16", None, "km", 4),     # 20 Jul .. week of 10 Aug: 4
]


@pytest.mark.parametrize(("day", "goal", "weeks", "unit", "n"), CASES)
def test_built_plan_passes_kneeload_plan(sample, tmp_path, day, goal, weeks, unit, n):
    season = _season(sample, day, unit)
    plan = season.build_plan(goal, weeks=weeks)
    assert len(plan.weeks) == n
    assert 4 <= len(plan.weeks) <= 12
    if day == "2026-07-20":  # the flare-up holds the first weeks (pain_hold_weeks = 2)
        assert list(plan.weeks["mode"][:2]) == ["hold", "hold"]
    # what kneeload plan reads back from the CSV (rounded to 0.1 of the unit) raises no flag
    path = tmp_path / "plan.csv"
    write_plan_csv(plan.table, path, unit)
    back = read_plan(path, unit)
    assert len(back) == len(plan.table)
    assert (back["distance_m"] <= plan.table["distance_m"] + 1e-6).all()
    flags = check_plan(season.activities, back, season.config)
    assert flags.empty, flags[["rule", "date", "value", "threshold"]]


def test_cli_round_trip_on_the_flare_up(tmp_path, capsys):
    from kneeload.cli import main

    out = tmp_path / "plan.csv"
    assert main(["plan", "--build", "--history", "sample_data", "--goal", "40km/week",
                 "--unit", "km", "--weeks", "4", "--today", "2026-07-20", "-o", str(out)]) == 0
    assert "hold" in capsys.readouterr().out
    assert main(["plan", str(out), "--history", "sample_data", "--unit", "km",
                 "--today", "2026-07-20", "--fail-on", "info"]) == 0
    assert "No flags." in capsys.readouterr().out
    assert pd.read_csv(out)["unit"].eq("km").all()
