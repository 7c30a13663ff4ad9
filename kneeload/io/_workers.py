"""The ingest driver: inputs through the parse cache, in worker processes or on a runner."""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from ..safeio import display_path
from ..schema import conform_activities, empty_activities
from ._ingest import ingest_chunk
from ._time import Placement
from .cache import input_key, restamp
from .kinds import fingerprint

#: During a long ingest, new results are written to the parse cache this often [s].
CACHE_STORE_EVERY_S = 5.0


def _progress_bar(total: int) -> Any:  # tqdm.tqdm
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


def _stop_pool(pool: Any) -> None:
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


def _pool_context() -> Any:
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
    return _per_input(len(inputs), results, keys, cached_rows, [p for _, p in inputs])


def _read_inputs(inputs: list[tuple[str, str]], *, place: Placement, default_sport: str,  # noqa: C901
                 fit_backend: str, cache: bool | str | os.PathLike[str], strict: bool,
                 workers: int | None, progress: bool | None,
                 runner: Callable[[list[list[tuple]], tuple], Iterable[list[tuple]]] | None,
                 chunk_size: int, sports_key: str = ""
                 ) -> tuple[dict[int, tuple[list, list]], list[str | None], pd.DataFrame | None]:
    """:func:`ingest`'s work: what each input gave (new rows and skipped entries by input
    position), the inputs' cache keys and the cached rows (see :func:`_rows_in_order`)."""
    settings = f"{place.key}|{default_sport}|{fit_backend}" + (
        f"|sports={sports_key}" if sports_key else "")
    store = None
    if cache is not False:
        from .cache import ParseCache
        store = ParseCache(None if cache is True else cache)
    keys = [input_key(p, f"{settings}|{fingerprint(kind)}") if store is not None else None
            for kind, p in inputs]
    cached_rows, cached_skips, known, origins = (
        store.lookup([k for k in keys if k]) if store is not None else (None, {}, set(), {}))
    if cached_rows is not None and len(cached_rows):  # whence each cached row's paths start
        cached_rows["_origin"] = cached_rows["_key"].map(origins).astype(object)
    results: dict[int, tuple[list, list]] = {}
    from_cache: dict[str, int] = {}  # key -> input position
    todo = []
    for i, ((kind, path), key) in enumerate(zip(inputs, keys, strict=True)):
        if key is not None and key in known and (not strict or key not in cached_skips):
            old = origins.get(key)  # the paths of the current call, not the storing run's
            results[i] = ([], [s if old is None else
                               dict(s, path=restamp(s["path"], old, display_path(path)))
                               for s in cached_skips.get(key, [])])
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


def _restamped(rows: pd.DataFrame, paths: list[str] | None, positions: np.ndarray
               ) -> pd.DataFrame:
    """Cached ``rows`` (with their ``_origin``) without it, their ``source_path`` under the
    path each row's input has in the current call (``paths``, by input position)."""
    origin = rows.pop("_origin") if "_origin" in rows else None
    if origin is None or paths is None:
        return rows
    shown = [display_path(paths[p]) for p in positions.tolist()]
    if all(o == s for o, s in zip(origin.tolist(), shown, strict=True)):
        return rows
    rows = rows.copy()
    rows["source_path"] = [v if not isinstance(o, str) else restamp(v, o, s) for v, o, s
                           in zip(rows["source_path"].tolist(), origin.tolist(), shown,
                                  strict=True)]
    return rows


def _rows_in_order(results: dict[int, tuple[list, list]], keys: list[str | None],
                   cached_rows: pd.DataFrame | None, paths: list[str] | None = None
                   ) -> tuple[pd.DataFrame, np.ndarray]:
    """Every input's activities in one conformed table, in input order then by session, and
    each row's input position. The new rows of every input are conformed together, once: a
    conform costs milliseconds whatever the number of rows, which made it the largest fixed
    cost per file once FIT decoding got fast. Cached rows come conformed from the cache,
    their paths given under ``paths`` (each input's path in the current call)."""
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
            parts.append(_restamped(hit.drop(columns="_key"), paths, first))
            positions.append(first)
            for key, more in inputs_of.items():  # the same input named twice
                for i in more[1:]:
                    again = hit[hit["_key"] == key]
                    at = np.full(len(again), i)
                    parts.append(_restamped(again.drop(columns="_key"), paths, at))
                    positions.append(at)
    if not parts:
        return empty_activities(), np.array([], dtype=int)
    # new and cached rows side by side: one conform settles the joined columns' types
    df = conform_activities(pd.concat(parts, ignore_index=True)) if len(parts) > 1 \
        else parts[0]
    pos = np.concatenate(positions)
    order = np.lexsort((df["session_index"].to_numpy(), pos))
    return df.iloc[order].reset_index(drop=True), pos[order]


def _per_input(n: int, results: dict[int, tuple[list, list]], keys: list[str | None],
               cached_rows: pd.DataFrame | None, paths: list[str] | None = None
               ) -> list[tuple[pd.DataFrame, list[dict[str, str]]]]:
    """Each input's activities (conformed, by session) and skipped entries."""
    df, pos = _rows_in_order(results, keys, cached_rows, paths)
    starts = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]]) if len(pos) else np.array([], int)
    ends = np.r_[starts[1:], len(pos)]
    frames = {int(pos[a]): df.iloc[a:b].reset_index(drop=True)
              for a, b in zip(starts, ends, strict=True)}
    empty = empty_activities()
    return [(frames[i] if i in frames else empty.copy(), list(results.get(i, ([], []))[1]))
            for i in range(n)]
