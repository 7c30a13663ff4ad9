"""Issue 20 items 10, 11 and 12 (Frandsen): the ACWR's threshold matched to the ratio
kneeload computes, monotony said once a run of weeks, the cohorts and outcomes in the
evidence; and the limit hooks of acwr_high and descent_increase (issue 19)."""

from __future__ import annotations

import pandas as pd
import pytest
from factories import activities, weekly_runs

from kneeload import load
from kneeload.advice import next_week, this_week
from kneeload.config import Config
from kneeload.limits import allowance
from kneeload.rules import registry
from kneeload.rules.acwr_high import coupled_of_uncoupled, uncoupled_of_coupled
from kneeload.schema import M_PER_MI
from kneeload.text import look_ahead_lines, this_week_lines

MI = M_PER_MI
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)
ACWR_ON = {"acwr_high": {"enabled": True}}
#: only the ACWR limits distance: the weekly and spike rules off
ACWR_ALONE = {**ACWR_ON, "weekly_increase": {"enabled": False},
              "two_week_increase": {"enabled": False}, "session_spike": {"enabled": False}}


def _acwr_flags(weeks: list[float]) -> pd.DataFrame:
    acts = activities(weekly_runs("2026-01-05", weeks, days=EVERY_DAY))
    return load.flags(acts, rules=ACWR_ON).query("rule == 'acwr_high'")


# --- acwr_high: Gabbett's coupled 1.5 is the uncoupled 1.8 ---------------------------------

def test_gabbetts_coupled_one_and_a_half_is_an_uncoupled_one_point_eight():
    # R_c = A / ((A + 3U) / 4) = 4 R_u / (R_u + 3); R_c = 1.5 <=> 1.5 R_u + 4.5 = 4 R_u
    # <=> R_u = 4.5 / 2.5 = 1.8
    assert registry.get("acwr_high").params["threshold"].default == 1.8
    assert uncoupled_of_coupled(1.5) == pytest.approx(1.8)
    assert coupled_of_uncoupled(1.8) == pytest.approx(1.5)
    # three 10 mi weeks, then 18 mi in 7 days (every day a run): on the last day
    # A = 18, U = 30 / 3 = 10: R_u = 1.8; coupled 18 / ((18 + 30) / 4) = 18 / 12 = 1.5
    acts = activities(weekly_runs("2026-01-05", [10, 10, 10, 18], days=EVERY_DAY))
    last = load.acwr(acts).iloc[-1]
    assert last["acwr_uncoupled"] == pytest.approx(1.8)
    assert last["acwr_coupled"] == pytest.approx(1.5)


def test_the_flag_is_strictly_above_the_threshold_and_states_the_coupled_ratio():
    # exactly at Gabbett's 1.5 coupled (18 mi): the limit itself, no flag
    assert _acwr_flags([10, 10, 10, 18]).empty
    # 16 mi: R_u 1.6 (coupled 4 x 1.6 / 4.6 = 1.39), flagged by the old 1.5, not now
    assert _acwr_flags([10, 10, 10, 16]).empty
    # 18.7 mi: R_u = 1.87, coupled 4 x 1.87 / 4.87 = 1.536
    f = _acwr_flags([10, 10, 10, 18.7])
    assert f["value"].tolist() == [1.87] and f["threshold"].tolist() == [1.8]
    msg = f["message"].iloc[0]
    assert "ratio 1.87" in msg and "coupled 1.54" in msg and "(coupled 1.50)" in msg
    assert "negative dose-response" in msg and "Frandsen" in msg


def test_acwr_limit_hook_by_hand():
    # 10 mi weeks (Mon/Thu/Sun, 3.33 mi runs) from Mon 5 Jan; Mon 2 Feb:
    # U = D(6 Jan..26 Jan) / 3 = 9 runs x 10/3 / 3 = 10 mi; A so far = D(27 Jan..2 Feb) =
    # Thu 29 + Sun 1 Feb = 6.67 mi: the run may be 1.8 x 10 - 6.67 = 11.33 mi. The week
    # (Sun 8 Feb: its 7 days are the week) 1.8 x mean(12 Jan..1 Feb) = 1.8 x 10 = 18 mi
    acts = activities(weekly_runs("2026-01-05", [10, 10, 10, 10]))
    al = allowance(acts, "2026-02-02", Config().with_rules(ACWR_ON))
    lim = next(x for x in al.limits if x.rule == "acwr_high")
    assert lim.run_max_m == pytest.approx((18 - 20 / 3) * MI)
    assert lim.week_max_m == pytest.approx(18 * MI)
    assert lim.detail["coupled_threshold"] == 1.5
    # better-evidenced limits stay the headline while smaller: the spike rule (3.33 x 1.1
    # = 3.67 mi) bounds the run and the 10% rule (11 mi) the week
    assert al.run_bound_by == "session_spike" and al.week_bound_by == "weekly_increase"


