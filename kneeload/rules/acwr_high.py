"""The ``acwr_high`` rule."""

from __future__ import annotations

import pandas as pd

from ..flagrows import dist, empty_flags, flag_rows, who
from ..loadcalc import acwr, group_column, running, week_start_of
from . import SEVERITY_OVERRIDE, Param, registry, rule


@rule("acwr_high", order=60,
      title="Acute:chronic workload ratio (informational)", kind="activities",
      grade="doubtful", pairs_with_pain=True, enabled=False,
      evidence="doubtful for prediction; thresholds come from team sports",
      citation="Gabbett 2016, BJSM 50(5):273-280; Lolli et al. 2019, BJSM 53(15):921; "
               "Williams et al. 2017, BJSM 51(3):209; Impellizzeri et al. 2021, Sports Med "
               "51:581-592",
      severity="info (doubtful evidence); off by default",
      params=(Param("threshold", 1.5, "ratio", "Gabbett 2016's 'danger zone' (team sports)",
                    high=100.0),
              Param("min_chronic_m", 8046.72, "m", "chronic week (mean of the 3 weeks before) "
                    "under this (5 mi): not judged", high=1e6),
              SEVERITY_OVERRIDE))
def acwr_high(activities: pd.DataFrame, *, threshold: float, min_chronic_m: float,
              severity: str, unit: str = "mi", week_start: str = "monday") -> pd.DataFrame:
    """Uncoupled rolling ACWR at or above ``threshold`` on a run day, at most one flag a week
    (the week's highest). Off by default: informational only. Not judged when the chronic
    load is under ``min_chronic_m`` [m a week].

    Parameters
    ----------
    enabled : bool
        run the rule.
    threshold : float
        Gabbett 2016's 'danger zone' (team sports) [ratio].
    min_chronic_m : float
        chronic week (mean of the 3 weeks before) under this (5 mi): not judged [m].
    severity : str
        'auto' follows the severity scheme; info, warn or alert fixes it.

    References
    ----------
    Gabbett 2016, BJSM 50(5):273-280. Impellizzeri et al. 2021, Sports Med 51:581-592.
    """
    record = registry.get("acwr_high")
    g = group_column(activities)
    ratios = acwr(activities).reset_index()
    runs = running(activities)
    run_days = runs[[g, "local_date"]] if g else runs[["local_date"]]
    ratios = ratios.merge(run_days.drop_duplicates(), on=([g] if g else []) + ["local_date"])
    r = ratios[(ratios["chronic"] >= min_chronic_m) & (ratios["acwr_uncoupled"] >= threshold)]
    if r.empty:
        return empty_flags()
    r = r.assign(week_start=week_start_of(r["local_date"], week_start))
    best = r.sort_values("acwr_uncoupled", ascending=False, kind="stable").drop_duplicates(
        ([g] if g else []) + ["week_start"]).sort_values(([g] if g else []) + ["local_date"])
    rows = []
    for v in best.itertuples():
        day = v.local_date
        rows.append({
            **who(v),
            "rule": "acwr_high", "severity": record.severity_of("over", {"severity": severity}),
            "date": day, "week_start": v.week_start,
            "value": round(float(v.acwr_uncoupled), 2), "threshold": threshold, "unit": "ratio",
            "message": (f"{day:%a %d %b}: acute:chronic ratio {v.acwr_uncoupled:.2f} (7 days "
                        f"{dist(v.acute, unit)} against {dist(v.chronic, unit)} a week over "
                        f"the 3 weeks before); EWMA ratio {v.acwr_ewma:.2f}. Shown for "
                        "information: its predictive value is doubtful. " + record.evidence_text),
        })
    return flag_rows(rows)
