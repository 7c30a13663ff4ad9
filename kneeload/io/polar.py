"""Polar Flow account export (``polar-user-data-export*.zip`` or its folder): training sessions.

Polar's AccessLink API gives the last 30 days only; the account export (flow.polar.com >
Settings > Account > Download my data) is the way to a whole history. One
``training-session-<date>-<id>-<uuid>.json`` per session, in one of two layouts seen in public
parsers:

- ``exportVersion`` 1.x: ``startTime`` local (``2019-06-01T07:00:00.000``) with
  ``timeZoneOffset``/``timezoneOffset`` [min], ``duration`` ISO-8601 (``PT1H2M3.5S``),
  ``distance`` [m], ``sport`` a name (``RUNNING``), ``heartRate`` ``{min, avg, max}``,
  ``ascent``/``descent`` [m]; ``samples`` holds ``heartRate``, ``distance``, ``speed``
  [km/h], ``altitude`` lists of ``{dateTime, value}`` and ``recordedRoute`` points
  ``{dateTime, latitude, longitude, altitude}``.
- the newer one: ``durationMillis``, ``distanceMeters``, ``timezoneOffsetMinutes``,
  ``sport`` ``{"id": "1"}``, ``samples`` ``{"samples": [{type, intervalMillis, values}]}``
  (``HEART_RATE``, ``DISTANCE``, ``SPEED``, ``ALTITUDE`` streams, ``NaN`` written literally
  for a dropout) and ``routes`` ``{"route": {startTime, wayPoints: [{latitude, longitude,
  altitude, elapsedMillis}]}}``.

Every other file of the export (``account-data-*.json``, ``247ohr_*``, ``activity-*``,
sleep, ...) is listed in ``skipped`` as account data.
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

_SESSION_NAME = re.compile(r"(^|/)training-session-[^/]*\.json$", re.IGNORECASE)
_ISO_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?"
                           r"(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
KMH_TO_M_S = 1 / 3.6


def is_session_key(key: str) -> bool:
    """Whether a path inside an export names a Polar training session."""
    return bool(_SESSION_NAME.search(key.replace("\\", "/")))


def looks_like_polar(name: str, head: bytes) -> bool:
    """A Polar training session: named ``training-session-*.json`` and a JSON object (a
    damaged one is then reported by :func:`parse_polar_session`)."""
    return is_session_key(name) and head.lstrip()[:1] == b"{"


def iso_duration_s(text: object) -> float | None:
    """``PT1H2M3.5S`` -> 3723.5 [s]; None when missing or not ISO-8601."""
    if not isinstance(text, str):
        return None
    m = _ISO_DURATION.match(text.strip())
    if not m or not any(m.groups()):
        return None
    d, h, mi, s = (float(g) if g else 0.0 for g in m.groups())
    return ((d * 24 + h) * 60 + mi) * 60 + s


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        v = float(value)
    except ValueError:
        return None
    return v if np.isfinite(v) else None


def _start(text: object, offset_min: float | None) -> pd.Timestamp | None:
    """A Polar local time string and its offset [min] -> UTC."""
    if not isinstance(text, str) or not text:
        return None
    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError):
        return None
    if ts.tzinfo is not None:
        return ts.tz_convert("UTC")
    return (ts - pd.Timedelta(minutes=offset_min or 0.0)).tz_localize("UTC")


def _value_list(name: str, items: object, key: str, offset_min: float | None) -> pd.Series:
    """``[{dateTime, value}]`` (the 1.x layout) as a Series on UTC times."""
    times, values = [], []
    for it in items if isinstance(items, list) else []:
        if isinstance(it, dict):
            t = _start(it.get("dateTime"), offset_min)
            if t is not None:
                times.append(t)
                v = _num(it.get(key))
                values.append(np.nan if v is None else v)
    return pd.Series(values, index=pd.DatetimeIndex(times), dtype=float, name=name)


def _samples(ex: dict, start: pd.Timestamp, offset_min: float | None) -> pd.DataFrame:
    cols: dict[str, pd.Series] = {}
    raw = ex.get("samples")
    if isinstance(raw, dict) and isinstance(raw.get("samples"), list):  # the newer layout
        names = {"HEART_RATE": "hr_bpm", "DISTANCE": "distance_m", "SPEED": "speed_m_s",
                 "ALTITUDE": "altitude_m"}
        for stream in raw["samples"]:
            if not isinstance(stream, dict) or stream.get("type") not in names:
                continue
            step = _num(stream.get("intervalMillis")) or 1000.0
            nums = [_num(v) for v in stream.get("values") or []]
            vals = np.array([np.nan if v is None else v for v in nums], dtype=float)
            idx = start + pd.to_timedelta(np.arange(len(vals)) * step, unit="ms")
            cols[names[stream["type"]]] = pd.Series(vals, index=idx)
    elif isinstance(raw, dict):  # exportVersion 1.x
        for key, col in (("heartRate", "hr_bpm"), ("distance", "distance_m"),
                         ("speed", "speed_m_s"), ("altitude", "altitude_m")):
            if key in raw:
                cols[col] = _value_list(col, raw[key], "value", offset_min)
        route = raw.get("recordedRoute")
        if isinstance(route, list):
            for key, col in (("latitude", "lat_deg"), ("longitude", "lon_deg")):
                cols[col] = _value_list(col, route, key, offset_min)
            if "altitude_m" not in cols:
                cols["altitude_m"] = _value_list("altitude_m", route, "altitude", offset_min)
    routes = ex.get("routes")
    route = routes.get("route") if isinstance(routes, dict) else None
    if isinstance(route, dict) and isinstance(route.get("wayPoints"), list):
        r0 = _start(route.get("startTime"), offset_min) or start
        pts = [w for w in route["wayPoints"] if isinstance(w, dict)]
        ms = np.array([_num(w.get("elapsedMillis")) or 0.0 for w in pts])
        idx = r0 + pd.to_timedelta(ms, unit="ms")
        for key, col in (("latitude", "lat_deg"), ("longitude", "lon_deg"),
                         ("altitude", "altitude_m")):
            got = [_num(w.get(key)) for w in pts]
            if any(v is not None for v in got):
                cols[col] = pd.Series([np.nan if v is None else v for v in got], index=idx)
    cols = {k: v[~v.index.duplicated()] for k, v in cols.items() if len(v)}
    if not cols:
        return pd.DataFrame()
    df = pd.concat(cols, axis=1).sort_index()
    if "speed_m_s" in df:
        df["speed_m_s"] = df["speed_m_s"] * KMH_TO_M_S  # Polar writes km/h
    df.index.name = "time"
    return df.reset_index()


def _hr(ex: dict, doc: dict) -> tuple[float | None, float | None]:
    hr = ex.get("heartRate")
    if isinstance(hr, dict):
        return _num(hr.get("avg")), _num(hr.get("max"))
    stats = ex.get("statistics")
    for s in stats.get("statistics", []) if isinstance(stats, dict) else []:
        if isinstance(s, dict) and s.get("type") == "HEART_RATE":
            return _num(s.get("avg")), _num(s.get("max"))
    return _num(doc.get("hrAvg")), _num(doc.get("hrMax"))


def parse_polar_session(name: str, data: bytes, default_sport: str = "running"
                        ) -> list[Parsed]:
    """One ``training-session-*.json`` (either layout, see the module docs): one
    :class:`Parsed` per exercise (a multisport session has several)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))  # Python's json reads a literal NaN
    except (UnicodeError, ValueError) as exc:
        raise CorruptFileError(name, f"is not readable JSON ({str(exc)[:100]}); the export "
                               "may be damaged: download it again") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("exercises"), list):
        raise CorruptFileError(name, "is a Polar training session without an 'exercises' "
                               "list; download the export again")
    digest = hashlib.sha1(data).hexdigest()
    out: list[Parsed] = []
    for i, ex in enumerate(doc["exercises"]):
        if not isinstance(ex, dict):
            continue
        offset_min = _num(ex.get("timezoneOffset", ex.get("timezoneOffsetMinutes",
                          doc.get("timeZoneOffset", doc.get("timezoneOffsetMinutes")))))
        start = _start(ex.get("startTime") or doc.get("startTime"), offset_min)
        if start is None:
            raise InputError(name, f"exercise {i} has no readable startTime "
                             f"({str(ex.get('startTime'))[:40]!r}); it cannot be placed on a date")
        sport_raw = ex.get("sport", doc.get("sport"))
        code = str(sport_raw.get("id")) if isinstance(sport_raw, dict) else str(sport_raw or "")
        found = lookup("polar", code.upper() or None, default_sport=default_sport)
        sport = found.sport
        notes = [found.note] if found.note else []
        elapsed = iso_duration_s(ex.get("duration"))
        if elapsed is None:
            ms = _num(ex.get("durationMillis"))
            elapsed = ms / 1000.0 if ms is not None else None
        hr_avg, hr_max = _hr(ex, doc)
        totals = {"distance_m": _num(ex.get("distance", ex.get("distanceMeters"))),
                  "elapsed_s": elapsed, "moving_s": elapsed,
                  "ascent_m": _num(ex.get("ascent")), "descent_m": _num(ex.get("descent")),
                  "hr_avg_bpm": hr_avg, "hr_max_bpm": hr_max}
        product = doc.get("product")
        device = (product.get("modelName") if isinstance(product, dict) else None) or str(
            doc.get("deviceId") or doc.get("device") or "Polar Flow export")
        out.append(Parsed(
            source_path=name, source_format="json", digest=digest, session_index=i,
            samples=_samples(ex, start, offset_min), sport=sport or "other", sub_sport=code,
            start_time=start, totals=totals, device=str(device),
            utc_offset_s=offset_min * 60.0 if offset_min is not None else None,
            offset_source=TZ_RECORDED, notes=notes))
    if not out:
        raise InputError(name, "is a Polar training session with no exercises; nothing to read")
    return out
