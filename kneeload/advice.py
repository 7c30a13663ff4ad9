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
from .limits import Limit, allowance, rule_context
from .loadcalc import (
    as_of,
    running,
    week_start_of,
)
from .pain import pain_by_load_day, window_verdict
from .text import limit_display, two_week_steps
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
            if f.name.endswith("_m"):  # also in ``unit``; None stays None, never missing
                out[f.name[:-2]] = None if v is None else round(v / per, 2)
    return out


class _Display:
    """``as_dict``: fields by name; with ``unit``, JSON-ready (:func:`_display`)."""

    def as_dict(self, unit: str | None = None) -> dict[str, Any]:
        """Fields by name; with ``unit``, JSON-ready with distances also in ``unit`` and every
        limit on its safe side with its ``*_display`` text, as every surface prints it
        (:func:`kneeload.text.limit_display`)."""
        if unit is None:
            return asdict(self)  # type: ignore[call-overload]
        return limit_display(_display(self, unit), unit)


@dataclass(frozen=True)
class DayLimit(_Display):
    """The longest single run on ``date`` within the session-spike caution threshold and the
    two-week rule's room on the day."""

    date: pd.Timestamp
    recent_longest_m: float | None  #: longest run of the window before the day [m]
    #: recent longest x (1 + caution), or the two-week rule's room on the day where less [m];
    #: None: neither rule judges the day
    max_run_m: float | None
    #: the rule that sets ``max_run_m`` (the spike caution, the two-week room, a graded
    #: return, a pain hold...); None with no limit
    bound_by: str | None = None



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
    #: the two-week rule's: by the week's last day, (1 + threshold) x the week before [m]
    max_week_2wk_m: float | None
    max_week_m: float | None  #: the smaller of the two
    recent_longest_m: float | None  #: longest run of the window before the week [m]
    max_run_m: float | None  #: the smallest daily limit of the week: safe on any day [m]
    days: tuple[DayLimit, ...]
    return_ceiling_m: float | None  #: in a return after a break: the graded week's ceiling
    notes: tuple[str, ...]
    #: the rule whose limit hook sets ``max_week_m`` (None in a graded return)
    week_bound_by: str | None = None



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
    by = _by_role(al.limits)
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
    ten, two = by.get("week_10pct"), by.get("week_2wk")
    most = al.week_max_m  # every enabled rule's week limit, combined (weekly, pain, ACWR...)
    if two is not None:  # its run-by-run limits, where they ask less than the week
        steps = two_week_steps(two.detail.get("by_day", ()), most, cfg.unit, cfg)
        if steps is not None:
            notes.append(steps)
    return {"last": last, "ten": None if ten is None else ten.week_max_m,
            "two": None if two is None else two.week_max_m, "allowance": al,
            "max": most, "week_bound_by": al.week_bound_by, "notes": notes,
            "return": _return_limit(al.limits)}


#: The note of a look-ahead or week with no run to build on (its limits are all None).
NO_RUNS = "No runs yet: no limit can be built (every limit is null)."


def _no_limits(first: pd.Timestamp, last: pd.Timestamp) -> tuple[DayLimit, ...]:
    """Each day from ``first`` to ``last`` with no limit (no run in its window)."""
    return tuple(DayLimit(d, None, None) for d in pd.date_range(first, last))


def _day_limits(activities: pd.DataFrame, days: pd.DatetimeIndex,
                cfg: Config) -> tuple[DayLimit, ...]:
    """Each day's longest single run, from the limit hooks: every enabled rule's limit on the
    day combined (:func:`kneeload.limits.allowance`: the session-spike caution, the two-week
    room, a graded return after a break, a pain hold; the runs so far counted, none
    planned), with the rule that sets it."""
    out = []
    for day in days:
        al = allowance(activities, day, cfg)
        spike = _by_role(al.limits).get("day_spike")
        out.append(DayLimit(day, None if spike is None else spike.basis_m, al.run_max_m,
                            al.run_bound_by))
    return tuple(out)


def _by_role(limits: tuple[Limit, ...]) -> dict[str, Limit]:
    """``limits`` by the advice role their rule declares in ``detail["advice"]`` (the 10%
    week, the two-week week, the day's spike caution): no rule is looked up by name."""
    return {lim.detail["advice"]: lim for lim in limits if lim.detail.get("advice")}


def _weeks(activities: pd.DataFrame, cfg: Config, day: pd.Timestamp) -> pd.DataFrame:
    return rule_context(cfg, today=day, activities=activities)["weeks"]


def _return_limit(limits: tuple[Limit, ...]) -> Limit | None:
    """The limit of a return after a break among ``limits`` (its ``detail`` has a
    ``return_week``: the graded return's hook), else None."""
    return next((lim for lim in limits if "return_week" in lim.detail), None)


