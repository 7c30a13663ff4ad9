"""Training load: the weekly table, the load rules and the look-ahead.

Pure functions on the activities table (see ``docs/schema.md``). Only running
(running, trail_running, treadmill) counts as running load; cross-training is
counted separately. Weeks are calendar weeks of the runner's ``local_date``.
Every rule returns rows of the flags table (:data:`FLAG_COLUMNS`); see
``docs/rules/`` for each rule's formula, default, evidence and citation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .config import RULE_EVIDENCE, WEEKDAYS, Config
from .errors import UsageError
from .schema import RUNNING_SPORTS
from .units import elevation_unit, to_elevation_unit, to_unit

FLAG_COLUMNS = ("rule", "severity", "date", "week_start", "value", "threshold", "unit", "message")
SEVERITY_RANK = {"info": 0, "warn": 1, "alert": 2}
#: Spike rules: the ones paired with pain (ACWR only when enabled).
#: Percentages are rounded to this many decimals before thresholds are applied, so that
#: exactly +10% (4.4 mi after 4.0 mi) is not over 10% through floating-point error.
PCT_DECIMALS = 6
SPIKE_RULES = ("weekly_increase", "two_week_increase", "session_spike", "descent_increase",
               "acwr_high")


# --- helpers ------------------------------------------------------------------------------


def empty_flags() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FLAG_COLUMNS})


def _flags(rows: list[dict[str, Any]]) -> pd.DataFrame:
    if not rows:
        return empty_flags()
    df = pd.DataFrame(rows, columns=list(FLAG_COLUMNS))
    df["date"] = pd.to_datetime(df["date"])
    df["week_start"] = pd.to_datetime(df["week_start"])
    return df


def _evidence(rule: str) -> str:
    level, refs = RULE_EVIDENCE[rule]
    return f"Evidence: {level} ({refs})."


def _dist(m: float, unit: str) -> str:
    return f"{to_unit(m, unit):.1f} {unit}"


def _elev(m: float, unit: str) -> str:
    return f"{to_elevation_unit(m, unit):.0f} {elevation_unit(unit)}"


def week_start_of(dates: pd.Series, week_start: str = "monday") -> pd.Series:
    """The first day of the calendar week holding each local date."""
    try:
        first = WEEKDAYS.index(week_start.lower())
    except ValueError:
        raise UsageError(f"week_start must be a weekday name, not {week_start!r}") from None
    dates = pd.to_datetime(dates)
    return dates - pd.to_timedelta((dates.dt.day_of_week - first) % 7, unit="D")


def running(activities: pd.DataFrame) -> pd.DataFrame:
    """The rows that count as running load."""
    return activities[activities["sport"].isin(RUNNING_SPORTS)]


def daily_load(activities: pd.DataFrame, column: str = "distance_m",
               start: pd.Timestamp | None = None, end: pd.Timestamp | None = None) -> pd.Series:
    """Running load per local date [m by default], every day present (rest days are 0)."""
    runs = running(activities)
    s = runs.groupby("local_date")[column].sum(min_count=1).fillna(0.0)
    if s.empty and (start is None or end is None):
        return pd.Series(dtype=float, name=column)
    lo = start if start is not None else s.index.min()
    hi = end if end is not None else s.index.max()
    idx = pd.date_range(lo, hi, freq="D", name="local_date")
    return s.reindex(idx, fill_value=0.0).rename(column)


# --- the weekly table ---------------------------------------------------------------------


def weekly_table(activities: pd.DataFrame, week_start: str = "monday",
                 end: pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per calendar week, zero weeks included.

    Columns: ``week_start``, ``week_end`` (dates), ``runs``, ``distance_m``, ``moving_s``,
    ``longest_m``, ``descent_m``, ``cadence_spm`` (moving-time-weighted mean of runs with
    cadence), ``cross_n``, ``cross_distance_m``, ``cross_moving_s`` (cycling, swimming,
    walking, other: never running load), ``change_prev_pct`` (on the week before),
    ``change_4wk_pct`` (on the mean of the 4 weeks before), ``change_2wk_pct`` (the last two
    weeks on the two before: Nielsen's two-week progression). A change is NaN when its base
    is 0 (a return after a break is not an infinite increase).
    """
    cols = ["week_start", "week_end", "runs", "distance_m", "moving_s", "longest_m", "descent_m",
            "cadence_spm", "cross_n", "cross_distance_m", "cross_moving_s", "change_prev_pct",
            "change_4wk_pct", "change_2wk_pct"]
    if activities.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols})
    acts = activities.assign(week_start=week_start_of(activities["local_date"], week_start))
    is_run = acts["sport"].isin(RUNNING_SPORTS)
    runs, cross = acts[is_run], acts[~is_run]
    first = acts["week_start"].min()
    last = acts["week_start"].max()
    if end is not None:
        last = max(last, week_start_of(pd.Series([pd.Timestamp(end)]), week_start).iloc[0])
    weeks = pd.date_range(first, last, freq="7D", name="week_start")
    has_cad = runs["cadence_spm"].notna() & runs["moving_s"].notna()
    cad_w = (runs["cadence_spm"] * runs["moving_s"]).where(has_cad)
    g = runs.assign(_cw=cad_w, _w=runs["moving_s"].where(has_cad)).groupby("week_start")
    out = pd.DataFrame(index=weeks)
    out["runs"] = g.size().reindex(weeks, fill_value=0)
    out["distance_m"] = g["distance_m"].sum().reindex(weeks, fill_value=0.0)
    out["moving_s"] = g["moving_s"].sum().reindex(weeks, fill_value=0.0)
    out["longest_m"] = g["distance_m"].max().reindex(weeks, fill_value=0.0)
    out["descent_m"] = g["descent_m"].sum().reindex(weeks, fill_value=0.0)
    out["cadence_spm"] = (g["_cw"].sum(min_count=1) / g["_w"].sum(min_count=1)).reindex(weeks)
    gc = cross.groupby("week_start")
    out["cross_n"] = gc.size().reindex(weeks, fill_value=0)
    out["cross_distance_m"] = gc["distance_m"].sum().reindex(weeks, fill_value=0.0)
    out["cross_moving_s"] = gc["moving_s"].sum().reindex(weeks, fill_value=0.0)
    d = out["distance_m"]
    prev = d.shift(1)
    prev4 = d.shift(1).rolling(4, min_periods=4).mean()
    two = d + d.shift(1)
    two_before = d.shift(2) + d.shift(3)
    out["change_prev_pct"] = (((d / prev.where(prev > 0)) - 1) * 100).round(PCT_DECIMALS)
    out["change_4wk_pct"] = (((d / prev4.where(prev4 > 0)) - 1) * 100).round(PCT_DECIMALS)
    out["change_2wk_pct"] = (((two / two_before.where(two_before > 0)) - 1) * 100).round(
        PCT_DECIMALS)
    out = out.reset_index()
    out["week_end"] = out["week_start"] + pd.Timedelta(days=6)
    return out[cols]


