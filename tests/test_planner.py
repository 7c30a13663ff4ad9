"""The planner: a built plan raises no flag when checked (the core guarantee)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from kneeload.errors import UsageError
from kneeload.load import check_plan
from kneeload.planner import build_plan, parse_days, parse_goal
from kneeload.schema import M_PER_MI
from tests.factories import activities, weekly_runs

# steady: 12 weeks of 15 mi (5 mi on Mon, Thu, Sun) from Mon 2026-01-05
STEADY = activities(weekly_runs("2026-01-05", [15.0] * 12))
TODAY = "2026-03-29"  # the Sunday ending week 12


def _no_flags(hist: pd.DataFrame, plan) -> None:
    flags = check_plan(hist, plan.table)
    # the first run after a break is always called out, whatever its length
    flags = flags[~((flags["rule"] == "return_after_break") & (flags["unit"] == "days"))]
    assert flags.empty, flags[["rule", "date", "value"]]


def test_parse_goal_and_days():
    assert parse_goal("30mi/week").week_m == pytest.approx(30 * M_PER_MI)
    g = parse_goal("half 2027-03-14")
    assert (g.race, g.race_date) == ("half", pd.Timestamp("2027-03-14"))
    assert parse_days("mon,wed,sat") == (0, 2, 5)
    with pytest.raises(UsageError, match="weekly volume"):
        parse_goal("fast")
    with pytest.raises(UsageError, match="not a weekday"):
        parse_days("mon,xyz")


def test_steady_first_week_hand_computed():
    plan = build_plan(STEADY, goal="30mi/week", weeks=4, today=TODAY, lighter_every=0)
    _no_flags(STEADY, plan)
    # week 1 (from Mon 30 Mar; 5 mi runs on Mon, Thu, Sun before): at most 15 x 1.10 =
    # 16.5 mi (10% rule). The two-week rule allows more by the week's end (the 14 days to
    # Sun 5 Apr: last week's 15 mi + this week, at most 1.30 x the 30 mi before = 39 mi, so
    # 24 mi) and holds each run to its own day's room (Mon: 39 - 25 = 14 mi).
    w1 = plan.weeks.iloc[0]
    assert w1["distance_m"] / M_PER_MI == pytest.approx(16.5, abs=0.31)
    assert w1["bounded_by"] == "weekly_increase"
    assert w1["distance_m"] / M_PER_MI <= 16.5 + 1e-9
    assert plan.table["distance_m"].max() / M_PER_MI <= 5.5 * 1.1 ** 3 + 1e-9
    assert list(plan.table.columns) == ["date", "distance_m", "kind", "week", "week_start",
                                        "bounded_by", "target", "note"]
    # rounded down to 0.1 mi
    tenths = plan.table["distance_m"] / M_PER_MI * 10
    assert (tenths - tenths.round()).abs().max() < 1e-6
    assert not plan.reached  # 30 mi/week is not reachable from 15 in 4 weeks
    assert "cannot be reached safely" in plan.notes[0]
    assert "not medical advice" in plan.disclaimer


def test_lighter_week_and_weeks_range():
    plan = build_plan(STEADY, goal="20mi/week", weeks=4, today=TODAY, lighter_every=3)
    _no_flags(STEADY, plan)
    w = plan.weeks.set_index("week")
    assert w.loc[3, "mode"] == "lighter"
    assert w.loc[3, "distance_m"] <= w.loc[2, "distance_m"] * 0.8 + 1e-6
    with pytest.raises(UsageError, match="4-12"):
        build_plan(STEADY, goal="20mi/week", weeks=3, today=TODAY)


def test_ramping_and_after_break():
    ramp = activities(weekly_runs("2026-01-05", [8, 9, 10, 11, 12, 13, 14, 15]))
    plan = build_plan(ramp, goal="16mi/week", weeks=4, today="2026-03-01")
    _no_flags(ramp, plan)
    assert plan.reached
    # a 3-week break ending the history: a graded return with a walk/jog ladder
    brk = activities(weekly_runs("2026-01-05", [15.0] * 8))
    plan = build_plan(brk, goal="15mi/week", weeks=4, today="2026-03-22")
    _no_flags(brk, plan)
    assert plan.table["kind"].iloc[0] == "walk_jog"


def test_pain_flare_up_holds_the_plan():
    log = pd.DataFrame({"date": pd.to_datetime(["2026-03-22", "2026-03-27", "2026-03-28"]),
                        "pain": [0.0, 5.0, 5.0], "side": "right", "when": "after",
                        "activity": "", "note": ""})
    calm = build_plan(STEADY, goal="30mi/week", weeks=4, today=TODAY, lighter_every=0)
    held = build_plan(STEADY, goal="30mi/week", weeks=4, today=TODAY, pain_log=log,
                      lighter_every=0)
    _no_flags(STEADY, held)
    assert held.weeks["mode"].iloc[0] == "hold"
    assert held.weeks["distance_m"].iloc[0] < calm.weeks["distance_m"].iloc[0]
    assert held.weeks["distance_m"].iloc[0] <= 15 * M_PER_MI + 1e-6  # no increase
    # the note names the pain-model flag the 5/10 days of 27-28 Mar raised (dated 27-29 Mar)
    assert any(re.search(r"Pain hold: your pain log on 2026-03-2[789] \(5/10", n)
               for n in held.notes)
    assert held.table["kind"].iloc[0] == "walk_jog"


def test_cli_build_writes_a_plan_kneeload_plan_passes(tmp_path, capsys):
    from kneeload.cli import main

    out = tmp_path / "plan.csv"
    rc = main(["plan", "--build", "--history", "sample_data", "--goal", "30mi/week",
               "--weeks", "4", "--today", "2026-08-17", "-o", str(out)])
    assert rc == 0
    assert "bounded by" in capsys.readouterr().out
    assert out.read_text().startswith("date,distance,unit,kind,week,week_start,bounded_by,")
    rc = main(["plan", str(out), "--history", "sample_data", "--fail-on", "info"])
    assert rc == 0


def test_adherence_planned_vs_run():
    from kneeload.planner import adherence

    # STEADY's last week (Mon 23 Mar): 5 mi on Mon, Thu, Sun = 15 mi run
    plan = pd.DataFrame({"date": pd.to_datetime(["2026-03-23", "2026-03-26", "2026-03-29"]),
                         "distance_m": [5.0 * M_PER_MI, 4.0 * M_PER_MI, 6.0 * M_PER_MI]})
    weeks, over = adherence(STEADY, plan)
    assert weeks["planned_m"].iloc[0] / M_PER_MI == pytest.approx(15.0)
    assert weeks["run_m"].iloc[0] / M_PER_MI == pytest.approx(15.0)
    # Thu: 5 mi run on 4 planned: 5 > 4 x 1.10 = 4.4 -> over; Mon 5 on 5 is not
    assert list(over["date"]) == [pd.Timestamp("2026-03-26")]


def test_cli_check_with_plan(tmp_path, capsys):
    from kneeload.cli import main

    plan = tmp_path / "p.csv"
    plan.write_text("date,distance\n2026-08-11,3.0\n2026-08-13,1.0\n")
    main(["check", "sample_data", "--plan", str(plan), "--today", "2026-08-17"])
    out = capsys.readouterr().out
    assert "week of 2026-08-10: planned 4.0, run" in out
    assert "info: 2026-08-13: ran 4.0 mi, far above the planned 1.0" in out
