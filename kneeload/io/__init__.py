"""Readers: FIT, GPX and TCX files (plain or .gz), folders and lists of them.

``read_file`` reads one file into activity rows; ``read_activities`` reads many
into one activities table plus a ``skipped`` table that names every file (or
duplicate session) not ingested and why; ``read_samples`` returns one
activity's per-sample data on demand.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import io
import math
import os
import stat
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from struct import error as struct_error

import numpy as np
import pandas as pd

from ..errors import (
    CorruptFileError,
    InputError,
    InvalidTimeError,
    NotAnActivityError,
    OnError,
    UnsafeInputError,
    UnsupportedFormatError,
    UsageError,
)
from ..safeio import display_path, read_regular_file
from ..schema import SPORTS, conform_activities, conform_samples, empty_activities, empty_skipped
from ._deadline import parse_deadline
from ._source import MAX_FILE_BYTES, Source, format_from_name, open_source, reader_for
from ._summary import Parsed, summarise
from ._time import Placement, placement
from .apple_health import apple_member, is_apple_folder, read_apple_health
from .cache import input_key
from .exports import (
    Member,
    is_manual_log,
    is_strava_folder,
    iter_folder_members,
    iter_zip,
    parse_manual_log,
    strava_row_activity,
)
from .fit import POWER_ON_NOTE, parse_fit
from .garmin import join_garmin
from .strava import (
    GEAR_FILES,
    GearItem,
    gear_matcher,
    is_kneeload_shoes_header,
    is_strava_activities,
    parse_strava_csv,
    parse_strava_gear,
)

__all__ = ["ReadResult", "read_file", "read_activities", "read_samples", "find_activity_files",
           "find_inputs", "ingest", "ingest_chunk", "deduplicate", "export_gear", "placement"]

_FORMAT_RANK = {"fit": 0, "tcx": 1, "gpx": 2}
#: Two activities overlapping in time by more than this share of the shorter one are
#: the same activity recorded or exported twice.
DUPLICATE_OVERLAP = 0.5
#: During a long ingest, new results are written to the parse cache this often [s].
CACHE_STORE_EVERY_S = 5.0


@dataclass
class ReadResult:
    """What ``read_activities`` found.

    Attributes
    ----------
    activities : pandas.DataFrame
        One row per activity (see ``docs/schema.md``), sorted by start time.
    skipped : pandas.DataFrame
        ``path``, ``kind``, ``reason`` for every file or session not in ``activities``.
    gear : pandas.DataFrame
        The exports' own gear lists (Strava's shoes.csv and bikes.csv, Garmin's gear):
        ``name``, ``kind`` (shoe, bike, other), ``brand``, ``model``, ``first_used``,
        ``retired``, ``status``, ``replace_m`` [m] (the limit the runner set), ``source``.
        Empty when the inputs carry none.
    """

    activities: pd.DataFrame
    skipped: pd.DataFrame
    gear: pd.DataFrame = dataclasses.field(default_factory=lambda: empty_gear())


GEAR_COLUMNS = ("name", "kind", "brand", "model", "first_used", "retired", "status",
                "replace_m", "source")


def empty_gear() -> pd.DataFrame:
    """A gear table with no rows."""
    return gear_table([])


def gear_table(items: list[GearItem]) -> pd.DataFrame:
    """Gear items as a table (see :class:`ReadResult`); the same name is listed once (the
    first export that names it)."""
    rows, seen = [], set()
    for it in items:
        if it.name.lower() in seen:
            continue
        seen.add(it.name.lower())
        rows.append({"name": it.name, "kind": it.kind, "brand": it.brand, "model": it.model,
                     "first_used": it.first_used, "retired": it.retired, "status": it.status,
                     "replace_m": it.replace_m, "source": it.source})
    out = pd.DataFrame(rows, columns=list(GEAR_COLUMNS))
    for col in ("first_used", "retired"):
        out[col] = pd.to_datetime(out[col])
    out["replace_m"] = pd.to_numeric(out["replace_m"]).astype(float)
    return out


def _is_gear_list(base: str) -> bool:
    lower = base.lower()
    return lower in GEAR_FILES or lower.endswith("_gear.json") or lower == "gear.json"


def export_gear(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], *,
                recursive: bool = True) -> pd.DataFrame:
    """The gear lists of the exports among ``paths`` (Strava's shoes.csv/bikes.csv, Garmin's
    ``*_gear.json``), as :func:`gear_table`. Only those small members are read; a kneeload
    shoes.csv (it has a ``shoe`` column) is not an export's list and is left out."""
    return _gear_of_inputs(_inputs(paths, recursive))


def _gear_of_inputs(inputs: list[tuple[str, str]]) -> pd.DataFrame:
    from .exports import MAX_DEPTH
    from .garmin import parse_gear
    items: list[GearItem] = []
    for kind, path in inputs:
        if kind == "zip":
            members = iter_zip(path, depth=MAX_DEPTH, want=_is_gear_list)
        elif kind == "strava":
            members = iter_folder_members(path, want=_is_gear_list)
        else:
            continue
        for m in members:
            if isinstance(m, InputError):
                continue  # reported by the ingest itself
            base = os.path.basename(m.name.rsplit("!", 1)[-1]).lower()
            try:
                if base in GEAR_FILES:
                    if not is_kneeload_shoes_header(m.data):
                        items.extend(parse_strava_gear(m.name, m.data, GEAR_FILES[base]))
                else:
                    items.extend(parse_gear(m.name, m.data)[0])
            except InputError:
                continue  # reported by the ingest itself
    return gear_table(items)


