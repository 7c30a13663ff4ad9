"""The parse cache keeps one entry per file and setting: alternating time zones (or default
sport, or FIT backend) never evicts and re-parses; a changed file replaces its entries."""

from __future__ import annotations

import os
import shutil

import pytest

import kneeload
import kneeload.io as kio

DATA = os.path.join(os.path.dirname(__file__), "data")


@pytest.fixture
def runs(tmp_path):
    folder = tmp_path / "runs"
    folder.mkdir()
    for name in ("fit/fenix5-tiny-run.fit", "gpx/garmin-connect-ns3-prefix.gpx"):
        shutil.copy(os.path.join(DATA, name), folder / os.path.basename(name))
    return folder


@pytest.fixture
def parses(monkeypatch):
    calls: list[str] = []
    real = kio._ingest._parse

    def counting(source, *args, **kwargs):
        calls.append(os.path.basename(str(source)))
        return real(source, *args, **kwargs)

    monkeypatch.setattr(kio._ingest, "_parse", counting)
    return calls


def test_alternating_time_zones_reads_from_the_cache(runs, tmp_path, parses):
    cache = tmp_path / "cache"
    first = {}
    for tz in ("Europe/London", "America/New_York", "Europe/London", "America/New_York"):
        df = kneeload.read_activities(runs, tz=tz, cache=cache, workers=1).activities
        first.setdefault(tz, df)
        # what the cache gives back is what the first read of that setting gave
        assert df.equals(first[tz])
    # two files, parsed once per time zone: 4 parses, not 8 (the old cache kept one setting
    # per file, so each alternation evicted and re-parsed both)
    assert sorted(parses) == sorted(["fenix5-tiny-run.fit",
                                     "garmin-connect-ns3-prefix.gpx"] * 2)


def test_a_changed_file_replaces_its_entries(runs, tmp_path, parses):
    cache = tmp_path / "cache"
    kneeload.read_activities(runs, tz="UTC", cache=cache, workers=1)
    kneeload.read_activities(runs, tz="Asia/Tokyo", cache=cache, workers=1)
    gpx = runs / "garmin-connect-ns3-prefix.gpx"
    gpx.write_bytes(gpx.read_bytes().replace(b"</gpx>", b"<!-- edited --></gpx>"))
    parses.clear()
    kneeload.read_activities(runs, tz="UTC", cache=cache, workers=1)
    assert parses == ["garmin-connect-ns3-prefix.gpx"]  # only the changed file

    from kneeload.io import cache as cache_mod
    index = cache_mod.read_index_file(cache / cache_mod.CACHE_VERSION / "index.npz")
    gpx_rows = index[index["_path"].str.endswith(".gpx")]
    # the edited file's entry for Tokyo is gone (its stamp is old); only the new UTC one stays
    assert gpx_rows["_key"].nunique() == 1
    fit_rows = index[index["_path"].str.endswith(".fit")]
    assert fit_rows["_key"].nunique() == 2  # unchanged FIT: UTC and Tokyo entries kept


def test_cached_and_new_rows_join_in_input_order(tmp_path, data):
    """A file named twice, a folder holding it, and a file the cache has not seen: the warm
    read (cached rows and a new file's rows joined in one table) equals the cold one."""
    import pandas as pd

    one = data / "fit" / "fr645-run.fit"
    cache = tmp_path / "cache"
    inputs = [one, data / "fit", one]
    cold = kneeload.read_activities(inputs, cache=cache, workers=1)
    # fr645-run.fit is read 3 times (named twice, and in the folder) and the folder also
    # holds fr645-run-COPY.FIT.GZ: 4 copies of one run, counted once, 3 skipped as duplicates
    assert (cold.skipped["kind"] == "duplicate").sum() == 3
    assert (cold.activities["source_path"].str.contains("fr645")).sum() == 1
    extra = tmp_path / "extra.gpx"
    shutil.copy(data / "gpx" / "garmin-connect-ns3-prefix.gpx", extra)
    warm = kneeload.read_activities([*inputs, extra], cache=cache, workers=1)
    fresh = kneeload.read_activities([*inputs, extra], cache=False, workers=1)
    pd.testing.assert_frame_equal(warm.activities, fresh.activities)
    pd.testing.assert_frame_equal(warm.skipped, fresh.skipped)
    assert len(warm.activities) == len(cold.activities) + 1
