"""Generate small Polar, Health Connect, Zepp and Huawei exports shaped like the real ones.

Deterministic in content; run from the repository root::

    python scripts/make_more_export_fixtures.py [OUT]   # default tests/data/exports_more

The tests (tests/test_exports_more.py) call :func:`build_all` into a temporary folder, so
nothing generated is committed. Layouts (names, keys, units, the literal ``NaN`` of Polar's
newer layout, Huawei's HiTrack lines) follow the public parsers and samples named in
docs/exports.md; every value is synthetic.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# --- Polar ------------------------------------------------------------------------------------

POLAR_DIR = "polar-user-data-export_0a1b2c3d-0000-4000-8000-000000000001"


def polar_v1_session() -> dict:
    """``exportVersion`` 1.x: a 10 km run, 2024-05-06 07:00 local at UTC+2 (05:00 UTC)."""
    t = [f"2024-05-06T07:{m:02d}:00.000" for m in (0, 1, 2)]

    def points(values: tuple[float, ...]) -> list[dict]:
        return [{"dateTime": x, "value": v} for x, v in zip(t, values, strict=True)]

    return {
        "exportVersion": "1.6", "name": "Morning run", "startTime": "2024-05-06T07:00:00.000",
        "stopTime": "2024-05-06T07:50:00.000", "timeZoneOffset": 120,
        "distance": 10000.0, "duration": "PT50M", "sport": "RUNNING",
        "maximumHeartRate": 171, "averageHeartRate": 148, "kiloCalories": 650,
        "deviceId": "Polar Vantage M",
        "exercises": [{
            "startTime": "2024-05-06T07:00:00.000", "stopTime": "2024-05-06T07:50:00.000",
            "timezoneOffset": 120, "duration": "PT50M", "distance": 10000.0,
            "sport": "RUNNING", "ascent": 42.0, "descent": 40.0, "kiloCalories": 650,
            "heartRate": {"min": 96, "avg": 148, "max": 171},
            "samples": {
                "heartRate": points((120, 140, 150)), "speed": points((11.5, 12.0, 12.1)),
                "distance": points((0.0, 200.0, 400.0)),
                "recordedRoute": [
                    {"dateTime": x, "latitude": 60.1699 + i * 0.001, "longitude": 24.9384,
                     "altitude": 12.0 + i} for i, x in enumerate(t)],
            },
        }],
    }


def polar_new_session_text() -> str:
    """The ``durationMillis`` layout: a 5 km run on 2024-05-08 at 23:30 local, UTC-7 (so
    06:30 UTC the next day), streams with a literal ``NaN`` dropout."""
    doc = {
        "identifier": {"id": "8d3c"}, "name": "Running", "startTime": "2024-05-08T23:30:00",
        "stopTime": "2024-05-09T00:00:00", "durationMillis": 1800000,
        "distanceMeters": 5000.0, "timezoneOffsetMinutes": -420, "hrAvg": 150, "hrMax": 175,
        "sport": {"id": "1"}, "product": {"modelName": "Polar Pacer Pro"},
        "exercises": [{
            "identifier": {"id": "8d3d"}, "startTime": "2024-05-08T23:30:00",
            "stopTime": "2024-05-09T00:00:00", "durationMillis": 1800000,
            "distanceMeters": 5000.0, "timezoneOffsetMinutes": -420, "sport": {"id": "1"},
            "laps": {},
            "statistics": {"statistics": [{"type": "HEART_RATE", "min": 90, "avg": 150,
                                           "max": 175}]},
            "samples": {"samples": [
                {"type": "HEART_RATE", "intervalMillis": 1000, "values": [140, "NaN", 150]},
                {"type": "DISTANCE", "intervalMillis": 1000, "values": [0.0, 2.8, 5.6]},
            ]},
            "routes": {"route": {"startTime": "2024-05-08T23:30:00", "wayPoints": [
                {"latitude": 37.77, "longitude": -122.42, "elapsedMillis": 0},
                {"latitude": 37.7701, "longitude": -122.42, "elapsedMillis": 1000}]}},
        }],
    }
    return json.dumps(doc, indent=2).replace('"NaN"', "NaN")  # Polar writes NaN bare


def build_polar(out: Path) -> Path:
    d = out / POLAR_DIR
    d.mkdir(parents=True, exist_ok=True)
    (d / "training-session-2024-05-06-7301234567-0a1b.json").write_text(
        json.dumps(polar_v1_session(), indent=2))
    (d / "training-session-2024-05-08-7309876543-8d3c.json").write_text(
        polar_new_session_text())
    (d / "account-data-2024-05-20.json").write_text(json.dumps(
        {"exportVersion": "1.0", "username": "runner@example.org", "sex": "FEMALE"}))
    (d / "247ohr_2024-05-06.json").write_text(json.dumps(
        {"deviceDays": [{"date": "2024-05-06", "samples": [{"heartRate": 60}]}]}))
    return d


# --- Health Connect ---------------------------------------------------------------------------

# 2024-05-11 02:00 UTC = 2024-05-10 21:00 at UTC-5.
HC_RUN_START_MS = 1715392800000
HC_DDL = """
CREATE TABLE application_info_table (row_id INTEGER PRIMARY KEY AUTOINCREMENT,
  package_name TEXT NOT NULL UNIQUE, app_name TEXT);
