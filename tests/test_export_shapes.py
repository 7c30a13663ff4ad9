"""Bulk exports as they really come (tests/data/exports, made by scripts/make_export_fixtures.py):
Strava in seven languages with its own gear files and blank-led XML, Garmin Connect's
summaries and gear, Apple Health's export.xml and routes. The machine's clock is set to UTC,
as on many laptops and servers, so any run placed by it would show."""

from __future__ import annotations

import io
import json
import shutil
import zipfile

import pandas as pd
import pytest
from conftest import DATA

import kneeload
from kneeload import shoes as sh
from kneeload.cli import main
from kneeload.io.strava import parse_number, parse_strava_date

EXPORTS = DATA / "exports"
LANGS = ("en", "de", "fr", "es", "it", "pt", "nl")
MI = 1609.344
# The Phoenix run: 168 points 30.0 m apart (the generator steps 30 m / 111,195 m per degree
# north; kneeload's Earth radius 6,371,008.8 m gives 111,195.08 m per degree): 167 x 30.0 m.
PHOENIX_M = 167 * 30.0


@pytest.fixture(autouse=True)
def machine_clock_on_utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")


def _zip_folder(folder, target, prefix=""):
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                z.write(p, prefix + p.relative_to(folder).as_posix())
    return target


def _by_id(acts):
    return {p.rsplit("/", 1)[-1].split(".")[0].split("#")[0]: r for p, r in zip(
        acts["source_path"], acts.itertuples(), strict=True)}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_strava_export_in_every_language(lang, as_zip, tmp_path):
    src = EXPORTS / f"strava_{lang}"
    path = _zip_folder(src, tmp_path / "export_81234567.zip") if as_zip else src
    result = kneeload.read_activities(path, cache=False)
    acts = result.activities
    assert result.skipped.empty
    assert len(acts) == 6
    fit = acts[acts["source_path"].str.endswith("2700000001.fit.gz")].iloc[0]
    gpx = acts[acts["source_path"].str.endswith("2700000002.gpx.gz")].iloc[0]
    tcx = acts[acts["source_path"].str.endswith("2700000005.tcx.gz")].iloc[0]
    rows = {int(p.rsplit("#line ", 1)[1]): r for p, r in zip(
        acts["source_path"], acts.itertuples(), strict=True) if "#line " in p}
    # the FIT keeps its device local time (UTC-7), its gear "Nike Pegasus 40 Daily Trainer"
    # ("Brand Model Name") is the pair Strava's shoes.csv names "Daily Trainer"
    assert fit.distance_m == pytest.approx(157.56) and fit.tz_source == "device"
    assert fit.gear == "Daily Trainer" and fit.local_date == pd.Timestamp("2017-06-11")
    # blank-led GPX read in full (not the CSV's totals): 02:30 UTC Monday is 19:30 Sunday
    # in Phoenix, where the track starts: Sunday, whatever the machine's clock
    assert gpx.source_format == "gpx" and gpx.n_samples == 168
    assert gpx.distance_m == pytest.approx(PHOENIX_M, abs=0.1)
    assert gpx.local_date == pd.Timestamp("2024-06-09")
    assert gpx.tz_source == "position:America/Phoenix"
    assert gpx.gear == "Daily Trainer" and gpx.rpe == 6
    # blank-led TCX read in full too
    assert tcx.source_format == "tcx" and tcx.n_samples == 147
    assert tcx.distance_m == pytest.approx(2153.67) and tcx.rpe == 9 and tcx.gear == "Race"
    # rows with no file come from the CSV: the last Distance column, in metres
    tread = rows[4]
    assert tread.source_format == "csv" and tread.distance_m == pytest.approx(8046.7)
    assert tread.gear == "Saucony Endorphin Pro 3" and tread.rpe == 7
    assert tread.tz_source == "machine:UTC" and tread.descent_m == 0
    ride = rows[5]
    assert ride.sport == "cycling" and ride.distance_m == 30000 and ride.gear == "Commuter"
    lost = rows[7]
    assert "activities/2700000006.fit.gz is not in the export" in lost.note
    assert lost.distance_m == 5000
    # the gear lists are Strava's: read as the export's gear
    assert set(result.gear["name"]) == {"Daily Trainer", "Saucony Endorphin Pro 3", "Race",
                                        "Commuter"}
    assert dict(zip(result.gear["name"], result.gear["kind"], strict=True))["Commuter"] == "bike"


