"""The ``kneeload`` command. ``main(argv) -> int`` so it can be tested in-process.

Exit status: 0 all well, 1 something to act on (skipped files, flags at or above
the threshold), 2 usage or input errors (or an output that could not be written),
3 an unexpected internal error (a bug: one line on stderr; ``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import pandas as pd

from . import __version__
from .advice import ThisWeek
from .clock import today as clock_today
from .config import SEVERITIES, load_config
from .discover import Found, discover
from .errors import KneeloadError, OutputError
from .io import ReadResult, read_activities
from .io._summary import implausible_rows
from .load import SEVERITY_RANK, pct_text
from .plan import read_plan
from .safeio import atomic_write, resolve_target
from .schema import RUNNING_SPORTS
from .season import Season, machine_clock_note
from .text import advice_json, count
from .units import (
    UNITS,
    elevation_unit,
    format_duration,
    metres_per,
    to_elevation_unit,
    to_unit,
)

EXIT_OK, EXIT_FLAGGED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # the shell's convention for Ctrl-C (128 + SIGINT)
#: The reader of our output went away (``kneeload check | head``): the shell's convention for a
#: closed pipe (128 + SIGPIPE), never 1, which a daily script reads as "flags".
EXIT_PIPE_CLOSED = 141
#: Where a bug is reported (README, "Reporting a problem").
REPORT_TO = "the kneeload issue tracker (see README: Reporting a problem)"


#: Other spellings of the display units that ``--unit`` accepts.
UNIT_ALIASES = {"mi": "mi", "mile": "mi", "miles": "mi", "km": "km", "kms": "km",
                "kilometre": "km", "kilometres": "km", "kilometer": "km", "kilometers": "km"}


def _unit(text: str) -> str:
    """``--unit``: 'mi' or 'km', also spelled out (``miles``, ``kilometres``, ...)."""
    return UNIT_ALIASES.get(text.strip().lower(), text)


def _did_you_mean(message: str) -> str:
    """argparse's "invalid choice" message as one line with the closest choice as a hint."""
    import difflib

    m = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if not m:
        return message
    word = m.group(1)
    choices = re.findall(r"'([^']*)'", m.group(2)) or [c.strip() for c in m.group(2).split(",")]
    what = "command" if "argument command" in message or "pain_command" in message else None
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    hint = f" (did you mean '{close[0]}'?)" if close else f" (choose from {', '.join(choices)})"
    if what:
        return f"unknown command '{word}'{hint}"
    head = message.split(": invalid choice", 1)[0]
    return f"{head}: invalid choice '{word}'{hint}"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 on usage errors: keep that
        """One line, ``kneeload: ...``, with a hint; never argparse's usage block."""
        message = " ".join(_did_you_mean(message).split())
        sub = self.prog[len("kneeload"):].strip()
        where = f"kneeload {sub}" if sub else "kneeload"
        raise _UsageExit(f"kneeload: {message} (see '{where} --help')")


class _UsageExit(Exception):
    pass


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(32), *range(127, 160)]}
_CONTROL.update({9: "\\t", 10: "\\n", 13: "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029",
                 **{c: f"\\u{c:04x}" for c in range(0x202A, 0x202F)},
                 **{c: f"\\u{c:04x}" for c in range(0x2066, 0x206A)}})


_CONTROL_KEEP_LINES = {k: v for k, v in _CONTROL.items() if k != 10}


def printable(text: object, lines: bool = False) -> str:  # noqa: FBT001, FBT002
    """``text`` (a file name, a path, a name from a file) safe to print on one terminal
    line: control characters (ESC, CR, newline, tab, C1) and the line separators and bidi
    overrides shown as escapes (``\\x1b``, ``\\r``, ``\\n``), so a file name can neither
    forge a line nor drive the terminal. JSON output needs no help: it escapes them."""
    if lines:  # a message that is a list of problems, one a line: keep its newlines
        return str(text).translate(_CONTROL_KEEP_LINES)
    return str(text).translate(_CONTROL)


def _json_value(v: object) -> object:
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if hasattr(v, "item"):  # numpy scalars
        return _json_value(v.item())
    return v


