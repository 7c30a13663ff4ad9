"""Strava and Garmin bulk exports, manual logs, and hostile archives."""

from __future__ import annotations

import gzip
import io
import shutil
import stat
import zipfile

import pytest

import kneeload

# The real header of a Strava activities.csv (English), columns repeated as Strava writes them.
STRAVA_HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,"
    "Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,"
    "Average Speed,Elevation Gain,Elevation Loss,Elevation Low,Elevation High,Max Grade,"
    "Average Grade,Average Positive Grade,Average Negative Grade,Max Cadence,Average Cadence,"
    "Max Heart Rate,Average Heart Rate,Max Watts,Average Watts,Calories,Max Temperature,"
    "Average Temperature,Relative Effort,Total Work,Number of Runs,Uphill Time,Downhill Time,"
    "Other Time,Perceived Exertion,Type,Start Time,Weighted Average Power,Power Count,"
    "Prefer Perceived Exertion,Perceived Relative Effort,Commute,Total Weight Lifted,"
    "From Upload,Grade Adjusted Distance,Weather Observation Time,Weather Condition,"
    "Weather Temperature,Apparent Temperature,Dewpoint,Humidity,Weather Pressure,Wind Speed,"
    "Wind Gust,Wind Bearing,Precipitation Intensity,Sunrise Time,Sunset Time,Moon Phase,Bike,"
    "Gear,Precipitation Probability,Precipitation Type,Cloud Cover,Weather Visibility,UV Index,"
    "Weather Ozone,Jump Count,Total Grit,Average Flow,Flagged,Average Elapsed Speed,"
    "Dirt Distance,Newly Explored Distance,Newly Explored Dirt Distance,Activity Count,"
    "Total Steps,Carbon Saved,Pool Length,Training Load,Intensity,Average Grade Adjusted Pace,"
    "Timer Time,Total Cycles,Media")
N_COLS = len(STRAVA_HEADER.split(","))


def strava_row(**v) -> str:
    """A CSV row; the first Distance is in the display unit (km), the later one in metres."""
    cells = [""] * N_COLS
    idx = {}
    for i, name in enumerate(STRAVA_HEADER.split(",")):
        idx.setdefault(name, []).append(i)
    cells[idx["Activity ID"][0]] = v["id"]
    cells[idx["Activity Date"][0]] = f'"{v["date"]}"'
    cells[idx["Activity Name"][0]] = v.get("name", "Run")
    cells[idx["Activity Type"][0]] = v.get("type", "Run")
    cells[idx["Elapsed Time"][0]] = str(int(v["elapsed"]))
    cells[idx["Elapsed Time"][1]] = f'{v["elapsed"]:.1f}'
    cells[idx["Distance"][0]] = f'{v["metres"] / 1000:.2f}'
    cells[idx["Distance"][1]] = f'{v["metres"]:.1f}'
    cells[idx["Moving Time"][0]] = f'{v.get("moving", v["elapsed"]):.1f}'
    cells[idx["Activity Gear"][0]] = v.get("gear", "")
    cells[idx["Filename"][0]] = v.get("file", "")
    cells[idx["Elevation Loss"][0]] = str(v.get("descent", ""))
    cells[idx["Commute"][0]] = "false"
    cells[idx["Commute"][1]] = "0.0"
    return ",".join(cells)


