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
    import json

    from kneeload.cli import main

    plan = tmp_path / "p.csv"
    plan.write_text("date,distance\n2026-08-11,3.0\n2026-08-13,1.0\n2026-08-18,4.0\n")
    main(["check", "sample_data", "--plan", str(plan), "--today", "2026-08-17"])
    out = capsys.readouterr().out
    assert "week of 2026-08-10: planned 4.0, run 15.0" in out
    assert "week of 2026-08-17: planned 4.0, run 0.0 so far" in out
    assert "info: 2026-08-13: ran 4.0 mi, far above the planned 1.0 (more than 10% over" in out
    main(["check", "sample_data", "--plan", str(plan), "--today", "2026-08-17", "--json"])
    adh = json.loads(capsys.readouterr().out)["adherence"]
    assert adh["far_pct"] == 10.0 and adh["unit"] == "mi"
    w1, w2 = adh["weeks"]
    # week of 10 Aug: planned 3.0 + 1.0 = 4.0 mi; run 3.5 + 4.0 + 3.0 + 4.5 = 15.0 mi in 4
    assert (w1["planned"], w1["run"], w1["runs_planned"], w1["runs"], w1["complete"]) == (
        4.0, 15.0, 2, 4, True)
    # Mon 17 Aug is judged: that week has begun, nothing run yet
    assert (w2["planned"], w2["run"], w2["runs"], w2["complete"]) == (4.0, 0.0, 0, False)
    # far above: Tue 11 Aug 3.5 > 3.0 x 1.10 = 3.3; Thu 13 Aug 4.0 > 1.0 x 1.10 = 1.1
    assert [(r["date"], r["planned"], r["run"], r["limit"]) for r in adh["over"]] == [
        ("2026-08-11", 3.0, 3.5, 3.3), ("2026-08-13", 1.0, 4.0, 1.1)]
    assert adh["over"][1]["limit_m"] == pytest.approx(1.1 * M_PER_MI, abs=0.1)
    # judged on 12 Aug: the week of 17 Aug has not begun (null), 13 Aug is not judged yet
    main(["check", "sample_data", "--plan", str(plan), "--today", "2026-08-12", "--json"])
    got = json.loads(capsys.readouterr().out)
    adh = got["adherence"]
    assert adh["weeks"][1]["run"] is None and adh["weeks"][1]["run_m"] is None
    assert adh["weeks"][1]["runs"] is None
    assert [r["date"] for r in adh["over"]] == ["2026-08-11"]
    assert got["replan"] is None
    main(["check", "sample_data", "--today", "2026-08-17", "--json"])
    got = json.loads(capsys.readouterr().out)
    assert got["adherence"] is None and got["replan"] is None


def test_cli_check_replans_after_a_pain_flare_up(tmp_path, capsys):
    """The sample season's July flare-up: a plan built on 5 Jul, checked on 20 Jul."""
    import json

    from kneeload.cli import main

    plan = tmp_path / "plan.csv"
    assert main(["plan", "--build", "--history", "sample_data", "--goal", "30mi/week",
                 "--weeks", "6", "--today", "2026-07-05", "-o", str(plan)]) == 0
    capsys.readouterr()
    # 5 Jul: no pain flag is open, so the plan builds: 17.5 (= 15.9 x 1.1) then 19.2 mi
    rc = main(["check", "sample_data", "--plan", str(plan), "--today", "2026-07-20",
               "--fail-on", "alert"])
    out = capsys.readouterr().out
    assert rc == 1  # no alert, but the plan no longer holds: something to act on
    assert ("Pain: your pain log on 2026-07-19 (3/10) tripped the pain model (Weekly highest "
            "pain rising) since this plan was made (by 2026-07-06") in out
    assert "its remaining 16 run(s), from 2026-07-21, no longer hold." in out
    assert "Re-planned from 2026-07-20 toward the plan's own biggest week (21.0mi/week)" in out
    assert ("kneeload plan --build --history sample_data --goal 21.0mi/week --weeks 4 "
            f"--today 2026-07-20 -o {plan}") in out
    main(["check", "sample_data", "--plan", str(plan), "--today", "2026-07-20", "--json"])
    rp = json.loads(capsys.readouterr().out)["replan"]
    assert (rp["pain_date"], rp["pain_rule"], rp["pain"], rp["made"], rp["from"]) == (
        "2026-07-19", "pain_rising", 3.0, "2026-07-06", "2026-07-20")
    assert (rp["remaining_runs"], rp["goal"], rp["weeks"]) == (16, "21.0mi/week", 4)
    weeks = rp["plan"]["weeks"]
    # held: the last complete week (13 Jul) ran 16.5 mi; weeks 1-2 stay within it (the
    # runs placed on the allowed days round down to 16.4), where the old plan had 21.0, 16.8
    assert [w["mode"] for w in weeks] == ["hold", "hold", "build", "lighter"]
    assert all(w["distance"] <= 16.5 for w in weeks[:2])
    # the re-plan itself passes kneeload plan with no flag
    new = tmp_path / "new.csv"
    assert main(["plan", "--build", "--history", "sample_data", "--goal", "21.0mi/week",
                 "--weeks", "4", "--today", "2026-07-20", "-o", str(new)]) == 0
    assert main(["plan", str(new), "--history", "sample_data", "--today", "2026-07-20",
                 "--fail-on", "info"]) == 0