def _finite(obj: object) -> object:
    """``obj`` with every NaN or infinite float (also numpy's) as None, recursively."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if isinstance(obj, float) or (hasattr(obj, "dtype") and hasattr(obj, "item")):
        v = obj.item() if hasattr(obj, "item") else obj
        return v if not isinstance(v, float) or math.isfinite(v) else None
    return obj


def json_text(obj: object, **kw: Any) -> str:
    """Strict JSON (RFC 8259) for ``--json``: NaN and infinities become null, never the
    invalid ``NaN``/``Infinity`` tokens a JSON parser rejects."""
    return json.dumps(_finite(obj), allow_nan=False, **kw)


def records(df: pd.DataFrame) -> list[dict[str, object]]:
    """DataFrame rows as JSON-ready dicts (ISO times, null for missing)."""
    return [{k: _json_value(v) for k, v in row.items()} for row in df.to_dict("records")]


def _add_input_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="FIT/GPX/TCX files (plain or .gz), folders, Strava or Garmin export "
                        "folders or .zip files, manual-log CSVs")
    p.add_argument("--unit", type=_unit, choices=UNITS, default=None,
                   help="display unit (default: the config's, else mi)")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--tz", default=None,
                   help="time zone for files with neither a device local time nor a position "
                        "(IANA name; default: the config's, else the machine's)")
    p.add_argument("--force-tz", default=None, metavar="ZONE",
                   help="place every activity in this zone, whatever the files say")
    _add_cache_args(p)


def _add_cache_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-cache", action="store_true",
                   help="parse every file again, without reading or writing the parse cache")
    p.add_argument("--cache-dir", default=None,
                   help="parse cache folder (default: $KNEELOAD_CACHE or ~/.cache/kneeload)")


def _cache_arg(args: argparse.Namespace) -> bool | str:
    if getattr(args, "no_cache", False):
        return False
    return getattr(args, "cache_dir", None) or True


def _found(paths: list[str], args: argparse.Namespace) -> Found:
    """kneeload.toml, pain.csv, shoes.csv, shoe_assignments.csv as every command finds them
    (kneeload.discover), told on stderr."""
    found = discover(paths, config=getattr(args, "config", None),
                     pain=getattr(args, "pain", None), shoes=getattr(args, "shoes", None),
                     shoe_assignments=getattr(args, "assign", None))
    for line in found.describe():
        print(f"kneeload: {printable(line)}", file=sys.stderr)
    return found


def _read(args: argparse.Namespace) -> ReadResult:
    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        raise _UsageExit("kneeload: no such file or folder: " + ", ".join(missing))
    found = _found(args.paths, args)
    cfg = load_config(found.config)
    args.unit = args.unit or cfg.unit
    return read_activities(args.paths, tz=args.tz or cfg.tz, cache=_cache_arg(args),
                           force_tz=getattr(args, "force_tz", None),
                           sports=cfg.sports or None)


def _summary_table(df: pd.DataFrame, unit: str) -> str:
    eu = elevation_unit(unit)
    lines = [f"{'date':<10}  {'start':<5}  {'sport':<13} {'distance':>10}  {'time':>8}  "
             f"{'descent':>8}  file"]
    for r in df.itertuples():
        dist = "" if pd.isna(r.distance_m) else f"{to_unit(r.distance_m, unit):.2f} {unit}"
        desc = "" if pd.isna(r.descent_m) else f"{to_elevation_unit(r.descent_m, unit):.0f} {eu}"
        mark = " (partial)" if r.partial else ""
        mark += " (implausible)" if getattr(r, "implausible", False) else ""
        name = printable(os.path.basename(r.source_path))
        session = f"#{r.session_index}" if r.session_index else ""
        lines.append(f"{r.local_start:%Y-%m-%d}  {r.local_start:%H:%M}  {r.sport:<13} "
                     f"{dist:>10}  {format_duration(r.moving_s):>8}  {desc:>8}  "
                     f"{name}{session}{mark}")
    return "\n".join(lines)


def cmd_summary(args: argparse.Namespace) -> int:
    result = _read(args)
    acts, skipped = result.activities, result.skipped
    if args.since is not None:
        acts = acts[acts["local_date"] >= args.since]
    not_read = skipped[~skipped["kind"].isin(("duplicate", "ignored"))]
    if args.json:
        out = {"unit": args.unit,
               "activities": records(acts.assign(
                   distance=acts["distance_m"] / metres_per(args.unit))),
               "skipped": records(skipped),
               "implausible": implausible_rows(acts),
               "placed_by_machine_clock": int(acts["tz_source"].astype(str)
                                              .str.startswith("machine:").sum())}
        print(json_text(out, indent=2))
    else:
        runs = acts[acts["sport"].isin(RUNNING_SPORTS) & ~acts["implausible"]]
        print(_summary_table(acts, args.unit))
        print(f"\n{count(len(acts), 'activity', 'activities')}, {count(len(runs), 'run')}, "
              f"{to_unit(runs['distance_m'].sum(), args.unit):.1f} {args.unit} running")
        note = machine_clock_note(acts)
        if note:
            print(note)
        if odd := implausible_rows(acts):
            print(f"\nImplausible (kept in the table, left out of load, advice and shoes): "
                  f"{len(odd)}")
            for o in odd:
                print(f"  {printable(o['path'])}: {printable(o['why'])}")
        from .sports import unknown_labels
        if unknown := unknown_labels(acts["note"]):
            print("Sport labels kneeload does not know, counted as 'other' (map them under "
                  "[sports] in kneeload.toml): "
                  + ", ".join(f"{k!r} x{n}" for k, n in unknown.items()))
        partial = acts[acts["partial"] | (acts["note"] != "")]
        if len(partial):
            print("\nNotes:")
            for r in partial.itertuples():
                print(f"  {printable(r.source_path)}: {printable(r.note)}")
        for kind, title in (("not read", not_read),
                            ("counted once", skipped[skipped["kind"] == "duplicate"])):
            if len(title):
                print(f"\nSkipped ({kind}): {len(title)}")
                for r in title.itertuples():
                    print(f"  {printable(r.path)}: {printable(r.reason)}")
        exports = result.by_input[result.by_input["ignored"] + result.by_input["skipped"] > 0]
        if len(exports):  # per export: read, and skipped or ignored by reason (issue 22)
            print("\nPer input (read; not read, by reason):")
            for e in exports.itertuples():
                print(f"  {printable(e.path)} ({e.kind}): {e.read} read, {e.skipped} skipped, "
                      f"{e.ignored} ignored")
                for reason, n in e.reasons.items():
                    print(f"    {n} x {printable(reason)}")
    return EXIT_FLAGGED if len(not_read) else EXIT_OK


def _date(text: str) -> pd.Timestamp:
    from .textfile import EARLIEST_DATE, LATEST_DATE
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date like 2026-09-01: {text!r}") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise argparse.ArgumentTypeError(f"{text} is outside {EARLIEST_DATE:%Y}-"
                                         f"{LATEST_DATE:%Y}")
    return pd.Timestamp(day)


def _season(paths: list[str], args: argparse.Namespace) -> Season:
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise _UsageExit("kneeload: no such file or folder: " + ", ".join(missing))
    found = _found(paths, args)
    cfg = load_config(found.config)
    if args.unit:
        cfg.unit = args.unit
    pain = {}
    if getattr(args, "pain_model", None):
        pain["model"] = args.pain_model
    if getattr(args, "pair_window", None) is not None:
        pain["window_days"] = args.pair_window
    if pain:
        cfg = cfg.with_settings(pain=pain)
    season = Season.from_paths(paths, tz=args.tz or cfg.tz, config=cfg, cache=_cache_arg(args),
                               pain_log=found.pain, shoes=found.shoes,
                               shoe_assignments=found.shoe_assignments, discover_files=False,
                               force_tz=getattr(args, "force_tz", None),
                               today=getattr(args, "today", None))
    season.files = found
    note = machine_clock_note(season.activities)
    if note:
        print(f"kneeload: {note}", file=sys.stderr)
    not_read = season.skipped[~season.skipped["kind"].isin(("duplicate", "ignored"))]
    for r in not_read.itertuples():
        print(f"kneeload: skipped {printable(r.path)}: {printable(r.reason)}",
              file=sys.stderr)
    if season.activities.empty:
        raise _UsageExit("no activities could be read from " + ", ".join(paths))
    if getattr(args, "today", None) is not None:  # data after --today is not used (issue 20)
        season = season.as_of(args.today)
    return season


def _flag_records(flags: pd.DataFrame) -> list[dict[str, object]]:
    out = []
    for r in records(flags):
        for key in ("date", "week_start"):
            r[key] = str(r[key])[:10] if r[key] else None
        out.append(r)
    return out


def week_records(weeks: pd.DataFrame, unit: str) -> list[dict[str, object]]:
    """The weekly table as documented JSON: ISO dates, distances in ``unit`` and in metres."""
    w = weeks.copy()
    per = metres_per(unit)
    w["distance"] = w["distance_m"] / per
    w["longest"] = w["longest_m"] / per
    w["cross_distance"] = w["cross_distance_m"] / per
    w["unit"] = unit
    out = records(w)
    for r in out:
        r["week_start"] = str(r["week_start"])[:10]
        r["week_end"] = str(r["week_end"])[:10]
    return out


def _print_flags(flags: pd.DataFrame) -> None:
    if flags.empty:
        print("No flags.")
        return
    mark = {"info": "i", "warn": "!", "alert": "!!"}
    for r in flags.itertuples():
        print(f"[{mark[r.severity]:>2}] {r.date:%Y-%m-%d}  {r.severity:<5}  {r.rule}: {r.message}")


def _failing(flags: pd.DataFrame, fail_on: str) -> pd.DataFrame:
    return flags[flags["severity"].map(SEVERITY_RANK) >= SEVERITY_RANK[fail_on]]


def bar_chart(weeks: pd.DataFrame, unit: str, n: int = 8, width: int = 30) -> list[str]:
    """A small text bar chart of the last ``n`` weeks' running distance; partial weeks are
    drawn with ``:`` and marked."""
    recent = weeks.tail(n)
    if recent.empty:
        return []
    per = metres_per(unit)
    top = max(float(recent["distance_m"].max()), 1.0)
    lines = []
    for w in recent.itertuples():
        bar = ("#" if not w.partial else ":") * int(round(w.distance_m / top * width))
        lines.append(f"{w.week_start:%Y-%m-%d}  {bar:<{width}}  {w.distance_m / per:5.1f} {unit}"
                     + ("  (partial)" if w.partial else ""))
    return lines


def this_week_lines(t: ThisWeek, unit: str, config: Any = None) -> list[str]:
    """``Season.this_week()`` in plain words (:func:`kneeload.text.this_week_lines`),
    indented under its first line."""
    from .text import this_week_lines as words

    lines = words(t, config, unit=unit)
    return lines[:1] + [f"  {x}" for x in lines[1:]]


def cmd_check(args: argparse.Namespace) -> int:
    season = _season(args.paths, args)
    unit = season.config.unit
    flags = season.all_flags()  # none dated after the day judged
    weeks = season.weeks
    if args.since is not None:
        flags = flags[flags["date"] >= args.since]
        weeks = weeks[weeks["week_end"] >= args.since]
    failing = _failing(flags, args.fail_on)
    tw = season.this_week()
    tol = season.tolerance() if season.pain is not None else None
    check = _plan_check(season, args) if getattr(args, "plan", None) else None
    if args.json:
        print(json_text({"unit": unit, "today": f"{season.today:%Y-%m-%d}",
                         "this_week": advice_json(tw, unit),
                         "next_week": advice_json(season.next_week(), unit),
                         "tolerance": advice_json(tol, unit),
                         "flags": _flag_records(flags),
                         "weeks": week_records(weeks, unit), "notes": season.notes(),
                         "skipped": records(season.skipped),
                         "adherence": None if check is None else check["adherence"],
                         "replan": None if check is None else check["replan"]}, indent=2))
    else:
        print(f"{'week':<10}  {'runs':>4}  {'distance':>9}  {'change':>7}  {'4-wk':>6}  "
              f"{'longest':>8}  {'descent':>8}  {'cadence':>7}  note")
        eu = elevation_unit(unit)
        ten = season.config.rule("weekly_increase")["threshold_pct"]
        empty = weeks["runs"].eq(0)
        # a stretch of 2+ weeks without a run (a multi-year export's gaps) is one line
        stretch = (empty != empty.shift()).cumsum()
        size = empty.groupby(stretch).transform("size")
        for i, w in enumerate(weeks.itertuples()):
            if empty.iloc[i] and size.iloc[i] >= 2:
                if i == 0 or stretch.iloc[i] != stretch.iloc[i - 1]:
                    last = w.week_start + pd.Timedelta(weeks=int(size.iloc[i]) - 1)
                    print(f"{w.week_start:%Y-%m-%d}  no runs for {size.iloc[i]} weeks, to the "
                          f"week of {last:%Y-%m-%d}")
                continue
            ch = "" if pd.isna(w.change_prev_pct) else pct_text(w.change_prev_pct, ten)
            c4 = "" if pd.isna(w.change_4wk_pct) else pct_text(w.change_4wk_pct, ten)
            cad = "" if pd.isna(w.cadence_spm) else f"{w.cadence_spm:.0f}"
            note = ("partial" if w.partial else "") + (
                f"{' ' if w.partial else ''}return week {w.return_week}" if w.return_week else "")
            print(f"{w.week_start:%Y-%m-%d}  {w.runs:>4}  "
                  f"{to_unit(w.distance_m, unit):>6.1f} {unit}  {ch:>7}  {c4:>6}  "
                  f"{to_unit(w.longest_m, unit):>5.1f} {unit}  "
                  f"{to_elevation_unit(w.descent_m, unit):>5.0f} {eu}  {cad:>7}  {note}".rstrip())
        print()
        for line in bar_chart(season.weeks, unit):
            print(line)
        print()
        if args.today is None and season.today != pd.Timestamp(clock_today()):
            print(f"Judged as of {season.today:%a %d %b %Y}, the last run's day (the data "
                  "ends more than a week ago); pass --today DATE to judge another day.")
        for line in this_week_lines(tw, unit, season.config):
            print(line)
        if tol is not None:
            print(tol.text)
        print()
        _print_flags(flags)
        if check is not None:
            for line in check["lines"]:
                print(line)
        for note in season.notes():
            print(f"Note: {note}")
        print(f"\n{len(failing)} flag(s) at or above '{args.fail_on}'"
              + (f" since {args.since:%Y-%m-%d}" if args.since is not None else "") + ".")
    replan = check is not None and check["replan"] is not None
    return EXIT_FLAGGED if len(failing) or replan else EXIT_OK


def _history_before(season: Season, day: pd.Timestamp, why: str) -> Season:
    """``season`` with only the activities before ``day``; stderr says how many were left
    out and ``why`` (the plan's history after ``--today``, or ``--replace``)."""
    runs = season.activities
    kept = runs[runs["local_date"] < day].reset_index(drop=True)
    print(f"kneeload: plan: {why}{len(runs) - len(kept)} activities "
          + (f"after --today {day - pd.Timedelta(days=1):%Y-%m-%d}" if not why
             else f"from {day:%Y-%m-%d} on") + " left out of the history", file=sys.stderr)
    out = Season(kept, season.config, season.skipped, season.pain, season.shoes,
                 season.shoe_overrides, gear=season.gear, files=season.files)
    out.left_out = season.left_out
    return out


def _plan_after_history(season: Season, plan: pd.DataFrame, replace: bool,  # noqa: FBT001
                        today: str | None = None) -> Season:
    """The season a plan is judged after: with ``today``, the history as of that day (later
    activities are not used, and stderr says so); a plan dated on or before the last run is
    refused (it would be merged as if run after the history, re-judging old days), or with
    ``replace`` the history from the plan's first day on is dropped."""
    if today is not None and not season.activities.empty:
        after = pd.Timestamp(today).normalize() + pd.Timedelta(days=1)
        if (season.activities["local_date"] >= after).any():
            season = _history_before(season, after, "")
    runs = season.activities
    if plan.empty or runs.empty:
        return season
    first = pd.Timestamp(plan["date"].min()).normalize()
    last = pd.Timestamp(runs["local_date"].max()).normalize()
    if first > last:
        return season
    if not replace:
        raise _UsageExit(f"kneeload: plan: the plan starts {first:%Y-%m-%d}, on or before the "
                         f"last run in the history ({last:%Y-%m-%d}); date it from "
                         f"{last + pd.Timedelta(days=1):%Y-%m-%d}, or give --replace to judge "
                         f"it in place of the history from {first:%Y-%m-%d} on")
    return _history_before(season, first, "--replace: ")


def _plan_check(season: Season, args: argparse.Namespace) -> dict[str, Any]:
    """``check --plan``: the planned weeks beside the real ones, the runs far above plan, and
    whether a pain flag dated after the plan was made undoes its remaining weeks (then the
    weeks built again from today). Returns the text ``lines`` and the JSON ``adherence`` and
    ``replan`` (None when no pain flag undoes the plan)."""
    from .planner import adherence, pain_replan
    from .text import adherence_lines, replan_lines, replan_reason

    path = args.plan
    if not os.path.exists(path):
        raise _UsageExit(f"kneeload: no such plan file: {printable(path)}")
    unit = season.config.unit
    per = metres_per(unit)
    plan = read_plan(path, unit)
    weeks, over = adherence(season.activities, plan, season.config, today=season.today)

    def d(m: Any) -> float | None:
        return None if m is None or pd.isna(m) else round(float(m) / per, 2)

    def m(v: Any) -> float | None:
        return None if v is None or pd.isna(v) else round(float(v), 1)

    adh = {"plan": path, "unit": unit, "far_pct": float(over.attrs["far_pct"]),
           "weeks": [{"week_start": f"{w.week_start:%Y-%m-%d}", "planned": d(w.planned_m),
                      "planned_m": m(w.planned_m), "run": d(w.run_m), "run_m": m(w.run_m),
                      "runs_planned": int(w.runs_planned),
                      "runs": None if pd.isna(w.runs) else int(w.runs),
                      "complete": bool(w.complete)} for w in weeks.itertuples()],
           "over": [{"date": f"{r.date:%Y-%m-%d}", "planned": d(r.planned_m),
                     "planned_m": m(r.planned_m), "run": d(r.run_m), "run_m": m(r.run_m),
                     "limit": d(r.limit_m), "limit_m": m(r.limit_m)} for r in over.itertuples()]}
    lines = [""] + adherence_lines(weeks, over, unit, path)
    rp = pain_replan(season.activities, plan, season.pain, season.config, today=season.today)
    replan = None
    if rp is not None:
        command = ("kneeload plan --build --history " + " ".join(args.paths)
                   + f" --goal {rp.goal} --weeks {rp.weeks} --today {rp.today:%Y-%m-%d} "
                   f"-o {path}")
        lines += [""] + replan_lines(rp, command)
        replan = {"reason": replan_reason(rp), "pain_date": f"{rp.flag['date']:%Y-%m-%d}",
                  "pain_rule": rp.flag["rule"], "pain": rp.flag["value"],
                  "made": f"{rp.made:%Y-%m-%d}", "from": f"{rp.today:%Y-%m-%d}",
                  "remaining_runs": len(rp.remaining), "goal": rp.goal, "weeks": rp.weeks,
                  "command": command, "plan": rp.plan.as_dict()}
    return {"lines": lines, "adherence": adh, "replan": replan}


def cmd_plan_build(args: argparse.Namespace) -> int:
    if args.goal is None:
        raise _UsageExit("kneeload: plan --build needs --goal (e.g. 30mi/week or "
                         "'half 2027-03-14')")
    season = _season(args.history, args)
    plan = season.build_plan(args.goal, weeks=args.weeks, days=args.days)
    out = args.output
    unit = season.config.unit
    if out is not None:
        from . import planfiles

        lower = out.lower()
        if lower.endswith(".csv"):
            planfiles.write_plan_csv(plan.table, out, unit)
        elif lower.endswith(".ics"):
            planfiles.write_plan_ics(plan.table, out, unit)
        else:  # a folder: one FIT workout file a run
            planfiles.write_fit_workouts(plan.table, out, unit)
    if args.json:
        print(json_text(plan.as_dict(), indent=2))
    else:
        for line in plan.lines():
            print(line)
        if out is not None:
            print(f"Wrote {out}.")
    return EXIT_OK


def cmd_plan(args: argparse.Namespace) -> int:
    if getattr(args, "build", False):
        return cmd_plan_build(args)
    if args.plan is None:
        raise _UsageExit("kneeload: plan: give PLAN.csv to check, or --build --goal GOAL to "
                         "build one")
    if not os.path.exists(args.plan):
        raise _UsageExit(f"kneeload: no such plan file: {printable(args.plan)}")
    season = _season(args.history, args)
    unit = season.config.unit
    plan = read_plan(args.plan, unit)
    season = _plan_after_history(season, plan, getattr(args, "replace", False),
                                 getattr(args, "today", None))
    from .load import plan_load

    # load = time / srpe: a plan without durations or RPEs is judged with estimates (said
    # once) or refused, never as if the missing values were 0 (issue 20)
    plan, estimates = plan_load(season.activities, plan, season.config)
    ahead = season.next_week()
    flags = season.check_plan(plan)
    failing = _failing(flags, args.fail_on)
    per = metres_per(unit)
    look = advice_json(ahead, unit)
    notes = [*_left_out_notes(season), *estimates]
    if args.json:
        print(json_text({"next_week": look, "flags": _flag_records(flags),
                          "plan": [_plan_row(r, per, unit) for r in plan.itertuples()],
                          "notes": notes}, indent=2))
    else:
        from .text import look_ahead_lines

        for line in look_ahead_lines(ahead, season.config, unit=unit):
            print(line)
        print(f"\nThe plan ({count(len(plan), 'run')}, "
              f"{plan['distance_m'].sum() / per:.1f} {unit}) "
              "as if run after your history:")
        _print_flags(flags)
        for note in notes:
            print(f"Note: {note}")
    return EXIT_FLAGGED if len(failing) else EXIT_OK


def _plan_row(r: Any, per: float, unit: str) -> dict[str, object]:
    """One planned run as the plan's JSON: date, distance in ``unit`` (2 decimals), and the planned
    (or estimated) ``moving_s`` [s] and ``rpe`` (null when the load does not need them)."""
    def num(v: object) -> float | None:
        return None if v is None or pd.isna(v) else float(v)  # type: ignore[arg-type]

    # 2 decimals, like every other distance in unit (3.5, not 3.4999999999999996)
    return {"date": f"{r.date:%Y-%m-%d}", "distance": round(r.distance_m / per, 2), "unit": unit,
            "moving_s": num(getattr(r, "moving_s", None)), "rpe": num(getattr(r, "rpe", None))}


def cmd_shoes(args: argparse.Namespace) -> int:
    from . import shoes as sh

    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        raise _UsageExit("kneeload: no such file or folder: " + ", ".join(missing))
    found = _found(args.paths, args)
    assign_path = found.shoe_assignments
    cfg = load_config(found.config)
    unit = args.unit or cfg.unit
    result = read_activities(args.paths, tz=args.tz or cfg.tz, cache=_cache_arg(args),
                             force_tz=args.force_tz, sports=cfg.sports or None)
    for r in result.skipped[~result.skipped["kind"].isin(("duplicate", "ignored"))].itertuples():
        print(f"kneeload: skipped {printable(r.path)}: {printable(r.reason)}",
              file=sys.stderr)
    shoes = sh.merge_shoes(sh.read_shoes(found.shoes) if found.shoes else None,
                           sh.shoes_from_gear(result.activities, result.gear))
    if shoes is None or shoes.empty:
        print("kneeload: the data records no shoes and there is no shoes file: every run is "
              "unassigned; list your pairs in shoes.csv (see docs/shoes.md)", file=sys.stderr)
        shoes = pd.DataFrame({c: pd.Series(dtype=object) for c in sh.SHOE_TABLE_COLUMNS})
        shoes["first_used"] = pd.to_datetime(shoes["first_used"])
        shoes["retired"] = pd.to_datetime(shoes["retired"])
    overrides = sh.read_shoe_overrides(assign_path) if assign_path else None
    assigned = sh.assign_shoes(result.activities, shoes, overrides)
    notice_m, replace_m = cfg.shoe_limits_m()
    status = sh.shoe_status(assigned, shoes, as_of=args.as_of,
                            recent_days=cfg.shoes["recent_days"], notice_m=notice_m,
                            replace_m=replace_m)
    un = sh.unassigned_runs(assigned)
    advice = sh.rotation_advice(status, cfg.shoes["single_pair_share"], unit)
    per = metres_per(unit)
    over = status[status["status"] == "replace"]
    if args.json:
        out = []
        for s in status.itertuples():
            out.append({"shoe": s.shoe, "distance": round(s.distance_m / per, 2), "unit": unit,
                        "runs": int(s.runs), "status": s.status,
                        "first_used": _iso(s.first_used), "last_used": _iso(s.last_used),
                        "notice_on": _iso(s.notice_on), "replace_on": _iso(s.replace_on),
                        "notice_beyond_2100": bool(s.notice_beyond),
                        "replace_beyond_2100": bool(s.replace_beyond),
                        "share": round(s.share, 3), "notice": round(s.notice_m / per, 1),
                        "replace": round(s.replace_m / per, 1), "in_file": bool(s.in_file)})
        print(json_text({"shoes": out, "unassigned": {"distance": round(
            un["distance_m"] / per, 2), "runs": un["runs"], "unit": unit},
            "advice": advice}, indent=2))
    else:
        from .report.content import shoe_rows
        from .report.tables import shoes_text

        print(shoes_text(shoe_rows(status, unit), unit))
        print(f"\nUnassigned: {count(int(un['runs']), 'run')}, {un['distance_m'] / per:.1f} {unit}"
              + (" (give them a pair in shoe_assignments.csv or mark a default pair)"
                 if un["runs"] else ""))
        from .text import shoe_note

        print(shoe_note(cfg, unit))
        for a in advice:
            print(f"- {a}")
    return EXIT_FLAGGED if len(over) else EXIT_OK


def _iso(v: object) -> str | None:
    return None if v is None or pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d}"


