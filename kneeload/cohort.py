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
    check_sport,
    deduplicate,
    find_inputs,
    ingest,
    ingest_chunk,
    placement,
)
from .load import ATHLETE
from .schema import empty_activities, empty_skipped


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
            out[name] = find_inputs([path])
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
                cache: bool | str | os.PathLike[str] = True, chunk_size: int = 32,
                force_tz: str | None = None) -> ReadResult:
    """Read a folder per athlete on a Dask cluster into one table with an ``athlete`` column.

    ``client`` (a ``dask.distributed.Client``) wins over ``scheduler`` (an address); with
    neither, a LocalCluster of ``workers`` processes runs on this machine for the call.
    The inputs go through the one ingest path (:func:`kneeload.io.ingest`, the parse cache
    included) with the cluster as its runner; cached files are not sent to the cluster.
    ``skipped`` also gets the ``athlete``; duplicates are looked for within each athlete.
    """
    check_sport(default_sport)
    place = placement(tz, force_tz)
    per_athlete = athlete_inputs(root)
    items = [(a, kind, path) for a, inputs in per_athlete.items() for kind, path in inputs]
    state: dict[str, Any] = {}

    def on_cluster(chunks: list[list[tuple]], common: tuple) -> list[list[tuple]]:
        nonlocal client
        if client is None:
            client, state["cluster"] = _client(scheduler, workers)
            state["own"] = True
        return client.gather(client.map(ingest_chunk, chunks, common=common, pure=False))

    try:
        per_input = ingest([(kind, path) for _, kind, path in items], place=place,
                           default_sport=default_sport, fit_backend=fit_backend, cache=cache,
                           runner=on_cluster, chunk_size=chunk_size, progress=False)
    finally:
        if state.get("own"):
            client.close()
            if state.get("cluster") is not None:
                state["cluster"].close()
    frames: list[pd.DataFrame] = []
    skipped_rows: list[dict[str, str]] = []
    for (athlete, _, _), (rows, skipped) in zip(items, per_input, strict=True):
        if len(rows):
            frames.append(rows.assign(**{ATHLETE: athlete}))
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
