"""Every registered rule against the registry's contract (issue 19 item 1).

Parameters documented with units, defaults valid under their own check, flags only in the
schema's columns and severities, and for every rule with a limit hook: a run of exactly
``allowance(...).run_max_m`` on the day raises no flag dated that day (nor a weekly flag for
its week), and 0.1 m more makes the bounding rule flag.
"""

from __future__ import annotations

import pandas as pd
import pytest

from kneeload import load
from kneeload.config import Config
from kneeload.flagrows import FLAG_COLUMNS, SEVERITIES
from kneeload.limits import allowance
from kneeload.rules import Param, registry, rule
from tests.factories import activities, weekly_runs

MI = 1609.344


def _uneven(weeks=((3, 3, 4),) * 4 + ((4, 5, 5),), start="2026-01-05"):
    """Mon/Thu/Sun runs of the given miles from Mon ``start``: 10, 10, 10, 10, 14 mi weeks
    in whole miles, so the hand arithmetic is exact."""
    monday = pd.Timestamp(start)
    return [(f"{monday + pd.Timedelta(days=7 * w + d):%Y-%m-%d} 08:00", miles)
            for w, week in enumerate(weeks) for d, miles in zip((0, 3, 6), week, strict=True)]


#: Synthetic histories (name, runs, day to place the run on).
HISTORIES = [
    # issue 20 item 1: 10, 10, 10, 10, 14 mi weeks, then the Monday after
    ("steady_then_jump", weekly_runs("2026-01-05", [10, 10, 10, 10, 14]), "2026-02-09"),
    # the same weeks in whole miles: on Mon 9 Feb the two-week rule binds (4.3 < 5.5 mi)
    ("steady_then_jump_uneven", _uneven(), "2026-02-09"),
    ("steady_20", weekly_runs("2026-01-05", [20, 20, 20, 20, 20]), "2026-02-09"),
    ("building", weekly_runs("2026-01-05", [8, 10, 12, 14, 16, 18]), "2026-02-17"),
    ("mid_week", weekly_runs("2026-01-05", [15, 15, 15, 15]) + [("2026-02-02 07:00", 5.0)],
     "2026-02-04"),
    # 15 mi weeks to Sun 8 Feb, then 40 days off: the day the first run back would be (the
    # return's week 1 run ceiling binds), week 2 after a 3 mi first run (its run ceiling
    # binds) and week 2 nearly full (its week ceiling binds)
    ("break_pending", weekly_runs("2026-01-05", [15] * 5), "2026-03-20"),
    ("return_week_2", weekly_runs("2026-01-05", [15] * 5) + [("2026-03-20 07:00", 3.0)],
     "2026-03-23"),
    ("return_week_full", weekly_runs("2026-01-05", [15] * 5) + [
        ("2026-03-20 07:00", 3.0), ("2026-03-23 07:00", 3.0), ("2026-03-25 07:00", 3.0),
        ("2026-03-27 07:00", 3.0)], "2026-03-29"),
]


def test_every_rule_documents_its_parameters_with_units_and_valid_defaults():
    assert len(registry) >= 13
    for r in registry.values():
        assert r.fn.__doc__ and r.evidence and r.citation, r.name
        doc = r.fn.__doc__
        assert "Parameters\n    ----------" in doc and "References" in doc, r.name
        for p in r.params.values():  # numpydoc: each parameter, with its unit in brackets
            assert f"    {p.name} : " in doc and (not p.unit or f"[{p.unit}]" in doc), p.name
        for p in r.params.values():
            assert p.help, (r.name, p.name)
            if p.kind in ("number", "int"):
                assert p.unit, (r.name, p.name)  # a number has a unit
            assert p.check(p.default, f"rules.{r.name}.{p.name}") == p.default


@pytest.mark.parametrize("name,runs,day", HISTORIES)
def test_flags_use_schema_columns_and_severities(name, runs, day):
    out = load.flags(activities(runs), Config().with_rules(
        {"acwr_high": {"enabled": True}}), today=day)
    assert list(out.columns)[:len(FLAG_COLUMNS)] == list(FLAG_COLUMNS)
    assert set(out["severity"]) <= set(SEVERITIES)
    assert set(out["rule"]) <= set(registry)