def _pain_log_path(args: argparse.Namespace) -> str:
    """``--log``, else the pain log every command finds (kneeload.discover: pain.csv in the
    current folder, then the user's config folder)."""
    if args.log:
        return str(args.log)
    found = discover(["."], pain=None, pain_may_be_missing=args.pain_command == "add")
    if found.pain:
        print(f"kneeload: pain log: {printable(found.pain)} ({found.origin['pain']})",
              file=sys.stderr)
        return found.pain
    raise _UsageExit("kneeload: no pain log found: give --log pain.csv, name it in "
                     "kneeload.toml ([pain] log = \"pain.csv\"), or put pain.csv in this "
                     "folder or the config folder (see docs/pain.md)")


def _known_activity(activity: str, folder: str) -> bool:
    """Whether ``activity`` names a run: an ISO date (or date and time), or a file's name
    (with or without its extension or .gz) somewhere under ``folder``."""
    try:
        dt.datetime.fromisoformat(activity)
        return True
    except ValueError:
        pass
    want = activity.strip()
    base = os.path.basename(want)
    if os.path.isfile(want) or os.path.isfile(os.path.join(folder, want)):
        return True
    seen = 0
    for _root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            seen += 1
            stem = name[:-3] if name.endswith(".gz") else name
            if base in (name, stem, os.path.splitext(stem)[0]):
                return True
        if seen > 200_000:  # a home folder, not a data folder: do not judge
            return True
    return False


