"""The ``descent_increase`` rule.

Its quantity is descent (metres of elevation lost), which no distance expresses (a flat
10 mi and a hilly 5 mi), so its limit hook bounds no run or week *distance*: it gives the
week's descent budget, :attr:`kneeload.limits.Limit.descent_week_max_m`, which
:func:`kneeload.limits.allowance` combines into ``Allowance.descent_week_max_m``. Planned
runs carry no descent, so a plan is never flagged for it and the planner cannot place it.
"""

from __future__ import annotations

import pandas as pd

from ..flagrows import elev, flag_rows, pct_text, who
from ..limits import Limit
from ..loadcalc import PCT_DECIMALS, grolling_mean, gshift, week_start_of
from . import SEVERITY_OVERRIDE, Param, registry, rule

_PCT = "%"


def descent_increase_limit(activities: pd.DataFrame, day: pd.Timestamp, *,  # noqa: ARG001
                           threshold_pct: float, min_base_m: float, week_start: str = "monday",
                           weeks: pd.DataFrame | None = None) -> Limit | None:
    """The most descent [m] the week holding ``day`` may hold: its reference (the mean
    descent of the complete weeks among the 4 before it, at least ``min_base_m`` [m]) x
    (1 + ``threshold_pct`` / 100), as the rule judges the week. None when no complete
    week lies among the 4 before (the rule cannot judge it). No distance limit."""
    if weeks is None or weeks.empty:
        return None
    ws = week_start_of(pd.Series([day]), week_start).iloc[0]
    before = weeks[(weeks["week_start"] < ws)
                   & (weeks["week_start"] >= ws - pd.Timedelta(days=28))]
    complete = before.loc[~before["partial"].astype(bool), "descent_m"]
    if complete.empty:
        return None
    ref = max(float(complete.mean()), min_base_m)
    this = weeks[weeks["week_start"] == ws]
    so_far = float(this["descent_m"].iloc[0]) if len(this) else 0.0
    top = ref * (1 + threshold_pct / 100)
    return Limit("descent_increase", None, None, ref,
                 {"threshold_pct": threshold_pct, "reference_m": ref, "min_base_m": min_base_m,
                  "descent_so_far_m": so_far, "descent_left_m": max(0.0, top - so_far),
                  "week_start": f"{ws:%Y-%m-%d}"}, descent_week_max_m=top)


@rule("descent_increase", order=30, limit=descent_increase_limit,
      title="Weekly descent ramp (knee-specific load)", kind="weeks",
      grade="biomechanical", pairs_with_pain=True,
      evidence="biomechanical: downhill running raises eccentric knee load; no injury study "
               "sets a threshold",
      citation="Telhan et al. 2010, J Athl Train 45:16; Shih & Ho 2023, JSSM 22:111",
      severity="info (biomechanical evidence), whatever the size",
      params=(Param("threshold_pct", 30.0, _PCT, "flag a rise on the reference over this",
                    high=10000.0),
              Param("large_pct", 100.0, _PCT, "a large rise (descent more than doubles)",
                    high=10000.0),
              Param("min_base_m", 150.0, "m", "reference = max(mean of the 4 complete weeks "
                    "before, this)", high=1e5),
              SEVERITY_OVERRIDE))
def descent_increase(weeks: pd.DataFrame, *, threshold_pct: float, large_pct: float,
                     min_base_m: float, severity: str, unit: str = "mi") -> pd.DataFrame:
    """Weekly descent ramp, the knee-specific load: a complete week's descent more than
    ``threshold_pct`` [%] above its reference, the mean descent of the complete weeks among
    the 4 before floored at ``min_base_m`` [m] so flat-route noise is not a ramp.

    Parameters
    ----------
    enabled : bool
        run the rule.
    threshold_pct : float
        flag a rise on the reference over this [%].
    large_pct : float
        a large rise (descent more than doubles) [%].
    min_base_m : float
        reference = max(mean of the 4 complete weeks before, this) [m].
    severity : str
        'auto' follows the severity scheme; info, warn or alert fixes it.

    References
    ----------
    Telhan et al. 2010, J Athl Train 45:16. Shih & Ho 2023, JSSM 22:111.
    """
    record = registry.get("descent_increase")
    desc = weeks["descent_m"].where(~weeks["partial"])
    ref = grolling_mean(gshift(weeks.assign(_d=desc), "_d", 1), weeks, 4, 1).clip(
        lower=min_base_m)
    change = ((desc / ref - 1) * 100).round(PCT_DECIMALS)
    first_week = gshift(weeks, "week_start", 1).isna()
    hit = weeks.assign(xchange=change, xref=ref)[(change > threshold_pct) & ~first_week]
    rows = []
    for w in hit.itertuples():
        size = "large" if w.xchange > large_pct else "over"
        rows.append({
            **who(w),
            "rule": "descent_increase", "severity": record.severity_of(size, {
                "severity": severity}), "date": w.week_end,
            "week_start": w.week_start, "value": round(float(w.xchange), 1),
            "threshold": threshold_pct, "unit": "%",
            "message": (f"Week of {w.week_start:%d %b}: {elev(w.descent_m, unit)} of descent, "
                        f"{pct_text(w.xchange, threshold_pct)} on the reference of "
                        f"{elev(w.xref, unit)} (the mean of the 4 weeks before, at least "
                        f"{elev(min_base_m, unit)}). Downhill running loads the knee "
                        "eccentrically; build descent up as gradually as distance. "
                        + record.evidence_text),
        })
    return flag_rows(rows)
