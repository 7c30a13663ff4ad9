"""Huawei Health motion paths, from the decrypted export folder.

Huawei (Health app > Me > Privacy centre > Request your data) sends a password-protected
(AES) zip that Python's zipfile cannot open: extract it with 7-Zip or the Archive Utility and
give kneeload the folder. In it, ``Motion path detail data & description/*.json`` holds every
workout: a JSON list of records (exports before mid-2020 wrap them in ``motionPathData``) with
``sportType``, ``startTime``/``endTime`` [ms], ``totalTime`` [ms], ``totalDistance`` [m],
``timeZone`` (``+0800``) and ``attribute``, the HiTrack text
``HW_EXT_TRACK_DETAIL@is<lines>&&HW_EXT_TRACK_SIMPLIFY@is<json>``. Lines read:

- ``tp=lbs;k=0;lat=..;lon=..;alt=..;t=<s or ms>``: position (``lat=90;lon=-80`` marks a
  pause, not a place, and is dropped);
- ``tp=h-r;k=<ms>;v=<bpm>``: heart rate (0 and 255 are no reading);
- ``tp=s-r;k=<ms>;v=<steps/min>``: cadence; ``tp=rs;k=<ms>;v=<dm/s>``: speed;
  ``tp=alti;k=<ms>;v=<m>``: altitude.

The simplified JSON gives ``avgHeartRate``/``maxHeartRate``.
"""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pandas as pd

from ..errors import CorruptFileError, InputError
from ..sports import lookup
from ._summary import Parsed
from ._time import TZ_RECORDED

MOTION_DIR = "Motion path detail data & description"
ENCRYPTED_REASON = (
    "is Huawei Health's encrypted export (a zip protected with the password you chose when "
    "requesting it); kneeload cannot open it: extract it with 7-Zip (or macOS Archive "
    "Utility) using that password and give kneeload the extracted folder")


_PAUSE = (90.0, -80.0)


def is_motion_path_key(key: str) -> bool:
    """Whether a path inside an export is a motion-path JSON file."""
    parts = key.replace("\\", "/").split("/")
    return len(parts) >= 2 and parts[-2] == MOTION_DIR and parts[-1].lower().endswith(".json")


def looks_like_huawei(name: str, head: bytes) -> bool:
    """A motion-path file: a ``.json`` under ``Motion path detail data & description`` whose
    content starts as a JSON list or object."""
    return is_motion_path_key(name) and head.lstrip()[:1] in (b"[", b"{")


def _fields(line: str) -> dict[str, str]:
    out = {}
    for kv in line.strip().split(";"):
        k, sep, v = kv.partition("=")
        if sep:
            out[k.strip()] = v.strip()
    return out


def _f(text: object) -> float | None:
    try:
        v = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


def _epoch(v: float) -> pd.Timestamp:
    """Seconds or milliseconds since 1970 -> UTC (HiTrack writes both)."""
    return pd.Timestamp(int(round(v * (1 if v > 1e11 else 1000))), unit="ms", tz="UTC")


