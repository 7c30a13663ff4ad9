"""The ``pain_rising`` rule."""

from __future__ import annotations

import pandas as pd

from ..flagrows import empty_flags, flag_rows
from ..loadcalc import week_start_of
from ..pain import daily_pain
from . import SEVERITY_OVERRIDE, Param, rule
from ._pain_common import pain_row


@rule("pain_rising", order=110,
      title="Weekly highest pain rising", kind="pain", grade="clinical",
      pairs_with_pain=False,
      evidence="clinical (secondary): the tendon model asks that pain not rise week to week",
      citation="Silbernagel et al. 2007, AJSM 35(6):897",
      severity="warn (a criterion of the pain-monitoring model)",
      params=(Param("rising_points", 2.0, "/10", "the week's highest pain up by this much "
                    "(and painful)", low=0.5, high=10.0), SEVERITY_OVERRIDE))
def pain_rising(log: pd.DataFrame, *, rising_points: float, severity: str,
                threshold: float, week_start: str = "monday") -> pd.DataFrame:
    """A week whose highest pain is painful and ``rising_points`` [/10] above the highest of
    the week before; weeks with no entry are missing, not 0/10.

    Parameters
    ----------
    enabled : bool
        run the rule.
    rising_points : float
        the week's highest pain up by this much (and painful) [/10].
    severity : str
        'auto' follows the severity scheme; info, warn or alert fixes it.

    References
    ----------
    Silbernagel et al. 2007, AJSM 35(6):897.
    """
    daily = daily_pain(log)
    if daily.empty:
        return empty_flags()
    ws = week_start_of(pd.Series(daily.index, index=daily.index), week_start)
    weekly = daily.groupby(ws.to_numpy()).max()
    weekly = weekly.reindex(pd.date_range(weekly.index.min(), weekly.index.max(), freq="7D"))
    up = weekly - weekly.shift(1)
    rows = [pain_row("pain_rising", "over", severity, w + pd.Timedelta(days=6), weekly[w],
                 threshold, week_start,
                 f"Week of {w:%d %b}: your highest knee pain was {weekly[w]:g}/10, up from "
                 f"{weekly[w] - up[w]:g}/10 the week before. Pain should not rise week to week.")
            for w in weekly.index[(weekly >= threshold) & (up >= rising_points)]]
    return flag_rows(rows)