def _flags_with(acts: pd.DataFrame, day: pd.Timestamp, extra_m: float,
                cfg: Config | None = None) -> pd.DataFrame:
    plan = pd.DataFrame({"date": [day], "distance_m": [extra_m]})
    both = pd.concat([acts, load.plan_activities(plan)], ignore_index=True)
    ws = load.week_start_of(pd.Series([day])).iloc[0]
    out = load.flags(both.sort_values("start_time"), cfg, today=ws + pd.Timedelta(days=6))
    # the flags of the day, and those of its week dated from it on (a week's flags)
    return out[(out["date"] == day) | ((out["week_start"] == ws) & (out["date"] >= day))]


#: Rule settings the contract runs under: the defaults, the ACWR on beside them, and the
#: ACWR alone limiting distance (the weekly and spike rules off) so its hook bounds the day
SETTINGS = {
    "defaults": None,
    "acwr_on": {"acwr_high": {"enabled": True}},
    "acwr_alone": {"acwr_high": {"enabled": True}, "weekly_increase": {"enabled": False},
                   "two_week_increase": {"enabled": False},
                   "session_spike": {"enabled": False}},
}


@pytest.mark.parametrize("settings", list(SETTINGS))
@pytest.mark.parametrize("name,runs,day", HISTORIES)
def test_a_run_at_the_allowance_passes_and_a_tenth_of_a_metre_more_flags(name, runs, day,
                                                                         settings):
    acts = activities(runs)
    day = pd.Timestamp(day)
    cfg = Config().with_rules(SETTINGS[settings])
    al = allowance(acts, day, cfg)
    assert al.run_max_m is not None and al.run_bound_by is not None
    if settings == "acwr_alone" and not name.startswith(("break", "return")):
        # the new hook is exercised (after a break the return rule, still on, is smaller)
        assert al.run_bound_by == "acwr_high", name
    assert _flags_with(acts, day, al.run_max_m, cfg).empty, name
    over = _flags_with(acts, day, al.run_max_m + 0.1, cfg)
    assert al.run_bound_by in set(over["rule"]), (name, al.run_bound_by, over)


@pytest.mark.parametrize("name,runs,day", HISTORIES)
def test_a_week_of_descent_at_the_budget_passes_and_a_tenth_of_a_metre_more_flags(
        name, runs, day):
    # descent_increase bounds descent, not distance: its budget for the day's week, run as
    # one more run's descent, raises no descent flag; 0.1 m more does
    acts = activities(runs)
    day = pd.Timestamp(day)
    al = allowance(acts, day)
    assert al.descent_bound_by == "descent_increase" and al.descent_week_max_m is not None
    lim = next(x for x in al.limits if x.rule == "descent_increase")
    left = lim.detail["descent_left_m"]
    ws = load.week_start_of(pd.Series([day])).iloc[0]

    def descent_flags(extra: float) -> pd.DataFrame:
        more = activities([(f"{day:%Y-%m-%d} 12:00", 3.0, "running", extra)])
        more["activity_id"] = "descent-extra"
        both = pd.concat([acts, more], ignore_index=True).sort_values("start_time")
        out = load.flags(both, today=ws + pd.Timedelta(days=6))
        return out[(out["rule"] == "descent_increase") & (out["week_start"] == ws)]

    assert descent_flags(left).empty, name
    assert len(descent_flags(left + 0.1)) == 1, name


def test_the_break_histories_exercise_the_return_hook():
    # by hand (40 days off, week 1's share 0.5421429, week 2's 0.6184524; pre-break longest
    # 5 mi, usual week 15 mi): the return rule sets each of the three days' run limit
    s1 = 0.6 - 0.27 * (40 - 28) / 56                        # 0.5421429
    s2 = s1 + (1 - s1) / 6                                   # 0.6184524
    want = {"break_pending": 5 * s1,                # week 1's run ceiling 2.7107 mi
            "return_week_2": 5 * s2,                # week 2's 3.0923 (the spike's: 3.3)
            "return_week_full": 15 * s2 - 9.0}      # week 2's 9.2768 - the 9 run: 0.2768
    for name, runs, day in HISTORIES:
        if name in want:
            al = allowance(activities(runs), pd.Timestamp(day))
            assert al.run_bound_by == "return_after_break", name
            assert al.run_max_m == pytest.approx(want[name] * MI, rel=1e-6), name


