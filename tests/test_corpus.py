"""Every real file in the shared corpus is ingested or reported; nothing else escapes.

Runs when the corpus is present ($KNEELOAD_REAL_FILES or ../shared/real_files).
Oracles are independent of kneeload's code paths: fitparse's session totals for
FIT, gpxpy's 2-D length for GPX.
"""

from __future__ import annotations

import gzip
import io

import fitparse
import pandas as pd
import pytest
from conftest import real_files_dir

import kneeload

CORPUS = real_files_dir()
pytestmark = pytest.mark.skipif(CORPUS is None, reason="shared real_files corpus not present")


@pytest.fixture(scope="module")
def result():
    return kneeload.read_activities(CORPUS, tz="UTC")


def _files():
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "SOURCES.md")


def test_every_file_is_accounted_for(result):
    files = {str(p) for p in _files()}
    assert len(files) == 68
    read = set(result.activities["source_path"])
    skipped = {p.split("#")[0] for p in result.skipped["path"]}
    assert files == read | skipped
    assert (result.skipped["reason"].str.len() > 20).all()


def _fit_session_distances(path):
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    out = []
    try:
        for m in fitparse.FitFile(io.BytesIO(data), check_crc=False).get_messages("session"):
            out.append((m.get_value("sport"), m.get_value("total_distance")))
    except fitparse.FitParseError:
        pass
    return out


def test_running_distances_match_device_totals(result):
    acts = result.activities
    checked = 0
    for path in sorted((CORPUS / "fit").glob("*")):
        rows = acts[acts["source_path"] == str(path)]
        for i, (sport, total) in enumerate(_fit_session_distances(path)):
            row = rows[rows["session_index"] == i]
            if sport != "running" or not total or row.empty:
                continue
            assert row["distance_m"].iloc[0] == pytest.approx(total, rel=0.01), path.name
            checked += 1
    assert checked >= 15


def test_gpx_distances_match_gpxpy(result):
    gpxpy = pytest.importorskip("gpxpy")
    acts = result.activities
    checked = 0
    for path in sorted((CORPUS / "gpx").glob("*.gpx")):
        rows = acts[acts["source_path"] == str(path)]
        if rows.empty:
            continue
        length = gpxpy.parse(path.read_text(encoding="utf-8")).length_2d()
        assert rows["distance_m"].iloc[0] == pytest.approx(length, rel=0.005), path.name
        checked += 1
    assert checked >= 8


def test_known_outcomes(result):
    sk = result.skipped.assign(name=result.skipped["path"].str.rsplit("/", n=1).str[-1])
    kind = dict(zip(sk["name"], sk["kind"], strict=True))
    assert kind["runpandas__malformed.tcx"] == "unreadable"
    assert kind["derived__runpandas__strava_export_truncated-200000.gpx"] == "unreadable"
    assert kind["goldencheetah__MetadataOnly.gpx"] == "not_activity"
    assert kind["gpxpy__Mojstrovka.gpx"] == "no_time"
    assert kind["runpandas__run.gpx"] == "duplicate"  # same run as runpandas__run.tcx
    partial = result.activities[result.activities["partial"]]
    names = set(partial["source_path"].str.rsplit("/", n=1).str[-1])
    assert {"fitparse__nick.fit", "fitparse__strava-android-app-201.10-b1218918.fit"} <= names
    # fitdecode reads past the misaligned field that stops fitparse: the whole 32.1 km ride
    coros = result.activities[result.activities["source_path"].str.endswith(
        "coros-pace-2-cycling-misaligned-fields.fit")].iloc[0]
    assert not coros.partial and coros.sport == "cycling"
    assert coros.distance_m == pytest.approx(32145.76, abs=0.01)


def test_fit_backends_agree_on_every_file_fitparse_reads():
    """fitdecode (default) may only replace fitparse if the values are the same wherever
    fitparse reads a file, and it reads at least as many (PERF_NOTES, issue 7)."""
    from kneeload.errors import KneeloadError
    cols = ["sport", "distance_m", "elapsed_s", "moving_s", "ascent_m", "descent_m",
            "hr_avg_bpm", "hr_max_bpm", "cadence_spm", "n_samples", "start_time",
            "local_start", "partial"]
    compared = 0
    for path in sorted((CORPUS / "fit").glob("*")):
        try:
            a = kneeload.read_file(path, tz="UTC", fit_backend="fitparse")
        except KneeloadError:
            with pytest.raises(KneeloadError):  # fitdecode may read more, never less...
                b = kneeload.read_file(path, tz="UTC", fit_backend="fitdecode")
                if len(b):
                    raise KneeloadError("fitdecode reads it")  # noqa: B904
            continue
        b = kneeload.read_file(path, tz="UTC", fit_backend="fitdecode")
        if path.name.startswith("fitparse__coros"):
            assert len(b) >= len(a)  # ...and here it reads the whole ride
            continue
        pd.testing.assert_frame_equal(a[cols], b[cols], check_exact=False, rtol=1e-9)
        # notes quote each library's own error text; whether there is one must agree
        assert (a["note"] != "").tolist() == (b["note"] != "").tolist(), path.name
        compared += 1
    assert compared >= 35
