"""The ``two_week_increase`` rule."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..flagrows import amount, empty_flags, flag_rows, pct_text, who
from ..limits import Limit
from ..loadcalc import (
    LOAD_COLUMNS,
    NIELSEN_WEEK_DAYS,
    group_column,
    running,
    two_week_progression,
    week_start_of,
)
from . import SEVERITY_OVERRIDE, Param, registry, rule

_PCT = "%"
#: Where this rule's limit shows in the advice: the look-ahead's two-week figure
#: (``max_week_2wk``) and its run-by-run note. The advice finds its figures by this role in the
#: limit's ``detail``, never by the rule's name.
ADVICE_ROLE = "week_2wk"


#: Nielsen 2014's cohort and results as the abstract reports them (the full text was not
#: read; see docs/rules/two_week_increase.md). Fixed facts about the study, not settings.
_COHORT = "874 novice runners"
_STUDY = ("In {cohort} (Nielsen 2014), distance-related injuries, runner's knee among them, "
          "came at 1.59x the rate after a weekly progression over 30% than after one under "
          "10% (95% CI 0.96-2.66); a 10-30% progression showed no raised injury rate.")


def _sum(runs: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> float:
    days = runs["local_date"]
    return float(runs.loc[(days >= lo) & (days <= hi), "distance_m"].fillna(0.0).sum())


def two_week_increase_limit(activities: pd.DataFrame, day: pd.Timestamp, *,
                            threshold_pct: float, min_base_m: float, load: str = "distance",
                            week_start: str = "monday",
                            weeks: pd.DataFrame | None = None) -> Limit | None:
    """The per-session rule as a limit. A run on day ``d`` is judged on the 7 days
    ``d-6..d`` (the runs already placed and the run itself counted) against the 7 days
    before them, ``B(d) = D(d-13..d-7)``: it may add at most ``room(d) = (1 +
    threshold_pct / 100) x B(d) - D(d-6..d)`` [m]. On ``day``: ``run_max_m = room(day)``.
    For the week: the week so far plus what its last judged day still allows, ``so_far +
    room(d_last)``; on the week's last day the 7 days are the calendar week, so this is
    1.3 x the calendar week before (each base lies before the week, so it is known). Each
    run is also held to its own day's room, which falls short of the week's when the
    runs of last week's end still count: ``detail["by_day"]`` lists, for every judged day
    from ``day`` on, the most the week may hold by that day, ``so_far + room(d)`` [m]. A
    week whose running stays within it on every run day raises no flag. None before 14
    days of data, on a base under ``min_base_m`` [m], in a return week, or with a load
    other than distance."""
    runs = running(activities)
    if load != "distance" or runs.empty:
        return None
    first = pd.Timestamp(runs["local_date"].min())
    ws = week_start_of(pd.Series([day]), week_start).iloc[0]
    if weeks is not None and len(weeks):
        this = weeks[weeks["week_start"] == ws]
        if len(this) and int(this["return_week"].iloc[0]) != 0:
            return None
    one = pd.Timedelta(days=1)
    n = NIELSEN_WEEK_DAYS
    room = []
    for d in pd.date_range(day, ws + 6 * one):
        base = _sum(runs, d - (2 * n - 1) * one, d - n * one)
        if (d - first).days < 2 * n - 1 or base < min_base_m:
            continue
        room.append((d, base, base * (1 + threshold_pct / 100) - _sum(runs, d - (n - 1) * one, d)))
    if not room:
        return None
    so_far = _sum(runs, ws, day)
    # the week: what the last judged day of the week still allows, the runs placed so far
    # counted. Spread runs reach it; each run is also held to its own day's room (run_max_m),
    # so a week built day by day from the allowance passes every session of the week.
    week_room = max(0.0, room[-1][2])
    on_day = max(0.0, room[0][2]) if room[0][0] == day else None
    return Limit("two_week_increase", on_day, so_far + week_room, room[0][1],
                 {"advice": ADVICE_ROLE, "threshold_pct": threshold_pct, "base_m": room[0][1],
                  "last_7_days_m": _sum(runs, day - (n - 1) * one, day),
                  "min_base_m": min_base_m,
                  "by_day": [[f"{d:%Y-%m-%d}", so_far + max(0.0, r)] for d, _, r in room]})


def _message(w: Any, *, threshold_pct: float, load: str, unit: str, evidence: str) -> str:
    """One flag's words: the two weeks in numbers, then the study's cohort and result (the
    10-30% group's no raised rate included), then the evidence line."""
    return (f"{w.local_date:%a %d %b}: {amount(w.week_m, load, unit)} of running in the 7 "
            f"days to this run, {pct_text(w.progression_pct, threshold_pct)} on the 7 days "
            f"before ({amount(w.base_m, load, unit)}). " + _STUDY.format(cohort=_COHORT)
            + " " + evidence)


@rule("two_week_increase", order=20,
      limit=two_week_increase_limit,
      title="Two-week progression before each session (Nielsen 2014)",
      kind="activities", grade="not significant", pairs_with_pain=True,
      evidence="not significant: one cohort of novice runners; the raised rate was for "
               "distance-related injuries only, P = .07",
      citation="Nielsen et al. 2014, JOSPT 44(10):739-747",
      severity="info over the threshold; warn when the progression is large (over large_pct)",
      params=(Param("threshold_pct", 30.0, _PCT, "flag a progression over this",
                    high=1000.0),
              Param("large_pct", 60.0, _PCT, "a large progression (the scheme: twice the "
                    "threshold)", high=10000.0),
              Param("min_base_m", 8046.72, "m", "the 7 days before the week to the run must "
                    "hold at least this much running (5 mi)", high=1e6),
              Param("min_base_s", 3600.0, "s", "with load = time: the base's running time "
                    "(1 h)", high=1e6),
              Param("min_base_srpe", 300.0, "RPE-min", "with load = srpe: the base's "
                    "session-RPE (1 h at RPE 5)", high=1e6),
              SEVERITY_OVERRIDE))
def two_week_increase(activities: pd.DataFrame, *, threshold_pct: float, large_pct: float,
                      min_base_m: float, min_base_s: float, min_base_srpe: float,
                      severity: str, unit: str = "mi", week_start: str = "monday",
                      today: Any = None, weeks: pd.DataFrame | None = None,
                      load: str = "distance") -> pd.DataFrame:
    """The progression of weekly running distance at every session, as Nielsen 2014
    categorised it: the running of the 7 days up to and including each run's day against
    the 7 days before them (a two-week period), ``100 x (D(t-6..t) / D(t-13..t-7) - 1)``
    [%]. Flagged above ``threshold_pct``; at most one flag a calendar week (its highest
    session). Not judged before 14 days of data, when the base is under ``min_base_m`` [m],
    or in the weeks of a return after a break.

    Parameters
    ----------
    enabled : bool
        run the rule.
    threshold_pct : float
        flag a progression over this [%].
    large_pct : float
        a large progression (the scheme: twice the threshold) [%].
    min_base_m : float
        the 7 days before the week to the run must hold at least this much running (5
        mi) [m].
    min_base_s : float
        with load = time: the base's running time (1 h) [s].
    min_base_srpe : float
        with load = srpe: the base's session-RPE (1 h at RPE 5) [RPE-min].
    severity : str
        'auto' follows the severity scheme; info, warn or alert fixes it.

    References
    ----------
    Nielsen RO, Parner ET, Nohr EA, Soerensen H, Lind M, Rasmussen S. Excessive progression
    in weekly running distance and risk of running-related injuries: an association which
    varies according to type of injury. JOSPT 2014;44(10):739-747 (abstract): 874 novice
    runners; >30% vs <10%: distance-related injuries HR 1.59 (0.96-2.66), P = .07; no
    significant difference in the overall injury rate across the three groups.
    """
    record = registry.get("two_week_increase")
    min_base_m = {"distance": min_base_m, "time": min_base_s, "srpe": min_base_srpe}[load]
    prog = two_week_progression(activities, week_start=week_start, today=today, weeks=weeks,
                                column=LOAD_COLUMNS[load])
    g = group_column(activities)
    hit = prog[(prog["base_m"] >= min_base_m) & (prog["progression_pct"] > threshold_pct)
               & (prog["return_week"] == 0)]
    if hit.empty:
        return empty_flags()
    keys = ([g] if g else []) + ["week_start"]
    best = hit.sort_values("progression_pct", ascending=False, kind="stable").drop_duplicates(
        keys).sort_values(([g] if g else []) + ["local_date"])
    rows = []
    for w in best.itertuples():
        size = "large" if w.progression_pct > large_pct else "over"
        rows.append({
            **who(w),
            "rule": "two_week_increase", "severity": record.severity_of(size, {
                "severity": severity}), "date": w.local_date,
            "week_start": w.week_start, "value": round(float(w.progression_pct), 1),
            "threshold": threshold_pct, "unit": "%",
            "message": _message(w, threshold_pct=threshold_pct, load=load, unit=unit,
                                evidence=record.evidence_text),
        })
    return flag_rows(rows)
