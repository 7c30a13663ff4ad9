"""What the rules allow on a day: every enabled rule's limit hook, combined.

A rule module may give :func:`kneeload.rules.rule` a ``limit`` hook; :func:`allowance`
calls the hook of every enabled rule with the rule's configured parameters and the context
its flag function gets, and keeps the smallest. The look-ahead and this-week advice
(:mod:`kneeload.advice`), the plan check and the planner read it, so the advice and the
rules cannot disagree. The contract (``tests/test_rules_conformance.py``): one more running
row of exactly :attr:`Allowance.run_max_m` on ``day`` raises no flag dated on ``day`` (nor a
weekly flag for its week); 0.1 m more makes the bounding rule flag.

Layer: above the registry and the computations (:mod:`kneeload.loadcalc`), below
:mod:`kneeload.advice` and :mod:`kneeload.load`.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .config import Config
from .loadcalc import running, week_start_of, weekly_table
from .rules import registry


@dataclass(frozen=True)
class Limit:
    """What one rule allows on one day."""

    rule: str  #: the rule's registry name, e.g. "session_spike"
    run_max_m: float | None  #: the longest single run on ``day`` the rule allows [m]
    week_max_m: float | None  #: the most running in the week holding ``day`` [m]
    basis_m: float | None  #: the quantity the limit is built on [m]
    detail: dict[str, Any]  #: the numbers the text layer needs to say why (JSON-ready)
    #: the most descent in the week holding ``day`` [m of elevation lost], for a rule that
    #: bounds descent rather than distance (``descent_increase``); None: no descent bound
    descent_week_max_m: float | None = None


@dataclass(frozen=True)
class Allowance:
    """Every enabled rule's limit on ``day``, combined (the smallest wins)."""

    day: pd.Timestamp  #: local date (normalised, naive)
    week_start: pd.Timestamp
    week_so_far_m: float  #: running already in the week holding ``day`` [m]
    run_max_m: float | None  #: min of the rules' run_max_m and (week_max_m - week_so_far_m)
    week_max_m: float | None  #: min over rules of week_max_m [m]
    run_bound_by: str | None  #: the rule that sets run_max_m
    week_bound_by: str | None  #: the rule that sets week_max_m
    limits: tuple[Limit, ...]
    #: min over rules of descent_week_max_m [m of descent]; planned runs carry no descent,
    #: so it bounds no run_max_m: it is the week's descent budget, said beside the distance
    descent_week_max_m: float | None = None
    descent_bound_by: str | None = None  #: the rule that sets descent_week_max_m


def rule_context(cfg: Config, *, today: Any = None, weeks: pd.DataFrame | None = None,
                 activities: pd.DataFrame | None = None,
                 pain_log: pd.DataFrame | None = None) -> dict[str, Any]:
    """Every context value a rule may declare (by naming it in its function's signature):
    ``unit``, ``week_start``, ``today``, ``load``, ``pain_model``, ``threshold``,
    ``episode_gap_days`` and ``pain_window_days`` (the ``[pain]`` settings), ``weeks`` (the
    weekly table), ``break_days`` (the days with no run that make a break: the return rule's
    ``gap_days``, which the weekly table's ``return_week`` follows) and ``pain_log``."""
    rb = cfg.rule("return_after_break")
    if weeks is None and activities is not None:
        weeks = weekly_table(activities, cfg.week_start, today=today,
                             gap_days=int(rb["gap_days"]), return_weeks=int(rb["return_weeks"]))
    return {"unit": cfg.unit, "week_start": cfg.week_start, "today": today,
            "load": cfg.load, "pain_model": cfg.pain["model"],
            "threshold": float(cfg.pain["threshold"]),
            "episode_gap_days": int(cfg.pain["episode_gap_days"]),
            "pain_window_days": int(cfg.pain["window_days"]), "weeks": weeks,
            "break_days": int(rb["gap_days"]), "pain_log": pain_log, "config": cfg}


