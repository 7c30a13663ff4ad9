"""The ``pain_two_days`` rule."""

from __future__ import annotations

import pandas as pd

from ..flagrows import flag_rows
from ..pain import daily_pain
from . import SEVERITY_OVERRIDE, rule
from ._pain_common import pain_row


@rule("pain_two_days", order=100,
      title="Two painful days in a row", kind="pain", grade="heuristic",
      pairs_with_pain=False, evidence="heuristic: practice advice, no study behind it",
      citation="seed advice", severity="info (heuristic)", params=(SEVERITY_OVERRIDE,))
def pain_two_days(log: pd.DataFrame, *, severity: str, threshold: float,
                  week_start: str = "monday") -> pd.DataFrame:
    """Two consecutive painful days (at least ``threshold`` [/10], the ``[pain]`` setting):
    practice advice is to reduce mileage.

    Parameters
    ----------
    enabled : bool
        run the rule.
    severity : str
        'auto' follows the severity scheme; info, warn or alert fixes it.

    References
    ----------
    seed advice.
    """
    daily = daily_pain(log)
    painful = daily[daily >= threshold]
    rows = []
    prev_painful = False
    for day in painful.index:
        if (day - pd.Timedelta(days=1)) in painful.index and not prev_painful:
            rows.append(pain_row("pain_two_days", "over", severity, day, painful[day], threshold,
                             week_start,
                             f"{day:%a %d %b}: knee pain of {threshold:g}/10 or more two days "
                             "running. Practice advice is to reduce mileage for now; if it "
                             "persists despite rest, see a physiotherapist."))
            prev_painful = True
        elif (day - pd.Timedelta(days=1)) not in painful.index:
            prev_painful = False
    return flag_rows(rows)
