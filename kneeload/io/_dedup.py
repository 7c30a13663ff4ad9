"""Activities recorded or exported twice, counted once (:func:`deduplicate`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import empty_skipped
from ._source import format_ranks
from .fit import POWER_ON_NOTE

__all__ = ["DUPLICATE_OVERLAP", "deduplicate"]

#: Two activities overlapping in time by more than this share of the shorter one are
#: the same activity recorded or exported twice.
DUPLICATE_OVERLAP = 0.5


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
    The copy kept is the complete one, then by format rank (``Format.rank`` in
    :mod:`kneeload.io._source`: FIT over TCX over GPX), then the one
    with more samples. Two activities whose watch counted from power-on
    (:data:`POWER_ON_NOTE`) are never matched by time: their times are only as good
    as the one calendar time the watch wrote, which can be the same in every file.
    """
    if activities.empty:
        return activities, empty_skipped()
    df = activities.assign(
        _rank=activities["source_format"].map(format_ranks()).fillna(9),
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
