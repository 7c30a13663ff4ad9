"""Training load: the public facade of the load rules and their computations.

The computations live in :mod:`kneeload.loadcalc` (no registry access), the flags table in
:mod:`kneeload.flagrows`, each rule in its own module under ``kneeload/rules/`` and the
limits in :mod:`kneeload.limits`; this module re-exports them and fills in the rules'
defaults (``weekly_table(acts)`` uses the ``return_after_break`` rule's ``gap_days``).
Only running (running, trail_running, treadmill) counts as running load; cross-training is
counted separately. Weeks are calendar weeks of the runner's ``local_date``.

The season is judged *as of* a day (``today``): the week holding it is the current week,
marked ``partial`` until its last day, like the first week when the data starts after its
first day. Partial weeks are never compared as if complete.
"""


from __future__ import annotations

from typing import Any

import pandas as pd

from . import loadcalc
from .advice import next_week
from .config import Config
from .flagrows import (
    ATHLETE,
    FLAG_COLUMNS,
    SEVERITIES,
    SEVERITY_RANK,
    empty_flags,
    flag_rows,
    pct_text,
    sort_flags,
)
from .limits import rule_context
from .loadcalc import (
    LIVE_DAYS,
    LOAD_COLUMNS,
    PCT_DECIMALS,
    acwr,
    as_of,
    daily_grid,
    daily_load,
    graded_return,
    group_column,
    running,
    week_start_of,
    with_srpe,
)
from .rules import registry
from .rules.acwr_high import acwr_high
from .rules.descent_increase import descent_increase
from .rules.low_cadence import low_cadence
from .rules.monotony_high import monotony_high
from .rules.return_after_break import return_after_break
from .rules.session_spike import session_spike
from .rules.two_week_increase import two_week_increase
from .rules.weekly_increase import weekly_increase
from .schema import conform_activities

# --- the computations, with the rules' defaults filled in ----------------------------------


def _return_defaults(gap_days: int | None, return_weeks: int | None) -> tuple[int, int]:
    d = registry.get("return_after_break").defaults
    return (int(d["gap_days"] if gap_days is None else gap_days),
            int(d["return_weeks"] if return_weeks is None else return_weeks))


def breaks(activities: pd.DataFrame, gap_days: int | None = None) -> pd.DataFrame:
    """:func:`kneeload.loadcalc.breaks`; ``gap_days`` [days] defaults to the
    ``return_after_break`` rule's."""
    return loadcalc.breaks(activities, _return_defaults(gap_days, None)[0])


def weekly_table(activities: pd.DataFrame, week_start: str = "monday",
                 end: pd.Timestamp | None = None, *, today: Any = None,
                 gap_days: int | None = None, return_weeks: int | None = None) -> pd.DataFrame:
    """:func:`kneeload.loadcalc.weekly_table`; ``gap_days`` [days] and ``return_weeks``
    [weeks] default to the ``return_after_break`` rule's."""
    gap, n = _return_defaults(gap_days, return_weeks)
    return loadcalc.weekly_table(activities, week_start, end, today=today, gap_days=gap,
                                 return_weeks=n)


def two_week_progression(activities: pd.DataFrame, *, week_start: str = "monday",
                         today: Any = None, weeks: pd.DataFrame | None = None,
                         column: str = "distance_m") -> pd.DataFrame:
    """:func:`kneeload.loadcalc.two_week_progression` with the return rule's defaults."""
    gap, n = _return_defaults(None, None)
    return loadcalc.two_week_progression(activities, week_start=week_start, today=today,
                                         weeks=weeks, column=column, gap_days=gap,
                                         return_weeks=n)


def session_spikes(activities: pd.DataFrame, window_days: int | None = None) -> pd.DataFrame:
    """:func:`kneeload.loadcalc.session_spikes`; ``window_days`` [days] defaults to the
    ``session_spike`` rule's, the break (the first run back is measured against the longest
    run of the month before the break) to the ``return_after_break`` rule's ``gap_days``."""
    if window_days is None:
        window_days = registry.get("session_spike").defaults["window_days"]
    return loadcalc.session_spikes(activities, int(window_days),
                                   _return_defaults(None, None)[0])


def monotony(activities: pd.DataFrame, week_start: str = "monday", cap: float | None = None,
             column: str = "distance_m") -> pd.DataFrame:
    """:func:`kneeload.loadcalc.monotony`; ``cap`` defaults to the ``monotony_high``
    rule's."""
    if cap is None:
        cap = registry.get("monotony_high").defaults["cap"]
    return loadcalc.monotony(activities, week_start, float(cap), column)