def parse_attribute(attribute: str) -> tuple[pd.DataFrame, dict]:
    """A HiTrack ``attribute`` -> (samples frame, the simplified summary JSON)."""
    detail, _, simple = attribute.partition("&&HW_EXT_TRACK_SIMPLIFY@is")
    detail = detail.replace("HW_EXT_TRACK_DETAIL@is", "", 1)
    pos: list[tuple[pd.Timestamp, float, float, float]] = []
    series: dict[str, dict[pd.Timestamp, float]] = {
        "hr_bpm": {}, "cadence_spm": {}, "speed_m_s": {}, "altitude_m": {}}
    for line in re.split(r"[\r\n]+|\\n", detail):
        f = _fields(line)
        tp = f.get("tp") or f.get("istp")
        if tp == "lbs":
            lat, lon, t = _f(f.get("lat")), _f(f.get("lon")), _f(f.get("t"))
            if lat is None or lon is None or t is None or (lat, lon) == _PAUSE:
                continue
            alt = _f(f.get("alt"))
            pos.append((_epoch(t), lat, lon, np.nan if alt is None else alt))
            continue
        k, v = _f(f.get("k")), _f(f.get("v"))
        if k is None or v is None:
            continue
        if tp == "h-r" and 0 < v < 255:
            series["hr_bpm"][_epoch(k)] = v
        elif tp == "s-r" and v > 0:
            series["cadence_spm"][_epoch(k)] = v
        elif tp == "rs":
            series["speed_m_s"][_epoch(k)] = v / 10.0  # dm/s
        elif tp == "alti":
            series["altitude_m"][_epoch(k)] = v
    cols: dict[str, pd.Series] = {}
    if pos:
        t = pd.DatetimeIndex([p[0] for p in pos])
        for j, col in ((1, "lat_deg"), (2, "lon_deg"), (3, "altitude_m")):
            cols[col] = pd.Series([p[j] for p in pos], index=t)
    for col, values in series.items():
        if values:
            s = pd.Series(values, dtype=float)
            cols[col] = s if col not in cols else cols[col].combine_first(s)
    cols = {k: s[~s.index.duplicated()] for k, s in cols.items()}
    frame = pd.DataFrame()
    if cols:
        frame = pd.concat(cols, axis=1).sort_index()
        frame.index.name = "time"
        frame = frame.reset_index()
    try:
        summary = json.loads(simple.strip().rstrip("&")) if simple.strip() else {}
    except ValueError:
        summary = {}
    return frame, summary if isinstance(summary, dict) else {}


def _offset_s(text: object) -> float | None:
    """``+0800`` / ``-05:00`` -> seconds."""
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", str(text or "").strip())
    if not m:
        return None
    s = (int(m.group(2)) * 60 + int(m.group(3))) * 60.0
    return -s if m.group(1) == "-" else s


def parse_huawei_motion_path(name: str, data: bytes, default_sport: str = "running"
                             ) -> list[Parsed]:
    """One motion-path JSON file: one :class:`Parsed` per workout record."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeError, ValueError) as exc:
        raise CorruptFileError(name, f"is not readable JSON ({str(exc)[:100]}); the export "
                               "may be damaged or still encrypted: extract it again") from None
    items = doc.get("data", [doc]) if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise CorruptFileError(name, "is not a list of Huawei motion-path records")
    flat: list[dict] = []
    for it in items:
        if isinstance(it, dict) and isinstance(it.get("motionPathData"), list):
            flat.extend(x for x in it["motionPathData"] if isinstance(x, dict))
        elif isinstance(it, dict):
            flat.append(it)
    digest = hashlib.sha1(data).hexdigest()
    out: list[Parsed] = []
    for i, rec in enumerate(flat):
        start_ms = _f(rec.get("startTime"))
        if start_ms is None:
            raise InputError(name, "a workout has no readable startTime; it cannot be "
                             "placed on a date", f"record {i + 1}")
        samples, simple = parse_attribute(str(rec.get("attribute") or ""))
        code = int(_f(rec.get("sportType")) or -1)
        found = lookup("huawei", code if code != -1 else None, default_sport=default_sport)
        sport = found.sport
        end_ms = _f(rec.get("endTime"))
        total_ms = _f(rec.get("totalTime"))
        totals = {
            "distance_m": _f(rec.get("totalDistance")),
            "elapsed_s": (end_ms - start_ms) / 1000.0 if end_ms is not None else (
                total_ms / 1000.0 if total_ms is not None else None),
            "moving_s": total_ms / 1000.0 if total_ms is not None else None,
            "hr_avg_bpm": _f(simple.get("avgHeartRate")) or None,
            "hr_max_bpm": _f(simple.get("maxHeartRate")) or None,
            "descent_m": _f(simple.get("mTotalDescent")),
        }
        notes = [found.note] if found.note else []
        out.append(Parsed(
            source_path=name, source_format="json", digest=digest, session_index=i,
            samples=samples, sport=sport or "other", sub_sport=str(code),
            start_time=_epoch(start_ms), totals=totals, device="Huawei Health",
            utc_offset_s=_offset_s(rec.get("timeZone")), offset_source=TZ_RECORDED,
            notes=notes))
    return out
