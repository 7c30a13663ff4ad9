"""Bulk exports: Strava (folder or .zip) and Garmin Connect (.zip, nested .zip), manual logs.

Archives are read in memory, member by member: nothing is ever extracted, so no
member can be written outside a folder. Members with ``..`` or absolute paths,
symlinks, and members that would decompress past the limits are refused with a
reason. Limits: see ``MAX_MEMBER_BYTES``, ``MAX_ARCHIVE_BYTES``, ``MAX_RATIO``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from ..errors import CorruptFileError, InputError, UnsafeInputError, UnsupportedFormatError
from ..schema import M_PER_KM, M_PER_MI, ON_FOOT_SPORTS
from ._source import MAX_FILE_BYTES, format_from_name
from ._summary import PER_FOOT_CADENCE_MAX
from ._time import local_wall_time, timezone_name

#: Largest member of an archive once decompressed [bytes].
MAX_MEMBER_BYTES = MAX_FILE_BYTES
#: Largest total of an archive's members once decompressed [bytes] (a decade of runs is ~4 GB
#: of FIT at most; 16 GiB stops a bomb).
MAX_ARCHIVE_BYTES = 16 * 1024**3
#: Largest compression ratio of a member over 1 MiB (activity files compress 2-20x).
MAX_RATIO = 200
#: Archives inside archives are read this deep (Garmin: export.zip > UploadedFiles_*.zip).
MAX_DEPTH = 2

STRAVA_SPORTS = {
    "run": "running", "trail run": "trail_running", "virtual run": "treadmill",
    "walk": "walking", "hike": "walking", "ride": "cycling", "virtual ride": "cycling",
    "e-bike ride": "cycling", "gravel ride": "cycling", "mountain bike ride": "cycling",
    "e-mountain bike ride": "cycling", "velomobile": "cycling", "handcycle": "cycling",
    "swim": "swimming",
}
STRAVA_REQUIRED = ("Activity ID", "Activity Date", "Activity Type", "Distance", "Filename")
STRAVA_DATE_FORMAT = "%b %d, %Y, %I:%M:%S %p"


@dataclass
class Member:
    """One file found in a folder or archive: display name and a way to get its bytes."""

    name: str
    data: bytes


def strava_sport(activity_type: str) -> str:
    return STRAVA_SPORTS.get(activity_type.strip().lower(), "other")


# --- archives ---------------------------------------------------------------------------


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def iter_zip(path: str, blob: bytes | None = None, depth: int = 0
             ) -> Iterator[Member | InputError]:
    """Yield the activity files (and activities.csv) of an archive, or an error per member.

    Nested .zip members are opened in turn up to ``MAX_DEPTH``.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(blob) if blob is not None else path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield CorruptFileError(path, f"is not a readable zip archive ({exc})")
        return
    total = 0
    seen: set[str] = set()
    with zf:
        for info in zf.infolist():
            name = info.filename
            display = f"{path}!{name}"
            if info.is_dir():
                continue
            base = os.path.basename(name)
            wanted = format_from_name(base) or base.lower() == "activities.csv" or (
                base.lower().endswith(".zip") and depth < MAX_DEPTH)
            if not wanted:
                continue
            parts = name.replace("\\", "/").split("/")
            if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
                yield UnsafeInputError(display, "has an absolute or '..' path; refused (nothing "
                                       "is extracted, but such an archive is not an export)")
                continue
            if _is_symlink(info):
                yield UnsafeInputError(display, "is a symbolic link; refused")
                continue
            if name in seen:
                yield UnsafeInputError(display, "appears twice in the archive; the second copy "
                                       "is ignored")
                continue
            seen.add(name)
            if info.file_size > MAX_MEMBER_BYTES or (
                    info.file_size > 2**20 and info.file_size > MAX_RATIO * max(
                        info.compress_size, 1)):
                yield UnsafeInputError(display, f"would decompress to {info.file_size:,} bytes "
                                       f"from {info.compress_size:,} (limit "
                                       f"{MAX_MEMBER_BYTES // 2**20} MiB, ratio {MAX_RATIO}); "
                                       "refused as a likely compression bomb")
                continue
            total += info.file_size
            if total > MAX_ARCHIVE_BYTES:
                yield UnsafeInputError(path, f"holds more than {MAX_ARCHIVE_BYTES // 2**30} GiB "
                                       "once decompressed; the rest is refused")
                return
            try:
                with zf.open(info) as fh:
                    data = fh.read(MAX_MEMBER_BYTES + 1)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
                yield CorruptFileError(display, f"cannot be read from the archive ({exc})")
                continue
            if len(data) > MAX_MEMBER_BYTES:
                yield UnsafeInputError(display, "decompresses past its declared size; refused")
                continue
            if base.lower().endswith(".zip"):
                yield from iter_zip(display, data, depth + 1)
            else:
                yield Member(display, data)


