"""Shoes: which run was in which pair, each pair's mileage toward 300-500 mi, and rotation.

The 300-500 mile (480-800 km) replacement range is a convention (heuristic; Cook et al.
1985, Am J Sports Med 13(4):248, bench tests), not an injury finding. Running in more than
one pair in parallel came with fewer injuries (HR 0.614, 95% CI 0.389-0.969; Malisoux et al.
2015, Scand J Med Sci Sports 25(1):110, observational).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from .clock import today as clock_today
from .config import SHOE_DEFAULTS
from .schema import M_PER_KM, M_PER_MI, RUNNING_SPORTS, SPORTS
from .textfile import read_csv_table, warn_note

SHOE_COLUMNS = ("shoe", "brand", "model", "first_used", "retired", "notice", "replace", "unit",
                "start_distance", "default", "sports")
_YES = {"yes", "y", "true", "1", "x"}
#: Largest distance accepted in a shoes file (notice, replace, start_distance) [mi or km]: a
#: pair that lasts 10,000 is a typo.
MAX_SHOE_DISTANCE = 10_000.0


def read_shoes(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a shoes CSV (see docs/shoes.md): one row per pair.

    Returns ``shoe``, ``brand``, ``model``, ``first_used``, ``retired`` (dates or NaT),
    ``notice_m``, ``replace_m``, ``start_distance_m`` [m], ``default`` (bool), ``sports``
    (tuple of sports this pair is for). Read through :mod:`kneeload.textfile` (UTF-8,
    UTF-16 or Windows-1252; ``,`` or ``;``; columns in any order); every bad row is
    reported, all at once, with its line.
    """
    table = read_csv_table(path, known=SHOE_COLUMNS, required=("shoe",), what="shoes file")
    warn_note(table.note)
    problems = table.problems
    comma = table.delimiter == ";"
    rows, names = [], set()
    for line, r in table.rows:
        where = f"line {line}"
        n = len(problems.items)
        name = r.get("shoe", "")
        if not name:
            problems.add(where, "shoe name is empty")
        elif name.lower() in names:
            problems.add(where, f"shoe {name!r} is listed twice")
        names.add(name.lower())
        unit = (r.get("unit") or "mi").lower()
        if unit not in ("mi", "km"):
            problems.add(where, f"unit {unit!r} must be mi or km")
        per = M_PER_MI if unit == "mi" else M_PER_KM
        dist = {}
        for col in ("notice", "replace", "start_distance"):
            text = r.get(col, "")
            dist[col] = problems.number(where, col, text, decimal_comma=comma, minimum=0,
                                        maximum=MAX_SHOE_DISTANCE) if text else None
        sports = tuple(s.strip().lower() for s in r.get("sports", "").replace(
            ";", " ").split() if s.strip())
        bad = [s for s in sports if s not in SPORTS]
        if bad:
            problems.add(where, f"sports {', '.join(bad)} unknown; use " + ", ".join(SPORTS))
        first = problems.date(where, "first_used", r["first_used"], "2026-03-01") \
            if r.get("first_used") else None
        retired = problems.date(where, "retired", r["retired"], "2026-03-01") \
            if r.get("retired") else None
        if first is not None and retired is not None and retired < first:
            problems.add(where, f"retired {retired:%Y-%m-%d} is before first_used "
                         f"{first:%Y-%m-%d}")
        if len(problems.items) > n:
            continue
        rows.append({
            "shoe": name, "brand": r.get("brand", ""), "model": r.get("model", ""),
            "first_used": first, "retired": retired,
            # a pair without its own limits takes the config's in shoe_status
            "notice_m": dist["notice"] * per if dist["notice"] is not None else np.nan,
            "replace_m": dist["replace"] * per if dist["replace"] is not None else np.nan,
            "start_distance_m": (dist["start_distance"] or 0.0) * per,
            "default": r.get("default", "").lower() in _YES, "sports": sports,
        })
    problems.raise_if_any()
    out = pd.DataFrame(rows, columns=["shoe", "brand", "model", "first_used", "retired",
                                      "notice_m", "replace_m", "start_distance_m", "default",
                                      "sports"])
    out["first_used"] = pd.to_datetime(out["first_used"])
    out["retired"] = pd.to_datetime(out["retired"])
    return out