@pytest.fixture
def strava_dir(tmp_path, data):
    root = tmp_path / "export_123"
    (root / "activities").mkdir(parents=True)
    (root / "activities" / "2700000001.fit.gz").write_bytes(
        gzip.compress((data / "fit/fr645-run.fit").read_bytes()))
    (root / "activities" / "2700000002.gpx.gz").write_bytes(
        gzip.compress((data / "gpx/garmin-connect-ns3-prefix.gpx").read_bytes()))
    (root / "activities" / "2700000005.tcx").write_bytes(
        (data / "tcx/fr410-no-heart-rate.tcx").read_bytes())  # in the folder, not in the CSV
    rows = [
        strava_row(id="2700000001", date="Sep 14, 2019, 3:22:05 PM", elapsed=3164.6,
                   metres=5839.8, gear="Pegasus 40", file="activities/2700000001.fit.gz"),
        strava_row(id="2700000002", date="Feb 21, 2018, 2:30:50 PM", elapsed=4, metres=4.7,
                   gear="Pegasus 40", file="activities/2700000002.gpx.gz"),
        strava_row(id="2700000003", date="May 6, 2024, 4:02:34 AM", elapsed=2400,
                   metres=8046.7, gear="Pegasus 40", name="Treadmill", descent=0),
        strava_row(id="2700000004", date="May 7, 2024, 5:00:00 PM", elapsed=3600,
                   metres=30000.0, type="Ride", gear="Allez"),
        strava_row(id="2700000006", date="May 9, 2024, 6:00:00 AM", elapsed=1800,
                   metres=5000.0, gear="Ghost 15", file="activities/2700000006.fit.gz"),
    ]
    (root / "activities.csv").write_text(STRAVA_HEADER + "\n" + "\n".join(rows) + "\n",
                                         encoding="utf-8")
    return root


def _check_strava(result, where: str):
    acts = result.activities
    assert len(acts) == 6
    by_gear = acts.groupby("gear")["distance_m"].sum()
    assert by_gear["Pegasus 40"] == pytest.approx(5839.77 + 4.7126 + 8046.7, abs=0.01)
    assert by_gear["Ghost 15"] == pytest.approx(5000.0)
    assert by_gear["Allez"] == pytest.approx(30000.0)
    manual = acts[acts["source_path"].str.endswith("activities.csv#line 4")].iloc[0]
    assert manual.sport == "running" and manual.source_format == "csv"
    assert manual.start_time.isoformat() == "2024-05-06T04:02:34+00:00"
    assert manual.elapsed_s == 2400 and manual.descent_m == 0
    missing = acts[acts["gear"] == "Ghost 15"].iloc[0]
    assert "activities/2700000006.fit.gz is not in the export" in missing.note
    ride = acts[acts["gear"] == "Allez"].iloc[0]
    assert ride.sport == "cycling"
    fit = acts[acts["source_path"].str.endswith("2700000001.fit.gz")].iloc[0]
    assert fit.source_format == "fit" and fit.n_samples == 1202
    assert where in fit.source_path
    assert (acts["source_path"].str.endswith("2700000005.tcx")).sum() == 1  # not lost
    assert result.skipped.empty


def test_strava_export_folder(strava_dir):
    _check_strava(kneeload.read_activities(strava_dir), str(strava_dir))


def test_strava_export_zip_read_in_memory(strava_dir, tmp_path):
    z = shutil.make_archive(str(tmp_path / "export"), "zip", strava_dir)
    shutil.rmtree(strava_dir)
    _check_strava(kneeload.read_activities(z), "export.zip!activities/")


def test_strava_export_found_inside_a_bigger_folder(strava_dir):
    result = kneeload.read_activities(strava_dir.parent)
    assert len(result.activities) == 6


def test_strava_header_in_an_unknown_language_is_named_and_files_still_read(strava_dir):
    text = (strava_dir / "activities.csv").read_text(encoding="utf-8")
    (strava_dir / "activities.csv").write_text(  # Polish: not one of the seven languages
        text.replace("Activity ID,Activity Date", "Identyfikator aktywności,Data aktywności", 1),
        encoding="utf-8")
    result = kneeload.read_activities(strava_dir)
    skipped = result.skipped.iloc[0]
    assert skipped.kind == "unsupported"
    assert "not a Strava activities.csv kneeload can read" in skipped.reason
    assert "'Identyfikator aktywności'" in skipped.reason
    assert "English, German, French, Spanish, Italian, Portuguese, Dutch" in skipped.reason
    assert len(result.activities) == 3  # the files present are still read