# --- rules on weeks ----------------------------------------------------------------------


def weekly_increase(weeks: pd.DataFrame, *, threshold_pct: float = 10.0,
                    min_base_m: float = 8046.72, severity: str = "info",
                    unit: str = "mi", enabled: bool = True) -> pd.DataFrame:
    """The 10% rule: a week's running distance more than ``threshold_pct`` [%] above the week
    before. Not judged when the week before is under ``min_base_m`` [m] (a tiny base, or a
    return after a break). The message also gives the change on the mean of the 4 weeks
    before, which a deload week does not inflate.

    References
    ----------
    Buist et al. 2008, Am J Sports Med 36(1):33-39. Nielsen et al. 2014, JOSPT.
    """
    rows = []
    prev = weeks["distance_m"].shift(1)
    hit = weeks[(prev >= min_base_m) & (weeks["change_prev_pct"] > threshold_pct)]
    for i, w in hit.iterrows():
        p = prev.loc[i]
        four = ""
        if pd.notna(w.change_4wk_pct):
            mean4 = w.distance_m / (1 + w.change_4wk_pct / 100)
            four = (f" and {w.change_4wk_pct:+.0f}% on the mean of the 4 weeks before "
                    f"({_dist(mean4, unit)})")
            if w.change_4wk_pct <= threshold_pct:
                four += ": the week before was lighter, so this is mostly a return to your usual"
        rows.append({
            "rule": "weekly_increase", "severity": severity, "date": w.week_end,
            "week_start": w.week_start, "value": round(float(w.change_prev_pct), 1),
            "threshold": threshold_pct, "unit": "%",
            "message": (f"Week of {w.week_start:%d %b}: {_dist(w.distance_m, unit)} of running, "
                        f"{w.change_prev_pct:+.0f}% on the week before ({_dist(p, unit)}){four}. "
                        f"The 10% rule advises at most +{threshold_pct:g}% a week. "
                        + _evidence("weekly_increase")),
        })
    return _flags(rows)