# --- [plan] settings ----------------------------------------------------------------------


def test_plan_settings_from_config(tmp_path):
    from kneeload.config import Config, load_config

    toml = tmp_path / "kneeload.toml"
    toml.write_text("[plan]\nlighter_every = 3\npain_hold_weeks = 1\n")
    cfg = load_config(toml)
    assert cfg.plan == {"lighter_every": 3, "lighter_pct": 20.0, "long_share": 0.35,
                        "pain_hold_weeks": 1}
    plan = build_plan(STEADY, cfg, goal="20mi/week", weeks=4, today=TODAY)
    assert list(plan.weeks["mode"]) == ["build", "build", "lighter", "build"]
    # pain_hold_weeks = 1: the 5/10 days of 27-28 Mar hold week 1 only
    log = pd.DataFrame({"date": pd.to_datetime(["2026-03-22", "2026-03-27", "2026-03-28"]),
                        "pain": [0.0, 5.0, 5.0], "side": "right", "when": "after",
                        "activity": "", "note": ""})
    held = build_plan(STEADY, cfg, goal="30mi/week", weeks=4, today=TODAY, pain_log=log,
                      lighter_every=0)
    assert list(held.weeks["mode"]) == ["hold", "build", "build", "build"]
    assert any("week 1 does not increase" in n for n in held.notes)
    # a call's own value wins over the config; a bad value is the config's error
    two = build_plan(STEADY, cfg, goal="30mi/week", weeks=4, today=TODAY, pain_log=log,
                     lighter_every=0, pain_hold_weeks=2)
    assert list(two.weeks["mode"][:3]) == ["hold", "hold", "build"]
    from kneeload.errors import ConfigError
    with pytest.raises(ConfigError, match="pain_hold_weeks"):
        Config().with_settings(plan={"pain_hold_weeks": -1})
    toml.write_text("[plan]\nlighter_evry = 3\n")
    with pytest.raises(ConfigError, match="unknown setting 'lighter_evry'"):
        load_config(toml)


# --- a pain flare-up after the plan was made ---------------------------------------------

CALM = pd.DataFrame({"date": pd.date_range("2026-01-05", "2026-03-29", freq="7D"),
                     "pain": 0.0, "side": "right", "when": "after", "activity": "", "note": ""})


def _ran_week_1(plan) -> pd.DataFrame:
    """STEADY plus the plan's first week run as planned."""
    w1 = plan.table[plan.table["week"] == 1]
    return activities(weekly_runs("2026-01-05", [15.0] * 12)
                      + [(f"{d:%Y-%m-%d} 08:00", m / M_PER_MI)
                         for d, m in zip(w1["date"], w1["distance_m"], strict=True)])


