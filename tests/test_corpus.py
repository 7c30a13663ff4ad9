"""Every real file in the shared corpus is ingested or reported; nothing else escapes.

Runs when the corpus is present ($KNEELOAD_REAL_FILES or ../shared/real_files).
Oracles are independent of kneeload's code paths: fitparse's session totals for
FIT, gpxpy's 2-D length for GPX.
"""

from __future__ import annotations

import gzip
import io

import fitparse
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
    assert {"fitparse__nick.fit", "fitparse__strava-android-app-201.10-b1218918.fit",
            "fitparse__coros-pace-2-cycling-misaligned-fields.fit"} <= names
