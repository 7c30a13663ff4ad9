"""Training load: the weekly table, the load rules and their helpers.

Pure functions on the activities table (see ``docs/schema.md``). Only running
(running, trail_running, treadmill) counts as running load; cross-training is
counted separately. Weeks are calendar weeks of the runner's ``local_date``.
Every rule returns rows of the flags table (:data:`FLAG_COLUMNS`) and is registered in
:mod:`kneeload.rules` (its parameters, their only defaults, its evidence); see
``docs/rules/`` for each rule's formula, default, evidence and citation.

The season is judged *as of* a day (``today``): the week holding it is the current week,
marked ``partial`` until its last day, like the first week when the data starts after its
first day. Partial weeks are never compared as if complete.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
from typing import Any

import numpy as np
import pandas as pd

from .config import WEEKDAYS, Config
from .errors import UsageError
from .rules import SEVERITY_OVERRIDE, SEVERITY_RANK, Param, registry, rule
from .schema import M_PER_KM, M_PER_MI, RUNNING_SPORTS
from .units import elevation_unit, to_elevation_unit

FLAG_COLUMNS = ("rule", "severity", "date", "week_start", "value", "threshold", "unit", "message")
#: Percentages are rounded to this many decimals before thresholds are applied, so that
#: exactly +10% (4.4 mi after 4.0 mi) is not over 10% through floating-point error.
PCT_DECIMALS = 6
#: The column naming the runner in a cohort table (a folder per athlete).
ATHLETE = "athlete"
#: A live log: when the last activity is at most this many days before the clock's date,
#: the season is judged as of the clock's date; otherwise as of the last activity.
LIVE_DAYS = 7
#: The activities-table column each ``load`` setting counts.
LOAD_COLUMNS = {"distance": "distance_m", "time": "moving_s", "srpe": "srpe"}


def __getattr__(name: str) -> Any:
    if name == "SPIKE_RULES":  # the rules paired with pain, from the registry
        return registry.spike_rules()
    raise AttributeError(name)


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


def _evidence(name: str) -> str:
    """The sentence ending a rule's messages: its evidence grade and citation."""
    return registry.get(name).evidence_text


def _dist(m: float, unit: str) -> str:
    return f"{m / (M_PER_MI if unit == 'mi' else M_PER_KM):.1f} {unit}"


def _elev(m: float, unit: str) -> str:
    return f"{to_elevation_unit(m, unit):.0f} {elevation_unit(unit)}"


def _amount(value: float, load: str, unit: str) -> str:
    """A load in words: distance in ``unit``, moving time as h:mm, session-RPE in AU."""
    if load == "time":
        minutes = int(round(value / 60))
        return f"{minutes // 60}:{minutes % 60:02d} h"
    if load == "srpe":
        return f"{value:.0f} RPE-min"
    return _dist(value, unit)


def with_srpe(activities: pd.DataFrame) -> pd.DataFrame:
    """``activities`` with an ``srpe`` column: RPE x moving minutes (Foster 2001), NaN
    without an RPE."""
    rpe = activities["rpe"] if "rpe" in activities else np.nan
    return activities.assign(srpe=rpe * activities["moving_s"] / 60)


def pct_text(value: float, threshold: float) -> str:
    """``value`` [%] signed, with enough decimals that it never reads as at or under the
    ``threshold`` it exceeds (+10.1% is not "+10%" beside "at most +10%").

    Examples
    --------
    >>> pct_text(10.1, 10.0), pct_text(45.2, 10.0), pct_text(10.04, 10.0)
    ('+10.1%', '+45%', '+10.04%')
    """
    for decimals in range(0, 4):
        text = f"{value:+.{decimals}f}"
        if (float(text) > threshold) == (value > threshold):
            return text + "%"
    return f"{value:+.4f}%"


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
    return activities[activities["sport"].isin(RUNNING_SPORTS) & ~_implausible(activities)]


def _implausible(activities: pd.DataFrame) -> pd.Series:
    """Rows no human could cover (see docs/sports.md); False where the column is absent."""
    if "implausible" not in activities:
        return pd.Series(False, index=activities.index)
    return activities["implausible"].fillna(False).astype(bool)


def as_of(activities: pd.DataFrame, today: Any = None,
          clock: dt.date | None = None) -> pd.Timestamp:
    """The day the season is judged as of.

    ``today`` when given. Otherwise the clock's date (``clock``, default the machine's) when
    the last activity is at most :data:`LIVE_DAYS` days before it (a live log, checked every
    morning), else the last activity's local date (a past season is judged as it ended).
    """
    if today is not None:
        return pd.Timestamp(today).normalize()
    now = pd.Timestamp(clock or dt.date.today())
    if activities.empty:
        return now
    last = pd.Timestamp(activities["local_date"].max())
    if last <= now <= last + pd.Timedelta(days=LIVE_DAYS):
        return now
    return last


def _as_of_by_group(activities: pd.DataFrame, today: Any) -> pd.Series:
    """:func:`as_of` per athlete (index ``_g``), or for the whole table (index 0)."""
    g = group_column(activities)
    if not g:
        return pd.Series([as_of(activities, today)], index=[0])
    return activities.groupby(g, sort=True).apply(lambda part: as_of(part, today))


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