def _progress_bar(total: int):  # -> tqdm.tqdm
    """tqdm's notebook widget when ipywidgets is installed, else its text bar (on stderr):
    ``tqdm.auto`` without ipywidgets warns "IProgress not found" in every fresh Jupyter."""
    import importlib.util
    import sys

    if "ipykernel" in sys.modules and importlib.util.find_spec("ipywidgets"):
        from tqdm.auto import tqdm
    else:
        from tqdm.std import tqdm
    return tqdm(total=total, desc="reading", unit="file")


def _interactive() -> bool:
    import sys
    if "ipykernel" in sys.modules:
        return True
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def _kind(exc: InputError) -> str:
    if isinstance(exc, UnsupportedFormatError):
        return "unsupported"
    if isinstance(exc, NotAnActivityError):
        return "not_activity"
    if isinstance(exc, InvalidTimeError):
        return "no_time"
    if isinstance(exc, UnsafeInputError):
        return "unsafe"
    return "unreadable"


def check_sport(default_sport: str) -> None:
    """Raise UsageError unless ``default_sport`` is one of kneeload's sports."""
    if default_sport not in SPORTS:
        raise UsageError(f"default_sport must be one of {', '.join(SPORTS)}, "
                         f"not {default_sport!r}")


def _parse(source: Source, fmt: str | None, default_sport: str,
           fit_backend: str = "fitdecode") -> list[Parsed]:
    raw = open_source(source, fmt)
    try:
        with parse_deadline(raw.name, len(raw.data)):
            if raw.fmt == "fit":
                return parse_fit(raw, default_sport=default_sport, backend=fit_backend)
            return reader_for(raw.fmt)(raw, default_sport=default_sport)
    except (InputError, UsageError):
        raise
    except (AssertionError, ArithmeticError, LookupError, TypeError, ValueError, UnicodeError,
            OSError,
            RecursionError, struct_error) as exc:
        # A decoder tripped over damaged bytes in a way it does not report itself: the file,
        # not the program, is at fault. Named, never silently dropped.
        raise CorruptFileError(raw.name, f"could not be decoded ({type(exc).__name__}: "
                               f"{str(exc)[:120]}); the file is damaged: re-export it") from exc


def read_file(source: Source, *, format: str | None = None, tz: str | dt.tzinfo | None = None,
              default_sport: str = "running", fit_backend: str = "fitdecode",
              force_tz: str | dt.tzinfo | None = None) -> pd.DataFrame:
    """Read one FIT, GPX or TCX file (path or binary file object, plain or gzip).

    Parameters
    ----------
    source : path or binary file object
    format : {'fit', 'gpx', 'tcx'}, optional
        Needed only when neither the content nor the name tells.
    tz : str or tzinfo, optional
        Time zone for the local date of files with neither a device local time nor a
        position (GPX and TCX take the zone of their first position). Default: the
        machine's (``tz_source`` says ``machine:``).
    force_tz : str or tzinfo, optional
        One zone for every activity, whatever the file says.
    default_sport : str
        Sport for files that do not record one. Default ``'running'``.
    fit_backend : {'fitdecode', 'fitdecode-only', 'fitparse'}
        FIT decoder. ``'fitdecode'`` (default): kneeload's vectorised decoder with fitdecode
        for whatever it declines; ``'fitdecode-only'``: fitdecode for every file;
        ``'fitparse'``. All give the same values (tests/test_fit_fast.py,
        tests/test_corpus.py); the default is by far the fastest.

    Returns
    -------
    pandas.DataFrame
        One row per session/activity in the file.

    Raises
    ------
    InputError
        With the file's path and what is wrong when nothing can be read.

    Examples
    --------
    The sample season's first run, 3 mi (4828 m), from the repository's root folder:

    >>> import kneeload
    >>> df = kneeload.read_file("sample_data/runs/2026-03-03_0700_run.fit")
    >>> df[["local_date", "sport", "distance_m"]]
      local_date    sport  distance_m
    0 2026-03-03  running     4828.03
    """
    check_sport(default_sport)
    zone = placement(tz, force_tz)
    rows = [summarise(p, zone) for p in _parse(source, format, default_sport, fit_backend)]
    return conform_activities(pd.DataFrame(rows)) if rows else empty_activities()


def read_samples(source: Source, *, session: int = 0, format: str | None = None,
                 fit_backend: str = "fitdecode") -> pd.DataFrame:
    """Per-sample data of one activity: time [UTC], position [deg], distance [m], altitude [m],
    speed [m/s], heart rate [bpm], cadence [spm].

    ``session`` is the row's ``session_index`` (multisport FIT, multi-activity TCX).
    Read on demand, so a season's summaries never hold every sample in memory.
    """
    parsed = _parse(source, format, "running", fit_backend)
    if not 0 <= session < len(parsed):
        raise UsageError(f"session {session} does not exist; the file has {len(parsed)}")
    return conform_samples(parsed[session].samples)


