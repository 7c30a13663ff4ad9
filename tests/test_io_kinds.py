"""The input-kind registry (kneeload/io/kinds.py), its cache fingerprint, the unzipped Garmin
export, every export file accounted for, and symbolic links to folders (issues 19, 22, 25)."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

import kneeload
import kneeload.io as kio
from kneeload.io import _source, kinds
from kneeload.io.cache import input_key
from kneeload.io.kinds import InputKind

DATA = Path(__file__).parent / "data"
EXPORTS = DATA / "exports"
GARMIN_ZIP = EXPORTS / "garmin-connect-export.zip"
GARMIN_DIR = EXPORTS / "garmin_connect_export"
RUN = Path(__file__).parent.parent / "sample_data" / "runs" / "2026-03-03_0700_run.fit"


def _zip_folder(folder: Path, out: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(out, "w") as z:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                z.write(p, prefix + p.relative_to(folder).as_posix())
    return out


# --- the unzipped Garmin export (issue 22) -------------------------------------------------


def test_unzipped_garmin_export_reads_the_same_runs_as_its_zip():
    z = kneeload.read_activities(GARMIN_ZIP, cache=False)
    d = kneeload.read_activities(GARMIN_DIR, cache=False)
    cols = ["local_date", "local_start", "sport", "distance_m", "elapsed_s", "gear"]
    # 5 activities in the summaries: 2 with FIT files in UploadedFiles_0-_Part1.zip, a
    # treadmill run, a manual run, a ride (scripts/make_export_fixtures.py)
    assert len(d.activities) == len(z.activities) == 5
    assert d.activities[cols].equals(z.activities[cols])
    assert d.gear.drop(columns="source").equals(z.gear.drop(columns="source"))
    assert kio.find_inputs(GARMIN_DIR) == [("garmin", str(GARMIN_DIR))]
    reasons = dict(zip(d.skipped["path"].map(os.path.basename), d.skipped["reason"],
                       strict=True))
    assert set(d.skipped["kind"]) == {"ignored"}
    assert reasons["12345678_userBioMetrics.json"] == (
        "Garmin export: wellness data (sleep, stress, heart rate, steps), not an activity")
    assert reasons["user_settings.json"] == (
        "Garmin export: account and profile data, not an activity")
    # the per-input counts: 5 read, 8 ignored (the 8 JSON files that are not activities)
    row = d.by_input.iloc[0]
    assert (row["kind"], row["read"], row["skipped"], row["ignored"]) == ("garmin", 5, 0, 8)
    assert sum(row["reasons"].values()) == 8


def _export_files(path: Path) -> list[str]:
    """Every file of an export as the skipped table names it (archive members as
    ``zip!member``, nested archives' members too)."""
    if path.is_dir():
        return [str(p) for p in sorted(path.rglob("*")) if p.is_file()
                and not p.name.lower().endswith(".zip")] + [
            f"{p}!{n}" for p in sorted(path.rglob("*.zip")) for n in zipfile.ZipFile(p).namelist()]
    out = []
    with zipfile.ZipFile(path) as z:
        for n in z.namelist():
            if n.endswith("/"):
                continue
            if n.lower().endswith(".zip"):
                import io
                inner = zipfile.ZipFile(io.BytesIO(z.read(n)))
                out += [f"{path}!{n}!{m}" for m in inner.namelist()]
            else:
                out.append(f"{path}!{n}")
    return out


@pytest.mark.parametrize("export", ["strava_folder", "strava_zip", "garmin_zip",
                                    "garmin_folder", "apple_zip", "apple_folder"])
def test_every_file_of_an_export_is_read_or_skipped_with_a_reason(export, tmp_path):
    path = {
        "strava_folder": EXPORTS / "strava_en", "garmin_zip": GARMIN_ZIP,
        "garmin_folder": GARMIN_DIR, "apple_folder": EXPORTS / "apple_health_export",
    }.get(export)
    if export == "strava_zip":
        path = _zip_folder(EXPORTS / "strava_en", tmp_path / "export_123.zip")
    elif export == "apple_zip":
        path = _zip_folder(EXPORTS / "apple_health_export", tmp_path / "export.zip",
                           "apple_health_export/")
    assert path is not None
    # a file no reader wants, and a hidden one, in every export
    if path.is_dir():
        path = Path(shutil.copytree(path, tmp_path / "copy"))
        (path / "settings.json").write_text('{"theme": "dark"}')
        (path / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    result = kneeload.read_activities(path, cache=False)
    skipped = dict(zip(result.skipped["path"], result.skipped["reason"], strict=True))
    read_from = {p.split("#")[0] for p in result.activities["source_path"]}
    for f in _export_files(path):
        base = f.rsplit("!", 1)[-1].rsplit("/", 1)[-1]
        read = (f in read_from or kinds.is_export_member(os.path.basename(base))
                or base == "export.xml" or "workout-routes" in f)
        assert read or skipped.get(f), f"{f} neither read nor skipped"
        if f in skipped:
            assert skipped[f].strip()
    if path.is_dir():
        assert "not an activity" in skipped[str(path / "settings.json")]
        assert "hidden file" in skipped[str(path / ".DS_Store")]
    assert not result.activities.empty


def test_summary_prints_per_export_counts(capsys):
    from kneeload.cli import main
    code = main(["summary", str(GARMIN_DIR), "--no-cache"])
    out = capsys.readouterr().out
    assert code == 0  # ignored files are not problems: exit 0, as for the zip
    assert f"{GARMIN_DIR} (garmin): 5 read, 0 skipped, 8 ignored" in out
    assert "    2 x Garmin export: account and profile data, not an activity" in out


def test_a_stray_settings_json_is_never_called_damaged(tmp_path):
    shutil.copy(RUN, tmp_path / "run.fit")
    (tmp_path / "settings.json").write_text('{"units": "km"}')
    result = kneeload.read_activities(tmp_path, cache=False)
    assert len(result.activities) == 1 and result.skipped.empty  # a loose JSON: no input
    alone = kneeload.read_activities(tmp_path / "settings.json", cache=False)
    assert list(alone.skipped["kind"]) == ["unsupported"]
    assert "damaged" not in alone.skipped["reason"].iloc[0]


# --- the registry (issue 19) ----------------------------------------------------------------


def read_toy(path: str, ctx: kio.ReadContext) -> None:
    """A toy reader: ``{"toyrun": {"start": ISO UTC, "km": ..., "min": ...}}``."""
    import pandas as pd
    rec = json.loads(Path(path).read_text())["toyrun"]
    start = pd.Timestamp(rec["start"]).tz_convert("UTC")
    ctx.rows.append({
        "activity_id": f"toy-{os.path.basename(path)}", "start_time": start,
        "local_start": start.tz_localize(None), "local_date": start.tz_localize(None).normalize(),
        "utc_offset_s": 0.0, "tz_source": "recorded", "sport": "running",
        "distance_m": rec["km"] * 1000.0, "elapsed_s": rec["min"] * 60.0,
        "moving_s": rec["min"] * 60.0, "source_path": path, "source_format": "toy",
        "session_index": 0, "n_samples": 0, "distance_source": "session", "partial": False,
        "note": "",
    })


@pytest.fixture
def toy_kind():
    kind = kinds.register(InputKind(
        "toy", lambda path, head: b'"toyrun"' in head, read_toy, order=80,
        suffixes=(".json",), sniff_bytes=64, formats=(), description="a toy JSON format"))
    yield kind
    kinds.unregister("toy")


def test_a_new_input_kind_is_one_reader_and_one_registry_line(toy_kind, tmp_path):
    shutil.copy(RUN, tmp_path / "run.fit")
    (tmp_path / "a.json").write_text('{"toyrun": {"start": "2026-03-05T07:00:00Z", '
                                     '"km": 8.0, "min": 44}}')
    (tmp_path / "settings.json").write_text('{"units": "km"}')  # not claimed: passed over
    result = kneeload.read_activities(tmp_path, cache=False)
    assert ("toy", str(tmp_path / "a.json")) in kio.find_inputs(tmp_path)
    toy = result.activities[result.activities["source_format"] == "toy"]
    assert len(result.activities) == 2 and len(toy) == 1
    assert toy["distance_m"].iloc[0] == 8000.0  # 8 km
    assert toy["moving_s"].iloc[0] == 2640.0  # 44 min x 60 s
    assert result.skipped.empty


def test_format_rank_and_error_text_come_from_the_registry():
    assert kio._FORMAT_RANK == {"fit": 0, "gpx": 2, "tcx": 1}
    assert [k.name for k in kinds.KINDS] == sorted(
        (k.name for k in kinds.KINDS), key=lambda n: kinds.kind(n).order)
    assert kinds.is_export_member("activities.csv") and kinds.is_export_member("x.FIT.gz")
    assert not kinds.is_export_member("settings.json")


# --- the cache fingerprint ------------------------------------------------------------------


def test_cache_key_follows_the_readers_that_could_read_the_input(tmp_path, monkeypatch):
    before = {k: kinds.fingerprint(k) for k in ("file", "zip", "garmin", "csv", "apple")}
    fit = next(f for f in _source.REGISTRY if f.name == "fit")
    import dataclasses
    monkeypatch.setattr(_source, "REGISTRY", [dataclasses.replace(f, version=f.version + "+1")
                                              if f is fit else f for f in _source.REGISTRY])
    after = {k: kinds.fingerprint(k) for k in before}
    # a changed FIT reader: files, archives and exports re-read; manual logs and Apple
    # Health (which reads GPX routes only) keep their entries
    assert after["file"] != before["file"] and after["zip"] != before["zip"]
    assert after["garmin"] != before["garmin"]
    assert after["csv"] == before["csv"] and after["apple"] == before["apple"]


def test_a_changed_reader_re_reads_a_cached_zip(tmp_path, monkeypatch):
    import dataclasses

    from kneeload.io import _ingest
    calls: list[str] = []
    real = _ingest._parse

    def counting(source, *a, **k):
        calls.append(str(getattr(source, "name", source)))
        return real(source, *a, **k)

    monkeypatch.setattr(_ingest, "_parse", counting)
    cache = tmp_path / "cache"
    kneeload.read_activities(GARMIN_ZIP, cache=cache)
    assert len(calls) == 2  # the two FIT files in the nested archive
    kneeload.read_activities(GARMIN_ZIP, cache=cache)
    assert len(calls) == 2  # cached
    fit = next(f for f in _source.REGISTRY if f.name == "fit")
    monkeypatch.setattr(_source, "REGISTRY", [dataclasses.replace(f, version=f.version + "+1")
                                              if f is fit else f for f in _source.REGISTRY])
    kneeload.read_activities(GARMIN_ZIP, cache=cache)
    assert len(calls) == 4  # re-read: the FIT reader changed
    key = input_key(str(GARMIN_ZIP), "x")
    assert key is not None


# --- symbolic links to folders (issue 25, item 11) -----------------------------------------


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_symlinked_folders_are_followed_once_and_loops_cut(tmp_path):
    runs = tmp_path / "runs"
    (runs / "a").mkdir(parents=True)
    shutil.copy(RUN, runs / "a" / "run.fit")
    other = tmp_path / "elsewhere"
    other.mkdir()
    shutil.copy(DATA / "fit" / "fenix5-tiny-run.fit", other / "tiny.fit")
    os.symlink(other, runs / "b_link")  # followed: its run is read
    os.symlink(runs, runs / "a" / "loop")  # a loop back to the top: cut
    os.symlink(runs / "a", runs / "c_again")  # a second way to a folder already read
    result = kneeload.read_activities(runs, cache=False, drop_duplicates=False)
    assert sorted(os.path.basename(p) for p in result.activities["source_path"]) == [
        "run.fit", "tiny.fit"]  # each once
    skipped = dict(zip(result.skipped["path"], result.skipped["reason"], strict=True))
    assert set(result.skipped["kind"]) == {"ignored"}
    assert skipped[str(runs / "a" / "loop")] == (
        f"the same folder as {runs} (a symbolic link); read once")
    assert skipped[str(runs / "c_again")] == (
        f"the same folder as {runs / 'a'} (a symbolic link); read once")