def iter_folder_members(folder: str) -> Iterator[Member | InputError]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            p = os.path.join(root, f)
            if f.lower() == "activities.csv" or format_from_name(f):
                try:
                    with open(p, "rb") as fh:
                        yield Member(p, fh.read())
                except OSError as exc:
                    yield CorruptFileError(p, f"cannot be opened ({exc.strerror})")


def is_strava_folder(path: str) -> bool:
    """A folder holding an ``activities.csv`` is read as a Strava export."""
    return os.path.isfile(os.path.join(path, "activities.csv"))


# --- Strava activities.csv -------------------------------------------------------------------


@dataclass
class StravaRow:
    line: int
    activity_id: str
    start_time: pd.Timestamp
    name: str
    sport: str
    activity_type: str
    gear: str
    filename: str
    values: dict[str, float | None]


def _num(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def parse_strava_csv(name: str, data: bytes) -> list[StravaRow]:
    """Rows of a Strava ``activities.csv``. The header repeats columns: the first ``Distance``
    is in the account's display unit, the last in metres; the last of each repeated column is
    used. ``Activity Date`` is UTC, like ``May 6, 2024, 4:02:34 AM``."""
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise UnsupportedFormatError(name, "is empty") from None
    missing = [c for c in STRAVA_REQUIRED if c not in header]
    if missing:
        raise UnsupportedFormatError(
            name, f"is not an English Strava activities.csv (no {', '.join(missing)} column; "
            f"its first column is {header[0]!r}). kneeload reads exports in English only: set "
            "Strava's language to English and request the export again. The activity files "
            "are read without the CSV (no gear, no manual entries)", "line 1")
    last = {col: i for i, col in enumerate(header)}  # the last of repeated columns
    rows = []
    for lineno, rec in enumerate(reader, start=2):
        if not any(cell.strip() for cell in rec):
            continue
        if len(rec) < len(header):
            rec = rec + [""] * (len(header) - len(rec))

        def get(col: str, rec: list[str] = rec) -> str:
            i = last.get(col)
            return rec[i].strip() if i is not None else ""

        date_text = get("Activity Date")
        try:
            start = pd.Timestamp(dt.datetime.strptime(date_text, STRAVA_DATE_FORMAT),
                                 tz="UTC")
        except ValueError:
            raise InputError(name, f"Activity Date {date_text!r} is not like 'May 6, 2024, "
                             "4:02:34 AM'; fix the row or re-export", f"line {lineno}") from None
        values = {
            "distance_m": _num(get("Distance")),
            "elapsed_s": _num(get("Elapsed Time")),
            "moving_s": _num(get("Moving Time")),
            "ascent_m": _num(get("Elevation Gain")),
            "descent_m": _num(get("Elevation Loss")),
            "hr_avg_bpm": _num(get("Average Heart Rate")),
            "hr_max_bpm": _num(get("Max Heart Rate")),
            "cadence": _num(get("Average Cadence")),
        }
        atype = get("Activity Type")
        rows.append(StravaRow(line=lineno, activity_id=get("Activity ID"), start_time=start,
                              name=get("Activity Name"), sport=strava_sport(atype),
                              activity_type=atype, gear=get("Activity Gear"),
                              filename=get("Filename"), values=values))
    return rows


def strava_row_activity(row: StravaRow, csv_name: str, tz: dt.tzinfo) -> dict[str, object]:
    """An activities-table row from the CSV alone (manual entries, missing files)."""
    v = row.values
    cad = v["cadence"]
    if cad is not None and row.sport in ON_FOOT_SPORTS:
        cad = cad * 2 if cad <= PER_FOOT_CADENCE_MAX else cad
    else:
        cad = None
    local = local_wall_time(row.start_time, tz)
    digest = hashlib.sha1(f"strava:{row.activity_id}".encode()).hexdigest()
    return {
        "activity_id": f"{digest[:16]}-0", "start_time": row.start_time, "local_start": local,
        "local_date": local.normalize(),
        "utc_offset_s": (local - row.start_time.tz_localize(None)).total_seconds(),
        "tz_source": timezone_name(tz), "sport": row.sport, "sub_sport": row.activity_type,
        "distance_m": v["distance_m"], "elapsed_s": v["elapsed_s"],
        "moving_s": v["moving_s"] if v["moving_s"] is not None else v["elapsed_s"],
        "ascent_m": v["ascent_m"], "descent_m": v["descent_m"], "hr_avg_bpm": v["hr_avg_bpm"],
        "hr_max_bpm": v["hr_max_bpm"], "cadence_spm": cad, "device": "Strava activities.csv",
        "gear": row.gear, "source_path": f"{csv_name}#line {row.line}", "source_format": "csv",
        "session_index": 0, "n_samples": 0,
        "distance_source": "session" if v["distance_m"] is not None else "none",
        "partial": False, "note": "",
    }


# --- manual log ----------------------------------------------------------------------------

MANUAL_HEADER = ("date", "distance", "duration")


def is_manual_log(data: bytes) -> bool:
    first = data[:200].decode("utf-8-sig", errors="replace").splitlines()[:1]
    cols = [c.strip().lower() for c in first[0].split(",")] if first else []
    return tuple(cols[:3]) == MANUAL_HEADER


def _duration_s(text: str) -> float:
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3:
        raise ValueError(text)
    total = 0.0
    for p in parts:
        total = total * 60 + float(p)
    if len(parts) == 1:
        total *= 60.0  # a bare number is minutes
    return total


def parse_manual_log(name: str, data: bytes, tz: dt.tzinfo) -> list[dict[str, object]]:
    """A manual log: header ``date,distance,duration`` then optional ``shoe``, ``sport``,
    ``unit`` (mi or km, default mi) columns. Duration ``h:mm:ss``, ``mm:ss`` or minutes.
    Every bad row is an error naming its line."""
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    known = {"date", "distance", "duration", "shoe", "sport", "unit", "note", "rpe"}
    unknown = [f for f in fields if f not in known]
    if unknown:
        raise InputError(name, f"unknown column(s) {', '.join(unknown)}; the manual log's "
                         "columns are date,distance,duration[,shoe][,sport][,unit][,note][,rpe]",
                         "line 1")
    rows = []
    for lineno, rec in enumerate(reader, start=2):
        r = {k.strip().lower(): (v or "").strip() for k, v in rec.items() if k}
        if not any(r.values()):
            continue
        try:
            day = dt.date.fromisoformat(r["date"])
        except ValueError:
            raise InputError(name, f"date {r['date']!r} is not an ISO date like 2026-05-04",
                             f"line {lineno}") from None
        unit = (r.get("unit") or "mi").lower()
        if unit not in ("mi", "km"):
            raise InputError(name, f"unit {unit!r} must be mi or km", f"line {lineno}")
        dist = _num(r["distance"])
        if dist is None or dist < 0:
            raise InputError(name, f"distance {r['distance']!r} is not a number >= 0",
                             f"line {lineno}")
        try:
            dur = _duration_s(r["duration"]) if r["duration"] else None
        except ValueError:
            raise InputError(name, f"duration {r['duration']!r} is not h:mm:ss, mm:ss or "
                             "minutes", f"line {lineno}") from None
        sport = (r.get("sport") or "running").lower()
        from ..schema import SPORTS
        if sport not in SPORTS:
            raise InputError(name, f"sport {sport!r} is not one of {', '.join(SPORTS)}",
                             f"line {lineno}")
        rpe = _num(r["rpe"]) if r.get("rpe") else None
        if r.get("rpe") and (rpe is None or not 0 <= rpe <= 10):
            raise InputError(name, f"rpe {r['rpe']!r} is not a number from 0 to 10 (session "
                             "rating of perceived exertion)", f"line {lineno}")
        local = pd.Timestamp(day) + pd.Timedelta(hours=12)
        start = local.tz_localize(tz).tz_convert("UTC")
        digest = hashlib.sha1(f"manual:{name}:{lineno}:{r}".encode()).hexdigest()
        rows.append({
            "activity_id": f"{digest[:16]}-0", "start_time": start, "local_start": local,
            "local_date": local.normalize(),
            "utc_offset_s": (local - start.tz_localize(None)).total_seconds(),
            "tz_source": timezone_name(tz), "sport": sport, "sub_sport": "manual",
            "distance_m": dist * (M_PER_MI if unit == "mi" else M_PER_KM),
            "elapsed_s": dur, "moving_s": dur, "gear": r.get("shoe", ""),
            "device": "manual log", "source_path": f"{name}#line {lineno}",
            "source_format": "manual", "session_index": 0, "n_samples": 0,
            "distance_source": "session", "partial": False, "note": r.get("note", ""),
            "rpe": rpe,
        })
    return rows