CREATE TABLE exercise_session_record_table (row_id INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid BLOB NOT NULL UNIQUE, last_modified_time INTEGER NOT NULL, client_record_id TEXT,
  client_record_version TEXT, device_info_id INTEGER, app_info_id INTEGER,
  recording_method INTEGER, dedupe_hash BLOB UNIQUE, start_time INTEGER NOT NULL,
  start_zone_offset INTEGER, end_time INTEGER NOT NULL, end_zone_offset INTEGER,
  local_date INTEGER, notes TEXT, exercise_type INTEGER NOT NULL, title TEXT,
  has_route INTEGER, planned_exercise_session_id BLOB);
CREATE TABLE distance_record_table (row_id INTEGER PRIMARY KEY AUTOINCREMENT, uuid BLOB,
  app_info_id INTEGER, start_time INTEGER NOT NULL, start_zone_offset INTEGER,
  end_time INTEGER NOT NULL, end_zone_offset INTEGER, local_date INTEGER,
  distance REAL NOT NULL);
CREATE TABLE heart_rate_record_table (row_id INTEGER PRIMARY KEY AUTOINCREMENT, uuid BLOB,
  app_info_id INTEGER, start_time INTEGER NOT NULL, start_zone_offset INTEGER,
  end_time INTEGER NOT NULL, end_zone_offset INTEGER, local_date INTEGER);
CREATE TABLE heart_rate_record_series_table (row_id INTEGER PRIMARY KEY AUTOINCREMENT,
  parent_key INTEGER NOT NULL, beats_per_minute INTEGER NOT NULL,
  epoch_millis INTEGER NOT NULL);
CREATE TABLE exercise_route_table (row_id INTEGER PRIMARY KEY AUTOINCREMENT,
  parent_key INTEGER NOT NULL, timestamp_millis INTEGER NOT NULL, latitude REAL NOT NULL,
  longitude REAL NOT NULL, altitude REAL, horizontal_accuracy REAL, vertical_accuracy REAL);
CREATE TABLE steps_record_table (row_id INTEGER PRIMARY KEY AUTOINCREMENT, uuid BLOB,
  app_info_id INTEGER, start_time INTEGER, end_time INTEGER, local_date INTEGER,
  count INTEGER);
