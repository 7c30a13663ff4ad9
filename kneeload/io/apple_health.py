"""Apple Health export (``export.zip`` or its ``apple_health_export`` folder): workouts.

``export.xml`` reaches gigabytes, so it is streamed (defusedxml ``iterparse``) and every
element is cleared once read; only ``<Workout>`` elements are kept, one at a time. A workout
becomes an activity:

- sport from ``workoutActivityType`` (``HKWorkoutActivityTypeRunning`` ...); a run with the
  metadata ``HKIndoorWorkout`` = 1 is a treadmill run; walks, hikes and rides keep their sport;
- start and end from ``startDate``/``endDate`` (``2024-06-09 19:30:00 -0700``): the offset
  written there gives the local date (``tz_source`` 'recorded');
- totals from the ``Workout`` attributes (older exports: ``duration``/``durationUnit``,
  ``totalDistance``/``totalDistanceUnit``) or its ``WorkoutStatistics`` children (newer:
  ``HKQuantityTypeIdentifierDistanceWalkingRunning`` ``sum``/``unit``, heart rate
  ``average``/``maximum``), climb from ``HKElevationAscended``;
- samples from the route GPX a ``WorkoutRoute``'s ``FileReference`` names
  (``/workout-routes/route_2024-06-09_7.30pm.gpx``), read on its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

import pandas as pd

from ..errors import CorruptFileError, InputError
from ..safeio import read_regular_file
from ..sports import lookup
from ._source import MAX_FILE_BYTES, RawFile
from ._summary import Parsed, summarise
from ._time import TZ_RECORDED, Placement
from ._xml import iterparse_safe

EXPORT_XML = "export.xml"
#: Length units Apple writes -> metres.
LENGTH_M = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "ft": 0.3048, "yd": 0.9144, "cm": 0.01}
DURATION_S = {"s": 1.0, "min": 60.0, "hr": 3600.0, "h": 3600.0, "ms": 0.001}
PER_MINUTE = {"count/min": 1.0, "count/s": 60.0}
_DISTANCE_STATS = ("HKQuantityTypeIdentifierDistanceWalkingRunning",
                   "HKQuantityTypeIdentifierDistanceCycling",
                   "HKQuantityTypeIdentifierDistanceSwimming")


def is_apple_folder(path: str) -> bool:
    """A folder holding an ``export.xml`` that starts like Apple Health's."""
    xml = os.path.join(path, EXPORT_XML)
    if not os.path.isfile(xml):
        return False
    try:
        with open(xml, "rb") as fh:
            return b"HealthData" in fh.read(4096)
    except OSError:
        return False


def apple_member(names: list[str]) -> str | None:
    """The ``export.xml`` member of an archive's name list, if it is an Apple Health export."""
    hits = [n for n in names if n.replace("\\", "/").rsplit("/", 1)[-1] == EXPORT_XML]
    hits.sort(key=lambda n: (n.count("/"), "apple_health_export" not in n))
    return hits[0] if hits else None