def two_week_increase(weeks: pd.DataFrame, *, threshold_pct: float = 30.0,
                      min_base_m: float = 16093.44, severity: str = "warn",
                      unit: str = "mi", enabled: bool = True) -> pd.DataFrame:
    """Two-week ramp: running distance of this and the previous week more than
    ``threshold_pct`` [%] above the two weeks before them. Not judged when those two weeks
    total under ``min_base_m`` [m].

    References
    ----------
    Nielsen et al. 2014, JOSPT: >30% progression over 2 weeks, HR 1.59 (0.96-2.66).
    """
    d = weeks["distance_m"]
    base = d.shift(2) + d.shift(3)
    hit = weeks[(base >= min_base_m) & (weeks["change_2wk_pct"] > threshold_pct)]
    rows = []
    for i, w in hit.iterrows():
        now = d.loc[i] + d.shift(1).loc[i]
        rows.append({
            "rule": "two_week_increase", "severity": severity, "date": w.week_end,
            "week_start": w.week_start, "value": round(float(w.change_2wk_pct), 1),
            "threshold": threshold_pct, "unit": "%",
            "message": (f"Two weeks to {w.week_end:%d %b}: {_dist(now, unit)} of running, "
                        f"{w.change_2wk_pct:+.0f}% on the two weeks before "
                        f"({_dist(base.loc[i], unit)}). Runners who ramped more than "
                        f"{threshold_pct:g}% over two weeks seemed more prone to distance-related "
                        "injuries, runner's knee among them. " + _evidence("two_week_increase")),
        })
    return _flags(rows)


def descent_increase(weeks: pd.DataFrame, *, threshold_pct: float = 30.0, warn_pct: float = 100.0,
                     min_base_m: float = 150.0, unit: str = "mi",
                     enabled: bool = True) -> pd.DataFrame:
    """Weekly descent ramp, the knee-specific load: a week's descent more than
    ``threshold_pct`` [%] (info) or ``warn_pct`` [%] (warn) above its reference, the mean
    descent of the 4 weeks before floored at ``min_base_m`` [m] so flat-route noise is not
    a ramp.

    References
    ----------
    Telhan et al. 2010, J Athl Train 45:16. Shih & Ho 2023, JSSM 22:111.
    """
    desc = weeks["descent_m"]
    ref = desc.shift(1).rolling(4, min_periods=1).mean().clip(lower=min_base_m)
    change = ((desc / ref - 1) * 100).round(PCT_DECIMALS)
    rows = []
    for i in weeks.index[(change > threshold_pct) & weeks.index.isin(weeks.index[1:])]:
        w = weeks.loc[i]
        sev = "warn" if change.loc[i] > warn_pct else "info"
        rows.append({
            "rule": "descent_increase", "severity": sev, "date": w.week_end,
            "week_start": w.week_start, "value": round(float(change.loc[i]), 1),
            "threshold": threshold_pct, "unit": "%",
            "message": (f"Week of {w.week_start:%d %b}: {_elev(w.descent_m, unit)} of descent, "
                        f"{change.loc[i]:+.0f}% on the reference of {_elev(ref.loc[i], unit)} "
                        f"(the mean of the 4 weeks before, at least {_elev(min_base_m, unit)}). "
                        "Downhill running loads the knee eccentrically; build descent up as "
                        "gradually as distance. " + _evidence("descent_increase")),
        })
    return _flags(rows)