def test_the_advice_says_when_the_acwr_bounds_the_week():
    # with the weekly and spike rules off, the ratio's 18 mi is next week's limit, and the
    # look-ahead and this week's advice name the rule that sets it
    acts = activities(weekly_runs("2026-01-05", [10, 10, 10, 10]))
    cfg = Config().with_rules(ACWR_ALONE)
    ahead = next_week(acts, cfg, today="2026-02-01")
    assert ahead.max_week_m == pytest.approx(18 * MI)
    assert ahead.week_bound_by == "acwr_high"
    lines = look_ahead_lines(ahead, cfg)
    assert "at most 18.0 mi, set by acute:chronic workload ratio (informational)" in lines[0]
    tw = this_week(acts, cfg, today="2026-02-02")
    assert tw.week_bound_by == "acwr_high" and tw.left_m == pytest.approx(18 * MI)
    assert any(line.startswith("Left this week: 18.0 mi, set by acute:chronic")
               for line in this_week_lines(tw, cfg))
    # the default rules: the 10% rule bounds the week and no "set by" is added
    default = next_week(acts, today="2026-02-01")
    assert default.week_bound_by == "weekly_increase"
    assert "set by" not in look_ahead_lines(default)[0]


# --- monotony_high: once a run of weeks ---------------------------------------------------

def test_monotony_is_said_once_for_a_run_of_weeks():
    # 2 mi Monday to Saturday: each week mean 12/7 = 1.714 mi, SD sqrt((6 x 4 - 7 x
    # (12/7)^2) / 6) = sqrt(0.5714) = 0.756 mi, monotony 1.714 / 0.756 = 6 / sqrt(7) = 2.27
    six = (0, 1, 2, 3, 4, 5)
    runs = weekly_runs("2026-01-05", [12, 12, 12], days=six)
    # week 4 (from 26 Jan): 6 mi Mon + 6 mi Thu: mean 12/7, SD sqrt((72 - 7 x (12/7)^2) / 6)
    # = 2.93, monotony 0.59: the run of weeks ends
    runs += weekly_runs("2026-01-26", [12], days=(0, 3))
    # weeks 5-6 (from 2 Feb): six days again: a new run, a new flag
    runs += weekly_runs("2026-02-02", [12, 12], days=six)
    f = load.flags(activities(runs), today="2026-02-15").query("rule == 'monotony_high'")
    assert f["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-11", "2026-02-08"]
    assert f["value"].tolist() == [2.27, 2.27]
    assert "for 3 weeks in a row (to the week of 19 Jan" in f["message"].iloc[0]
    assert "for 2 weeks in a row (to the week of 09 Feb" in f["message"].iloc[1]
    # the flag keeps its date while the run goes on: a week earlier (without week 6's six
    # runs), the same dates
    before = load.flags(activities(runs[:-6]), today="2026-02-08").query(
        "rule == 'monotony_high'")
    assert before["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-11", "2026-02-08"]
    assert "weeks in a row" not in before["message"].iloc[1]  # one week so far


def test_monotony_evidence_names_foster_outcome_and_has_no_limit_hook():
    r = registry.get("monotony_high")
    assert "illness" in r.evidence and "25" in r.evidence and "individually" in r.evidence
    assert r.limit is None  # a distance limit is meaningless (see its module docstring)
    assert registry.get("low_cadence").limit is None


# --- session_spike: Frandsen's cohort and outcome -----------------------------------------

def test_the_spike_rule_says_frandsens_cohort_and_outcome():
    ev = registry.get("session_spike").evidence
    assert "mean age 46" in ev and "78% men" in ev
    assert "any self-reported overuse running-related injury" in ev


# --- descent_increase: a descent budget ---------------------------------------------------

def test_descent_budget_at_the_limit_passes_and_a_tenth_of_a_metre_more_flags():
    # 4 weeks of 3 runs with 100 m of descent each: the reference is the 4-week mean 300 m
    # (over the 150 m floor), the budget 300 x 1.3 = 390 m; the hook bounds no distance
    runs = [(t, mi, "running", 100.0) for t, mi in weekly_runs("2026-01-05", [10] * 4)]
    acts = activities(runs)
    al = allowance(acts, "2026-02-02")
    assert al.descent_week_max_m == pytest.approx(390.0)
    assert al.descent_bound_by == "descent_increase"
    lim = next(x for x in al.limits if x.rule == "descent_increase")
    assert lim.run_max_m is None and lim.week_max_m is None and lim.basis_m == 300.0

    def descent_flags(descent_m: float) -> pd.DataFrame:
        week = activities(runs + [("2026-02-02 08:00", 3.0, "running", descent_m)])
        return load.flags(week, today="2026-02-08").query("rule == 'descent_increase'")

    assert descent_flags(al.descent_week_max_m).empty
    assert descent_flags(al.descent_week_max_m + 0.1)["value"].tolist() == [30.0]



def test_every_spike_flag_carries_the_cohort_and_outcome():
    # the report's flag list and `check` print the message, which ends with the evidence
    acts = activities(weekly_runs("2026-01-05", [10, 10, 10, 10, 10])
                      + [("2026-02-08 18:00", 8.0)])
    f = load.flags(acts, today="2026-02-08").query("rule == 'session_spike'")
    assert len(f) == 1
    assert "(mean age 46, 78% men)" in f["message"].iloc[0]
    assert "any self-reported overuse running-related injury" in f["message"].iloc[0]
