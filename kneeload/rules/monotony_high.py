"""The ``monotony_high`` rule."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..flagrows import dist, flag_rows, who
from ..loadcalc import LOAD_COLUMNS, group_column, monotony, weekly_table
from . import SEVERITY_OVERRIDE, Param, registry, rule


@rule("monotony_high", order=70,
      title="Training monotony (Foster)", kind="activities", grade="low",
      pairs_with_pain=False,
      evidence="low: the 2.0 threshold is widely quoted, not tested in runners",
      citation="Foster 1998, Med Sci Sports Exerc 30(7):1164-1168",
      severity="info (low evidence)",
      params=(Param("threshold", 2.0, "ratio", "Foster 1998 (quoted secondarily)", high=100.0),
              Param("cap", 10.0, "ratio", "monotony when the 7 daily loads do not vary (SD 0)",
                    low=0.0, high=1000.0),
              SEVERITY_OVERRIDE))
def monotony_high(activities: pd.DataFrame, *, threshold: float, cap: float, severity: str,
                  unit: str = "mi", week_start: str = "monday", today: Any = None,
                  load: str = "distance", weeks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Foster monotony above ``threshold`` in a complete week: the same load every day with
    little rest. Partial weeks (days before the data or after ``today``) are not judged.
    ``load`` is the config's: distance, time or srpe.

    Parameters
    ----------
    enabled : bool
        run the rule.
    threshold : float
        Foster 1998 (quoted secondarily) [ratio].
    cap : float
        monotony when the 7 daily loads do not vary (SD 0) [ratio].
    severity : str
        'auto' follows the severity scheme; info, warn or alert fixes it.

    References
    ----------
    Foster 1998, Med Sci Sports Exerc 30(7):1164-1168.
    """
    record = registry.get("monotony_high")
    m = monotony(activities, week_start, cap, LOAD_COLUMNS[load])
    if weeks is None:
        # only ``partial`` is read: the return weeks do not matter here
        weeks = weekly_table(activities, week_start, today=today, gap_days=1, return_weeks=0)
    g = group_column(activities)
    keys = ([g] if g else []) + ["week_start"]
    m = m.merge(weeks[keys + ["partial"]], on=keys, how="left")
    rows = []
    for r in m[(m["monotony"] > threshold) & ~m["partial"].fillna(True)].itertuples():
        amount = (dist(r.load, unit) if load == "distance" else
                  f"{r.load / 3600:.1f} h" if load == "time" else f"{r.load:.0f} RPE-min")
        rows.append({
            **who(r),
            "rule": "monotony_high", "severity": record.severity_of("over", {
                "severity": severity}),
            "date": r.week_start + pd.Timedelta(days=6), "week_start": r.week_start,
            "value": round(float(r.monotony), 2), "threshold": threshold, "unit": "ratio",
            "message": (f"Week of {r.week_start:%d %b}: training monotony {r.monotony:.1f} "
                        f"(mean daily load / its SD over 7 days; {amount}), above "
                        f"{threshold:g}. Varied days with real rest lower monotony. "
                        + record.evidence_text),
        })
    return flag_rows(rows)
