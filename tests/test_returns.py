"""Returns after a break scaled with the time off, and severity that never runs backwards
(issue 20 item 9; issue 19's limit hook for return_after_break)."""

from __future__ import annotations

import pandas as pd
import pytest

from kneeload import advice, load
from kneeload.cli import main
from kneeload.limits import allowance
from kneeload.loadcalc import return_length, return_shape, scaled_return
from kneeload.rules import registry
from kneeload.schema import M_PER_MI
from tests.factories import activities, weekly_runs

MI = M_PER_MI
RULE = registry.get("return_after_break").defaults
SHAPE = {k: RULE[k] for k in ("return_weeks", "start_share", "short_break_days",
                              "new_runner_days", "new_runner_share", "min_base_m")}
# 15 mi weeks (5 mi on Mon, Thu, Sun) from Mon 5 Jan to Sun 8 Feb: the 30 days up to the
# last run (Sun 8 Feb) hold 5 mi runs only (pre-break longest 5 mi); the 28 days up to it
# hold 4 x 15 = 60 mi (usual week 15 mi)
BEFORE = weekly_runs("2026-01-05", [15.0] * 5)
BACK = {14: "2026-02-22", 40: "2026-03-20", 100: "2026-05-19"}  # Sun 8 Feb + gap

# the hand derivations (defaults: start_share 0.6 to 28 days off, linear to 0.33 at 84 days;
# reduced weeks round(gap / 7), at most 12; week k share s + (1 - s)(k - 1) / reduced):
# 14 days: reduced 2, s = 0.6: shares 0.6, 0.8, 1.0
# 40 days: reduced round(5.71) = 6, s = 0.6 - 0.27 x (40 - 28) / 56 = 0.5421429; step
#          (1 - s) / 6 = 0.0763095: 0.542143, 0.618452, 0.694762, 0.771071, 0.847381,
#          0.923690, 1.0
# 100 days: reduced min(12, round(14.29)) = 12, s = 0.33; step 0.67 / 12 = 0.0558333
WEEKS_MI = {
    14: [9.0, 12.0, 15.0],
    40: [8.1321, 9.2768, 10.4214, 11.5661, 12.7107, 13.8554, 15.0],
    100: [4.95, 5.7875, 6.625, 7.4625, 8.3, 9.1375, 9.975, 10.8125, 11.65, 12.4875, 13.325,
          14.1625, 15.0],
}
FIRST_RUN_MI = {14: 3.0, 40: 2.7107, 100: 1.65}  # 5 mi x week 1's share


def test_the_return_shape_by_hand():
    assert return_shape(14, **{k: v for k, v in SHAPE.items() if k != "min_base_m"}) == (2, 0.6)
    kw = {k: v for k, v in SHAPE.items() if k != "min_base_m"}
    assert return_shape(28, **kw) == (4, 0.6)
    # 56 days: 8 weeks, 0.6 - 0.27 x 28 / 56 = 0.465
    assert return_shape(56, **kw) == (8, pytest.approx(0.465))
    assert return_shape(84, **kw) == (12, pytest.approx(0.33))
    assert return_shape(300, **kw) == (12, pytest.approx(0.33))
    # the weekly table's return: the reduced weeks and the week back at the usual
    assert [return_length(g, 12) for g in (14, 40, 100)] == [3, 7, 13]
    assert return_length(40, 0) == 0


@pytest.mark.parametrize("gap", [14, 40, 100])
def test_ceilings_each_week_by_hand(gap):
    r = scaled_return(gap, 15 * MI, 5 * MI, **SHAPE)
    assert [round(c / MI, 4) for c in r.week_max_m] == WEEKS_MI[gap]
    # runs: the pre-break longest (5 mi) x the same shares
    assert [round(c / MI, 4) for c in r.run_max_m] == pytest.approx(
        [w / 3 for w in WEEKS_MI[gap]], abs=1e-4)
    assert r.run_max_m[0] / MI == pytest.approx(FIRST_RUN_MI[gap], abs=1e-4)
    assert r.new_runner == (gap >= 84)