def test_issue_20_item_1_the_advised_week_planned_exactly_raises_nothing():
    # 10, 10, 10, 10, 14 mi weeks (Mon/Thu/Sun: 3.33 and 4.67 mi runs); the week of Mon 9 Feb
    acts = activities(weekly_runs("2026-01-05", [10, 10, 10, 10, 14]))
    nw = load.next_week_limits(acts, today="2026-02-08")
    # the week: the 10% rule's 1.1 x 14 = 15.4 mi; the two-week rule's 1.3 x 14 = 18.2 (on
    # Sun 15 Feb the 7 days to it are the week, on the 7 before: the week of 2 Feb)
    assert nw["max_week_m"] == pytest.approx(15.4 * MI)
    assert nw["max_week_2wk_m"] == pytest.approx(18.2 * MI)
    # each day's longest run: the spike rule's 1.1 x 4.67 = 5.13 mi (the two-week room on
    # the day is more: Mon 9 Feb's 7 days hold Thu 5 + Sun 8 Feb = 9.33 mi, at most 1.3 x
    # the 11.33 mi of 27 Jan-2 Feb (3.33 + 3.33 + 4.67) = 14.73: 5.4 mi)
    assert [d["max_run_m"] for d in nw["days"]] == pytest.approx([14 / 3 * 1.1 * MI] * 7)
    # run by run, the week may hold at most 5.4 mi up to Wed (the base stays 11.33, the
    # tail 9.33), 11.8 up to Sat (Thu 12 Feb: 1.3 x (3.33 + 4.67 + 4.67) - 4.67), 18.2 by Sun
    by_day = dict(allowance(acts, "2026-02-09").limits[1].detail["by_day"])
    assert [by_day[f"2026-02-{d:02d}"] / MI for d in range(9, 16)] == pytest.approx(
        [5.4] * 3 + [11.8] * 3 + [18.2])
    # the advised week planned exactly: Mon, Thu, Sun at their day's limit, 3 x 5.13 = 15.4
    # = the week's limit: 5.13 <= 5.4 by Mon, 10.27 <= 11.8 by Thu, 15.4 <= 18.2 by Sun
    run = 14 / 3 * 1.1 * MI
    plan = pd.DataFrame({"date": pd.to_datetime(["2026-02-09", "2026-02-12", "2026-02-15"]),
                         "distance_m": [run, run, nw["max_week_m"] - 2 * run]})
    assert load.check_plan(acts, plan).empty
    # 0.1 m over the week: the 10% rule (the week's bound) flags, the two-week rule does not
    plan.loc[2, "distance_m"] += 0.1
    assert set(load.check_plan(acts, plan)["rule"]) == {"weekly_increase"}
    # the issue's Mon + Tue: Monday at its limit (5.13 mi), then Tuesday's allowance with
    # Monday placed: 5.4 - 5.13 = 0.27 mi, the two-week rule's (the old advice: 12 mi)
    mon = pd.DataFrame({"date": [pd.Timestamp("2026-02-09")], "distance_m": [run]})
    al = allowance(pd.concat([acts, load.plan_activities(mon)], ignore_index=True),
                   "2026-02-10")
    assert al.run_bound_by == "two_week_increase"
    assert al.run_max_m == pytest.approx((5.4 - 14 / 3 * 1.1) * MI, rel=1e-6)
    plan = pd.concat([mon, pd.DataFrame({"date": [pd.Timestamp("2026-02-10")],
                                         "distance_m": [al.run_max_m]})], ignore_index=True)
    assert load.check_plan(acts, plan).empty
    plan.loc[1, "distance_m"] += 0.1
    over = load.check_plan(acts, plan)
    assert over["rule"].tolist() == ["two_week_increase"]
    assert over["date"].tolist() == [pd.Timestamp("2026-02-10")]


