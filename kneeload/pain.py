"""The knee-pain log, pain rules, and pairing pain with load spikes.

Everything here describes the runner's own history: a pairing is a *personal, descriptive
association*, never a prediction, and no message gives a diagnosis.

References
----------
Esculier et al. 2018, BJSM 52(10):659 (pain-monitoring model for patellofemoral pain).
Silbernagel et al. 2007, AJSM 35(6):897 (tendon pain-monitoring model).
"""

from __future__ import annotations

import csv
import io
import os
from typing import Any

import numpy as np
import pandas as pd

from .clock import today as clock_today
from .config import PAIN_DEFAULTS, PAIN_SETTINGS, Config, check_section
from .errors import ConfigError, InputError, UsageError
from .flagrows import SEVERITY_RANK, empty_flags
from .loadcalc import daily_load
from .rules import registry
from .safeio import atomic_write, display_path, locked_folder, resolve_target
from .text import pairing_summary
from .textfile import (
    MAX_FIELD_CHARS,
    CsvTable,
    DecodedText,
    Problems,
    parse_csv_text,
    read_text_file,
    warn_note,
)

PAIN_HEADER = ("date", "pain", "side", "when", "activity", "note")
SIDES = ("left", "right", "both")
WHENS = ("during", "after", "next_morning", "rest")


#: Longest free text in an entry [characters] (activity, note); the reader's field limit.
MAX_TEXT_CHARS = MAX_FIELD_CHARS


def _check_entry(problems: Problems, where: str, date: str, pain: str, side: str = "",
                 when: str = "") -> dict[str, Any] | None:
    """One entry's values checked; problems recorded in ``problems``; None when bad."""
    n = len(problems.items)
    day = problems.date(where, "date", date)
    score = problems.number(where, "pain", pain, decimal_comma=True, minimum=0, maximum=10,
                            expected="a number from 0 to 10")
    side, when = side.strip().lower(), when.strip().lower()
    if side and side not in SIDES:
        problems.add(where, f"side {side!r} must be one of {', '.join(SIDES)}")
    if when and when not in WHENS:
        problems.add(where, f"when {when!r} must be one of {', '.join(WHENS)}")
    if len(problems.items) > n:
        return None
    return {"date": pd.Timestamp(day), "pain": score, "side": side, "when": when}


def validate_entry(date: str, pain: str, side: str = "", when: str = "",
                   where: str = "", path: str = "<entry>") -> dict[str, Any]:
    """One pain-log entry checked; raises InputError naming ``path`` and ``where``."""
    problems = Problems(path)
    entry = _check_entry(problems, where, date, pain, side, when)
    problems.raise_if_any()
    return entry  # type: ignore[return-value]  # no problem recorded: a full entry


def _parse_log(path: str, decoded: DecodedText) -> tuple[CsvTable, pd.DataFrame]:
    table = parse_csv_text(path, decoded, known=PAIN_HEADER, required=("date", "pain"),
                           what="pain log", header_hint=",".join(PAIN_HEADER))
    problems = table.problems
    rows = []
    for line, r in table.rows:
        entry = _check_entry(problems, f"line {line}", r.get("date", ""), r.get("pain", ""),
                             r.get("side", ""), r.get("when", ""))
        if entry is not None:
            entry.update(activity=r.get("activity", ""), note=r.get("note", ""), line=line)
            rows.append(entry)
    problems.raise_if_any()
    out = pd.DataFrame(rows, columns=[*PAIN_HEADER, "line"])
    out["date"] = pd.to_datetime(out["date"])
    out["pain"] = out["pain"].astype(float)
    return table, out