def low_cadence(weeks: pd.DataFrame, *, threshold_spm: float = 170.0, severity: str = "info",
                unit: str = "mi", enabled: bool = True) -> pd.DataFrame:
    """Low cadence notice: one flag per stretch of consecutive weeks whose average cadence
    is under ``threshold_spm`` [steps/min], dated at the stretch's last week. Suggests a
    gradual +5-10%, never a 180 spm target. Weeks without cadence data end no stretch.

    References
    ----------
    Heiderscheit et al. 2011, MSSE 43(2):296. Lenhart et al. 2014, MSSE 46(3):557.
    """
    w = weeks[weeks["cadence_spm"].notna()]
    low = w["cadence_spm"] < threshold_spm
    stretch = (low != low.shift()).cumsum()
    rows = []
    for _, part in w[low].groupby(stretch[low]):
        last = part.iloc[-1]
        mean = float(np.average(part["cadence_spm"], weights=part["moving_s"].clip(lower=1)))
        n = len(part)
        span = (f"for {n} weeks ({part.iloc[0].week_start:%d %b} to {last.week_end:%d %b})"
                if n > 1 else f"in the week of {last.week_start:%d %b}")
        rows.append({
            "rule": "low_cadence", "severity": severity, "date": last.week_end,
            "week_start": last.week_start, "value": round(mean, 1), "threshold": threshold_spm,
            "unit": "spm",
            "message": (f"Your running cadence averaged {mean:.0f} steps/min {span}. Raising it "
                        f"gradually by 5-10% (to about {mean * 1.05:.0f}-{mean * 1.10:.0f}) "
                        "lowers the load on the knee; 180 steps/min is folklore, not a target. "
                        + _evidence("low_cadence")),
        })
    return _flags(rows)


# --- rules on days and runs ---------------------------------------------------------------


def session_spikes(activities: pd.DataFrame, window_days: int = 30) -> pd.DataFrame:
    """Each run against the longest run of the ``window_days`` before it (Frandsen 2025).

    Returns the runs with ``prior_longest_m``, ``spike_pct`` (= 100 x (d / prior_longest - 1))
    and ``history_days`` (days of data before the run); a run with less than
    ``window_days`` of history has NaN ``spike_pct``.
    """
    runs = running(activities).sort_values("local_start", kind="stable")
    cols = ["activity_id", "local_start", "local_date", "distance_m", "prior_longest_m",
            "spike_pct", "history_days"]
    if runs.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    t = runs["local_start"].to_numpy(dtype="datetime64[ns]")
    dist = runs["distance_m"].fillna(0.0).to_numpy()
    window = np.timedelta64(window_days, "D")
    lo = np.searchsorted(t, t - window, side="left")
    hi = np.searchsorted(t, t, side="left")  # strictly before this run's start
    prior = np.array([dist[a:b].max() if b > a else np.nan for a, b in zip(lo, hi, strict=True)])
    first = runs["local_date"].min()
    history = (runs["local_date"] - first).dt.days.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        spike = np.where((history >= window_days) & (prior > 0),
                         np.round((dist / prior - 1) * 100, PCT_DECIMALS), np.nan)
    out = runs[["activity_id", "local_start", "local_date", "distance_m"]].copy()
    out["prior_longest_m"] = prior
    out["spike_pct"] = spike
    out["history_days"] = history
    return out.reset_index(drop=True)


def session_spike(activities: pd.DataFrame, *, window_days: int = 30, caution_pct: float = 10.0,
                  warn_pct: float = 30.0, alert_pct: float = 100.0, unit: str = "mi",
                  week_start: str = "monday", enabled: bool = True) -> pd.DataFrame:
    """Single-run spike: a run more than ``caution_pct`` [%] (info), ``warn_pct`` [%] (warn)
    or ``alert_pct`` [%] (alert) longer than the longest run of the preceding
    ``window_days`` [days]. Runs with less history are not judged (see :func:`session_spikes`).

    References
    ----------
    Frandsen et al. 2025, Br J Sports Med 59(17):1203-1210: hazard rate ratios against
    <=10%: >10-30% 1.64 (1.31-2.05); >30-100% 1.52 (1.16-2.00); >100% 2.28 (1.50-3.48).
    """
    s = session_spikes(activities, window_days)
    s = s[s["spike_pct"] > caution_pct]
    rows = []
    for r in s.itertuples():
        sev = "alert" if r.spike_pct > alert_pct else "warn" if r.spike_pct > warn_pct else "info"
        thr = alert_pct if sev == "alert" else warn_pct if sev == "warn" else caution_pct
        hrr = {"alert": "2.28", "warn": "1.52", "info": "1.64"}[sev]
        rows.append({
            "rule": "session_spike", "severity": sev, "date": r.local_date,
            "week_start": week_start_of(pd.Series([r.local_date]), week_start).iloc[0],
            "value": round(float(r.spike_pct), 1), "threshold": thr, "unit": "%",
            "message": (f"Run on {r.local_start:%a %d %b}: {_dist(r.distance_m, unit)}, "
                        f"{r.spike_pct:+.0f}% on your longest run of the {window_days} days "
                        f"before ({_dist(r.prior_longest_m, unit)}). In 5,205 runners, single "
                        f"runs this much longer than the recent longest came with {hrr}x the "
                        f"injury rate. " + _evidence("session_spike")),
        })
    return _flags(rows)