def _inputs(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
            recursive: bool = True) -> list[tuple[str, str]]:
    """(kind, path) for every input: 'file', 'zip', 'strava' (an export folder), 'apple' (an
    Apple Health export, folder or archive), 'csv', 'unlisted' (a folder that could not be
    listed: reported, never passed over)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: list[tuple[str, str]] = []

    def classify(p: str, explicit: bool) -> None:
        lower = p.lower()
        if lower.endswith(".zip"):
            out.append(("apple" if _zip_is_apple(p) else "zip", p))
        elif lower.endswith(".csv"):
            try:
                regular = stat.S_ISREG(os.stat(p).st_mode)
                head = _head(p) if regular else b""
            except OSError:
                head = b""
            if is_manual_log(head) or explicit:
                out.append(("csv", p))
        elif explicit and lower.endswith(".json"):
            out.append(("json", p))  # recognised by content when read
        elif explicit and os.path.basename(lower) == "export.xml" and is_apple_folder(
                os.path.dirname(p) or "."):
            out.append(("apple", os.path.dirname(p) or "."))  # Apple Health's, given alone
        elif format_from_name(p) or explicit:
            out.append(("file", p))

    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            if is_apple_folder(p):
                out.append(("apple", p))
                continue
            if is_strava_folder(p):
                out.append(("strava", p))
                continue
            def unlisted(err: OSError, top: str = p) -> None:  # never pass a folder over
                out.append(("unlisted", err.filename or top))

            for root, dirs, files in os.walk(p, onerror=unlisted):
                dirs.sort()
                keep = []
                for d in dirs:
                    full = os.path.join(root, d)
                    if d.startswith("."):
                        continue
                    if is_apple_folder(full):
                        out.append(("apple", full))
                    elif is_strava_folder(full):
                        out.append(("strava", full))
                    else:
                        keep.append(d)
                dirs[:] = keep if recursive else []
                for f in sorted(files):
                    if not f.startswith("."):
                        classify(os.path.join(root, f), explicit=False)
        else:
            classify(p, explicit=True)
    return out


def _head(path: str, size: int = 400) -> bytes:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        return os.read(fd, size)
    finally:
        os.close(fd)


def _zip_is_apple(path: str) -> bool:
    import zipfile
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False  # a pipe or device: the archive reader reports it
        with zipfile.ZipFile(path) as zf:
            return apple_member(zf.namelist()) is not None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False  # read as an archive, where the damage is reported


def find_inputs(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
                recursive: bool = True) -> list[tuple[str, str]]:
    """``(kind, path)`` of every input below ``paths``, as :func:`ingest` takes them: 'file',
    'zip', 'strava', 'apple', 'csv'."""
    return _inputs(paths, recursive)


def find_activity_files(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
                        *, recursive: bool = True) -> list[str]:
    """The inputs below ``paths``: FIT/GPX/TCX (and .gz) files, .zip exports, Strava export
    folders and manual-log CSVs, sorted by folder.

    Files named explicitly are kept whatever their extension (so an unsupported one is
    reported, not ignored); inside folders, other files (README, other CSVs, hidden files)
    are not activity inputs and are passed over.
    """
    return [p for _, p in _inputs(paths, recursive)]


def _member_key(name: str, container: str) -> str:
    inner = name.rsplit("!", 1)[1] if "!" in name else os.path.relpath(name, container)
    return inner.replace(os.sep, "/")


def _read_container(container: str, members: Iterable[Member | InputError],
                    default_sport: str, zone: dt.tzinfo | Placement,
                    rows: list[dict[str, object]], skipped: list[dict[str, str]],
                    policy: OnError) -> None:
    """An export (folder or archive): its activity files joined with Strava's activities.csv
    and gear lists, and with Garmin Connect's activity summaries and gear."""
    files: dict[str, Member] = {}
    csv_member: Member | None = None
    gear_members: list[tuple[Member, str]] = []
    garmin_summaries: list[Member] = []
    garmin_gear: list[Member] = []

    def fail(exc: InputError) -> None:
        if policy is OnError.RAISE:
            raise exc
        skipped.append(_skip(exc))

    for m in members:
        if isinstance(m, InputError):
            fail(m)
            continue
        key = _member_key(m.name, container)
        base = os.path.basename(key).lower()
        if base == "activities.csv":
            if csv_member is None or key.count("/") < _member_key(csv_member.name,
                                                                  container).count("/"):
                csv_member = m
        elif base in GEAR_FILES:
            if not is_kneeload_shoes_header(m.data):  # kneeload's own shoes.csv: discovery's
                gear_members.append((m, GEAR_FILES[base]))
        elif base.endswith("summarizedactivities.json") or (
                base.endswith(".json") and b"summarizedActivitiesExport" in m.data[:4096]):
            garmin_summaries.append(m)
        elif base.endswith("_gear.json") or base == "gear.json":
            garmin_gear.append(m)
        else:
            files[key] = m
    items: list[GearItem] = []
    for m, kind in gear_members:
        items.extend(parse_strava_gear(m.name, m.data, kind))
    match_gear = gear_matcher(items)
    strava_rows = []
    prefix = ""
    if csv_member is not None:
        ckey = _member_key(csv_member.name, container)
        prefix = ckey[: -len("activities.csv")]
        try:
            strava_rows = parse_strava_csv(csv_member.name, csv_member.data)
        except InputError as exc:
            fail(exc)
    used: set[str] = set()
    for r in strava_rows:
        member = files.get(prefix + r.filename) if r.filename else None
        note = ""
        gear = match_gear(r.gear)
        if member is not None:
            used.add(prefix + r.filename)
            try:
                parsed = _parse_member(member, default_sport)
                for p in parsed:
                    row = summarise(p, zone)
                    row["gear"], row["rpe"] = gear, r.values.get("rpe")
                    if r.sport is None:
                        row["note"] = "; ".join(filter(None, [
                            str(row["note"]), f"Strava type {r.activity_type!r} unknown to "
                            f"kneeload; the file's sport ({row['sport']}) kept"]))
                    elif r.sport != row["sport"]:
                        row["note"] = "; ".join(filter(None, [
                            str(row["note"]), f"sport {row['sport']} in the file, "
                            f"'{r.activity_type}' in Strava: Strava's kept"]))
                        row["sport"] = r.sport
                    rows.append(row)
                continue
            except InputError as exc:
                note = (f"file {r.filename} could not be read ({exc.reason}); totals from "
                        "activities.csv")
        elif r.filename:
            note = f"file {r.filename} is not in the export; totals from activities.csv"
        if r.start_time is None:  # a bad date and no readable file: this row alone is lost
            fail(InputError(csv_member.name if csv_member else container,
                            "; ".join(filter(None, [r.problem, note])), f"line {r.line}"))
            continue
        r.gear = gear
        row = strava_row_activity(r, display_path(csv_member.name if csv_member else container),
                                  zone)
        row["note"] = "; ".join(filter(None, [note, str(row["note"])]))
        rows.append(row)
    file_rows: list[dict[str, object]] = []
    for key, member in files.items():
        if key in used:
            continue
        try:
            file_rows.extend(summarise(p, zone) for p in _parse_member(member, default_sport))
        except InputError as exc:
            fail(exc)
    if garmin_summaries:
        join_garmin(garmin_summaries, garmin_gear, file_rows, zone, fail, skipped)
    rows.extend(file_rows)