def breaks(activities: pd.DataFrame, gap_days: int | None = None) -> pd.DataFrame:
    """Returns after a break: every run that follows ``gap_days`` [days] or more with no run
    (default: the ``return_after_break`` rule's), one row per return, per athlete.

    Columns: ``local_date`` (the first run back), ``activity_id``, ``distance_m``,
    ``last_before`` (the last run day before the break), ``gap_days`` (days between them),
    ``prior_longest_m`` (the longest run of the 30 days up to the last run before),
    ``usual_week_m`` (the running of the 28 days up to the last run before, per 7 days).
    """
    if gap_days is None:
        gap_days = registry.get("return_after_break").defaults["gap_days"]
    g = group_column(activities)
    cols = ([g] if g else []) + ["local_date", "activity_id", "distance_m", "last_before",
                                 "gap_days", "prior_longest_m", "usual_week_m"]
    runs = running(activities).sort_values(([g] if g else []) + ["local_start"], kind="stable")
    if runs.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    prev = runs.groupby(g, sort=False)["local_date"].shift(1) if g else \
        runs["local_date"].shift(1)
    gap = (runs["local_date"] - prev).dt.days
    back = runs[gap >= gap_days].assign(last_before=prev[gap >= gap_days],
                                        gap_days=gap[gap >= gap_days].astype(int))
    rows = []
    for r in back.itertuples():
        mine = runs[runs[g] == getattr(r, g)] if g else runs
        before = mine[mine["local_date"] <= r.last_before]
        win30 = before[before["local_date"] > r.last_before - pd.Timedelta(days=30)]
        win28 = before[before["local_date"] > r.last_before - pd.Timedelta(days=28)]
        rows.append({**_who(r), "local_date": r.local_date, "activity_id": r.activity_id,
                     "distance_m": float(r.distance_m), "last_before": r.last_before,
                     "gap_days": int(r.gap_days),
                     "prior_longest_m": float(win30["distance_m"].max()),
                     "usual_week_m": float(win28["distance_m"].sum() / 4)})
    out = pd.DataFrame(rows, columns=cols)
    return out


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


#: The last weekly table built: (the activities frame, its fingerprint, the arguments, the
#: table). A daily ``check`` asks for the same table five times (flags, advice, notes, the
#: season); one entry makes the four repeats a copy instead of a rebuild.
_LAST_WEEKS: list[tuple[pd.DataFrame, bytes, tuple, pd.DataFrame]] = []


def _fingerprint(df: pd.DataFrame) -> bytes | None:
    """A digest of ``df``'s columns, dtypes, index and values, or None when some value cannot
    be hashed (then nothing is remembered). An in-place edit changes it."""
    try:
        values = pd.util.hash_pandas_object(df, index=True).to_numpy()
    except (TypeError, ValueError):
        return None
    head = repr((list(df.columns), [str(t) for t in df.dtypes])).encode()
    return hashlib.sha1(head + values.tobytes()).digest()


def weekly_table(activities: pd.DataFrame, week_start: str = "monday",
                 end: pd.Timestamp | None = None, *, today: Any = None,
                 gap_days: int | None = None, return_weeks: int | None = None) -> pd.DataFrame:
    """One row per calendar week, zero weeks included (per athlete in a cohort table).

    Columns: ``week_start``, ``week_end`` (dates), ``runs``, ``distance_m``, ``moving_s``,
    ``longest_m``, ``descent_m``, ``cadence_spm`` (moving-time-weighted mean of runs with
    cadence), ``cross_n``, ``cross_distance_m``, ``cross_moving_s`` (cycling, swimming,
    walking, other: never running load), ``change_prev_pct`` (on the week before),
    ``change_4wk_pct`` (on the mean of the 4 weeks before), ``change_2wk_pct`` (the last two
    weeks on the two before: Nielsen's two-week progression). A change is NaN when its base
    is 0 (a return after a break is not an infinite increase). A table with an ``athlete``
    column gets an ``athlete`` column and every figure per athlete, vectorised.

    ``srpe`` is the week's session-RPE load (RPE x minutes, Foster 2001) of the runs with an
    ``rpe``. ``partial`` marks the first week when the data starts after its first day and
    the current week (the one holding ``today``, see :func:`as_of`) until its last day; a
    partial week is never compared as if complete: its changes, and the changes of the weeks
    whose base includes it, are NaN. ``return_week`` is 1, 2, ... for the weeks of a return
    after a break of ``gap_days`` [days] (up to ``return_weeks``; defaults: the
    ``return_after_break`` rule's), else 0: the weekly rules leave those weeks to that rule.
    The table runs to the week holding ``today`` (or ``end``).
    """
    defaults = registry.get("return_after_break").defaults
    fingerprint = None
    args: tuple[Any, ...] = ()
    try:  # today=None means the machine's clock: never remembered (the day may turn)
        if today is not None:
            args = (str(week_start), None if end is None else pd.Timestamp(end),
                    pd.Timestamp(today).normalize(),
                    float(gap_days if gap_days is not None else defaults["gap_days"]),
                    float(return_weeks if return_weeks is not None
                          else defaults["return_weeks"]))
            fingerprint = _fingerprint(activities)
    except (TypeError, ValueError, AttributeError):
        fingerprint = None  # arguments the table itself will judge (and reject)
    if fingerprint is not None and _LAST_WEEKS:
        frame, fp, last_args, table = _LAST_WEEKS[0]
        if frame is activities and fp == fingerprint and last_args == args:
            return table.copy()
    table = _weekly_table(activities, week_start, end, today=today, gap_days=gap_days,
                          return_weeks=return_weeks)
    _LAST_WEEKS.clear()
    if fingerprint is not None:
        _LAST_WEEKS.append((activities, fingerprint, args, table.copy()))
    return table


