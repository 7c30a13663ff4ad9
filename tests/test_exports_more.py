"""Polar, Health Connect, Zepp and Huawei exports: values, local dates, sports, skipped reasons,
damaged copies, and the accounting (every file read or listed with a reason)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import kneeload
from kneeload.errors import InputError
from kneeload.io import health_connect, huawei, polar, zepp
from kneeload.io.polar import iso_duration_s
from kneeload.sports import lookup

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "make_more_export_fixtures", ROOT / "scripts" / "make_more_export_fixtures.py")
fixtures = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(fixtures)  # type: ignore[union-attr]


@pytest.fixture
def built(tmp_path):
    return fixtures.build_all(tmp_path / "exports")


def read(path):
    return kneeload.read_activities(path, cache=False, tz="UTC")


def _zip_folder(folder: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w") as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, f"{folder.name}/{p.relative_to(folder).as_posix()}")
    return dest


def _accounted(result, folder: Path) -> None:
    """Every file of the export is a source of an activity or a skipped path."""
    sources = " ".join(result.activities["source_path"]) + " " + " ".join(result.skipped["path"])
    for p in folder.rglob("*"):
        if p.is_file():
            assert p.name in sources, p


# --- Polar ----------------------------------------------------------------------------------


def test_iso_durations():
    assert iso_duration_s("PT50M") == 3000.0
    assert iso_duration_s("PT1H2M3.5S") == 3723.5
    assert iso_duration_s("P1DT1S") == 86401.0
    assert iso_duration_s("fifty") is None


def test_polar_folder_both_layouts(built):
    r = read(built["polar"])
    a = r.activities
    assert len(a) == 2
    v1, new = a.iloc[0], a.iloc[1]
    # 1.x: 07:00 local at timeZoneOffset +120 min -> 05:00 UTC; PT50M = 3000 s; 10000 m
    assert v1["start_time"] == pd.Timestamp("2024-05-06 05:00", tz="UTC")
    assert v1["local_date"] == pd.Timestamp("2024-05-06")
    assert (v1["sport"], v1["distance_m"], v1["elapsed_s"]) == ("running", 10000.0, 3000.0)
    assert (v1["hr_avg_bpm"], v1["hr_max_bpm"], v1["descent_m"]) == (148.0, 171.0, 40.0)
    assert v1["n_samples"] == 3 and v1["tz_source"] == "recorded"
    # newer layout: 23:30 local at -420 min -> 06:30 UTC the next day; the local date stays
    # the 8th; durationMillis 1800000 = 1800 s; sport id "1" = running
    assert new["start_time"] == pd.Timestamp("2024-05-09 06:30", tz="UTC")
    assert new["local_date"] == pd.Timestamp("2024-05-08")
    assert (new["sport"], new["distance_m"], new["elapsed_s"]) == ("running", 5000.0, 1800.0)
    assert new["device"] == "Polar Pacer Pro"
    # accounting: account data and 24/7 HR listed, with the reason
    assert sorted(os.path.basename(p) for p in r.skipped["path"]) == [
        "247ohr_2024-05-06.json", "account-data-2024-05-20.json"]
    assert set(r.skipped["kind"]) == {"not_activity"}
    assert r.skipped["reason"].str.contains("Polar account data").all()
    _accounted(r, built["polar"])


def test_polar_nan_dropout_is_a_gap(built):
    p = next(built["polar"].glob("training-session-2024-05-08*"))
    data = p.read_bytes()
    assert b"NaN" in data  # written bare, as Polar does
    [parsed] = polar.parse_polar_session(str(p), data)
    hr = parsed.samples["hr_bpm"].tolist()
    assert hr[0] == 140 and pd.isna(hr[1]) and hr[2] == 150


def test_polar_zip_reads_the_same(built, tmp_path):
    z = _zip_folder(built["polar"], tmp_path / "polar-user-data-export.zip")
    r = read(z)
    assert r.activities["distance_m"].tolist() == [10000.0, 5000.0]
    assert len(r.skipped) == 2


def test_polar_truncated_session_is_a_clear_skip(built):
    p = next(built["polar"].glob("training-session-2024-05-06*"))
    p.write_bytes(p.read_bytes()[:300])
    r = read(built["polar"])
    assert len(r.activities) == 1
    hit = r.skipped[r.skipped["path"].str.contains("training-session-2024-05-06")]
    assert hit["kind"].tolist() == ["unreadable"]
    assert "is not readable JSON" in hit["reason"].iloc[0]


def test_polar_sniff():
    assert polar.looks_like_polar("x/training-session-2024-1.json", b'  {"exercises": []}')
    assert not polar.looks_like_polar("x/account-data.json", b"{}")
    assert lookup("polar", "TREADMILL_RUNNING").sport == "treadmill"


# --- Health Connect -------------------------------------------------------------------------


def test_health_connect_zip(built):
    r = read(built["health_connect"])
    a = r.activities
    assert a["sport"].tolist() == ["running", "walking", "other"]
    run = a.iloc[0]
    # 02:00 UTC at start_zone_offset -18000 s -> 21:00 on the 10th, local
    assert run["local_date"] == pd.Timestamp("2024-05-10")
    assert run["local_start"] == pd.Timestamp("2024-05-10 21:00")
    # 2500 + 2500 m of the run's own app inside the window; the phone's 4990 m and the
    # 1000 m five hours before are not the run's
    assert run["distance_m"] == 5000.0
    assert run["elapsed_s"] == 1800.0
    # heart rate 140, 150, 160 inside the window (70 three hours before is not)
    assert (run["hr_avg_bpm"], run["hr_max_bpm"]) == (150.0, 160.0)
    assert "Evening 5k - legs heavy" in run["note"]
    assert "sport '0' is generic; counted as 'other'" in a.iloc[2]["note"]  # OTHER_WORKOUT
    assert r.skipped.empty


def test_health_connect_samples_merge_route_and_heart_rate(built, tmp_path):
    with zipfile.ZipFile(built["health_connect"]) as zf:
        data = zf.read("health_connect_export.db")
    run = health_connect.parse_health_connect("hc.db", data)[0]
    s = run.samples
    # route at +0, +60, +120 s; heart rate at +60, +120, +180 s: 4 distinct times
    assert len(s) == 4
    assert s["lat_deg"].notna().sum() == 3 and s["hr_bpm"].notna().sum() == 3


def test_health_connect_db_given_alone(built, tmp_path):
    db = fixtures.build_health_connect_db(tmp_path / "health_connect_export.db")
    r = read(db)
    assert len(r.activities) == 3


def test_health_connect_corrupt_db_is_a_clear_skip(tmp_path):
    db = fixtures.build_health_connect_db(tmp_path / "health_connect_export.db")
    raw = bytearray(db.read_bytes())
    raw[100:4096] = b"\xff" * (4096 - 100)  # the schema page destroyed, magic kept
    z = tmp_path / "Health Connect.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("health_connect_export.db", bytes(raw))
    r = read(z)
    assert r.activities.empty
    assert r.skipped["kind"].tolist() == ["unreadable"]
    assert "damaged or locked" in r.skipped["reason"].iloc[0]


def test_health_connect_not_sqlite_and_missing_table(tmp_path):
    with pytest.raises(InputError, match="is not an SQLite database"):
        health_connect.parse_health_connect("x.db", b"PK\x03\x04 not a db")
    db = fixtures.build_health_connect_db(tmp_path / "health_connect_export.db",
                                          sessions=False)
    with pytest.raises(InputError, match="has no exercise_session_record_table"):
        health_connect.parse_health_connect(str(db), db.read_bytes())


def test_health_connect_sniff():
    assert health_connect.looks_like_health_connect("a!health_connect_export.db", b"")
    assert health_connect.looks_like_health_connect("x/other.db", b"SQLite format 3\x00")
    assert not health_connect.looks_like_health_connect("x/notes.txt", b"hello")
    con = sqlite3.connect(":memory:")
    con.close()


# --- Zepp -----------------------------------------------------------------------------------


def test_zepp_folder(built):
    r = read(built["zepp"])
    a = r.activities
    assert a["sport"].tolist() == ["running", "treadmill", "other"]
    # 1715578200000 ms = 2024-05-13 05:30 UTC; sportTime(s) 1800; distance(m) 5000
    assert a.iloc[0]["start_time"] == pd.Timestamp("2024-05-13 05:30", tz="UTC")
    assert (a.iloc[0]["distance_m"], a.iloc[0]["elapsed_s"]) == (5000.0, 1800.0)
    assert a.iloc[1]["local_date"] == pd.Timestamp("2024-05-14")
    assert a.iloc[1]["source_path"].endswith("SPORT_1716000000000.csv#line 3")
    assert [os.path.basename(p) for p in r.skipped["path"]] == ["ACTIVITY_1716000000000.csv"]
    assert "SPORT/SPORT_*.csv" in r.skipped["reason"].iloc[0]
    _accounted(r, built["zepp"])


def test_zepp_bad_start_names_the_line(built):
    f = built["zepp"] / "SPORT" / "SPORT_1716000000000.csv"
    f.write_text(f.read_text().replace("1715578200000", "yesterday"))
    r = read(built["zepp"])
    assert "line 2: startTime 'yesterday' is not a time" in " ".join(r.skipped["reason"])


def test_zepp_sniff():
    assert zepp.looks_like_zepp("e/SPORT/SPORT_1.csv", fixtures.ZEPP_HEADER.encode())
    assert not zepp.looks_like_zepp("e/SLEEP/SLEEP_1.csv", fixtures.ZEPP_HEADER.encode())
    assert lookup("zepp", 1).sport == "running"


# --- Huawei ---------------------------------------------------------------------------------


def test_huawei_folder(built):
    r = read(built["huawei"])
    a = r.activities
    assert a["sport"].tolist() == ["treadmill", "running", "walking"]
    run = a.iloc[1]
    # 2024-05-11 22:00 UTC at timeZone +0800 -> 06:00 on the 12th
    assert run["local_start"] == pd.Timestamp("2024-05-12 06:00")
    assert (run["distance_m"], run["moving_s"], run["elapsed_s"]) == (5280.0, 1800.0, 1900.0)
    assert (run["hr_avg_bpm"], run["hr_max_bpm"], run["descent_m"]) == (152.0, 171.0, 31.0)
    # the older file's record inside motionPathData: 2020-01-01 08:00 UTC at +0100
    assert a.iloc[0]["local_start"] == pd.Timestamp("2020-01-01 09:00")
    assert [os.path.basename(p) for p in r.skipped["path"]] == ["health detail data.json"]
    _accounted(r, built["huawei"])


def test_huawei_hitrack_lines():
    samples, simple = huawei.parse_attribute(fixtures.huawei_attribute())
    # 4 lbs lines, the pause marker (lat 90, lon -80) dropped; t in seconds and in ms both
    assert samples["lat_deg"].notna().sum() == 3
    assert samples["time"].iloc[0] == pd.Timestamp(fixtures.HW_START_MS, unit="ms", tz="UTC")
    # heart rate 255 is no reading
    assert sorted(samples["hr_bpm"].dropna().tolist()) == [140.0, 150.0]
    assert samples["speed_m_s"].dropna().tolist() == [3.0]  # 30 dm/s
    assert simple["avgHeartRate"] == 152


def test_huawei_encrypted_zip_is_refused_with_what_to_do(built):
    r = read(built["huawei_encrypted"])
    assert r.activities.empty
    assert r.skipped["kind"].tolist() == ["unsupported"]
    assert "extract it with 7-Zip" in r.skipped["reason"].iloc[0]


def test_huawei_truncated_json_is_a_clear_skip(built):
    f = built["huawei"] / huawei.MOTION_DIR / "motion path detail data.json"
    f.write_bytes(f.read_bytes()[:200])
    r = read(built["huawei"])
    assert len(r.activities) == 1
    assert "is not readable JSON" in " ".join(r.skipped["reason"])


def test_huawei_decrypted_zip(built, tmp_path):
    z = _zip_folder(built["huawei"], tmp_path / "huawei.zip")
    assert len(read(z).activities) == 3


def test_export_folders_found_inside_a_bigger_folder(built, tmp_path):
    top = tmp_path / "all"
    for k in ("polar", "zepp", "huawei"):
        shutil.copytree(built[k], top / built[k].name)
    r = read(top)
    assert len(r.activities) == 2 + 3 + 3


# --- Suunto and COROS FIT (real files of the shared corpus, asserted only when present) -----

REAL = os.environ.get("KNEELOAD_REAL_FILES", "")


@pytest.mark.parametrize(("name", "sport", "device", "distance_m"), [
    # Suunto run (GoldenCheetah test file, GPL-2.0: not committed): session 2338 m, the
    # records' last distance 2338 m
    ("fit/goldencheetah__Move_2020_01_15_19_27_16_Running.fit", "running", "suunto 34", 2338.0),
    # COROS PACE 2 ride (python-fitparse test file, MIT): session 32145.76 m
    ("fit/fitparse__coros-pace-2-cycling-misaligned-fields.fit", "cycling", "coros 802",
     32145.76),
])
def test_suunto_and_coros_fit(name, sport, device, distance_m):
    path = os.path.join(REAL, name)
    if not REAL or not os.path.isfile(path):
        pytest.skip("the real-file corpus (KNEELOAD_REAL_FILES) is not present")
    row = kneeload.read_file(path, tz="UTC").iloc[0]
    assert (row["sport"], row["device"], row["distance_source"]) == (sport, device, "session")
    assert row["distance_m"] == pytest.approx(distance_m, abs=0.01)
    samples = kneeload.read_samples(path)
    # the records' distance agrees with the session message within 0.1%
    assert samples["distance_m"].max() == pytest.approx(distance_m, rel=1e-3)
