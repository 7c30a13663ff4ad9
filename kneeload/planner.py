"""A training plan the rules allow: the next 4-12 weeks toward a goal.

Every planned run comes from :func:`kneeload.limits.allowance` given the history plus the
runs already planned, so the weekly and two-week progression, the single-run spike rule on
the 30-day longest and the graded return after a break hold by construction; distances are
rounded *down* to 0.1 of the unit, so a plan shown is a plan that passes
:func:`kneeload.load.check_plan`.

Coaching heuristics on top of the rules (practice, not evidence; marked so in the plan):

- a lighter week every ``lighter_every`` weeks, ``lighter_pct`` [%] below the week before
  (the 3:1 / 2:1 loading cycle of periodisation: Bompa & Haff 2009, *Periodization: Theory
  and Methodology of Training*, 5th ed.);
- before a race, a taper: volume cut by 40-60% over the last one or two weeks (Bosquet et
  al. 2007, Med Sci Sports Exerc 39(8):1358-1365; Mujika & Padilla 2003, Med Sci Sports
  Exerc 35(7):1182-1187);
- after a pain flare-up or a break, a walk/jog ladder to continuous running (the walk-run
  return-to-running progressions of clinical practice, e.g. Warden et al. 2014, JOSPT
  44(10):749-765), each step taken only within the pain-monitoring model (Esculier et al.
  2018, BJSM 52(10):659).

Not medical advice.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .config import WEEKDAYS, Config
from .errors import UsageError
from .limits import allowance
from .load import as_of, plan_activities, running, week_start_of, weekly_table
from .rules._pain_common import OPEN_DAYS
from .units import metres_per

PLAN_COLUMNS = ("date", "distance_m", "kind", "week", "week_start", "bounded_by", "target",
                "note")
#: Race distances [m].
RACES = {"5k": 5000.0, "10k": 10000.0, "half": 21097.5, "marathon": 42195.0}
#: A race's weekly volume goal and long-run goal as multiples of its distance (heuristic).
RACE_WEEK_X = {"5k": 3.0, "10k": 2.5, "half": 2.0, "marathon": 1.5}
RACE_LONG_X = {"5k": 1.6, "10k": 1.3, "half": 0.9, "marathon": 0.75}
#: Taper: the last weeks' share of the peak week (Bosquet 2007: -41-60% over ~2 weeks).
TAPER = {"5k": (0.6,), "10k": (0.6,), "half": (0.75, 0.5), "marathon": (0.75, 0.5)}
#: A pain-model flag dated this many days before today or fewer is open [days]: the pain
#: rules' own window (their limit hooks hold the week while it is open), read from there.
PAIN_OPEN_DAYS = OPEN_DAYS
#: Walk/jog ladder: (jog min, walk min) per step, then continuous running.
LADDER = ((1, 1), (2, 1), (4, 1), (8, 1))
#: A planned run shorter than this is left out (a rest day) [m].
MIN_RUN_M = 1500.0
DISCLAIMER = ("This plan applies kneeload's load rules and coaching rules of thumb to your "
              "own history. It is not medical advice and makes no diagnosis: if knee pain "
              "rises above the pain model's limit or is worse the next morning, stop "
              "progressing and see a clinician.")


@dataclass(frozen=True)
class Goal:
    """A weekly volume (``week_m`` [m]) or a race (``race_m`` [m] on ``race_date``)."""

    kind: str
    text: str
    week_m: float | None = None
    race: str | None = None
    race_m: float | None = None
    race_date: pd.Timestamp | None = None


def parse_goal(text: str) -> Goal:
    """``"30mi/week"``, ``"50km/week"``, ``"half 2027-03-14"``, ``"10k 2027-05-01"``.

    Examples
    --------
    >>> parse_goal("30mi/week").week_m
    48280.32
    >>> parse_goal("half 2027-03-14").race_m
    21097.5
    """
    s = text.strip().lower()
    m = re.fullmatch(r"([\d.]+)\s*(mi|km)\s*/\s*(week|wk|w)", s)
    if m:
        return Goal("volume", text, week_m=float(m.group(1)) * metres_per(m.group(2)))
    m = re.fullmatch(r"(5k|10k|half|half-marathon|marathon)\s+(\d{4}-\d{2}-\d{2})", s)
    if m:
        race = "half" if m.group(1) == "half-marathon" else m.group(1)
        return Goal("race", text, race=race, race_m=RACES[race],
                    race_date=pd.Timestamp(m.group(2)))
    raise UsageError(f"goal {text!r}: give a weekly volume ('30mi/week', '50km/week') or a "
                     "race and its date ('half 2027-03-14'; 5k, 10k, half, marathon)")


def parse_days(days: Any) -> tuple[int, ...]:
    """``"mon,wed,sat"`` or a sequence of names or 0-6 (Monday 0) -> sorted weekday numbers."""
    items = days.split(",") if isinstance(days, str) else list(days)
    out = set()
    for d in items:
        if isinstance(d, int) and 0 <= d <= 6:
            out.add(d)
            continue
        name = str(d).strip().lower()
        hit = [i for i, w in enumerate(WEEKDAYS) if len(name) >= 2 and w.startswith(name)]
        if len(hit) != 1:
            raise UsageError(f"days: {d!r} is not a weekday (mon, tue, ... sun)")
        out.add(hit[0])
    if not out:
        raise UsageError("days: give at least one weekday")
    return tuple(sorted(out))


def usual_days(activities: pd.DataFrame, today: pd.Timestamp,
               weeks: int = 12) -> tuple[int, ...]:
    """The weekdays with the most runs over the ``weeks`` weeks up to ``today``; as many as
    the runner's usual runs a week (2-6)."""
    runs = running(activities)
    runs = runs[(runs["local_date"] <= today)
                & (runs["local_date"] > today - pd.Timedelta(weeks=weeks))]
    if runs.empty:
        return (1, 3, 6)
    first = running(activities)["local_date"].min()
    span = max(1.0, min(float(weeks), ((today - first).days + 1) / 7))
    per_week = len(runs) / span
    n = min(6, max(2, round(per_week)))
    counts = runs["local_date"].dt.day_of_week.value_counts()
    counts = counts.reindex(range(7), fill_value=0)
    order = sorted(range(7), key=lambda d: (-counts[d], d))
    return tuple(sorted(order[:n]))