def cmd_pain_add(args: argparse.Namespace) -> int:
    from .pain import append_pain

    log = _pain_log_path(args)
    if args.date is not None:
        try:
            day = dt.date.fromisoformat(args.date)
        except ValueError:
            day = None  # append_pain says what is wrong with it
        if day is not None and day > clock_today():
            raise _UsageExit(f"kneeload: pain add: {args.date} is in the future (today is "
                             f"{clock_today():%Y-%m-%d}); log pain on the day it was felt")
    if args.activity:
        folder = os.path.dirname(os.path.abspath(log))
        if not _known_activity(args.activity, folder):
            raise _UsageExit(f"kneeload: pain add: no activity {printable(args.activity)!r} "
                             f"under {printable(folder)} (give a file name there or the run's "
                             "ISO date, or leave --activity out)")
    entry = append_pain(log, pain=args.score, date=args.date, side=args.side or "",
                        when=args.when or "", activity=args.activity or "", note=args.note or "")
    print(f"Logged {entry['pain']:g}/10 on {entry['date']:%Y-%m-%d} in {printable(log)}.")
    if entry["added_columns"]:
        print(f"Added the column(s) {', '.join(entry['added_columns'])} to the log's header so "
              "the entry reads back whole.")
    return EXIT_OK


#: The keys of each ``pain list --json`` entry (docs/cli.md).
PAIN_ENTRY_KEYS = ("date", "pain", "side", "when", "activity", "note")


