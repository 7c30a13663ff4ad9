"""The ``pain_after_run`` rule."""

from __future__ import annotations

import pandas as pd

from ..flagrows import flag_rows
from ..limits import Limit
from . import SEVERITY_OVERRIDE, Param, rule
from ._pain_common import PAIN_MODELS, pain_hold, pain_row, usual_level

#: Where the patellofemoral model's "settles within about an hour" is stated (secondary).
SETTLE_SOURCE = ("the 60-minute criterion as quoted in TREK patient education "
                 "(patellofemoral.trekeducation.org), secondary")


def pain_after_run_limit(
        activities: pd.DataFrame, day: pd.Timestamp, *,
        pfp_limit: float, tendon_limit: float, usual_days: int, min_mornings: int,
        severity: str, pain_log: pd.DataFrame | None = None, threshold: float = 3.0,
        pain_model: str = "pfp", week_start: str = "monday",
        pain_window_days: int = 3) -> Limit | None:
    """While this rule's flag is open: the week held and the longest run capped at the
    tolerated longest (:func:`kneeload.rules._pain_common.pain_hold`)."""
    if pain_log is None or pain_log.empty:
        return None
    flags = pain_after_run(pain_log, pfp_limit=pfp_limit, tendon_limit=tendon_limit,
                           usual_days=usual_days, min_mornings=min_mornings,
                           pain_model=pain_model, severity=severity, week_start=week_start)
    return pain_hold("pain_after_run", flags, activities, day, pain_log, threshold, week_start,
                     pain_window_days)


@rule("pain_after_run", limit=pain_after_run_limit, order=85,
      title="Pain after running above the model's limit and your usual level", kind="pain",
      grade="clinical", pairs_with_pain=False,
      evidence="clinical (secondary): the patellofemoral model asks that pain after running "
               "settle back to its pre-run level within about an hour, the tendon model "
               "accepts pain after activity up to its limit",
      citation=f"{PAIN_MODELS}; {SETTLE_SOURCE}",
      severity="warn (a criterion of the pain-monitoring model)",
      params=(Param("pfp_limit", 2.0, "/10", "the patellofemoral model's limit (its limit "
                    "while running: after-run pain above it has not settled)", high=10.0),
              Param("tendon_limit", 5.0, "/10", "the tendon model's limit after activity",
                    high=10.0),
              Param("usual_days", 28, "days", "your usual level: the median of your entries "
                    "of this many days before", kind="int", low=1, high=365),
              Param("min_mornings", 3, "entries", "use only morning entries (next_morning, "
                    "rest) for the usual when there are at least this many", kind="int",
                    low=1, high=100), SEVERITY_OVERRIDE))
def pain_after_run(log: pd.DataFrame, *, pfp_limit: float, tendon_limit: float,
                   usual_days: int, min_mornings: int, severity: str, pain_model: str = "pfp",
                   week_start: str = "monday") -> pd.DataFrame:
    """Pain logged after running (``when = after``) above both the model's limit [/10]
    (2/10 for the patellofemoral model, 5/10 for the tendon model) and the runner's usual
    level (the median of the ``next_morning``/``rest`` entries of the ``usual_days`` [days]
    before, as :mod:`pain_next_morning` finds it; with no entry before, the limit alone).

    The patellofemoral model (Esculier et al. 2018) accepts up to 2/10 while running and asks
    that pain after running settle back to its pre-run level within about 60 minutes, with
    no increase the next morning; the tendon model (Silbernagel et al. 2007) accepts up to
    5/10 during and after activity if it has settled by the next morning. A pain log holds
    dates, not clock times, so kneeload cannot tell how long after the run an ``after``
    entry was made: it flags one that is above what the model accepts at any point (the
    limit) and above the runner's own usual level (pain that was already there before the
    run is not the run's). Pain still raised the next morning is
    :mod:`pain_next_morning`'s flag, not this one's.

    Parameters
    ----------
    enabled : bool
        run the rule.
    pfp_limit : float
        the patellofemoral model's limit (its limit while running: after-run pain above it
        has not settled) [/10].
    tendon_limit : float
        the tendon model's limit after activity [/10].
    usual_days : int
        your usual level: the median of your entries of this many days before [days].
    min_mornings : int
        use only morning entries (next_morning, rest) for the usual when there are at
        least this many [entries].
    severity : str
        'auto' follows the severity scheme; info, warn or alert fixes it.

    References
    ----------
    Esculier et al. 2018, BJSM 52(10):659 (patellofemoral pain); Silbernagel et al.
    2007, AJSM 35(6):897 (tendon model); the 60-minute criterion as quoted in TREK patient
    education (patellofemoral.trekeducation.org), secondary.
    """
    limit = pfp_limit if pain_model == "pfp" else tendon_limit
    name = "patellofemoral" if pain_model == "pfp" else "tendon"
    settle = ("asks that pain after running settle back to its usual level within about an "
              "hour" if pain_model == "pfp" else "accepts pain after activity up to "
              f"{limit:g}/10 if it settles by the next morning")
    after = log[log["when"] == "after"].groupby("date")["pain"].max()
    rows = []
    for day, p in after.items():
        found = usual_level(log, day, usual_days, min_mornings)
        usual = found[0] if found is not None else None
        if p <= limit or (usual is not None and p <= usual):
            continue
        than = "" if found is None else f" and above {found[1]}, {found[0]:g}/10"
        rows.append(pain_row(
            "pain_after_run", "over", severity, day, p, max(limit, usual or 0.0), week_start,
            f"{day:%a %d %b}: {p:g}/10 after running, above the {limit:g}/10 the {name} "
            f"pain-monitoring model accepts{than}. The model {settle}: the run was more than "
            "the knee tolerated. Ease off (shorter, flatter, slower) until pain after running "
            "stays within it."))
    return flag_rows(rows)