def _long_day(activities: pd.DataFrame, today: pd.Timestamp, days: tuple[int, ...]) -> int:
    runs = running(activities)
    runs = runs[(runs["local_date"] <= today)
                & (runs["local_date"] > today - pd.Timedelta(weeks=12))]
    runs = runs[runs["local_date"].dt.day_of_week.isin(days)]
    if runs.empty:
        return days[-1]
    mean = runs.groupby(runs["local_date"].dt.day_of_week)["distance_m"].mean()
    return int(mean.idxmax())


def _floor(m: float, per: float) -> float:
    """``m`` [m] rounded down to 0.1 of the unit of ``per`` metres."""
    return math.floor(m / per * 10 + 1e-6) / 10 * per


@dataclass
class Plan:
    """A built plan: the runs (:data:`PLAN_COLUMNS`), a row per week, notes, disclaimer."""

    table: pd.DataFrame
    weeks: pd.DataFrame
    goal: Goal
    unit: str
    reached: bool
    notes: tuple[str, ...] = field(default_factory=tuple)
    disclaimer: str = DISCLAIMER

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: distances in the plan's unit, ISO dates."""
        per = metres_per(self.unit)
        return {
            "unit": self.unit, "goal": self.goal.text, "reached": self.reached,
            "weeks": [{"week": int(w.week), "week_start": f"{w.week_start:%Y-%m-%d}",
                       "distance": round(w.distance_m / per, 1),
                       "long_run": round(w.long_run_m / per, 1), "runs": int(w.runs),
                       "mode": w.mode, "bounded_by": w.bounded_by}
                      for w in self.weeks.itertuples()],
            "runs": [{"date": f"{r.date:%Y-%m-%d}", "distance": round(r.distance_m / per, 1),
                      "kind": r.kind, "week": int(r.week), "bounded_by": r.bounded_by,
                      "target": r.target, "note": r.note} for r in self.table.itertuples()],
            "notes": list(self.notes), "disclaimer": self.disclaimer}

    def lines(self) -> list[str]:
        """The plan as text: the weeks, the runs, the notes and the disclaimer."""
        per = metres_per(self.unit)
        u = self.unit
        out = [f"Plan toward {self.goal.text}: {len(self.weeks)} weeks, {len(self.table)} runs.",
               "", f"{'week':>4}  {'starts':<10}  {'total':>7}  {'long':>6}  {'mode':<8}  "
               "bounded by"]
        for w in self.weeks.itertuples():
            out.append(f"{w.week:>4}  {w.week_start:%Y-%m-%d}  {w.distance_m / per:>5.1f} {u}"
                       f"  {w.long_run_m / per:>6.1f}  {w.mode:<8}  {w.bounded_by}")
        out.append("")
        for r in self.table.itertuples():
            out.append(f"  {r.date:%a %Y-%m-%d}  {r.target:<28}  ({r.bounded_by})"
                       + (f"  {r.note}" if r.note else ""))
        out.append("")
        out += [f"Note: {n}" for n in self.notes]
        out.append(self.disclaimer)
        return out

    def csv_text(self) -> str:
        """``date,distance`` (the plan's unit): the CSV ``kneeload plan`` reads back."""
        per = metres_per(self.unit)
        rows = [f"{d:%Y-%m-%d},{m / per:.1f}" for d, m in
                zip(self.table["date"], self.table["distance_m"], strict=True)]
        return "date,distance\n" + "".join(r + "\n" for r in rows)