"""


def build_health_connect_db(path: Path, *, sessions: bool = True) -> Path:
    """``health_connect_export.db``: a 5 km run (app 1) with distance, heart rate and route,
    a walk without distance and a yoga session (type 0, 'other')."""
    if path.exists():
        path.unlink()
    con = sqlite3.connect(path)
    ddl = HC_DDL if sessions else HC_DDL.replace("exercise_session_record_table",
                                                 "exercise_session_record_table_old")
    con.executescript(ddl)
    con.executemany("INSERT INTO application_info_table (row_id, package_name, app_name) "
                    "VALUES (?,?,?)", [(1, "com.example.runapp", "Run App"),
                                       (2, "com.example.phone", "Phone steps")])
    t0, hour = HC_RUN_START_MS, 3_600_000
    table = "exercise_session_record_table" if sessions else "exercise_session_record_table_old"
    con.executemany(
        f"INSERT INTO {table} (row_id, uuid, last_modified_time, app_info_id, start_time, "
        "start_zone_offset, end_time, end_zone_offset, local_date, notes, exercise_type, "
        "title, has_route) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(1, b"u1", t0, 1, t0, -18000, t0 + 1_800_000, -18000, 19853, "legs heavy", 56,
          "Evening 5k", 1),
         (2, b"u2", t0, 1, t0 + 24 * hour, -18000, t0 + 24 * hour + 2_400_000, -18000, 19854,
          None, 79, None, 0),
         (3, b"u3", t0, 1, t0 + 48 * hour, -18000, t0 + 48 * hour + 3_600_000, -18000, 19855,
          None, 0, "Yoga", 0)])
    con.executemany(
        "INSERT INTO distance_record_table (uuid, app_info_id, start_time, end_time, distance)"
        " VALUES (?,?,?,?,?)",
        [(b"d1", 1, t0, t0 + 900_000, 2500.0), (b"d2", 1, t0 + 900_000, t0 + 1_800_000,
                                                 2500.0),
         (b"d3", 2, t0, t0 + 1_800_000, 4990.0),  # the phone's own count: not the run's app
         (b"d4", 1, t0 - 5 * hour, t0 - 4 * hour, 1000.0)])  # outside every session
    con.execute("INSERT INTO heart_rate_record_table (row_id, uuid, app_info_id, start_time, "
                "end_time) VALUES (1, 'h1', 1, ?, ?)", (t0, t0 + 1_800_000))
    con.executemany("INSERT INTO heart_rate_record_series_table (parent_key, beats_per_minute,"
                    " epoch_millis) VALUES (1,?,?)",
                    [(140, t0 + 60_000), (150, t0 + 120_000), (160, t0 + 180_000),
                     (70, t0 - 3 * hour)])
    con.executemany("INSERT INTO exercise_route_table (parent_key, timestamp_millis, latitude, "
                    "longitude, altitude) VALUES (1,?,?,?,?)",
                    [(t0 + i * 60_000, 40.7128 + i * 0.001, -74.006, 10.0) for i in range(3)])
    con.execute("INSERT INTO steps_record_table (app_info_id, start_time, end_time, count) "
                "VALUES (2, ?, ?, 6000)", (t0, t0 + 1_800_000))
    con.commit()
    con.close()
    return path


def build_health_connect(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    db = build_health_connect_db(out / "health_connect_export.db")
    z = out / "Health Connect.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(db, "health_connect_export.db")
    db.unlink()
    return z


# --- Zepp -------------------------------------------------------------------------------------

ZEPP_HEADER = ("type,startTime,sportTime(s),maxPace(/meter),minPace(/meter),distance(m),"
               "avgPace(/meter),calories(kcal)")


def build_zepp(out: Path) -> Path:
    """A run (type 1, start in ms: 2024-05-13 05:30 UTC), a treadmill run (type 8, start as
    a date with +0000) and a strength session (type 52, 'other')."""
    d = out / "ZEPP_3075183000_1716000000000"
    (d / "SPORT").mkdir(parents=True, exist_ok=True)
    (d / "ACTIVITY").mkdir(exist_ok=True)
    (d / "SPORT" / "SPORT_1716000000000.csv").write_text("\n".join([
        ZEPP_HEADER,
        "1,1715578200000,1800,0.25,0.4,5000.0,0.36,320",
        "8,2024-05-14 17:00:00+0000,1200,0.3,0.4,3000,0.4,200",
        "52,2024-05-15 17:00:00+0000,2400,0,0,0,0,180",
    ]) + "\n")
    (d / "ACTIVITY" / "ACTIVITY_1716000000000.csv").write_text(
        "date,steps,distance,runDistance,calories\n2024-05-13,9000,7000,5000,400\n")
    return d


# --- Huawei -----------------------------------------------------------------------------------

# 2024-05-12 06:00 at UTC+8 = 2024-05-11 22:00 UTC.
HW_START_MS = 1715464800000


def huawei_attribute() -> str:
    t = HW_START_MS // 1000
    lines = [
        f"tp=lbs;k=0;lat=22.5431;lon=114.0579;alt=10.0;t={t}.0E0;",
        f"tp=lbs;k=1;lat=22.5440;lon=114.0579;alt=11.0;t={(HW_START_MS + 5000)};",
        f"tp=lbs;k=2;lat=90.0;lon=-80.0;alt=0.0;t={t + 8};",  # a pause marker, not a place
        f"tp=lbs;k=3;lat=22.5449;lon=114.0579;alt=12.0;t={t + 10};",
        f"tp=h-r;k={HW_START_MS};v=140;", f"tp=h-r;k={HW_START_MS + 5000};v=255;",
        f"tp=h-r;k={HW_START_MS + 10000};v=150;",
        f"tp=s-r;k={HW_START_MS};v=170;", f"tp=rs;k={HW_START_MS};v=30;",
    ]
    simple = {"avgHeartRate": 152, "maxHeartRate": 171, "avgStepRate": 172,
              "mTotalDescent": 31.0}
    return "HW_EXT_TRACK_DETAIL@is" + "\n".join(lines) + "\n&&HW_EXT_TRACK_SIMPLIFY@is" + \
        json.dumps(simple)


def build_huawei(out: Path) -> Path:
    """The decrypted folder: a run (sportType 4) and a walk (5) in the flat layout, an
    older file with its record inside ``motionPathData``, and a health-data file."""
    d = out / "HiZip_Huawei_Health"
    motion = d / "Motion path detail data & description"
    motion.mkdir(parents=True, exist_ok=True)
    run = {"recordId": "run1", "sportType": 4, "startTime": HW_START_MS,
           "endTime": HW_START_MS + 1_900_000, "totalTime": 1_800_000, "totalDistance": 5280,
           "totalCalories": 342000, "timeZone": "+0800", "attribute": huawei_attribute()}
    walk = {"recordId": "walk1", "sportType": 5, "startTime": HW_START_MS + 86_400_000,
            "endTime": HW_START_MS + 86_400_000 + 1_200_000, "totalTime": 1_200_000,
            "totalDistance": 1500, "timeZone": "+0800",
            "attribute": "HW_EXT_TRACK_DETAIL@is&&HW_EXT_TRACK_SIMPLIFY@is{}"}
    (motion / "motion path detail data.json").write_text(json.dumps([run, walk]))
    old = {"motionPathData": [{"sportType": 101, "startTime": 1577865600000,
                               "endTime": 1577867400000, "totalTime": 1_800_000,
                               "totalDistance": 6000, "timeZone": "+0100",
                               "attribute": "HW_EXT_TRACK_DETAIL@is"}]}
    (motion / "motion path detail data 2020.json").write_text(json.dumps([old]))
    health = d / "Health detail data & description"
    health.mkdir(exist_ok=True)
    (health / "health detail data.json").write_text(json.dumps([{"type": 7, "samplePoints": []}]))
    return d


def encrypt_flags(path: Path) -> None:
    """Set the 'encrypted' bit of every member (local and central headers), as Huawei's
    AES-protected zip has it; the bytes stay unreadable to zipfile either way."""
    data = bytearray(path.read_bytes())
    for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = data.find(sig)
        while i >= 0:
            data[i + at] |= 0x1
            i = data.find(sig, i + 4)
    path.write_bytes(bytes(data))


def build_huawei_encrypted(out: Path) -> Path:
    z = out / "HiZip_Huawei_Health.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("Motion path detail data & description/motion path detail data.json",
                    b"\x00" * 64)
    encrypt_flags(z)
    return z


def build_all(out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    return {"polar": build_polar(out), "health_connect": build_health_connect(out),
            "zepp": build_zepp(out), "huawei": build_huawei(out),
            "huawei_encrypted": build_huawei_encrypted(out)}


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "exports_more"
    for k, v in build_all(target).items():
        print(f"{k}: {v}")
