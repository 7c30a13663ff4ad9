"""Parse cache invalidation and damage, parallel ingest equal to serial."""

from __future__ import annotations

import os
import shutil
import time

import pandas as pd
import pytest

import kneeload
from kneeload.io import cache as cache_mod


@pytest.fixture
def folder(tmp_path, data):
    d = tmp_path / "runs"
    d.mkdir()
    for f in ("fit/fenix5-tiny-run.fit", "fit/fr645-run.fit", "tcx/fr620-run-runcadence.tcx",
              "gpx/garmin-connect-ns3-prefix.gpx", "invalid/no-time-stamps.fit"):
        shutil.copy(data / f, d)
    return d


def _count_parses(monkeypatch):
    calls = []
    real = kneeload.io._ingest._parse

    def spy(source, *a, **k):
        calls.append(os.path.basename(str(source)))
        return real(source, *a, **k)
    monkeypatch.setattr(kneeload.io._ingest, "_parse", spy)
    return calls


def test_unchanged_files_are_never_parsed_again(folder, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = kneeload.read_activities(folder, cache=cache, workers=1)
    calls = _count_parses(monkeypatch)
    second = kneeload.read_activities(folder, cache=cache, workers=1)
    assert calls == []
    pd.testing.assert_frame_equal(first.activities, second.activities)
    pd.testing.assert_frame_equal(first.skipped, second.skipped)  # skipped files cached too


def test_changed_moved_and_replaced_files_are_parsed_again(folder, tmp_path, data,
                                                           monkeypatch):
    cache = tmp_path / "cache"
    kneeload.read_activities(folder, cache=cache, workers=1)
    calls = _count_parses(monkeypatch)
    # replaced: other content under the same name
    shutil.copy(data / "fit/fenix5-walk.fit", folder / "fenix5-tiny-run.fit")
    # moved
    os.rename(folder / "fr645-run.fit", folder / "renamed.fit")
    # touched: same content, new modification time
    st = os.stat(folder / "fr620-run-runcadence.tcx")
    os.utime(folder / "fr620-run-runcadence.tcx", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    result = kneeload.read_activities(folder, cache=cache, workers=1)
    assert sorted(calls) == ["fenix5-tiny-run.fit", "fr620-run-runcadence.tcx", "renamed.fit"]
    assert "walking" in set(result.activities["sport"])


def test_settings_are_part_of_the_key(folder, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    kneeload.read_activities(folder, cache=cache, tz="UTC", workers=1)
    calls = _count_parses(monkeypatch)
    r = kneeload.read_activities(folder, cache=cache, force_tz="Asia/Tokyo", workers=1)
    assert len(calls) == 5
    gpx = r.activities[r.activities["source_format"] == "gpx"].iloc[0]
    assert gpx.tz_source == "forced:Asia/Tokyo"


def test_damaged_index_is_rebuilt_not_trusted(folder, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    good = kneeload.read_activities(folder, cache=cache, workers=1)
    index = cache / cache_mod.CACHE_VERSION / "index.npz"
    index.write_bytes(index.read_bytes()[:200])  # cut it
    calls = _count_parses(monkeypatch)
    with pytest.warns(UserWarning, match="cache index .* is damaged"):
        again = kneeload.read_activities(folder, cache=cache, workers=1)
    assert len(calls) == 5
    pd.testing.assert_frame_equal(good.activities, again.activities)
    calls.clear()
    kneeload.read_activities(folder, cache=cache, workers=1)  # rebuilt: cached again
    assert calls == []


def test_no_cache_writes_nothing(folder, tmp_path):
    kneeload.read_activities(folder, cache=False, workers=1)
    assert not any((tmp_path / "cache").glob("**/*"))


def test_samples_are_not_cached_as_nothing_reads_them(folder, tmp_path):
    cache = tmp_path / "cache"
    kneeload.read_activities(folder, cache=cache, workers=1)
    assert sorted(p.name for p in (cache / cache_mod.CACHE_VERSION).iterdir()) == [
        "index.npz"]


def test_two_runs_sharing_a_cache(folder, tmp_path):
    import multiprocessing
    cache = str(tmp_path / "cache")
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=kneeload.read_activities, args=(str(folder),),
                         kwargs={"cache": cache, "workers": 1}) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    index = cache_mod.read_index_file(os.path.join(cache, cache_mod.CACHE_VERSION, "index.npz"))
    assert index["_path"].nunique() == 5


def test_parallel_equals_serial(tmp_path):
    from conftest import SAMPLE
    serial = kneeload.read_activities(SAMPLE, cache=False, workers=1)
    t = time.perf_counter()
    parallel = kneeload.read_activities(SAMPLE, cache=False, workers=2)
    assert time.perf_counter() - t > 0  # speed is measured in benchmarks/, not here
    pd.testing.assert_frame_equal(serial.activities, parallel.activities)
    pd.testing.assert_frame_equal(serial.skipped, parallel.skipped)


def test_fitparse_backend_gives_the_same_table(data):
    files = [data / "fit/fr645-run.fit", data / "fit/chained-triathlon-5-sessions.fit",
             data / "invalid/fenix2-run-truncated-60000.fit"]
    a = kneeload.read_activities(files, cache=False, fit_backend="fitparse").activities
    b = kneeload.read_activities(files, cache=False, fit_backend="fitdecode").activities
    cols = ["distance_m", "elapsed_s", "moving_s", "descent_m", "hr_avg_bpm", "cadence_spm",
            "n_samples", "start_time", "local_start", "partial"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert (a["device"] != b["device"]).any()  # fitdecode's newer profile names more devices


def test_a_run_killed_while_writing_the_cache_leaves_the_previous_index(folder, tmp_path):
    import signal
    import subprocess
    import sys
    import textwrap

    cache = tmp_path / "cache"
    kneeload.read_activities(folder, cache=cache, workers=1)
    index = cache / cache_mod.CACHE_VERSION / "index.npz"
    before = index.read_bytes()
    (folder / "extra.fit").write_bytes((folder / "fr645-run.fit").read_bytes()[:40000])
    code = textwrap.dedent(f"""
        import os, time
        from kneeload.io import cache
        real = os.replace
        def slow(src, dst):
            if str(dst).endswith("index.npz"):
                print("ready", flush=True)
                time.sleep(60)
            real(src, dst)
        cache.os.replace = slow
        import kneeload
        kneeload.read_activities({str(folder)!r}, cache={str(cache)!r}, workers=1)
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    assert index.read_bytes() == before  # the old index, whole
    result = kneeload.read_activities(folder, cache=cache, workers=1)  # and usable
    dup = result.skipped[result.skipped["path"].str.endswith("extra.fit")]
    assert dup["kind"].tolist() == ["duplicate"]  # a cut copy of fr645-run.fit, counted once


@pytest.mark.parametrize(("cores", "load", "files", "expected"), [
    (2, 0.8, 365, 2),    # measured: 2 processes 0.56-0.61x the wall time of 1 at load 0.7-1.0
    (2, 1.49, 365, 2),
    (2, 1.5, 365, 1),    # ceil(2 - 1.5 + 0.5) = 1
    (2, 2.1, 1000, 1),   # measured: 2 processes 0.93-1.30x at load 1.8-2.2
    (8, 3.0, 1000, 6),   # ceil(8 - 3 + 0.5) = 6
    (8, 0.0, 1000, 8),
    (2, 0.0, 31, 1),     # below MIN_FILES_FOR_WORKERS: starting workers costs more
])
def test_default_workers_follow_the_idle_cores(monkeypatch, cores, load, files, expected):
    import kneeload.io as kio
    monkeypatch.setattr(kio.os, "sched_getaffinity", lambda pid: set(range(cores)),
                        raising=False)
    monkeypatch.setattr(kio.os, "getloadavg", lambda: (load, load, load))
    assert kio.default_workers(files) == expected
