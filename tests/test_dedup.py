"""deduplicate() compares each activity only with the kept ones that overlap it in time or
share its id; the reference below compared it with every kept activity (the code before,
kept verbatim). Both must keep and skip the same rows, with the same reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, SAMPLE, real_files_dir
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kneeload
from kneeload.io import _FORMAT_RANK, DUPLICATE_OVERLAP, POWER_ON_NOTE, deduplicate
from kneeload.schema import conform_activities, empty_skipped


def reference_deduplicate(activities: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
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



def assert_same(table: pd.DataFrame) -> None:
    kept, skipped = deduplicate(table)
    ref_kept, ref_skipped = reference_deduplicate(table)
    pd.testing.assert_frame_equal(kept, ref_kept)
    pd.testing.assert_frame_equal(skipped, ref_skipped)


@pytest.mark.parametrize("folder", [DATA, SAMPLE, real_files_dir()],
                         ids=["test-data", "sample", "real-files"])
def test_the_same_rows_kept_as_comparing_with_every_kept_row(folder):
    if folder is None:
        pytest.skip("../shared/real_files not found")
    table = kneeload.read_activities(folder, drop_duplicates=False, cache=False,
                                     tz="UTC").activities
    assert len(table) > 20
    assert_same(table)


_T0 = pd.Timestamp("2026-03-01 06:00", tz="UTC")


@st.composite
def tables(draw) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    rows = []
    for i in range(n):
        fmt = draw(st.sampled_from(["fit", "gpx", "tcx", "manual"]))
        path = draw(st.sampled_from(["a.fit", "b.gpx", "c.tcx", "log.csv#line 3",
                                     "log.csv#line 4"]))
        rows.append({
            "activity_id": draw(st.sampled_from(["x", "y", "z", f"u{i}"])),
            # starts on a coarse grid of minutes: exact repeats and overlaps are common
            "start_time": _T0 + pd.Timedelta(minutes=draw(st.integers(0, 12)) * 20),
            "elapsed_s": draw(st.sampled_from([np.nan, 30.0, 600.0, 1800.0, 3600.0, 20000.0])),
            "moving_s": draw(st.sampled_from([np.nan, 600.0, 3000.0])),
            "distance_m": draw(st.sampled_from([np.nan, 5000.0, 5000.0000001, 8000.0])),
            "source_format": fmt, "source_path": path,
            "session_index": draw(st.integers(0, 2)),
            "n_samples": draw(st.integers(0, 3)),
            "partial": draw(st.booleans()),
            "note": draw(st.sampled_from(["", POWER_ON_NOTE])),
            "sport": "running",
        })
    table = conform_activities(pd.DataFrame(rows))
    table["local_start"] = table["start_time"].dt.tz_localize(None)
    return table


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_the_same_rows_kept_on_crowded_tables(table):
    assert_same(table)
