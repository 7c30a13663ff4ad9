"""PROVISIONAL limit hooks: what every enabled rule allows on one day.

.. warning::
   PROVISIONAL, planner branch only. This file implements the limit-hook interface
   (``Limit``, ``Allowance``, ``allowance``) on top of today's code so that
   :mod:`kneeload.planner` can be built and tested before the rules engineer's
   ``kneeload/limits.py`` (branch ``rules``) is merged. At merge the integrator replaces this
   file with that one; nothing outside this file may rely on anything but the interface's
   names.

How it works here (not how the real hooks work): the day limits of
:func:`kneeload.advice.this_week` / :func:`~kneeload.advice.next_week` (the 10% and two-week
week totals, the single-run spike caution threshold on the 30-day longest, the graded
return after a break), a pain hold while a pain-model flag dated in the 7 days up to ``day``
is open, and then a check that the run passes :func:`kneeload.load.flags`: the largest run
on ``day`` that raises no new flag dated ``day`` (nor a new flag of the week holding it) is
found by bisection, so rules without a closed-form limit (Nielsen's per-session two-week
progression, monotony) bound it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .config import Config
from .load import flags, running, week_start_of

#: Days a pain-model flag stays open in this provisional hook [days].
PAIN_OPEN_DAYS = 7
#: Bisection stops when the bracket is this narrow [m].
_TOL_M = 1.0


@dataclass(frozen=True)
class Limit:
    """What one rule allows on one day."""

    rule: str
    run_max_m: float | None
    week_max_m: float | None
    basis_m: float | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Allowance:
    """Every enabled rule's limit on ``day``, combined (the smallest wins)."""

    day: pd.Timestamp
    week_start: pd.Timestamp
    week_so_far_m: float
    run_max_m: float | None
    week_max_m: float | None
    run_bound_by: str | None
    week_bound_by: str | None
    limits: tuple[Limit, ...]


def _row(day: pd.Timestamp, distance_m: float, i: int) -> pd.DataFrame:
    from .load import plan_activities

    row = plan_activities(pd.DataFrame({"date": [day], "distance_m": [distance_m]}))
    return row.assign(activity_id=f"probe-{i}")


def _new_flags(activities: pd.DataFrame, day: pd.Timestamp, ws: pd.Timestamp,
               distance_m: float, cfg: Config, before: set[tuple[str, Any]]) -> list[str]:
    both = pd.concat([activities, _row(day, distance_m, 0)], ignore_index=True)
    end = ws + pd.Timedelta(days=6)
    out = flags(both, cfg, today=end)
    out = out[(out["date"] == day) | (out["week_start"] == ws)]
    # the first run after a break is always called out (whatever its length): not a limit
    out = out[~((out["rule"] == "return_after_break") & (out["unit"] == "days"))]
    return [r for r, d in zip(out["rule"], out["date"], strict=True) if (r, d) not in before]


def _pain_limit(activities: pd.DataFrame, pain_log: pd.DataFrame, day: pd.Timestamp,
                ws: pd.Timestamp, cfg: Config, weeks: pd.DataFrame) -> Limit | None:
    from .advice import tolerance
    from .pain import pain_flags

    log = pain_log[pain_log["date"] <= day]
    if log.empty:
        return None
    pf = pain_flags(log, cfg)
    pf = pf[(pf["date"] > day - pd.Timedelta(days=PAIN_OPEN_DAYS)) & (pf["date"] <= day)]
    if pf.empty:
        return None
    f = pf.iloc[-1]
    before = weeks[(weeks["week_start"] < ws) & ~weeks["partial"]]
    last = float(before["distance_m"].iloc[-1]) if len(before) else None
    tol = tolerance(activities, pain_log, cfg, today=day)
    run_max = None if tol.longest_run is None else tol.longest_run.value_m
    return Limit(str(f["rule"]), run_max, last, last, {
        "pain_date": f"{pd.Timestamp(f['date']):%Y-%m-%d}", "pain": float(f["value"]),
        "tolerated_longest_m": run_max, "message": str(f["message"])})