def _return_from_hook(lim: dict[str, Any], notes: list[str]) -> tuple[float | None, list[str]]:
    """The graded return's ceiling [m] for the week ``lim`` (:func:`_limits`) was built
    for when it is a week of a return after a break (or its first run would start one),
    else None; ``notes`` with the reason added."""
    notes = list(notes)
    ret = lim["return"]
    if ret is None:
        return None, notes
    d = ret.detail
    if d["pending"]:
        by = pd.Timestamp(d["first_run_date"])
        notes.append(f"No run for {d['gap_days']} days by {by:%a %d %b}: your next run starts "
                     f"a return after a break. {d['text']}")
    else:
        notes.append(f"Week {d['return_week']} of a return after a {d['gap_days']}-day break: "
                     "judged against the graded return, not the 10% rule.")
    return ret.week_max_m, notes


def next_week(activities: pd.DataFrame, config: Config | None = None, *,
              today: Any = None) -> NextWeek:
    """The look-ahead for the first week not yet complete as of ``today`` (see
    :func:`kneeload.load.as_of`): the current week while it runs, else the next.

    The week's total is at most last complete week x (1 + the 10% rule's threshold), the
    minimum base at least, and at most what the two-week rule allows by the week's last day,
    (1 + its threshold) x the calendar week before (Nielsen's progression on that day); the
    longest single run on each day is (1 + the caution threshold) x the longest run of the
    ``window_days`` before that day, or the two-week rule's room on the day where less (the
    7 days to the day may hold (1 + threshold) x the 7 before), and a note gives the
    two-week rule's run-by-run limits where they ask less than the week. In a return after
    a break the graded ceiling applies.
    """
    cfg = config or Config()
    day = as_of(activities, today)
    current = week_start_of(pd.Series([day]), cfg.week_start).iloc[0]
    in_progress = day < current + pd.Timedelta(days=6)
    start = current if in_progress else current + pd.Timedelta(days=7)
    if running(activities).empty:  # every limit unknown, every field still there
        first = max(day, start) if in_progress else start
        return NextWeek(start, bool(in_progress), None, None, None, None, None, None,
                        _no_limits(first, start + pd.Timedelta(days=6)), None, (NO_RUNS,))
    weeks = _weeks(activities, cfg, day)
    first_day = max(day, start) if in_progress else start
    lim = _limits(activities, weeks, start, first_day, cfg)
    days = _day_limits(activities, pd.date_range(first_day, start + pd.Timedelta(days=6)), cfg)
    maxes = [d.max_run_m for d in days if d.max_run_m is not None]
    ceiling, notes = _return_from_hook(lim, lim["notes"])
    recent = days[0].recent_longest_m if days else None
    return NextWeek(start, bool(in_progress), lim["last"], lim["ten"], lim["two"],
                    lim["max"] if ceiling is None else ceiling, recent,
                    min(maxes) if maxes else None, days, ceiling, tuple(notes),
                    lim["week_bound_by"] if ceiling is None else None)


def this_week(activities: pd.DataFrame, config: Config | None = None, *,
              today: Any = None, pain_log: pd.DataFrame | None = None) -> ThisWeek:
    """The current week so far as of ``today``: distance so far, what is left within the
    10% and two-week rules (never negative), the longest run allowed on each remaining day,
    and the rolling 7 days beside the calendar week."""
    cfg = config or Config()
    day = as_of(activities, today)
    start = week_start_of(pd.Series([day]), cfg.week_start).iloc[0]
    end = start + pd.Timedelta(days=6)
    if running(activities).empty:  # every limit unknown, every field still there
        return ThisWeek(day, start, end, bool(day >= end), 0, 0.0, None, None, None, None,
                        None, None, _no_limits(day, end), 0.0, 0.0, None, (NO_RUNS,))
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
    ceiling, notes = _return_from_hook(lim, lim["notes"])
    lefts = [v for v in (left(lim["ten"]), left(lim["two"]), left(lim["max"]))
             if v is not None]
    overall = left(ceiling) if ceiling is not None else (min(lefts) if lefts else None)
    return ThisWeek(day, start, end, bool(day >= end), int(len(so_far)), dist, lim["last"],
                    lim["ten"], left(lim["ten"]), lim["two"], left(lim["two"]), overall, days,
                    float(r7["distance_m"].sum()), float(p7["distance_m"].sum()), ceiling,
                    tuple(notes), lim["allowance"].run_max_m, lim["allowance"].run_bound_by,
                    lim["allowance"].week_bound_by)


# --- returns after a break ----------------------------------------------------------------


def return_advice(activities: pd.DataFrame, config: Config | None = None, *,
                  today: Any = None) -> ReturnAdvice | None:
    """The graded return for the latest return after a break when ``today`` falls in its
    weeks, else None: the return rule's limit hook on ``today`` (its ceilings scale with
    the time off; see :func:`kneeload.loadcalc.scaled_return`).
    """
    cfg = config or Config()
    day = as_of(activities, today)
    ret = _return_limit(allowance(activities, day, cfg).limits)
    if ret is None or ret.detail["pending"]:
        return None
    d = ret.detail
    return ReturnAdvice(pd.Timestamp(d["first_run_date"]), float(d["first_run_m"]),
                        int(d["gap_days"]), float(d["prior_longest_m"]),
                        float(d["usual_week_m"]), tuple(d["week_ceilings_m"]),
                        float(d["run_ceilings_m"][0]), str(d["text"]))


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