def cmd_pain_list(args: argparse.Namespace) -> int:
    from .pain import read_pain_log

    log = _pain_log_path(args)
    if not os.path.exists(log):
        raise _UsageExit(f"kneeload: no such pain log: {printable(log)}")
    df = read_pain_log(log)
    if args.json:  # every key on every entry: null for a column the log does not have
        rows = records(df.reindex(columns=list(PAIN_ENTRY_KEYS)))
        for r in rows:
            day = r.get("date")
            if isinstance(day, str):
                r["date"] = day[:10]
        print(json_text({"log": log, "entries": rows}, indent=2))
        return EXIT_OK
    print(f"{'date':<10}  {'pain':>4}  {'side':<5}  {'when':<12}  activity / note")
    for r in df.to_dict("records"):
        text = {k: "" if k not in r or pd.isna(r[k]) else str(r[k])
                for k in ("side", "when", "activity", "note")}
        extra = " / ".join(v for v in (text["activity"], text["note"]) if v)
        print(printable(f"{pd.Timestamp(r['date']):%Y-%m-%d}  {float(r['pain']):>4g}  "
                        f"{text['side']:<5}  {text['when']:<12}  {extra}").rstrip())
    print(f"\n{len(df)} entries in {printable(log)}")
    return EXIT_OK


