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
from .schema import M_PER_KM, M_PER_MI, RUNNING_SPORTS
from .units import elevation_unit, to_elevation_unit

FLAG_COLUMNS = ("rule", "severity", "date", "week_start", "value", "threshold", "unit", "message")
SEVERITY_RANK = {"info": 0, "warn": 1, "alert": 2}
#: Spike rules: the ones paired with pain (ACWR only when enabled).
#: Percentages are rounded to this many decimals before thresholds are applied, so that
#: exactly +10% (4.4 mi after 4.0 mi) is not over 10% through floating-point error.
PCT_DECIMALS = 6
#: The column naming the runner in a cohort table (a folder per athlete).
ATHLETE = "athlete"
SPIKE_RULES = ("weekly_increase", "two_week_increase", "session_spike", "descent_increase",
               "acwr_high")


# --- helpers ------------------------------------------------------------------------------


def empty_flags() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FLAG_COLUMNS})


def _flags(rows: list[dict[str, Any]]) -> pd.DataFrame:
    if not rows:
        return empty_flags()
    cols = list(FLAG_COLUMNS) + ([ATHLETE] if ATHLETE in rows[0] else [])
    df = pd.DataFrame(rows, columns=cols)
    df["date"] = pd.to_datetime(df["date"])
    df["week_start"] = pd.to_datetime(df["week_start"])
    return df


def _who(row: Any) -> dict[str, Any]:
    """``{"athlete": ...}`` for a cohort row, else nothing."""
    value = getattr(row, ATHLETE, None) if not isinstance(row, dict) else row.get(ATHLETE)
    return {ATHLETE: value} if value is not None else {}


_EVIDENCE_TEXT: dict[str, str] = {}


def _evidence(rule: str) -> str:
    text = _EVIDENCE_TEXT.get(rule)
    if text is None:
        level, refs = RULE_EVIDENCE[rule]
        text = _EVIDENCE_TEXT[rule] = f"Evidence: {level} ({refs})."
    return text


def _dist(m: float, unit: str) -> str:
    return f"{m / (M_PER_MI if unit == 'mi' else M_PER_KM):.1f} {unit}"


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
    """Running load per local date [m by default], every day present (rest days 0), for one
    runner's table."""
    runs = running(activities)
    s = runs.groupby("local_date")[column].sum(min_count=1).fillna(0.0)
    if s.empty and (start is None or end is None):
        return pd.Series(dtype=float, name=column)
    lo = start if start is not None else s.index.min()
    hi = end if end is not None else s.index.max()
    idx = pd.date_range(lo, hi, freq="D", name="local_date")
    return s.reindex(idx, fill_value=0.0).rename(column)


# --- the weekly table ---------------------------------------------------------------------


def group_column(df: pd.DataFrame) -> str | None:
    """The athlete column when the table holds several runners (a cohort), else None."""
    return ATHLETE if ATHLETE in df.columns else None


def _gshift(df: pd.DataFrame, col: str, n: int) -> pd.Series:
    """``df[col]`` shifted by ``n`` rows within each athlete (or over the whole table)."""
    g = group_column(df)
    return df.groupby(g, sort=False)[col].shift(n) if g else df[col].shift(n)


def _grolling_mean(values: pd.Series, df: pd.DataFrame, window: int,
                   min_periods: int) -> pd.Series:
    g = group_column(df)
    if not g:
        return values.rolling(window, min_periods=min_periods).mean()
    out = values.groupby(df[g].to_numpy(), sort=False).rolling(
        window, min_periods=min_periods).mean()
    return out.reset_index(level=0, drop=True).reindex(values.index)


