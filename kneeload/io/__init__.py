"""Readers: FIT, GPX and TCX files (plain or .gz), exports, folders and lists of them.

``read_file`` reads one file into activity rows; ``read_activities`` reads many
into one activities table plus a ``skipped`` table that names every file (or
duplicate session) not ingested and why; ``read_samples`` returns one
activity's per-sample data on demand.

The package by concern: :mod:`.kinds` (the input-kind registry) and :mod:`._source` (the
formats registry), :mod:`._discover` (which inputs), :mod:`._ingest` (reading them),
:mod:`._workers` (the cache and worker processes), :mod:`._dedup`, :mod:`._gear`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from ..errors import InputError, OnError, UsageError
from ..schema import GEAR_COLUMNS, empty_skipped
from ._dedup import DUPLICATE_OVERLAP, deduplicate
from ._discover import find_activity_files, find_inputs
from ._gear import _gear_of_inputs, empty_gear, export_gear, gear_table
from ._ingest import ReadContext, check_sport, ingest_chunk, read_file, read_samples
from ._source import format_ranks
from ._time import placement
from ._workers import (
    CACHE_STORE_EVERY_S,
    MIN_FILES_FOR_WORKERS,
    _read_inputs,
    _rows_in_order,
    default_workers,
    ingest,
)
from .fit import POWER_ON_NOTE
from .kinds import InputKind, register, unregister

__all__ = ["ReadResult", "read_file", "read_activities", "read_samples", "find_activity_files",
           "find_inputs", "ingest", "ingest_chunk", "deduplicate", "export_gear", "placement",
           "InputKind", "ReadContext", "register", "unregister", "check_sport",
           "default_workers", "gear_table", "empty_gear", "GEAR_COLUMNS",
           "DUPLICATE_OVERLAP", "POWER_ON_NOTE", "CACHE_STORE_EVERY_S",
           "MIN_FILES_FOR_WORKERS"]

#: Format rank at import (FIT 0, TCX 1, GPX 2): :func:`kneeload.io._source.format_ranks`.
_FORMAT_RANK = format_ranks()


@dataclass
class ReadResult:
    """What ``read_activities`` found.

    Attributes
    ----------
    activities : pandas.DataFrame
        One row per activity (see ``docs/schema.md``), sorted by start time.
    skipped : pandas.DataFrame
        ``path``, ``kind``, ``reason`` for every file or session not in ``activities``
        (``kind`` ``ignored``: a file of an export that is not an activity, with why).
    gear : pandas.DataFrame
        The exports' own gear lists (Strava's shoes.csv and bikes.csv, Garmin's gear):
        ``name``, ``kind`` (shoe, bike, other), ``brand``, ``model``, ``first_used``,
        ``retired``, ``status``, ``replace_m`` [m] (the limit the runner set), ``source``.
        Empty when the inputs carry none.
    by_input : pandas.DataFrame
        One row per input (file, archive, export folder): ``path``, ``kind`` (its input
        kind), ``read`` (activities read from it, before duplicates are dropped),
        ``skipped`` (files or records not read, for a problem), ``ignored`` (files known
        not to be activities) and ``reasons`` (``{reason: count}`` of both).
    """

    activities: pd.DataFrame
    skipped: pd.DataFrame
    gear: pd.DataFrame = dataclasses.field(default_factory=lambda: empty_gear())
    by_input: pd.DataFrame = dataclasses.field(default_factory=lambda: _by_input_table([]))

    @property
    def unknown_sports(self) -> dict[str, int]:
        """Sport labels kneeload does not know (counted as 'other'), with how many rows had
        each, most first (see docs/sports.md)."""
        from ..sports import unknown_labels
        return unknown_labels(self.activities["note"])


def _by_input_table(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["path", "kind", "read", "skipped", "ignored", "reasons"])


def _by_input(inputs: list[tuple[str, str]], results: dict[int, tuple[list, list]],
              pos: object) -> pd.DataFrame:
    import numpy as np
    counts = np.bincount(np.asarray(pos, dtype=int), minlength=len(inputs)) if len(
        inputs) else np.array([], dtype=int)
    rows = []
    for i, (kind, path) in enumerate(inputs):
        skips = results.get(i, ([], []))[1]
        reasons: dict[str, int] = {}
        for s in skips:
            reasons[s["reason"]] = reasons.get(s["reason"], 0) + 1
        rows.append({"path": path, "kind": kind.split(":")[0], "read": int(counts[i]),
                     "skipped": sum(s["kind"] not in ("ignored", "duplicate") for s in skips),
                     "ignored": sum(s["kind"] == "ignored" for s in skips),
                     "reasons": reasons})
    return _by_input_table(rows)


def read_activities(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], *,
                    tz: str | dt.tzinfo | None = None, default_sport: str = "running",
                    recursive: bool = True, on_error: OnError | str = OnError.SKIP,
                    drop_duplicates: bool = True, progress: bool | None = None,
                    fit_backend: str = "fitdecode",
                    cache: bool | str | os.PathLike[str] = True,
                    workers: int | None = None,
                    force_tz: str | dt.tzinfo | None = None,
                    sports: dict[str, str] | None = None) -> ReadResult:
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
    sports : dict, optional
        Sport labels mapped by the user, before the vocabulary (``{"road_biking":
        "cycling", "Other": "running"}``, a key may name its format: ``"gpx:Other"``;
        see docs/sports.md). Parsed here, in this process, with the mapping in the cache key.

    Returns
    -------
    ReadResult
        ``activities`` and ``skipped``: every input file is in one or the other (every
        file of an export too: those that are not activities as ``ignored``, with why).
    """
    policy = OnError.coerce(on_error)
    check_sport(default_sport)
    zone = placement(tz, force_tz)
    inputs = find_inputs(paths, recursive)
    from ..sports import check_mapping, user_sports
    try:
        mapping = check_mapping(sports or {})
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    with user_sports(mapping):  # a mapping parses here (workers would not see it), keyed
        results, keys, cached_rows = _read_inputs(
            inputs, place=zone, default_sport=default_sport, fit_backend=fit_backend,
            cache=cache, strict=policy is OnError.RAISE, workers=1 if mapping else workers,
            progress=progress, runner=None, chunk_size=16,
            sports_key=repr(sorted(mapping.items())) if mapping else "")
    # one table for all inputs (ingest()'s per-input frames, joined again, cost ~0.1 ms each)
    activities, pos = _rows_in_order(results, keys, cached_rows, [p for _, p in inputs])
    skipped_all = [s for i in range(len(inputs)) for s in results.get(i, ([], []))[1]]
    not_read = [s for s in skipped_all if s["kind"] not in ("duplicate", "ignored")]
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
                      gear=_gear_of_inputs(inputs), by_input=_by_input(inputs, results, pos))