def _pain_state(activities: pd.DataFrame, pain_log: pd.DataFrame | None, cfg: Config,
                day: pd.Timestamp) -> dict[str, Any]:
    """The open pain flag as of ``day`` (or None), the tolerance record and the smallest
    run and week above it that pain followed [m]."""
    from .advice import tolerance
    from .pain import pain_by_load_day, pain_flags

    state: dict[str, Any] = {"open": None, "tol_run": None, "tol_week": None,
                             "pain_run": None, "pain_week": None}
    if pain_log is None or pain_log.empty:
        return state
    log = pain_log[pain_log["date"] <= day]
    if log.empty:
        return state
    pf = pain_flags(log, cfg)
    pf = pf[pf["date"] > day - pd.Timedelta(days=PAIN_OPEN_DAYS)]
    if not pf.empty:
        state["open"] = pf.iloc[-1]
    tol = tolerance(activities, log, cfg, today=day)
    state["tol_run"] = None if tol.longest_run is None else tol.longest_run.value_m
    state["tol_week"] = None if tol.biggest_week is None else tol.biggest_week.value_m
    thr, win = float(cfg.pain["threshold"]), int(cfg.pain["window_days"])
    pain = pain_by_load_day(log)
    painful = pain[pain >= thr].index
    runs = running(activities)
    runs = runs[runs["local_date"] <= day]
    followed = [float(r.distance_m) for r in runs.itertuples()
                if ((painful >= r.local_date)
                    & (painful <= r.local_date + pd.Timedelta(days=win))).any()]
    above = [d for d in followed if state["tol_run"] is None or d > state["tol_run"]]
    state["pain_run"] = min(above) if above else None
    return state


def plan_settings(cfg: Config, **given: Any) -> dict[str, Any]:
    """The planner's settings: the ``[plan]`` table of ``cfg`` (defaults in
    :data:`kneeload.config.PLAN_SETTINGS`, their one home) with the ``given`` ones that are
    not None on top (validated as the config file's are).

    Examples
    --------
    >>> s = plan_settings(Config(), lighter_every=3)
    >>> s["lighter_every"], s["lighter_pct"], s["pain_hold_weeks"]
    (3, 20.0, 2)
    """
    over = {k: v for k, v in given.items() if v is not None}
    return cfg.with_settings(plan=over).plan if over else dict(cfg.plan)


