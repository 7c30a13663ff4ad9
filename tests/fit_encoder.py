"""A small FIT encoder for the tests: activity files with exactly the messages and values a
test asks for, including the ones a broken device writes (repeated or backward time stamps,
positions off the Earth, laps that disagree with the session, float fields holding NaN or
infinity).

Written from the FIT protocol as the Garmin FIT SDK documents it (14-byte file header with
its CRC, definition and data messages, the file CRC-16 at the end) and the field numbers of
fitdecode's profile (kneeload's own FIT reader, not this module, is what the tests check).
Nothing is validated: a value is packed as given, so a test can write what no SDK would.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

FIT_EPOCH_UNIX = 631065600  # 1989-12-31T00:00:00Z
SEMICIRCLES_PER_DEG = 2**31 / 180.0

#: base type -> (struct code, invalid value)
BASE = {0x00: ("B", 0xFF), 0x02: ("B", 0xFF), 0x84: ("H", 0xFFFF), 0x85: ("i", 0x7FFFFFFF),
        0x86: ("I", 0xFFFFFFFF), 0x88: ("f", float("nan"))}
ENUM, UINT8, UINT16, SINT32, UINT32, FLOAT32 = 0x00, 0x02, 0x84, 0x85, 0x86, 0x88

#: message name -> (global number, {field: (number, base type, scale, offset)})
MESSAGES = {
    "file_id": (0, {"type": (0, ENUM, 1, 0), "manufacturer": (1, UINT16, 1, 0),
                    "product": (2, UINT16, 1, 0), "time_created": (4, UINT32, 1, 0)}),
    "record": (20, {"timestamp": (253, UINT32, 1, 0), "position_lat": (0, SINT32, 1, 0),
                    "position_long": (1, SINT32, 1, 0), "heart_rate": (3, UINT8, 1, 0),
                    "cadence": (4, UINT8, 1, 0), "distance": (5, UINT32, 100, 0),
                    "enhanced_altitude": (78, UINT32, 5, 500)}),
    "lap": (19, {"timestamp": (253, UINT32, 1, 0), "start_time": (2, UINT32, 1, 0),
                 "total_elapsed_time": (7, UINT32, 1000, 0),
                 "total_timer_time": (8, UINT32, 1000, 0)}),
    "session": (18, {"timestamp": (253, UINT32, 1, 0), "start_time": (2, UINT32, 1, 0),
                     "sport": (5, ENUM, 1, 0), "sub_sport": (6, ENUM, 1, 0),
                     "total_elapsed_time": (7, UINT32, 1000, 0),
                     "total_timer_time": (8, UINT32, 1000, 0),
                     "total_distance": (9, UINT32, 100, 0), "first_lap_index": (25, UINT16, 1, 0),
                     "num_laps": (26, UINT16, 1, 0)}),
    "activity": (34, {"timestamp": (253, UINT32, 1, 0), "num_sessions": (1, UINT16, 1, 0)}),
}


def crc16(data: bytes, crc: int = 0) -> int:
    """FIT's CRC-16 (the SDK's nibble table; CRC-16/ARC)."""
    table = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
             0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = table[crc & 0xF]
            crc = (crc >> 4) & 0x0FFF
            crc = crc ^ tmp ^ table[nibble]
    return crc


def fit_time(unix_s: float) -> int:
    """Unix seconds -> FIT date_time (seconds since 1989-12-31)."""
    return int(round(unix_s)) - FIT_EPOCH_UNIX


@dataclass
class FitWriter:
    """Messages in order; ``floats`` names fields written as float32 instead of their
    profile's type (so NaN and infinity can be stored)."""

    floats: set[tuple[str, str]] = field(default_factory=set)
    _body: bytearray = field(default_factory=bytearray)
    _local: dict[tuple, int] = field(default_factory=dict)

    def add(self, name: str, **values: float | int | None) -> None:
        """One message; None writes the field's invalid value (no value)."""
        number, fields = MESSAGES[name]
        names = [f for f in fields if f in values]
        layout = tuple((f, FLOAT32 if (name, f) in self.floats else fields[f][1]) for f in names)
        key = (name, layout)
        if key not in self._local:
            local = len(self._local) % 16
            self._local = {k: v for k, v in self._local.items() if v != local}
            self._local[key] = local
            self._body += struct.pack("<BBBHB", 0x40 | local, 0, 0, number, len(layout))
            for f, base in layout:
                code = BASE[base][0]
                self._body += struct.pack("<BBB", fields[f][0], struct.calcsize(code), base)
        self._body.append(self._local[key])
        for f, base in layout:
            code, invalid = BASE[base]
            _, _, scale, offset = fields[f]
            v = values[f]
            if v is None:
                raw: float | int = invalid
            elif base == FLOAT32:
                raw = (float(v) + offset) * scale
            else:
                raw = int(round((float(v) + offset) * scale))
            self._body += struct.pack("<" + code, raw)

    def bytes(self) -> bytes:
        """The whole file: header (with its CRC), messages, file CRC."""
        head = struct.pack("<BBHI4s", 14, 0x10, 2132, len(self._body), b".FIT")
        head += struct.pack("<H", crc16(head))
        data = head + bytes(self._body)
        return data + struct.pack("<H", crc16(data))


@dataclass
class Point:
    """One record: seconds from the file's first stamp, position [deg] (None: not written),
    heart rate, cadence (FIT's per-foot value), distance [m], altitude [m]."""

    t: float
    lat: float | None = None
    lon: float | None = None
    hr: int | None = None
    cad: int | None = None
    dist: float | None = None
    alt: float | None = None


def activity_file(start_unix: float, points: Sequence[Point], *, sport: int | None = 1,
                  sub_sport: int | None = 0, elapsed_s: float | None = None,
                  timer_s: float | None = None, distance_m: float | None = None,
                  laps: Iterable[tuple[float, float]] = (),
                  floats: Iterable[tuple[str, str]] = (), session: bool = True) -> bytes:
    """A FIT activity: file_id, the records, the laps (start offset [s], elapsed [s]), one
    session (``session=False``: none, as a cut-off recording) and the activity message.
    A session total given as None is not written."""
    w = FitWriter(floats=set(floats))
    t0 = fit_time(start_unix)
    w.add("file_id", type=4, manufacturer=1, product=2697, time_created=t0)
    for p in points:
        rec: dict[str, float | int | None] = {"timestamp": t0 + p.t}
        if p.lat is not None and p.lon is not None:
            rec["position_lat"] = round(p.lat * SEMICIRCLES_PER_DEG)
            rec["position_long"] = round(p.lon * SEMICIRCLES_PER_DEG)
        for name, v in (("heart_rate", p.hr), ("cadence", p.cad), ("distance", p.dist),
                        ("enhanced_altitude", p.alt)):
            if v is not None:
                rec[name] = v
        w.add("record", **rec)
    end = t0 + (max(p.t for p in points) if points else 0)
    laps = list(laps)
    for off, took in laps:
        w.add("lap", timestamp=t0 + off + took, start_time=t0 + off, total_elapsed_time=took,
              total_timer_time=took)
    if session:
        totals = {k: v for k, v in (("total_elapsed_time", elapsed_s),
                                    ("total_timer_time", timer_s),
                                    ("total_distance", distance_m)) if v is not None}
        labels = {k: v for k, v in (("sport", sport), ("sub_sport", sub_sport)) if v is not None}
        w.add("session", timestamp=end, start_time=t0, **labels, **totals,
              **({"first_lap_index": 0, "num_laps": len(laps)} if laps else {}))
    w.add("activity", timestamp=end, num_sessions=1 if session else 0)
    return w.bytes()
