"""return_after_break: the first run after a break, and the weeks of the return.

After ``gap_days`` or more with no run, the single-run spike has nothing in its 30-day
window and the weekly rules have a zero base: the first run back would go unjudged, though
for a runner with knee pain it is the riskiest. This rule calls it out against the pre-break
longest run and weekly volume, and judges the return weeks against a graded return (a
heuristic) instead of the 10% rule. See docs/rules/return_after_break.md.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..flagrows import dist, empty_flags, flag_rows, who
from ..loadcalc import breaks, graded_return, group_column, return_text, weekly_table
from . import SEVERITY_OVERRIDE, Param, registry, rule


@rule("return_after_break", order=130,
      title="A return after a break", kind="activities",
      grade="heuristic", pairs_with_pain=True,
      evidence="heuristic: practice advice, no study behind the gap or the graded return",
      citation="seed advice; DOMAIN.md: a zero base is a return after a break, never an "
               "infinite increase",
      severity="info (heuristic), whatever the size",
      params=(Param("gap_days", 14, "days", "this many days or more with no run is a break "
                    "(two empty weeks: the weekly rules have no base)", kind="int", low=2,
                    high=365),
              Param("return_weeks", 4, "weeks", "the return's weeks, judged against the "
                    "graded return", kind="int", low=1, high=26),
              Param("start_share", 0.5, "fraction", "week 1 back: this share of the usual week "
                    "(and of the longest run)", low=0.05, high=1.0),
              Param("min_base_m", 8046.72, "m", "a usual week before the break under this "
                    "(5 mi) is too small a base to grade a return from: the first run is "
                    "still called out, the weeks after are not judged", high=1e6),
              SEVERITY_OVERRIDE))
def return_after_break(activities: pd.DataFrame, *, gap_days: int, return_weeks: int,
                       start_share: float, min_base_m: float, severity: str,
                       unit: str = "mi",
                       week_start: str = "monday", today: Any = None,
                       pain_model: str = "pfp",
                       weeks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Flag the first run after ``gap_days`` [days] with no run, with the pre-break longest
    run (30 days) and usual week, and each complete week of the next ``return_weeks`` that
    exceeds the graded return: ``usual x (start_share + (1 - start_share) x (k - 1) /
    (return_weeks - 1))`` in week ``k`` back.

    Parameters
    ----------
    enabled : bool
        run the rule.
    gap_days : int
        this many days or more with no run is a break (two empty weeks: the weekly rules
        have no base) [days].
    return_weeks : int
        the return's weeks, judged against the graded return [weeks].
    start_share : float
        week 1 back: this share of the usual week (and of the longest run) [fraction].
    min_base_m : float
        a usual week before the break under this (5 mi) is too small a base to grade a
        return from: the first run is still called out, the weeks after are not judged
        [m].
    severity : str
        'auto' follows the severity scheme; info, warn or alert fixes it.

    References
    ----------
    Heuristic (seed advice). Esculier et al. 2018, BJSM 52(10):659 (the pain-monitoring
    model the suggestion defers to).
    """
    record = registry.get("return_after_break")
    sev = record.severity_of("over", {"severity": severity})
    limit = registry.get("pain_during_run").defaults[f"{pain_model}_limit"]
    back = breaks(activities, gap_days)
    if back.empty:
        return empty_flags()
    g = group_column(activities)
    if weeks is None:
        weeks = weekly_table(activities, week_start, today=today, gap_days=gap_days,
                             return_weeks=return_weeks)
    rows = []
    for b in back.itertuples():
        ceilings, first_max = graded_return(b.usual_week_m, b.prior_longest_m,
                                            start_share=start_share, return_weeks=return_weeks,
                                            min_base_m=min_base_m)
        ws = weeks["week_start"].where(weeks[g] == getattr(b, g)) if g else weeks["week_start"]
        first_ws = ws[(ws <= b.local_date) & (ws > b.local_date - pd.Timedelta(days=7))].iloc[0]
        over_longest = b.distance_m > b.prior_longest_m
        rows.append({
            **who(b), "rule": "return_after_break", "severity": sev, "date": b.local_date,
            "week_start": first_ws, "value": float(b.gap_days), "threshold": float(gap_days),
            "unit": "days",
            "message": (f"{b.local_date:%a %d %b}: first run after {b.gap_days} days without "
                        f"running, {dist(b.distance_m, unit)}"
                        + (", longer than" if over_longest else " against")
                        + f" your longest run of the 30 days before the break "
                        f"({dist(b.prior_longest_m, unit)}); your usual week then was "
                        f"{dist(b.usual_week_m, unit)}. The first run back is the riskiest for "
                        "a knee that has had a rest. "
                        + return_text(b, ceilings, first_max, unit, limit, pain_model) + " "
                        + record.evidence_text),
        })
        mine = weeks[(weeks[g] == getattr(b, g)) if g else slice(None)]
        # this return's own weeks only: a later break starts a return of its own
        last_ws = first_ws + pd.Timedelta(weeks=len(ceilings))
        for w in mine[(mine["return_week"] >= 1) & ~mine["partial"]].itertuples():
            if not first_ws <= w.week_start < last_ws or w.return_week > len(ceilings):
                continue
            ceiling = ceilings[w.return_week - 1]
            if w.distance_m <= ceiling * (1 + 1e-9):
                continue
            rows.append({
                **who(b), "rule": "return_after_break", "severity": sev, "date": w.week_end,
                "week_start": w.week_start,
                "value": round(float(w.distance_m / ceiling * 100 - 100), 1)
                if ceiling > 0 else float("nan"),
                "threshold": 0.0, "unit": "%",
                "message": (f"Week of {w.week_start:%d %b}, week {w.return_week} back after the "
                            f"break: {dist(w.distance_m, unit)}, above the graded return's "
                            f"{dist(ceiling, unit)} (a share of your usual "
                            f"{dist(b.usual_week_m, unit)}). " + record.evidence_text),
            })
    return flag_rows(rows)