# --- all rules ----------------------------------------------------------------------------


def flags(activities: pd.DataFrame, config: Config | None = None,
          rules: dict[str, dict[str, Any]] | None = None, *, today: Any = None) -> pd.DataFrame:
    """Run every enabled load rule of the registry; the flags table sorted by date, most
    severe first on a day. The season is judged as of ``today`` (see :func:`as_of`).

    ``rules`` overrides parameters per call: ``{"weekly_increase": {"threshold_pct": 15}}``.
    """
    cfg = (config or Config()).with_rules(rules)
    context = rule_context(cfg, today=today, activities=activities)
    weeks = context["weeks"]
    parts = []
    for record in registry.values():
        if record.kind == "pain" or not cfg.rule(record.name)["enabled"]:
            continue
        data = weeks if record.kind == "weeks" else activities
        parts.append(record.fn(data, **cfg.rule(record.name),
                               **{k: context[k] for k in record.context if k in context}))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return empty_flags()
    return sort_flags(pd.concat(parts, ignore_index=True))


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
    gaps = weeks[loadcalc.incomplete_weeks(weeks, cfg.load)]
    if len(gaps):
        from .text import incomplete_weeks_note

        notes.append(incomplete_weeks_note(gaps["week_start"], cfg.load))
    return notes


# --- looking ahead ------------------------------------------------------------------------


def next_week_limits(activities: pd.DataFrame, config: Config | None = None, *,
                     today: Any = None) -> dict[str, Any]:
    """:func:`kneeload.advice.next_week` as a dict of its fields (metres), for callers that
    index by name."""
    return next_week(activities, config, today=today).as_dict()


def plan_activities(plan: pd.DataFrame, tz: str = "UTC") -> pd.DataFrame:
    """Planned runs (``date``, ``distance_m``, and ``moving_s`` [s] and ``rpe`` when the plan
    has them) as activities-table rows (noon, running)."""
    local = pd.to_datetime(plan["date"]) + pd.Timedelta(hours=12)
    rows = pd.DataFrame({
        "activity_id": [f"plan-{i}" for i in range(len(plan))],
        "start_time": local.dt.tz_localize(tz).dt.tz_convert("UTC"),
        "local_start": local, "local_date": local.dt.normalize(), "sport": "running",
        "distance_m": plan["distance_m"].astype(float), "source_format": "plan",
        "source_path": "plan", "note": "planned",
    })
    for col in ("moving_s", "rpe"):
        if col in plan:
            rows[col] = pd.to_numeric(plan[col], errors="coerce").astype(float).to_numpy()
    if "moving_s" in rows:
        rows["elapsed_s"] = rows["moving_s"]
    return conform_activities(rows)


#: The days of running, up to the history's last run, a plan's missing durations and RPEs
#: are estimated from (:func:`plan_load`).
PLAN_ESTIMATE_DAYS = 28


def _pace_text(s_per_m: float, unit: str) -> str:
    from .units import metres_per

    secs = int(round(s_per_m * metres_per(unit)))
    return f"{secs // 60}:{secs % 60:02d} /{unit}"