def build_plan(activities: pd.DataFrame, config: Config | None = None, *, goal: Goal | str,  # noqa: C901
               weeks: int | None = None, today: Any = None,
               pain_log: pd.DataFrame | None = None, days: Any = None,
               lighter_every: int | None = None, lighter_pct: float | None = None,
               long_share: float | None = None, pain_hold_weeks: int | None = None) -> Plan:
    """The next ``weeks`` (4-12) weeks toward ``goal`` that every enabled rule allows.

    Parameters
    ----------
    activities : pandas.DataFrame
        The history (activities table).
    goal : Goal or str
        A weekly volume (``"30mi/week"``) or a race (``"half 2027-03-14"``).
    weeks : int, optional
        Weeks to plan, 4-12 (default 8; a race: the weeks up to it, at most 12).
    today : date-like, optional
        Plan from the day after this (default :func:`kneeload.load.as_of`).
    pain_log : pandas.DataFrame, optional
        The pain log: an open pain-model flag holds the first weeks; the tolerance record
        caps runs where pain followed.
    days : str or sequence, optional
        Weekdays to run (``"mon,wed,sat"``); default the usual ones of the last 12 weeks.
    lighter_every, lighter_pct, long_share, pain_hold_weeks : optional
        The ``[plan]`` settings (:data:`kneeload.config.PLAN_SETTINGS`; None: the config's):
        a lighter week every ``lighter_every`` weeks [weeks] (0: none), ``lighter_pct`` [%]
        below the week before; the long run's largest share of the week; the weeks held
        after a pain-model flag open on the day the plan is built [weeks]. Heuristics.

    References
    ----------
    Bompa & Haff 2009 (loading cycles); Bosquet et al. 2007, MSSE 39(8):1358 (taper);
    Warden et al. 2014, JOSPT 44(10):749 (walk-run return); Esculier et al. 2018, BJSM
    52(10):659 (pain monitoring).
    """
    cfg = config or Config()
    ps = plan_settings(cfg, lighter_every=lighter_every, lighter_pct=lighter_pct,
                       long_share=long_share, pain_hold_weeks=pain_hold_weeks)
    lighter_every, lighter_pct = int(ps["lighter_every"]), float(ps["lighter_pct"])
    long_share, hold_weeks = float(ps["long_share"]), int(ps["pain_hold_weeks"])
    g = parse_goal(goal) if isinstance(goal, str) else goal
    if running(activities).empty:
        raise UsageError("no runs: a plan needs a history to build on")
    day0 = as_of(activities, today)
    start = day0 + pd.Timedelta(days=1)
    ws1 = week_start_of(pd.Series([start]), cfg.week_start).iloc[0]
    notes: list[str] = []
    per = metres_per(cfg.unit)
    u = cfg.unit
    if weeks is not None and not 4 <= int(weeks) <= 12:
        raise UsageError(f"weeks must be 4-12, not {weeks}")
    taper: tuple[float, ...] = ()
    if g.kind == "race":
        assert g.race_date is not None and g.race is not None and g.race_m is not None
        if g.race_date <= start:
            raise UsageError(f"the race ({g.race_date:%Y-%m-%d}) is not after {day0:%Y-%m-%d}")
        race_ws = week_start_of(pd.Series([g.race_date]), cfg.week_start).iloc[0]
        to_race = (race_ws - ws1).days // 7 + 1
        if to_race < 4:
            raise UsageError(f"the race is {to_race} week(s) away: kneeload builds 4-12 weeks")
        n = min(to_race, int(weeks) if weeks is not None else 12)
        if n < to_race:
            notes.append(f"The race is {to_race} weeks away: this plan covers the first {n}; "
                         "build again later for the rest and the taper.")
        else:
            taper = TAPER[g.race]
            notes.append(f"Taper (coaching practice, heuristic): the last {len(taper)} week(s) "
                         "at " + ", ".join(f"{t:.0%}" for t in taper) + " of the peak week "
                         "(Bosquet et al. 2007, MSSE 39(8):1358; Mujika & Padilla 2003, MSSE "
                         "35(7):1182). Race day itself is not planned.")
        week_goal = RACE_WEEK_X[g.race] * g.race_m
        long_goal = RACE_LONG_X[g.race] * g.race_m
    else:
        assert g.week_m is not None
        n = int(weeks) if weeks is not None else 8
        to_race = n
        week_goal = g.week_m
        long_goal = math.inf
    wdays = parse_days(days) if days is not None else usual_days(activities, day0)
    long_day = _long_day(activities, day0, wdays)
    if days is None:
        notes.append("Runs on your usual days of the last 12 weeks: "
                     + ", ".join(WEEKDAYS[d][:3] for d in wdays)
                     + " (override with --days; days= from Python).")
    if lighter_every:
        notes.append(f"A lighter week every {lighter_every} weeks, {lighter_pct:g}% below the "
                     "week before (coaching practice, heuristic: the loading cycles of "
                     "periodisation, Bompa & Haff 2009). The 10% rule compares the week after "
                     "with the lighter week.")
    # history the rules can look back on (the longest look-back is a few weeks)
    hist = activities[(activities["local_date"] > day0 - pd.Timedelta(weeks=26))
                      & (activities["local_date"] <= day0)]
    hist = running(hist)
    if pain_log is not None:  # what was logged up to today: later entries are not known yet
        pain_log = pain_log[pain_log["date"] <= day0]
    pain = _pain_state(hist, pain_log, cfg, day0)
    if pain["open"] is not None:
        f = pain["open"]
        notes.append(f"Pain hold: your pain log on {pd.Timestamp(f['date']):%Y-%m-%d} "
                     f"({float(f['value']):g}/10, rule {f['rule']}) tripped the pain model: "
                     + ("week 1 does not increase, " if hold_weeks == 1 else
                        f"weeks 1-{hold_weeks} do not increase, " if hold_weeks else "")
                     + "the long run stays within "
                     "your tolerated longest, and running starts again with a walk/jog ladder."
                     " Build the plan again after each new pain entry.")
    if pain["pain_run"] is not None:
        notes.append(f"Pain followed a {pain['pain_run'] / per:.1f} {u} run: planned runs stay "
                     "below it (your tolerance record).")
    # a return after a break (the return rule's hook: its first run on ``start``, or one
    # within the week before) starts with the ladder too
    ret = next((lim for lim in allowance(hist, start, cfg).limits
                if "return_week" in lim.detail), None)
    ladder = pain["open"] is not None or (ret is not None and (
        ret.detail["pending"]
        or (day0 - pd.Timestamp(ret.detail["first_run_date"])).days < 7))
    if ladder:
        notes.append("Walk/jog ladder (clinical practice, heuristic: walk-run return-to-run "
                     "progressions, e.g. Warden et al. 2014, JOSPT 44(10):749): "
                     + ", ".join(f"{j} min jog / {w} min walk" for j, w in LADDER)
                     + ", then continuous running; take the next step only while pain stays "
                     "within the pain model's limit and is no worse the next morning "
                     "(Esculier et al. 2018).")
    wk = weekly_table(hist, cfg.week_start, today=day0)
    done = wk[~wk["partial"] & (wk["week_start"] < ws1)]
    prev_week = float(done["distance_m"].iloc[-1]) if len(done) else 0.0
    acts = hist
    rows: list[dict[str, Any]] = []
    week_rows: list[dict[str, Any]] = []
    step = 0
    peak = 0.0
    for k in range(1, n + 1):
        ws = ws1 + pd.Timedelta(days=7 * (k - 1))
        dates = [ws + pd.Timedelta(days=d) for d in wdays]
        dates = [d for d in dates if d >= start and (g.race_date is None or d < g.race_date)]
        if k > to_race - len(taper):
            mode, target = "taper", peak * taper[k - (to_race - len(taper)) - 1]
            source = "taper"
        elif pain["open"] is not None and k <= hold_weeks:
            mode, target, source = "hold", prev_week, "pain hold"
            if pain["tol_week"] is not None and pain["tol_week"] < target:
                target, source = pain["tol_week"], "tolerance"
        elif lighter_every and k % lighter_every == 0:
            mode, target, source = "lighter", prev_week * (1 - lighter_pct / 100), \
                "lighter week"
        else:
            mode, target, source = "build", week_goal, "goal"
        first = allowance(acts, dates[0], cfg, pain_log=pain_log) if dates else None
        if first is not None and first.week_max_m is not None and first.week_max_m < target:
            target, source = first.week_max_m, str(first.week_bound_by)
        elif first is not None and first.week_max_m is None and mode == "build" and prev_week:
            cap = prev_week * (1 + cfg.rule("weekly_increase")["threshold_pct"] / 100)
            if cap < target:
                target, source = cap, "progression"
        so_far = 0.0 if first is None else first.week_so_far_m
        long_target = min(long_goal, long_share * target)
        if mode == "hold" and pain["tol_run"] is not None:
            long_target = min(long_target, pain["tol_run"])
        planned = 0.0
        longest = 0.0
        easy_days = [d for d in dates if d.day_of_week != long_day]
        has_long = len(easy_days) < len(dates)
        for i, d in enumerate(dates):
            a = first if i == 0 and first is not None else allowance(acts, d, cfg,
                                                                     pain_log=pain_log)
            left = max(0.0, target - so_far - planned)
            is_long = d.day_of_week == long_day
            later_easy = sum(1 for e in easy_days if e > d)
            if is_long:
                want = min(max(long_target, left / (later_easy + 1)), left)
            else:
                pending = long_target if has_long and d.day_of_week < long_day else 0.0
                want = max(0.0, left - pending) / (later_easy + 1)
            why = source if want >= left - 1e-6 else ("long run" if is_long else source)
            cap = math.inf if a.run_max_m is None else a.run_max_m
            if mode == "hold" and pain["tol_run"] is not None:
                cap = min(cap, pain["tol_run"])
            if pain["pain_run"] is not None:
                cap = min(cap, pain["pain_run"] - 0.1 * per)
            if cap < want:
                want, why = cap, str(a.run_bound_by or "tolerance")
            dist = _floor(max(0.0, want), per)
            if dist < MIN_RUN_M:
                continue
            kind = "long" if is_long and has_long else "easy"
            note = ""
            if ladder and step < len(LADDER):
                jog, walk = LADDER[step]
                kind, note = "walk_jog", f"{jog} min jog / {walk} min walk, repeated"
                step += 1
            label = {"easy": "Easy", "long": "Long", "walk_jog": "Walk/jog"}[kind]
            rows.append({"date": d, "distance_m": dist, "kind": kind, "week": k,
                         "week_start": ws, "bounded_by": why,
                         "target": f"{label} {dist / per:.1f} {u}", "note": note})
            new = plan_activities(pd.DataFrame({"date": [d], "distance_m": [dist]}))
            acts = pd.concat([acts, new.assign(activity_id=f"plan-{len(rows)}")],
                             ignore_index=True)
            planned += dist
            longest = max(longest, dist)
        total = so_far + planned
        peak = max(peak, total) if mode == "build" or mode == "hold" else peak
        week_rows.append({"week": k, "week_start": ws, "distance_m": total,
                          "long_run_m": longest, "runs": sum(r["week"] == k for r in rows),
                          "mode": mode, "bounded_by": source, "target_m": target})
        prev_week = total
    table = pd.DataFrame(rows, columns=list(PLAN_COLUMNS))
    table["date"] = pd.to_datetime(table["date"])
    table["week_start"] = pd.to_datetime(table["week_start"])
    table["distance_m"] = table["distance_m"].astype(float)
    table["week"] = table["week"].astype(int)
    wtab = pd.DataFrame(week_rows)
    best = float(wtab["distance_m"].max()) if len(wtab) else 0.0
    if g.kind == "volume":
        reached = best >= week_goal - 0.05 * per * max(1, len(wdays))
        if not reached:
            notes.insert(0, f"The goal of {week_goal / per:.1f} {u}/week cannot be reached "
                            f"safely in {n} weeks: the rules allow at most {best / per:.1f} "
                            f"{u} (week {int(wtab['distance_m'].idxmax()) + 1}).")
    else:
        lr = float(table["distance_m"].max()) if len(table) else 0.0
        reached = lr >= long_goal - 0.1 * per
        if not reached:
            notes.insert(0, f"The long-run goal for the {g.race} ({long_goal / per:.1f} {u}) "
                            f"cannot be reached safely by then: the rules allow a long run of "
                            f"{lr / per:.1f} {u}.")
    return Plan(table, wtab, g, u, bool(reached), tuple(notes))


