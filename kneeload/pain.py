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
import datetime as dt
import io
import os
from typing import Any

import numpy as np
import pandas as pd

from .config import PAIN_DEFAULTS
from .errors import InputError, UsageError
from .load import SPIKE_RULES, _evidence, _flags, daily_load, empty_flags, week_start_of
from .safeio import atomic_write, display_path, locked_folder, resolve_target
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
    date = date or dt.date.today().isoformat()
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
    """The highest pain logged on each date (only dates with an entry)."""
    if log.empty:
        return pd.Series(dtype=float, name="pain")
    return log.groupby("date")["pain"].max().rename("pain")


def pain_episodes(log: pd.DataFrame, threshold: float = 3.0, gap_days: int = 2) -> pd.DataFrame:
    """Runs of painful days (pain >= ``threshold``), days at most ``gap_days`` apart joined
    into one episode: ``start``, ``end``, ``days`` (painful days), ``peak``."""
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


# --- pain rules ---------------------------------------------------------------------------


def pain_flags(log: pd.DataFrame, *, model: str = "pfp", threshold: float | None = None,
               week_start: str = "monday", **params: Any) -> pd.DataFrame:
    """Pain rules as rows of the flags table (see docs/pain.md):

    - ``pain_during_run`` (warn): pain while running above the model's limit (PFP 2/10,
      Esculier 2018; tendon 5/10, Silbernagel 2007);
    - ``pain_next_morning`` (warn): next-morning pain higher than the day before's;
    - ``pain_two_days`` (warn, heuristic): two consecutive days at or above ``threshold``;
    - ``pain_rising`` (info): the week's highest pain >= ``threshold`` and up by
      ``rising_points`` on the week before;
    - ``pain_persistent`` (alert, heuristic): an episode lasting ``persistent_days`` or more.
    """
    cfg = {**PAIN_DEFAULTS, **params}
    limits = cfg["limits"]
    if model not in limits:
        raise UsageError(f"pain model must be one of {', '.join(limits)}, not {model!r}")
    limit = float(limits[model])
    thr = float(threshold if threshold is not None else cfg["threshold"])
    if log.empty:
        return empty_flags()
    rows = []

    def add(rule, severity, date, value, threshold_v, message):
        rows.append({"rule": rule, "severity": severity, "date": date,
                     "week_start": week_start_of(pd.Series([date]), week_start).iloc[0],
                     "value": float(value), "threshold": float(threshold_v), "unit": "/10",
                     "message": message + " " + _evidence(rule)})

    name = "patellofemoral" if model == "pfp" else "tendon"
    during = log[(log["when"] == "during") & (log["pain"] > limit)]
    for r in during.itertuples():
        add("pain_during_run", "warn", r.date, r.pain, limit,
            f"{r.date:%a %d %b}: {r.pain:g}/10 while running, above the {limit:g}/10 the "
            f"{name} pain-monitoring model accepts. Ease off (shorter, flatter, slower) until "
            "running stays within it.")
    daily = daily_pain(log)
    mornings = log[log["when"] == "next_morning"].groupby("date")["pain"].max()
    for day, p in mornings.items():
        before = daily.get(day - pd.Timedelta(days=1))
        if before is not None and p > before:
            add("pain_next_morning", "warn", day, p, before,
                f"{day:%a %d %b}: {p:g}/10 the next morning, up from {before:g}/10 the day "
                "before. The pain-monitoring models ask for no increase the next morning: the "
                "day before was more than the knee tolerated.")
    painful = daily[daily >= thr]
    prev_painful = False
    for day in painful.index:
        if (day - pd.Timedelta(days=1)) in painful.index and not prev_painful:
            add("pain_two_days", "warn", day, painful[day], thr,
                f"{day:%a %d %b}: knee pain of {thr:g}/10 or more two days running. Practice "
                "advice is to reduce mileage for now; if it persists despite rest, see a "
                "physiotherapist.")
            prev_painful = True
        elif (day - pd.Timedelta(days=1)) not in painful.index:
            prev_painful = False
    if len(daily):
        ws = week_start_of(pd.Series(daily.index, index=daily.index), week_start)
        weekly = daily.groupby(ws.to_numpy()).max()
        weekly = weekly.reindex(pd.date_range(weekly.index.min(), weekly.index.max(), freq="7D"),
                                fill_value=0.0)
        up = weekly - weekly.shift(1)
        for w in weekly.index[(weekly >= thr) & (up >= cfg["rising_points"])]:
            add("pain_rising", "info", w + pd.Timedelta(days=6), weekly[w], thr,
                f"Week of {w:%d %b}: your highest knee pain was {weekly[w]:g}/10, up from "
                f"{weekly[w] - up[w]:g}/10 the week before. Pain should not rise week to week.")
    for ep in pain_episodes(log, thr, int(cfg["episode_gap_days"])).itertuples():
        length = (ep.end - ep.start).days + 1
        if length >= cfg["persistent_days"]:
            add("pain_persistent", "alert", ep.end, length, cfg["persistent_days"],
                f"Knee pain of {thr:g}/10 or more from {ep.start:%d %b} to {ep.end:%d %b} "
                f"({length} days). Pain that persists despite rest is a reason to see a "
                "physiotherapist; kneeload does not diagnose.")
    out = _flags(rows)
    out["unit"] = "/10"
    return out.sort_values(["date", "rule"], kind="stable").reset_index(drop=True)