def allowance(activities: pd.DataFrame, day: Any, config: Config | None = None, *,
              pain_log: pd.DataFrame | None = None) -> Allowance:
    """Every enabled rule's limit on ``day`` given ``activities`` (history plus planned runs
    already placed); the smallest wins (PROVISIONAL implementation, see the module)."""
    from .advice import _day_limits, _limits, _pending_return, _return_ceiling, _weeks

    cfg = config or Config()
    day = pd.Timestamp(day).normalize()
    past = activities[activities["local_date"] <= day]
    ws = week_start_of(pd.Series([day]), cfg.week_start).iloc[0]
    runs = running(past)
    so_far = float(runs.loc[runs["local_date"] >= ws, "distance_m"].sum())
    limits: list[Limit] = []
    weeks = _weeks(past, cfg, day)
    lim = _limits(weeks, ws, cfg)
    ceiling, _ = _return_ceiling(past, cfg, day, ws, [])
    pending = _pending_return(past[past["local_date"] < day], cfg, day)
    if pending is not None and ceiling is None:
        ceiling = pending[0]
    if ceiling is not None and cfg.rule("return_after_break")["enabled"]:
        limits.append(Limit("return_after_break", None, ceiling, ceiling, {}))
    else:
        if lim["ten"] is not None and cfg.rule("weekly_increase")["enabled"]:
            limits.append(Limit("weekly_increase", None, lim["ten"], lim["last"], {
                "threshold_pct": cfg.rule("weekly_increase")["threshold_pct"]}))
        if lim["two"] is not None and cfg.rule("two_week_increase")["enabled"]:
            limits.append(Limit("two_week_increase", None, lim["two"], lim["last"], {
                "threshold_pct": cfg.rule("two_week_increase")["threshold_pct"]}))
    if cfg.rule("session_spike")["enabled"]:
        dl = _day_limits(past[past["local_date"] < day], pd.DatetimeIndex([day]), cfg)[0]
        if dl.max_run_m is not None:
            limits.append(Limit("session_spike", dl.max_run_m, None, dl.recent_longest_m, {
                "caution_pct": cfg.rule("session_spike")["caution_pct"],
                "window_days": cfg.rule("session_spike")["window_days"]}))
    if pain_log is not None and not pain_log.empty:
        p = _pain_limit(past, pain_log, day, ws, cfg, weeks)
        if p is not None:
            limits.append(p)

    def combine() -> tuple[float | None, str | None, float | None, str | None]:
        run, run_by, week, week_by = None, None, None, None
        for x in limits:
            if x.week_max_m is not None and (week is None or x.week_max_m < week):
                week, week_by = x.week_max_m, x.rule
            cands = [v for v in (x.run_max_m, None if x.week_max_m is None
                                 else max(0.0, x.week_max_m - so_far)) if v is not None]
            if cands and (run is None or min(cands) < run):
                run, run_by = min(cands), x.rule
        return run, run_by, week, week_by

    run, run_by, week, week_by = combine()
    # the check: the largest run on ``day`` that raises no new flag of the day or its week
    base = flags(past, cfg, today=ws + pd.Timedelta(days=6))
    before = set(zip(base["rule"], base["date"], strict=True))
    probe = run if run is not None else 1e6
    hit = _new_flags(past, day, ws, probe, cfg, before) if probe > 0 else []
    if hit:
        lo, hi = 0.0, probe
        while hi - lo > _TOL_M:
            mid = (lo + hi) / 2
            if _new_flags(past, day, ws, mid, cfg, before):
                hi = mid
            else:
                lo = mid
        limits.append(Limit(hit[0], lo, None, None, {"checked": True}))
        run, run_by, week, week_by = combine()
    return Allowance(day, ws, so_far, None if run is None else max(0.0, run), week, run_by,
                     week_by, tuple(limits))
