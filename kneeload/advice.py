"""Advice for the day: this week so far, the week ahead, and what the knee tolerated.

Small typed results with their units in their field names (metres, dates), so a report, the
CLI and a notebook render the same numbers:

- :func:`this_week` -> :class:`ThisWeek`: the current week's running so far, what is left
  within the 10% and two-week rules, the longest single run allowed on each remaining day
  (the 30-day window moves with the day) and the rolling 7 days;
- :func:`next_week` -> :class:`NextWeek`: the first week not yet complete (the current one
  while it runs, else the next), its limits built on complete weeks only, never negative;
- :func:`tolerance` -> :class:`Tolerance`: the runner's own record of the longest run, the
  biggest week and the most descent not followed by a pain rise;
- :func:`return_advice` -> :class:`ReturnAdvice`: a graded return after a break (heuristic).

``Season.this_week()``, ``Season.next_week()``, ``Season.tolerance()`` call these.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import pandas as pd

from .config import Config
from .errors import UsageError
from .limits import allowance
from .loadcalc import (
    as_of,
    breaks,
    graded_return,
    return_text,
    running,
    week_start_of,
    weekly_table,
)
from .pain import pain_by_load_day, window_verdict
from .units import elevation_unit, metres_per, to_elevation_unit


def _display(obj: Any, unit: str) -> dict[str, Any]:
    """A dataclass as a JSON-ready dict: ISO dates, ``*_m`` fields also in ``unit``."""
    per = metres_per(unit)
    out: dict[str, Any] = {"unit": unit}
    for f in fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, pd.Timestamp):
            out[f.name] = f"{v:%Y-%m-%d}"
        elif isinstance(v, tuple) and v and hasattr(v[0], "as_dict"):
            out[f.name] = [x.as_dict(unit) for x in v]
        elif hasattr(v, "as_dict"):
            out[f.name] = v.as_dict(unit)
        elif isinstance(v, tuple):
            out[f.name] = list(v)
        else:
            out[f.name] = v
            if f.name.endswith("_m") and v is not None:
                out[f.name[:-2]] = round(v / per, 2)
    return out


class _Display:
    """``as_dict``: fields by name; with ``unit``, JSON-ready (:func:`_display`)."""

    def as_dict(self, unit: str | None = None) -> dict[str, Any]:
        """Fields by name; with ``unit``, JSON-ready with distances also in ``unit``."""
        if unit is None:
            return asdict(self)  # type: ignore[call-overload]
        return _display(self, unit)


@dataclass(frozen=True)
class DayLimit(_Display):
    """The longest single run on ``date`` within the session-spike caution threshold."""

    date: pd.Timestamp
    recent_longest_m: float | None  #: longest run of the window before the day [m]
    max_run_m: float | None  #: recent longest x (1 + caution) [m]; None: no run in the window



@dataclass(frozen=True)
class NextWeek(_Display):
    """The look-ahead for the first week not yet complete.

    Limits are totals for the week [m], built on complete weeks only and never negative;
    None when the rule cannot judge (no complete week before, a base too small for the
    two-week rule, a return after a break).
    """

    week_start: pd.Timestamp
    in_progress: bool  #: the week holding ``today`` (partly run)
    last_week_m: float | None  #: the complete week before [m]
    max_week_10pct_m: float | None  #: last week x (1 + threshold), the minimum base at least
    max_week_2wk_m: float | None  #: (1 + threshold) x the two weeks before it - last week
    max_week_m: float | None  #: the smaller of the two
    recent_longest_m: float | None  #: longest run of the window before the week [m]
    max_run_m: float | None  #: the smallest daily limit of the week: safe on any day [m]
    days: tuple[DayLimit, ...]
    return_ceiling_m: float | None  #: in a return after a break: the graded week's ceiling
    notes: tuple[str, ...]



@dataclass(frozen=True)
class ThisWeek(_Display):
    """The current week so far, as of ``today``. Distances [m]; ``left_*`` never negative."""

    today: pd.Timestamp
    week_start: pd.Timestamp
    week_end: pd.Timestamp
    complete: bool  #: ``today`` is the week's last day
    runs: int  #: runs so far this week
    distance_m: float  #: running so far this week, today included [m]
    last_week_m: float | None  #: the complete week before [m]
    max_week_10pct_m: float | None
    left_10pct_m: float | None  #: what is left within the 10% rule [m]
    max_week_2wk_m: float | None
    left_2wk_m: float | None  #: what is left within the two-week rule [m]
    left_m: float | None  #: the smaller of the two [m]
    days: tuple[DayLimit, ...]  #: today to the week's end
    rolling_7d_m: float  #: the 7 days ending today [m]
    rolling_prev_7d_m: float  #: the 7 days before those [m]
    return_ceiling_m: float | None
    notes: tuple[str, ...]
    #: the longest run allowed today, every enabled rule's limit hook combined [m]
    run_max_m: float | None = None
    run_bound_by: str | None = None  #: the rule that sets ``run_max_m``
    week_bound_by: str | None = None  #: the rule that sets the week's smallest total


@dataclass(frozen=True)
class ReturnAdvice:
    """A graded return after a break (heuristic: practice advice, no study behind it)."""

    first_run_date: pd.Timestamp
    first_run_m: float
    gap_days: int
    prior_longest_m: float  #: the longest run of the 30 days before the break [m]
    usual_week_m: float  #: running per 7 days over the 28 days before the break [m]
    week_ceilings_m: tuple[float, ...]  #: week 1, 2, ... back: at most this [m]
    first_runs_max_m: float  #: keep single runs to about this in week 1 [m]
    text: str

    def as_dict(self, unit: str | None = None) -> dict[str, Any]:
        if unit is None:
            return asdict(self)
        out = _display(self, unit)
        out["week_ceilings"] = [round(v / metres_per(unit), 2) for v in self.week_ceilings_m]
        return out


@dataclass(frozen=True)
class Tolerated:
    """One record of the runner's own: a distance or a descent [m] and when."""

    value_m: float  #: [m] (distance, or descent)
    date: pd.Timestamp  #: the run's date, or the week's first day

    def as_dict(self, unit: str) -> dict[str, Any]:
        """Distances also in ``unit``; use :meth:`as_elevation` for descent."""
        return _display(self, unit)

    def as_elevation(self, unit: str) -> dict[str, Any]:
        """Descent also in the elevation unit beside ``unit`` (ft beside mi, m beside km)."""
        return {"value_m": self.value_m, "value": round(to_elevation_unit(self.value_m, unit), 1),
                "unit": elevation_unit(unit), "date": f"{self.date:%Y-%m-%d}"}


