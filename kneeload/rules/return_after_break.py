"""return_after_break: the first runs after a break, and the weeks of the return.

After ``gap_days`` or more with no run the weekly rules have a zero base and the single-run
spike's window holds part of the month before the break, or nothing. This rule judges the
return against a graded return scaled with the time off (coaching heuristics: about as many
weeks back at a reduced load as weeks off, a lower start after a longer break, a new
runner's start after about three months): each run against the pre-break longest run times
the week's share, each complete week against the usual week times it. Its limit hook gives
the same ceilings to the advice, the plan check and the planner. The single-run comparison
with the pre-break longest run (Frandsen 2025's measure) is ``session_spike``'s, with that
rule's severity. See docs/rules/return_after_break.md.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..flagrows import dist, empty_flags, flag_rows, who
from ..limits import Limit
from ..loadcalc import (
    GradedReturn,
    breaks,
    group_column,
    pre_break_load,
    return_text,
    running,
    scaled_return,
    week_start_of,
    weekly_table,
)
from . import SEVERITY_OVERRIDE, Param, registry, rule

_SHAPE = ("return_weeks", "start_share", "short_break_days", "new_runner_days",
          "new_runner_share", "min_base_m")


def _plan(gap: int, usual_m: float, longest_m: float, params: dict[str, Any]) -> GradedReturn:
    """The graded return after ``gap`` [days] off under the rule's ``params``."""
    return scaled_return(int(gap), float(usual_m), float(longest_m),
                         **{k: params[k] for k in _SHAPE})


def _pain_limit(pain_model: str, config: Any) -> float:
    """The pain model's limit while running [0-10] the text defers to (the settings')."""
    key = f"{pain_model}_limit"
    if config is not None:
        return float(config.rule("pain_during_run")[key])
    return float(registry.get("pain_during_run").defaults[key])