def test_issue_20_item_1_through_the_season_and_the_cli(tmp_path, capsys):
    # the same 10, 10, 10, 10, 14 mi weeks in whole miles (Mon/Thu/Sun 3, 3, 4 and 4, 5, 5)
    import json

    from kneeload import Season
    from kneeload.cli import main
    log = tmp_path / "log.csv"
    log.write_text("date,distance,duration\n" + "".join(
        f"{day[:10]},{miles},{miles * 10}:00\n" for day, miles in _uneven()))
    season = Season.from_paths(log)
    ahead = season.next_week()
    # Mon 9 Feb: 7 days to it hold Thu 5 + Sun 8 Feb = 10 mi, at most 1.3 x the 11 mi of
    # 27 Jan-2 Feb (Thu 3 + Sun 4 + Mon 4) = 14.3: 4.3 mi, under the spike rule's 1.1 x 5
    # = 5.5; Tue, Wed alike; Thu 12 Feb: 1.3 x (4 + 4 + 5) - 5 = 11.9; Sun: 1.3 x 14 = 18.2
    assert [round(d.max_run_m / MI, 6) for d in ahead.days] == [4.3] * 3 + [5.5] * 4
    assert ahead.max_week_m == pytest.approx(15.4 * MI)  # the 10% rule: 1.1 x 14
    assert ahead.max_week_2wk_m == pytest.approx(18.2 * MI)
    assert ahead.notes[-1] == ("Run by run, two-week rule (+30%): this week at most 4.3 mi to "
                               "the end of Wed, 11.9 to Sat.")

    def plan(rows):
        path = tmp_path / "plan.csv"
        path.write_text("date,distance\n" + "".join(f"{d},{m}\n" for d, m in rows))
        code = main(["plan", str(path), "--history", str(log), "--json", "--no-cache"])
        return code, json.loads(capsys.readouterr().out)

    # the week as shown: Mon 4.3, Thu 5.5, Sun 5.5 = 15.3 <= 15.4 mi: 4.3 by Wed, 9.8 <= 11.9
    # by Thu, 15.3 <= 18.2 by Sun; Thu's 5.5 is 1.1 x the 5 mi longest, Sun's 5.5 = 5.5
    code, doc = plan([("2026-02-09", 4.3), ("2026-02-12", 5.5), ("2026-02-15", 5.5)])
    shown = {d["date"]: d["max_run_display"] for d in doc["next_week"]["days"]}
    assert doc["next_week"]["max_week_display"] == "15.4 mi"
    assert shown["2026-02-09"] == "4.3 mi" and shown["2026-02-12"] == "5.5 mi"
    assert code == 0 and doc["flags"] == []
    # 0.1 m over Monday's 4.3 mi (0.1 / 1609.344 = 0.0000621 mi): the two-week rule flags
    code, doc = plan([("2026-02-09", 4.3 + 0.1 / MI), ("2026-02-12", 5.5)])
    assert [f["rule"] for f in doc["flags"]] == ["two_week_increase"]
    assert doc["flags"][0]["date"] == "2026-02-09" and doc["flags"][0]["severity"] == "info"
    # the issue's plan, Mon 6 + Tue 6 (the old advice was "at most 12.0 mi"): Mon 6 on the
    # spike rule's 5 mi longest, +20% (warn); two-week: Mon 10 + 6 = 16 mi on 11 (+45.5%),
    # Tue 4-10 Feb = 5 + 5 + 6 + 6 = 22 on 28 Jan-3 Feb's 11 (+100%, warn): one flag a
    # calendar week, its highest session
    code, doc = plan([("2026-02-09", 6), ("2026-02-10", 6)])
    got = [(f["date"], f["rule"], f["value"], f["severity"]) for f in doc["flags"]]
    assert got == [("2026-02-09", "session_spike", 20.0, "warn"),
                   ("2026-02-10", "two_week_increase", 100.0, "warn")] and code == 1