def adherence(activities: pd.DataFrame, plan: pd.DataFrame, config: Config | None = None,
              today: Any = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The planned weeks beside the real ones, and the runs far above their plan.

    Parameters
    ----------
    activities : pandas.DataFrame
        What was run (the activities table).
    plan : pandas.DataFrame
        The plan table (``date``, ``distance_m`` [m]; :func:`kneeload.plan.read_plan`).
    today : date-like, optional
        The day judged (default :func:`kneeload.load.as_of`): a week starting after it has
        nothing run yet to compare (``run_m`` NaN), a day after it is not judged.

    Returns
    -------
    weeks : pandas.DataFrame
        One row per week of the plan: ``week_start``, ``planned_m``, ``run_m`` [m] (NaN for a
        week not begun), ``runs_planned``, ``runs`` (NaN likewise), ``complete`` (the week
        ended on or before today).
    over : pandas.DataFrame
        The planned days up to today whose running exceeded the day's plan "far":
        ``run_m > planned_m x (1 + caution_pct / 100)``, the session-spike rule's caution
        share (10% by default: the share over the 30-day longest that rule flags, applied to
        the run's own plan). ``date``, ``planned_m``, ``run_m``, ``limit_m`` [m]; an info for
        the runner, not a rule's flag. ``over.attrs["far_pct"]`` is the share used [%].

    Examples
    --------
    >>> import pandas as pd
    >>> from kneeload.load import plan_activities
    >>> ran = plan_activities(pd.DataFrame({"date": pd.to_datetime(["2026-08-18"]),
    ...                                     "distance_m": [6000.0]}))
    >>> plan = pd.DataFrame({"date": pd.to_datetime(["2026-08-18", "2026-08-25"]),
    ...                      "distance_m": [5000.0, 5000.0]})
    >>> weeks, over = adherence(ran, plan, today="2026-08-19")
    >>> weeks["run_m"].tolist(), over["limit_m"].tolist()   # 6000 > 5000 x 1.10 = 5500
    ([6000.0, nan], [5500.0])
    """
    cfg = config or Config()
    day = as_of(activities, today) if len(activities) else pd.Timestamp(today).normalize()
    runs = running(activities)
    runs = runs[runs["local_date"] <= day]
    daily = runs.groupby("local_date")["distance_m"].sum()
    p = plan.assign(week_start=week_start_of(pd.to_datetime(plan["date"]), cfg.week_start))
    wk = p.groupby("week_start").agg(planned_m=("distance_m", "sum"),
                                     runs_planned=("distance_m", "size")).reset_index()
    rws = week_start_of(runs["local_date"].reset_index(drop=True), cfg.week_start)
    ran = runs["distance_m"].reset_index(drop=True).groupby(rws).sum()
    n_ran = runs["distance_m"].reset_index(drop=True).groupby(rws).size()
    begun = wk["week_start"] <= day
    wk["run_m"] = wk["week_start"].map(ran).fillna(0.0).astype(float).where(begun)
    wk["runs"] = wk["week_start"].map(n_ran).fillna(0).astype(float).where(begun)
    wk["complete"] = wk["week_start"] + pd.Timedelta(days=6) <= day
    wk = wk[["week_start", "planned_m", "run_m", "runs_planned", "runs", "complete"]]
    far = float(cfg.rule("session_spike")["caution_pct"])
    pd_day = p[p["date"] <= day].groupby("date")["distance_m"].sum()
    actual = [float(daily.get(d, 0.0)) for d in pd_day.index]
    over = pd.DataFrame({"date": pd.to_datetime(pd_day.index), "planned_m": pd_day.to_numpy(),
                         "run_m": actual, "limit_m": pd_day.to_numpy() * (1 + far / 100)})
    over = over[over["run_m"] > over["limit_m"]].reset_index(drop=True)
    over.attrs["far_pct"] = far
    return wk, over


@dataclass
class Replan:
    """A pain-model flag dated after a plan was made: the plan's remaining weeks no longer
    hold (:func:`pain_replan`).

    ``flag`` is the latest such pain flag (``date``, ``rule``, ``value`` [/10]);
    ``remaining`` the plan's runs after ``today``; ``plan`` the plan built again from
    ``today`` (:func:`build_plan`, toward ``goal``, ``weeks`` weeks).
    """

    flag: dict[str, Any]
    today: pd.Timestamp
    made: pd.Timestamp
    remaining: pd.DataFrame
    goal: str
    weeks: int
    plan: Plan


def pain_replan(activities: pd.DataFrame, plan: pd.DataFrame, pain_log: pd.DataFrame | None,
                config: Config | None = None, today: Any = None) -> Replan | None:
    """Does a pain-model flag dated after ``plan`` was made undo its remaining weeks?

    The plan counts as made the day before its first run (:func:`build_plan` plans from the
    day after the day it is built). A flag of any pain rule (:func:`kneeload.pain.pain_flags`)
    dated after that day and up to ``today`` was not known when the plan was built: the
    remaining weeks no longer hold. They are built again from ``today`` with
    :func:`build_plan` (so an open flag holds the first :data:`PLAN_SETTINGS` ``pain_hold_weeks``
    weeks and the tolerance record caps the runs), toward the old plan's own biggest week, for
    as many weeks as it had left (4-12).

    Returns
    -------
    Replan or None
        None when there is no pain log, no such flag, or no planned run left after today.
    """
    from .pain import pain_flags

    cfg = config or Config()
    if pain_log is None or pain_log.empty or plan.empty:
        return None
    day = as_of(activities, today)
    made = pd.Timestamp(plan["date"].min()).normalize() - pd.Timedelta(days=1)
    log = pain_log[pain_log["date"] <= day]
    pf = pain_flags(log, cfg) if len(log) else log
    if pf.empty:
        return None
    new = pf[(pd.to_datetime(pf["date"]) > made) & (pd.to_datetime(pf["date"]) <= day)]
    if new.empty:
        return None
    f = new.sort_values("date").iloc[-1]
    flag = {"date": pd.Timestamp(f["date"]), "rule": str(f["rule"]), "value": float(f["value"])}
    rest = plan[plan["date"] > day].reset_index(drop=True)
    if rest.empty:  # the plan is over: nothing left to re-plan
        return None
    per = metres_per(cfg.unit)
    wk = plan.groupby(week_start_of(pd.to_datetime(plan["date"]), cfg.week_start))
    peak = float(wk["distance_m"].sum().max())
    goal = f"{math.floor(peak / per * 10) / 10:.1f}{cfg.unit}/week"
    left = week_start_of(pd.to_datetime(rest["date"]), cfg.week_start).nunique()
    n = min(12, max(4, int(left)))
    hist = activities[activities["local_date"] <= day]
    new_plan = build_plan(hist, cfg, goal=goal, weeks=n, today=day, pain_log=log)
    return Replan(flag, day, made, rest, goal, n, new_plan)