def test_flare_up_changes_the_plan_hand_checked():
    from kneeload.planner import pain_replan

    before = build_plan(STEADY, goal="30mi/week", weeks=8, today=TODAY, pain_log=CALM)
    # week 1 (from Mon 30 Mar): 15 x 1.10 = 16.5 mi, 5.5 mi on Mon, Thu, Sun; week 2 18.1
    assert before.weeks["distance_m"].iloc[0] / M_PER_MI == pytest.approx(16.5)
    assert before.weeks["distance_m"].iloc[1] / M_PER_MI == pytest.approx(18.1)
    ran = _ran_week_1(before)
    # the flare-up: 5/10 after Thursday's 5.5 mi run and the next morning
    flare = pd.concat([CALM, pd.DataFrame({
        "date": pd.to_datetime(["2026-04-02", "2026-04-03"]), "pain": [5.0, 5.0],
        "side": "right", "when": ["after", "next_morning"], "activity": "", "note": ""})],
        ignore_index=True)
    assert pain_replan(ran, before.table, CALM, today="2026-04-05") is None  # no flag
    rp = pain_replan(ran, before.table, flare, today="2026-04-05")
    assert rp is not None
    # the latest pain flag: the weekly highest pain rising 0 -> 5 (dated Sun 5 Apr); the
    # plan was made by Sun 29 Mar; 7 weeks x 3 runs remain after 5 Apr
    assert (rp.flag["rule"], f"{rp.flag['date']:%Y-%m-%d}") == ("pain_rising", "2026-04-05")
    assert f"{rp.made:%Y-%m-%d}" == "2026-03-29"
    assert len(rp.remaining) == 21 and rp.weeks == 7
    # toward the old plan's biggest week: week 7, 16.5 x 1.1 x 1.1 (lighter 4) ... = 21.0 mi
    assert rp.goal == f"{before.weeks['distance_m'].max() / M_PER_MI:.1f}mi/week" \
        == "21.0mi/week"
    held = rp.plan.weeks
    # held weeks 1-2 (6 and 13 Apr): no increase on the last week (16.5) and within the
    # tolerated biggest week: 15.0 mi (the 12 steady weeks had no pain after them; the
    # 16.5 mi week had) -> 15.0; the long run within the tolerated longest, 5.0 mi (the
    # 5.5 mi runs were followed by 5/10)
    assert list(held["mode"][:2]) == ["hold", "hold"]
    assert held["distance_m"].iloc[0] / M_PER_MI == pytest.approx(15.0)
    assert held["distance_m"].iloc[1] / M_PER_MI == pytest.approx(15.0)
    assert held["long_run_m"].iloc[:2].max() / M_PER_MI == pytest.approx(5.0)
    # after the flare-up no run reaches the 5.5 mi pain followed (capped at 5.4)
    assert rp.plan.table["distance_m"].max() / M_PER_MI == pytest.approx(5.4)
    # without the flare-up the same day's plan would grow: 16.5 x 1.10 = 18.15 -> 18.1
    calm = build_plan(ran, goal="30mi/week", weeks=7, today="2026-04-05", pain_log=CALM)
    assert calm.weeks["distance_m"].iloc[0] / M_PER_MI == pytest.approx(18.1)
    _no_flags(ran, rp.plan)


def test_a_finished_plan_is_not_replanned():
    from kneeload.planner import pain_replan

    before = build_plan(STEADY, goal="30mi/week", weeks=4, today=TODAY, pain_log=CALM)
    ran = _ran_week_1(before)
    flare = pd.concat([CALM, pd.DataFrame({
        "date": pd.to_datetime(["2026-04-02", "2026-04-03"]), "pain": [5.0, 5.0],
        "side": "right", "when": "after", "activity": "", "note": ""})], ignore_index=True)
    # the plan's last run is Sun 26 Apr: judged on 27 Apr nothing is left to re-plan
    assert before.table["date"].max() == pd.Timestamp("2026-04-26")
    assert pain_replan(ran, before.table, flare, today="2026-04-27") is None
    assert pain_replan(ran, before.table, flare, today="2026-04-05") is not None
