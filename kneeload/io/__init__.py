"""Readers: FIT, GPX and TCX files (plain or .gz), folders and lists of them.

``read_file`` reads one file into activity rows; ``read_activities`` reads many
into one activities table plus a ``skipped`` table that names every file (or
duplicate session) not ingested and why; ``read_samples`` returns one
activity's per-sample data on demand.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import (
    InputError,
    InvalidTimeError,
    NotAnActivityError,
    OnError,
    UnsafeInputError,
    UnsupportedFormatError,
    UsageError,
)
from ..schema import SPORTS, conform_activities, conform_samples, empty_activities, empty_skipped
from ._source import Source, format_from_name, open_source
from ._summary import Parsed, summarise
from ._time import resolve_timezone
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

    @property
    def n_files(self) -> int:
        return int(self.activities["source_path"].nunique()) + len(
            self.skipped[self.skipped["kind"] != "duplicate"])


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


def _parse(source: Source, fmt: str | None, default_sport: str) -> list[Parsed]:
    raw = open_source(source, fmt)
    return _PARSERS[raw.fmt](raw, default_sport=default_sport)


def read_file(source: Source, *, format: str | None = None, tz: str | dt.tzinfo | None = None,
              default_sport: str = "running") -> pd.DataFrame:
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
    rows = [summarise(p, zone) for p in _parse(source, format, default_sport)]
    return conform_activities(pd.DataFrame(rows)) if rows else empty_activities()


def read_samples(source: Source, *, session: int = 0, format: str | None = None) -> pd.DataFrame:
    """Per-sample data of one activity: time [UTC], position [deg], distance [m], altitude [m],
    speed [m/s], heart rate [bpm], cadence [spm].

    ``session`` is the row's ``session_index`` (multisport FIT, multi-activity TCX).
    Read on demand, so a season's summaries never hold every sample in memory.
    """
    parsed = _parse(source, format, "running")
    if not 0 <= session < len(parsed):
        raise UsageError(f"session {session} does not exist; the file has {len(parsed)}")
    return conform_samples(parsed[session].samples)


def find_activity_files(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
                        *, recursive: bool = True) -> list[str]:
    """Expand folders into the FIT/GPX/TCX (and .gz) files below them, sorted.

    Files named explicitly are kept whatever their extension (so an unsupported
    one is reported, not ignored); inside folders, other files (CSV, README,
    hidden files) are not activity inputs and are passed over.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: list[str] = []
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                if not recursive:
                    dirs[:] = []
                out.extend(os.path.join(root, f) for f in sorted(files)
                           if not f.startswith(".") and format_from_name(f))
        else:
            out.append(p)
    return out


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


def read_activities(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], *,
                    tz: str | dt.tzinfo | None = None, default_sport: str = "running",
                    recursive: bool = True, on_error: OnError | str = OnError.SKIP,
                    drop_duplicates: bool = True) -> ReadResult:
    """Read files and folders into one activities table.

    Parameters
    ----------
    paths : path or iterable of paths
        Files and folders (searched recursively for .fit/.gpx/.tcx, plain or .gz,
        any case).
    tz : str or tzinfo, optional
        Time zone for files without a device local time. Default: the machine's.
    default_sport : str
        Sport for files that do not record one. Default ``'running'``.
    on_error : {'skip', 'raise'}
        ``'skip'`` lists unreadable files in ``skipped``; ``'raise'`` raises the first
        :class:`~kneeload.errors.InputError`.
    drop_duplicates : bool
        Count an activity present in several files once (see :func:`deduplicate`).

    Returns
    -------
    ReadResult
        ``activities`` and ``skipped``: every input file is in one or the other.
    """
    policy = OnError.coerce(on_error)
    _check_sport(default_sport)
    zone = resolve_timezone(tz)
    rows: list[dict[str, object]] = []
    skipped: list[dict[str, str]] = []
    for path in find_activity_files(paths, recursive=recursive):
        try:
            parsed = _parse(path, None, default_sport)
            rows.extend(summarise(p, zone) for p in parsed)
        except InputError as exc:
            if policy is OnError.RAISE:
                raise
            skipped.append({"path": exc.path, "kind": _kind(exc), "reason": exc.reason
                            if not exc.location else f"{exc.location}: {exc.reason}"})
    activities = conform_activities(pd.DataFrame(rows)) if rows else empty_activities()
    dup = empty_skipped()
    if drop_duplicates:
        activities, dup = deduplicate(activities)
    else:
        activities = activities.sort_values("start_time", kind="stable").reset_index(drop=True)
    skipped_df = pd.concat([pd.DataFrame(skipped) if skipped else empty_skipped(), dup],
                           ignore_index=True)
    return ReadResult(activities=activities, skipped=skipped_df)
