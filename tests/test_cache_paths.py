"""Paths in rows (``source_path``, skipped paths, duplicate notes) are those of the current
call, never those of the run that filled the parse cache (a new-user trial: reading
``kneeload/sample_data`` from a parent folder, then ``sample_data`` from the repository,
gave ``kneeload/sample_data/runs/...`` from the cache, and ``read_samples`` of it failed)."""

from __future__ import annotations

import os
import shutil

import pytest

import kneeload
import kneeload.io as kio
from kneeload.io.cache import restamp

DATA = os.path.join(os.path.dirname(__file__), "data")


@pytest.fixture
def tree(tmp_path):
    """``tmp/x/kneeload/data``: a FIT and a GPX run, the FIT again under another name (a
    duplicate), a damaged FIT (skipped) and a manual log (``#line`` paths)."""
    folder = tmp_path / "x" / "kneeload" / "data"
    (folder / "runs").mkdir(parents=True)
    shutil.copy(os.path.join(DATA, "fit/fenix5-tiny-run.fit"), folder / "runs" / "a.fit")
    shutil.copy(os.path.join(DATA, "fit/fenix5-tiny-run.fit"), folder / "runs" / "a_copy.fit")
    shutil.copy(os.path.join(DATA, "gpx/garmin-connect-ns3-prefix.gpx"), folder / "runs" / "b.gpx")
    (folder / "runs" / "junk.fit").write_bytes(b"\x0e\x10not a fit file at all" * 4)
    (folder / "log.csv").write_text("date,distance,duration\n2026-01-05,3,30:00\n")
    return tmp_path / "x"


@pytest.fixture
def parses(monkeypatch):
    calls: list[str] = []
    real = kio._ingest._parse

    def counting(source, *args, **kwargs):
        calls.append(os.path.basename(str(source)))
        return real(source, *args, **kwargs)

    monkeypatch.setattr(kio._ingest, "_parse", counting)
    return calls


def _paths(result):
    return (sorted(result.activities["source_path"]), sorted(result.skipped["path"]),
            sorted(result.skipped["reason"]))


def _file_of(path):
    return path.split("#", 1)[0]


def test_cached_paths_are_those_of_the_current_call(tree, tmp_path, monkeypatch, parses):
    cache = tmp_path / "cache"
    monkeypatch.chdir(tree)  # the first run from the parent folder
    first = kneeload.read_activities("kneeload/data", cache=cache, workers=1)
    n_parsed = len(parses)
    assert n_parsed == 4  # a.fit, a_copy.fit, b.gpx, junk.fit (the log is not _parse's)
    monkeypatch.chdir(tree / "kneeload")  # then from the repository, with the cache on
    again = kneeload.read_activities("data", cache=cache, workers=1)
    assert len(parses) == n_parsed  # every file from the cache
    assert _paths(again) == _paths(kneeload.read_activities("data", cache=False, workers=1))
    # 3 activities (a.fit, b.gpx, the log's line 2); a_copy.fit a duplicate, junk.fit skipped
    assert sorted(again.activities["source_path"]) == [
        "data/log.csv#line 2", "data/runs/a.fit", "data/runs/b.gpx"]
    assert sorted(again.skipped["path"]) == ["data/runs/a_copy.fit", "data/runs/junk.fit"]
    assert any("data/runs/a.fit" in r and "kneeload/" not in r for r in again.skipped["reason"])
    for p in [*again.activities["source_path"], *again.skipped["path"]]:
        assert os.path.exists(_file_of(p)), p
    # the README's next step works on the cached row's path
    fit = again.activities.query("source_format == 'fit'")["source_path"].iloc[0]
    assert len(kneeload.read_samples(fit)) > 0
    # the first run's paths came back as given then, from the parent folder
    assert sorted(first.activities["source_path"])[1] == "kneeload/data/runs/a.fit"


def test_an_absolute_call_gets_absolute_paths_from_the_cache(tree, tmp_path, monkeypatch,
                                                              parses):
    cache = tmp_path / "cache"
    monkeypatch.chdir(tree / "kneeload")
    kneeload.read_activities("./data/", cache=cache, workers=1)  # stored as './data/...'
    n_parsed = len(parses)
    absolute = str(tree / "kneeload" / "data")
    got = kneeload.read_activities(absolute, cache=cache, workers=1)
    assert len(parses) == n_parsed  # from the cache
    assert _paths(got) == _paths(kneeload.read_activities(absolute, cache=False, workers=1))
    assert sorted(got.activities["source_path"]) == [
        f"{absolute}/log.csv#line 2", f"{absolute}/runs/a.fit", f"{absolute}/runs/b.gpx"]
    for p in [*got.activities["source_path"], *got.skipped["path"]]:
        assert os.path.isabs(p) and os.path.exists(_file_of(p)), p
    # and back to a relative call, from another folder
    n_parsed = len(parses)  # the uncached read above parsed all 4 again
    monkeypatch.chdir(tree)
    rel = kneeload.read_activities("kneeload/data", cache=cache, workers=1)
    assert len(parses) == n_parsed
    assert sorted(rel.activities["source_path"])[1] == "kneeload/data/runs/a.fit"


def test_restamp_replaces_only_the_input_path_at_a_path_boundary():
    assert restamp("/a/data/runs/x.fit", "/a/data", "data") == "data/runs/x.fit"
    assert restamp("/a/data/log.csv#line 3", "/a/data/log.csv", "log.csv") == "log.csv#line 3"
    assert restamp("/a/e.zip!runs/x.fit", "/a/e.zip", "e.zip") == "e.zip!runs/x.fit"
    assert restamp("/a/data/x.fit", "/a/data/", "./data/") == "./data/x.fit"
    assert restamp("/a/database/x.fit", "/a/data", "data") == "/a/database/x.fit"  # not a prefix
    assert restamp(None, "/a", "b") is None
