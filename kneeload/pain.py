"""The knee-pain log, pain rules, and pairing pain with load spikes.

Everything here describes the runner's own history: a pairing is a *personal, descriptive
association*, never a prediction, and no message gives a diagnosis.

References
----------
Esculier et al. 2018, BJSM 52(10):659 (pain-monitoring model for patellofemoral pain).
Silbernagel et al. 2007, AJSM 35(6):897 (tendon pain-monitoring model).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from .config import PAIN_DEFAULTS
from .errors import InputError, UsageError
from .load import SPIKE_RULES, _evidence, _flags, daily_load, empty_flags, week_start_of

PAIN_HEADER = ("date", "pain", "side", "when", "activity", "note")
SIDES = ("left", "right", "both")
WHENS = ("during", "after", "next_morning", "rest")


def validate_entry(date: str, pain: str, side: str = "", when: str = "",
                   where: str = "", path: str = "<entry>") -> dict[str, Any]:
    """One pain-log entry checked; raises InputError naming ``path`` and ``where``."""
    try:
        day = dt.date.fromisoformat(date.strip())
    except ValueError:
        raise InputError(path, f"date {date!r} is not an ISO date like 2026-05-04",
                         where) from None
    try:
        score = float(pain)
    except ValueError:
        raise InputError(path, f"pain {pain!r} is not a number from 0 to 10", where) from None
    if not 0 <= score <= 10:
        raise InputError(path, f"pain {score:g} is outside 0-10", where)
    side, when = side.strip().lower(), when.strip().lower()
    if side and side not in SIDES:
        raise InputError(path, f"side {side!r} must be one of {', '.join(SIDES)}", where)
    if when and when not in WHENS:
        raise InputError(path, f"when {when!r} must be one of {', '.join(WHENS)}", where)
    return {"date": pd.Timestamp(day), "pain": score, "side": side, "when": when}


def read_pain_log(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a pain log (header ``date,pain,side,when,activity,note``; only date and pain
    required). Returns those columns plus ``line``. Every bad row is an error naming the
    file and line; nothing is guessed."""
    path = os.fspath(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            text = fh.read()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from exc
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "date" not in fields or "pain" not in fields:
        raise InputError(path, "the header needs at least 'date' and 'pain' (full header: "
                         + ",".join(PAIN_HEADER) + ")", "line 1")
    unknown = [f for f in fields if f not in PAIN_HEADER]
    if unknown:
        raise InputError(path, f"unknown column(s) {', '.join(unknown)}; columns are "
                         + ",".join(PAIN_HEADER), "line 1")
    rows = []
    for line, rec in enumerate(reader, start=2):
        r = {k.strip().lower(): (v or "").strip() for k, v in rec.items() if k}
        if not any(r.values()):
            continue
        entry = validate_entry(r.get("date", ""), r.get("pain", ""), r.get("side", ""),
                               r.get("when", ""), f"line {line}", path)
        entry.update(activity=r.get("activity", ""), note=r.get("note", ""), line=line)
        rows.append(entry)
    out = pd.DataFrame(rows, columns=[*PAIN_HEADER, "line"])
    out["date"] = pd.to_datetime(out["date"])
    out["pain"] = out["pain"].astype(float)
    return out


@contextlib.contextmanager
def _locked(path: str) -> Iterator[None]:
    """An exclusive lock beside ``path`` so two writers never interleave (POSIX)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock, the rename is still atomic
        yield
        return
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def append_pain(path: str | os.PathLike[str], *, pain: float, date: str | None = None,
                side: str = "", when: str = "", activity: str = "", note: str = "") -> dict:
    """Validate one entry and append it to the pain log at ``path``.

    Creates the file with its header when missing. The append is atomic: the current log is
    copied byte for byte to a temporary file beside it, the new row added, the file synced
    and renamed over the log, under a lock, so an interrupted write leaves the log as it was
    and two writers lose no row. Existing rows are never rewritten.
    """
    path = os.fspath(path)
    date = date or dt.date.today().isoformat()
    entry = validate_entry(date, str(pain), side, when, "new entry", path)
    if os.path.exists(path):
        read_pain_log(path)  # refuse to append to a log that is already broken
    row = io.StringIO()
    csv.writer(row, lineterminator="\n").writerow(
        [entry["date"].date().isoformat(), f"{entry['pain']:g}", entry["side"], entry["when"],
         activity, note])
    folder = os.path.dirname(os.path.abspath(path))
    with _locked(path):
        try:
            with open(path, "rb") as fh:
                old = fh.read()
        except FileNotFoundError:
            old = (",".join(PAIN_HEADER) + "\n").encode()
        if old and not old.endswith(b"\n"):
            old += b"\n"
        fd, tmp = tempfile.mkstemp(prefix=".pain-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(old + row.getvalue().encode())
                fh.flush()
                os.fsync(fh.fileno())
            if os.path.exists(path):
                os.chmod(tmp, os.stat(path).st_mode & 0o777)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    return {**entry, "activity": activity, "note": note}


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

