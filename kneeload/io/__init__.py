"""Readers: FIT, GPX and TCX files (plain or .gz), folders and lists of them.

``read_file`` reads one file into activity rows; ``read_activities`` reads many
into one activities table plus a ``skipped`` table that names every file (or
duplicate session) not ingested and why; ``read_samples`` returns one
activity's per-sample data on demand.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import stat
import time
from collections.abc import Iterable
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
from ._source import Source, format_from_name, open_source
from ._summary import Parsed, summarise
from ._time import resolve_timezone, timezone_name
from .cache import input_key
from .exports import (
    Member,
    is_manual_log,
    is_strava_folder,
    iter_folder_members,
    iter_zip,
    parse_manual_log,
    parse_strava_csv,
    strava_row_activity,
)
from .fit import parse_fit
from .gpx import parse_gpx
from .tcx import parse_tcx

__all__ = ["ReadResult", "read_file", "read_activities", "read_samples", "find_activity_files",
           "deduplicate"]

_PARSERS = {"fit": parse_fit, "gpx": parse_gpx, "tcx": parse_tcx}
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
    """

    activities: pd.DataFrame
    skipped: pd.DataFrame


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


def _check_sport(default_sport: str) -> None:
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
            return _PARSERS[raw.fmt](raw, default_sport=default_sport)
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
              default_sport: str = "running", fit_backend: str = "fitdecode") -> pd.DataFrame:
    """Read one FIT, GPX or TCX file (path or binary file object, plain or gzip).

    Parameters
    ----------
    source : path or binary file object
    format : {'fit', 'gpx', 'tcx'}, optional
        Needed only when neither the content nor the name tells.
    tz : str or tzinfo, optional
        Time zone for the local date of files without a device local time (GPX,
        TCX, some FIT). Default: the machine's.
    default_sport : str
        Sport for files that do not record one. Default ``'running'``.
    fit_backend : {'fitdecode', 'fitparse'}
        FIT decoder. Both give the same values (tests/test_corpus.py); fitdecode is faster.

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
    >>> import kneeload
    >>> df = kneeload.read_file("sample_data/runs/2026-05-04_run.fit")  # doctest: +SKIP
    >>> df[["local_date", "sport", "distance_m"]]  # doctest: +SKIP
    """
    _check_sport(default_sport)
    zone = resolve_timezone(tz)
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
    """(kind, path) for every input: 'file', 'zip', 'strava' (an export folder), 'csv',
    'unlisted' (a folder that could not be listed: reported, never passed over)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: list[tuple[str, str]] = []

    def classify(p: str, explicit: bool) -> None:
        lower = p.lower()
        if lower.endswith(".zip"):
            out.append(("zip", p))
        elif lower.endswith(".csv"):
            try:
                regular = stat.S_ISREG(os.stat(p).st_mode)
                head = _head(p) if regular else b""
            except OSError:
                head = b""
            if is_manual_log(head) or explicit:
                out.append(("csv", p))
        elif format_from_name(p) or explicit:
            out.append(("file", p))

    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
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
                    if is_strava_folder(full):
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
                    default_sport: str, zone: dt.tzinfo,
                    rows: list[dict[str, object]], skipped: list[dict[str, str]],
                    policy: OnError) -> None:
    """Activity files of an export (folder or archive), joined with its activities.csv."""
    files: dict[str, Member] = {}
    csv_member: Member | None = None
    for m in members:
        if isinstance(m, InputError):
            if policy is OnError.RAISE:
                raise m
            skipped.append(_skip(m))
            continue
        key = _member_key(m.name, container)
        if os.path.basename(key).lower() == "activities.csv":
            if csv_member is None or key.count("/") < _member_key(csv_member.name,
                                                                  container).count("/"):
                csv_member = m
            continue
        files[key] = m
    strava_rows = []
    prefix = ""
    if csv_member is not None:
        ckey = _member_key(csv_member.name, container)
        prefix = ckey[: -len("activities.csv")]
        try:
            strava_rows = parse_strava_csv(csv_member.name, csv_member.data)
        except InputError as exc:
            if policy is OnError.RAISE:
                raise
            skipped.append(_skip(exc))
    used: set[str] = set()
    for r in strava_rows:
        member = files.get(prefix + r.filename) if r.filename else None
        note = ""
        if member is not None:
            used.add(prefix + r.filename)
            try:
                parsed = _parse_member(member, default_sport)
                for p in parsed:
                    row = summarise(p, zone)
                    row["gear"] = r.gear
                    if r.sport != row["sport"]:
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
        row = strava_row_activity(r, display_path(csv_member.name if csv_member else container),
                                  zone)
        row["note"] = note
        rows.append(row)
    for key, member in files.items():
        if key in used:
            continue
        try:
            rows.extend(summarise(p, zone) for p in _parse_member(member, default_sport))
        except InputError as exc:
            if policy is OnError.RAISE:
                raise
            skipped.append(_skip(exc))


def _parse_member(member: Member, default_sport: str) -> list[Parsed]:
    buf = io.BytesIO(member.data)
    buf.name = member.name  # type: ignore[attr-defined]
    return _parse(buf, None, default_sport)


def _skip(exc: InputError) -> dict[str, str]:
    return {"path": display_path(exc.path), "kind": _kind(exc),
            "reason": exc.reason if not exc.location else f"{exc.location}: {exc.reason}"}


def deduplicate(activities: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop activities recorded or exported twice; return (kept, skipped rows).

    Two rows are the same activity when they share an ``activity_id`` (a copied
    file) or, from different files, overlap in time by more than
    ``DUPLICATE_OVERLAP`` of the shorter one (a FIT and a GPX export of one run).
    The copy kept is the complete one, then FIT over TCX over GPX, then the one
    with more samples.
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
    keep: list[int] = []
    dup_rows: list[dict[str, str]] = []
    for i in range(len(df)):
        k = np.array(keep, dtype=int)
        hit = None
        if len(k):
            overlap = np.minimum(end[i], end[k]) - np.maximum(start[i], start[k])
            shorter = np.minimum(end[i] - start[i], end[k] - start[k])
            other_file = paths[k] != paths[i]
            same_file_copy = ~other_file & (start[k] == start[i]) & (
                np.isclose(dist[k], dist[i]) | (np.isnan(dist[k]) & np.isnan(dist[i])))
            match = (ids[k] == ids[i]) | (other_file & (overlap > DUPLICATE_OVERLAP * shorter)) \
                | same_file_copy
            if match.any():
                hit = int(k[np.argmax(match)])
        if hit is None:
            keep.append(i)
            continue
        kept = df.iloc[hit]
        when = df.iloc[i]["local_start"].strftime("%Y-%m-%d %H:%M")
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
            parsed = _parse(path, None, default_sport, fit_backend)
            rows.extend(summarise(p, zone) for p in parsed)
        elif kind == "zip":
            _read_container(path, iter_zip(path), default_sport, zone, rows, skipped, policy)
        elif kind == "strava":
            _read_container(path, iter_folder_members(path), default_sport, zone, rows,
                            skipped, policy)
        else:
            from ..textfile import MAX_TEXT_FILE_BYTES
            data = read_regular_file(path, MAX_TEXT_FILE_BYTES, "manual log")
            if not is_manual_log(data):
                raise UnsupportedFormatError(path, "is a CSV but not a manual log (header "
                                             "date,distance,duration) nor a Strava "
                                             "activities.csv")
            rows.extend(parse_manual_log(display_path(path), data, zone))
    except InputError as exc:
        if strict:
            return rows, skipped, exc
        skipped.append(_skip(exc))
    return rows, skipped, None


def _ingest_chunk(chunk: list[tuple], common: tuple) -> list[tuple]:
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


def _pool_context():
    import multiprocessing as mp
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def read_activities(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], *,
                    tz: str | dt.tzinfo | None = None, default_sport: str = "running",
                    recursive: bool = True, on_error: OnError | str = OnError.SKIP,
                    drop_duplicates: bool = True, progress: bool | None = None,
                    fit_backend: str = "fitdecode",
                    cache: bool | str | os.PathLike[str] = True,
                    workers: int | None = None) -> ReadResult:
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
        Time zone for files without a device local time. Default: the machine's.
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
    fit_backend : {'fitdecode', 'fitparse'}
        FIT decoder (same values; fitdecode is faster).
    cache : bool or path
        The parse cache (see :mod:`kneeload.io.cache`): True for the default folder, a path
        for another, False to bypass it. Unchanged files are never parsed twice.
    workers : int, optional
        Processes for parsing uncached files. Default: the machine's cores; 1 parses here.

    Returns
    -------
    ReadResult
        ``activities`` and ``skipped``: every input file is in one or the other.
    """
    policy = OnError.coerce(on_error)
    _check_sport(default_sport)
    zone = resolve_timezone(tz)
    inputs = _inputs(paths, recursive)
    settings = f"{timezone_name(zone)}|{default_sport}|{fit_backend}"
    store = None
    if cache is not False:
        from .cache import ParseCache
        store = ParseCache(None if cache is True else cache)
    keys = [input_key(p, settings) if store is not None else None for _, p in inputs]
    cached_rows, cached_skips, known = (store.lookup([k for k in keys if k])
                                        if store is not None else (None, {}, set()))
    results: dict[int, tuple[list, list]] = {}
    from_cache: dict[str, int] = {}  # key -> input position, for the cached rows' order
    todo = []
    for i, ((kind, path), key) in enumerate(zip(inputs, keys, strict=True)):
        if key is not None and key in known and (policy is OnError.SKIP
                                                 or key not in cached_skips):
            results[i] = ([], cached_skips.get(key, []))
            from_cache[key] = i
        else:
            todo.append((i, kind, path, key))
    common = (default_sport, zone, fit_backend, policy is OnError.RAISE)
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    if progress is None:
        progress = len(todo) > 20 and _interactive()
    bar = None
    if progress and todo:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(todo), desc="reading", unit="file")
    done: list[tuple] = []
    pending: dict[str, tuple[str, list, list]] = {}  # results not yet in the cache
    last_store = time.monotonic()

    def collect(part: list[tuple]) -> None:
        """Keep a finished part; every CACHE_STORE_EVERY_S, write what is new to the cache,
        so a run killed half-way keeps the work done."""
        nonlocal last_store
        done.extend(part)
        if store is None:
            return
        for i, rows, skipped, error in part:
            if error is None and keys[i] is not None:
                pending[keys[i]] = (inputs[i][1], rows, skipped)
        if pending and time.monotonic() - last_store > CACHE_STORE_EVERY_S:
            store.store(pending)
            pending.clear()
            last_store = time.monotonic()

    if n_workers > 1 and len(todo) >= 8:
        from concurrent.futures import ProcessPoolExecutor, as_completed
        size = max(1, min(16, len(todo) // (n_workers * 4)))
        chunks = [todo[j:j + size] for j in range(0, len(todo), size)]
        pool = ProcessPoolExecutor(max_workers=n_workers, mp_context=_pool_context(),
                                   initializer=_end_with_parent, initargs=(os.getpid(),))
        try:
            futures = [pool.submit(_ingest_chunk, c, common) for c in chunks]
            for fut in as_completed(futures):
                part = fut.result()
                collect(part)
                if bar is not None:
                    bar.update(len(part))
        except BaseException:
            _stop_pool(pool)  # interrupted: stop the workers now, not after their files
            raise
        pool.shutdown()
    else:
        for item in todo:
            collect(_ingest_chunk([item], common))
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    if store is not None:
        store.store(pending)  # never raises: an unusable cache is reported once
    for i, rows, skipped, error in sorted(done, key=lambda t: t[0]):
        if error is not None:
            raise error
        results[i] = (rows, skipped)
    skipped_all = [s for i in sorted(results) for s in results[i][1]]
    if policy is OnError.RAISE and skipped_all:
        s = skipped_all[0]
        raise InputError(s["path"], s["reason"])
    parts = []
    for i in sorted(results):
        if results[i][0]:
            parts.append(conform_activities(pd.DataFrame(results[i][0])).assign(_pos=i))
    if cached_rows is not None and from_cache:
        old = cached_rows[cached_rows["_key"].isin(from_cache)]
        parts.append(old.assign(_pos=old["_key"].map(from_cache)).drop(columns="_key"))
    if parts:
        activities = pd.concat(parts, ignore_index=True).sort_values(
            ["_pos", "session_index"], kind="stable").drop(columns="_pos")
        activities = conform_activities(activities)
    else:
        activities = empty_activities()
    dup = empty_skipped()
    if drop_duplicates:
        activities, dup = deduplicate(activities)
    else:
        activities = activities.sort_values("start_time", kind="stable").reset_index(drop=True)
    skipped_df = pd.concat([pd.DataFrame(skipped_all) if skipped_all else empty_skipped(), dup],
                           ignore_index=True)
    return ReadResult(activities=activities, skipped=skipped_df)
