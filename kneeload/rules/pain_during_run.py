"""The ``pain_during_run`` rule."""

from __future__ import annotations

import pandas as pd

from ..flagrows import flag_rows
from ..limits import Limit
from . import SEVERITY_OVERRIDE, Param, rule
from ._pain_common import PAIN_MODELS, pain_hold, pain_row


def pain_during_run_limit(
        activities: pd.DataFrame, day: pd.Timestamp, *,
        pfp_limit: float, tendon_limit: float, severity: str,
        pain_log: pd.DataFrame | None = None, threshold: float = 3.0,
        pain_model: str = "pfp", week_start: str = "monday",
        pain_window_days: int = 3) -> Limit | None:
    """While this rule's flag is open: the week held and the longest run capped at the
    tolerated longest (:func:`kneeload.rules._pain_common.pain_hold`)."""
    if pain_log is None or pain_log.empty:
        return None
    flags = pain_during_run(pain_log, pfp_limit=pfp_limit, tendon_limit=tendon_limit,
                            pain_model=pain_model, severity=severity, week_start=week_start)
    return pain_hold("pain_during_run", flags, activities, day, pain_log, threshold, week_start,
                     pain_window_days)


@rule("pain_during_run", limit=pain_during_run_limit, order=80,
      title="Pain while running above the model's limit", kind="pain",
      grade="clinical", pairs_with_pain=False,
      evidence="clinical (secondary): the pain-monitoring models accept pain up to a limit "
               "while running", citation=PAIN_MODELS,
      severity="warn (a criterion of the pain-monitoring model)",
      params=(Param("pfp_limit", 2.0, "/10", "the patellofemoral model's limit", high=10.0),
              Param("tendon_limit", 5.0, "/10", "the tendon model's limit", high=10.0),
              SEVERITY_OVERRIDE))
def pain_during_run(log: pd.DataFrame, *, pfp_limit: float, tendon_limit: float,
                    severity: str, pain_model: str = "pfp",
                    week_start: str = "monday") -> pd.DataFrame:
    """Pain while running (``when = during``) above the model's limit [/10]: 2/10 for the
    patellofemoral model (Esculier 2018), 5/10 for the tendon model (Silbernagel 2007).

    Parameters
    ----------
    enabled : bool
        run the rule.
    pfp_limit : float
        the patellofemoral model's limit [/10].
    tendon_limit : float
        the tendon model's limit [/10].
    severity : str
        'auto' follows the severity scheme; info, warn or alert fixes it.

    References
    ----------
    Esculier et al. 2018, BJSM 52(10):659 (patellofemoral pain); Silbernagel et al.
    2007, AJSM 35(6):897 (tendon model).
    """
    limit = pfp_limit if pain_model == "pfp" else tendon_limit
    name = "patellofemoral" if pain_model == "pfp" else "tendon"
    rows = [pain_row("pain_during_run", "over", severity, r.date, r.pain, limit, week_start,
                 f"{r.date:%a %d %b}: {r.pain:g}/10 while running, above the {limit:g}/10 the "
                 f"{name} pain-monitoring model accepts. Ease off (shorter, flatter, slower) "
                 "until running stays within it.")
            for r in log[(log["when"] == "during") & (log["pain"] > limit)].itertuples()]
    return flag_rows(rows)