def _parse_member(member: Member, default_sport: str) -> list[Parsed]:
    buf = io.BytesIO(member.data)
    buf.name = member.name
    return _parse(buf, None, default_sport)


def _skip(exc: InputError) -> dict[str, str]:
    return {"path": display_path(exc.path), "kind": _kind(exc),
            "reason": exc.reason if not exc.location else f"{exc.location}: {exc.reason}"}


def _overlap_or_same_id(start: np.ndarray, end: np.ndarray, ids: np.ndarray
                        ) -> dict[int, list[int]]:
    """For each row, the other rows whose ``[start, end)`` overlaps its own or whose id is
    its id (the only rows :func:`deduplicate` can match it with: a match needs a shared
    id, an overlap over half the shorter activity, or the same start). Rows without any
    are left out."""
    out: dict[int, list[int]] = {}
    order = np.argsort(start, kind="stable")
    starts = start[order]
    longest = float(np.max(end - start)) if len(start) else 0.0
    lo = np.searchsorted(starts, start - longest, side="left")
    hi = np.searchsorted(starts, end, side="left")
    for i in np.flatnonzero(hi - lo > 1):  # more than itself in the window
        near = order[lo[i]:hi[i]]
        near = near[(near != i) & (end[near] > start[i]) & (start[near] < end[i])]
        if len(near):
            out[int(i)] = near.tolist()
    by_id: dict[object, list[int]] = {}
    for row, key in enumerate(ids.tolist()):
        by_id.setdefault(key, []).append(row)
    for rows in by_id.values():
        if len(rows) > 1:
            for row in rows:
                out.setdefault(row, []).extend(j for j in rows if j != row)
    return out