def cmd_pairs(args: argparse.Namespace) -> int:  # noqa: C901
    from . import pain as pn

    season = _season(args.paths, args)
    if season.pain is None:
        raise _UsageExit("kneeload: no pain log: give --pain pain.csv, name it in "
                         "kneeload.toml ([pain] log = \"pain.csv\"), or put pain.csv beside "
                         "the data or in the config folder (see docs/pain.md)")
    log = season.pain
    assigned = season.assigned_runs
    result = pn.pair_pain(season.flags(), log, season.activities, assigned=assigned,
                          config=season.config)
    if args.since is not None:  # the lists from that date; the summary is the whole log's
        for key, col in (("pairs", "spike_date"), ("spikes_without_pain", "spike_date"),
                         ("pain_without_spike", "start"), ("episodes", "start")):
            df = result[key]
            if len(df):
                result[key] = df[pd.to_datetime(df[col]) >= args.since]
    from .text import pairing_rule

    if args.json:
        def dates(df: pd.DataFrame) -> list[dict[str, object]]:
            out = records(df)
            for r in out:
                for k, v in r.items():
                    if isinstance(v, str) and len(v) >= 10 and v[4] == "-" and "T" in v:
                        r[k] = v[:10]
            return out
        summary = dict(result["summary"])
        for key in ("pain_rate_by_lag", "pain_count_by_lag"):
            summary[key] = {str(k): v for k, v in summary[key].items()}
        print(json_text({"pairs": dates(result["pairs"]),
                          "spikes_without_pain": dates(result["spikes_without_pain"]),
                          "pain_without_spike": dates(result["pain_without_spike"]),
                          "episodes": dates(result["episodes"]),
                          "not_covered": dates(result["not_covered"]),
                          "summary": summary, "rule": pairing_rule(season.config),
                          "notes": _left_out_notes(season)},
                         indent=2, default=str))
        return EXIT_OK
    from .report.content import _entries
    from .text import pair_entries_text

    print(result["summary"]["text"])
    print(pairing_rule(season.config))
    print("\nSpikes followed by pain:")
    for r in result["pairs"].itertuples():
        lag = f"{r.lag_days} day{'s' if r.lag_days != 1 else ''} later"
        print(f"  {pair_entries_text(r.spike_date, _entries(log, r.pain_date))} "
              f"({r.spike_rules}; {lag})")
    if result["pairs"].empty:
        print("  none")
    print("Spikes with no pain after them:")
    for r in result["spikes_without_pain"].itertuples():
        print(f"  {r.spike_date:%Y-%m-%d} {r.spike_rules}")
    if result["spikes_without_pain"].empty:
        print("  none")
    print("Pain with no spike before it:")
    for r in result["pain_without_spike"].itertuples():
        print(f"  {r.start:%Y-%m-%d} to {r.end:%Y-%m-%d}, up to {r.peak:g}/10")
    if result["pain_without_spike"].empty:
        print("  none")
    if len(result["not_covered"]):
        why = {"not_yet": "not judged yet: the log ends inside its window",
               "before_log": "before the pain log starts", "no_entry": "no entry in its window"}
        print("Spikes not judged (the log does not cover their whole window):")
        for r in result["not_covered"].itertuples():
            print(f"  {r.spike_date:%Y-%m-%d} {r.spike_rules} ({why.get(r.reason, r.reason)})")
    counts = result["summary"].get("pain_count_by_lag", {})
    if any(n for _painful, n in counts.values()):
        thr = season.config.pain["threshold"]
        print(f"Spike days with pain of {thr:g}/10 or more that many days later (of the spike "
              "days with a log entry that day):")
        print("  " + "; ".join(
            f"{lag} d: {painful} of {n}" if n else f"{lag} d: no entries"
            for lag, (painful, n) in counts.items()))
    for note in _left_out_notes(season):
        print(f"Note: {note}")
    print("\nkneeload describes your own history. It is not medical advice and makes no "
          "diagnosis.")
    return EXIT_OK


def _left_out_notes(season: Season) -> list[str]:
    """The sentence on the data after ``--today`` (not used), when some was left out."""
    from .text import after_today_note

    return [after_today_note(season.today, *season.left_out)] if any(season.left_out) else []