def _weekly_table(activities: pd.DataFrame, week_start: str, end: pd.Timestamp | None, *,
                  today: Any, gap_days: int | None, return_weeks: int | None) -> pd.DataFrame:
    cols = ["week_start", "week_end", "runs", "distance_m", "moving_s", "longest_m", "descent_m",
            "cadence_spm", "srpe", "cross_n", "cross_distance_m", "cross_moving_s", "partial",
            "return_week", "change_prev_pct", "change_4wk_pct", "change_2wk_pct"]
    g = group_column(activities)
    if activities.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in ([g] if g else []) + cols})
    key = activities[g] if g else pd.Series(0, index=activities.index)
    if g:
        key = key.astype(object)
    acts = activities.assign(week_start=week_start_of(activities["local_date"], week_start),
                             _g=key.to_numpy())
    first = acts.groupby("_g", sort=True)["week_start"].min()
    first_day = acts.groupby("_g", sort=True)["local_date"].min()
    last = acts.groupby("_g", sort=True)["week_start"].max()
    days = _as_of_by_group(activities, today)
    days.index = last.index
    last = last.clip(lower=week_start_of(days, week_start))
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
    rpe = runs["rpe"] if "rpe" in runs else pd.Series(np.nan, index=runs.index)
    srpe = runs.assign(_srpe=rpe * runs["moving_s"] / 60).groupby(["_g", "week_start"])["_srpe"]
    out["srpe"] = srpe.sum(min_count=1).reindex(week_index)
    out = out.reset_index()
    ws_today = week_start_of(days, week_start)
    first_partial = out["week_start"].eq(out["_g"].map(first)) & out["_g"].map(
        first_day).gt(out["week_start"])
    current_partial = out["week_start"].eq(out["_g"].map(ws_today)) & out["_g"].map(
        days).lt(out["week_start"] + pd.Timedelta(days=6))
    out["partial"] = (first_partial | current_partial).to_numpy()
    out["return_week"] = _return_weeks(activities, out, week_start, gap_days, return_weeks)
    d = out["distance_m"].where(~out["partial"])
    by = d.groupby(out["_g"].to_numpy(), sort=False)
    prev = by.shift(1)
    # the mean of the complete weeks among the 4 before (at least 3 of them)
    prev4 = prev.groupby(out["_g"].to_numpy(), sort=False).rolling(4, min_periods=3).mean()
    prev4 = prev4.reset_index(level=0, drop=True).reindex(out.index)
    two = d + prev
    two_before = by.shift(2) + by.shift(3)
    out["change_prev_pct"] = (((d / prev.where(prev > 0)) - 1) * 100).round(PCT_DECIMALS)
    out["change_4wk_pct"] = (((d / prev4.where(prev4 > 0)) - 1) * 100).round(PCT_DECIMALS)
    out["change_2wk_pct"] = (((two / two_before.where(two_before > 0)) - 1) * 100).round(
        PCT_DECIMALS)
    out["week_end"] = out["week_start"] + pd.Timedelta(days=6)
    out["runs"] = out["runs"].astype("int64")
    out["cross_n"] = out["cross_n"].astype("int64")
    if g:
        return out.rename(columns={"_g": g})[[g] + cols]
    return out[cols]