def deduplicate(activities: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop activities recorded or exported twice; return (kept, skipped rows).

    Two rows are the same activity when they share an ``activity_id`` (a copied
    file) or, from different files, overlap in time by more than
    ``DUPLICATE_OVERLAP`` of the shorter one (a FIT and a GPX export of one run).
    The copy kept is the complete one, then FIT over TCX over GPX, then the one
    with more samples. Two activities whose watch counted from power-on
    (:data:`POWER_ON_NOTE`) are never matched by time: their times are only as good
    as the one calendar time the watch wrote, which can be the same in every file.
    """
    if activities.empty:
        return activities, empty_skipped()
    df = activities.assign(
        _rank=activities["source_format"].map(_FORMAT_RANK).fillna(9),
        _dur=activities["elapsed_s"].fillna(activities["moving_s"]).fillna(0.0).clip(lower=60.0),
    ).sort_values(["partial", "_rank", "n_samples", "source_path", "session_index"],
                  ascending=[True, True, False, True, True], kind="stable")
    start = df["start_time"].astype("int64").to_numpy() / 1e9
    end = start + df["_dur"].to_numpy()
    ids, paths = df["activity_id"].to_numpy(), df["source_path"].to_numpy()
    dist = df["distance_m"].to_numpy()
    power_on = df["note"].astype(str).str.contains(POWER_ON_NOTE, regex=False).to_numpy()
    manual = (df["source_format"] == "manual").to_numpy()
    logs = df["source_path"].str.replace(r"#line \d+$", "", regex=True).to_numpy()
    candidates = _overlap_or_same_id(start, end, ids)
    keep: list[int] = []
    kept_set: set[int] = set()
    dup_rows: list[dict[str, str]] = []
    for i in range(len(df)):
        # only kept rows that overlap this one in time or share its id can match it: a few
        # at most, where comparing with every kept row made the loop quadratic
        k = np.array(sorted(j for j in candidates.get(i, ()) if j in kept_set), dtype=int)
        hit = None
        if len(k):
            overlap = np.minimum(end[i], end[k]) - np.maximum(start[i], start[k])
            shorter = np.minimum(end[i] - start[i], end[k] - start[k])
            other_file = paths[k] != paths[i]
            same_file_copy = ~other_file & (start[k] == start[i]) & (
                np.isclose(dist[k], dist[i]) | (np.isnan(dist[k]) & np.isnan(dist[i])))
            # distinct rows of one manual log are distinct runs (a morning and an evening
            # 5 mi): both are placed at noon, so their "overlap" means nothing
            one_log = manual[k] & manual[i] & (logs[k] == logs[i])
            # two power-on clocks placed by one shared calendar time: overlap means nothing
            both_power_on = power_on[k] & power_on[i]
            match = (ids[k] == ids[i]) | (other_file & ~one_log & ~both_power_on
                                          & (overlap > DUPLICATE_OVERLAP * shorter)) \
                | same_file_copy
            if match.any():
                hit = int(k[np.argmax(match)])
        if hit is None:
            keep.append(i)
            kept_set.add(i)
            continue
        kept = df.iloc[hit]
        when = kept["local_start"].strftime("%Y-%m-%d %H:%M")  # the kept one's, as named
        same = ("the same file content as" if ids[i] == ids[hit]
                else "the same activity as")
        dup_rows.append({
            "path": f"{paths[i]}#{df.iloc[i]['session_index']}" if paths[i] == paths[hit]
            else paths[i],
            "kind": "duplicate",
            "reason": f"{same} {kept['source_path']} (session {kept['session_index']}, "
                      f"{when}); counted once",
        })
    kept_df = df.iloc[keep].drop(columns=["_rank", "_dur"]).sort_values(
        ["start_time", "source_path", "session_index"], kind="stable")
    skipped = pd.DataFrame(dup_rows) if dup_rows else empty_skipped()
    return kept_df.reset_index(drop=True), skipped


def _ingest_input(kind: str, path: str, default_sport: str, zone: dt.tzinfo, fit_backend: str,
                  strict: bool
                  ) -> tuple[list[dict[str, object]], list[dict[str, str]], InputError | None]:
    """Read one input (file, archive, export folder, manual log): its rows and skipped
    entries, and the first error when ``strict``. Runs in worker processes too, so only
    summaries travel back."""
    rows: list[dict[str, object]] = []
    skipped: list[dict[str, str]] = []
    policy = OnError.RAISE if strict else OnError.SKIP
    try:
        if kind == "unlisted":
            try:
                os.listdir(path)
                why = "changed while being read"
            except OSError as exc:
                why = exc.strerror or str(exc)
            raise CorruptFileError(display_path(path), f"folder cannot be read ({why}); its "
                                   "files were not read")
        if kind == "file":
            try:
                parsed = _parse(path, None, default_sport, fit_backend)
                rows.extend(summarise(p, zone) for p in parsed)
            except MemoryError:  # this file alone is too big for the memory left: skip it
                raise InputError(display_path(path), "too big to read in the memory "
                                 "available (ran out of memory); the other files were read"
                                 ) from None
        elif kind == "zip":
            _read_container(path, iter_zip(path), default_sport, zone, rows, skipped, policy)
        elif kind == "strava":
            _read_container(path, iter_folder_members(path), default_sport, zone, rows,
                            skipped, policy)
        elif kind == "json":
            data = read_regular_file(path, MAX_FILE_BYTES, "JSON file")
            if b"summarizedActivitiesExport" not in data[:4096]:
                raise UnsupportedFormatError(path, "is a JSON file but not Garmin Connect's "
                                             "activity summaries (summarizedActivitiesExport)")
            _read_container(os.path.dirname(path) or ".",
                            [Member(path, functools.partial(bytes, data))],
                            default_sport, zone, rows, skipped, policy)
        elif kind == "apple":
            def fail(exc: InputError) -> None:
                if policy is OnError.RAISE:
                    raise exc
                skipped.append(_skip(exc))
            rows.extend(read_apple_health(path, default_sport, zone, fail))
        else:
            from ..textfile import MAX_TEXT_FILE_BYTES
            data = read_regular_file(path, MAX_TEXT_FILE_BYTES, "manual log")
            if is_strava_activities(data):  # a bare activities.csv: its rows, no files
                _read_container(os.path.dirname(path) or ".",
                                [Member(path, functools.partial(bytes, data))],
                                default_sport, zone, rows, skipped, policy)
            elif not is_manual_log(data):
                raise UnsupportedFormatError(path, "is a CSV but not a manual log (header "
                                             "date,distance,duration) nor a Strava "
                                             "activities.csv")
            else:
                rows.extend(parse_manual_log(display_path(path), data, zone))
    except InputError as exc:
        if strict:
            return rows, skipped, exc
        skipped.append(_skip(exc))
    return rows, skipped, None


def ingest_chunk(chunk: list[tuple], common: tuple) -> list[tuple]:
    """Read a chunk of ``(index, kind, path, key)`` inputs (see :func:`ingest`): runs in
    worker processes or on a cluster, so only summaries travel back."""
    return [(i, *_ingest_input(kind, path, *common)) for i, kind, path, _key in chunk]


def _end_with_parent(parent: int) -> None:
    """Worker initializer: end this worker when the process that started it ends (killed
    included), so no parse goes on for nobody. Linux: the kernel's parent-death signal;
    elsewhere, and as a backstop, a thread that checks the parent every half second."""
    import signal
    import threading
    import time

    # Ctrl-C reaches the whole process group: the parent handles it and ends the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError, TypeError):
        pass

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="kneeload-parent-watch", daemon=True).start()


def _stop_pool(pool) -> None:
    """Cancel what has not started and end the workers at once."""
    processes = getattr(pool, "_processes", None) or {}  # pid -> process (CPython)
    for proc in list(processes.values()):
        with contextlib.suppress(Exception):
            proc.kill()
    pool.shutdown(wait=False, cancel_futures=True)


#: Below this many files to parse, the default is to parse them here: with the FIT fast path
#: a file takes ~5-60 ms, less than starting and feeding worker processes.
MIN_FILES_FOR_WORKERS = 32


def default_workers(n_files: int) -> int:
    """Processes to parse ``n_files`` with when the caller does not say: the cores not busy
    now (cores minus the 1-minute load average, counting a half-idle core), at least 1; 1
    below :data:`MIN_FILES_FOR_WORKERS` files.

    Measured on the project's 2-core machine (``python benchmarks/run.py --workers-only``,
    1 and 2 processes alternated, cold ingests of 365 and 1,000 one-hour files): at load
    average 0.7-1.0, 2 processes took 0.61x and 0.56x the wall time of 1 (the same CPU
    time); at load 1.8-2.2 (other work on both cores), 0.93x and 1.30x (CPU time 1.4x: the
    workers only competed). So on 2 cores: 2 processes below a load of 1.5, else 1.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    if n_files < MIN_FILES_FOR_WORKERS or cores <= 1:
        return 1
    try:
        load = os.getloadavg()[0]
    except (OSError, AttributeError):  # Windows: no load average
        load = 0.0
    return max(1, min(cores, math.ceil(cores - load + 0.5)))