def weekly_table(activities: pd.DataFrame, week_start: str = "monday",
                 end: pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per calendar week, zero weeks included (per athlete in a cohort table).

    Columns: ``week_start``, ``week_end`` (dates), ``runs``, ``distance_m``, ``moving_s``,
    ``longest_m``, ``descent_m``, ``cadence_spm`` (moving-time-weighted mean of runs with
    cadence), ``cross_n``, ``cross_distance_m``, ``cross_moving_s`` (cycling, swimming,
    walking, other: never running load), ``change_prev_pct`` (on the week before),
    ``change_4wk_pct`` (on the mean of the 4 weeks before), ``change_2wk_pct`` (the last two
    weeks on the two before: Nielsen's two-week progression). A change is NaN when its base
    is 0 (a return after a break is not an infinite increase). A table with an ``athlete``
    column gets an ``athlete`` column and every figure per athlete, vectorised.
    """
    cols = ["week_start", "week_end", "runs", "distance_m", "moving_s", "longest_m", "descent_m",
            "cadence_spm", "cross_n", "cross_distance_m", "cross_moving_s", "change_prev_pct",
            "change_4wk_pct", "change_2wk_pct"]
    g = group_column(activities)
    if activities.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in ([g] if g else []) + cols})
    key = activities[g] if g else pd.Series(0, index=activities.index)
    acts = activities.assign(week_start=week_start_of(activities["local_date"], week_start),
                             _g=key.to_numpy())
    first = acts.groupby("_g", sort=True)["week_start"].min()
    last = acts.groupby("_g", sort=True)["week_start"].max()
    if end is not None:
        end_week = week_start_of(pd.Series([pd.Timestamp(end)]), week_start).iloc[0]
        last = last.clip(lower=end_week)
    n = ((last - first).dt.days // 7 + 1).to_numpy()
    offsets = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    week_index = pd.MultiIndex.from_arrays(
        [np.repeat(first.index.to_numpy(), n),
         np.repeat(first.to_numpy(), n) + offsets * np.timedelta64(7, "D")],
        names=["_g", "week_start"])
    is_run = acts["sport"].isin(RUNNING_SPORTS)
    runs, cross = acts[is_run], acts[~is_run]
    has_cad = runs["cadence_spm"].notna() & runs["moving_s"].notna()
    runs = runs.assign(_cw=(runs["cadence_spm"] * runs["moving_s"]).where(has_cad),
                       _w=runs["moving_s"].where(has_cad))
    gr = runs.groupby(["_g", "week_start"])
    out = pd.DataFrame(index=week_index)
    out["runs"] = gr.size().reindex(week_index, fill_value=0)
    out["distance_m"] = gr["distance_m"].sum().reindex(week_index, fill_value=0.0)
    out["moving_s"] = gr["moving_s"].sum().reindex(week_index, fill_value=0.0)
    out["longest_m"] = gr["distance_m"].max().reindex(week_index, fill_value=0.0)
    out["descent_m"] = gr["descent_m"].sum().reindex(week_index, fill_value=0.0)
    out["cadence_spm"] = (gr["_cw"].sum(min_count=1) / gr["_w"].sum(min_count=1)).reindex(
        week_index)
    gc = cross.groupby(["_g", "week_start"])
    out["cross_n"] = gc.size().reindex(week_index, fill_value=0)
    out["cross_distance_m"] = gc["distance_m"].sum().reindex(week_index, fill_value=0.0)
    out["cross_moving_s"] = gc["moving_s"].sum().reindex(week_index, fill_value=0.0)
    out = out.reset_index()
    d = out["distance_m"]
    by = out.groupby("_g", sort=False)["distance_m"]
    prev = by.shift(1)
    prev4 = prev.groupby(out["_g"].to_numpy(), sort=False).rolling(4, min_periods=4).mean()
    prev4 = prev4.reset_index(level=0, drop=True).reindex(out.index)
    two = d + prev
    two_before = by.shift(2) + by.shift(3)
    out["change_prev_pct"] = (((d / prev.where(prev > 0)) - 1) * 100).round(PCT_DECIMALS)
    out["change_4wk_pct"] = (((d / prev4.where(prev4 > 0)) - 1) * 100).round(PCT_DECIMALS)
    out["change_2wk_pct"] = (((two / two_before.where(two_before > 0)) - 1) * 100).round(
        PCT_DECIMALS)
    out["week_end"] = out["week_start"] + pd.Timedelta(days=6)
    if g:
        return out.rename(columns={"_g": g})[[g] + cols]
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
    prev = _gshift(weeks, "distance_m", 1)
    hit = weeks.assign(xprev=prev)[
        (prev >= min_base_m) & (weeks["change_prev_pct"] > threshold_pct)]
    for w in hit.itertuples():
        p = w.xprev
        four = ""
        if pd.notna(w.change_4wk_pct):
            mean4 = w.distance_m / (1 + w.change_4wk_pct / 100)
            four = (f" and {w.change_4wk_pct:+.0f}% on the mean of the 4 weeks before "
                    f"({_dist(mean4, unit)})")
            if w.change_4wk_pct <= threshold_pct:
                four += ": the week before was lighter, so this is mostly a return to your usual"
        rows.append({
            **_who(w),
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
    base = _gshift(weeks, "distance_m", 2) + _gshift(weeks, "distance_m", 3)
    prev = _gshift(weeks, "distance_m", 1)
    hit = weeks.assign(xnow=d + prev, xbase=base)[
        (base >= min_base_m) & (weeks["change_2wk_pct"] > threshold_pct)]
    rows = []
    for w in hit.itertuples():
        now = w.xnow
        rows.append({
            **_who(w),
            "rule": "two_week_increase", "severity": severity, "date": w.week_end,
            "week_start": w.week_start, "value": round(float(w.change_2wk_pct), 1),
            "threshold": threshold_pct, "unit": "%",
            "message": (f"Two weeks to {w.week_end:%d %b}: {_dist(now, unit)} of running, "
                        f"{w.change_2wk_pct:+.0f}% on the two weeks before "
                        f"({_dist(w.xbase, unit)}). Runners who ramped more than "
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
    ref = _grolling_mean(_gshift(weeks, "descent_m", 1), weeks, 4, 1).clip(lower=min_base_m)
    change = ((desc / ref - 1) * 100).round(PCT_DECIMALS)
    first_week = _gshift(weeks, "week_start", 1).isna()
    hit = weeks.assign(xchange=change, xref=ref)[(change > threshold_pct) & ~first_week]
    rows = []
    for w in hit.itertuples():
        sev = "warn" if w.xchange > warn_pct else "info"
        rows.append({
            **_who(w),
            "rule": "descent_increase", "severity": sev, "date": w.week_end,
            "week_start": w.week_start, "value": round(float(w.xchange), 1),
            "threshold": threshold_pct, "unit": "%",
            "message": (f"Week of {w.week_start:%d %b}: {_elev(w.descent_m, unit)} of descent, "
                        f"{w.xchange:+.0f}% on the reference of {_elev(w.xref, unit)} "
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
            **_who(r),
            "rule": "low_cadence", "severity": severity, "date": r.last_end,
            "week_start": r.last_start, "value": round(mean, 1), "threshold": threshold_spm,
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

    Returns the runs with ``prior_longest_m`` (the longest run that started in
    ``[start - window_days, start)``), ``spike_pct`` (= 100 x (d / prior_longest - 1)) and
    ``history_days`` (days of data before the run); a run with less than ``window_days`` of
    history has NaN ``spike_pct``. Per athlete in a cohort table, in one vectorised pass.
    """
    g = group_column(activities)
    keep = ([g] if g else []) + ["activity_id", "local_start", "local_date", "distance_m"]
    runs = running(activities)
    cols = keep + ["prior_longest_m", "spike_pct", "history_days"]
    if runs.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    order = ([g] if g else []) + ["local_start"]
    runs = runs.sort_values(order, kind="stable")[keep].reset_index(drop=True)
    dist = runs["distance_m"].fillna(0.0)
    window = f"{int(window_days)}D"
    if g:
        # runs are sorted by athlete then start: the grouped result comes back in row order
        prior = (runs.assign(_d=dist).groupby(g, sort=True)
                 .rolling(window, on="local_start", closed="left")["_d"].max())
        first = runs.groupby(g, sort=False)["local_date"].transform("min")
    else:
        prior = runs.assign(_d=dist).rolling(window, on="local_start", closed="left")["_d"].max()
        first = runs["local_date"].min()
    prior = prior.to_numpy()
    history = (runs["local_date"] - first).dt.days.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        spike = np.where((history >= window_days) & (prior > 0),
                         np.round((dist.to_numpy() / prior - 1) * 100, PCT_DECIMALS), np.nan)
    runs["prior_longest_m"] = prior
    runs["spike_pct"] = spike
    runs["history_days"] = history
    return runs[cols]


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
    s = s.assign(xws=week_start_of(s["local_date"], week_start))
    rows = []
    for r in s.itertuples():
        sev = "alert" if r.spike_pct > alert_pct else "warn" if r.spike_pct > warn_pct else "info"
        thr = alert_pct if sev == "alert" else warn_pct if sev == "warn" else caution_pct
        hrr = {"alert": "2.28", "warn": "1.52", "info": "1.64"}[sev]
        rows.append({
            **_who(r),
            "rule": "session_spike", "severity": sev, "date": r.local_date,
            "week_start": r.xws,
            "value": round(float(r.spike_pct), 1), "threshold": thr, "unit": "%",
            "message": (f"Run on {r.local_start:%a %d %b}: {_dist(r.distance_m, unit)}, "
                        f"{r.spike_pct:+.0f}% on your longest run of the {window_days} days "
                        f"before ({_dist(r.prior_longest_m, unit)}). In 5,205 runners, single "
                        f"runs this much longer than the recent longest came with {hrr}x the "
                        f"injury rate. " + _evidence("session_spike")),
        })
    return _flags(rows)


def _daily_grid(activities: pd.DataFrame, column: str = "distance_m",
                week_start: str | None = None) -> pd.DataFrame:
    """Running load per athlete and local date, every day present (rest days 0): columns
    ``_g``, ``local_date``, ``load``. With ``week_start`` the range covers whole weeks."""
    g = group_column(activities)
    runs = running(activities)
    key = runs[g] if g else pd.Series(0, index=runs.index)
    daily = runs.assign(_g=key.to_numpy()).groupby(["_g", "local_date"])[column].sum(
        min_count=1).fillna(0.0)
    if daily.empty:
        return pd.DataFrame({"_g": [], "local_date": pd.Series(dtype="datetime64[ns]"),
                             "load": []})
    dates = daily.index.get_level_values(1)
    groups = daily.index.get_level_values(0)
    span = pd.DataFrame({"_g": groups, "d": dates}).groupby("_g", sort=True)["d"].agg(
        ["min", "max"])
    lo, hi = span["min"], span["max"]
    if week_start is not None:
        lo = week_start_of(lo, week_start)
        hi = week_start_of(hi, week_start) + pd.Timedelta(days=6)
    n = ((hi - lo).dt.days + 1).to_numpy()
    offsets = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    idx = pd.MultiIndex.from_arrays(
        [np.repeat(span.index.to_numpy(), n),
         np.repeat(lo.to_numpy(), n) + offsets * np.timedelta64(1, "D")],
        names=["_g", "local_date"])
    return daily.reindex(idx, fill_value=0.0).rename("load").reset_index()


def acwr(activities: pd.DataFrame, column: str = "distance_m") -> pd.DataFrame:
    """Acute:chronic workload ratios per day, on running ``column`` (distance by default).

    Columns: ``acute`` (7-day sum), ``chronic`` (mean of the three 7-day blocks before it),
    ``acwr_uncoupled`` = acute / chronic (Lolli 2019), ``acwr_coupled`` = acute / mean(acute
    and the three blocks) (cannot exceed 4.0), ``ewma_acute``, ``ewma_chronic`` (Williams
    2017: ``E_t = l*L_t + (1-l)*E_{t-1}``, ``l = 2/(N+1)``, N = 7 and 28, rest days 0,
    started at the first day's load) and ``acwr_ewma``. NaN before 28 days of history.
    Indexed by date; a cohort table also gets an ``athlete`` column.

    References
    ----------
    Gabbett 2016, BJSM 50(5):273-280. Lolli et al. 2019, BJSM 53(15):921. Williams et al. 2017,
    BJSM 51(3):209. Impellizzeri et al. 2021, Sports Med 51:581-592.
    """
    grid = _daily_grid(activities, column)
    gid = grid["_g"].to_numpy()
    load = grid["load"]
    by = load.groupby(gid, sort=False)

    def roll(series: pd.Series, window: int) -> pd.Series:
        r = series.groupby(gid, sort=False).rolling(window, min_periods=window).sum()
        return r.reset_index(level=0, drop=True).reindex(series.index)

    a = roll(load, 7)
    ag = a.groupby(gid, sort=False)
    w1, w2, w3 = ag.shift(7), ag.shift(14), ag.shift(21)
    chronic = (w1 + w2 + w3) / 3
    out = pd.DataFrame({"load": load, "acute": a, "chronic": chronic})
    out["acwr_uncoupled"] = a / chronic.where(chronic > 0)
    coupled = (a + w1 + w2 + w3) / 4
    out["acwr_coupled"] = a / coupled.where(coupled > 0)
    ea = by.ewm(alpha=2 / (7 + 1), adjust=False).mean().reset_index(level=0, drop=True)
    ec = by.ewm(alpha=2 / (28 + 1), adjust=False).mean().reset_index(level=0, drop=True)
    ea, ec = ea.reindex(load.index), ec.reindex(load.index)
    enough = by.cumcount() >= 27
    out["ewma_acute"] = ea.where(enough)
    out["ewma_chronic"] = ec.where(enough)
    out["acwr_ewma"] = (ea / ec.where(ec > 0)).where(enough)
    out.index = pd.DatetimeIndex(grid["local_date"], name="local_date")
    g = group_column(activities)
    if g:
        out.insert(0, g, gid)
    return out


def acwr_high(activities: pd.DataFrame, *, threshold: float = 1.5, min_chronic_m: float = 8046.72,
              severity: str = "warn", unit: str = "mi", week_start: str = "monday",
              enabled: bool = True) -> pd.DataFrame:
    """Uncoupled rolling ACWR at or above ``threshold`` on a run day, at most one flag a week
    (the week's highest). Off by default: informational only. Not judged when the chronic
    load is under ``min_chronic_m`` [m a week]."""
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
            **_who(v),
            "rule": "acwr_high", "severity": severity, "date": day, "week_start": v.week_start,
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
    Computed from each week's sum and sum of squares, per athlete in a cohort table.

    References
    ----------
    Foster 1998, Med Sci Sports Exerc 30(7):1164-1168.
    """
    g = group_column(activities)
    runs = running(activities)
    cols = ([g] if g else []) + ["week_start", "load", "monotony", "strain"]
    if runs.empty:
        return pd.DataFrame(columns=cols)
    key = runs[g] if g else pd.Series(0, index=runs.index)
    daily = runs.assign(_g=key.to_numpy()).groupby(["_g", "local_date"])[column].sum(
        min_count=1).fillna(0.0).reset_index()
    daily["week_start"] = week_start_of(daily["local_date"], week_start)
    daily["_sq"] = daily[column] ** 2
    wk = daily.groupby(["_g", "week_start"]).agg(load=(column, "sum"), sq=("_sq", "sum"))
    mean = wk["load"] / 7
    var = ((wk["sq"] - 7 * mean**2) / 6).clip(lower=0)
    sd = np.sqrt(var)
    flat = sd <= 1e-9 * mean.abs().clip(lower=1e-300)
    mono = (mean / sd.where(~flat)).where(wk["load"] > 0)
    mono = mono.where(~(flat & (wk["load"] > 0)), cap).clip(upper=cap)
    out = wk.reset_index()
    out["monotony"] = mono.to_numpy()
    out["strain"] = out["load"] * out["monotony"]
    out = out[out["load"] > 0].reset_index(drop=True)
    if g:
        out = out.rename(columns={"_g": g})
    return out[cols]


def monotony_high(activities: pd.DataFrame, *, threshold: float = 2.0, cap: float = 10.0,
                  severity: str = "info", unit: str = "mi", week_start: str = "monday",
                  enabled: bool = True) -> pd.DataFrame:
    """Foster monotony above ``threshold``: the same load every day with little rest."""
    m = monotony(activities, week_start, cap)
    rows = []
    for r in m[m["monotony"] > threshold].itertuples():
        rows.append({
            **_who(r),
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
    g = [ATHLETE] if ATHLETE in out.columns else []
    out = out.sort_values(g + ["date", "_rank", "rule"], ascending=[True] * len(g)
                          + [True, False, True], kind="stable")
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
