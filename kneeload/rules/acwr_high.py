"""The ``acwr_high`` rule.

kneeload computes the *uncoupled* ratio ``R_u = A / U`` (Lolli et al. 2019): ``A`` is the
last 7 days, ``U`` the mean of the three 7-day blocks before them (the acute week is not in
the chronic mean). Gabbett 2016's "danger zone" of 1.5 was set on the *coupled* ratio, whose
chronic mean holds the acute week too: ``R_c = A / ((A + 3U) / 4) = 4 R_u / (R_u + 3)``.
The map is increasing, so ``R_c >= 1.5`` exactly when ``R_u >= 3 x 1.5 / (4 - 1.5) = 1.8``:
the default threshold is 1.8 on the uncoupled ratio (:func:`uncoupled_of_coupled`).
"""

from __future__ import annotations

import pandas as pd

from ..flagrows import dist, empty_flags, flag_rows, who
from ..limits import Limit
from ..loadcalc import acwr, group_column, running, week_start_of
from . import SEVERITY_OVERRIDE, Param, registry, rule

#: Gabbett 2016's danger zone on the coupled ratio (team sports).
GABBETT_COUPLED = 1.5
#: Decimals a ratio is rounded to before the threshold compares it (float sums of the same
#: runs in another order differ in the 15th digit; a plan at the limit must not flag).
RATIO_DECIMALS = 9


def uncoupled_of_coupled(coupled: float) -> float:
    """The uncoupled ratio ``A / U`` whose coupled ratio ``A / ((A + 3U) / 4)`` is
    ``coupled`` (``coupled`` < 4, the coupled ratio's ceiling).

    Examples
    --------
    >>> uncoupled_of_coupled(1.5)
    1.8
    >>> round(4 * 1.8 / (1.8 + 3), 12)  # back: R_c = 4 R_u / (R_u + 3)
    1.5
    """
    return 3 * coupled / (4 - coupled)


def coupled_of_uncoupled(uncoupled: float) -> float:
    """The coupled ratio of an uncoupled ratio: ``4 R_u / (R_u + 3)``.

    Examples
    --------
    >>> coupled_of_uncoupled(2.0)
    1.6
    """
    return 4 * uncoupled / (uncoupled + 3)