def past_of(activities: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """The rows that count as the past on ``day``: every row dated up to ``day``."""
    return activities[activities["local_date"] <= day]


def allowance(activities: pd.DataFrame, day: Any, config: Config | None = None, *,
              pain_log: pd.DataFrame | None = None) -> Allowance:
    """Every enabled rule's limit on ``day`` (a local date), combined: the smallest single
    run [m] and week total [m] the rules allow, with the rules that set them.

    ``activities`` is the history plus any planned runs already placed
    (:func:`kneeload.load.plan_activities` rows); rows after ``day`` are ignored.
    """
    cfg = config or Config()
    day = pd.Timestamp(day).normalize()
    if day.tzinfo is not None:
        day = day.tz_localize(None)
    past = past_of(activities, day)
    ws = week_start_of(pd.Series([day]), cfg.week_start).iloc[0]
    runs = running(past)
    so_far = float(runs.loc[runs["local_date"] >= ws, "distance_m"].fillna(0.0).sum())
    context = rule_context(cfg, today=ws + pd.Timedelta(days=6), activities=past,
                           pain_log=pain_log)
    context["week_so_far_m"] = so_far
    context["weeks"] = _pending_return(context["weeks"], runs, day, ws,
                                       context["break_days"])
    limits = []
    for record in registry.values():
        params = cfg.rule(record.name)
        if record.limit is None or not params["enabled"]:
            continue
        accepted = inspect.signature(record.limit).parameters
        got = record.limit(past, day, **{k: v for k, v in params.items() if k in accepted},
                           **{k: v for k, v in context.items()
                              if k in accepted and k not in params})  # a parameter wins
        if got is not None:
            limits.append(got)
    return combine(day, ws, so_far, tuple(limits))


def _pending_return(weeks: pd.DataFrame | None, runs: pd.DataFrame, day: pd.Timestamp,
                    ws: pd.Timestamp, break_days: int) -> pd.DataFrame | None:
    """``weeks`` with the week of ``day`` marked as week 1 of a return when a run on
    ``day`` would be the first after ``break_days`` [days] or more with no run: once run, it
    is one, and the weekly rules leave it to the return rule."""
    before = runs[runs["local_date"] < day]
    if (weeks is None or before.empty or (runs["local_date"] == day).any()
            or (day - before["local_date"].max()).days < int(break_days)):
        return weeks
    this = weeks["week_start"] == ws
    if not this.any() or int(weeks.loc[this, "return_week"].iloc[0]) != 0:
        return weeks
    return weeks.assign(return_week=weeks["return_week"].where(~this, 1))


def combine(day: pd.Timestamp, week_start: pd.Timestamp, so_far: float,
            limits: tuple[Limit, ...]) -> Allowance:
    """The :class:`Allowance` of ``limits``: the smallest week and run limits win (the
    first rule in registry order on a tie)."""
    week_max, week_by = None, None
    for lim in limits:
        if lim.week_max_m is not None and (week_max is None or lim.week_max_m < week_max):
            week_max, week_by = float(lim.week_max_m), lim.rule
    run_max, run_by = None, None
    for lim in limits:
        cands = [lim.run_max_m]
        if lim.week_max_m is not None:
            cands.append(lim.week_max_m - so_far)
        for c in cands:
            if c is not None and (run_max is None or c < run_max):
                run_max, run_by = float(c), lim.rule
    if run_max is not None:
        run_max = max(0.0, run_max)
    descent = [(float(lim.descent_week_max_m), lim.rule) for lim in limits
               if lim.descent_week_max_m is not None]
    d_max, d_by = min(descent, key=lambda x: x[0]) if descent else (None, None)
    return Allowance(day, week_start, so_far, run_max, week_max, run_by, week_by, limits,
                     d_max, d_by)


__all__ = ["Allowance", "Limit", "allowance", "combine", "past_of", "rule_context"]