def test_a_longer_break_never_asks_less():
    # every week's ceiling (a week after the return counts as the usual week: 1.0) is
    # non-increasing in the gap, days 14 to 120, for the week and for single runs
    def shares(gap, attr):
        r = scaled_return(gap, 15 * MI, 5 * MI, **SHAPE)
        vals = [v / (15 * MI if attr == "week_max_m" else 5 * MI) for v in getattr(r, attr)]
        return vals + [1.0] * (20 - len(vals))

    for attr in ("week_max_m", "run_max_m"):
        prev = shares(14, attr)
        for gap in range(15, 121):
            now = shares(gap, attr)
            assert all(b <= a + 1e-12 for a, b in zip(prev, now, strict=True)), (attr, gap)
            prev = now


def _manual(tmp_path, extra):
    rows = ["date,distance,duration"]
    for when, miles in BEFORE + extra:
        rows.append(f"{pd.Timestamp(when):%Y-%m-%d},{miles:.4f},{miles * 10:.0f}")
    path = tmp_path / "log.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize("gap", [14, 40, 100])
def test_severity_never_runs_backwards(gap, tmp_path, capsys):
    # an 8 mi first run back against the 5 mi pre-break longest: +60% whatever the break's
    # length (before, the 40- and 100-day runs had an empty 30-day window and were info only,
    # exit 0, while the 14-day one was a warn spike, exit 1)
    day = BACK[gap]
    acts = activities(BEFORE + [(f"{day} 08:00", 8.0)])
    f = load.flags(acts, today=day)
    assert f[["rule", "severity", "value"]].values.tolist() == [
        ["session_spike", "warn", 60.0], ["return_after_break", "info", float(gap)]]
    spike = f["message"].iloc[0]
    assert f"your longest run of the 30 days before your {gap}-day break (5.0 mi)" in spike
    assert "1.52x" in spike  # the >30-100% band
    # the return rule: above week 1's run ceiling (5 mi x its share)
    ret = f["message"].iloc[1]
    shown = {14: "3.0", 40: "2.7", 100: "1.7"}[gap]  # 3.0, 2.7107, 1.65 (+1e-15) mi
    assert f"above the graded return's {shown} mi" in ret
    assert ("start as a new runner" in ret) == (gap >= 84)
    assert main(["check", str(_manual(tmp_path, [(f"{day} 12:00", 8.0)])),
                 "--today", day]) == 1
    out = capsys.readouterr().out
    assert "warn   session_spike" in out and "info   return_after_break" in out
    # a first run within week 1's run ceiling raises nothing: exit 0
    ok = [(f"{day} 12:00", FIRST_RUN_MI[gap] - 0.05)]
    assert main(["check", str(_manual(tmp_path, ok)), "--today", day]) == 0


@pytest.mark.parametrize("gap", [14, 40, 100])
def test_the_advice_plan_check_and_rule_share_the_ceilings(gap):
    day = pd.Timestamp(BACK[gap])
    acts = activities(BEFORE)
    # the day the next run would start the return: week 1's ceilings (pending)
    tw = advice.this_week(acts, today=day)
    assert tw.return_ceiling_m / MI == pytest.approx(WEEKS_MI[gap][0], abs=1e-4)
    assert tw.run_max_m / MI == pytest.approx(FIRST_RUN_MI[gap], abs=1e-4)
    assert tw.run_bound_by == "return_after_break"
    assert f"No run for {gap} days" in tw.notes[-1]
    # after a first run of 1 mi (and 1 mi each Monday after it, so no new break starts):
    # each week of the return, its ceilings in the hook the advice and planner read
    first_ws = load.week_start_of(pd.Series([day])).iloc[0]
    mondays = [first_ws + pd.Timedelta(weeks=k) for k in range(1, len(WEEKS_MI[gap]) + 1)]
    acts = activities(BEFORE + [(f"{day:%Y-%m-%d} 08:00", 1.0)]
                      + [(f"{m:%Y-%m-%d} 07:00", 1.0) for m in mondays])
    for k, week_mi in enumerate(WEEKS_MI[gap], start=1):
        monday = first_ws + pd.Timedelta(weeks=k - 1)
        if k == 1:
            monday = day
        lim = next(x for x in allowance(acts, monday).limits
                   if x.rule == "return_after_break")
        assert lim.week_max_m / MI == pytest.approx(week_mi, abs=1e-4), k
        assert lim.run_max_m / MI == pytest.approx(week_mi / 3, abs=1e-4), k
        assert lim.detail["return_week"] == k
    after = first_ws + pd.Timedelta(weeks=len(WEEKS_MI[gap]))
    assert not [x for x in allowance(acts, after).limits if x.rule == "return_after_break"]
    ra = advice.return_advice(acts, today=day)
    assert [round(c / MI, 4) for c in ra.week_ceilings_m] == WEEKS_MI[gap]
    assert ra.gap_days == gap and ra.prior_longest_m == pytest.approx(5 * MI)