def _sum(runs: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> float:
    days = runs["local_date"]
    return float(runs.loc[(days >= lo) & (days <= hi), "distance_m"].fillna(0.0).sum())


def acwr_high_limit(activities: pd.DataFrame, day: pd.Timestamp, *, threshold: float,
                    min_chronic_m: float, week_start: str = "monday") -> Limit | None:
    """The ratio's limit on ``day``: the longest run that keeps the uncoupled ratio on
    ``day`` at ``threshold``, the runs already placed in its 7 days counted,
    ``threshold x C(day) - A(day)`` [m] with ``C(d) = D(d-27..d-7) / 3`` and ``A(d) =
    D(d-6..d)``; and the week total that keeps the ratio on the week's last judged day at
    ``threshold``: the week so far plus that day's room. On the week's last day the 7 days
    are the calendar week, so the week may hold ``threshold x`` the mean of the 3 weeks
    before it. A day is judged from 28 days of data on and when ``C(d)`` is at least
    ``min_chronic_m`` [m] (None when no day of the week is)."""
    runs = running(activities)
    if runs.empty:
        return None
    first = pd.Timestamp(runs["local_date"].min())
    ws = week_start_of(pd.Series([day]), week_start).iloc[0]
    one = pd.Timedelta(days=1)
    room = []
    for d in pd.date_range(day, ws + 6 * one):
        chronic = _sum(runs, d - 27 * one, d - 7 * one) / 3
        if (d - first).days < 27 or chronic < min_chronic_m:
            continue
        room.append((d, chronic, threshold * chronic - _sum(runs, d - 6 * one, d)))
    if not room:
        return None
    so_far = _sum(runs, ws, day)
    on_day = max(0.0, room[0][2]) if room[0][0] == day else None
    last_day, last_chronic, last_room = room[-1]
    return Limit("acwr_high", on_day, so_far + max(0.0, last_room), room[0][1],
                 {"threshold": threshold, "chronic_m": room[0][1],
                  "coupled_threshold": round(coupled_of_uncoupled(threshold), 3),
                  "week_chronic_m": last_chronic, "week_judged_on": f"{last_day:%Y-%m-%d}",
                  "min_chronic_m": min_chronic_m})


@rule("acwr_high", order=60, limit=acwr_high_limit,
      title="Acute:chronic workload ratio (informational)", kind="activities",
      grade="doubtful", pairs_with_pain=True, enabled=False,
      evidence="doubtful for prediction: its thresholds come from team sports, and in 5,205 "
               "runners (Frandsen 2025) the rate of overuse injury showed a negative "
               "dose-response with the ratio, not a rise",
      citation="Gabbett 2016, BJSM 50(5):273-280; Lolli et al. 2019, BJSM 53(15):921; "
               "Williams et al. 2017, BJSM 51(3):209; Impellizzeri et al. 2021, Sports Med "
               "51:581-592; Frandsen et al. 2025, BJSM 59(17):1203-1210",
      severity="info (doubtful evidence); off by default",
      params=(Param("threshold", 1.8, "ratio", "uncoupled ratio (7 days / mean of the 3 weeks "
                    "before); 1.8 is Gabbett 2016's coupled 1.5 'danger zone' (team sports)",
                    high=100.0),
              Param("min_chronic_m", 8046.72, "m", "chronic week (mean of the 3 weeks before) "
                    "under this (5 mi): not judged", high=1e6),
              SEVERITY_OVERRIDE))
def acwr_high(activities: pd.DataFrame, *, threshold: float, min_chronic_m: float,
              severity: str, unit: str = "mi", week_start: str = "monday") -> pd.DataFrame:
    """Uncoupled rolling ACWR above ``threshold`` on a run day, at most one flag a week
    (the week's highest). Off by default: informational only. Not judged when the chronic
    load is under ``min_chronic_m`` [m a week]. The default 1.8 is Gabbett's coupled 1.5
    on the uncoupled ratio kneeload computes (``R_c = 4 R_u / (R_u + 3)``).

    Parameters
    ----------
    enabled : bool
        run the rule.
    threshold : float
        uncoupled ratio (7 days / mean of the 3 weeks before); 1.8 is Gabbett 2016's
        coupled 1.5 'danger zone' (team sports) [ratio].
    min_chronic_m : float
        chronic week (mean of the 3 weeks before) under this (5 mi): not judged [m].
    severity : str
        'auto' follows the severity scheme; info, warn or alert fixes it.

    References
    ----------
    Gabbett 2016, BJSM 50(5):273-280. Lolli et al. 2019, BJSM 53(15):921. Impellizzeri et
    al. 2021, Sports Med 51:581-592. Frandsen et al. 2025, BJSM 59(17):1203-1210 (a
    negative dose-response for the ACWR in 5,205 runners).
    """
    record = registry.get("acwr_high")
    g = group_column(activities)
    ratios = acwr(activities).reset_index()
    runs = running(activities)
    run_days = runs[[g, "local_date"]] if g else runs[["local_date"]]
    ratios = ratios.merge(run_days.drop_duplicates(), on=([g] if g else []) + ["local_date"])
    r = ratios[(ratios["chronic"] >= min_chronic_m)
               & (ratios["acwr_uncoupled"].round(RATIO_DECIMALS) > threshold)]
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
                        f"the 3 weeks before; coupled {v.acwr_coupled:.2f}), above "
                        f"{threshold:g} (coupled {coupled_of_uncoupled(threshold):.2f}); EWMA "
                        f"ratio {v.acwr_ewma:.2f}. Shown for information only. "
                        + record.evidence_text),
        })
    return flag_rows(rows)