def _time(text: str | None) -> tuple[pd.Timestamp, float] | None:
    """``2024-06-09 19:30:00 -0700`` -> (UTC time, offset [s])."""
    if not text:
        return None
    try:
        ts = pd.Timestamp(dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S %z"))
    except ValueError:
        return None
    offset = ts.utcoffset()
    return ts.tz_convert("UTC"), offset.total_seconds() if offset is not None else 0.0


def _quantity(value: str | None, unit: str | None, table: dict[str, float]) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        v = float(value)
    except ValueError:
        return None
    per = table.get((unit or "").strip())
    return v * per if per is not None else None


def _meta_quantity(text: str | None) -> float | None:
    """``"500 cm"`` -> 5.0 [m]."""
    if not text:
        return None
    parts = text.split()
    return _quantity(parts[0], parts[1] if len(parts) > 1 else "m", LENGTH_M)


@contextmanager
def _open_export(path: str) -> Iterator[tuple[IO[bytes], str, Callable[[str], bytes | None]]]:
    """(export.xml stream, its display name, a reader of other members by relative path)."""
    if os.path.isdir(path):
        xml = os.path.join(path, EXPORT_XML)

        def read(rel: str) -> bytes | None:
            p = os.path.join(path, *rel.strip("/").split("/"))
            try:  # a regular file only (a FIFO would hang), bounded
                return read_regular_file(p, MAX_FILE_BYTES, "route file")
            except InputError:
                return None

        with open(xml, "rb") as plain:
            yield plain, xml, read
        return
    with zipfile.ZipFile(path) as zf:
        member = apple_member(zf.namelist())
        if member is None:
            raise InputError(path, "is not an Apple Health export (no export.xml inside)")
        root = member[: -len(EXPORT_XML)]

        def read_member(rel: str) -> bytes | None:
            from .exports import _read_member  # size and ratio checked as bytes come
            name = root + rel.strip("/")
            try:
                return _read_member(zf, zf.getinfo(name), f"{path}!{name}")
            except (KeyError, InputError):
                return None

        with zf.open(member) as stream:
            yield stream, f"{path}!{member}", read_member


def _workout_parsed(el: Any, index: int, xml_name: str, read: Callable[[str], bytes | None],
                    default_sport: str, notes: list[str]) -> Parsed | None:  # noqa: ARG001
    kind = (el.get("workoutActivityType") or "").replace("HKWorkoutActivityType", "")
    meta = {m.get("key"): m.get("value") for m in el if m.tag == "MetadataEntry"}
    stats = {s.get("type"): s for s in el if s.tag == "WorkoutStatistics"}
    start = _time(el.get("startDate"))
    end = _time(el.get("endDate"))
    where = f"{xml_name}#workout {index}"
    if start is None:
        raise InputError(where, f"has no readable startDate ({el.get('startDate')!r}); it "
                         "cannot be placed on a date")
    label = lookup("apple", kind, default_sport="other")
    sport = label.sport
    if sport == "running" and str(meta.get("HKIndoorWorkout", "0")).strip() == "1":
        sport = "treadmill"
    dist = _quantity(el.get("totalDistance"), el.get("totalDistanceUnit"), LENGTH_M)
    if dist is None:
        for t in _DISTANCE_STATS:
            if t in stats:
                dist = _quantity(stats[t].get("sum"), stats[t].get("unit"), LENGTH_M)
                break
    moving = _quantity(el.get("duration"), el.get("durationUnit") or "min", DURATION_S)
    hr = stats.get("HKQuantityTypeIdentifierHeartRate")
    totals = {
        "distance_m": dist, "moving_s": moving,
        "elapsed_s": (end[0] - start[0]).total_seconds() if end is not None else moving,
        "ascent_m": _meta_quantity(meta.get("HKElevationAscended")),
        "descent_m": _meta_quantity(meta.get("HKElevationDescended")),
        "hr_avg_bpm": _quantity(hr.get("average"), hr.get("unit"), PER_MINUTE)
        if hr is not None else None,
        "hr_max_bpm": _quantity(hr.get("maximum"), hr.get("unit"), PER_MINUTE)
        if hr is not None else None,
    }
    samples = pd.DataFrame()
    route_note = []
    for route in (r for r in el if r.tag == "WorkoutRoute"):
        for ref in (f for f in route if f.tag == "FileReference"):
            rel = ref.get("path") or ""
            data = read(rel)
            if data is None:
                route_note.append(f"route {rel} is not in the export; totals only")
                continue
            from .gpx import parse_gpx
            raw = RawFile(name=f"{xml_name.rsplit(EXPORT_XML, 1)[0]}{rel.strip('/')}",
                          data=data, fmt="gpx", digest=hashlib.sha1(data).hexdigest())
            try:
                samples = parse_gpx(raw, default_sport=sport)[0].samples
            except InputError as exc:
                route_note.append(f"route {rel} could not be read ({exc.reason}); totals only")
    if label.assumed or label.unknown:
        route_note.append(f"Apple workout type {kind or 'not recorded'!r} counted as 'other'")
    digest = hashlib.sha1(f"apple:{el.get('startDate')}:{kind}:{el.get('sourceName')}"
                          .encode()).hexdigest()
    return Parsed(source_path=where, source_format="xml", digest=digest, session_index=0,
                  samples=samples, sport=sport, sub_sport=kind,
                  start_time=start[0], totals=totals,
                  device=" ".join(filter(None, [el.get("sourceName"), el.get("sourceVersion")])),
                  utc_offset_s=start[1], offset_source=TZ_RECORDED,
                  notes=notes + route_note)


def read_apple_health(path: str, default_sport: str, tz: dt.tzinfo | Placement,
                      fail: Callable[[InputError], None]) -> list[dict[str, object]]:
    """Every workout of an Apple Health export as activities-table rows (see module docs).

    ``export.xml`` is streamed and never held whole; a workout that cannot be read is passed
    to ``fail`` (named by its index), the others are read.
    """
    try:
        return _read_workouts(path, default_sport, tz, fail)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
            zlib.error) as exc:  # damaged or encrypted archive, unreadable file
        raise CorruptFileError(path, f"cannot be read as an Apple Health export "
                               f"({type(exc).__name__}: {str(exc)[:100]}); export it again"
                               ) from exc


def _read_workouts(path: str, default_sport: str, tz: dt.tzinfo | Placement,
                   fail: Callable[[InputError], None]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with _open_export(path) as (fh, xml_name, read):
        root = None
        depth = 0
        index = 0
        for event, el in iterparse_safe(xml_name, fh, events=("start", "end")):
            if event == "start":
                if root is None:
                    root = el
                depth += 1
                continue
            depth -= 1
            if depth != 1:  # only the children of <HealthData>
                continue
            if el.tag == "Workout":
                index += 1
                try:
                    parsed = _workout_parsed(el, index, xml_name, read, default_sport, [])
                    if parsed is not None:
                        row = summarise(parsed, tz)
                        if not parsed.samples.empty:
                            row["n_samples"] = len(parsed.samples)
                        rows.append(row)
                except InputError as exc:
                    fail(exc)
            if root is not None:
                root.clear()  # keep memory flat: drop every element once read
    return rows