def test_bad_strava_date_names_the_line(strava_dir):
    text = (strava_dir / "activities.csv").read_text(encoding="utf-8")
    (strava_dir / "activities.csv").write_text(text.replace("May 6, 2024", "early May"),
                                               encoding="utf-8")
    with pytest.raises(kneeload.InputError, match=r"activities.csv: line 4: Activity Date "
                                                  r"'early May, 4:02:34 AM' is not a date"):
        kneeload.read_activities(strava_dir, on_error="raise")


def test_garmin_export_nested_zip(tmp_path, data):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.write(data / "fit/fenix5-tiny-run.fit", "user@example.com_1001.fit")
        z.write(data / "fit/fr110-run-no-cadence.fit", "user@example.com_1002.fit")
    outer = tmp_path / "garmin.zip"
    with zipfile.ZipFile(outer, "w") as z:
        z.writestr("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip",
                   inner.getvalue())
        z.writestr("DI_CONNECT/DI-Connect-Fitness/user_summarizedActivities.json", "[]")
    result = kneeload.read_activities(outer)
    assert sorted(result.activities["distance_m"].round(2)) == [157.56, 4835.38]
    assert "UploadedFiles_0-_Part1.zip!user@example.com_1001.fit" in " ".join(
        result.activities["source_path"])


def test_manual_log(tmp_path):
    log = tmp_path / "manual.csv"
    log.write_text("date,distance,duration,shoe,unit\n2026-05-04,5,45:00,Pegasus 40,km\n"
                   "2026-05-06,3.1,0:28:30,,mi\n")
    acts = kneeload.read_activities(tmp_path).activities
    assert acts["distance_m"].round(1).tolist() == [5000.0, 4989.0]  # 3.1 mi
    assert acts["moving_s"].tolist() == [2700.0, 1710.0]
    assert acts["gear"].tolist() == ["Pegasus 40", ""]
    log.write_text("date,distance,duration\n2026-05-04,five,45:00\n")
    with pytest.raises(kneeload.InputError, match=r"manual.csv: line 2: distance 'five'"):
        kneeload.read_activities(log, on_error="raise")


# --- hostile archives ------------------------------------------------------------------------

def _zip(tmp_path, members):
    p = tmp_path / "evil.zip"
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info, data)
    return p


def test_path_traversal_symlink_and_duplicates_are_refused(tmp_path, data):
    run = (data / "fit/fenix5-tiny-run.fit").read_bytes()
    link = zipfile.ZipInfo("activities/link.fit")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    p = _zip(tmp_path, [("../../escape.fit", run), ("/abs/run.fit", run), (link, b"/etc/passwd"),
                        ("activities/ok.fit", run)])
    with zipfile.ZipFile(p, "a") as z:  # a second member of the same name
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            z.writestr("activities/ok.fit", run)
    result = kneeload.read_activities(p)
    assert len(result.activities) == 1
    reasons = dict(zip(result.skipped["path"].str.split("!").str[-1], result.skipped["reason"],
                       strict=True))
    assert "absolute or '..' path" in reasons["../../escape.fit"]
    assert "absolute or '..' path" in reasons["/abs/run.fit"]
    assert "symbolic link" in reasons["activities/link.fit"]
    assert "appears twice" in reasons["activities/ok.fit"]
    assert not (tmp_path.parent / "escape.fit").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.zip"]  # nothing extracted


def test_zip_bomb_is_refused(tmp_path):
    p = _zip(tmp_path, [("activities/bomb.gpx", b"<gpx>" + b" " * 30_000_000 + b"</gpx>")])
    result = kneeload.read_activities(p)
    assert result.activities.empty
    assert result.skipped.loc[0, "kind"] == "unsafe"
    assert "compression bomb" in result.skipped.loc[0, "reason"]