@dataclass(frozen=True)
class Tolerance:
    """What the knee tolerated: the runner's own record, not a prediction.

    A run (or week) is *tolerated* when the pain log covers the ``window_days`` after it
    (an entry in them, next-morning entries counted for the day before) and none of those
    days was painful (at least ``threshold``/10). Descent in metres.
    """

    longest_run: Tolerated | None
    biggest_week: Tolerated | None
    most_descent_run: Tolerated | None
    most_descent_week: Tolerated | None
    runs_judged: int
    weeks_judged: int
    threshold: float
    window_days: int
    text: str

    def as_dict(self, unit: str | None = None) -> dict[str, Any]:
        if unit is None:
            return asdict(self)
        out = _display(self, unit)
        for k in ("most_descent_run", "most_descent_week"):
            v = getattr(self, k)
            out[k] = None if v is None else v.as_elevation(unit)
        return out


# --- the week ahead -----------------------------------------------------------------------


def _limits(activities: pd.DataFrame, weeks: pd.DataFrame, start: pd.Timestamp,
            day: pd.Timestamp, cfg: Config,
            pain_log: pd.DataFrame | None = None) -> dict[str, Any]:
    """The 10% and two-week totals [m] for the week starting ``start``, from the rules'
    limit hooks (:func:`kneeload.limits.allowance` on ``day``, the first day still open)."""
    before = weeks[weeks["week_start"] < start].set_index("week_start")
    notes = []
    ws = start - pd.Timedelta(days=7)
    last = (None if ws not in before.index or bool(before.loc[ws, "partial"])
            else float(before.loc[ws, "distance_m"]))
    if last is None:
        notes.append("No complete week before this one: the 10% rule has no base yet.")
    al = allowance(activities, day, cfg, pain_log=pain_log)
    by = {lim.rule: lim for lim in al.limits}
    per = metres_per(cfg.unit)
    for lim in al.limits:
        if lim.detail.get("pain_date"):
            d = lim.detail
            cap = ("" if d["tolerated_longest_m"] is None else
                   f", the longest run at the {d['tolerated_longest_m'] / per:.1f} {cfg.unit} "
                   "your knee tolerated")
            notes.append(f"Pain {d['pain']:g}/10 ({d['when'] or 'logged'}) on {d['pain_date']} "
                         f"({lim.rule}): hold the week at last week's "
                         f"{d['held_week_m'] / per:.1f} {cfg.unit}{cap}.")
    ten = by["weekly_increase"].week_max_m if "weekly_increase" in by else None
    two = by["two_week_increase"].week_max_m if "two_week_increase" in by else None
    held = [lim.week_max_m for lim in al.limits
            if lim.detail.get("pain_date") and lim.week_max_m is not None]
    candidates = [v for v in (ten, two, *held) if v is not None]
    return {"last": last, "ten": ten, "two": two, "allowance": al,
            "max": min(candidates) if candidates else None, "notes": notes}


