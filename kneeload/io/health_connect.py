"""Android Health Connect export (``Health Connect.zip`` holding ``health_connect_export.db``).

Health Connect (Android 14+: Settings > Security & privacy > Privacy controls > Health
Connect > Manage data > Export data) writes its whole store as one SQLite database. kneeload
copies it out of the zip to a temporary file and opens it read-only with the standard
library's :mod:`sqlite3`; tables read (names as in AOSP's HealthConnect storage and the public
parsers of the export):

- ``exercise_session_record_table``: ``row_id``, ``start_time``/``end_time`` [ms],
  ``start_zone_offset``/``end_zone_offset`` [s], ``exercise_type`` (Health Connect's
  ``ExerciseSessionRecord`` constants), ``title``, ``notes``, ``app_info_id``;
- ``distance_record_table`` (``distance`` [m] per interval): summed over the intervals inside
  each session, from the session's app where that app wrote any;
- ``heart_rate_record_table`` + ``heart_rate_record_series_table`` (``parent_key``,
  ``epoch_millis``, ``beats_per_minute``): the samples inside each session;
- ``exercise_route_table`` (``parent_key``, ``timestamp_millis``, ``latitude``,
  ``longitude``, ``altitude``) where present.

A damaged, locked or encrypted database, or one without the sessions table, is one clear skip.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import tempfile

import numpy as np
import pandas as pd

from ..errors import CorruptFileError, InputError
from ..sports import lookup
from ._summary import Parsed
from ._time import TZ_RECORDED

DB_NAME = "health_connect_export.db"
SQLITE_MAGIC = b"SQLite format 3\x00"

SESSIONS = "exercise_session_record_table"


def looks_like_health_connect(name: str, head: bytes) -> bool:
    """``health_connect_export.db`` (or any name) starting with SQLite's magic; a file of
    that name without it is taken too, so its damage is reported."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].rsplit("!", 1)[-1]
    return base == DB_NAME or head.startswith(SQLITE_MAGIC) and name.lower().endswith(".db")


def _columns(con: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in con.execute(f'PRAGMA table_info("{table}")')}


def _tables(con: sqlite3.Connection) -> set[str]:
    return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _ms(v: object) -> pd.Timestamp:
    return pd.Timestamp(int(v), unit="ms", tz="UTC")  # type: ignore[call-overload]


