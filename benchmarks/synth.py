"""Synthetic run files for the benchmarks: 1 h at 1 Hz, FIT (8 record fields) or GPX.

fit-tool (the dev extra, used for sample_data/) takes about 3 s to write one such file; a
season and a ten-year archive need 4,000 of them, so the benchmarks write FIT themselves:
file_id, records as one numpy structured array, session, activity, and the FIT CRC.
``check_file`` reads a written file back with fitparse (CRC checked) to prove it valid.
"""

from __future__ import annotations

import datetime as dt
import math
import struct
from pathlib import Path

import numpy as np

FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.timezone.utc)
_CRC_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0xA001 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc16(data: bytes, crc: int = 0) -> int:
    """FIT's CRC (CRC-16/ARC)."""
    table = _CRC_TABLE
    for b in data:
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xFF]
    return crc


def _definition(local: int, global_num: int, fields: list[tuple[int, int, int]]) -> bytes:
    out = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields))
    return out + b"".join(struct.pack("<BBB", *f) for f in fields)


def _fit_time(t: dt.datetime) -> int:
    return int((t - FIT_EPOCH).total_seconds())


def track(seed: int, seconds: int = 3600):
    """Positions [deg], distance [m], altitude [m], speed [m/s], HR, cadence of one run."""
    rng = np.random.default_rng(seed)
    t = np.arange(seconds + 1, dtype=float)
    speed = 2.8 + 0.3 * np.sin(t / 300.0 + seed) + rng.normal(0, 0.05, t.size)
    dist = np.concatenate([[0.0], np.cumsum(speed[1:])])
    angle = dist / 4800.0 * 2 * math.pi + seed
    r_deg = 4800.0 / (2 * math.pi) / 111_320.0
    lat = 51.44 + r_deg * np.sin(angle)
    lon = -0.27 + r_deg * np.cos(angle) / math.cos(math.radians(51.44))
    alt = 30 + 12 * (1 - np.cos(dist / 1600.0 * 2 * math.pi))
    hr = 140 + 10 * dist / dist[-1] + rng.normal(0, 2, t.size)
    cad = 164 + rng.normal(0, 2, t.size)
    return t, lat, lon, dist, alt, speed, hr, cad


def fit_bytes(start: dt.datetime, seed: int, seconds: int = 3600) -> bytes:
    t, lat, lon, dist, alt, speed, hr, cad = track(seed, seconds)
    t0 = _fit_time(start)
    body = bytearray()
    body += _definition(0, 0, [(0, 1, 0x00), (1, 2, 0x84), (2, 2, 0x84), (3, 4, 0x8C),
                               (4, 4, 0x86)])
    body += struct.pack("<BBHHII", 0, 4, 1, 4024, 3955000 + seed, t0)
    body += _definition(1, 20, [(253, 4, 0x86), (0, 4, 0x85), (1, 4, 0x85), (5, 4, 0x86),
                                (78, 4, 0x86), (73, 4, 0x86), (3, 1, 0x02), (4, 1, 0x02)])
    rec = np.zeros(t.size, dtype=[("h", "u1"), ("ts", "<u4"), ("lat", "<i4"), ("lon", "<i4"),
                                  ("dist", "<u4"), ("alt", "<u4"), ("spd", "<u4"), ("hr", "u1"),
                                  ("cad", "u1")])
    rec["h"] = 1
    rec["ts"] = t0 + t.astype(np.uint32)
    rec["lat"] = np.round(lat * 2**31 / 180).astype(np.int32)
    rec["lon"] = np.round(lon * 2**31 / 180).astype(np.int32)
    rec["dist"] = np.round(dist * 100).astype(np.uint32)
    rec["alt"] = np.round((alt + 500) * 5).astype(np.uint32)
    rec["spd"] = np.round(speed * 1000).astype(np.uint32)
    rec["hr"] = np.clip(np.round(hr), 0, 250).astype(np.uint8)
    rec["cad"] = np.round(cad / 2).astype(np.uint8)
    body += rec.tobytes()
    end = t0 + int(t[-1])
    up = float(np.clip(np.diff(alt), 0, None).sum())
    down = float(np.clip(-np.diff(alt), 0, None).sum())
    body += _definition(2, 18, [(253, 4, 0x86), (2, 4, 0x86), (7, 4, 0x86), (8, 4, 0x86),
                                (9, 4, 0x86), (5, 1, 0x00), (6, 1, 0x00), (22, 2, 0x84),
                                (23, 2, 0x84), (16, 1, 0x02), (17, 1, 0x02), (18, 1, 0x02)])
    body += struct.pack("<BIIIIIBBHHBBB", 2, end, t0, int(t[-1] * 1000), int(t[-1] * 1000),
                        int(round(dist[-1] * 100)), 1, 0, int(round(up)), int(round(down)),
                        int(round(hr.mean())), int(round(hr.max())), int(round(cad.mean() / 2)))
    body += _definition(3, 34, [(253, 4, 0x86), (0, 4, 0x86), (1, 2, 0x84), (5, 4, 0x86)])
    body += struct.pack("<BIIHI", 3, end, int(t[-1] * 1000), 1, end + 3600)
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", crc16(header))
    data = header + bytes(body)
    return data + struct.pack("<H", crc16(data))


def gpx_text(start: dt.datetime, seed: int, seconds: int = 3600) -> str:
    t, lat, lon, _d, alt, _s, hr, cad = track(seed, seconds)
    base = start.replace(tzinfo=None)
    pts = [
        f'<trkpt lat="{la:.7f}" lon="{lo:.7f}"><ele>{el:.1f}</ele>'
        f"<time>{(base + dt.timedelta(seconds=float(s))).isoformat()}Z</time><extensions>"
        f"<gpxtpx:TrackPointExtension><gpxtpx:hr>{int(h)}</gpxtpx:hr>"
        f"<gpxtpx:cad>{int(c / 2)}</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions>"
        f"</trkpt>"
        for s, la, lo, el, h, c in zip(t, lat, lon, alt, hr, cad, strict=True)]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<gpx creator="kneeload benchmark" '
            'version="1.1" xmlns="http://www.topografix.com/GPX/1/1" '
            'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
            "<trk><type>running</type><trkseg>\n" + "\n".join(pts)
            + "\n</trkseg></trk></gpx>\n")


def make_runs(folder: Path, n: int, first_day: dt.date, gpx_every: int = 5,
              seconds: int = 3600) -> list[Path]:
    """``n`` daily runs from ``first_day``; every ``gpx_every``-th is GPX (20%), the rest FIT."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        day = first_day + dt.timedelta(days=i)
        start = dt.datetime(day.year, day.month, day.day, 6, 30, tzinfo=dt.timezone.utc)
        sub = folder / f"{day.year}"
        sub.mkdir(exist_ok=True)
        if i % gpx_every == gpx_every - 1:
            p = sub / f"{day.isoformat()}_run.gpx"
            p.write_text(gpx_text(start, i, seconds), encoding="utf-8")
        else:
            p = sub / f"{day.isoformat()}_run.fit"
            p.write_bytes(fit_bytes(start, i, seconds))
        out.append(p)
    return out


def check_file(path: Path) -> int:
    """Read a written FIT file back with fitparse (CRC checked): its record count."""
    import fitparse
    return sum(1 for _ in fitparse.FitFile(str(path), check_crc=True).get_messages("record"))