def acwr(activities: pd.DataFrame, column: str = "distance_m") -> pd.DataFrame:
    """Acute:chronic workload ratios per day, on running ``column`` (distance by default).

    Columns: ``acute`` (7-day sum), ``chronic`` (mean of the three 7-day blocks before it),
    ``acwr_uncoupled`` = acute / chronic (Lolli 2019), ``acwr_coupled`` = acute / mean(acute
    and the three blocks) (cannot exceed 4.0), ``ewma_acute``, ``ewma_chronic`` (Williams
    2017: ``E_t = l*L_t + (1-l)*E_{t-1}``, ``l = 2/(N+1)``, N = 7 and 28, rest days 0,
    started at the first day's load) and ``acwr_ewma``. NaN before 28 days of history.

    References
    ----------
    Gabbett 2016, BJSM 50(5):273-280. Lolli et al. 2019, BJSM 53(15):921. Williams et al. 2017,
    BJSM 51(3):209. Impellizzeri et al. 2021, Sports Med 51:581-592.
    """
    daily = daily_load(activities, column)
    out = pd.DataFrame(index=daily.index)
    a = daily.rolling(7, min_periods=7).sum()
    w1, w2, w3 = a.shift(7), a.shift(14), a.shift(21)
    chronic = (w1 + w2 + w3) / 3
    out["load"] = daily
    out["acute"] = a
    out["chronic"] = chronic
    out["acwr_uncoupled"] = a / chronic.where(chronic > 0)
    coupled = (a + w1 + w2 + w3) / 4
    out["acwr_coupled"] = a / coupled.where(coupled > 0)
    ea = daily.ewm(alpha=2 / (7 + 1), adjust=False).mean()
    ec = daily.ewm(alpha=2 / (28 + 1), adjust=False).mean()
    enough = np.arange(len(daily)) >= 27
    out["ewma_acute"] = ea.where(enough)
    out["ewma_chronic"] = ec.where(enough)
    out["acwr_ewma"] = (ea / ec.where(ec > 0)).where(enough)
    return out


def acwr_high(activities: pd.DataFrame, *, threshold: float = 1.5, min_chronic_m: float = 8046.72,
              severity: str = "warn", unit: str = "mi", week_start: str = "monday",
              enabled: bool = True) -> pd.DataFrame:
    """Uncoupled rolling ACWR at or above ``threshold`` on a run day, at most one flag a week
    (the week's highest). Off by default: informational only. Not judged when the chronic
    load is under ``min_chronic_m`` [m a week]."""
    ratios = acwr(activities)
    run_days = set(running(activities)["local_date"])
    r = ratios[ratios.index.isin(run_days) & (ratios["chronic"] >= min_chronic_m)
               & (ratios["acwr_uncoupled"] >= threshold)]
    if r.empty:
        return empty_flags()
    r = r.assign(week_start=week_start_of(pd.Series(r.index, index=r.index), week_start))
    rows = []
    for ws, part in r.groupby("week_start"):
        day = part["acwr_uncoupled"].idxmax()
        v = part.loc[day]
        rows.append({
            "rule": "acwr_high", "severity": severity, "date": day, "week_start": ws,
            "value": round(float(v.acwr_uncoupled), 2), "threshold": threshold, "unit": "ratio",
            "message": (f"{day:%a %d %b}: acute:chronic ratio {v.acwr_uncoupled:.2f} (7 days "
                        f"{_dist(v.acute, unit)} against {_dist(v.chronic, unit)} a week over "
                        f"the 3 weeks before); EWMA ratio {v.acwr_ewma:.2f}. Shown for "
                        "information: its predictive value is doubtful. " + _evidence("acwr_high")),
        })
    return _flags(rows)


