"""The ``descent_increase`` rule."""

from __future__ import annotations

import pandas as pd

from ..flagrows import elev, flag_rows, pct_text, who
from ..loadcalc import PCT_DECIMALS, grolling_mean, gshift
from . import SEVERITY_OVERRIDE, Param, registry, rule

_PCT = "%"


@rule("descent_increase", order=30,
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