def _day_limits(activities: pd.DataFrame, days: pd.DatetimeIndex,
                cfg: Config) -> tuple[DayLimit, ...]:
    """The session-spike limit of each day, from its limit hook."""
    out = []
    for day in days:
        spike = next((lim for lim in allowance(activities, day, cfg).limits
                      if lim.rule == "session_spike"), None)
        if spike is None:
            out.append(DayLimit(day, None, None))
        else:
            out.append(DayLimit(day, spike.basis_m, spike.run_max_m))
    return tuple(out)


def _weeks(activities: pd.DataFrame, cfg: Config, day: pd.Timestamp) -> pd.DataFrame:
    rb = cfg.rule("return_after_break")
    return weekly_table(activities, cfg.week_start, today=day, gap_days=rb["gap_days"],
                        return_weeks=rb["return_weeks"])


def _return_ceiling(activities: pd.DataFrame, cfg: Config, day: pd.Timestamp,
                    start: pd.Timestamp, notes: list[str]) -> tuple[float | None, list[str]]:
    """The graded return's ceiling [m] for the week starting ``start`` when it is a week of
    a return after a break, else None; ``notes`` with the reason added."""
    notes = list(notes)
    ret = return_advice(activities, cfg, today=day)
    if ret is None:
        return None, notes
    k = (start - week_start_of(pd.Series([ret.first_run_date]), cfg.week_start).iloc[0]
         ).days // 7
    if not 0 <= k < len(ret.week_ceilings_m):
        return None, notes
    notes.append(f"Week {k + 1} of a return after a {ret.gap_days}-day break: judged "
                 "against the graded return, not the 10% rule.")
    return ret.week_ceilings_m[k], notes


def next_week(activities: pd.DataFrame, config: Config | None = None, *,
              today: Any = None) -> NextWeek:
    """The look-ahead for the first week not yet complete as of ``today`` (see
    :func:`kneeload.load.as_of`): the current week while it runs, else the next.

    The week's total is at most last complete week x (1 + the 10% rule's threshold), the
    minimum base at least, and at most (1 + the two-week threshold) x the two complete weeks
    before it minus last week (the week-level form of Nielsen's progression); the longest
    single run on each day is (1 + the caution threshold) x the longest run of the
    ``window_days`` before that day. In a return after a break the graded ceiling applies.
    """
    cfg = config or Config()
    if running(activities).empty:
        raise UsageError("no runs: nothing to look ahead from")
    day = as_of(activities, today)
    current = week_start_of(pd.Series([day]), cfg.week_start).iloc[0]
    in_progress = day < current + pd.Timedelta(days=6)
    start = current if in_progress else current + pd.Timedelta(days=7)
    weeks = _weeks(activities, cfg, day)
    first_day = max(day, start) if in_progress else start
    lim = _limits(activities, weeks, start, first_day, cfg)
    days = _day_limits(activities, pd.date_range(first_day, start + pd.Timedelta(days=6)), cfg)
    maxes = [d.max_run_m for d in days if d.max_run_m is not None]
    ceiling, notes = _return_ceiling(activities, cfg, day, start, lim["notes"])
    recent = days[0].recent_longest_m if days else None
    return NextWeek(start, bool(in_progress), lim["last"], lim["ten"], lim["two"],
                    lim["max"] if ceiling is None else ceiling, recent,
                    min(maxes) if maxes else None, days, ceiling, tuple(notes))