def cmd_report(args: argparse.Namespace) -> int:
    import time

    from .report import build_content, render, report_format

    t0 = time.perf_counter()
    to_stdout = args.json and args.output is None and args.format in (None, "json")
    output = None if to_stdout else (args.output or "kneeload-report.pdf")
    if output is not None:
        resolve_target(output)  # a missing folder or a folder as -o: say so before the work
    fmt = "json" if output is None else report_format(output, args.format)
    if args.since is not None and args.today is not None and args.since > args.today:
        raise _UsageExit("kneeload: --since is after --today")
    season = _season(args.paths, args)  # pain log, shoes and assignments as discovered
    plan, source = _report_plan(season, args)
    content = build_content(season, unit=season.config.unit, since=args.since,
                            today=args.today, runner=args.name, plan=plan, plan_source=source)
    data = render(content, fmt)
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
        return EXIT_OK
    atomic_write(output, data)  # a failed or killed write leaves the previous report
    head = content.headline
    if args.json:  # the file as asked, and what was written as JSON on stdout
        print(json_text({"output": output, "format": fmt, **{
            k: _json_value(v) for k, v in head.items()}}, indent=2))
        return EXIT_OK
    print(f"Wrote {output} ({fmt}): {count(head['runs'], 'run')}, "
          f"{head['distance']:.1f} {head['unit']}, "
          f"{count(head['flags'], 'flag')} ({head['alerts']} alert, {head['warnings']} warn) from "
          f"{head['since']:%Y-%m-%d} to {head['until']:%Y-%m-%d} "
          f"in {time.perf_counter() - t0:.1f} s.")
    return EXIT_OK


def _report_plan(season: Season, args: argparse.Namespace) -> tuple[Any, str | None]:
    """``report --plan PLAN.csv`` (read in the season's unit) or ``--build-plan GOAL``
    (built as of the report's last day, as ``plan --build`` would)."""
    if args.plan is not None and args.build_plan is not None:
        raise _UsageExit("kneeload: report: give --plan PLAN.csv or --build-plan GOAL, not both")
    if args.plan is not None:
        if not os.path.exists(args.plan):
            raise _UsageExit(f"kneeload: no such plan file: {printable(args.plan)}")
        return read_plan(args.plan, season.config.unit), os.path.basename(args.plan)
    if args.build_plan is not None:
        day = season.today if args.today is None else args.today
        return season.build_plan(args.build_plan, today=day), None
    return None, None


def _add_rule_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--fail-on", choices=SEVERITIES, default="warn",
                   help="exit 1 when a flag at or above this severity falls in the window "
                        "(default: warn)")
    p.add_argument("--config", default=None,
                   help="kneeload.toml with rule settings (default: one in the data folder)")
    _add_day_args(p)


def _add_day_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--today", type=_date, default=None,
                   help="judge the season as of this ISO date (default: today when the last "
                        "run is within a week, else the last run's date)")
    p.add_argument("--pain-model", choices=("pfp", "tendon"), default=None,
                   help="pain-monitoring model (default: the config's, else pfp)")
    p.add_argument("--pair-window", type=int, default=None, metavar="DAYS",
                   help="pain 0..DAYS days after a spike pairs with it (default: the "
                        "config's, else 3)")


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kneeload", description="Running load and knee-injury risk.",
                     epilog="Exit status: 0 all well, 1 something to act on, 2 usage or input "
                            "error (or an output not written), 3 internal error (a bug).")
    parser.add_argument("--version", action="version", version=f"kneeload {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an unexpected error (anywhere on "
                             "the command line)")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    p = sub.add_parser("summary", help="list the activities read and the files skipped")
    _add_input_args(p)
    p.add_argument("--since", type=_date, default=None,
                   help="list only activities on or after this ISO date (skipped files are "
                        "always listed)")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("check", help="flag risky load jumps (10%% rule, ramps, spikes, ...)")
    _add_input_args(p)
    _add_rule_args(p)
    p.add_argument("--since", type=_date, default=None,
                   help="only flags dated on or after this ISO date count and show")
    p.add_argument("--pain", default=None, help="pain log CSV: adds the pain rules' flags")
    p.add_argument("--plan", default=None, metavar="PLAN.csv",
                   help="a plan CSV (date,distance): show its weeks beside the real ones")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("plan", help="check a planned schedule against the rules before running it")
    p.add_argument("plan", metavar="PLAN.csv", nargs="?", default=None,
                   help="CSV with header date,distance")
    p.add_argument("--build", action="store_true",
                   help="build a plan the rules allow (with --goal) instead of checking one")
    p.add_argument("--goal", default=None,
                   help="with --build: a weekly volume (30mi/week) or a race ('half 2027-03-14')")
    p.add_argument("--weeks", type=int, default=None, help="with --build: weeks to plan (4-12)")
    p.add_argument("--days", default=None, help="with --build: weekdays to run (mon,wed,sat)")
    p.add_argument("-o", "--output", default=None,
                   help="with --build: write the plan (.csv, .ics, or a folder for FIT files)")
    p.add_argument("--history", nargs="+", required=True, metavar="PATH",
                   help="files or folders of the runs so far")
    p.add_argument("--unit", type=_unit, choices=UNITS, default=None,
                   help="unit of the plan's distances and the output (default: mi)")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--tz", default=None, help="time zone for files without device local time")
    p.add_argument("--replace", action="store_true",
                   help="a plan dated inside the history replaces the history from its first "
                        "day (default: such a plan is refused)")
    _add_rule_args(p)
    _add_cache_args(p)
    p.set_defaults(func=cmd_plan)

    p = sub.add_parser("shoes", help="shoe mileage toward 300-500 mi, projections, rotation")
    _add_input_args(p)
    p.add_argument("--shoes", default=None,
                   help="shoes CSV (default: shoes.csv in the data folder)")
    p.add_argument("--assign", default=None,
                   help="per-run assignments CSV activity,shoe (default: shoe_assignments.csv "
                        "in the data folder, if any)")
    p.add_argument("--as-of", type=_date, default=None,
                   help="judge and project as of this date (default: the last run)")
    p.set_defaults(func=cmd_shoes)

    p = sub.add_parser("pain", help="the knee-pain log")
    pain_parser = p
    pain_sub = p.add_subparsers(dest="pain_command", parser_class=_Parser)
    a = pain_sub.add_parser("add", help="append one validated entry to the pain log")
    a.add_argument("--log", default=None,
                   help="the pain log CSV (created if missing; default: pain.csv as every "
                        "command finds it: this folder, then the config folder)")
    a.add_argument("--score", required=True, type=float, help="pain 0-10")
    a.add_argument("--date", default=None, help="ISO date (default: today)")
    a.add_argument("--side", choices=("left", "right", "both"), default=None)
    a.add_argument("--when", choices=("during", "after", "next_morning", "rest"), default=None)
    a.add_argument("--activity", default=None, help="an activity id or file name")
    a.add_argument("--note", default=None)
    a.set_defaults(func=cmd_pain_add)
    ls = pain_sub.add_parser("list", help="the pain log's entries, oldest first")
    ls.add_argument("--log", default=None,
                    help="the pain log CSV (default: pain.csv as every command finds it)")
    ls.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    ls.set_defaults(func=cmd_pain_list)
    pain_parser.set_defaults(func=lambda args: _usage(pain_parser))  # noqa: ARG005

    p = sub.add_parser("pairs", help="pair load spikes with the knee pain that followed")
    _add_input_args(p)
    p.add_argument("--pain", default=None, help="pain log CSV (default: pain.csv beside the data)")
    p.add_argument("--config", default=None, help="kneeload.toml with rule settings")
    p.add_argument("--since", type=_date, default=None,
                   help="list only spikes and pain episodes on or after this ISO date (the "
                        "summary covers the whole log)")
    _add_day_args(p)
    p.set_defaults(func=cmd_pairs)

    p = sub.add_parser("report", help="the season report (PDF, HTML, JSON or Markdown): first "
                                      "page in plain words, figures, tables")
    _add_input_args(p)
    from .report import RENDERER_LIST, extensions_text, format_names

    p.add_argument("-o", "--output", default=None,
                   help=f"the file to write; its extension picks the format: "
                        f"{extensions_text()} (default: kneeload-report.pdf; with --json and "
                        "no -o, stdout)")
    p.add_argument("--format", choices=format_names(), default=None,
                   help="the output format, whatever the file is called: " + "; ".join(
                       f"{r.name}: {r.description}" for r in RENDERER_LIST).replace("%", "%%"))
    p.add_argument("--name", default=None, help="the runner's name, shown in the title")
    p.add_argument("--pain", default=None, help="pain log CSV (default: pain.csv beside data)")
    p.add_argument("--shoes", default=None, help="shoes CSV (default: shoes.csv beside data)")
    p.add_argument("--since", type=_date, default=None, help="first date shown (ISO)")
    p.add_argument("--today", "--until", dest="today", type=_date, default=None,
                   help="judge the season as of this ISO date, its last day shown (as check "
                        "and plan do; --until is the same option; default: today when the "
                        "data is live, else the last run or pain entry)")
    p.add_argument("--config", default=None, help="kneeload.toml with rule settings")
    p.add_argument("--plan", default=None, metavar="PLAN.csv",
                   help="show this plan (date,distance) beside the weekly chart")
    p.add_argument("--build-plan", default=None, metavar="GOAL",
                   help="build a plan toward GOAL (30mi/week, 'half 2027-03-14') as of the "
                        "report's last day and show it beside the weekly chart")
    p.set_defaults(func=cmd_report)
    return parser


