"""The ``monotony_high`` rule.

No limit hook: monotony (mean / SD of the 7 daily loads) is not bounded by a distance. A
longer run on one day *lowers* it (the days vary more) and a rest day is what lowers it
most, so no "at most this far" keeps it under the threshold; the advice is variety and
rest, which the message says. The weekly and spike rules bound the distance.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..flagrows import dist, empty_flags, flag_rows, who
from ..loadcalc import LOAD_COLUMNS, group_column, monotony, weekly_table
from . import SEVERITY_OVERRIDE, Param, registry, rule


def _amount(value: float, load: str, unit: str) -> str:
    return (dist(value, unit) if load == "distance" else
            f"{value / 3600:.1f} h" if load == "time" else f"{value:.0f} RPE-min")


def streaks(m: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """The runs of consecutive complete weeks with monotony above ``threshold``: one row a
    run (per athlete), its ``first`` week's row fields, ``n`` weeks, ``last`` week start and
    ``highest`` monotony. ``m`` holds ``week_start``, ``monotony``, ``load``, ``partial``
    (and the athlete column in a cohort); a week with no running is not in ``m`` and ends a
    run, as a complete week at or under the threshold or a partial week does."""
    g = group_column(m)
    keys = ([g] if g else []) + ["week_start"]
    m = m.sort_values(keys, kind="stable").reset_index(drop=True)
    hit = (m["monotony"] > threshold) & ~m["partial"].fillna(True).astype(bool)
    gid = m[g].astype(object) if g else pd.Series(0, index=m.index)
    prev_ws = m["week_start"].groupby(gid.to_numpy(), sort=False).shift()
    prev_hit = hit.groupby(gid.to_numpy(), sort=False).shift(fill_value=False).astype(bool)
    starts = hit & ~(prev_hit & (m["week_start"] - prev_ws == pd.Timedelta(days=7)))
    sid = starts.cumsum()
    h = m[hit].assign(_s=sid[hit])
    agg = h.groupby("_s", sort=True).agg(n=("week_start", "size"), last=("week_start", "last"),
                                        highest=("monotony", "max"))
    firsts = h.drop_duplicates("_s").set_index("_s")
    return firsts.join(agg).reset_index(drop=True)


@rule("monotony_high", order=70,
      title="Training monotony (Foster)", kind="activities", grade="low",
      pairs_with_pain=False,
      evidence="low: Foster 1998's outcome was illness (banal illnesses, not injury) in 25 "
               "experienced athletes, accounted for when each exceeded an individually "
               "identified threshold, mostly of strain; the 2.0 threshold is quoted "
               "secondarily and untested in runners",
      citation="Foster 1998, Med Sci Sports Exerc 30(7):1164-1168",
      severity="info (low evidence); once a run of consecutive weeks",
      params=(Param("threshold", 2.0, "ratio", "Foster 1998 (quoted secondarily)", high=100.0),
              Param("cap", 10.0, "ratio", "monotony when the 7 daily loads do not vary (SD 0)",
                    low=0.0, high=1000.0),
              SEVERITY_OVERRIDE))
def monotony_high(activities: pd.DataFrame, *, threshold: float, cap: float, severity: str,
                  unit: str = "mi", week_start: str = "monday", today: Any = None,
                  load: str = "distance", weeks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Foster monotony above ``threshold`` in a complete week: the same load every day with
    little rest. One flag a run of consecutive such weeks, dated at the run's first week
    and stating how many weeks it has lasted (a daily runner is told once, not every
    week). Partial weeks (days before the data or after ``today``) are not judged.
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
    Foster 1998, Med Sci Sports Exerc 30(7):1164-1168: banal illnesses in 25 experienced
    athletes, individually identifiable thresholds.
    """
    record = registry.get("monotony_high")
    m = monotony(activities, week_start, cap, LOAD_COLUMNS[load])
    if m.empty:
        return empty_flags()
    if weeks is None:
        # only ``partial`` is read: the return weeks do not matter here
        weeks = weekly_table(activities, week_start, today=today, gap_days=1, return_weeks=0)
    g = group_column(activities)
    keys = ([g] if g else []) + ["week_start"]
    m = m.merge(weeks[keys + ["partial"]], on=keys, how="left")
    rows = []
    for r in streaks(m, threshold).itertuples():
        run = ("" if r.n == 1 else
               f" It has stayed above {threshold:g} for {r.n} weeks in a row (to the week of "
               f"{r.last:%d %b}; the highest {r.highest:.1f}): said once for the run of weeks.")
        rows.append({
            **who(r),
            "rule": "monotony_high", "severity": record.severity_of("over", {
                "severity": severity}),
            "date": r.week_start + pd.Timedelta(days=6), "week_start": r.week_start,
            "value": round(float(r.monotony), 2), "threshold": threshold, "unit": "ratio",
            "message": (f"Week of {r.week_start:%d %b}: training monotony {r.monotony:.1f} "
                        f"(mean daily load / its SD over 7 days; {_amount(r.load, load, unit)}),"
                        f" above {threshold:g}.{run} Varied days with real rest lower "
                        "monotony. " + record.evidence_text),
        })
    return flag_rows(rows)