def _week_no(day: pd.Timestamp, first_day: pd.Timestamp, week_start: str) -> int:
    """The week of a return ``day`` falls in (the week of ``first_day`` is 1)."""
    ws = week_start_of(pd.Series([day, first_day]), week_start)
    return int((ws.iloc[0] - ws.iloc[1]).days // 7 + 1)


def return_after_break_limit(activities: pd.DataFrame, day: pd.Timestamp, *, gap_days: int,
                             return_weeks: int, start_share: float, short_break_days: int,
                             new_runner_days: int, new_runner_share: float,
                             min_base_m: float, week_start: str = "monday",
                             unit: str = "mi", pain_model: str = "pfp",
                             config: Any = None) -> Limit | None:
    """In a return after a break, week ``k``'s ceilings on ``day``: the longest run
    (``run_max_m``: the pre-break longest x the week's share) and the week's running
    (``week_max_m``: the usual week x the share), as :func:`return_after_break` judges them.
    A day ``gap_days`` [days] or more after the last run is week 1 of the return its run
    would start (``detail["pending"]``). None outside a return. With a usual week under
    ``min_base_m`` [m] only the first run back is limited (later, both limits are None).
    ``detail`` holds the return's numbers and its advice in words (``text``)."""
    runs = running(activities)
    runs = runs[runs["local_date"] <= day]
    if runs.empty:
        return None
    earlier = runs[runs["local_date"] < day]
    last = earlier["local_date"].max() if len(earlier) else None
    pending = (last is not None and not (runs["local_date"] == day).any()
               and (day - last).days >= int(gap_days))
    if pending:
        longest, usual = pre_break_load(earlier, last)
        gap, first_day, first_m = int((day - last).days), day, None
    else:
        back = breaks(runs, int(gap_days))
        if back.empty:
            return None
        b = back.iloc[-1]
        longest, usual = float(b.prior_longest_m), float(b.usual_week_m)
        gap, first_day, first_m = int(b.gap_days), b.local_date, float(b.distance_m)
    params = {"return_weeks": return_weeks, "start_share": start_share,
              "short_break_days": short_break_days, "new_runner_days": new_runner_days,
              "new_runner_share": new_runner_share, "min_base_m": min_base_m}
    plan = _plan(gap, usual, longest, params)
    k = _week_no(day, first_day, week_start)
    if k > plan.weeks:
        return None
    run_max: float | None
    week_max: float | None
    if plan.week_max_m:
        run_max, week_max = plan.run_max_m[k - 1], plan.week_max_m[k - 1]
    else:  # too small a base: only the first run back is judged
        run_max, week_max = (plan.run_max_m[0] if pending else None), None
    text = return_text(pd.Series({"usual_week_m": usual}), plan, unit,
                       _pain_limit(pain_model, config), pain_model)
    return Limit("return_after_break", run_max, week_max, usual,
                 {"return_week": k, "pending": bool(pending), "gap_days": gap,
                  "first_run_date": f"{first_day:%Y-%m-%d}", "first_run_m": first_m,
                  "prior_longest_m": longest, "usual_week_m": usual,
                  "week_ceilings_m": list(plan.week_max_m),
                  "run_ceilings_m": list(plan.run_max_m), "start_share": plan.start_share,
                  "reduced_weeks": plan.reduced_weeks, "new_runner": plan.new_runner,
                  "text": text})


@rule("return_after_break", order=130, limit=return_after_break_limit,
      title="A return after a break", kind="activities",
      grade="heuristic", pairs_with_pain=True,
      evidence="heuristic: coaching practice, no study behind the gap or the graded return "
               "(the single run against the pre-break longest is session_spike's, Frandsen "
               "2025)",
      citation="coaching practice: Daniels' Running Formula (return after time off, as "
               "quoted); runningcoachcarl.com 2015 (as many weeks reduced as weeks off); "
               "DOMAIN.md: a zero base is a return after a break, never an infinite increase",
      severity="info (heuristic), whatever the size; the first run's comparison with the "
               "pre-break longest run is session_spike's (warn/alert, Frandsen 2025)",
      params=(Param("gap_days", 14, "days", "this many days or more with no run is a break "
                    "(two empty weeks: the weekly rules have no base)", kind="int", low=2,
                    high=365),
              Param("return_weeks", 12, "weeks", "at most this many weeks back at a reduced "
                    "load (about as many as the weeks off; the week after them is back at "
                    "the usual week)", kind="int", low=1, high=26),
              Param("start_share", 0.6, "fraction", "week 1 back after up to "
                    "short_break_days off: this share of the usual week and of the pre-break "
                    "longest run (heuristic: about 60% after 2-4 weeks off)", low=0.05,
                    high=1.0),
              Param("short_break_days", 28, "days", "up to this many days off, week 1 starts "
                    "at start_share; longer breaks start lower", kind="int", low=2, high=365),
              Param("new_runner_days", 84, "days", "this many days off or more (about 3 "
                    "months): start as a new runner, week 1 at new_runner_share (the share "
                    "falls linearly from short_break_days to here)", kind="int", low=2,
                    high=730),
              Param("new_runner_share", 0.33, "fraction", "week 1's share after "
                    "new_runner_days or more off (heuristic: Daniels' third of the former "
                    "load after 8 weeks or more)", low=0.05, high=1.0),
              Param("min_base_m", 8046.72, "m", "a usual week before the break under this "
                    "(5 mi) is too small a base to grade a return from: only the first run "
                    "back is judged", high=1e6),
              SEVERITY_OVERRIDE))
def return_after_break(activities: pd.DataFrame, *, gap_days: int, return_weeks: int,  # noqa: C901
                       start_share: float, short_break_days: int, new_runner_days: int,
                       new_runner_share: float, min_base_m: float, severity: str,
                       unit: str = "mi", week_start: str = "monday", today: Any = None,
                       pain_model: str = "pfp", weeks: pd.DataFrame | None = None,
                       config: Any = None) -> pd.DataFrame:
    """Judge each return after ``gap_days`` [days] with no run against a graded return
    scaled with the time off: ``reduced = min(return_weeks, round(gap / 7))`` weeks back at
    a reduced load, then the usual week; week ``k`` (1 to ``reduced + 1``) at share
    ``s_k = s_1 + (1 - s_1) x (k - 1) / reduced`` of the usual week (the running of the 28
    days before the break / 4) and its runs at ``s_k`` x the pre-break longest run (30
    days), ``s_1`` being ``start_share`` up to ``short_break_days`` off, falling linearly
    to ``new_runner_share`` at ``new_runner_days`` off. Flags each run above its week's run
    ceiling (the first run back with the break's length as its value) and each complete
    week above its ceiling. A longer break never asks less: every ceiling is non-increasing
    in the break's length.

    Parameters
    ----------
    enabled : bool
        run the rule.
    gap_days : int
        this many days or more with no run is a break (two empty weeks: the weekly rules
        have no base) [days].
    return_weeks : int
        at most this many weeks back at a reduced load (about as many as the weeks off;
        the week after them is back at the usual week) [weeks].
    start_share : float
        week 1 back after up to ``short_break_days`` off: this share of the usual week and
        of the pre-break longest run (heuristic: about 60% after 2-4 weeks off) [fraction].
    short_break_days : int
        up to this many days off, week 1 starts at ``start_share``; longer breaks start
        lower [days].
    new_runner_days : int
        this many days off or more (about 3 months): start as a new runner, week 1 at
        ``new_runner_share`` (the share falls linearly from ``short_break_days`` to here)
        [days].
    new_runner_share : float
        week 1's share after ``new_runner_days`` or more off (heuristic: Daniels' third of
        the former load after 8 weeks or more) [fraction].
    min_base_m : float
        a usual week before the break under this (5 mi) is too small a base to grade a
        return from: only the first run back is judged [m].
    severity : str
        'auto' follows the severity scheme; info, warn or alert fixes it.

    References
    ----------
    Heuristic (coaching practice, no study): Daniels J, Daniels' Running Formula, 3rd ed.,
    Human Kinetics 2014 (return after time off; quoted, not read); runningcoachcarl.com,
    "Tips to get back into running", 2015 (as many weeks at a reduced mileage as weeks
    off: 50% then 75%); sportsinjury.online, "Return to running protocol" (a new runner's
    start after long absences). Esculier et al. 2018, BJSM 52(10):659 (the pain-monitoring
    model the suggestion defers to).
    """
    record = registry.get("return_after_break")
    sev = record.severity_of("over", {"severity": severity})
    params = {"return_weeks": return_weeks, "start_share": start_share,
              "short_break_days": short_break_days, "new_runner_days": new_runner_days,
              "new_runner_share": new_runner_share, "min_base_m": min_base_m}
    pain_limit = _pain_limit(pain_model, config)
    back = breaks(activities, gap_days)
    if back.empty:
        return empty_flags()
    g = group_column(activities)
    if weeks is None:
        weeks = weekly_table(activities, week_start, today=today, gap_days=gap_days,
                             return_weeks=return_weeks)
    runs = running(activities)
    runs = runs.assign(xws=week_start_of(runs["local_date"], week_start))
    rows: list[dict[str, Any]] = []
    for i, b in enumerate(back.itertuples()):
        plan = _plan(b.gap_days, b.usual_week_m, b.prior_longest_m, params)
        first_ws = week_start_of(pd.Series([b.local_date]), week_start).iloc[0]
        end_ws = first_ws + pd.Timedelta(weeks=plan.weeks)
        later = back.iloc[i + 1:]
        if g:
            later = later[later[g] == getattr(b, g)]
        if len(later):  # a later break starts a return of its own
            end_ws = min(end_ws, week_start_of(later["local_date"].iloc[:1],
                                               week_start).iloc[0])
        mine = runs[runs[g] == getattr(b, g)] if g else runs
        mine = mine[(mine["local_start"] >= pd.Timestamp(b.local_date))
                    & (mine["xws"] < end_ws)].sort_values("local_start", kind="stable")
        text = return_text(b, plan, unit, pain_limit, pain_model)
        for r in mine.itertuples():
            is_first = r.activity_id == b.activity_id
            if not plan.week_max_m and not is_first:
                continue
            k = int((r.xws - first_ws).days // 7 + 1)
            cap = plan.run_max_m[k - 1]
            if not r.distance_m > cap * (1 + 1e-9):
                continue
            rows.append(_run_row(b, r, k, cap, is_first=is_first, gap_days=gap_days,
                                 unit=unit, sev=sev, text=text,
                                 evidence=record.evidence_text))
        wk = weeks[(weeks[g] == getattr(b, g)) if g else slice(None)]
        wk = wk[(wk["week_start"] >= first_ws) & (wk["week_start"] < end_ws) & ~wk["partial"]]
        for w in wk.itertuples():
            k = int((w.week_start - first_ws).days // 7 + 1)
            if not plan.week_max_m or w.distance_m <= plan.week_max_m[k - 1] * (1 + 1e-9):
                continue
            ceiling = plan.week_max_m[k - 1]
            rows.append({
                **who(b), "rule": "return_after_break", "severity": sev, "date": w.week_end,
                "week_start": w.week_start,
                "value": round(float(w.distance_m / ceiling * 100 - 100), 1)
                if ceiling > 0 else float("nan"),
                "threshold": 0.0, "unit": "%",
                "message": (f"Week of {w.week_start:%d %b}, week {k} back after a "
                            f"{b.gap_days}-day break: {dist(w.distance_m, unit)}, above the "
                            f"graded return's {dist(ceiling, unit)} ({ceiling / b.usual_week_m:.0%}"
                            f" of your usual {dist(b.usual_week_m, unit)}). "
                            + record.evidence_text),
            })
    return flag_rows(rows)


def _run_row(b: Any, r: Any, k: int, cap: float, *, is_first: bool, gap_days: int,
             unit: str, sev: str, text: str, evidence: str) -> dict[str, Any]:
    """The flag row of a run above its return week's run ceiling ``cap`` [m]."""
    share = f"{cap / b.prior_longest_m:.0%}" if b.prior_longest_m > 0 else "a share"
    if is_first:
        return {
            **who(b), "rule": "return_after_break", "severity": sev, "date": r.local_date,
            "week_start": r.xws, "value": float(b.gap_days), "threshold": float(gap_days),
            "unit": "days",
            "message": (f"{r.local_date:%a %d %b}: first run after {b.gap_days} days without "
                        f"running, {dist(r.distance_m, unit)}"
                        + (", longer than" if r.distance_m > b.prior_longest_m else ", against")
                        + f" your longest run of the 30 days before the break "
                        f"({dist(b.prior_longest_m, unit)}) and above the graded return's "
                        f"{dist(cap, unit)} ({share} of it); your usual week then was "
                        f"{dist(b.usual_week_m, unit)}. The first run back is the riskiest "
                        f"for a knee that has had a rest. {text} {evidence}"),
        }
    return {
        **who(b), "rule": "return_after_break", "severity": sev, "date": r.local_date,
        "week_start": r.xws, "value": round(float(r.distance_m / cap * 100 - 100), 1),
        "threshold": 0.0, "unit": "%",
        "message": (f"Run on {r.local_start:%a %d %b}, week {k} back after a {b.gap_days}-day "
                    f"break: {dist(r.distance_m, unit)}, above the graded return's runs of at "
                    f"most {dist(cap, unit)} this week ({share} of your longest run of the 30 "
                    f"days before the break, {dist(b.prior_longest_m, unit)}). {evidence}"),
    }