def _pool_context():
    import multiprocessing as mp
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def ingest(inputs: list[tuple[str, str]], *, place: Placement, default_sport: str = "running",
           fit_backend: str = "fitdecode", cache: bool | str | os.PathLike[str] = True,
           strict: bool = False, workers: int | None = None, progress: bool | None = None,
           runner: Callable[[list[list[tuple]], tuple], Iterable[list[tuple]]] | None = None,
           chunk_size: int = 16) -> list[tuple[pd.DataFrame, list[dict[str, str]]]]:
    """The one ingest path: read ``inputs`` (``(kind, path)`` from :func:`_inputs`) through
    the parse cache, in worker processes or on ``runner``; what each input gave.

    :func:`read_activities` and :func:`kneeload.cohort.read_cohort` both read through it.

    Parameters
    ----------
    inputs : list of (kind, path)
    place : Placement
        How activities without their own local time are placed (see :func:`placement`).
    strict : bool
        Raise the first :class:`InputError` instead of listing it.
    runner : callable, optional
        ``runner(chunks, common)`` yields, for each chunk, ``ingest_chunk(chunk, common)``
        (in any order): a Dask client's map, say. Default: local processes (``workers``,
        default the machine's cores) when there are 8 or more inputs to parse, else here.

    Returns
    -------
    list of (pandas.DataFrame, list of dict)
        Per input, in order: its activities (conformed) and its skipped entries.
    """
    results, keys, cached_rows = _read_inputs(
        inputs, place=place, default_sport=default_sport, fit_backend=fit_backend, cache=cache,
        strict=strict, workers=workers, progress=progress, runner=runner, chunk_size=chunk_size)
    return _per_input(len(inputs), results, keys, cached_rows)