def monotony(activities: pd.DataFrame, week_start: str = "monday", cap: float = 10.0,
             column: str = "distance_m") -> pd.DataFrame:
    """Foster monotony per calendar week: mean / SD (sample SD, n-1) of the 7 daily loads,
    rest days 0, capped at ``cap`` when the SD is 0; strain = weekly load x monotony.

    References
    ----------
    Foster 1998, Med Sci Sports Exerc 30(7):1164-1168.
    """
    daily = daily_load(activities, column)
    if daily.empty:
        return pd.DataFrame(columns=["week_start", "load", "monotony", "strain"])
    ws = week_start_of(pd.Series(daily.index, index=daily.index), week_start)
    first, last = ws.iloc[0], ws.iloc[-1] + pd.Timedelta(days=6)
    daily = daily_load(activities, column, start=first, end=last)
    ws = week_start_of(pd.Series(daily.index, index=daily.index), week_start)
    g = daily.groupby(ws.to_numpy())
    mean, sd, total = g.mean(), g.std(ddof=1), g.sum()
    mono = (mean / sd.where(sd > 0)).where(total > 0)
    mono = mono.where(~((sd == 0) & (total > 0)), cap).clip(upper=cap)
    out = pd.DataFrame({"week_start": mean.index, "load": total.to_numpy(),
                        "monotony": mono.to_numpy()})
    out["strain"] = out["load"] * out["monotony"]
    return out


def monotony_high(activities: pd.DataFrame, *, threshold: float = 2.0, cap: float = 10.0,
                  severity: str = "info", unit: str = "mi", week_start: str = "monday",
                  enabled: bool = True) -> pd.DataFrame:
    """Foster monotony above ``threshold``: the same load every day with little rest."""
    m = monotony(activities, week_start, cap)
    rows = []
    for r in m[m["monotony"] > threshold].itertuples():
        rows.append({
            "rule": "monotony_high", "severity": severity,
            "date": r.week_start + pd.Timedelta(days=6), "week_start": r.week_start,
            "value": round(float(r.monotony), 2), "threshold": threshold, "unit": "ratio",
            "message": (f"Week of {r.week_start:%d %b}: training monotony {r.monotony:.1f} "
                        f"(mean daily load / its SD over 7 days; {_dist(r.load, unit)}). Varied "
                        "days with real rest lower monotony. " + _evidence("monotony_high")),
        })
    return _flags(rows)


# --- all rules ----------------------------------------------------------------------------

WEEK_RULES: dict[str, Callable[..., pd.DataFrame]] = {
    "weekly_increase": weekly_increase, "two_week_increase": two_week_increase,
    "descent_increase": descent_increase, "low_cadence": low_cadence,
}
ACTIVITY_RULES: dict[str, Callable[..., pd.DataFrame]] = {
    "session_spike": session_spike, "acwr_high": acwr_high, "monotony_high": monotony_high,
}