def parse_health_connect(name: str, data: bytes, default_sport: str = "running"
                         ) -> list[Parsed]:
    """The exercise sessions of a Health Connect database (its bytes)."""
    if not data.startswith(SQLITE_MAGIC):
        raise CorruptFileError(name, "is not an SQLite database (damaged, or encrypted); "
                               "export it again from Health Connect")
    fd, tmp = tempfile.mkstemp(suffix=".db", prefix="kneeload-hc-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        con = sqlite3.connect(f"file:{tmp}?mode=ro", uri=True)
        try:
            return _read(con, name, hashlib.sha1(data).hexdigest(), default_sport)
        except sqlite3.Error as exc:
            raise CorruptFileError(name, f"cannot be read as a database ({exc}); the export "
                                   "is damaged or locked: export it again") from None
        finally:
            con.close()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _read(con: sqlite3.Connection, name: str, digest: str,
          default_sport: str = "running") -> list[Parsed]:
    tables = _tables(con)
    if SESSIONS not in tables:
        raise InputError(name, f"has no {SESSIONS}: no exercise sessions to read (tables: "
                         f"{len(tables)}); export again with exercise data allowed")
    cols = _columns(con, SESSIONS)
    need = {"start_time", "end_time", "exercise_type"}
    if need - cols:
        raise CorruptFileError(name, f"{SESSIONS} lacks {', '.join(sorted(need - cols))}; "
                               "not a Health Connect export kneeload knows")
    want = ["row_id", "start_time", "end_time", "exercise_type", "start_zone_offset",
            "end_zone_offset", "title", "notes", "app_info_id"]
    sel = ", ".join(c if c in cols else f"NULL AS {c}" for c in want)
    sessions = con.execute(f"SELECT {sel} FROM {SESSIONS} ORDER BY start_time").fetchall()
    dist = _distances(con, tables)
    hr = _heart_rate(con, tables)
    route = _routes(con, tables)
    out: list[Parsed] = []
    for row_id, start, end, etype, zoff, _ezoff, title, notes, app in sessions:
        if start is None:
            raise InputError(name, "an exercise session has no start_time", f"row {row_id}")
        code = int(etype) if etype is not None else -1
        found = lookup("health_connect", code if etype is not None else None,
                       default_sport=default_sport)
        sport = found.sport
        end = end if end is not None else start
        distance = None
        if dist is not None and len(dist):
            inside = (dist[:, 0] >= start) & (dist[:, 1] <= end)
            mine = inside & (dist[:, 3] == app) if app is not None else inside
            pick = mine if mine.any() else inside
            distance = float(dist[pick, 2].sum()) if pick.any() else None
        parts: list[pd.DataFrame] = []
        if hr is not None and len(hr):
            w = hr[(hr[:, 0] >= start) & (hr[:, 0] <= end)]
            if len(w):
                parts.append(pd.DataFrame({"time": pd.to_datetime(w[:, 0], unit="ms", utc=True),
                                           "hr_bpm": w[:, 1]}))
        if row_id in route:
            parts.append(route[row_id])
        samples = pd.DataFrame()
        if parts:
            samples = (pd.concat(parts, ignore_index=True).groupby("time", sort=True).first()
                       .reset_index())  # heart rate and route on one time line
        notes_list = [found.note] if found.note else []
        if title or notes:
            notes_list.append(" - ".join(str(x) for x in (title, notes) if x))
        out.append(Parsed(
            source_path=f"{name}#session {row_id}", source_format="sqlite",
            digest=hashlib.sha1(f"{digest}:{row_id}".encode()).hexdigest(), session_index=0,
            samples=samples, sport=sport or "other", sub_sport=str(code),
            start_time=_ms(start),
            totals={"distance_m": distance, "elapsed_s": (end - start) / 1000.0,
                    "moving_s": (end - start) / 1000.0},
            device="Health Connect", utc_offset_s=float(zoff) if zoff is not None else None,
            offset_source=TZ_RECORDED, notes=notes_list,
            distance_source="session" if distance is not None else "none"))
    return out


def _distances(con: sqlite3.Connection, tables: set[str]) -> np.ndarray | None:
    """(start, end, distance, app) rows of ``distance_record_table``."""
    t = "distance_record_table"
    if t not in tables or not {"start_time", "end_time", "distance"} <= _columns(con, t):
        return None
    app = "app_info_id" if "app_info_id" in _columns(con, t) else "NULL"
    rows = con.execute(f"SELECT start_time, end_time, distance, {app} FROM {t}").fetchall()
    return np.array([[a, b, c, np.nan if d is None else d] for a, b, c, d in rows
                     if a is not None and b is not None and c is not None], dtype=float
                    ).reshape(-1, 4)


def _heart_rate(con: sqlite3.Connection, tables: set[str]) -> np.ndarray | None:
    """(epoch ms, bpm) of every heart-rate sample."""
    t = "heart_rate_record_series_table"
    if t not in tables or not {"epoch_millis", "beats_per_minute"} <= _columns(con, t):
        return None
    rows = con.execute(f"SELECT epoch_millis, beats_per_minute FROM {t} "
                       "ORDER BY epoch_millis").fetchall()
    return np.array([r for r in rows if None not in r], dtype=float).reshape(-1, 2)


def _routes(con: sqlite3.Connection, tables: set[str]) -> dict[object, pd.DataFrame]:
    t = "exercise_route_table"
    if t not in tables:
        return {}
    cols = _columns(con, t)
    time_col = next((c for c in ("timestamp_millis", "time_in_millis", "time") if c in cols),
                    None)
    if time_col is None or not {"parent_key", "latitude", "longitude"} <= cols:
        return {}
    alt = "altitude" if "altitude" in cols else "NULL"
    df = pd.read_sql_query(f"SELECT parent_key, {time_col} AS t, latitude AS lat_deg, "
                           f"longitude AS lon_deg, {alt} AS altitude_m FROM {t} "
                           f"ORDER BY parent_key, {time_col}", con)
    df["time"] = pd.to_datetime(df.pop("t"), unit="ms", utc=True)
    df["altitude_m"] = pd.to_numeric(df["altitude_m"], errors="coerce")
    return {k: g.drop(columns="parent_key").reset_index(drop=True)
            for k, g in df.groupby("parent_key")}
