"""What the pain rules share: the pain models' citation and the flag row of a pain rule.

Not a rule (the registry skips modules whose name starts with ``_``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..limits import Limit
from ..loadcalc import running, week_start_of
from ..pain import pain_by_load_day, window_verdict
from . import registry

PAIN_MODELS = ("Esculier et al. 2018, BJSM 52(10):659 (patellofemoral pain); Silbernagel et "
                "al. 2007, AJSM 35(6):897 (tendon model)")


def pain_row(name: str, size: str, severity: str, date: pd.Timestamp, value: float,
         threshold: float, week_start: str, message: str) -> dict[str, Any]:
    record = registry.get(name)
    return {"rule": name, "severity": record.severity_of(size, {"severity": severity}),
            "date": date, "week_start": week_start_of(pd.Series([date]), week_start).iloc[0],
            "value": float(value), "threshold": float(threshold), "unit": "/10",
            "message": message + " " + record.evidence_text}


def usual_level(log: pd.DataFrame, day: pd.Timestamp, usual_days: int,
                min_mornings: int) -> tuple[float, str] | None:
    """The runner's usual (pre-load) pain level before ``day`` [/10] and how it was found:
    the median of the ``next_morning`` and ``rest`` entries of the ``usual_days`` [days]
    before when there are at least ``min_mornings`` of them (runners often log mornings
    only when sore), else the median of every entry of those days; None with no entry."""
    before = log[(log["date"] < day) & (log["date"] >= day - pd.Timedelta(days=usual_days))]
    calm = before[before["when"].isin(("next_morning", "rest"))]
    if len(calm) >= min_mornings:
        return (float(calm["pain"].median()),
                f"your usual morning (the median of your mornings of the {usual_days} days "
                "before)")
    if len(before):
        return (float(before["pain"].median()),
                f"your usual level (the median of your entries of the {usual_days} days before)")
    return None


#: A pain flag dated this many days before the day, or fewer, is still open [days].
OPEN_DAYS = 7


def pain_hold(name: str, flags: pd.DataFrame, activities: pd.DataFrame, day: pd.Timestamp,
              log: pd.DataFrame, threshold: float, week_start: str,
              window_days: int = 3) -> Limit | None:
    """The pain rules' limit: while a flag of rule ``name`` dated in the :data:`OPEN_DAYS`
    days up to ``day`` is open, hold the week (no more than the last complete week) and cap
    the longest run at the **tolerated longest**: the longest run whose full pairing window
    (its load day and the ``window_days`` [days] after, inside the log, with an entry:
    :func:`kneeload.pain.window_verdict`) holds no painful day (``threshold`` [/10]) -- the
    same record as :func:`kneeload.advice.tolerance`. None (no run cap) when no run was
    judged so. ``detail`` names the entry."""
    recent = flags[(flags["date"] <= day) & (flags["date"] > day - pd.Timedelta(days=OPEN_DAYS))]
    if recent.empty:
        return None
    entry = recent.iloc[-1]
    runs = running(activities)
    runs = runs[runs["local_date"] < day]
    ws = week_start_of(pd.Series([day]), week_start).iloc[0]
    prev = runs[(runs["local_date"] >= ws - pd.Timedelta(days=7)) & (runs["local_date"] < ws)]
    week_m = float(prev["distance_m"].fillna(0.0).sum())
    pain = pain_by_load_day(log[log["date"] <= day])
    ok = runs[[window_verdict(pain, d, d, window_days, threshold) == "clear"
               for d in runs["local_date"]]]
    tolerated = float(ok["distance_m"].max()) if len(ok) else None
    so_far = float(runs.loc[runs["local_date"] >= ws, "distance_m"].fillna(0.0).sum())
    when = log[log["date"] == entry["date"]]
    return Limit(name, tolerated, max(week_m, so_far), week_m,
                 {"pain_date": f"{entry['date']:%Y-%m-%d}", "pain": float(entry["value"]),
                  "when": str(when["when"].iloc[-1]) if len(when) else "",
                  "tolerated_longest_m": tolerated, "held_week_m": week_m,
                  "open_days": OPEN_DAYS})