def test_a_new_rule_is_one_registration():
    # "the longest run over 35% of the week", registered through the public decorator only
    def long_share_limit(activities, day, *, share_pct, week_start="monday"):
        from kneeload.limits import Limit
        return Limit("long_run_share", None, None, None, {"share_pct": share_pct})

    try:
        @rule("long_run_share", title="The long run over a share of the week", kind="weeks",
              grade="heuristic", pairs_with_pain=False, evidence="heuristic: practice advice",
              citation="test", severity="info (heuristic)", limit=long_share_limit,
              params=(Param("share_pct", 35.0, "%", "the long run's share of the week",
                            high=100.0),))
        def long_run_share(weeks, *, share_pct, unit="mi"):
            from kneeload.flagrows import flag_rows
            hit = weeks[(weeks["distance_m"] > 0) & ~weeks["partial"]
                        & (weeks["longest_m"] > weeks["distance_m"] * share_pct / 100)]
            return flag_rows([{"rule": "long_run_share", "severity": "info",
                               "date": w.week_end, "week_start": w.week_start,
                               "value": 100 * w.longest_m / w.distance_m,
                               "threshold": share_pct, "unit": "%", "message": "long run"}
                              for w in hit.itertuples()])

        acts = activities(weekly_runs("2026-01-05", [10, 10]) + [("2026-01-21 08:00", 8.0)])
        out = load.flags(acts, today="2026-01-25")
        assert "long_run_share" in set(out["rule"])  # in the flags
        cfg = Config().with_rules({"long_run_share": {"share_pct": 50}})  # in config checks
        assert cfg.rule("long_run_share")["share_pct"] == 50.0
        with pytest.raises(Exception, match="long_run_share"):
            Config().with_rules({"long_run_share": {"share_pct": 500}})
        al = allowance(acts, "2026-01-26")  # in the allowance
        assert "long_run_share" in {lim.rule for lim in al.limits}
    finally:
        registry.remove("long_run_share")


@pytest.mark.parametrize("model", ["pfp", "tendon"])
def test_an_open_next_morning_pain_flag_holds_the_week_and_caps_the_long_run(model):
    # 10 mi weeks (Mon/Thu/Sun, 3.33 mi runs) from Mon 5 Jan, then Sun 1 Feb 8 mi; mornings
    # 1/10 logged all along, then 3/10 on Mon 2 Feb (next_morning): above the usual 1/10,
    # a fresh pain_next_morning warn, which tells Sunday's 8 mi was not tolerated
    runs = weekly_runs("2026-01-05", [10, 10, 10, 10])[:-1] + [("2026-02-01 08:00", 8.0)]
    acts = activities(runs)
    dates = pd.date_range("2026-01-06", "2026-02-01", freq="D")
    log = pd.DataFrame({"date": [*dates, pd.Timestamp("2026-02-02")],
                        "pain": [1.0] * len(dates) + [3.0],
                        "when": ["next_morning"] * (len(dates) + 1)})
    cfg = Config().with_rules(None)
    cfg.pain["model"] = model
    al = allowance(acts, "2026-02-02", cfg, pain_log=log)
    hold = next(lim for lim in al.limits if lim.rule == "pain_next_morning")
    # held at last week's 20/3 + 8 = 14.67 mi; the longest tolerated run is a 3.33 mi one
    # (the 8 mi run's load day Sun 1 Feb has the 3/10 entry of Mon 2 Feb)
    assert hold.week_max_m == pytest.approx((20 / 3 + 8) * MI)
    assert hold.run_max_m == pytest.approx(10 / 3 * MI)
    assert hold.detail["pain_date"] == "2026-02-02" and hold.detail["pain"] == 3.0
    assert hold.detail["when"] == "next_morning"
    from kneeload import advice
    tw = advice.this_week(acts, cfg, today="2026-02-02", pain_log=log)
    # today's run: the two-week rule leaves even less than the hold's 3.33 mi: 27 Jan-2 Feb
    # already holds Thu 29 Jan 3.33 + Sun 1 Feb 8 = 11.33 mi, at most 1.3 x the 10 mi of
    # 20-26 Jan = 13: 1.67 mi
    assert tw.run_max_m == pytest.approx(5 / 3 * MI)
    assert tw.run_bound_by == "two_week_increase"
    # the week: the hold's 14.67 mi, under the 10% rule's 16.13 and the two-week 1.3 x 14.67
    assert tw.left_m == pytest.approx((20 / 3 + 8) * MI)
    assert tw.week_bound_by == "pain_next_morning"
    assert any("Pain 3/10 (next_morning) on 2026-02-02" in n for n in tw.notes)
