"""A coach's team or a research cohort: a folder per athlete, ingested on Dask.

Install the extra: ``pip install "kneeload[dask]"``. ::

    from kneeload import cohort
    result = cohort.read_cohort("team/")                    # a LocalCluster on this machine
    result = cohort.read_cohort("team/", scheduler="tcp://10.0.0.5:8786")   # a real cluster
    flags = cohort.cohort_flags(result.activities)           # every rule, per athlete

Ingest fans out over the cluster's workers in chunks of files; only summaries come back (the
samples go to the parse cache on the workers). Workers must see the files at the same paths
(a shared file system). The rules run on the combined table, per athlete, vectorised with
group-by: the same functions a single runner uses, so the flags are identical to a loop
over athletes (tests/test_cohort.py).
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from . import load
from .config import Config
from .errors import UsageError
from .io import (
    ReadResult,
    _check_sport,
    _ingest_chunk,
    _inputs,
    deduplicate,
)
from .io._time import resolve_timezone, timezone_name
from .io.cache import ParseCache, input_key
from .load import ATHLETE
from .schema import conform_activities, empty_activities, empty_skipped


def athlete_inputs(root: str | os.PathLike[str]) -> dict[str, list[tuple[str, str]]]:
    """``{athlete: [(kind, path), ...]}`` for each sub-folder of ``root`` (its name is the
    athlete), sorted."""
    root = os.fspath(root)
    if not os.path.isdir(root):
        raise UsageError(f"{root} is not a folder (a cohort is a folder per athlete)")
    out = {}
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        if os.path.isdir(path) and not name.startswith("."):
            out[name] = _inputs([path])
    if not out:
        raise UsageError(f"{root} has no athlete folders")
    return out


def _client(scheduler: str | None, workers: int | None) -> tuple[Any, Any]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UsageError('the cohort needs Dask: pip install "kneeload[dask]"') from None
    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                           processes=True, dashboard_address=None)
    return Client(cluster), cluster


def read_cohort(root: str | os.PathLike[str], *, scheduler: str | None = None,
                client: Any = None, workers: int | None = None, tz: str | None = None,
                default_sport: str = "running", fit_backend: str = "fitdecode",
                cache: bool | str | os.PathLike[str] = True, chunk_size: int = 32) -> ReadResult:
    """Read a folder per athlete on a Dask cluster into one table with an ``athlete`` column.

    ``client`` (a ``dask.distributed.Client``) wins over ``scheduler`` (an address); with
    neither, a LocalCluster of ``workers`` processes runs on this machine for the call.
    Cached files are not sent to the cluster. ``skipped`` also gets the ``athlete``.
    """
    _check_sport(default_sport)
    zone = resolve_timezone(tz)
    per_athlete = athlete_inputs(root)
    settings = f"{timezone_name(zone)}|{default_sport}|{fit_backend}"
    store = ParseCache(None if cache is True else cache) if cache is not False else None
    items = [(a, kind, path) for a, inputs in per_athlete.items() for kind, path in inputs]
    keys = [input_key(p, settings) if store is not None else None for _, _, p in items]
    cached_rows, cached_skips, known = (store.lookup([k for k in keys if k])
                                        if store is not None else (None, {}, set()))
    results: dict[int, tuple[list, list]] = {}
    key_athlete: dict[str, str] = {}  # cached inputs: their rows come from cached_rows
    todo = []
    for i, ((athlete, kind, path), key) in enumerate(zip(items, keys, strict=True)):
        if key is not None and key in known:
            results[i] = ([], cached_skips.get(key, []))
            key_athlete[key] = athlete
        else:
            todo.append((i, kind, path, key))
    common = (default_sport, zone, fit_backend, False)
    if todo:
        own = client is None
        cluster = None
        if own:
            client, cluster = _client(scheduler, workers)
        try:
            chunks = [todo[j:j + chunk_size] for j in range(0, len(todo), chunk_size)]
            futures = client.map(_ingest_chunk, chunks, common=common, pure=False)
            for part in client.gather(futures):
                for i, rows, skipped, _ in part:
                    results[i] = (rows, skipped)
        finally:
            if own:
                client.close()
                if cluster is not None:
                    cluster.close()
        if store is not None:
            store.store({keys[i]: (items[i][2], *results[i]) for i, _, _, _ in todo
                         if keys[i] is not None})
    frames, skipped_rows = [], []
    if cached_rows is not None and key_athlete:
        old = cached_rows[cached_rows["_key"].isin(key_athlete)]
        frames.append(old.assign(**{ATHLETE: old["_key"].map(key_athlete)}).drop(columns="_key"))
    for i in sorted(results):
        athlete = items[i][0]
        rows, skipped = results[i]
        if rows:
            frames.append(conform_activities(pd.DataFrame(rows)).assign(**{ATHLETE: athlete}))
        skipped_rows.extend({**s, ATHLETE: athlete} for s in skipped)
    acts = pd.concat(frames, ignore_index=True) if frames else empty_activities().assign(
        **{ATHLETE: pd.Series(dtype=object)})
    kept, dups = [], []
    for athlete, part in acts.groupby(ATHLETE, sort=True):  # duplicates only within a runner
        k, d = deduplicate(part.drop(columns=ATHLETE))
        kept.append(k.assign(**{ATHLETE: athlete}))
        if len(d):
            dups.append(d.assign(**{ATHLETE: athlete}))
    acts = pd.concat(kept, ignore_index=True) if kept else acts
    skipped_df = pd.concat([pd.DataFrame(skipped_rows) if skipped_rows else
                            empty_skipped().assign(**{ATHLETE: pd.Series(dtype=object)}), *dups],
                           ignore_index=True)
    cols = [ATHLETE] + [c for c in acts.columns if c != ATHLETE]
    return ReadResult(activities=acts[cols], skipped=skipped_df)


def cohort_weekly(activities: pd.DataFrame, config: Config | None = None) -> pd.DataFrame:
    """The weekly table of every athlete (an ``athlete`` column), vectorised."""
    return load.weekly_table(activities, (config or Config()).week_start)


def cohort_flags(activities: pd.DataFrame, config: Config | None = None,
                 rules: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """Every enabled rule on a cohort table (``athlete`` column), per athlete, vectorised
    with group-by; flags carry the ``athlete``."""
    if ATHLETE not in activities.columns:
        raise UsageError(f"a cohort table needs an {ATHLETE!r} column")
    return load.flags(activities, config, rules)
