"""Zepp (Amazfit) and Mi Fit export: the workout summaries ``SPORT/SPORT_<ms>.csv``.

Zepp app > Profile > Settings > Privacy / Account > Export data sends a zip (or folder) with
one folder per kind of data (``ACTIVITY``, ``SLEEP``, ``HEARTRATE``, ``SPORT``, ``BODY``,
``USER`` ...). Only ``SPORT`` holds workouts, one per line::

    type,startTime,sportTime(s),maxPace(/meter),minPace(/meter),distance(m),avgPace(/meter),calories(kcal)

``type`` is Zepp's sport code (1 = outdoor run), ``startTime`` either epoch milliseconds or
a date with its offset (``2024-05-06 06:30:00+0000``, UTC in every sample seen, so the local
date comes from the configured zone), ``sportTime(s)`` the duration [s], ``distance(m)``.
Summaries only: no samples, no heart rate beyond an ``avgHeartRate``/``maxHeartRate`` column
where a newer export has one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re

import numpy as np
import pandas as pd

from ..errors import CorruptFileError, InputError
from ..sports import lookup
from ._summary import Parsed

_SPORT_KEY = re.compile(r"(^|/)SPORT/SPORT_[^/]*\.csv$", re.IGNORECASE)
REQUIRED = ("type", "startTime", "sportTime(s)")


def is_sport_key(key: str) -> bool:
    """Whether a path inside an export is a Zepp workout-summary file."""
    return bool(_SPORT_KEY.search(key.replace("\\", "/")))


def looks_like_zepp(name: str, head: bytes) -> bool:
    """A ``SPORT/SPORT_*.csv`` whose header starts ``type,startTime``."""
    first = head.decode("utf-8-sig", "replace").lstrip().split("\n", 1)[0]
    return is_sport_key(name) and first.replace(" ", "").startswith("type,startTime")


def _f(text: str | None) -> float | None:
    try:
        v = float(str(text).strip())
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


def _start(text: str) -> pd.Timestamp | None:
    v = _f(text)
    if v is not None:
        return pd.Timestamp(int(v if v > 1e11 else v * 1000), unit="ms", tz="UTC")
    try:
        ts = pd.Timestamp(text.strip())
    except (ValueError, TypeError):
        return None
    return ts.tz_convert("UTC") if ts.tzinfo else ts.tz_localize("UTC")


def parse_zepp_sport(name: str, data: bytes, default_sport: str = "running") -> list[Parsed]:
    """One ``SPORT_*.csv``: one :class:`Parsed` (summary only) per line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeError as exc:
        raise CorruptFileError(name, f"is not UTF-8 text ({exc}); export it again") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise CorruptFileError(name, f"has no {', '.join(missing)} column; not Zepp's "
                               "SPORT summary (type,startTime,sportTime(s),...)")
    digest = hashlib.sha1(data).hexdigest()
    out: list[Parsed] = []
    for i, r in enumerate(reader):
        line = i + 2
        start = _start(r.get("startTime") or "")
        if start is None:
            raise InputError(name, f"startTime {r.get('startTime')!r} is not a time; the "
                             "workout cannot be placed on a date", f"line {line}")
        code = int(_f(r.get("type")) or -1)
        found = lookup("zepp", code if code != -1 else None, default_sport=default_sport)
        sport = found.sport
        dur = _f(r.get("sportTime(s)"))
        dist = _f(r.get("distance(m)"))
        totals = {"distance_m": dist, "elapsed_s": dur, "moving_s": dur,
                  "hr_avg_bpm": _f(r.get("avgHeartRate")) or None,
                  "hr_max_bpm": _f(r.get("maxHeartRate")) or None}
        out.append(Parsed(
            source_path=f"{name}#line {line}", source_format="csv",
            digest=hashlib.sha1(f"{digest}:{line}".encode()).hexdigest(), session_index=0,
            samples=pd.DataFrame(), sport=sport or "other", sub_sport=str(code),
            start_time=start, totals=totals, device="Zepp export",
            distance_source="session" if dist is not None else "none",
            notes=[found.note] if found.note else []))
    return out