def test_strava_shoe_mileage_without_a_shoes_file():
    result = kneeload.read_activities(EXPORTS / "strava_de", cache=False)
    pairs = sh.shoes_from_gear(result.activities, result.gear)
    assert list(pairs["shoe"]) == ["Daily Trainer", "Race", "Saucony Endorphin Pro 3"]
    # no limit of the export's own: left empty, the configured band (300-500 mi) applies
    assert pairs["replace_m"].isna().all() and pairs["notice_m"].isna().all()
    status = sh.shoe_status(sh.assign_shoes(result.activities, pairs), pairs).set_index("shoe")
    assert (status["replace_m"] == 500 * MI).all() and (status["notice_m"] == 300 * MI).all()
    # Daily Trainer: the FIT (157.56 m) + the Phoenix GPX; Race: the TCX + the lost file's
    # CSV row (5,000 m); Saucony: the treadmill row. The bike carries no run.
    assert status.loc["Daily Trainer", "distance_m"] == pytest.approx(157.56 + PHOENIX_M,
                                                                       abs=0.1)
    assert status.loc["Race", "distance_m"] == pytest.approx(2153.67 + 5000)
    assert status.loc["Saucony Endorphin Pro 3", "distance_m"] == pytest.approx(8046.7)
    assert "Commuter" not in status.index


