"""The ``pain_persistent`` rule."""

from __future__ import annotations

import pandas as pd

from ..flagrows import flag_rows
from ..pain import pain_episodes
from . import Param, rule
from ._pain_common import pain_row


@rule("pain_persistent", order=120,
      title="Persistent pain: see a physiotherapist", kind="pain",
      grade="heuristic", pairs_with_pain=False,
      evidence="heuristic: pain that persists despite rest is a reason to see a "
               "physiotherapist", citation="seed advice",
      severity="alert: a referral, the scheme's one exception (safety, not a risk estimate)",
      params=(Param("persistent_days", 14, "days", "a pain episode this long", kind="int",
                    low=2, high=365),
              Param("severity", "alert", "", "a referral: alert unless set",
                    kind="choice", choices=("auto", "info", "warn", "alert"))))
def pain_persistent(log: pd.DataFrame, *, persistent_days: int, severity: str,
                    threshold: float, episode_gap_days: int,
                    week_start: str = "monday") -> pd.DataFrame:
    """A pain episode (painful days at most ``episode_gap_days`` apart) lasting
    ``persistent_days`` [days] or more: see a physiotherapist. Never a diagnosis.

    Parameters
    ----------
    enabled : bool
        run the rule.
    persistent_days : int
        a pain episode this long [days].
    severity : str
        a referral: alert unless set.

    References
    ----------
    seed advice.
    """
    rows = []
    for ep in pain_episodes(log, threshold, episode_gap_days).itertuples():
        length = (ep.end - ep.start).days + 1
        if length >= persistent_days:
            rows.append(pain_row("pain_persistent", "over", severity, ep.end, length,
                             persistent_days, week_start,
                             f"Knee pain of {threshold:g}/10 or more from {ep.start:%d %b} to "
                             f"{ep.end:%d %b} ({length} days). Pain that persists despite rest "
                             "is a reason to see a physiotherapist; kneeload does not "
                             "diagnose."))
    return flag_rows(rows)