class _Stdout:
    """Standard output that turns a failed write into an OutputError (a full disk, a closed
    or broken stream), so no command reports success when its results were not written."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as exc:
            raise _stdout_error(exc) from exc

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as exc:
            raise _stdout_error(exc) from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _stdout_error(exc: Exception) -> OutputError:
    why = getattr(exc, "strerror", None) or str(exc)
    return OutputError("standard output", f"could not be written ({why}); the results "
                       "were not delivered")


def _silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null so the interpreter's final flush of a stream
    that failed adds no second message."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def _stdout_usable() -> bool:
    if sys.stdout is None:
        return False
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):
        return True  # captured (tests, notebooks): a Python object, not a descriptor
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _show_warning(message: Any, category: Any, filename: str, lineno: int,  # noqa: ARG001
                  file: Any = None, line: str | None = None) -> None:  # noqa: ARG001
    print(f"kneeload: note: {printable(message)}", file=sys.stderr)


def _is_own_code(filename: str) -> bool:
    """Whether ``filename`` is one of kneeload's own modules: by the package's real location,
    not a path fragment (a clone folder named ``kneeload`` holds tests that are not ours)."""
    from pathlib import Path

    import kneeload

    try:
        return Path(filename).resolve().is_relative_to(Path(kneeload.__file__).parent.resolve())
    except (OSError, ValueError, RuntimeError):
        return False


def _internal_error(command: str, exc: BaseException, debug: bool) -> int:  # noqa: FBT001
    import traceback

    if debug:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    where = ""
    tb = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in tb if _is_own_code(f.filename)]
    if tb:
        last = (ours or tb)[-1]
        where = f" at {os.path.basename(last.filename)}:{last.lineno}"
    what = "ran out of memory" if isinstance(exc, MemoryError) else (
        f"internal error ({type(exc).__name__}: {str(exc)[:200]}{where})")
    how = "" if debug else ", with the output of the same command run with --debug"
    line = (f"kneeload {command}: {what}. This is a bug in kneeload, not a problem with your "
            f"files: please report it to {REPORT_TO}{how}.")
    print(" ".join(line.split()), file=sys.stderr)
    return EXIT_INTERNAL


def _raise_interrupt(signum: int, frame: object) -> None:  # pragma: no cover - kill tests  # noqa: ARG001
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kneeload`` command line; returns the exit status (see the module doc).

    ``--debug`` anywhere on the command line shows the traceback of an unexpected error.
    """
    import signal
    import warnings

    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    command = next((a for a in argv if not a.startswith("-")), "")
    parser = build_parser()
    old_stdout, old_showwarning = sys.stdout, warnings.showwarning
    try:  # SIGTERM ends a command like Ctrl-C: files being written are cleaned up
        old_term = signal.signal(signal.SIGTERM, _raise_interrupt)
    except ValueError:  # pragma: no cover - not the main thread: leave signals alone
        old_term = None
    warnings.showwarning = _show_warning
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        if not _stdout_usable():
            print(f"kneeload {command}: standard output is closed; nothing would show the "
                  "results, so nothing was done", file=sys.stderr)
            return EXIT_USAGE
        sys.stdout = _Stdout(sys.stdout)
        status = int(args.func(args))
        sys.stdout.flush()
        return status
    except _UsageExit as exc:
        message = " ".join(str(exc).split())
        message = printable(message)
        print(message if message.startswith("kneeload") else f"kneeload: {message}",
              file=sys.stderr)
        return EXIT_USAGE
    except OutputError as exc:
        print(f"kneeload: {printable(exc, lines=True)}", file=sys.stderr)
        if exc.path == "standard output":
            _silence_stdout()
        return EXIT_USAGE
    except KneeloadError as exc:
        print(f"kneeload: {printable(exc, lines=True)}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader went away (`kneeload check ... | head`): stop quietly
        _silence_stdout()
        return EXIT_PIPE_CLOSED
    except KeyboardInterrupt:
        print(f"kneeload {command}: interrupted; files being written were left as they were",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - the one safety net: never a traceback
        return _internal_error(command, exc, debug)
    finally:
        sys.stdout = old_stdout
        warnings.showwarning = old_showwarning
        if old_term is not None:
            signal.signal(signal.SIGTERM, old_term)


if __name__ == "__main__":
    sys.exit(main())