def this_week(activities: pd.DataFrame, config: Config | None = None, *,
              today: Any = None, pain_log: pd.DataFrame | None = None) -> ThisWeek:
    """The current week so far as of ``today``: distance so far, what is left within the
    10% and two-week rules (never negative), the longest run allowed on each remaining day,
    and the rolling 7 days beside the calendar week."""
    cfg = config or Config()
    if running(activities).empty:
        raise UsageError("no runs: no week to describe")
    day = as_of(activities, today)
    start = week_start_of(pd.Series([day]), cfg.week_start).iloc[0]
    end = start + pd.Timedelta(days=6)
    weeks = _weeks(activities, cfg, day)
    lim = _limits(activities, weeks, start, day, cfg, pain_log)
    runs = running(activities)
    so_far = runs[(runs["local_date"] >= start) & (runs["local_date"] <= day)]
    dist = float(so_far["distance_m"].sum())

    def left(total: float | None) -> float | None:
        return None if total is None else max(0.0, total - dist)

    days = _day_limits(activities, pd.date_range(day, end), cfg)
    r7 = runs[(runs["local_date"] > day - pd.Timedelta(days=7)) & (runs["local_date"] <= day)]
    p7 = runs[(runs["local_date"] > day - pd.Timedelta(days=14))
              & (runs["local_date"] <= day - pd.Timedelta(days=7))]
    ceiling, notes = _return_ceiling(activities, cfg, day, start, lim["notes"])
    pending = _pending_return(activities, cfg, day)
    if pending is not None and ceiling is None:
        ceiling, text = pending
        notes.append(text)
    lefts = [v for v in (left(lim["ten"]), left(lim["two"]), left(lim["max"]))
             if v is not None]
    overall = left(ceiling) if ceiling is not None else (min(lefts) if lefts else None)
    return ThisWeek(day, start, end, bool(day >= end), int(len(so_far)), dist, lim["last"],
                    lim["ten"], left(lim["ten"]), lim["two"], left(lim["two"]), overall, days,
                    float(r7["distance_m"].sum()), float(p7["distance_m"].sum()), ceiling,
                    tuple(notes), lim["allowance"].run_max_m, lim["allowance"].run_bound_by,
                    lim["allowance"].week_bound_by)


# --- returns after a break ----------------------------------------------------------------


def _pending_return(activities: pd.DataFrame, cfg: Config,
                    day: pd.Timestamp) -> tuple[float | None, str] | None:
    """When ``day`` is ``gap_days`` or more after the last run: week 1's ceiling [m] of the
    graded return the next run starts, and the advice in words."""
    rb = cfg.rule("return_after_break")
    runs = running(activities)
    runs = runs[runs["local_date"] <= day]
    if runs.empty:
        return None
    last = runs["local_date"].max()
    gap = (day - last).days
    if gap < rb["gap_days"]:
        return None
    win30 = runs[runs["local_date"] > last - pd.Timedelta(days=30)]
    win28 = runs[runs["local_date"] > last - pd.Timedelta(days=28)]
    back = pd.Series({"usual_week_m": float(win28["distance_m"].sum() / 4),
                      "prior_longest_m": float(win30["distance_m"].max())})
    ceilings, first_max, text = _graded_for(back, cfg)
    return (ceilings[0] if ceilings else None), (
        f"No run for {gap} days: your next run starts a return after a break. {text}")


def _graded_for(back: Any, cfg: Config) -> tuple[tuple[float, ...], float, str]:
    """:func:`graded_return` and its words for a break ``back`` (``usual_week_m``,
    ``prior_longest_m``) under ``cfg``'s return rule and pain model."""
    rb = cfg.rule("return_after_break")
    ceilings, first_max = graded_return(back.usual_week_m, back.prior_longest_m,
                                        start_share=rb["start_share"],
                                        return_weeks=rb["return_weeks"],
                                        min_base_m=rb["min_base_m"])
    model = cfg.pain["model"]
    limit = cfg.rule("pain_during_run")[f"{model}_limit"]
    return ceilings, first_max, return_text(back, ceilings, first_max, cfg.unit, limit, model)


