"""The pure load computations: weekly table, sessions, breaks, ratios, daily grid, ACWR,
monotony, the two-week progression.

No rule lives here and nothing here reads the rules registry: every parameter (a break's
length, a window) is passed in by the caller. The rule modules (``kneeload/rules/``) and the
public facade :mod:`kneeload.load` sit above this module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .clock import WEEKDAYS
from .clock import today as clock_today
from .errors import UsageError
from .flagrows import ATHLETE, who
from .schema import RUNNING_SPORTS
from .units import metres_per

#: A live log: when the last activity is at most this many days before the clock's date,
#: the season is judged as of the clock's date; otherwise as of the last activity.
LIVE_DAYS = 7
#: Decimals a percentage change is rounded to before a threshold compares it.
PCT_DECIMALS = 6
#: The activities-table column each ``load`` setting counts.
LOAD_COLUMNS = {"distance": "distance_m", "time": "moving_s", "srpe": "srpe"}
#: The weekly table's count of runs missing each ``load`` setting's value (a week with one is
#: incomplete for that load: :func:`incomplete_weeks`); distance has none.
MISSING_COLUMNS = {"distance": None, "time": "no_time", "srpe": "no_srpe"}


def missing_load(runs: pd.DataFrame, column: str) -> pd.Series:
    """Whether each running row lacks the value ``column`` (``moving_s`` or ``srpe``: a
    moving time, or an RPE and a moving time) counts; never for distance."""
    if column == "moving_s":
        return runs["moving_s"].isna()
    if column == "srpe":
        rpe = runs["rpe"] if "rpe" in runs else pd.Series(np.nan, index=runs.index)
        return rpe.isna() | runs["moving_s"].isna()
    return pd.Series(False, index=runs.index)


def incomplete_weeks(weeks: pd.DataFrame, load: str) -> pd.Series:
    """The weeks of the weekly table that are incomplete for ``load``: some run in them has
    no value of that load (no moving time for ``time``; no RPE or no moving time for
    ``srpe``). Missing is not zero: an incomplete week is never compared with another, on
    either side, like a partial week. Always False for ``distance``."""
    col = MISSING_COLUMNS.get(load)
    if col is None or col not in weeks:
        return pd.Series(False, index=weeks.index)
    return weeks[col].fillna(0).gt(0)


def with_srpe(activities: pd.DataFrame) -> pd.DataFrame:
    """``activities`` with an ``srpe`` column: RPE x moving minutes (Foster 2001), NaN
    without an RPE."""
    rpe = activities["rpe"] if "rpe" in activities else np.nan
    return activities.assign(srpe=rpe * activities["moving_s"] / 60)



def week_start_of(dates: pd.Series, week_start: str = "monday") -> pd.Series:
    """The first day of the calendar week holding each local date."""
    try:
        first = WEEKDAYS.index(week_start.lower())
    except ValueError:
        raise UsageError(f"week_start must be a weekday name, not {week_start!r}") from None
    dates = pd.to_datetime(dates)
    return dates - pd.to_timedelta((dates.dt.day_of_week - first) % 7, unit="D")


def running(activities: pd.DataFrame) -> pd.DataFrame:
    """The rows that count as running load: running sports, not marked ``implausible``
    (a row no human could cover; see docs/sports.md)."""
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
    now = pd.Timestamp(clock or clock_today())
    if activities.empty:
        return now
    last = pd.Timestamp(activities["local_date"].max())
    if last <= now <= last + pd.Timedelta(days=LIVE_DAYS):
        return now
    return last


def as_of_by_group(activities: pd.DataFrame, today: Any) -> pd.Series:
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
    if s.empty and (start is None or end is None):  # dated, so it compares with dates
        return pd.Series(dtype=float, name=column,
                         index=pd.DatetimeIndex([], name="local_date"))
    lo = start if start is not None else s.index.min()
    hi = end if end is not None else s.index.max()
    idx = pd.date_range(lo, hi, freq="D", name="local_date")
    return s.reindex(idx, fill_value=0.0).rename(column)


def breaks(activities: pd.DataFrame, gap_days: int) -> pd.DataFrame:
    """Returns after a break: every run that follows ``gap_days`` [days] or more with no run
    (default: the ``return_after_break`` rule's), one row per return, per athlete.

    Columns: ``local_date`` (the first run back), ``activity_id``, ``distance_m``,
    ``last_before`` (the last run day before the break), ``gap_days`` (days between them),
    ``prior_longest_m`` (the longest run of the 30 days up to the last run before),
    ``usual_week_m`` (the running of the 28 days up to the last run before, per 7 days).
    """
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
        longest, usual = pre_break_load(mine, r.last_before)
        rows.append({**who(r), "local_date": r.local_date, "activity_id": r.activity_id,
                     "distance_m": float(r.distance_m), "last_before": r.last_before,
                     "gap_days": int(r.gap_days), "prior_longest_m": longest,
                     "usual_week_m": usual})
    out = pd.DataFrame(rows, columns=cols)
    return out


def pre_break_load(runs: pd.DataFrame, last_before: pd.Timestamp) -> tuple[float, float]:
    """One runner's load before a break whose last run day is ``last_before``: the longest
    run of the 30 days up to it [m] and the usual week, the running of the 28 days up to it
    per 7 days [m] (the columns ``prior_longest_m`` and ``usual_week_m`` of :func:`breaks`).
    """
    before = runs[runs["local_date"] <= last_before]
    win30 = before[before["local_date"] > last_before - pd.Timedelta(days=30)]
    win28 = before[before["local_date"] > last_before - pd.Timedelta(days=28)]
    return (float(win30["distance_m"].fillna(0.0).max()),
            float(win28["distance_m"].fillna(0.0).sum() / 4))


# --- the weekly table ---------------------------------------------------------------------


def group_column(df: pd.DataFrame) -> str | None:
    """The athlete column when the table holds several runners (a cohort), else None."""
    return ATHLETE if ATHLETE in df.columns else None


def gshift(df: pd.DataFrame, col: str, n: int) -> pd.Series:
    """``df[col]`` shifted by ``n`` rows within each athlete (or over the whole table)."""
    g = group_column(df)
    return df.groupby(g, sort=False)[col].shift(n) if g else df[col].shift(n)


def grolling_mean(values: pd.Series, df: pd.DataFrame, window: int,
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
                 gap_days: int, return_weeks: int) -> pd.DataFrame:
    """One row per calendar week, zero weeks included (per athlete in a cohort table).

    Columns: ``week_start``, ``week_end`` (dates), ``runs``, ``distance_m``, ``moving_s``,
    ``longest_m``, ``descent_m``, ``cadence_spm`` (moving-time-weighted mean of runs with
    cadence), ``cross_n``, ``cross_distance_m``, ``cross_moving_s`` (cycling, swimming,
    walking, other: never running load), ``change_prev_pct`` (on the week before),
    ``change_4wk_pct`` (on the mean of the 4 weeks before), ``change_2wk_pct`` (the last two
    weeks on the two before, a four-week view; the ``two_week_increase`` rule follows
    Nielsen 2014 instead: the 7 days to each session on the 7 before, see
    :func:`two_week_progression`). A change is NaN when its base
    is 0 (a return after a break is not an infinite increase). A table with an ``athlete``
    column gets an ``athlete`` column and every figure per athlete, vectorised.

    ``srpe`` is the week's session-RPE load (RPE x minutes, Foster 2001), NaN unless every run
    of the week has an ``rpe`` and a moving time. ``no_time`` and ``no_srpe`` count the week's
    runs without a moving time, and without an RPE or a moving time: a week with one is
    incomplete for ``load = "time"`` or ``"srpe"`` (:func:`incomplete_weeks`) and is not
    compared as if complete. ``planned_runs`` counts the week's planned runs (a plan check's
    rows, ``source_format`` ``'plan'``): they have no cadence, so rules of what a device records
    (``low_cadence``) do not judge such a week. ``partial`` marks the first week when the data
    starts after its first day and the current week (the one holding ``today``, see
    :func:`as_of`) until its last day; a partial week is never compared as if complete: its
    changes, and the changes of the weeks whose base includes it, are NaN. ``return_week`` is 1,
    2, ... for the weeks of a return after a break of ``gap_days`` [days] (about as many weeks
    back as weeks off, at most ``return_weeks`` [weeks] at a reduced load and the week after
    them: see :func:`return_length`; the facade :func:`kneeload.load.weekly_table` fills in the
    ``return_after_break`` rule's), else 0: the weekly rules leave those weeks to that rule.
    The table runs to the week holding ``today`` (or ``end``).
    """
    fingerprint = None
    args: tuple[Any, ...] = ()
    try:  # today=None means the machine's clock: never remembered (the day may turn)
        if today is not None:
            args = (str(week_start), None if end is None else pd.Timestamp(end),
                    pd.Timestamp(today).normalize(),
                    float(gap_days), float(return_weeks))
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
                  today: Any, gap_days: int, return_weeks: int) -> pd.DataFrame:
    cols = ["week_start", "week_end", "runs", "distance_m", "moving_s", "longest_m", "descent_m",
            "cadence_spm", "srpe", "cross_n", "cross_distance_m", "cross_moving_s", "partial",
            "return_week", "change_prev_pct", "change_4wk_pct", "change_2wk_pct", "no_time",
            "no_srpe", "planned_runs"]
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
    days = as_of_by_group(activities, today)
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
    # runs missing a load value: the week is incomplete for that load (missing is not 0)
    out["no_time"] = runs.assign(_n=missing_load(runs, "moving_s").astype("int64")).groupby(
        ["_g", "week_start"])["_n"].sum().reindex(week_index, fill_value=0)
    out["no_srpe"] = runs.assign(_n=missing_load(runs, "srpe").astype("int64")).groupby(
        ["_g", "week_start"])["_n"].sum().reindex(week_index, fill_value=0)
    out.loc[out["no_srpe"].gt(0), "srpe"] = np.nan  # unknown when a run lacks an RPE
    # planned runs (a plan check's rows): no cadence, heart rate or anything a device records
    out["planned_runs"] = runs.assign(_n=runs["source_format"].eq("plan").astype("int64")).groupby(
        ["_g", "week_start"])["_n"].sum().reindex(week_index, fill_value=0)
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
    out["no_time"] = out["no_time"].astype("int64")
    out["no_srpe"] = out["no_srpe"].astype("int64")
    out["planned_runs"] = out["planned_runs"].astype("int64")
    if g:
        return out.rename(columns={"_g": g})[[g] + cols]
    return out[cols]


def _return_weeks(activities: pd.DataFrame, weeks: pd.DataFrame, week_start: str,
                  gap_days: int, return_weeks: int) -> np.ndarray:
    """1, 2, ... for the weeks of a return after a break (the week of the first run back is
    1; the return lasts :func:`return_length` weeks, longer after a longer break), 0
    otherwise, aligned with ``weeks`` (columns ``_g``, ``week_start``). A later break starts
    a return of its own: the weeks from its first one on are its own."""
    out = np.zeros(len(weeks), dtype="int64")
    back = breaks(activities, gap_days)
    if back.empty or int(return_weeks) <= 0:
        return out
    g = group_column(activities)
    back_ws = week_start_of(back["local_date"], week_start)
    for athlete, ws, gap in zip(back[g] if g else [0] * len(back), back_ws, back["gap_days"],
                                strict=True):
        n = return_length(int(gap), int(return_weeks))
        k = ((weeks["week_start"] - ws).dt.days // 7 + 1).to_numpy()
        athlete_rows = (weeks["_g"] == athlete).to_numpy()
        out[athlete_rows & (k >= 1)] = 0
        mine = athlete_rows & (k >= 1) & (k <= n)
        out[mine] = k[mine]
    return out



#: Nielsen 2014's exposure window [days]: the week to each session against the week before it.
NIELSEN_WEEK_DAYS = 7


def two_week_progression(activities: pd.DataFrame, *, week_start: str = "monday",
                         today: Any = None, weeks: pd.DataFrame | None = None,
                         column: str = "distance_m", gap_days: int | None = None,
                         return_weeks: int | None = None) -> pd.DataFrame:
    """Nielsen's progression of weekly running distance on every run day ``t``: ``week_m``
    (the running of the 7 days ``t-6..t``, the day's own runs counted [m]), ``base_m`` (the
    7 days before them, ``t-13..t-7`` [m]) and ``progression_pct`` = ``100 x (week_m /
    base_m - 1)`` [%] (NaN before 14 days of data, counted from the first run, or on a zero
    base), with ``week_start`` and ``return_week`` (see :func:`weekly_table`; ``weeks``,
    when given, is that table), per athlete in a cohort table. The two weeks together are
    the paper's "2-week period". ``column`` is the load: ``distance_m`` (the ``*_m``
    columns are then metres), ``moving_s`` or ``srpe`` (they are then seconds or RPE-min).
    Without ``weeks``, ``gap_days`` [days] and ``return_weeks`` build it.

    References
    ----------
    Nielsen RO et al. 2014, JOSPT 44(10):739-747 (abstract): each session categorised by the
    progression of weekly running distance (<10% or regression, 10-30%, >30%).
    """
    if weeks is None and (gap_days is None or return_weeks is None):
        raise TypeError("two_week_progression needs weeks, or gap_days and return_weeks")
    g = group_column(activities)
    grid = daily_grid(with_srpe(activities) if column == "srpe" else activities, column)
    cols = ([g] if g else []) + ["local_date", "week_start", "week_m", "base_m",
                                 "progression_pct", "return_week"]
    if grid.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    gid = grid["_g"].to_numpy()
    load = grid["load"]
    n = NIELSEN_WEEK_DAYS
    roll = load.groupby(gid, sort=False).rolling(n, min_periods=n).sum()
    roll = roll.reset_index(level=0, drop=True).reindex(load.index)
    base = roll.groupby(gid, sort=False).shift(n)
    grid = grid.assign(week_m=roll, base_m=base)
    grid["progression_pct"] = ((roll / base.where(base > 0) - 1) * 100).round(PCT_DECIMALS)
    if column in ("moving_s", "srpe"):  # a run missing its load value: its 14 days not judged
        gaps = _missing_days(activities, column, grid)
        hole = gaps.groupby(gid, sort=False).rolling(2 * n, min_periods=1).sum()
        hole = hole.reset_index(level=0, drop=True).reindex(load.index)
        grid.loc[hole.gt(0).to_numpy(), "progression_pct"] = np.nan
    run_days = running(activities)
    key = run_days[g].astype(object) if g else pd.Series(0, index=run_days.index)
    days = pd.DataFrame({"_g": key.to_numpy(), "local_date": run_days["local_date"].to_numpy()
                         }).drop_duplicates()
    out = grid.merge(days, on=["_g", "local_date"])
    out["week_start"] = week_start_of(out["local_date"], week_start)
    if weeks is None:
        weeks = weekly_table(activities, week_start, today=today, gap_days=int(gap_days or 0),
                             return_weeks=int(return_weeks or 0))
    wkey = weeks[g].astype(object) if g else pd.Series(0, index=weeks.index)
    ret = pd.Series(weeks["return_week"].to_numpy(),
                    index=pd.MultiIndex.from_arrays([wkey.to_numpy(), weeks["week_start"]]))
    out["return_week"] = ret.reindex(pd.MultiIndex.from_arrays(
        [out["_g"], out["week_start"]])).fillna(0).astype("int64").to_numpy()
    if g:
        out = out.rename(columns={"_g": g})
    return out[cols].reset_index(drop=True)



def _missing_days(activities: pd.DataFrame, column: str, grid: pd.DataFrame) -> pd.Series:
    """Per row of ``grid`` (``_g``, ``local_date``): how many runs that day lack the value
    ``column`` counts (:func:`missing_load`)."""
    g = group_column(activities)
    runs = running(activities)
    key = runs[g].astype(object) if g else pd.Series(0, index=runs.index)
    n = pd.DataFrame({"_g": key.to_numpy(), "local_date": runs["local_date"].to_numpy(),
                      "_n": missing_load(runs, column).astype("int64").to_numpy()}
                     ).groupby(["_g", "local_date"])["_n"].sum()
    idx = pd.MultiIndex.from_arrays([grid["_g"].to_numpy(), grid["local_date"].to_numpy()])
    return pd.Series(n.reindex(idx, fill_value=0).to_numpy(), index=grid.index)


def session_spikes(activities: pd.DataFrame, window_days: int,
                   break_days: int | None = None) -> pd.DataFrame:
    """Each run against the longest run of the ``window_days`` before it (Frandsen 2025;
    default: the ``session_spike`` rule's).

    Returns the runs with ``prior_longest_m`` (the longest run that started in
    ``[start - window_days, start)``), ``spike_pct`` (= 100 x (d / prior_longest - 1)),
    ``history_days`` (days of data before the run) and ``break_days``. A run with less than
    ``window_days`` of history, or with no run in its window, has NaN ``spike_pct``.

    With ``break_days`` [days], the first run after ``break_days`` or more with no run (a
    return after a break, see :func:`breaks`) is judged against the longest run of the
    ``window_days`` up to the last run before the break, whatever the break's length (its
    own window holds part of that month, or nothing), so that a longer break never lowers
    the spike (it needs ``window_days`` of history, as any run; the data may start within
    the month before the break). The ``break_days`` column is then
    the break's length [days] for such a run (0 for every other run). Per athlete in a cohort table,
    vectorised.
    """
    window_days = int(window_days)
    g = group_column(activities)
    keep = ([g] if g else []) + ["activity_id", "local_start", "local_date", "distance_m"]
    runs = running(activities)
    cols = keep + ["prior_longest_m", "spike_pct", "history_days", "break_days"]
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
    prior = prior.to_numpy().copy()
    history = (runs["local_date"] - first).dt.days.to_numpy()
    judged = history >= window_days
    gaps = np.zeros(len(runs), dtype="int64")
    if break_days is not None:
        for i, p, gap in _pre_break_longest(runs, window_days, int(break_days)):
            prior[i], judged[i], gaps[i] = p, True, gap
    with np.errstate(divide="ignore", invalid="ignore"):
        spike = np.where(judged & (prior > 0),
                         np.round((dist.to_numpy() / prior - 1) * 100, PCT_DECIMALS), np.nan)
    runs["prior_longest_m"] = prior
    runs["spike_pct"] = spike
    runs["history_days"] = history
    runs["break_days"] = gaps
    return runs[cols]


def _pre_break_longest(runs: pd.DataFrame, window_days: int,
                       break_days: int) -> list[tuple[int, float, int]]:
    """``(row, longest, gap)`` for each first run back after ``break_days`` [days] or more
    with no run in ``runs`` (sorted, as :func:`session_spikes` holds them): the longest run
    of the ``window_days`` [days] up to the last run before the break [m] and the break's
    length [days]; a run with less than ``window_days`` of history is left out."""
    g = group_column(runs)
    back = breaks(runs.assign(sport="running"), break_days)
    out = []
    for b in back.itertuples():
        mine = runs[runs[g] == getattr(b, g)] if g else runs
        rows = mine.index[mine["activity_id"] == b.activity_id]
        if (b.local_date - mine["local_date"].min()).days < window_days:
            continue  # too little history, as for any run
        before = mine[(mine["local_date"] <= b.last_before)
                      & (mine["local_date"] > b.last_before - pd.Timedelta(days=window_days))]
        longest = float(before["distance_m"].fillna(0.0).max())
        out += [(int(i), longest, int(b.gap_days)) for i in rows[:1]]
    return out



def daily_grid(activities: pd.DataFrame, column: str = "distance_m",
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
    grid = daily_grid(activities, column)
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



def monotony(activities: pd.DataFrame, week_start: str = "monday", cap: float = 0.0,
             column: str = "distance_m") -> pd.DataFrame:
    """Foster monotony per calendar week: mean / SD (sample SD, n-1) of the 7 daily loads,
    rest days 0, capped at ``cap`` (default: the ``monotony_high`` rule's) when the SD is 0;
    strain = weekly load x monotony. ``column`` is the load: ``distance_m`` [m],
    ``moving_s`` [s] or ``srpe`` (RPE x minutes, Foster 2001); with those two, a week with a
    run missing its value (:func:`missing_load`) has NaN monotony and strain: missing is
    not 0.
    Computed from each week's sum and sum of squares, per athlete in a cohort table.

    References
    ----------
    Foster 1998, Med Sci Sports Exerc 30(7):1164-1168. Foster et al. 2001, J Strength Cond
    Res 15(1):109-115 (session-RPE).
    """
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
    if column in ("moving_s", "srpe"):  # a week with a run missing its value: not judged
        miss = runs.assign(_g=key.to_numpy(), _n=missing_load(runs, column).astype("int64"),
                           week_start=week_start_of(runs["local_date"], week_start)
                           ).groupby(["_g", "week_start"])["_n"].sum()
        mono = mono.where(miss.reindex(mono.index, fill_value=0).eq(0))
    out = wk.reset_index()
    out["monotony"] = mono.to_numpy()
    out["strain"] = out["load"] * out["monotony"]
    out = out[out["load"] > 0].reset_index(drop=True)
    if g:
        out = out.rename(columns={"_g": g})
    return out[cols]


def graded_return(usual_week_m: float, prior_longest_m: float, *, start_share: float,
                  return_weeks: int, min_base_m: float = 0.0
                  ) -> tuple[tuple[float, ...], float]:
    """Week ceilings [m] rising linearly from ``start_share`` of the usual week to all of it
    over ``return_weeks`` weeks, and the longest single run for week 1 (``start_share`` of
    the pre-break longest run). Heuristic. :func:`scaled_return` chooses ``start_share``
    and the weeks from the break's length.

    A usual week under ``min_base_m`` [m] is too small a base to scale from (its shares
    would read "at most 0.0 mi"): no ceilings, ``()``.

    Examples
    --------
    >>> graded_return(20000.0, 8000.0, start_share=0.5, return_weeks=3)
    ((10000.0, 15000.0, 20000.0), 4000.0)
    >>> graded_return(300.0, 160.0, start_share=0.5, return_weeks=4, min_base_m=8046.72)
    ((), 80.0)
    """
    if usual_week_m < min_base_m:
        return (), prior_longest_m * start_share
    n = max(int(return_weeks), 1)
    shares = [start_share + (1 - start_share) * k / max(n - 1, 1) for k in range(n)]
    return tuple(usual_week_m * s for s in shares), prior_longest_m * start_share


def return_shape(gap_days: int, *, return_weeks: int, start_share: float,
                 short_break_days: int, new_runner_days: int,
                 new_runner_share: float) -> tuple[int, float]:
    """The shape of a return after ``gap_days`` [days] with no run (coaching heuristics,
    see docs/rules/return_after_break.md): ``(reduced, share)``.

    ``reduced`` [weeks]: about as many weeks back at a reduced load as weeks off,
    ``round(gap_days / 7)``, at least 1 and at most ``return_weeks``. ``share``
    [fraction]: week 1's share of the usual week, ``start_share`` up to
    ``short_break_days`` [days] off, falling linearly to ``new_runner_share`` at
    ``new_runner_days`` [days] off (a new runner's start) and staying there. Neither ever
    asks less of a longer break: ``reduced`` does not fall and ``share`` does not rise with
    ``gap_days``.

    Examples
    --------
    >>> kw = dict(return_weeks=12, start_share=0.6, short_break_days=28,
    ...           new_runner_days=84, new_runner_share=0.33)
    >>> return_shape(14, **kw), return_shape(56, **kw), return_shape(100, **kw)
    ((2, 0.6), (8, 0.465), (12, 0.33))
    """
    reduced = min(max(1, int(np.floor(gap_days / 7 + 0.5))), max(int(return_weeks), 1))
    low = min(float(new_runner_share), float(start_share))
    if gap_days <= short_break_days:
        share = float(start_share)
    elif gap_days >= new_runner_days or new_runner_days <= short_break_days:
        share = low
    else:
        t = (gap_days - short_break_days) / (new_runner_days - short_break_days)
        share = float(start_share) - (float(start_share) - low) * t
    return reduced, round(share, 12)


def return_length(gap_days: int, return_weeks: int) -> int:
    """The weeks of a return after ``gap_days`` [days] off [weeks]: the reduced weeks of
    :func:`return_shape` and the week back at the usual load after them (0 when
    ``return_weeks`` is 0: no returns)."""
    if int(return_weeks) <= 0:
        return 0
    return min(max(1, int(np.floor(gap_days / 7 + 0.5))), int(return_weeks)) + 1


@dataclass(frozen=True)
class GradedReturn:
    """A return after a break, scaled with the time off (heuristic). Distances [m]."""

    gap_days: int  #: days between the last run before the break and the first run back
    reduced_weeks: int  #: weeks back at a reduced load (the week after them is the usual)
    start_share: float  #: week 1's share of the usual week and of the pre-break longest
    new_runner: bool  #: the break is long enough to start as a new runner
    #: week 1, 2, ... back: at most this much running [m]; () when the base is too small
    week_max_m: tuple[float, ...]
    #: week 1, 2, ... back: the longest single run [m] (pre-break longest x the week's
    #: share); with too small a base, only the first run back is judged: one value
    run_max_m: tuple[float, ...]

    @property
    def weeks(self) -> int:
        """The weeks the return covers (the week of the first run back is week 1)."""
        return self.reduced_weeks + 1


def scaled_return(gap_days: int, usual_week_m: float, prior_longest_m: float, *,
                  return_weeks: int, start_share: float, short_break_days: int,
                  new_runner_days: int, new_runner_share: float,
                  min_base_m: float) -> GradedReturn:
    """The graded return after ``gap_days`` [days] off from a usual week of
    ``usual_week_m`` [m] and a pre-break longest run of ``prior_longest_m`` [m]: week
    ``k`` (1 to ``reduced + 1``) at most ``usual x s_k``, its runs at most
    ``prior_longest x s_k``, where ``s_k = share + (1 - share) x (k - 1) / reduced`` (week
    ``reduced + 1`` is back at the usual week). ``reduced`` and ``share`` are
    :func:`return_shape`'s. Every week's ceiling is non-increasing in ``gap_days``.
    Heuristic (coaching practice): see docs/rules/return_after_break.md.

    Examples
    --------
    >>> r = scaled_return(14, 20000.0, 8000.0, return_weeks=12, start_share=0.6,
    ...                   short_break_days=28, new_runner_days=84, new_runner_share=0.33,
    ...                   min_base_m=8046.72)
    >>> [round(v) for v in r.week_max_m], [round(v) for v in r.run_max_m]
    ([12000, 16000, 20000], [4800, 6400, 8000])
    """
    reduced, share = return_shape(gap_days, return_weeks=return_weeks,
                                  start_share=start_share, short_break_days=short_break_days,
                                  new_runner_days=new_runner_days,
                                  new_runner_share=new_runner_share)
    weeks, first = graded_return(usual_week_m, prior_longest_m, start_share=share,
                                 return_weeks=reduced + 1, min_base_m=min_base_m)
    if weeks:
        runs = tuple(prior_longest_m * w / usual_week_m for w in weeks) \
            if usual_week_m > 0 else (first,) * len(weeks)
    else:
        runs = (first,)
    return GradedReturn(int(gap_days), reduced, share, bool(gap_days >= new_runner_days),
                        weeks, runs)


def return_text(back: Any, plan: GradedReturn, unit: str, pain_limit: float,
                model: str) -> str:
    """The graded-return suggestion for the break ``back`` (``usual_week_m``), worded as
    heuristic and within the pain model."""
    per = metres_per(unit)
    name = "patellofemoral" if model == "pfp" else "tendon"
    pain = (f"knee pain stays within {pain_limit:g}/10 while running and is no worse the "
            f"next morning (the {name} pain-monitoring model)")
    if not plan.week_max_m:
        return (f"Before the break you ran about {back.usual_week_m / per:.1f} {unit} a week, "
                "too little to scale a graded return from: start with short, easy runs and "
                f"build up only while {pain}; heuristic: practice advice, no study behind it.")
    steps = ", ".join(f"{c / per:.1f}" for c in plan.week_max_m[:-1])
    start = ("start as a new runner (short runs, walk/jog at first): "
             if plan.new_runner else "")
    return (f"Graded return after {plan.gap_days} days off (heuristic: coaching practice, no "
            f"study behind it): {start}about as many weeks back at a reduced load as weeks "
            f"off ({plan.reduced_weeks}), weeks of about {steps} {unit} from "
            f"{plan.start_share:.0%} of your usual {back.usual_week_m / per:.1f} {unit}, "
            f"then the usual week again; runs of at most about "
            f"{plan.run_max_m[0] / per:.1f} {unit} at first; go on only while {pain}.")
