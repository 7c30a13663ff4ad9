"""The ``two_week_increase`` rule."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..flagrows import amount, empty_flags, flag_rows, pct_text, who
from ..limits import Limit
from ..loadcalc import LOAD_COLUMNS, group_column, running, two_week_progression, week_start_of
from . import SEVERITY_OVERRIDE, Param, registry, rule

_PCT = "%"


def _sum(runs: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> float:
    days = runs["local_date"]
    return float(runs.loc[(days >= lo) & (days <= hi), "distance_m"].fillna(0.0).sum())


def two_week_increase_limit(activities: pd.DataFrame, day: pd.Timestamp, *,
                            threshold_pct: float, min_base_m: float, load: str = "distance",
                            week_start: str = "monday",
                            weeks: pd.DataFrame | None = None) -> Limit | None:
    """The per-session rule as a limit. On ``day``: the largest run that keeps the 14 days
    to ``day`` within (1 + ``threshold_pct`` / 100) x the 14 days before them, the runs
    already placed counted: ``cap(d) - D(d-13..d)`` [m]. For the week: the week so far plus
    what the week's last judged day still allows, ``cap(d_last) - D(d_last-13..d_last)``
    (each base lies before the week, so it is known): the most a week can hold when its
    runs are spread, each held to its own day's limit. A week front-loaded past a day's
    limit is flagged on that day, which the day's limit says. None before 28 days of data,
    on a base under ``min_base_m`` [m], in a return week, or with a load other than
    distance."""
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
    room = []
    for d in pd.date_range(day, ws + 6 * one):
        base = _sum(runs, d - 27 * one, d - 14 * one)
        if (d - first).days < 27 or base < min_base_m:
            continue
        room.append((d, base, base * (1 + threshold_pct / 100) - _sum(runs, d - 13 * one, d)))
    if not room:
        return None
    so_far = _sum(runs, ws, day)
    # the week: what the last judged day of the week still allows, the runs placed so far
    # counted. Spread runs reach it; each run is also held to its own day's room (run_max_m),
    # so a week built day by day from the allowance passes every session of the week.
    week_room = max(0.0, room[-1][2])
    on_day = max(0.0, room[0][2]) if room[0][0] == day else None
    return Limit("two_week_increase", on_day, so_far + week_room, room[0][1],
                 {"threshold_pct": threshold_pct, "base_m": room[0][1],
                  "two_weeks_so_far_m": _sum(runs, day - 13 * one, day),
                  "min_base_m": min_base_m})


@rule("two_week_increase", order=20,
      limit=two_week_increase_limit,
      title="Two-week progression before each session (Nielsen 2014)",
      kind="activities", grade="not significant", pairs_with_pain=True,
      evidence="not significant: in a cohort, runners progressing >30% over two weeks seemed "
               "more vulnerable to distance-related injuries, runner's knee among them (HR "
               "1.59, 95% CI 0.96-2.66)",
      citation="Nielsen et al. 2014, JOSPT",
      severity="info over the threshold; warn when the progression is large (over large_pct)",
      params=(Param("threshold_pct", 30.0, _PCT, "flag a progression over this",
                    high=1000.0),
              Param("large_pct", 60.0, _PCT, "a large progression (the scheme: twice the "
                    "threshold)", high=10000.0),
              Param("min_base_m", 16093.44, "m", "the 14 days before the two weeks must hold "
                    "at least this much running (10 mi)", high=1e6),
              Param("min_base_s", 7200.0, "s", "with load = time: the base's running time "
                    "(2 h)", high=1e6),
              Param("min_base_srpe", 600.0, "RPE-min", "with load = srpe: the base's "
                    "session-RPE (2 h at RPE 5)", high=1e6),
              SEVERITY_OVERRIDE))
def two_week_increase(activities: pd.DataFrame, *, threshold_pct: float, large_pct: float,
                      min_base_m: float, min_base_s: float, min_base_srpe: float,
                      severity: str, unit: str = "mi", week_start: str = "monday",
                      today: Any = None, weeks: pd.DataFrame | None = None,
                      load: str = "distance") -> pd.DataFrame:
    """Two-week progression evaluated at every session, as Nielsen 2014 did: the running of
    the 14 days up to and including each run's day against the 14 days before them,
    ``100 x (D(t-13..t) / D(t-27..t-14) - 1)`` [%]. Flagged above ``threshold_pct``; at
    most one flag a calendar week (its highest session). Not judged before 28 days of data,
    when the base is under ``min_base_m`` [m], or in the weeks of a return after a break.

    Parameters
    ----------
    enabled : bool
        run the rule.
    threshold_pct : float
        flag a progression over this [%].
    large_pct : float
        a large progression (the scheme: twice the threshold) [%].
    min_base_m : float
        the 14 days before the two weeks must hold at least this much running (10 mi)
        [m].
    min_base_s : float
        with load = time: the base's running time (2 h) [s].
    min_base_srpe : float
        with load = srpe: the base's session-RPE (2 h at RPE 5) [RPE-min].
    severity : str
        'auto' follows the severity scheme; info, warn or alert fixes it.

    References
    ----------
    Nielsen et al. 2014, JOSPT: >30% progression over 2 weeks, HR 1.59 (0.96-2.66).
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
            "message": (f"{w.local_date:%a %d %b}: {amount(w.two_weeks_m, load, unit)} of "
                        "running in the 14 days to this run, "
                        f"{pct_text(w.progression_pct, threshold_pct)} on the 14 days before "
                        f"({amount(w.base_m, load, unit)}). Runners who "
                        f"progressed more than {threshold_pct:g}% over two weeks seemed more "
                        "prone to distance-related injuries, runner's knee among them; the "
                        "link was not statistically significant. " + record.evidence_text),
        })
    return flag_rows(rows)