def test_a_plan_at_the_return_ceilings_passes_and_a_tenth_of_a_metre_more_flags():
    # 40 days off: the week of Mon 16 Mar holds the first run (Fri 20 Mar), the week of
    # Mon 23 Mar is week 2: at most 9.2768 mi, runs of at most 3.0923 mi
    acts = activities(BEFORE)
    # each run planned at its day's allowance, the history growing with the plan
    rows = []
    placed = acts
    for d in pd.to_datetime(["2026-03-20", "2026-03-23", "2026-03-25", "2026-03-27",
                             "2026-03-29"]):
        al = allowance(placed, d)
        run = al.run_max_m
        rows.append((d, run))
        placed = pd.concat([placed, load.plan_activities(pd.DataFrame(
            {"date": [d], "distance_m": [run]}))], ignore_index=True)
    table = pd.DataFrame(rows, columns=["date", "distance_m"])
    # by hand (s = 0.5421429, week 2's share 0.6184524): Fri 20 Mar = week 1's run ceiling
    # 5 x 0.5421429 = 2.7107 mi (the return binds: the spike's is 1.1 x 5 = 5.5); Mon 23 Mar:
    # the spike's 1.1 x 2.7107 = 2.9818 < week 2's run ceiling 5 x 0.6184524 = 3.0923;
    # Wed and Fri: 3.0923 (the spike's 1.1 x 2.9818 = 3.28 is more); Sun: week 2's
    # 15 x 0.6184524 = 9.2768 - 2.9818 - 2 x 3.0923 = 0.1105 mi left
    assert [round(m / MI, 4) for m in table["distance_m"]] == pytest.approx(
        [2.7107, 2.9818, 3.0923, 3.0923, 0.1105], abs=1e-4)
    assert load.check_plan(acts, table).empty
    over = table.assign(distance_m=table["distance_m"] + [0, 0, 0, 0, 0.1])
    f = load.check_plan(acts, over)
    assert f["rule"].tolist() == ["return_after_break"] and "week 2 back" in f["message"].iloc[0]


def test_a_tiny_base_limits_only_the_first_run():
    # 0.3 mi a week: under min_base_m (5 mi), no week ceilings; the first run back is
    # judged against 0.6 x the 0.3 mi longest = 0.18 mi
    acts = activities([("2026-01-05 07:00", 0.3), ("2026-01-12 07:00", 0.3),
                       ("2026-01-19 07:00", 0.3), ("2026-01-26 07:00", 0.3)])
    al = allowance(acts, "2026-02-16")  # 21 days after the last run
    lim = next(x for x in al.limits if x.rule == "return_after_break")
    assert lim.week_max_m is None and lim.run_max_m / MI == pytest.approx(0.18)


@pytest.mark.parametrize("miles", [8.0, 5.4, 2.0])
def test_the_same_first_run_is_never_judged_less_after_a_longer_break(miles):
    # 8 mi: +60% on the 5 mi pre-break longest (warn) whatever the gap; 5.4 mi: +8%, no
    # spike, above every week-1 run ceiling (at most 3.0 mi): info; 2.0 mi: under the
    # 14-28-day ceiling of 3.0 mi, above the ones from 5 x 0.4 = 2.0 mi down (a gap over
    # 0.6 - 0.4 = 0.2 of the way, 28 + 0.2 / 0.27 x 56 = 69.5 days): nothing, then info
    from kneeload.flagrows import SEVERITY_RANK
    ranks = []
    for gap in range(14, 121, 5):
        day = pd.Timestamp("2026-02-08") + pd.Timedelta(days=gap)
        f = load.flags(activities(BEFORE + [(f"{day:%Y-%m-%d} 08:00", miles)]), today=day)
        ranks.append(max((SEVERITY_RANK[s] for s in f["severity"]), default=-1))
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == (2 if miles == 2.0 else 1)
