"""The ``pain_next_morning`` rule."""

from __future__ import annotations

import pandas as pd

from ..flagrows import flag_rows
from ..limits import Limit
from ..pain import daily_pain
from . import SEVERITY_OVERRIDE, Param, rule
from ._pain_common import PAIN_MODELS, pain_hold, pain_row, usual_level


def pain_next_morning_limit(
        activities: pd.DataFrame, day: pd.Timestamp, *,
        usual_days: int, min_mornings: int, severity: str,
        pain_log: pd.DataFrame | None = None, threshold: float = 3.0,
        pain_model: str = "pfp", week_start: str = "monday",  # noqa: ARG001
        pain_window_days: int = 3) -> Limit | None:
    """While this rule's flag is open: the week held and the longest run capped at the
    tolerated longest (:func:`kneeload.rules._pain_common.pain_hold`)."""
    if pain_log is None or pain_log.empty:
        return None
    flags = pain_next_morning(pain_log, usual_days=usual_days, min_mornings=min_mornings,
                              severity=severity, week_start=week_start)
    return pain_hold("pain_next_morning", flags, activities, day, pain_log, threshold, week_start,
                     pain_window_days)


@rule("pain_next_morning", limit=pain_next_morning_limit, order=90,
      title="Next-morning pain above your usual morning", kind="pain",
      grade="clinical", pairs_with_pain=False,
      evidence="clinical (secondary): the pain-monitoring models ask for no increase the next "
               "morning", citation=PAIN_MODELS,
      severity="warn (a criterion of the pain-monitoring model)",
      params=(Param("usual_days", 28, "days", "your usual morning: the median of your entries "
                    "of this many days before", kind="int", low=1, high=365),
              Param("min_mornings", 3, "entries", "use only morning entries (next_morning, "
                    "rest) for the usual when there are at least this many", kind="int",
                    low=1, high=100), SEVERITY_OVERRIDE))
def pain_next_morning(log: pd.DataFrame, *, usual_days: int, min_mornings: int, severity: str,
                      week_start: str = "monday") -> pd.DataFrame:
    """A next-morning entry above the runner's usual morning, the baseline the models
    compare with: the median of the ``next_morning`` and ``rest`` entries of the
    ``usual_days`` [days] before when there are at least ``min_mornings`` of them (runners
    often log mornings only when sore), else the median of every entry of those days, else
    the day before's highest. The entry tells how the day before's load was tolerated.

    Parameters
    ----------
    enabled : bool
        run the rule.
    usual_days : int
        your usual morning: the median of your entries of this many days before [days].
    min_mornings : int
        use only morning entries (next_morning, rest) for the usual when there are at
        least this many [entries].
    severity : str
        'auto' follows the severity scheme; info, warn or alert fixes it.

    References
    ----------
    Esculier et al. 2018, BJSM 52(10):659 (patellofemoral pain); Silbernagel et al.
    2007, AJSM 35(6):897 (tendon model).
    """
    mornings = log[log["when"] == "next_morning"].groupby("date")["pain"].max()
    daily = daily_pain(log)
    rows = []
    for day, p in mornings.items():
        found = usual_level(log, day, usual_days, min_mornings)
        if found is not None:
            usual, what = found
        else:
            prev = daily.get(day - pd.Timedelta(days=1))
            if prev is None:
                continue
            usual, what = float(prev), "the day before"
        if p > usual:
            rows.append(pain_row("pain_next_morning", "over", severity, day, p, usual, week_start,
                             f"{day:%a %d %b}: {p:g}/10 the next morning, above {what}, "
                             f"{usual:g}/10. The pain-monitoring models ask for no increase "
                             "the next morning: the day before was more than the knee "
                             "tolerated."))
    return flag_rows(rows)