def test_one_bad_strava_date_loses_no_other_row_and_no_gear(tmp_path):
    """A bad Activity Date costs that row alone: its file is still read with its gear, and a
    row without a file is the only thing skipped (issue 15: one bad row used to drop the
    gear of every run)."""
    import csv
    data = tmp_path / "export"
    shutil.copytree(EXPORTS / "strava_en", data)
    with open(data / "activities.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("Activity Date")
    rows[2][col] = "garbage date"  # line 3: the Phoenix GPX, gear 'Daily Trainer'
    rows[3][col] = "31.31.2024"    # line 4: the treadmill row, no file
    with open(data / "activities.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = kneeload.read_activities(data, cache=False)
    acts = result.activities
    # 6 rows, 1 lost (line 4 has no file); line 3 comes from its GPX, gear kept
    assert len(acts) == 5
    phoenix = acts[acts["source_path"].str.endswith("2700000002.gpx.gz")].iloc[0]
    assert phoenix["gear"] == "Daily Trainer"
    assert phoenix["distance_m"] == pytest.approx(PHOENIX_M, abs=0.1)
    bad = result.skipped[result.skipped["kind"] != "duplicate"]
    assert len(bad) == 1 and bad.iloc[0]["reason"].startswith("line 4: Activity Date '31.31.2024'")
    # every other run keeps its pair: Race = the TCX (2,153.67 m) + the lost file's row
    assert set(acts.loc[acts["sport"] == "running", "gear"]) == {"Daily Trainer", "Race"}


def test_strava_csv_columns_any_superset_or_subset(tmp_path):
    src = EXPORTS / "strava_en"
    dst = tmp_path / "export"
    shutil.copytree(src, dst)
    text = (dst / "activities.csv").read_text(encoding="utf-8").splitlines()
    # a column Strava may add one day, at the end and in the middle
    text = [line + (",Future Column" if i == 0 else ",42") for i, line in enumerate(text)]
    text[0] = text[0].replace("Activity Description", "Brand New Thing", 1)
    (dst / "activities.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    acts = kneeload.read_activities(dst, cache=False).activities
    assert len(acts) == 6 and acts["rpe"].notna().sum() == 3


@pytest.mark.parametrize("text,iso", [
    ("Jun 10, 2024, 2:30:00 AM", "2024-06-10T02:30:00"),
    ("Jun 9, 2024, 12:05:00 PM", "2024-06-09T12:05:00"),
    ("10.06.2024, 02:30:00", "2024-06-10T02:30:00"),
    ("10 juin 2024, 02:30:00", "2024-06-10T02:30:00"),
    ("10 févr. 2024, 14:30:00", "2024-02-10T14:30:00"),
    ("10 de jun. de 2024, 02:30:00", "2024-06-10T02:30:00"),
    ("10 mei 2024, 02:30:00", "2024-05-10T02:30:00"),
    ("10 giu 2024, 02:30:00", "2024-06-10T02:30:00"),
    ("10/06/2024, 02:30:00", "2024-06-10T02:30:00"),
    ("2024-06-10 02:30:00", "2024-06-10T02:30:00"),
])
def test_strava_dates_in_each_language(text, iso):
    assert parse_strava_date(text) == pd.Timestamp(iso, tz="UTC")


def test_strava_numbers_with_decimal_commas():
    assert parse_number("10,20", decimal_comma=True) == 10.2
    assert parse_number("1.234,5", decimal_comma=True) == 1234.5
    assert parse_number("1,234.5", decimal_comma=False) == 1234.5
    assert parse_number("5004.4", decimal_comma=True) == 5004.4
    assert parse_number("", decimal_comma=True) is None


def test_strava_shoes_csv_is_never_kneeloads_shoes_file(capsys):
    code = main(["shoes", str(EXPORTS / "strava_en"), "--json", "--no-cache"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "Strava's gear list (no 'shoe' column)" in err
    doc = json.loads(out)
    got = {s["shoe"]: s["distance"] for s in doc["shoes"]}
    assert got["Saucony Endorphin Pro 3"] == pytest.approx(8046.7 / MI, abs=0.01)  # 5.0 mi
    assert doc["unassigned"]["runs"] == 0


def test_report_on_a_bare_strava_export(tmp_path, capsys):
    pdf = tmp_path / "season.pdf"
    z = _zip_folder(EXPORTS / "strava_fr", tmp_path / "export_81234567.zip")
    assert main(["report", str(z), "-o", str(pdf), "--no-cache"]) == 0
    from pypdf import PdfReader
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Daily Trainer" in text and "Saucony Endorphin Pro 3" in text


# --- Garmin Connect ----------------------------------------------------------------------------

GARMIN = EXPORTS / "garmin-connect-export.zip"


def test_garmin_export_summaries_gear_and_files():
    result = kneeload.read_activities(GARMIN, cache=False)
    acts = result.activities.set_index("local_date")
    # every file of the export is accounted for: the personal records are listed, not read
    assert list(result.skipped["kind"]) == ["ignored"]
    assert result.skipped["reason"].iloc[0] == "Garmin export: personal records, not an activity"
    assert len(acts) == 5
    # FIT named with its activity id: gear from the links, its own device time
    fenix = acts.loc[pd.Timestamp("2017-06-11")]
    assert fenix.distance_m == pytest.approx(157.56) and fenix.gear == "Pegasus 40"
    assert fenix.tz_source == "device"
    # FIT matched by its start: the summary's local time (UTC+0 in Scotland) and gear
    fr110 = acts.loc[pd.Timestamp("2013-02-06")]
    assert fr110.distance_m == pytest.approx(4835.38) and fr110.gear == "Brooks Ghost 14"
    assert fr110.tz_source == "recorded" and fr110.local_start == pd.Timestamp(
        "2013-02-06 12:11:14")
    # no file: 800,000 cm is 8 km; 05:30 UTC was 07:30 in the runner's zone (+2 h)
    tread = acts.loc[pd.Timestamp("2024-06-11")]
    assert tread.sport == "treadmill" and tread.distance_m == 8000
    assert tread.moving_s == 2400 and tread.source_format == "json"
    assert tread.local_start == pd.Timestamp("2024-06-11 07:30")
    # 22:30 UTC on the 12th was 00:30 local on the 13th: the local date is the 13th
    manual = acts.loc[pd.Timestamp("2024-06-13")]
    assert manual.distance_m == 5000 and manual.gear == "Pegasus 40"
    ride = acts.loc[pd.Timestamp("2024-06-12")]
    assert ride.sport == "cycling" and ride.gear == "Commuter"
    gear = result.gear.set_index("name")
    assert gear.loc["Pegasus 40", "replace_m"] == 650000
    assert gear.loc["Brooks Ghost 14", "retired"] == pd.Timestamp("2013-12-31")


def test_garmin_distance_unit_is_checked_against_the_fit_files(tmp_path):
    """Some parsers read ``distance`` as metres: an export written that way is read right."""
    out = tmp_path / "garmin.zip"
    with zipfile.ZipFile(GARMIN) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("_summarizedActivities.json"):
                doc = json.loads(data)
                for a in doc[0]["summarizedActivitiesExport"]:
                    a["distance"] = a["distance"] / 100
                data = json.dumps(doc).encode()
            dst.writestr(info, data)
    acts = kneeload.read_activities(out, cache=False).activities
    assert sorted(acts["distance_m"].round(2)) == [157.56, 4835.38, 5000, 8000, 30000]


def test_garmin_shoes_use_the_limit_the_runner_set(capsys):
    assert main(["shoes", str(GARMIN), "--json", "--unit", "km", "--no-cache"]) == 0
    doc = {s["shoe"]: s for s in json.loads(capsys.readouterr().out)["shoes"]}
    peg = doc["Pegasus 40"]
    # 157.56 m + 8 km + 5 km; replace at the 650 km the runner set, notice at 60% of it
    assert peg["distance"] == pytest.approx(13.16, abs=0.01)
    assert peg["replace"] == 650.0 and peg["notice"] == 390.0
    assert doc["Brooks Ghost 14"]["status"] == "retired"


def test_report_on_a_garmin_export(tmp_path):
    pdf = tmp_path / "season.pdf"
    assert main(["report", str(GARMIN), "-o", str(pdf), "--no-cache"]) == 0
    assert pdf.stat().st_size > 10_000


# --- Apple Health ------------------------------------------------------------------------------

APPLE = EXPORTS / "apple_health_export"


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_apple_health_workouts(as_zip, tmp_path):
    path = _zip_folder(APPLE, tmp_path / "export.zip", "apple_health_export/") if as_zip \
        else APPLE
    result = kneeload.read_activities(path, cache=False)
    # the clinical-records file is listed as ignored (every file accounted for), nothing else
    assert list(result.skipped["kind"]) == ["ignored"]
    assert result.skipped["path"].iloc[0].endswith("export_cda.xml")
    acts = result.activities.set_index("local_date")
    assert list(acts["sport"]) == ["running", "running", "treadmill", "walking", "cycling"]
    old = acts.loc[pd.Timestamp("2019-05-01")]  # Workout attributes: 5.01 km, 30.5 min
    assert old.distance_m == pytest.approx(5010) and old.moving_s == pytest.approx(1830)
    assert old.ascent_m == pytest.approx(42) and old.tz_source == "recorded"
    assert old.local_start == pd.Timestamp("2019-05-01 08:05")
    new = acts.loc[pd.Timestamp("2024-06-09")]  # WorkoutStatistics: 3.10955 mi; a route
    assert new.distance_m == pytest.approx(3.10955 * MI)
    assert new.n_samples == 168 and new.hr_avg_bpm == 151 and new.hr_max_bpm == 172
    assert new.local_start == pd.Timestamp("2024-06-09 19:30")  # Sunday evening, -0700
    assert acts.loc[pd.Timestamp("2024-06-11"), "distance_m"] == 8000  # HKIndoorWorkout=1
    assert acts.loc[pd.Timestamp("2024-06-13"), "distance_m"] == 20000


def test_apple_health_is_streamed_not_loaded_whole(monkeypatch):
    """export.xml goes through iterparse; a whole-document parse would fail this test."""
    import defusedxml.ElementTree as DET
    monkeypatch.setattr(DET, "parse", lambda *a, **k: pytest.fail("parsed whole"))
    monkeypatch.setattr(DET, "fromstring", lambda *a, **k: pytest.fail("parsed whole"))
    import kneeload.io.gpx as gpx  # routes are small files: parsed whole on their own
    monkeypatch.setattr(gpx, "parse_xml", lambda raw: __import__(
        "xml.etree.ElementTree", fromlist=["x"]).fromstring(raw.data))
    acts = kneeload.read_activities(APPLE, cache=False).activities
    assert len(acts) == 5


def test_apple_health_entity_is_refused(tmp_path):
    folder = tmp_path / "apple_health_export"
    folder.mkdir()
    (folder / "export.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE HealthData [<!ENTITY x "y">]><HealthData>&x;'
        "</HealthData>")
    result = kneeload.read_activities(folder, cache=False)
    assert result.skipped.loc[0, "kind"] == "unsafe"


# --- local time --------------------------------------------------------------------------------

def test_summary_counts_runs_placed_by_the_machines_clock(capsys):
    assert main(["summary", str(EXPORTS / "strava_nl"), "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert "3 of 6 activities were placed on a day by this machine's clock (UTC)" in out
    assert main(["summary", str(EXPORTS / "strava_nl"), "--no-cache", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["placed_by_machine_clock"] == 3
    assert main(["summary", str(EXPORTS / "strava_nl"), "--no-cache", "--tz",
                 "America/Phoenix"]) == 0
    assert "machine's clock" not in capsys.readouterr().out


def test_force_tz_places_everything_in_one_zone():
    acts = kneeload.read_activities(EXPORTS / "strava_en", cache=False,
                                    force_tz="Asia/Tokyo").activities
    assert (acts["tz_source"] == "forced:Asia/Tokyo").all()
    gpx = acts[acts["source_format"] == "gpx"].iloc[0]
    assert gpx.local_start == pd.Timestamp("2024-06-10 11:30")  # 02:30 UTC + 9 h


# --- XML hardening -----------------------------------------------------------------------------

def test_utf16_gpx_with_a_dtd_is_refused_as_unsafe():
    doc = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE gpx [<!ELEMENT gpx ANY>]>'
           '<gpx><trk><trkseg><trkpt lat="1" lon="1"><time>2024-01-01T00:00:00Z</time>'
           '</trkpt></trkseg></trk></gpx>').encode("utf-16")
    with pytest.raises(kneeload.errors.UnsafeInputError, match="DTD"):
        kneeload.read_file(io.BytesIO(doc))


def test_utf16_gpx_without_a_dtd_is_read():
    doc = ('<?xml version="1.0" encoding="UTF-16"?>'
           '<gpx><trk><trkseg><trkpt lat="1" lon="1"><time>2024-01-01T00:00:00Z</time>'
           '</trkpt><trkpt lat="1" lon="1.01"><time>2024-01-01T00:10:00Z</time></trkpt>'
           '</trkseg></trk></gpx>').encode("utf-16")
    row = kneeload.read_file(io.BytesIO(doc)).iloc[0]
    assert row.distance_m == pytest.approx(1111.78, abs=0.1)  # 0.01 deg of longitude at 1 N


def test_a_gpx_that_is_really_fit_is_read_as_fit(data, tmp_path):
    fake = tmp_path / "run.gpx"
    fake.write_bytes((data / "fit/fenix5-tiny-run.fit").read_bytes())
    row = kneeload.read_file(fake).iloc[0]
    assert row.source_format == "fit" and row.distance_m == pytest.approx(157.56)


# --- discovery ---------------------------------------------------------------------------------

def test_files_are_found_beside_the_data_then_in_the_config_folder(tmp_path, monkeypatch):
    from kneeload.discover import discover
    data = tmp_path / "runs"
    data.mkdir()
    user = tmp_path / "config"
    user.mkdir()
    monkeypatch.setenv("KNEELOAD_CONFIG_DIR", str(user))
    (user / "pain.csv").write_text("date,pain\n2024-06-10,2\n")
    (user / "kneeload.toml").write_text('unit = "km"\n')
    (data / "kneeload.toml").write_text('unit = "mi"\n')
    found = discover([data])
    assert found.config == str(data / "kneeload.toml") and found.origin["config"] == (
        "beside the data")
    assert found.pain == str(user / "pain.csv") and found.origin["pain"] == (
        "user config folder")
    assert found.shoes is None


def test_every_command_finds_the_same_pain_log(tmp_path, capsys):
    data = tmp_path / "export"
    shutil.copytree(EXPORTS / "strava_en", data)
    (data / "pain.csv").write_text("date,pain\n2024-06-10,4\n2024-06-11,5\n")
    err = {}
    for cmd in (["check"], ["pairs"], ["summary"], ["shoes"]):
        main([*cmd, str(data), "--no-cache"])
        err[cmd[0]] = capsys.readouterr().err
    for cmd, text in err.items():
        assert f"pain log: {data / 'pain.csv'} (beside the data)" in text, cmd
    season = kneeload.Season.from_paths(data, cache=False)
    assert season.files.pain == str(data / "pain.csv") and season.pain is not None
    assert set(season.shoes["shoe"]) == {"Daily Trainer", "Saucony Endorphin Pro 3", "Race"}


def test_kneeload_shoes_file_wins_where_both_speak(tmp_path):
    data = tmp_path / "export"
    shutil.copytree(EXPORTS / "strava_en", data)
    own = tmp_path / "my-shoes.csv"
    own.write_text("shoe,replace,unit\nDaily Trainer,600,km\n")
    season = kneeload.Season.from_paths(data, shoes=own, cache=False)
    pairs = season.shoes.set_index("shoe")
    assert pairs.loc["Daily Trainer", "replace_m"] == 600_000  # the file's limit
    assert pairs.loc["Daily Trainer", "brand"] == "Nike"       # blank in the file: the export's
    assert pd.isna(pairs.loc["Race", "replace_m"])  # only in the data: the configured band
    status = season.shoe_status().set_index("shoe")
    assert status.loc["Race", "replace_m"] == pytest.approx(500 * MI)
    assert status.loc["Daily Trainer", "replace_m"] == 600_000


def test_fr70_power_on_clock_run_from_the_corpus_is_placed():
    from conftest import real_files_dir
    corpus = real_files_dir()
    if corpus is None:
        pytest.skip("shared real_files corpus not present")
    row = kneeload.read_file(corpus / "fit/fitparse__compressed-speed-distance.fit").iloc[0]
    # activity.local_timestamp 2012-02-13 12:21:03 at relative 17,221,751 s; the session
    # started at 17,217,864 s: 3,887 s earlier, 11:16:16 local
    assert row.distance_m == pytest.approx(10248.67)
    assert row.local_start == pd.Timestamp("2012-02-13 11:16:16")


def test_an_exports_main_file_given_alone_is_read():
    apple = kneeload.read_activities(APPLE / "export.xml", cache=False)
    assert len(apple.activities) == 5 and set(apple.skipped["kind"]) == {"ignored"}
    # a bare Strava activities.csv: its rows from the CSV, each naming the file it lacks
    strava = kneeload.read_activities(EXPORTS / "strava_it" / "activities.csv", cache=False)
    acts = strava.activities
    assert len(acts) == 6 and (acts["source_format"] == "csv").all()
    assert acts["distance_m"].sum() == pytest.approx(157.6 + 5004.4 + 8046.7 + 30000
                                                     + 2153.7 + 5000)


def test_garmin_summaries_given_alone_are_recognised_by_content(tmp_path):
    with zipfile.ZipFile(GARMIN) as z:
        name = next(n for n in z.namelist() if n.endswith("_summarizedActivities.json"))
        (tmp_path / "my-activities.json").write_bytes(z.read(name))
        gear = next(n for n in z.namelist() if n.endswith("_gear.json"))
        (tmp_path / "gear-copy.json").write_bytes(z.read(gear))
    result = kneeload.read_activities([tmp_path / "my-activities.json",
                                       tmp_path / "gear-copy.json"], cache=False)
    # no FIT files: the five summaries are the activities (8 km treadmill run among them)
    assert sorted(result.activities["distance_m"].round(2)) == [
        157.56, 4835.38, 5000, 8000, 30000]
    assert result.skipped.loc[0, "kind"] == "unsupported"  # gear alone is not activities


def test_two_power_on_runs_of_one_watch_are_both_kept(data, tmp_path):
    """The FR70 writes the same activity.local_timestamp in files nine days apart (its
    relative clock says so): both runs land on that day, and neither is dropped as a
    duplicate of the other; each says to check its date."""
    from conftest import real_files_dir
    corpus = real_files_dir()
    if corpus is None:
        pytest.skip("shared real_files corpus not present")
    shutil.copy(data / "invalid/relative-device-times.fit", tmp_path / "a.fit")
    shutil.copy(corpus / "fit/fitparse__compressed-speed-distance.fit", tmp_path / "b.fit")
    result = kneeload.read_activities(tmp_path, cache=False)
    assert len(result.activities) == 2 and result.skipped.empty
    assert result.activities["note"].str.contains("check the date").all()


def test_damaged_apple_health_archive_is_named_not_a_crash(tmp_path):
    z = _zip_folder(APPLE, tmp_path / "export.zip", "apple_health_export/")
    blob = bytearray(z.read_bytes())
    blob[200:260] = b"\0" * 60  # inside export.xml's deflated data
    z.write_bytes(bytes(blob))
    result = kneeload.read_activities(z, cache=False)
    assert result.skipped.loc[0, "kind"] == "unreadable"
    assert "cannot be read as an Apple Health export" in result.skipped.loc[0, "reason"]