# --- pairing ------------------------------------------------------------------------------


def pair_pain(flags: pd.DataFrame, log: pd.DataFrame, activities: pd.DataFrame | None = None,
              *, threshold: float | None = None, window_days: int | None = None,
              assigned: pd.DataFrame | None = None) -> dict[str, Any]:
    """Pair load spikes with the pain that followed, honestly.

    A spike (a flag of a spike rule: weekly, two-week, session, descent; ACWR when enabled)
    is *paired* with the first painful day (pain >= ``threshold``) 0..``window_days`` days
    after its date. Weekly rules are dated at the week's end, so pain inside the ramp week is
    not counted as following it. Spikes whose window the log does not cover are not judged.

    Returns a dict with ``pairs``, ``spikes_without_pain``, ``pain_without_spike`` (pain
    episodes with no spike in the ``window_days`` before their first day), ``episodes`` (each
    with the running load of the 7 days before it and its ratio to the 28 days before that),
    ``not_covered`` and ``summary``.
    """
    thr = float(threshold if threshold is not None else PAIN_DEFAULTS["threshold"])
    win = int(window_days if window_days is not None else PAIN_DEFAULTS["window_days"])
    daily = daily_pain(log)
    painful = daily[daily >= thr]
    spikes = flags[flags["rule"].isin(SPIKE_RULES)].copy()
    first, last = (daily.index.min(), daily.index.max()) if len(daily) else (None, None)
    pairs, without, not_covered = [], [], []
    for s in spikes.itertuples():
        d = pd.Timestamp(s.date)
        uncovered = {"spike_rule": s.rule, "spike_date": d, "severity": s.severity}
        if first is None or d < first or d > last:
            not_covered.append(uncovered)
            continue
        hit = painful[(painful.index >= d) & (painful.index <= d + pd.Timedelta(days=win))]
        if len(hit):
            pairs.append({"spike_rule": s.rule, "spike_date": d, "severity": s.severity,
                          "pain_date": hit.index[0], "pain": float(hit.iloc[0]),
                          "lag_days": int((hit.index[0] - d).days)})
        elif d + pd.Timedelta(days=win) > last:
            not_covered.append(uncovered)  # the log ends inside the window: unknown
        else:
            without.append({"spike_rule": s.rule, "spike_date": d, "severity": s.severity,
                            "value": s.value, "unit": s.unit})
    episodes = pain_episodes(log, thr, int(PAIN_DEFAULTS["episode_gap_days"]))
    spike_dates = pd.to_datetime(spikes["date"])
    load = None
    if activities is not None and len(activities):
        load = daily_load(activities)
    ep_rows, no_spike = [], []
    for ep in episodes.itertuples():
        before = spikes[(spike_dates >= ep.start - pd.Timedelta(days=win))
                        & (spike_dates <= ep.start)]
        row = {"start": ep.start, "end": ep.end, "days": int(ep.days), "peak": float(ep.peak),
               "spikes_before": sorted(set(before["rule"]))}
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
    summary = _summary(pairs, without, spikes, not_covered, daily, painful, win, thr,
                       assigned, log)
    return {"pairs": pd.DataFrame(pairs, columns=["spike_rule", "spike_date", "severity",
                                                  "pain_date", "pain", "lag_days"]),
            "spikes_without_pain": pd.DataFrame(without, columns=["spike_rule", "spike_date",
                                                                  "severity", "value", "unit"]),
            "pain_without_spike": pd.DataFrame(no_spike),
            "episodes": pd.DataFrame(ep_rows),
            "not_covered": pd.DataFrame(not_covered),
            "summary": summary}