def _return_weeks(activities: pd.DataFrame, weeks: pd.DataFrame, week_start: str,
                  gap_days: int | None, return_weeks: int | None) -> np.ndarray:
    """1, 2, ... for the weeks of a return after a break (the week of the first run back is
    1), 0 otherwise, aligned with ``weeks`` (columns ``_g``, ``week_start``)."""
    defaults = registry.get("return_after_break").defaults
    n = int(return_weeks if return_weeks is not None else defaults["return_weeks"])
    out = np.zeros(len(weeks), dtype="int64")
    back = breaks(activities, gap_days)
    if back.empty or n == 0:
        return out
    g = group_column(activities)
    back_ws = week_start_of(back["local_date"], week_start)
    for who, ws in zip(back[g] if g else [0] * len(back), back_ws, strict=True):
        k = ((weeks["week_start"] - ws).dt.days // 7 + 1).to_numpy()
        mine = (weeks["_g"] == who).to_numpy() & (k >= 1) & (k <= n)
        out[mine] = k[mine]
    return out


# --- rules on weeks ----------------------------------------------------------------------

_PCT = "%"


@rule("weekly_increase", title="The 10% rule, week over week", kind="weeks",
      grade="weak", pairs_with_pain=True,
      evidence="weak: the rule's origin is undocumented and a randomised trial found no fewer "
               "injuries with it",
      citation="Buist et al. 2008, Am J Sports Med 36(1):33-39; Nielsen et al. 2014, JOSPT",
      severity="info (weak evidence), whatever the size",
      params=(Param("threshold_pct", 10.0, _PCT, "the rule's limit", high=1000.0),
              Param("min_base_m", 8046.72, "m", "the week before must have at least this "
                    "much running (5 mi)", high=1e6),
              Param("min_base_s", 3600.0, "s", "with load = time: the week before must hold "
                    "this much running time (1 h, about 5 mi at 12 min/mi)", high=1e6),
              Param("min_base_srpe", 300.0, "RPE-min", "with load = srpe: the week before "
                    "must hold this much session-RPE (1 h at RPE 5)", high=1e6),
              SEVERITY_OVERRIDE))
def weekly_increase(weeks: pd.DataFrame, *, threshold_pct: float, min_base_m: float,
                    min_base_s: float, min_base_srpe: float, severity: str, unit: str = "mi",
                    load: str = "distance") -> pd.DataFrame:
    """The 10% rule: a complete week's running distance more than ``threshold_pct`` [%]
    above the complete week before. Not judged when the week before is under ``min_base_m``
    [m] (a tiny base), when either week is partial, or in the weeks of a return after a
    break (the ``return_after_break`` rule judges those). The message also gives the change
    on the mean of the 4 weeks before, which a deload week does not inflate. ``load`` (the
    config's) chooses what is compared: running distance, moving time (runs with no
    distance count) or session-RPE.

    References
    ----------
    Buist et al. 2008, Am J Sports Med 36(1):33-39. Nielsen et al. 2014, JOSPT. Foster et al.
    2001 (session-RPE).
    """
    record = registry.get("weekly_increase")
    col = LOAD_COLUMNS[load]
    base = {"distance": min_base_m, "time": min_base_s, "srpe": min_base_srpe}[load]
    rows = []
    if load == "distance":
        weeks = weeks.assign(xload=weeks["distance_m"], xch=weeks["change_prev_pct"],
                             xch4=weeks["change_4wk_pct"])
    else:
        v = weeks[col].where(~weeks["partial"])
        p1 = _gshift(weeks.assign(_v=v), "_v", 1)
        m4 = _grolling_mean(p1, weeks, 4, 3)
        weeks = weeks.assign(xload=weeks[col],
                             xch=(((v / p1.where(p1 > 0)) - 1) * 100).round(PCT_DECIMALS),
                             xch4=(((v / m4.where(m4 > 0)) - 1) * 100).round(PCT_DECIMALS))
    prev = _gshift(weeks, "xload", 1)
    hit = weeks.assign(xprev=prev)[
        (prev >= base) & (weeks["xch"] > threshold_pct) & (weeks["return_week"] == 0)]
    for w in hit.itertuples():
        p = w.xprev
        four = ""
        if pd.notna(w.xch4):
            mean4 = w.xload / (1 + w.xch4 / 100)
            four = (f" and {pct_text(w.xch4, threshold_pct)} on the mean of the 4 "
                    f"weeks before ({_amount(mean4, load, unit)})")
            if w.xch4 <= threshold_pct:
                four += ": the week before was lighter, so this is mostly a return to your usual"
        rows.append({
            **_who(w),
            "rule": "weekly_increase", "severity": record.severity_of("over", {
                "severity": severity}), "date": w.week_end,
            "week_start": w.week_start, "value": round(float(w.xch), 1),
            "threshold": threshold_pct, "unit": "%",
            "message": (f"Week of {w.week_start:%d %b}: {_amount(w.xload, load, unit)} of "
                        f"running, {pct_text(w.xch, threshold_pct)} on the week before "
                        f"({_amount(p, load, unit)}){four}. The {threshold_pct:g}% rule advises "
                        f"at most +{threshold_pct:g}% a week. " + record.evidence_text),
        })
    return _flags(rows)


@rule("two_week_increase", title="Two-week progression before each session (Nielsen 2014)",
      kind="activities", grade="not significant", pairs_with_pain=True,
      evidence="not significant: in a cohort, runners progressing >30% over two weeks seemed "
               "more vulnerable to distance-related injuries, runner's knee among them (HR "
               "1.59, 95% CI 0.96-2.66)",
      citation="Nielsen et al. 2014, JOSPT",
      severity="info over the threshold; warn when the progression is large (over large_pct)",
      params=(Param("threshold_pct", 30.0, _PCT, "flag a progression over this",
                    high=1000.0),
              Param("large_pct", 60.0, _PCT, "a large progression (the scheme: twice the "
                    "threshold)", high=10000.0),
              Param("min_base_m", 16093.44, "m", "the 14 days before the two weeks must hold "
                    "at least this much running (10 mi)", high=1e6),
              Param("min_base_s", 7200.0, "s", "with load = time: the base's running time "
                    "(2 h)", high=1e6),
              Param("min_base_srpe", 600.0, "RPE-min", "with load = srpe: the base's "
                    "session-RPE (2 h at RPE 5)", high=1e6),
              SEVERITY_OVERRIDE))
def two_week_increase(activities: pd.DataFrame, *, threshold_pct: float, large_pct: float,
                      min_base_m: float, min_base_s: float, min_base_srpe: float,
                      severity: str, unit: str = "mi", week_start: str = "monday",
                      today: Any = None, weeks: pd.DataFrame | None = None,
                      load: str = "distance") -> pd.DataFrame:
    """Two-week progression evaluated at every session, as Nielsen 2014 did: the running of
    the 14 days up to and including each run's day against the 14 days before them,
    ``100 x (D(t-13..t) / D(t-27..t-14) - 1)`` [%]. Flagged above ``threshold_pct``; at
    most one flag a calendar week (its highest session). Not judged before 28 days of data,
    when the base is under ``min_base_m`` [m], or in the weeks of a return after a break.

    References
    ----------
    Nielsen et al. 2014, JOSPT: >30% progression over 2 weeks, HR 1.59 (0.96-2.66).
    """
    record = registry.get("two_week_increase")
    min_base_m = {"distance": min_base_m, "time": min_base_s, "srpe": min_base_srpe}[load]
    prog = two_week_progression(activities, week_start=week_start, today=today, weeks=weeks,
                                column=LOAD_COLUMNS[load])
    g = group_column(activities)
    hit = prog[(prog["base_m"] >= min_base_m) & (prog["progression_pct"] > threshold_pct)
               & (prog["return_week"] == 0)]
    if hit.empty:
        return empty_flags()
    keys = ([g] if g else []) + ["week_start"]
    best = hit.sort_values("progression_pct", ascending=False, kind="stable").drop_duplicates(
        keys).sort_values(([g] if g else []) + ["local_date"])
    rows = []
    for w in best.itertuples():
        size = "large" if w.progression_pct > large_pct else "over"
        rows.append({
            **_who(w),
            "rule": "two_week_increase", "severity": record.severity_of(size, {
                "severity": severity}), "date": w.local_date,
            "week_start": w.week_start, "value": round(float(w.progression_pct), 1),
            "threshold": threshold_pct, "unit": "%",
            "message": (f"{w.local_date:%a %d %b}: {_amount(w.two_weeks_m, load, unit)} of "
                        "running in the 14 days to this run, "
                        f"{pct_text(w.progression_pct, threshold_pct)} on the 14 days before "
                        f"({_amount(w.base_m, load, unit)}). Runners who "
                        f"progressed more than {threshold_pct:g}% over two weeks seemed more "
                        "prone to distance-related injuries, runner's knee among them; the "
                        "link was not statistically significant. " + record.evidence_text),
        })
    return _flags(rows)


def two_week_progression(activities: pd.DataFrame, *, week_start: str = "monday",
                         today: Any = None, weeks: pd.DataFrame | None = None,
                         column: str = "distance_m") -> pd.DataFrame:
    """Nielsen's two-week progression on every run day: ``two_weeks_m`` (running of the 14
    days up to and including the day [m]), ``base_m`` (the 14 days before them [m]),
    ``progression_pct`` (NaN before 28 days of data or on a zero base), ``week_start`` and
    ``return_week`` (see :func:`weekly_table`; ``weeks``, when given, is that table), per
    athlete in a cohort table. ``column`` is the load: ``distance_m`` (the ``*_m`` columns
    are then metres), ``moving_s`` or ``srpe`` (they are then seconds or RPE-min)."""
    g = group_column(activities)
    grid = _daily_grid(with_srpe(activities) if column == "srpe" else activities, column)
    cols = ([g] if g else []) + ["local_date", "week_start", "two_weeks_m", "base_m",
                                 "progression_pct", "return_week"]
    if grid.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    gid = grid["_g"].to_numpy()
    load = grid["load"]
    roll = load.groupby(gid, sort=False).rolling(14, min_periods=14).sum()
    roll = roll.reset_index(level=0, drop=True).reindex(load.index)
    base = roll.groupby(gid, sort=False).shift(14)
    grid = grid.assign(two_weeks_m=roll, base_m=base)
    grid["progression_pct"] = ((roll / base.where(base > 0) - 1) * 100).round(PCT_DECIMALS)
    run_days = running(activities)
    key = run_days[g].astype(object) if g else pd.Series(0, index=run_days.index)
    days = pd.DataFrame({"_g": key.to_numpy(), "local_date": run_days["local_date"].to_numpy()
                         }).drop_duplicates()
    out = grid.merge(days, on=["_g", "local_date"])
    out["week_start"] = week_start_of(out["local_date"], week_start)
    if weeks is None:
        weeks = weekly_table(activities, week_start, today=today)
    wkey = weeks[g].astype(object) if g else pd.Series(0, index=weeks.index)
    ret = pd.Series(weeks["return_week"].to_numpy(),
                    index=pd.MultiIndex.from_arrays([wkey.to_numpy(), weeks["week_start"]]))
    out["return_week"] = ret.reindex(pd.MultiIndex.from_arrays(
        [out["_g"], out["week_start"]])).fillna(0).astype("int64").to_numpy()
    if g:
        out = out.rename(columns={"_g": g})
    return out[cols].reset_index(drop=True)


@rule("descent_increase", title="Weekly descent ramp (knee-specific load)", kind="weeks",
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

    References
    ----------
    Telhan et al. 2010, J Athl Train 45:16. Shih & Ho 2023, JSSM 22:111.
    """
    record = registry.get("descent_increase")
    desc = weeks["descent_m"].where(~weeks["partial"])
    ref = _grolling_mean(_gshift(weeks.assign(_d=desc), "_d", 1), weeks, 4, 1).clip(
        lower=min_base_m)
    change = ((desc / ref - 1) * 100).round(PCT_DECIMALS)
    first_week = _gshift(weeks, "week_start", 1).isna()
    hit = weeks.assign(xchange=change, xref=ref)[(change > threshold_pct) & ~first_week]
    rows = []
    for w in hit.itertuples():
        size = "large" if w.xchange > large_pct else "over"
        rows.append({
            **_who(w),
            "rule": "descent_increase", "severity": record.severity_of(size, {
                "severity": severity}), "date": w.week_end,
            "week_start": w.week_start, "value": round(float(w.xchange), 1),
            "threshold": threshold_pct, "unit": "%",
            "message": (f"Week of {w.week_start:%d %b}: {_elev(w.descent_m, unit)} of descent, "
                        f"{pct_text(w.xchange, threshold_pct)} on the reference of "
                        f"{_elev(w.xref, unit)} (the mean of the 4 weeks before, at least "
                        f"{_elev(min_base_m, unit)}). Downhill running loads the knee "
                        "eccentrically; build descent up as gradually as distance. "
                        + record.evidence_text),
        })
    return _flags(rows)


@rule("low_cadence", title="Low running cadence", kind="weeks", grade="biomechanical",
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
                unit: str = "mi") -> pd.DataFrame:
    """Low cadence notice: one flag per stretch of consecutive weeks whose average cadence
    is under ``threshold_spm`` [steps/min], dated at the stretch's last week. Suggests a
    gradual +5-10%, never a 180 spm target. Weeks without cadence data end no stretch.

    References
    ----------
    Heiderscheit et al. 2011, MSSE 43(2):296. Lenhart et al. 2014, MSSE 46(3):557.
    """
    record = registry.get("low_cadence")
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
            "rule": "low_cadence", "severity": record.severity_of("over", {
                "severity": severity}), "date": r.last_end,
            "week_start": r.last_start, "value": round(mean, 1), "threshold": threshold_spm,
            "unit": "spm",
            "message": (f"Your running cadence averaged {mean:.0f} steps/min {span}, under "
                        f"{threshold_spm:g}. Raising it gradually by 5-10% (to about "
                        f"{mean * 1.05:.0f}-{mean * 1.10:.0f}) lowers the load on the knee; 180 "
                        "steps/min is folklore, not a target. " + record.evidence_text),
        })
    return _flags(rows)


# --- rules on days and runs ---------------------------------------------------------------


def session_spikes(activities: pd.DataFrame, window_days: int | None = None) -> pd.DataFrame:
    """Each run against the longest run of the ``window_days`` before it (Frandsen 2025;
    default: the ``session_spike`` rule's).

    Returns the runs with ``prior_longest_m`` (the longest run that started in
    ``[start - window_days, start)``), ``spike_pct`` (= 100 x (d / prior_longest - 1)) and
    ``history_days`` (days of data before the run); a run with less than ``window_days`` of
    history, or with no run in its window (a return after a break, see
    :func:`breaks`), has NaN ``spike_pct``. Per athlete in a cohort table, vectorised.
    """
    if window_days is None:
        window_days = registry.get("session_spike").defaults["window_days"]
    window_days = int(window_days)
    g = group_column(activities)
    keep = ([g] if g else []) + ["activity_id", "local_start", "local_date", "distance_m"]
    runs = running(activities)
    cols = keep + ["prior_longest_m", "spike_pct", "history_days"]
    if runs.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    order = ([g] if g else []) + ["local_start"]
    runs = runs.sort_values(order, kind="stable")[keep].reset_index(drop=True)
    dist = runs["distance_m"].fillna(0.0)
    window = f"{window_days}D"
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


@rule("session_spike", title="A single run longer than the recent longest (Frandsen 2025)",
      kind="activities", grade="strong", pairs_with_pain=True,
      evidence="the strongest available: a cohort of 5,205 runners and 588,071 sessions; all "
               "three bands significantly raised the injury rate",
      citation="Frandsen et al. 2025, Br J Sports Med 59(17):1203-1210, "
               "doi:10.1136/bjsports-2024-109380",
      severity="warn in the >10-30% and >30-100% bands (HRR 1.64 and 1.52, significant); alert "
               "above 100% (HRR 2.28)",
      params=(Param("window_days", 30, "days", "the look-back", kind="int", low=1, high=365),
              Param("caution_pct", 10.0, _PCT, "flag above this (HRR 1.64 for >10-30%)",
                    high=10000.0),
              Param("second_band_pct", 30.0, _PCT, "the second band starts here (HRR 1.52 for "
                    ">30-100%)", high=10000.0),
              Param("large_pct", 100.0, _PCT, "the large band starts here (HRR 2.28 for "
                    ">100%)", high=10000.0),
              SEVERITY_OVERRIDE))
def session_spike(activities: pd.DataFrame, *, window_days: int, caution_pct: float,
                  second_band_pct: float, large_pct: float, severity: str, unit: str = "mi",
                  week_start: str = "monday") -> pd.DataFrame:
    """Single-run spike: a run more than ``caution_pct`` [%] longer than the longest run of
    the preceding ``window_days`` [days]; bands at ``second_band_pct`` and ``large_pct``
    [%]. Runs with less history, or after a break with no run in the window, are not
    judged here (see :func:`session_spikes`; ``return_after_break`` calls them out).

    References
    ----------
    Frandsen et al. 2025, Br J Sports Med 59(17):1203-1210: hazard rate ratios against
    <=10%: >10-30% 1.64 (1.31-2.05); >30-100% 1.52 (1.16-2.00); >100% 2.28 (1.50-3.48).
    """
    record = registry.get("session_spike")
    s = session_spikes(activities, window_days)
    s = s[s["spike_pct"] > caution_pct]
    s = s.assign(xws=week_start_of(s["local_date"], week_start))
    rows = []
    for r in s.itertuples():
        band = ("large" if r.spike_pct > large_pct else "second" if r.spike_pct > second_band_pct
                else "first")
        thr = {"large": large_pct, "second": second_band_pct, "first": caution_pct}[band]
        hrr = {"large": "2.28", "second": "1.52", "first": "1.64"}[band]
        rows.append({
            **_who(r),
            "rule": "session_spike",
            "severity": record.severity_of("large" if band == "large" else "over",
                                           {"severity": severity}),
            "date": r.local_date, "week_start": r.xws,
            "value": round(float(r.spike_pct), 1), "threshold": thr, "unit": "%",
            "message": (f"Run on {r.local_start:%a %d %b}: {_dist(r.distance_m, unit)}, "
                        f"{pct_text(r.spike_pct, thr)} on your longest run of the {window_days} "
                        f"days before ({_dist(r.prior_longest_m, unit)}). In 5,205 runners, "
                        f"single runs this much longer than the recent longest came with {hrr}x "
                        "the injury rate. " + record.evidence_text),
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


@rule("acwr_high", title="Acute:chronic workload ratio (informational)", kind="activities",
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
            **_who(v),
            "rule": "acwr_high", "severity": record.severity_of("over", {"severity": severity}),
            "date": day, "week_start": v.week_start,
            "value": round(float(v.acwr_uncoupled), 2), "threshold": threshold, "unit": "ratio",
            "message": (f"{day:%a %d %b}: acute:chronic ratio {v.acwr_uncoupled:.2f} (7 days "
                        f"{_dist(v.acute, unit)} against {_dist(v.chronic, unit)} a week over "
                        f"the 3 weeks before); EWMA ratio {v.acwr_ewma:.2f}. Shown for "
                        "information: its predictive value is doubtful. " + record.evidence_text),
        })
    return _flags(rows)


def monotony(activities: pd.DataFrame, week_start: str = "monday", cap: float | None = None,
             column: str = "distance_m") -> pd.DataFrame:
    """Foster monotony per calendar week: mean / SD (sample SD, n-1) of the 7 daily loads,
    rest days 0, capped at ``cap`` (default: the ``monotony_high`` rule's) when the SD is 0;
    strain = weekly load x monotony. ``column`` is the load: ``distance_m`` [m],
    ``moving_s`` [s] or ``srpe`` (RPE x minutes, Foster 2001; runs without an RPE count 0).
    Computed from each week's sum and sum of squares, per athlete in a cohort table.

    References
    ----------
    Foster 1998, Med Sci Sports Exerc 30(7):1164-1168. Foster et al. 2001, J Strength Cond
    Res 15(1):109-115 (session-RPE).
    """
    if cap is None:
        cap = registry.get("monotony_high").defaults["cap"]
    g = group_column(activities)
    runs = running(activities)
    if column == "srpe":
        rpe = runs["rpe"] if "rpe" in runs else pd.Series(np.nan, index=runs.index)
        runs = runs.assign(srpe=rpe * runs["moving_s"] / 60)
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


@rule("monotony_high", title="Training monotony (Foster)", kind="activities", grade="low",
      pairs_with_pain=False,
      evidence="low: the 2.0 threshold is widely quoted, not tested in runners",
      citation="Foster 1998, Med Sci Sports Exerc 30(7):1164-1168",
      severity="info (low evidence)",
      params=(Param("threshold", 2.0, "ratio", "Foster 1998 (quoted secondarily)", high=100.0),
              Param("cap", 10.0, "ratio", "monotony when the 7 daily loads do not vary (SD 0)",
                    low=0.0, high=1000.0),
              SEVERITY_OVERRIDE))
def monotony_high(activities: pd.DataFrame, *, threshold: float, cap: float, severity: str,
                  unit: str = "mi", week_start: str = "monday", today: Any = None,
                  load: str = "distance", weeks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Foster monotony above ``threshold`` in a complete week: the same load every day with
    little rest. Partial weeks (days before the data or after ``today``) are not judged.
    ``load`` is the config's: distance, time or srpe."""
    record = registry.get("monotony_high")
    m = monotony(activities, week_start, cap, LOAD_COLUMNS[load])
    if weeks is None:
        weeks = weekly_table(activities, week_start, today=today)
    g = group_column(activities)
    keys = ([g] if g else []) + ["week_start"]
    m = m.merge(weeks[keys + ["partial"]], on=keys, how="left")
    rows = []
    for r in m[(m["monotony"] > threshold) & ~m["partial"].fillna(True)].itertuples():
        amount = (_dist(r.load, unit) if load == "distance" else
                  f"{r.load / 3600:.1f} h" if load == "time" else f"{r.load:.0f} RPE-min")
        rows.append({
            **_who(r),
            "rule": "monotony_high", "severity": record.severity_of("over", {
                "severity": severity}),
            "date": r.week_start + pd.Timedelta(days=6), "week_start": r.week_start,
            "value": round(float(r.monotony), 2), "threshold": threshold, "unit": "ratio",
            "message": (f"Week of {r.week_start:%d %b}: training monotony {r.monotony:.1f} "
                        f"(mean daily load / its SD over 7 days; {amount}), above "
                        f"{threshold:g}. Varied days with real rest lower monotony. "
                        + record.evidence_text),
        })
    return _flags(rows)


# --- all rules ----------------------------------------------------------------------------

#: The context every rule may take besides its parameters.
_CONTEXT = ("unit", "week_start", "today", "load", "pain_model", "weeks")


def flags(activities: pd.DataFrame, config: Config | None = None,
          rules: dict[str, dict[str, Any]] | None = None, *, today: Any = None) -> pd.DataFrame:
    """Run every enabled load rule of the registry; the flags table sorted by date, most
    severe first on a day. The season is judged as of ``today`` (see :func:`as_of`).

    ``rules`` overrides parameters per call: ``{"weekly_increase": {"threshold_pct": 15}}``.
    """
    cfg = (config or Config()).with_rules(rules)
    weeks = weekly_table(activities, cfg.week_start, today=today,
                         gap_days=cfg.rule("return_after_break")["gap_days"],
                         return_weeks=cfg.rule("return_after_break")["return_weeks"])
    context = {"unit": cfg.unit, "week_start": cfg.week_start, "today": today,
               "load": cfg.load, "pain_model": cfg.pain["model"], "weeks": weeks}
    parts = []
    for record in registry.values():
        if record.kind == "pain" or not cfg.rule(record.name)["enabled"]:
            continue
        data = weeks if record.kind == "weeks" else activities
        parts.append(record.fn(data, **cfg.rule(record.name), **_context_for(record, context)))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return empty_flags()
    return sort_flags(pd.concat(parts, ignore_index=True))


def _context_for(record: Any, context: dict[str, Any]) -> dict[str, Any]:
    """The context values ``record``'s function takes (never its data argument)."""
    accepted = list(inspect.signature(record.fn).parameters)[1:]
    return {k: v for k, v in context.items() if k in accepted and k in _CONTEXT}


def sort_flags(out: pd.DataFrame) -> pd.DataFrame:
    """Flags by (athlete,) date, most severe first on a day, then rule name."""
    out = out.assign(_rank=out["severity"].map(SEVERITY_RANK))
    g = [ATHLETE] if ATHLETE in out.columns else []
    out = out.sort_values(g + ["date", "_rank", "rule"], ascending=[True] * len(g)
                          + [True, False, True], kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)


def history_notes(activities: pd.DataFrame, config: Config | None = None, *,
                  today: Any = None) -> list[str]:
    """What the rules could not judge (single-run spikes before 30 days of history, partial
    weeks, returns after a break)."""
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
    weeks = weekly_table(activities, cfg.week_start, today=today)
    part = weeks[weeks["partial"]]
    for w in part.itertuples():
        which = "the current week" if w.Index == weeks.index[-1] else "the data's first week"
        notes.append(f"The week of {w.week_start:%Y-%m-%d} is {which} and partial: it is not "
                     "compared as if complete.")
    if len(weeks) < 5:
        notes.append("Fewer than 5 weeks of data: the 4-week comparisons are not available yet.")
    return notes


# --- looking ahead ------------------------------------------------------------------------


def next_week_limits(activities: pd.DataFrame, config: Config | None = None, *,
                     today: Any = None) -> dict[str, Any]:
    """:func:`kneeload.advice.next_week` as a dict of its fields (metres), for callers that
    index by name."""
    from .advice import next_week

    return next_week(activities, config, today=today).as_dict()


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
    # judged as of the plan's last day: its weeks are as complete as the plan makes them
    last = planned["local_date"].max()
    end = week_start_of(pd.Series([last]), cfg.week_start).iloc[0] + pd.Timedelta(days=6)
    out = flags(both, cfg, rules, today=end)
    first_week = week_start_of(pd.Series([planned["local_date"].min()]), cfg.week_start).iloc[0]
    return out[out["week_start"] >= first_week].reset_index(drop=True)