def read_shoe_overrides(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Per-run assignments: CSV ``activity,shoe``; ``activity`` is an activity_id, a file
    name, or an ISO date (every run that day). Read like the shoes file; every bad row is
    reported with its line."""
    table = read_csv_table(path, known=("activity", "shoe"), required=("activity", "shoe"),
                           what="shoe assignments file", ordered=("activity", "shoe"))
    warn_note(table.note)
    rows = []
    for line, r in table.rows:
        if not r["activity"] or not r["shoe"]:
            table.problems.add(f"line {line}", "needs both an activity and a shoe")
            continue
        rows.append({"activity": r["activity"], "shoe": r["shoe"], "line": line})
    table.problems.raise_if_any()
    return pd.DataFrame(rows, columns=["activity", "shoe", "line"])


def assign_shoes(activities: pd.DataFrame, shoes: pd.DataFrame,
                 overrides: pd.DataFrame | None = None) -> pd.DataFrame:
    """Runs with the pair each was run in: columns ``shoe`` ('' = unassigned) and
    ``shoe_rule`` (why). Rules, first that applies:

    1. ``override``: the per-run overrides file (activity id, file name, or date);
    2. ``recorded``: gear recorded with the run (Strava "Activity Gear", manual log);
    3. ``only pair``: the one pair in use that day (first_used <= date <= retired);
    4. ``sport``: of the pairs in use, the one listed for the run's sport;
    5. ``default``: of the pairs in use, the one marked default;
    6. ``unassigned``: otherwise, never silently given to a pair.
    """
    runs = activities[activities["sport"].isin(RUNNING_SPORTS)
                      & ~activities.get("implausible", pd.Series(False, index=activities.index)
                                        ).fillna(False).astype(bool)].copy()
    by_name = {s.lower(): s for s in shoes["shoe"]}
    out_shoe = pd.Series("", index=runs.index, dtype=object)
    rule = pd.Series("unassigned", index=runs.index, dtype=object)
    if overrides is not None and len(overrides):
        base = runs["source_path"].map(lambda p: os.path.basename(str(p).split("!")[-1]))
        day = runs["local_date"].dt.strftime("%Y-%m-%d")
        for o in overrides.itertuples():
            hit = (runs["activity_id"] == o.activity) | (base == o.activity) | (
                day == o.activity)
            out_shoe[hit] = by_name.get(o.shoe.lower(), o.shoe)
            rule[hit] = "override"
    recorded = runs["gear"].fillna("").astype(str).str.strip()
    use = (rule == "unassigned") & (recorded != "")
    out_shoe[use] = recorded[use].map(lambda g: by_name.get(g.lower(), g))
    rule[use] = "recorded"
    for i in runs.index[rule == "unassigned"]:
        date, sport = runs.at[i, "local_date"], runs.at[i, "sport"]
        live = shoes[(shoes["first_used"].isna() | (shoes["first_used"] <= date))
                     & (shoes["retired"].isna() | (shoes["retired"] >= date))]
        if len(live) == 1:
            out_shoe[i], rule[i] = live["shoe"].iloc[0], "only pair"
            continue
        for_sport = live[live["sports"].map(lambda s, sp=sport: sp in s)]
        if len(for_sport) == 1:
            out_shoe[i], rule[i] = for_sport["shoe"].iloc[0], "sport"
            continue
        default = live[live["default"]]
        if len(default) == 1:
            out_shoe[i], rule[i] = default["shoe"].iloc[0], "default"
    runs["shoe"] = out_shoe
    runs["shoe_rule"] = rule
    return runs


def _crossing(dates: pd.Series, cum: pd.Series, limit: float) -> pd.Timestamp | None:
    hit = cum >= limit
    return dates[hit].iloc[0] if hit.any() else None


#: Projected replacement dates stop here: a later date is "beyond 2100" (a pair run 10 m in
#: eight weeks would otherwise project past the year 2262, pandas' last date).
PROJECTION_END = pd.Timestamp("2100-12-31")
BEYOND_TEXT = "beyond 2100"


def shoe_status(assigned: pd.DataFrame, shoes: pd.DataFrame, *,
                as_of: pd.Timestamp | None = None, recent_days: int | None = None,
                notice_m: float | None = None, replace_m: float | None = None) -> pd.DataFrame:
    """Status per pair: ``distance_m`` (with the starting distance), ``runs``, ``first_used``,
    ``last_used``, ``status`` (ok, notice, replace, retired), ``notice_on``/``replace_on``
    (the date the limit was passed, or the projected date at the pair's rate of use over
    the last ``recent_days`` [days]; NaT when not in recent use, or when the projection is
    after :data:`PROJECTION_END`, which ``notice_beyond``/``replace_beyond`` then say: shown
    as "beyond 2100"), ``share`` of running
    distance over those days, and ``in_file`` (False for gear recorded in an export but
    missing from the shoes file). ``as_of`` defaults to the last run's date.

    ``notice_m`` and ``replace_m`` [m] are the limits of pairs without their own (default:
    the ``[shoes]`` settings' 300 and 500 mi), ``recent_days`` [days] the window of recent
    use (default 56). A pair first used inside that window is projected at its rate over its
    own days in use, not over the whole window."""
    recent_days = int(SHOE_DEFAULTS["recent_days"] if recent_days is None else recent_days)
    notice_m = SHOE_DEFAULTS["notice_m"] if notice_m is None else notice_m
    replace_m = SHOE_DEFAULTS["replace_m"] if replace_m is None else replace_m
    shoes = shoes.assign(notice_m=shoes["notice_m"].fillna(notice_m),
                         replace_m=shoes["replace_m"].fillna(replace_m))
    as_of = pd.Timestamp(as_of) if as_of is not None else (
        assigned["local_date"].max() if len(assigned) else pd.Timestamp(clock_today()))
    known = shoes.assign(in_file=True)
    extra = sorted(set(assigned["shoe"]) - set(known["shoe"]) - {""})
    if extra:
        known = pd.concat([known, pd.DataFrame({
            "shoe": extra, "brand": "", "model": "", "first_used": pd.NaT, "retired": pd.NaT,
            "notice_m": notice_m, "replace_m": replace_m,
            "start_distance_m": 0.0, "default": False, "sports": [()] * len(extra),
            "in_file": False})], ignore_index=True)
    window_start = as_of - pd.Timedelta(days=recent_days - 1)
    past = assigned[assigned["local_date"] <= as_of]
    recent = past[past["local_date"] >= window_start]
    recent_total = recent["distance_m"].sum()
    rows: list[dict[str, Any]] = []
    for s in known.itertuples():
        mine = past[past["shoe"] == s.shoe].sort_values("local_start")
        cum = s.start_distance_m + mine["distance_m"].fillna(0).cumsum()
        dist = float(cum.iloc[-1]) if len(cum) else float(s.start_distance_m)
        mine_recent = recent[recent["shoe"] == s.shoe]["distance_m"].sum()
        began = s.first_used if pd.notna(s.first_used) else (
            mine["local_date"].min() if len(mine) else window_start)
        days_in_use = (as_of - max(window_start, began)).days + 1
        rate = mine_recent / max(min(recent_days, days_in_use), 1)  # m per day
        retired = pd.notna(s.retired) and s.retired <= as_of
        on = {}
        for key, limit in (("notice_on", s.notice_m), ("replace_on", s.replace_m)):
            if s.start_distance_m >= limit:  # already past it when tracking began
                when = s.first_used if pd.notna(s.first_used) else pd.NaT
            else:
                when = _crossing(mine["local_date"], cum, limit)
            beyond = False
            if when is None and not retired and rate > 0:
                days = float(np.ceil((limit - dist) / rate))
                if days > (PROJECTION_END - as_of).days:  # a pair used 10 m in 8 weeks
                    beyond = True  # no date past 2100 (nor past pandas' 2262 limit)
                else:
                    when = as_of + pd.Timedelta(days=int(days))
            on[key] = when if when is not None else pd.NaT
            on[key.replace("_on", "_beyond")] = beyond
        status = ("retired" if retired else "replace" if dist >= s.replace_m
                  else "notice" if dist >= s.notice_m else "ok")
        rows.append({
            "shoe": s.shoe, "brand": s.brand, "model": s.model, "distance_m": dist,
            "runs": len(mine), "first_used": s.first_used if pd.notna(s.first_used)
            else (mine["local_date"].min() if len(mine) else pd.NaT),
            "last_used": mine["local_date"].max() if len(mine) else pd.NaT,
            "status": status, "notice_m": s.notice_m, "replace_m": s.replace_m,
            "notice_on": on["notice_on"], "replace_on": on["replace_on"],
            "notice_beyond": on["notice_beyond"], "replace_beyond": on["replace_beyond"],
            "share": float(mine_recent / recent_total) if recent_total > 0 else 0.0,
            "in_file": s.in_file,
        })
    out = pd.DataFrame(rows, columns=["shoe", "brand", "model", "distance_m", "runs",
                                      "first_used", "last_used", "status", "notice_m",
                                      "replace_m", "notice_on", "replace_on",
                                      "notice_beyond", "replace_beyond", "share", "in_file"])
    for col in ("notice_beyond", "replace_beyond"):
        out[col] = out[col].astype(bool)
    for col in ("first_used", "last_used", "notice_on", "replace_on"):
        out[col] = pd.to_datetime(out[col])
    return out


def unassigned_runs(assigned: pd.DataFrame) -> dict[str, float]:
    """Distance [m] and number of runs not assigned to any pair."""
    un = assigned[assigned["shoe"] == ""]
    return {"distance_m": float(un["distance_m"].sum()), "runs": int(len(un))}


def rotation_advice(status: pd.DataFrame, single_pair_share: float | None = None,
                    unit: str = "mi") -> list[str]:
    """Plain-words actions in ``unit``: pairs to replace, pairs nearing the limit, and a
    second pair when one carries ``single_pair_share`` or more (default: the ``[shoes]``
    setting, 0.95) of recent running."""
    from .units import metres_per

    if single_pair_share is None:
        single_pair_share = SHOE_DEFAULTS["single_pair_share"]
    per = metres_per(unit)
    advice = []
    active = status[status["status"] != "retired"]
    for s in active[active["status"] == "replace"].itertuples():
        advice.append(f"Replace {s.shoe}: {s.distance_m / per:.0f} {unit}, past its "
                      f"{s.replace_m / per:.0f} {unit} limit (a convention, not a study).")
    for s in active[active["status"] == "notice"].itertuples():
        when = (f" around {s.replace_on:%d %b %Y}" if pd.notna(s.replace_on)
                else f" ({BEYOND_TEXT} at its recent use)"
                if getattr(s, "replace_beyond", False) else "")
        advice.append(f"{s.shoe} has {s.distance_m / per:.0f} {unit}: plan a "
                      f"replacement{when}.")
    top = active.sort_values("share", ascending=False)
    if len(top) and top["share"].iloc[0] >= single_pair_share:
        advice.append(f"{top['shoe'].iloc[0]} carries {top['share'].iloc[0]:.0%} of your recent "
                      "running. Runners who rotated more than one pair had fewer injuries "
                      "(HR 0.61, 95% CI 0.39-0.97; Malisoux et al. 2015, observational): "
                      "consider a second pair.")
    return advice


#: Columns of a shoes table (what :func:`read_shoes` returns).
SHOE_TABLE_COLUMNS = ["shoe", "brand", "model", "first_used", "retired", "notice_m", "replace_m",
                      "start_distance_m", "default", "sports"]


def shoes_from_gear(activities: pd.DataFrame, gear: pd.DataFrame | None = None) -> pd.DataFrame:
    """Pairs without a shoes file: every gear name the runs record, detailed by the exports'
    gear lists.

    Every non-empty ``gear`` of a running activity (Strava's Activity Gear, Garmin's gear
    links, the manual log's ``shoe``) is a pair, and so is every shoe of the exports' lists
    (``ReadResult.gear``, kind ``shoe``), used or not. A pair's limits are left empty, so
    the configured band applies (``Config.shoes``, default 300-500 mi), unless its export set
    a limit (Garmin's ``maximumMeters``):
    that limit becomes ``replace_m`` and the notice falls at the same 60% of it as the
    defaults (300 of 500 mi), never above the default notice. Brand, model, first use and
    retirement come from the gear list; a pair the export marks retired without a date is
    retired on the day of its last run.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`read_shoes`, one row per pair, sorted by name.
    """
    runs = activities[activities["sport"].isin(RUNNING_SPORTS)
                      & ~activities.get("implausible", pd.Series(False, index=activities.index)
                                        ).fillna(False).astype(bool)]
    recorded = runs["gear"].fillna("").astype(str).str.strip()
    last_run = runs.assign(_g=recorded.str.lower()).groupby("_g")["local_date"].max()
    listed = gear[gear["kind"] == "shoe"] if gear is not None and len(gear) else None
    by_name: dict[str, dict[str, Any]] = {}
    if listed is not None:
        for g in listed.itertuples():
            by_name.setdefault(g.name.lower(), g._asdict())
    names = sorted({*recorded[recorded != ""]} | {g["name"] for g in by_name.values()},
                   key=str.lower)
    seen: set[str] = set()
    rows = []
    ratio = SHOE_DEFAULTS["notice_m"] / SHOE_DEFAULTS["replace_m"]
    for name in names:
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        g = by_name.get(name.lower(), {})
        replace = g.get("replace_m")
        # no limit of the export's own: left empty, so the configured band applies
        # (shoe_status fills empty limits from Config.shoes)
        replace = float(replace) if replace is not None and pd.notna(replace) and replace > 0 \
            else np.nan
        retired = g.get("retired")
        if (retired is None or pd.isna(retired)) and g.get("status") == "retired":
            retired = last_run.get(name.lower(), pd.NaT)
        rows.append({
            "shoe": name, "brand": g.get("brand", "") or "", "model": g.get("model", "") or "",
            "first_used": g.get("first_used", pd.NaT), "retired": retired,
            "notice_m": np.nan if np.isnan(replace) or replace >= SHOE_DEFAULTS["replace_m"]
            else min(SHOE_DEFAULTS["notice_m"], replace * ratio), "replace_m": replace,
            "start_distance_m": 0.0, "default": False, "sports": (),
        })
    out = pd.DataFrame(rows, columns=SHOE_TABLE_COLUMNS)
    out["first_used"] = pd.to_datetime(out["first_used"])
    out["retired"] = pd.to_datetime(out["retired"])
    return out


def merge_shoes(own: pd.DataFrame | None, derived: pd.DataFrame | None) -> pd.DataFrame | None:
    """kneeload's shoes file (``own``) joined with the pairs the data records (``derived``,
    :func:`shoes_from_gear`): where both name a pair (case-insensitive), the shoes file's
    row wins and only its blank brand, model, first use and retirement are filled from the
    data; pairs only the data names are added. None when neither has a pair."""
    if own is None or own.empty:
        return derived if derived is not None and len(derived) else (own if own is not None
                                                                       else None)
    if derived is None or derived.empty:
        return own
    out = own.copy()
    extra = derived.set_index(derived["shoe"].str.lower())
    for i, name in out["shoe"].str.lower().items():
        if name not in extra.index:
            continue
        d = extra.loc[name]
        for col in ("brand", "model"):
            if not str(out.at[i, col] or "").strip():
                out.at[i, col] = d[col]
        for col in ("first_used", "retired"):
            if pd.isna(out.at[i, col]):
                out.at[i, col] = d[col]
    new = derived[~derived["shoe"].str.lower().isin(set(out["shoe"].str.lower()))]
    return pd.concat([out, new], ignore_index=True) if len(new) else out