def _summary(pairs, without, spikes, not_covered, daily, painful, win, thr, assigned,
             log) -> dict[str, Any]:
    judged = len(pairs) + len(without)
    out: dict[str, Any] = {"threshold": thr, "window_days": win, "spikes": judged,
                           "spikes_followed_by_pain": len(pairs)}
    out["share_followed"] = round(len(pairs) / judged, 3) if judged else None
    if len(daily):
        days = pd.date_range(daily.index.min(), daily.index.max(), freq="D")
        p = pd.Series(0.0, index=days)
        p[painful.index] = 1.0
        ahead = p[::-1].rolling(win + 1, min_periods=1).max()[::-1]
        out["log_days"] = len(days)
        out["painful_days"] = int(p.sum())
        out["base_rate_day"] = round(float(p.mean()), 3)
        out["base_rate_window"] = round(float(ahead.mean()), 3)
        by_lag = {}
        spike_days = sorted({pd.Timestamp(d) for d in spikes["date"]}) if len(spikes) else []
        spike_days = [d for d in spike_days if days[0] <= d <= days[-1]]
        for lag in range(0, 8):
            hits = [p.get(d + pd.Timedelta(days=lag), np.nan) for d in spike_days]
            hits = [h for h in hits if not np.isnan(h)]
            by_lag[lag] = round(float(np.mean(hits)), 3) if hits else None
        out["pain_rate_by_lag"] = by_lag
    else:
        out.update(log_days=0, painful_days=0, base_rate_day=None, base_rate_window=None,
                   pain_rate_by_lag={})
    if assigned is not None and len(assigned) and len(daily):
        runs = assigned[assigned["local_date"].between(daily.index.min(), daily.index.max())]
        nxt = runs["local_date"].map(lambda d: bool(((painful.index >= d) & (
            painful.index <= d + pd.Timedelta(days=1))).any()))
        runs = runs.assign(_pain=nxt)
        if "shoe" in runs:
            g = runs[runs["shoe"] != ""].groupby("shoe")["_pain"]
            out["pain_by_shoe"] = {k: {"runs": int(v.size), "share_followed": round(
                float(v.mean()), 3)} for k, v in g}
        bands = pd.cut(runs["cadence_spm"], [0, 160, 165, 170, 175, 400], right=False,
                       labels=["<160", "160-165", "165-170", "170-175", ">=175"])
        g = runs.groupby(bands, observed=True)["_pain"]
        out["pain_by_cadence"] = {str(k): {"runs": int(v.size), "share_followed": round(
            float(v.mean()), 3)} for k, v in g}
    out["not_covered"] = len(not_covered)
    out["text"] = _summary_text(out)
    return out


def _summary_text(s: dict[str, Any]) -> str:
    if not s["spikes"]:
        return "No load spike fell within the pain log's period: nothing to pair."
    base = s.get("base_rate_window")
    base_txt = (f"; on an ordinary day the chance of such pain within the next {s['window_days']}"
                f" days was {base:.0%}" if base is not None else "")
    return (f"In your log, {s['spikes_followed_by_pain']} of {s['spikes']} load spikes "
            f"({s['share_followed']:.0%}) were followed by knee pain of {s['threshold']:g}/10 "
            f"or more within {s['window_days']} days{base_txt}. This describes your own "
            "history; it is not a prediction, and the numbers are small.")