def return_advice(activities: pd.DataFrame, config: Config | None = None, *,
                  today: Any = None) -> ReturnAdvice | None:
    """The graded return for the latest return after a break when ``today`` falls in its
    weeks (the ``return_after_break`` rule's ``gap_days`` and ``return_weeks``), else None.
    """
    cfg = config or Config()
    day = as_of(activities, today)
    rb = cfg.rule("return_after_break")
    back = breaks(activities[activities["local_date"] <= day], rb["gap_days"])
    if back.empty:
        return None
    b = back.iloc[-1]
    first_ws = week_start_of(pd.Series([b.local_date]), cfg.week_start).iloc[0]
    day_ws = week_start_of(pd.Series([day]), cfg.week_start).iloc[0]
    if (day_ws - first_ws).days // 7 >= rb["return_weeks"]:
        return None
    ceilings, first_max, text = _graded_for(b, cfg)
    return ReturnAdvice(b.local_date, float(b.distance_m), int(b.gap_days),
                        float(b.prior_longest_m), float(b.usual_week_m), ceilings, first_max,
                        text)


# --- what the knee tolerated --------------------------------------------------------------


def tolerance(activities: pd.DataFrame, pain_log: pd.DataFrame | None,
              config: Config | None = None, *, today: Any = None) -> Tolerance:
    """The runner's own record from ``pain_log``: the longest run, the biggest complete
    week, and the most descent (one run, one week) that were *not* followed by a pain rise
    (a painful day, at least the ``[pain]`` threshold, within ``window_days`` after; a
    next-morning entry counts for the day before). Only loads whose window the log covers
    are judged. A description of the past, not a prediction.
    """
    cfg = config or Config()
    thr = float(cfg.pain["threshold"])
    win = int(cfg.pain["window_days"])
    if pain_log is None or pain_log.empty:
        return Tolerance(None, None, None, None, 0, 0, thr, win,
                         "No pain log: kneeload cannot tell what your knee tolerated.")
    day = as_of(activities, today)
    pain = pain_by_load_day(pain_log)

    def judged(start: pd.Timestamp, end: pd.Timestamp) -> bool | None:
        """True: tolerated; False: pain followed; None: not a full window (it starts
        before the log, ends after it, or holds no entry: :func:`window_verdict`)."""
        verdict = window_verdict(pain, start, end, win, thr)
        return {"clear": True, "painful": False}.get(verdict)

    runs = running(activities)
    runs = runs[runs["local_date"] <= day]
    verdict = runs["local_date"].map(lambda d: judged(d, d))
    ok_runs = runs[verdict.eq(True)]
    weeks = _weeks(activities, cfg, day)
    weeks = weeks[~weeks["partial"] & (weeks["runs"] > 0)]
    wv = [judged(w.week_start, w.week_end) for w in weeks.itertuples()]
    ok_weeks = weeks[pd.Series([v is True for v in wv], index=weeks.index, dtype=bool)]

    def best(df: pd.DataFrame, col: str, date_col: str) -> Tolerated | None:
        df = df[df[col].notna()]
        if df.empty:
            return None
        r = df.loc[df[col].idxmax()]
        return Tolerated(float(r[col]), pd.Timestamp(r[date_col]))

    longest = best(ok_runs, "distance_m", "local_date")
    week = best(ok_weeks, "distance_m", "week_start")
    drun = best(ok_runs, "descent_m", "local_date")
    dweek = best(ok_weeks, "descent_m", "week_start")
    per = metres_per(cfg.unit)
    if longest is None and week is None:
        text = ("Your pain log does not yet cover enough runs to say what your knee "
                "tolerated.")
    else:
        eu = elevation_unit(cfg.unit)
        parts = []
        if longest is not None:
            parts.append(f"a {longest.value_m / per:.1f} {cfg.unit} run ({longest.date:%d %b})")
        if week is not None:
            parts.append(f"a {week.value_m / per:.1f} {cfg.unit} week (from {week.date:%d %b})")
        if drun is not None:
            parts.append(f"{to_elevation_unit(drun.value_m, cfg.unit):.0f} {eu} of descent in "
                         f"one run ({drun.date:%d %b})")
        text = ("In your own record, your knee tolerated " + ", ".join(parts)
                + f" with no pain of {thr:g}/10 or more in the {win} days after. This is "
                "your history, not a prediction or a limit.")
    return Tolerance(longest, week, drun, dweek, int(verdict.notna().sum()),
                     sum(v is not None for v in wv), thr, win, text)