def read_pain_log(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a pain log (header ``date,pain,side,when,activity,note`` in any order; only date
    and pain required). Returns those columns plus ``line``.

    Read through :mod:`kneeload.textfile`: UTF-8, UTF-16 or Windows-1252, ``,`` or ``;``.
    Every bad row is reported, all at once, naming the file and line; nothing is guessed.
    """
    decoded = read_text_file(path, "pain log")
    warn_note(decoded.note)
    return _parse_log(display_path(path), decoded)[1]


def _clean_text(path: str, column: str, value: str) -> str:
    value = value.strip()
    bad = [c for c in value if ord(c) < 32 or ord(c) == 127]
    if bad:
        raise InputError(path, f"{column} holds a control character ({bad[0]!r}); write it "
                         "on one line, without tabs or line breaks", "new entry")
    if len(value) > MAX_TEXT_CHARS:
        raise InputError(path, f"{column} is {len(value):,} characters; at most "
                         f"{MAX_TEXT_CHARS:,} fit in the log", "new entry")
    return value


def append_pain(path: str | os.PathLike[str], *, pain: float, date: str | None = None,
                side: str = "", when: str = "", activity: str = "", note: str = "") -> dict:
    """Validate one entry and append it to the pain log at ``path``.

    Creates the file with its header when missing. The new row follows the log's own
    column order, separator, line ending and encoding (UTF-8, UTF-16 or Windows-1252), so
    the log reads back exactly as before plus the entry. A value given for a column the
    log lacks (``side`` on a ``date,pain`` log) adds that column at the end of the header,
    so nothing given is lost; the result's ``added_columns`` names them.

    The append is atomic (:func:`kneeload.safeio.atomic_write`): under a lock on the log's
    folder, the log is read, checked, and written whole to a temporary file beside it,
    synced and renamed over it, so an interrupted write leaves the log as it was, two
    writers lose no row, and no temporary copy is left. A symbolic link is followed: its
    target is updated. Existing rows are never rewritten.

    Raises
    ------
    InputError
        The entry is invalid, the log is broken (every problem listed), or the entry holds
        characters the log's encoding cannot store. Nothing is written.
    OutputError
        The log could not be written; it is unchanged.
    """
    shown = display_path(path)
    date = date or clock_today().isoformat()
    entry = validate_entry(date, str(pain), side, when, "new entry", shown)
    activity = _clean_text(shown, "activity", activity)
    note = _clean_text(shown, "note", note)
    values = {"date": entry["date"].date().isoformat(), "pain": f"{entry['pain']:g}",
              "side": entry["side"], "when": entry["when"], "activity": activity,
              "note": note}
    target = resolve_target(path)
    with locked_folder(os.path.dirname(target) or "."):
        if os.path.exists(target):
            decoded = read_text_file(target, "pain log")
            table, _ = _parse_log(shown, decoded)  # refuse to append to a broken log
            header, raw_header = list(table.header), list(table.raw_header)
            delimiter, newline = table.delimiter, table.newline
            if delimiter == ";" and any("," in r.get("pain", "") for _, r in table.rows):
                values["pain"] = values["pain"].replace(".", ",")  # the log's decimal comma
        else:
            decoded = DecodedText("", "utf-8", b"")
            header, raw_header, delimiter, newline = [], [], ",", "\n"
        added = [c for c in PAIN_HEADER if c not in header and (values[c] or not header)]
        old_text = decoded.text
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
        if added:  # a new log, or columns the log lacks: (re)write the header line only
            writer.writerow(raw_header + added)
            body = old_text.split("\n", 1)[1] if "\n" in old_text else ""
            old_text = buf.getvalue() + body
            buf.seek(0)
            buf.truncate()
            header += added
        if old_text and not old_text.endswith(("\n", "\r")):
            old_text += newline
        writer.writerow([values[c] for c in header])
        try:
            blob = decoded.bom + (old_text + buf.getvalue()).encode(decoded.encoding)
        except UnicodeEncodeError:
            bad = [c for c in buf.getvalue() if not _encodable(c, decoded.encoding)]
            raise InputError(shown, f"the log is saved as {decoded.encoding}, which cannot "
                             f"hold {''.join(bad[:5])!r}; save the log as UTF-8 (CSV UTF-8 "
                             "in Excel) or leave those characters out; nothing was written",
                             "new entry") from None
        atomic_write(target, blob)
    return {**entry, "activity": activity, "note": note, "added_columns": added,
            "encoding": decoded.encoding, "path": target}


def _encodable(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


# --- daily pain -------------------------------------------------------------------------


def daily_pain(log: pd.DataFrame) -> pd.Series:
    """The highest pain logged on each date (only dates with an entry: a day with no entry
    is missing, never 0/10)."""
    if log.empty:
        return pd.Series(dtype=float, name="pain")
    return log.groupby("date")["pain"].max().rename("pain")


def pain_by_load_day(log: pd.DataFrame) -> pd.Series:
    """The highest pain per *load day*: a next-morning entry belongs to the day before's
    load (an entry on Tuesday morning tells how Monday's run was tolerated). Only days with
    an entry."""
    if log.empty:
        return pd.Series(dtype=float, name="pain")
    day = log["date"] - pd.to_timedelta((log["when"] == "next_morning").astype(int), unit="D")
    return log.assign(_day=day).groupby("_day")["pain"].max().rename("pain").rename_axis(
        "date")


def pain_episodes(log: pd.DataFrame, threshold: float | None = None,
                  gap_days: int | None = None) -> pd.DataFrame:
    """Runs of painful days (pain >= ``threshold``), days at most ``gap_days`` apart joined
    into one episode: ``start``, ``end``, ``days`` (painful days), ``peak``. Defaults: the
    ``[pain]`` settings."""
    threshold = PAIN_DEFAULTS["threshold"] if threshold is None else threshold
    gap_days = PAIN_DEFAULTS["episode_gap_days"] if gap_days is None else gap_days
    d = daily_pain(log)
    painful = d[d >= threshold]
    if painful.empty:
        return pd.DataFrame(columns=["start", "end", "days", "peak"])
    dates = painful.index.to_series()
    new = dates.diff().dt.days.fillna(gap_days + 1) > gap_days
    ep = new.cumsum()
    out = pd.DataFrame({"start": dates.groupby(ep).min(), "end": dates.groupby(ep).max(),
                        "days": dates.groupby(ep).size(), "peak": painful.groupby(ep).max()})
    return out.reset_index(drop=True)




def pain_flags(log: pd.DataFrame, config: Config | None = None, *, model: str | None = None,
               threshold: float | None = None, week_start: str | None = None,
               rules: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """Every enabled pain rule of the registry as rows of the flags table (docs/pain.md).
    ``model`` ('pfp' or 'tendon'), ``threshold`` [/10] and ``week_start`` override the
    config's; ``rules`` overrides rule parameters per call."""
    cfg = (config or Config()).with_rules(rules)
    pain = dict(cfg.pain)
    if model is not None:
        pain.update(_check_pain({"model": model}))
    if threshold is not None:
        pain.update(_check_pain({"threshold": threshold}))
    if log.empty:
        return empty_flags()
    context = {"pain_model": pain["model"], "threshold": float(pain["threshold"]),
               "episode_gap_days": int(pain["episode_gap_days"]),
               "week_start": week_start or cfg.week_start}
    parts = []
    for record in registry.of_kind("pain"):
        params = cfg.rule(record.name)
        if not params["enabled"]:
            continue
        parts.append(record.fn(log, **params,
                               **{k: context[k] for k in record.context if k in context}))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return empty_flags()
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["date", "rule"], kind="stable").reset_index(drop=True)


def _check_pain(values: dict[str, Any]) -> dict[str, Any]:
    try:
        return check_section(PAIN_SETTINGS, values, "pain")
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


# --- pairing ------------------------------------------------------------------------------


def spike_events(flags: pd.DataFrame) -> pd.DataFrame:
    """One load-spike event per day (per athlete): the flags of the rules that pair with
    pain, grouped by date. Columns ``date``, ``rules`` (the rules that fired together, by
    name), ``severity`` (the highest), ``n_rules``."""
    spikes = flags[flags["rule"].isin(registry.spike_rules())]
    cols = ["date", "rules", "severity", "n_rules"]
    if spikes.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    rank = spikes["severity"].map(SEVERITY_RANK)
    out = spikes.assign(_r=rank, date=pd.to_datetime(spikes["date"])).groupby("date").agg(
        rules=("rule", lambda r: tuple(sorted(set(r)))), _r=("_r", "max"),
        n_rules=("rule", "nunique")).reset_index()
    inverse = {v: k for k, v in SEVERITY_RANK.items()}
    out["severity"] = out["_r"].map(inverse)
    return out[cols]


def pair_pain(flags: pd.DataFrame, log: pd.DataFrame, activities: pd.DataFrame | None = None,
              *, threshold: float | None = None, window_days: int | None = None,
              assigned: pd.DataFrame | None = None,
              config: Config | None = None) -> dict[str, Any]:
    """Pair load-spike events with the pain that followed, honestly.

    A spike *event* is a day with a flag of any rule that pairs with pain (see
    :func:`spike_events`; the rules that fired together are listed on it, so a long Sunday
    that trips two rules is one event). It is *paired* with the first painful day (pain >=
    ``threshold``) 0..``window_days`` days after it; pain is taken per load day (a
    next-morning entry belongs to the day before). A day with no pain entry is missing,
    not 0/10: an event is judged only when the log has an entry in its window and the window
    ends inside the log. Weekly rules are dated at the week's end, so pain inside the ramp
    week is not counted as following it. Defaults: the config's ``[pain]`` settings.

    Returns a dict with ``pairs``, ``spikes_without_pain``, ``pain_without_spike`` (pain
    episodes with no spike in the ``window_days`` before their first day), ``episodes``
    (each with the running load of the 7 days before it and its ratio to the 28 days before
    that), ``not_covered`` and ``summary`` (the base rate over full windows only).
    """
    cfg = config or Config()
    thr = float(threshold if threshold is not None else cfg.pain["threshold"])
    win = int(window_days if window_days is not None else cfg.pain["window_days"])
    checked = _check_pain({"threshold": thr, "window_days": win})
    thr, win = checked["threshold"], checked["window_days"]
    gap = int(cfg.pain["episode_gap_days"])
    daily = pain_by_load_day(log)
    painful = daily[daily >= thr]
    events = spike_events(flags)
    pairs, without, not_covered = [], [], []
    for ev in events.itertuples():
        d = pd.Timestamp(ev.date)
        base = {"spike_date": d, "spike_rules": ", ".join(ev.rules), "severity": ev.severity}
        verdict = window_verdict(daily, d, d, win, thr)
        in_window = daily[(daily.index >= d) & (daily.index <= d + pd.Timedelta(days=win))]
        if verdict == "painful":
            hit = in_window[in_window >= thr]
            pairs.append({**base, "pain_date": hit.index[0], "pain": float(hit.iloc[0]),
                          "lag_days": int((hit.index[0] - d).days)})
        elif verdict == "clear":
            without.append({**base, "pain_max": float(in_window.max())})
        else:  # the log does not cover the whole window (yet): unknown, never 0/10
            not_covered.append({**base, "reason": verdict})
    episodes = pain_episodes(log, thr, gap)
    spike_dates = pd.to_datetime(events["date"])
    load = None
    if activities is not None and len(activities):
        load = daily_load(activities)
    ep_rows, no_spike = [], []
    for ep in episodes.itertuples():
        before = events[(spike_dates >= ep.start - pd.Timedelta(days=win))
                        & (spike_dates <= ep.start)]
        row = {"start": ep.start, "end": ep.end, "days": int(ep.days), "peak": float(ep.peak),
               "spikes_before": sorted({r for rules in before["rules"] for r in rules})}
        if load is not None:
            # the 7 days up to and including the first painful day, and the 28 before them
            w7 = load[(load.index > ep.start - pd.Timedelta(days=7)) & (load.index <= ep.start)]
            w28 = load[(load.index > ep.start - pd.Timedelta(days=35))
                       & (load.index <= ep.start - pd.Timedelta(days=7))]
            row["load_7d_m"] = float(w7.sum())
            row["load_ratio"] = float(w7.sum() / (w28.sum() / 4)) if w28.sum() > 0 else None
        ep_rows.append(row)
        if before.empty:
            no_spike.append(row)
    log_end = log["date"].max() if len(log) else None
    summary = _summary(pairs, without, events, not_covered, daily, painful, win, thr,
                       assigned, log_end)
    return {"pairs": pd.DataFrame(pairs, columns=["spike_date", "spike_rules", "severity",
                                                  "pain_date", "pain", "lag_days"]),
            "spikes_without_pain": pd.DataFrame(without, columns=["spike_date", "spike_rules",
                                                                  "severity", "pain_max"]),
            "pain_without_spike": pd.DataFrame(no_spike),
            "episodes": pd.DataFrame(ep_rows),
            "not_covered": pd.DataFrame(not_covered, columns=["spike_date", "spike_rules",
                                                              "severity", "reason"]),
            "summary": summary}


#: Why a window is not judged (``window_verdict``; the ``reason`` of ``not_covered``):
#: it starts before the log's first entry, it ends after the log's last (not complete yet:
#: the next entries may complete it), or it holds no entry.
NOT_JUDGED = ("before_log", "not_yet", "no_entry")


def window_verdict(daily: pd.Series, start: pd.Timestamp, end: pd.Timestamp, win: int,
                   thr: float) -> str:
    """How the pain log judges the load of ``start``..``end`` (a day, or a week): its
    window is ``[start, end + win]`` [days] of load days (:func:`pain_by_load_day`).

    Only a **full window** is judged: one that lies inside the log (from its first load day
    to its last) and holds an entry; a day with no entry is missing, never 0/10. The same
    notion serves the spike events, the base rate, pain per shoe and cadence, and the
    tolerance record (:func:`kneeload.advice.tolerance`), so both sides of a comparison
    count the same windows.

    Returns
    -------
    str
        ``"painful"`` (a day of at least ``thr`` [/10] in the window), ``"clear"`` (entries,
        none painful), or why it is not judged: ``"before_log"`` (it starts before the log's
        first load day), ``"not_yet"`` (it ends after the log's last: not complete yet) or
        ``"no_entry"``.

    Examples
    --------
    >>> daily = pd.Series([0.0, 0.0, 4.0], index=pd.date_range("2026-03-01", periods=3))
    >>> day = pd.Timestamp("2026-03-01")
    >>> window_verdict(daily, day, day, 2, 3.0), window_verdict(daily, day, day, 3, 3.0)
    ('painful', 'not_yet')
    """
    if daily.empty or start < daily.index.min():
        return "before_log"
    stop = end + pd.Timedelta(days=win)
    if stop > daily.index.max():
        return "not_yet"
    w = daily[(daily.index >= start) & (daily.index <= stop)]
    if w.empty:
        return "no_entry"
    return "painful" if bool((w >= thr).any()) else "clear"


def _window_outcome(daily: pd.Series, day: pd.Timestamp, win: int, thr: float) -> float:
    """1.0 painful, 0.0 clear, NaN not judged (:func:`window_verdict` of one day)."""
    verdict = window_verdict(daily, day, day, win, thr)
    return {"painful": 1.0, "clear": 0.0}.get(verdict, np.nan)


def _summary(pairs: Any, without: Any, events: Any, not_covered: Any, daily: Any,
             painful: Any, win: int, thr: float, assigned: Any,
             log_end: Any = None) -> dict[str, Any]:
    judged = len(pairs) + len(without)
    out: dict[str, Any] = {"threshold": thr, "window_days": win, "spikes": judged,
                           "spikes_followed_by_pain": len(pairs),
                           "rule_flags": int(sum(len(r) for r in events["rules"])) if len(
                               events) else 0}
    out["share_followed"] = round(len(pairs) / judged, 3) if judged else None
    if len(daily):
        first, last = daily.index.min(), daily.index.max()
        days = pd.date_range(first, last, freq="D")
        out["log_days"] = len(days)
        out["entry_days"] = int(len(daily))
        out["painful_days"] = int(len(painful))
        out["base_rate_day"] = round(float(len(painful) / len(daily)), 3)
        outcomes = pd.Series([_window_outcome(daily, d, win, thr) for d in days],
                             index=days)
        out["base_rate_days"] = int(outcomes.notna().sum())
        out["base_rate_window"] = (round(float(outcomes.mean()), 3)
                                   if outcomes.notna().any() else None)
        by_lag = {}
        counts: dict[int, list[int]] = {}
        spike_days = [pd.Timestamp(d) for d in events["date"] if first <= d <= last]
        for lag in range(0, 8):
            hits = [daily.get(d + pd.Timedelta(days=lag)) for d in spike_days]
            hits = [float(h >= thr) for h in hits if h is not None]
            by_lag[lag] = round(float(np.mean(hits)), 3) if hits else None
            # [painful, spike days with an entry that many days later]: the share's base
            counts[lag] = [int(sum(hits)), len(hits)]
        out["pain_rate_by_lag"] = by_lag
        out["pain_count_by_lag"] = counts
    else:
        out.update(log_days=0, entry_days=0, painful_days=0, base_rate_day=None,
                   base_rate_days=0, base_rate_window=None, pain_rate_by_lag={},
                   pain_count_by_lag={})
    if assigned is not None and len(assigned) and len(daily):
        last = daily.index.max()
        runs = assigned[assigned["local_date"].between(daily.index.min(), last)]
        nxt = runs["local_date"].map(lambda d: _window_outcome(daily, d, 1, thr))
        runs = runs.assign(_pain=nxt)[nxt.notna()]
        if "shoe" in runs:
            g = runs[runs["shoe"] != ""].groupby("shoe")["_pain"]
            out["pain_by_shoe"] = {k: {"runs": int(v.size), "share_followed": round(
                float(v.mean()), 3)} for k, v in g}
        if "cadence_spm" in runs:
            bands = pd.cut(runs["cadence_spm"], [0, 160, 165, 170, 175, 400], right=False,
                           labels=["<160", "160-165", "165-170", "170-175", ">=175"])
            g = runs.groupby(bands, observed=True)["_pain"]
            out["pain_by_cadence"] = {str(k): {"runs": int(v.size), "share_followed": round(
                float(v.mean()), 3)} for k, v in g}
    out.setdefault("pain_by_shoe", {})  # every key always there (docs/cli.md, JSON keys)
    out.setdefault("pain_by_cadence", {})
    out["not_covered"] = len(not_covered)
    yet = [pd.Timestamp(r["spike_date"]) for r in not_covered if r.get("reason") == "not_yet"]
    out["not_judged_yet"] = len(yet)
    out["not_judged_yet_since"] = f"{min(yet):%Y-%m-%d}" if yet else None
    out["log_end"] = None if log_end is None else f"{pd.Timestamp(log_end):%Y-%m-%d}"
    out["text"] = pairing_summary(out)
    return out