def _read_inputs(inputs: list[tuple[str, str]], *, place: Placement, default_sport: str,
                 fit_backend: str, cache: bool | str | os.PathLike[str], strict: bool,
                 workers: int | None, progress: bool | None,
                 runner: Callable[[list[list[tuple]], tuple], Iterable[list[tuple]]] | None,
                 chunk_size: int
                 ) -> tuple[dict[int, tuple[list, list]], list[str | None], pd.DataFrame | None]:
    """:func:`ingest`'s work: what each input gave (new rows and skipped entries by input
    position), the inputs' cache keys and the cached rows (see :func:`_rows_in_order`)."""
    settings = f"{place.key}|{default_sport}|{fit_backend}"
    store = None
    if cache is not False:
        from .cache import ParseCache
        store = ParseCache(None if cache is True else cache)
    keys = [input_key(p, settings) if store is not None else None for _, p in inputs]
    cached_rows, cached_skips, known = (store.lookup([k for k in keys if k])
                                        if store is not None else (None, {}, set()))
    results: dict[int, tuple[list, list]] = {}
    from_cache: dict[str, int] = {}  # key -> input position
    todo = []
    for i, ((kind, path), key) in enumerate(zip(inputs, keys, strict=True)):
        if key is not None and key in known and (not strict or key not in cached_skips):
            results[i] = ([], cached_skips.get(key, []))
            from_cache[key] = i
        else:
            todo.append((i, kind, path, key))
    common = (default_sport, place, fit_backend, strict)
    n_workers = workers if workers is not None else default_workers(len(todo))
    if progress is None:
        progress = len(todo) > 20 and _interactive()
    bar = None
    if progress and todo:
        bar = _progress_bar(len(todo))
    done: list[tuple] = []
    pending: dict[str, tuple[str, list, list]] = {}  # results not yet in the cache
    last_store = time.monotonic()

    def collect(part: list[tuple]) -> None:
        """Keep a finished part; every CACHE_STORE_EVERY_S, write what is new to the cache,
        so a run killed half-way keeps the work done."""
        nonlocal last_store
        done.extend(part)
        if bar is not None:
            bar.update(len(part))
        if store is None:
            return
        for i, rows, skipped, error in part:
            if error is None and keys[i] is not None:
                pending[keys[i]] = (inputs[i][1], rows, skipped)
        if pending and time.monotonic() - last_store > CACHE_STORE_EVERY_S:
            store.store(pending)
            pending.clear()
            last_store = time.monotonic()

    if runner is not None and todo:
        size = max(1, chunk_size)
        for part in runner([todo[j:j + size] for j in range(0, len(todo), size)], common):
            collect(part)
    elif n_workers > 1 and len(todo) >= (8 if workers is not None else MIN_FILES_FOR_WORKERS):
        from concurrent.futures import ProcessPoolExecutor, as_completed
        size = max(1, min(16, len(todo) // (n_workers * 4)))
        chunks = [todo[j:j + size] for j in range(0, len(todo), size)]
        pool = ProcessPoolExecutor(max_workers=n_workers, mp_context=_pool_context(),
                                   initializer=_end_with_parent, initargs=(os.getpid(),))
        try:
            futures = [pool.submit(ingest_chunk, c, common) for c in chunks]
            for fut in as_completed(futures):
                collect(fut.result())
        except BaseException:
            _stop_pool(pool)  # interrupted: stop the workers now, not after their files
            raise
        pool.shutdown()
    else:
        for item in todo:
            collect(ingest_chunk([item], common))
    if bar is not None:
        bar.close()
    if store is not None:
        store.store(pending)  # never raises: an unusable cache is reported once
    for i, rows, skipped, error in sorted(done, key=lambda t: t[0]):
        if error is not None:
            raise error
        results[i] = (rows, skipped)
    return results, keys, cached_rows


def _rows_in_order(results: dict[int, tuple[list, list]], keys: list[str | None],
                   cached_rows: pd.DataFrame | None) -> tuple[pd.DataFrame, np.ndarray]:
    """Every input's activities in one conformed table, in input order then by session, and
    each row's input position. The new rows of every input are conformed together, once: a
    conform costs milliseconds whatever the number of rows, which made it the largest fixed
    cost per file once FIT decoding got fast. Cached rows come conformed from the cache."""
    parts: list[pd.DataFrame] = []
    positions: list[np.ndarray] = []
    new_rows = [dict(r, _pos=i) for i in sorted(results) for r in results[i][0]]
    if new_rows:
        df = pd.DataFrame(new_rows)
        positions.append(df.pop("_pos").to_numpy())
        parts.append(conform_activities(df))
    if cached_rows is not None and len(cached_rows):
        inputs_of: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            if key is not None and i in results and not results[i][0]:
                inputs_of.setdefault(key, []).append(i)
        hit = cached_rows[cached_rows["_key"].isin(inputs_of.keys())]
        if len(hit):
            first = hit["_key"].map(lambda k: inputs_of[k][0]).to_numpy()
            parts.append(hit.drop(columns="_key"))
            positions.append(first)
            for key, more in inputs_of.items():  # the same input named twice
                for i in more[1:]:
                    again = hit[hit["_key"] == key]
                    parts.append(again.drop(columns="_key"))
                    positions.append(np.full(len(again), i))
    if not parts:
        return empty_activities(), np.array([], dtype=int)
    # new and cached rows side by side: one conform settles the joined columns' types
    df = conform_activities(pd.concat(parts, ignore_index=True)) if len(parts) > 1 \
        else parts[0]
    pos = np.concatenate(positions)
    order = np.lexsort((df["session_index"].to_numpy(), pos))
    return df.iloc[order].reset_index(drop=True), pos[order]


def _per_input(n: int, results: dict[int, tuple[list, list]], keys: list[str | None],
               cached_rows: pd.DataFrame | None
               ) -> list[tuple[pd.DataFrame, list[dict[str, str]]]]:
    """Each input's activities (conformed, by session) and skipped entries."""
    df, pos = _rows_in_order(results, keys, cached_rows)
    starts = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]]) if len(pos) else np.array([], int)
    ends = np.r_[starts[1:], len(pos)]
    frames = {int(pos[a]): df.iloc[a:b].reset_index(drop=True)
              for a, b in zip(starts, ends, strict=True)}
    empty = empty_activities()
    return [(frames[i] if i in frames else empty.copy(), list(results.get(i, ([], []))[1]))
            for i in range(n)]


