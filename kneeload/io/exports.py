"""Bulk exports as archives or folders (Strava, Garmin Connect), and manual logs.

Archives are read in memory, member by member: nothing is ever extracted, so no
member can be written outside a folder. Members with ``..`` or absolute paths,
symlinks, and members that would decompress past the limits are refused with a
reason. Limits: see ``MAX_MEMBER_BYTES``, ``MAX_ARCHIVE_BYTES``, ``MAX_RATIO``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import math
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import CorruptFileError, InputError, UnsafeInputError, UnsupportedFormatError
from ..safeio import read_regular_file
from ..schema import M_PER_KM, M_PER_MI, ON_FOOT_SPORTS
from ..textfile import DELIMITERS, decode_text, parse_csv_text
from ._source import MAX_FILE_BYTES
from ._summary import PER_FOOT_CADENCE_MAX, check_row, place_start
from ._time import TZ_RECORDED, Placement, placement
from .strava import StravaRow

#: Largest member of an archive once decompressed [bytes].
MAX_MEMBER_BYTES = MAX_FILE_BYTES
#: Largest total of an archive's members once decompressed [bytes] (a decade of runs is ~4 GB
#: of FIT at most; 16 GiB stops a bomb).
MAX_ARCHIVE_BYTES = 16 * 1024**3
#: Largest compression ratio of a member over 1 MiB (activity files compress 2-20x).
MAX_RATIO = 200
#: Archives inside archives are read this deep (Garmin: export.zip > UploadedFiles_*.zip).
MAX_DEPTH = 2

@dataclass(frozen=True)
class Ignored:
    """A file of an export that no reader wants: listed in ``skipped`` with its kind's reason
    (:meth:`kneeload.io.kinds.InputKind.reason_for`), never passed over silently."""

    name: str
    why: str = ""  # set when the walk itself knows (a hidden file, a folder read once)


@dataclass
class Member:
    """One file found in a folder or archive: display name and a way to get its bytes.

    The bytes are read only when ``data`` is asked for, one member at a time, so an export
    never sits in memory whole. Reading raises InputError (damaged, encrypted, a bomb).
    """

    name: str
    read: Callable[[], bytes]

    @property
    def data(self) -> bytes:
        return self.read()


# --- archives ---------------------------------------------------------------------------


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, display: str) -> bytes:
    """A member's bytes, decompressed in chunks with the size and ratio checked as they
    come, whatever its header claims."""
    out = bytearray()
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(1 << 20)
                if not chunk:
                    break
                out += chunk
                if len(out) > MAX_MEMBER_BYTES or (
                        len(out) > 2**20 and len(out) > MAX_RATIO * max(info.compress_size, 1)):
                    raise UnsafeInputError(display, f"decompresses past {len(out):,} bytes "
                                           f"from {info.compress_size:,} (limit "
                                           f"{MAX_MEMBER_BYTES // 2**20} MiB, ratio "
                                           f"{MAX_RATIO}); refused as a likely compression "
                                           "bomb")
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError,
            zlib.error, ValueError) as exc:
        raise CorruptFileError(display, f"cannot be read from the archive ({exc})") from exc
    return bytes(out)


def iter_zip(path: str, blob: bytes | None = None, depth: int = 0,  # noqa: C901
             want: Callable[[str], bool] | None = None, *, report_ignored: bool = True
             ) -> Iterator[Member | InputError | Ignored]:
    """Yield the members of an archive that ``want`` (called with the base name) keeps, or
    an error per member: by default activity files and the export files kneeload reads.
    Every other member is yielded as :class:`Ignored` (unless ``report_ignored`` is False).

    ``want`` None keeps every member; the readers pass the input kinds' test
    (:func:`kneeload.io.kinds.is_export_member`), as this module sits below the registry.
    Members are read one at a time, when parsed (see :class:`Member`); nested .zip members
    are opened in turn up to ``MAX_DEPTH`` (deeper ones are reported, not read). Encrypted
    members are reported.
    """
    try:
        if blob is None and not _is_regular(path):
            read_regular_file(path, 0, "zip archive")  # raises: names what it is instead
        zf = zipfile.ZipFile(io.BytesIO(blob) if blob is not None else path)
    except InputError as exc:
        yield exc
        return
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        yield CorruptFileError(path, f"is not a readable zip archive ({exc})")
        return
    total = 0
    seen: set[str] = set()
    for info in zf.infolist():
        name = info.filename
        display = f"{path}!{name}"
        if info.is_dir():
            continue
        base = os.path.basename(name)
        nested = base.lower().endswith(".zip")
        wanted = (want is None or want(base)) or nested
        if not wanted:
            if report_ignored:
                yield Ignored(display)
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
        if info.flag_bits & 0x1:
            yield CorruptFileError(display, "is encrypted (password-protected); kneeload "
                                   "cannot read it: export or zip it again without a password")
            continue
        if nested and depth >= MAX_DEPTH:
            yield UnsupportedFormatError(display, f"is an archive nested more than "
                                         f"{MAX_DEPTH} deep; not read: extract it and give "
                                         "its folder to kneeload")
            continue
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
        if nested:
            try:
                inner = _read_member(zf, info, display)
            except InputError as exc:
                yield exc
                continue
            yield from iter_zip(display, inner, depth + 1, want, report_ignored=report_ignored)
        else:
            yield Member(display, functools.partial(_read_member, zf, info, display))


def _is_regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True  # let zipfile's open report it


@dataclass(frozen=True)
class Walked:
    """One entry of :func:`walk_folder`: a ``file``, a folder met again through a symbolic
    link (``linked``, ``first`` the path it was read under), a ``hidden`` folder, or a folder
    that could not be listed (``unlisted``)."""

    what: str
    path: str
    first: str = ""


def walk_folder(top: str, *, recursive: bool = True, prune: Callable[[str], bool] | None = None
                ) -> Iterator[Walked]:
    """Every file below ``top`` in sorted order, symbolic links to folders followed once: a
    folder reached again (a loop, or a second link to it) is yielded as ``linked`` and not
    walked twice. Hidden folders (``.name``) are yielded as ``hidden``, not entered;
    ``prune(folder)`` True yields the folder as a ``file`` (an export found inside) and does
    not enter it."""
    seen: dict[str, str] = {os.path.realpath(top): top}
    unlisted: list[str] = []

    def onerror(err: OSError) -> None:
        unlisted.append(err.filename or top)

    for root, dirs, files in os.walk(top, onerror=onerror, followlinks=True):
        while unlisted:
            yield Walked("unlisted", unlisted.pop(0))
        keep = []
        for d in sorted(dirs):
            full = os.path.join(root, d)
            if d.startswith("."):
                yield Walked("hidden", full)
                continue
            real = os.path.realpath(full)
            if real in seen:
                yield Walked("linked", full, seen[real])
                continue
            seen[real] = full
            if prune is not None and prune(full):
                yield Walked("file", full)
                continue
            keep.append(d)
        dirs[:] = keep if recursive else []
        for f in sorted(files):
            yield Walked("file", os.path.join(root, f))
    while unlisted:
        yield Walked("unlisted", unlisted.pop(0))


def iter_folder_members(folder: str, want: Callable[[str], bool] | None = None, *,
                        report_ignored: bool = True) -> Iterator[Member | InputError | Ignored]:
    """The files below ``folder`` that ``want`` keeps (see :func:`iter_zip`), read when
    parsed; archives inside are opened as :func:`iter_zip` opens nested ones (an unzipped
    Garmin export keeps its FIT files in ``UploadedFiles_*.zip``). Every other file, hidden
    one and folder met twice through a link is yielded as :class:`Ignored`."""
    for w in walk_folder(folder):
        base = os.path.basename(w.path)
        if w.what == "unlisted":
            yield CorruptFileError(w.path, "folder cannot be read; its files were not read")
        elif w.what == "hidden":
            if report_ignored:
                yield Ignored(w.path, "a hidden folder (system or app metadata), not read")
        elif w.what == "linked":
            if report_ignored:
                yield Ignored(w.path, f"the same folder as {w.first} (a symbolic link); "
                              "read once")
        elif base.startswith("."):
            if report_ignored:
                yield Ignored(w.path, "a hidden file (system or app metadata), not an "
                              "activity")
        elif base.lower().endswith(".zip"):
            yield from iter_zip(w.path, depth=1, want=want, report_ignored=report_ignored)
        elif want is None or want(base):
            yield Member(w.path, functools.partial(read_regular_file, w.path, MAX_MEMBER_BYTES,
                                                   "file"))
        elif report_ignored:
            yield Ignored(w.path)


# --- Strava activities.csv rows without a file ---------------------------------------------


def _num(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def strava_row_activity(row: StravaRow, csv_name: str, tz: dt.tzinfo | Placement
                        ) -> dict[str, object]:
    """An activities-table row from the CSV alone (manual entries, missing files)."""
    v = row.values
    sport = row.sport or "other"
    cad = v["cadence"]
    if cad is not None and sport in ON_FOOT_SPORTS:
        cad = cad * 2 if cad <= PER_FOOT_CADENCE_MAX else cad
    else:
        cad = None
    no_pos = np.array([np.nan])
    local, offset, tz_source = place_start(row.start_time, None, "", no_pos, no_pos, tz)
    digest = hashlib.sha1(f"strava:{row.activity_id}".encode()).hexdigest()
    note = "" if row.sport else (f"Strava type {row.activity_type!r} is not one kneeload "
                                 "knows; counted as 'other'")
    out: dict[str, object] = {
        "activity_id": f"{digest[:16]}-0", "start_time": row.start_time, "local_start": local,
        "local_date": local.normalize(), "utc_offset_s": offset, "tz_source": tz_source,
        "sport": sport, "sub_sport": row.activity_type,
        "distance_m": v["distance_m"], "elapsed_s": v["elapsed_s"],
        "moving_s": v["moving_s"] if v["moving_s"] is not None else v["elapsed_s"],
        "ascent_m": v["ascent_m"], "descent_m": v["descent_m"], "hr_avg_bpm": v["hr_avg_bpm"],
        "hr_max_bpm": v["hr_max_bpm"], "cadence_spm": cad, "device": "Strava activities.csv",
        "gear": row.gear, "rpe": v.get("rpe"), "source_path": f"{csv_name}#line {row.line}",
        "source_format": "csv", "session_index": 0, "n_samples": 0,
        "distance_source": "session" if v["distance_m"] is not None else "none",
        "partial": False, "implausible": False, "note": note,
    }
    notes = [note] if note else []
    check_row(out, notes)  # the one row check: possible times, bounds, implausible rows
    out["note"] = "; ".join(notes)
    return out


# --- manual log ----------------------------------------------------------------------------

MANUAL_HEADER = ("date", "distance", "duration")


def is_manual_log(data: bytes) -> bool:
    """A manual log's header starts ``date,distance,duration`` (``;`` or tab also; any text
    encoding :mod:`kneeload.textfile` reads)."""
    try:
        text = decode_text("<head>", data[:400]).text
    except InputError:
        return False
    first = text.splitlines()[:1]
    if not first:
        return False
    for delimiter in DELIMITERS:
        cols = [c.strip().strip('"').lower() for c in first[0].split(delimiter)]
        if tuple(cols[:3]) == MANUAL_HEADER:
            return True
    return False


def _duration_s(text: str) -> float:
    """``h:mm:ss``, ``mm:ss`` or minutes -> seconds; a leading ``-`` gives a negative time
    (kept for :func:`check_row`, which leaves it empty with a note)."""
    raw = text.strip()
    sign = -1.0 if raw.startswith("-") else 1.0
    parts = raw.lstrip("-").split(":")
    if not 1 <= len(parts) <= 3:
        raise ValueError(text)
    total = 0.0
    for p in parts:
        v = float(p)
        if not math.isfinite(v) or v < 0:
            raise ValueError(text)
        total = total * 60 + v
    if len(parts) == 1:
        total *= 60.0  # a bare number is minutes
    return sign * total


#: Largest manual-log distance read [mi or km]: a bigger number is refused as a typo. Below
#: it, a distance no human could cover in its time is kept and marked ``implausible`` by
#: :func:`check_row` (left out of load, advice and shoes, listed by ``summary``); longest
#: duration [s] (one week).
MAX_MANUAL_DISTANCE = 1_000_000.0
MAX_MANUAL_DURATION_S = 7 * 86400.0
MANUAL_COLUMNS = ("date", "distance", "duration", "shoe", "sport", "unit", "note", "rpe",
                  "time")


def _time_of_day(text: str) -> pd.Timedelta:
    """A ``time`` column's ``HH:MM`` or ``HH:MM:SS`` (24-hour, local) as the time since
    midnight; ValueError otherwise."""
    parts = text.strip().split(":")
    if len(parts) not in (2, 3) or not all(p.strip().isdigit() for p in parts):
        raise ValueError(text)
    h, m, sec = (int(p) for p in [*parts, "0"][:3])
    if not (0 <= h <= 23 and 0 <= m <= 59 and 0 <= sec <= 59):
        raise ValueError(text)
    return pd.Timedelta(hours=h, minutes=m, seconds=sec)


def parse_manual_log(name: str, data: bytes, tz: dt.tzinfo | Placement
                     ) -> list[dict[str, object]]:
    """A manual log: header ``date,distance,duration`` then optional ``shoe``, ``sport``,
    ``unit`` (mi or km, default mi), ``note``, ``rpe`` (session rating of perceived
    exertion, 0-10) and ``time`` (local start, ``HH:MM`` or ``HH:MM:SS``) columns. Duration
    ``h:mm:ss``, ``mm:ss`` or minutes. Every row is a run: two identical rows on one day are
    two runs. A row's start is its ``time``; without one, noon plus one second for each
    earlier row of that day without a time, so the rows' order is the order of the day (the
    second run of a day is judged against the first). Read through :mod:`kneeload.textfile`
    (UTF-8, UTF-16 or Windows-1252; ``,`` or ``;``); every bad row is reported, all at once,
    with its line."""
    from ..schema import SPORTS
    decoded = decode_text(name, data)
    table = parse_csv_text(name, decoded, known=MANUAL_COLUMNS, required=MANUAL_HEADER,
                           what="manual log",
                           header_hint="date,distance,duration[,shoe][,sport][,unit][,note]"
                                       "[,rpe][,time]")
    problems = table.problems
    comma = table.delimiter == ";"
    zone = placement(tz).zone
    rows = []
    untimed: dict[object, int] = {}  # rows of each day without a time so far
    for lineno, r in table.rows:
        where = f"line {lineno}"
        n = len(problems.items)
        day = problems.date(where, "date", r["date"])
        clock = None
        if r.get("time"):
            try:
                clock = _time_of_day(r["time"])
            except ValueError:
                problems.add(where, f"time {r['time']!r} is not HH:MM or HH:MM:SS (24-hour)")
        unit = (r.get("unit") or "mi").lower()
        if unit not in ("mi", "km"):
            problems.add(where, f"unit {unit!r} must be mi or km")
        dist = problems.number(where, "distance", r["distance"].replace(",", "") if not comma
                               else r["distance"], decimal_comma=comma, minimum=0,
                               maximum=MAX_MANUAL_DISTANCE)
        dur = None
        if r["duration"]:
            try:
                dur = _duration_s(r["duration"].replace(",", ".") if comma else r["duration"])
            except ValueError:
                problems.add(where, f"duration {r['duration']!r} is not h:mm:ss, mm:ss or "
                             "minutes")
            else:
                if dur > MAX_MANUAL_DURATION_S:
                    problems.add(where, f"duration {r['duration']!r} is longer than a week")
        sport = (r.get("sport") or "running").lower()
        if sport not in SPORTS:
            problems.add(where, f"sport {sport!r} is not one of {', '.join(SPORTS)}")
        rpe = (problems.number(where, "rpe", r["rpe"], decimal_comma=comma, minimum=0,
                               maximum=10) if r.get("rpe") else None)
        if len(problems.items) > n or dist is None:  # a missing distance is a problem too
            continue
        if clock is None:  # noon, then one second later for each earlier untimed row
            k = untimed.get(day, 0)
            untimed[day] = k + 1
            clock = pd.Timedelta(hours=12, seconds=k)
        local = pd.Timestamp(day) + clock
        start = local.tz_localize(zone, ambiguous=True, nonexistent="shift_forward"
                                  ).tz_convert("UTC")
        digest = hashlib.sha1(f"manual:{name}:{lineno}:{r}".encode()).hexdigest()
        row: dict[str, object] = {
            "activity_id": f"{digest[:16]}-0", "start_time": start, "local_start": local,
            "local_date": local.normalize(),
            "utc_offset_s": (local - start.tz_localize(None)).total_seconds(),
            "tz_source": TZ_RECORDED, "sport": sport, "sub_sport": "manual",
            "distance_m": dist * (M_PER_MI if unit == "mi" else M_PER_KM),
            "elapsed_s": dur, "moving_s": dur, "gear": r.get("shoe", ""),
            "device": "manual log", "source_path": f"{name}#line {lineno}",
            "source_format": "manual", "session_index": 0, "n_samples": 0,
            "distance_source": "session", "partial": False, "implausible": False,
            "note": r.get("note", ""), "rpe": rpe,
        }
        notes = [str(row["note"])] if row["note"] else []
        check_row(row, notes)  # the one row check: possible times, implausible rows
        row["note"] = "; ".join(notes)
        rows.append(row)
    problems.raise_if_any()
    return rows
