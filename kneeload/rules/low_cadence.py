"""The ``low_cadence`` rule.

No limit hook: cadence is how a run is run, not how far. No run distance or week total keeps
a week's cadence above the threshold, so the rule bounds nothing that the advice, the plan
check or the planner place; its notice suggests a gradual +5-10% step rate instead.
"""

from __future__ import annotations

import pandas as pd

from ..flagrows import flag_rows, who
from ..loadcalc import group_column
from . import SEVERITY_OVERRIDE, Param, registry, rule


@rule("low_cadence", order=40,
      title="Low running cadence", kind="weeks", grade="biomechanical",
      pairs_with_pain=False,
      evidence="biomechanical: +5-10% step rate lowers knee load (+10%: -14% peak "
               "patellofemoral force)",
      citation="Heiderscheit et al. 2011, Med Sci Sports Exerc 43(2):296; Lenhart et al. 2014, "
               "Med Sci Sports Exerc 46(3):557",
      severity="info (a notice)",
      params=(Param("threshold_spm", 170.0, "steps/min", "clinicians' 'under ~170 spm'; 180 "
                    "is folklore", high=300.0),
              SEVERITY_OVERRIDE))
def low_cadence(weeks: pd.DataFrame, *, threshold_spm: float, severity: str,
                unit: str = "mi") -> pd.DataFrame:  # noqa: ARG001
    """Low cadence notice: one flag per stretch of consecutive weeks whose average cadence
    is under ``threshold_spm`` [steps/min], dated at the stretch's last week. Suggests a
    gradual +5-10%, never a 180 spm target. Weeks without cadence data end no stretch.

    A week's cadence is that of its runs with cadence. A week holding planned runs (a plan
    check's rows, counted in the weekly table's ``planned_runs``) is not judged: a planned
    run has no cadence, so the week's figure would be that of its recorded runs alone (a
    partial week's, often one run). Such a week neither makes nor extends a notice, nor
    ends one: a plan adds no cadence notice the history does not already have.

    Parameters
    ----------
    enabled : bool
        run the rule.
    threshold_spm : float
        clinicians' 'under ~170 spm'; 180 is folklore [steps/min].
    severity : str
        'auto' follows the severity scheme; info, warn or alert fixes it.

    References
    ----------
    Heiderscheit et al. 2011, MSSE 43(2):296. Lenhart et al. 2014, MSSE 46(3):557.
    """
    record = registry.get("low_cadence")
    judged = weeks["cadence_spm"].notna()
    if "planned_runs" in weeks:  # planned runs have no cadence: their weeks are not judged
        judged &= weeks["planned_runs"].fillna(0).eq(0)
    w = weeks[judged]
    low = w["cadence_spm"] < threshold_spm
    g = group_column(w)
    prev_low = low.groupby(w[g].to_numpy(), sort=False).shift() if g else low.shift()
    stretch = (low != prev_low).cumsum()
    lw = w[low].assign(_s=stretch[low], _cw=w["cadence_spm"] * w["moving_s"].clip(lower=1),
                       _w=w["moving_s"].clip(lower=1))
    agg = lw.groupby("_s", sort=True).agg(
        first=("week_start", "first"), last_start=("week_start", "last"),
        last_end=("week_end", "last"), n=("week_start", "size"), cw=("_cw", "sum"),
        w=("_w", "sum"), **({g: (g, "first")} if g else {}))
    rows = []
    for r in agg.itertuples():
        mean = float(r.cw / r.w)
        span = (f"for {r.n} weeks ({r.first:%d %b} to {r.last_end:%d %b})"
                if r.n > 1 else f"in the week of {r.last_start:%d %b}")
        rows.append({
            **who(r),
            "rule": "low_cadence", "severity": record.severity_of("over", {
                "severity": severity}), "date": r.last_end,
            "week_start": r.last_start, "value": round(mean, 1), "threshold": threshold_spm,
            "unit": "spm",
            "message": (f"Your running cadence averaged {mean:.0f} steps/min {span}, under "
                        f"{threshold_spm:g}. Raising it gradually by 5-10% (to about "
                        f"{mean * 1.05:.0f}-{mean * 1.10:.0f}) lowers the load on the knee; 180 "
                        "steps/min is folklore, not a target. " + record.evidence_text),
        })
    return flag_rows(rows)