def read_activities(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], *,
                    tz: str | dt.tzinfo | None = None, default_sport: str = "running",
                    recursive: bool = True, on_error: OnError | str = OnError.SKIP,
                    drop_duplicates: bool = True, progress: bool | None = None,
                    fit_backend: str = "fitdecode",
                    cache: bool | str | os.PathLike[str] = True,
                    workers: int | None = None,
                    force_tz: str | dt.tzinfo | None = None) -> ReadResult:
    """Read files and folders into one activities table.

    Parameters
    ----------
    paths : path or iterable of paths
        Files and folders (searched recursively for .fit/.gpx/.tcx, plain or .gz, any
        case), Strava exports (the folder or the .zip: activities.csv joined with its
        files, gear from "Activity Gear", rows without a file from the CSV), Garmin
        Connect export .zip files (FIT files in nested archives), and manual-log CSVs
        (header ``date,distance,duration``).
    tz : str or tzinfo, optional
        Time zone for activities with neither their own local time (FIT device time,
        Garmin or Apple Health offsets) nor a position (the zone at the first position
        comes first). Default: the machine's; ``tz_source`` says which placed each row.
    force_tz : str or tzinfo, optional
        One zone for every activity, whatever the files say.
    default_sport : str
        Sport for files that do not record one. Default ``'running'``.
    on_error : {'skip', 'raise'}
        ``'skip'`` lists unreadable files in ``skipped``; ``'raise'`` raises the first
        :class:`~kneeload.errors.InputError`.
    drop_duplicates : bool
        Count an activity present in several files once (see :func:`deduplicate`).
    progress : bool, optional
        Show a progress bar (tqdm, notebook-aware). Default: when there are more than
        20 inputs and stderr is a terminal or the code runs in a notebook.
    fit_backend : {'fitdecode', 'fitdecode-only', 'fitparse'}
        FIT decoder (same values; the default, a vectorised decoder with fitdecode behind
        it, is by far the fastest).
    cache : bool or path
        The parse cache (see :mod:`kneeload.io.cache`): True for the default folder, a path
        for another, False to bypass it. Unchanged files are never parsed twice.
    workers : int, optional
        Processes for parsing uncached files. Default: :func:`default_workers` (the idle
        cores, 1 for fewer than 32 files); 1 parses here.

    Returns
    -------
    ReadResult
        ``activities`` and ``skipped``: every input file is in one or the other.
    """
    policy = OnError.coerce(on_error)
    check_sport(default_sport)
    zone = placement(tz, force_tz)
    inputs = _inputs(paths, recursive)
    results, keys, cached_rows = _read_inputs(
        inputs, place=zone, default_sport=default_sport, fit_backend=fit_backend, cache=cache,
        strict=policy is OnError.RAISE, workers=workers, progress=progress, runner=None,
        chunk_size=16)
    # one table for all inputs (ingest()'s per-input frames, joined again, cost ~0.1 ms each)
    activities, _ = _rows_in_order(results, keys, cached_rows)
    skipped_all = [s for i in range(len(inputs)) for s in results.get(i, ([], []))[1]]
    not_read = [s for s in skipped_all if s["kind"] != "duplicate"]
    if policy is OnError.RAISE and not_read:
        s = not_read[0]
        raise InputError(s["path"], s["reason"])
    dup = empty_skipped()
    if drop_duplicates:
        activities, dup = deduplicate(activities)
    else:
        activities = activities.sort_values("start_time", kind="stable").reset_index(drop=True)
    skipped_df = pd.concat([pd.DataFrame(skipped_all) if skipped_all else empty_skipped(), dup],
                           ignore_index=True)
    return ReadResult(activities=activities, skipped=skipped_df,
                      gear=_gear_of_inputs(inputs))