def flags(activities: pd.DataFrame, config: Config | None = None,
          rules: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """Run every enabled rule; the flags table sorted by date, most severe first on a day.

    ``rules`` overrides parameters per call: ``{"weekly_increase": {"threshold_pct": 15}}``.
    """
    cfg = (config or Config()).with_rules(rules)
    weeks = weekly_table(activities, cfg.week_start)
    parts = []
    for name, fn in WEEK_RULES.items():
        params = cfg.rule(name)
        if params["enabled"]:
            parts.append(fn(weeks, unit=cfg.unit, **params))
    for name, fn in ACTIVITY_RULES.items():
        params = cfg.rule(name)
        if params["enabled"]:
            parts.append(fn(activities, unit=cfg.unit, week_start=cfg.week_start, **params))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return empty_flags()
    out = pd.concat(parts, ignore_index=True)
    out["_rank"] = out["severity"].map(SEVERITY_RANK)
    out = out.sort_values(["date", "_rank", "rule"], ascending=[True, False, True], kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)


def history_notes(activities: pd.DataFrame, config: Config | None = None) -> list[str]:
    """What the rules could not judge yet (e.g. single-run spikes before 30 days of history)."""
    cfg = config or Config()
    notes = []
    runs = running(activities)
    if runs.empty:
        return ["No runs: nothing to judge."]
    window = int(cfg.rule("session_spike")["window_days"])
    first = runs["local_date"].min()
    judged_from = first + pd.Timedelta(days=window)
    notes.append(f"Single-run spikes need {window} days of history: runs before "
                 f"{judged_from:%Y-%m-%d} were not judged.")
    if len(weekly_table(activities, cfg.week_start)) < 5:
        notes.append("Fewer than 5 weeks of data: the 4-week comparisons are not available yet.")
    return notes


# --- looking ahead ------------------------------------------------------------------------


def next_week_limits(activities: pd.DataFrame, config: Config | None = None) -> dict[str, Any]:
    """The most running distance next week within the 10% rule and within the two-week rule,
    and the longest single run that stays within the session-spike caution threshold.

    Distances in metres; "next week" is the week after the last week with data.
    """
    cfg = config or Config()
    weeks = weekly_table(activities, cfg.week_start)
    if weeks.empty:
        raise UsageError("no activities: nothing to look ahead from")
    last = weeks.iloc[-1]
    wk = cfg.rule("weekly_increase")
    tw = cfg.rule("two_week_increase")
    ss = cfg.rule("session_spike")
    d = weeks["distance_m"].to_numpy()
    ten = max(d[-1], wk["min_base_m"]) * (1 + wk["threshold_pct"] / 100)
    base2 = d[-2] + d[-3] if len(d) >= 3 else np.nan
    two = (base2 * (1 + tw["threshold_pct"] / 100) - d[-1]) if base2 >= tw["min_base_m"] else np.nan
    next_start = last.week_start + pd.Timedelta(days=7)
    runs = running(activities)
    horizon_start = next_start - pd.Timedelta(days=int(ss["window_days"]))
    recent = runs[runs["local_date"] >= horizon_start]["distance_m"]
    longest = float(recent.max()) if len(recent) else np.nan
    return {
        "week_start": next_start,
        "last_week_m": float(d[-1]),
        "max_week_10pct_m": float(ten),
        "max_week_2wk_m": float(two) if not np.isnan(two) else None,
        "max_week_m": float(np.nanmin([ten, two])) if not np.isnan(two) else float(ten),
        "recent_longest_m": longest if not np.isnan(longest) else None,
        "max_run_m": longest * (1 + ss["caution_pct"] / 100) if not np.isnan(longest) else None,
    }


def plan_activities(plan: pd.DataFrame, tz: str = "UTC") -> pd.DataFrame:
    """Planned runs (``date``, ``distance_m``) as activities-table rows (noon, running)."""
    from .schema import conform_activities

    local = pd.to_datetime(plan["date"]) + pd.Timedelta(hours=12)
    rows = pd.DataFrame({
        "activity_id": [f"plan-{i}" for i in range(len(plan))],
        "start_time": local.dt.tz_localize(tz).dt.tz_convert("UTC"),
        "local_start": local, "local_date": local.dt.normalize(), "sport": "running",
        "distance_m": plan["distance_m"].astype(float), "source_format": "plan",
        "source_path": "plan", "note": "planned",
    })
    return conform_activities(rows)


def check_plan(history: pd.DataFrame, plan: pd.DataFrame, config: Config | None = None,
               rules: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """Flags the planned runs would raise if run as planned after ``history``.

    ``plan`` has ``date`` and ``distance_m``; only flags dated on or after the plan's first
    week are returned.
    """
    cfg = config or Config()
    planned = plan_activities(plan)
    both = pd.concat([history, planned], ignore_index=True).sort_values("start_time")
    out = flags(both, cfg, rules)
    first_week = week_start_of(pd.Series([planned["local_date"].min()]), cfg.week_start).iloc[0]
    return out[out["week_start"] >= first_week].reset_index(drop=True)
