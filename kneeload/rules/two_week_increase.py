"""The ``two_week_increase`` rule."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..flagrows import amount, empty_flags, flag_rows, pct_text, who
from ..loadcalc import LOAD_COLUMNS, group_column, two_week_progression
from . import SEVERITY_OVERRIDE, Param, registry, rule

_PCT = "%"


@rule("two_week_increase", order=20,
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