def plan_load(history: pd.DataFrame, plan: pd.DataFrame,
              config: Config | None = None) -> tuple[pd.DataFrame, list[str]]:
    """``plan`` with the load ``config.load`` counts, and a note for each estimate.

    With ``load = "distance"`` the plan is returned as it is. With ``load = "time"`` a
    planned run without a ``moving_s`` (the plan CSV's ``duration``) is given its distance x
    the runner's recent pace: the median moving pace [s/m] of the runs of the
    :data:`PLAN_ESTIMATE_DAYS` days up to the history's last run that have both a distance
    and a moving time. With ``load = "srpe"`` the same for the duration, and a run without an
    ``rpe`` is given the median RPE of those days' runs with one. Each estimate is said once
    in the notes (:func:`kneeload.text.plan_estimate_note`): a plan is never judged as if a
    missing value were 0.

    Raises
    ------
    kneeload.errors.UsageError
        A value is missing and the history has no run to estimate it from (no pace, no
        RPE in those days).
    """
    from .errors import UsageError
    from .text import plan_estimate_note

    cfg = config or Config()
    if cfg.load == "distance" or plan.empty:
        return plan, []
    out = plan.copy()
    notes: list[str] = []
    runs = running(history)
    if len(runs):
        last = pd.Timestamp(runs["local_date"].max())
        runs = runs[runs["local_date"] > last - pd.Timedelta(days=PLAN_ESTIMATE_DAYS)]
    window = (f"your runs of the {PLAN_ESTIMATE_DAYS} days up to your last run"
              if len(runs) else "")
    why = f'load = "{cfg.load}"'
    need = ["moving_s"] + (["rpe"] if cfg.load == "srpe" else [])
    for col in need:
        if col not in out:
            out[col] = float("nan")
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
        missing = out[col].isna()
        if not missing.any():
            continue
        what = "duration" if col == "moving_s" else "RPE"
        some = "" if missing.all() else f" on {int(missing.sum())} of its {len(out)} runs"
        if col == "moving_s":
            ok = runs[(runs["distance_m"] > 0) & (runs["moving_s"] > 0)]
            if ok.empty:
                raise UsageError(
                    f"plan: {why} judges planned time, the plan has no duration{some}, and "
                    f"no run of the {PLAN_ESTIMATE_DAYS} days up to the history's last run has "
                    "a distance and a moving time to estimate it from: add a duration column "
                    "(h:mm:ss or minutes) to the plan, or set load = \"distance\"")
            pace = float((ok["moving_s"] / ok["distance_m"]).median())
            out.loc[missing, col] = out.loc[missing, "distance_m"].astype(float) * pace
            basis = (f"a duration of its distance at {_pace_text(pace, cfg.unit)}, the median "
                     f"moving pace of {window} ({len(ok)} runs)")
        else:
            rated = runs["rpe"].dropna() if "rpe" in runs else pd.Series(dtype=float)
            if rated.empty:
                raise UsageError(
                    f"plan: {why} judges RPE x minutes, the plan has no rpe{some}, and no run "
                    f"of the {PLAN_ESTIMATE_DAYS} days up to the history's last run has an RPE "
                    "to estimate it from: add an rpe column (0-10) to the plan, or set "
                    "load = \"distance\"")
            rpe = float(rated.median())
            out.loc[missing, col] = rpe
            basis = f"RPE {rpe:g}, the median RPE of {window} ({len(rated)} runs)"
        notes.append(plan_estimate_note(what + some, basis,
                                        "duration" if col == "moving_s" else "rpe"))
    return out, notes


def check_plan(history: pd.DataFrame, plan: pd.DataFrame, config: Config | None = None,
               rules: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """Flags the planned runs would raise if run as planned after ``history``.

    ``plan`` has ``date`` and ``distance_m`` (and ``moving_s``, ``rpe`` when planned); only
    flags dated on or after the plan's first week are returned. With ``load = "time"`` or
    ``"srpe"`` a planned run's missing duration or RPE is estimated (:func:`plan_load`, which
    also returns the notes that say so) or the plan refused, never counted as 0.
    """
    cfg = config or Config()
    plan, _notes = plan_load(history, plan, cfg)  # never a missing load counted as 0
    planned = plan_activities(plan)
    both = pd.concat([history, planned], ignore_index=True).sort_values("start_time")
    # judged as of the plan's last day: its weeks are as complete as the plan makes them
    last = planned["local_date"].max()
    end = week_start_of(pd.Series([last]), cfg.week_start).iloc[0] + pd.Timedelta(days=6)
    out = flags(both, cfg, rules, today=end)
    first_week = week_start_of(pd.Series([planned["local_date"].min()]), cfg.week_start).iloc[0]
    return out[out["week_start"] >= first_week].reset_index(drop=True)


__all__ = [
    "ATHLETE", "FLAG_COLUMNS", "LIVE_DAYS", "LOAD_COLUMNS", "PCT_DECIMALS", "SEVERITIES",
    "SEVERITY_RANK", "acwr", "acwr_high", "as_of", "breaks", "check_plan", "daily_grid",
    "daily_load", "descent_increase", "empty_flags", "flag_rows", "flags", "graded_return",
    "group_column", "history_notes", "low_cadence", "monotony", "monotony_high",
    "next_week_limits", "pct_text", "plan_activities", "plan_load", "return_after_break",
    "rule_context",
    "running", "session_spike", "session_spikes", "sort_flags", "two_week_increase",
    "two_week_progression", "week_start_of", "weekly_increase", "weekly_table", "with_srpe",
]
