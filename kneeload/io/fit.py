"""FIT reader (Garmin/ANT FIT activity files): fitdecode by default, fitparse supported.

Backends: ``"fitdecode"`` (default; MIT; its raw-values mode decodes about 4x faster than
fitparse's default, with the CRC still checked) and ``"fitparse"`` (the library users asked
for; kept and tested). Both give the same activities on every corpus file fitparse reads
(tests/test_corpus.py). A damaged file is read up to the damage and marked partial; a FIT
file that is not an activity (settings, course, workout) raises
:class:`NotAnActivityError`. FIT running cadence is strides per minute (one foot); it is
doubled to steps.
"""

from __future__ import annotations

import io
import struct
import warnings
from typing import Any

import fitdecode
import fitparse
import numpy as np
import pandas as pd
from fitparse.utils import FitCRCError, FitEOFError, FitHeaderError, FitParseError

from ..errors import CorruptFileError, InvalidTimeError, NotAnActivityError
from ..schema import ON_FOOT_SPORTS
from ._source import RawFile
from ._summary import Parsed, valid_times
from ._time import EARLIEST_VALID, latest_valid

_RECORD_FIELDS = ("timestamp", "position_lat", "position_long", "distance", "enhanced_altitude",
                  "altitude", "enhanced_speed", "speed", "heart_rate", "cadence",
                  "fractional_cadence")
SEMICIRCLE_DEG = 180.0 / 2**31
FIT_EPOCH_UNIX = 631065600  # 1989-12-31T00:00:00Z
#: FIT date_time values below this are seconds since the device powered on, not dates.
FIT_MIN_ABSOLUTE = 0x10000000
BACKENDS = ("fitdecode", "fitparse")


def normalise_sport(sport: object, sub_sport: object) -> str:
    """FIT ``sport``/``sub_sport`` -> kneeload's normalised sport."""
    sp, sub = str(sport or "").lower(), str(sub_sport or "").lower()
    if sp == "running":
        if sub == "trail":
            return "trail_running"
        if sub in ("treadmill", "indoor_running", "virtual_activity"):
            return "treadmill"
        return "running"
    if sp in ("walking", "hiking"):
        return "walking"
    if sp in ("cycling", "e_biking"):
        return "cycling"
    if sp == "swimming":
        return "swimming"
    return "other"


def _utc(value: object) -> pd.Timestamp | None:
    """A FIT date_time as UTC: fitparse gives naive-UTC datetimes, fitdecode's raw mode
    seconds since the FIT epoch; values below 0x10000000 are relative device times (None)."""
    if hasattr(value, "year"):
        ts = pd.Timestamp(value)
        return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) \
            and value >= FIT_MIN_ABSOLUTE:
        return pd.Timestamp(int(value) + FIT_EPOCH_UNIX, unit="s", tz="UTC")
    return None


def _local(value: object) -> pd.Timestamp | None:
    """A FIT local_date_time (naive wall-clock time)."""
    if hasattr(value, "year"):
        return pd.Timestamp(value).tz_localize(None)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return pd.Timestamp(int(value) + FIT_EPOCH_UNIX, unit="s")
    return None


def _num(value: object) -> float | None:
    if value is None or isinstance(value, (str, bytes, tuple, list)):
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if np.isnan(f) else f


def _device(file_id: dict[str, Any]) -> str:
    maker = file_id.get("manufacturer")
    product = file_id.get("garmin_product") or file_id.get("product")
    parts = [str(p) for p in (maker, product) if p not in (None, "")]
    return " ".join(parts)


class _Reading:
    """Messages collected from one pass over a FIT file."""

    def __init__(self) -> None:
        self.file_ids: list[dict[str, Any]] = []
        self.sessions: list[dict[str, Any]] = []
        self.laps: list[dict[str, Any]] = []
        self.sports: list[dict[str, Any]] = []
        self.activity: dict[str, Any] | None = None
        self.records: list[tuple[Any, ...]] = []
        self.problem: str | None = None  # what stopped the reading, for partial files
        self.crc_mismatch = False


def _read_messages_fitdecode(raw: RawFile) -> _Reading:
    buf = io.BytesIO(raw.data)
    r = _Reading()
    data_frame = fitdecode.FIT_FRAME_DATA
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # processor=None: values scaled by the reader itself, no per-field hooks
            with fitdecode.FitReader(buf, check_crc=fitdecode.CrcCheck.WARN,
                                     processor=None, keep_raw_chunks=False) as reader:
                for frame in reader:
                    if frame.frame_type != data_frame:
                        continue
                    name = frame.name
                    if name == "record":
                        v = {f.name: f.value for f in frame.fields}
                        r.records.append(tuple(v.get(f) for f in _RECORD_FIELDS))
                    elif name in ("session", "lap", "file_id", "activity", "sport"):
                        v = {f.name: f.value for f in frame.fields}
                        if name == "session":
                            r.sessions.append(v)
                        elif name == "lap":
                            r.laps.append(v)
                        elif name == "file_id":
                            r.file_ids.append(v)
                        elif name == "activity":
                            r.activity = r.activity or v
                        else:
                            r.sports.append(v)
        r.crc_mismatch = any("CRC" in str(w.message) for w in caught)
    except fitdecode.FitHeaderError as exc:
        if not r.records and not r.sessions:
            raise CorruptFileError(raw.name, f"is not a readable FIT file ({exc})",
                                   "byte 0") from exc
        r.problem = (f"damaged FIT header at byte {buf.tell()} after {len(r.records):,} "
                     f"records ({exc}); read the part before it")
    except fitdecode.FitEOFError:
        if not r.file_ids and not r.records:
            raise CorruptFileError(raw.name, "is too short to be a FIT file (it ends "
                                   f"at byte {len(raw.data)})", "byte 0") from None
        r.problem = (f"truncated after {len(r.records):,} records "
                     f"(unexpected end of file at byte {len(raw.data)})")
    except (fitdecode.FitError, AssertionError, ArithmeticError, LookupError, TypeError,
            ValueError,
            UnicodeError, struct.error) as exc:
        if not r.file_ids and not r.records:
            raise CorruptFileError(raw.name, f"is not a readable FIT file ({_short(exc)})",
                                   "byte 0") from exc
        r.problem = (f"undecodable data at byte {buf.tell()} after {len(r.records):,} records "
                     f"({_short(exc)}); read the part before it")
    return r


def _short(exc: Exception) -> str:
    return str(exc).split(" (chunk")[0].split("\n")[0]


def _read_messages(raw: RawFile, backend: str = "fitdecode") -> _Reading:
    if backend == "fitdecode":
        return _read_messages_fitdecode(raw)
    if backend != "fitparse":
        from ..errors import UsageError
        raise UsageError(f"fit_backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    buf = io.BytesIO(raw.data)
    try:
        ff = fitparse.FitFile(buf, check_crc=True)
    except FitParseError as exc:
        raise CorruptFileError(raw.name, f"is not a readable FIT file ({exc})", "byte 0") from exc
    r = _Reading()
    try:
        for msg in ff.get_messages():
            name = msg.name
            if name == "record":
                v = msg.get_values()
                r.records.append(tuple(v.get(f) for f in _RECORD_FIELDS))
            elif name == "session":
                r.sessions.append(msg.get_values())
            elif name == "lap":
                r.laps.append(msg.get_values())
            elif name == "file_id":
                r.file_ids.append(msg.get_values())
            elif name == "activity" and r.activity is None:
                r.activity = msg.get_values()
            elif name == "sport":
                r.sports.append(msg.get_values())
    except FitCRCError:
        r.crc_mismatch = True
    except FitEOFError:
        r.problem = (f"truncated after {len(r.records):,} records "
                     f"(unexpected end of file at byte {len(raw.data)})")
    except FitHeaderError as exc:
        r.problem = (f"damaged FIT header at byte {buf.tell()} after {len(r.records):,} records "
                     f"({exc}); read the part before it")
    except FitParseError as exc:
        r.problem = (f"undecodable data at byte {buf.tell()} after {len(r.records):,} records "
                     f"({exc}); read the part before it")
    return r


def _records_frame(records: list[tuple[Any, ...]]) -> pd.DataFrame:
    if not records:
        return pd.DataFrame(columns=list(_RECORD_FIELDS))
    df = pd.DataFrame.from_records(records, columns=list(_RECORD_FIELDS))
    ts = df["timestamp"]
    absolute = ts.map(lambda v: hasattr(v, "year"))
    if absolute.any():  # fitparse: datetimes (ints where relative)
        df["time"] = pd.to_datetime(ts.where(absolute), utc=True).astype("datetime64[ns, UTC]")
    else:  # fitdecode raw: FIT-epoch seconds, converted in one go
        secs = pd.to_numeric(ts, errors="coerce")
        secs = secs.where(secs >= FIT_MIN_ABSOLUTE)
        df["time"] = pd.to_datetime(secs + FIT_EPOCH_UNIX, unit="s", utc=True).astype(
            "datetime64[ns, UTC]")
    for col in _RECORD_FIELDS[1:]:
        try:  # numbers or None: one vectorised pass
            df[col] = pd.to_numeric(df[col], errors="raise").astype(float)
        except (TypeError, ValueError):  # arrays or bytes from odd files: value by value
            df[col] = pd.to_numeric(df[col].map(_num), errors="coerce").astype(float)
    out = pd.DataFrame({
        "time": df["time"],
        "lat_deg": df["position_lat"] * SEMICIRCLE_DEG,
        "lon_deg": df["position_long"] * SEMICIRCLE_DEG,
        "distance_m": df["distance"],
        "altitude_m": df["enhanced_altitude"].fillna(df["altitude"]),
        "speed_m_s": df["enhanced_speed"].fillna(df["speed"]),
        "hr_bpm": df["heart_rate"],
        "cadence_spm": df["cadence"] + df["fractional_cadence"].fillna(0.0),
    })
    return out


def _relative(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) \
        and 0 <= value < FIT_MIN_ABSOLUTE


def _place_power_on_clock(r: _Reading) -> bool:
    """Put a power-on clock on the calendar, in place, when the file allows it.

    Some watches (the Forerunner 70, for one) count ``timestamp`` from power-on, yet write
    the wall-clock time of the activity's end in ``activity.local_timestamp``. The
    difference between the two places every relative time stamp of the file on the local
    wall clock. Returns True when done: the times are then local wall-clock times, not UTC
    (:attr:`Parsed.wall_clock_only`).
    """
    act = r.activity or {}
    ts, local = act.get("timestamp"), act.get("local_timestamp")
    if not _relative(ts):
        return False
    local_ts = _local(local)
    if local_ts is None or not (EARLIEST_VALID.tz_localize(None) <= local_ts
                                <= latest_valid().tz_localize(None)):
        return False
    shift = int((local_ts - pd.Timestamp(FIT_EPOCH_UNIX, unit="s")).total_seconds()) - int(ts)

    def move(v: object) -> object:
        return int(v) + shift if _relative(v) else v

    r.records = [(move(rec[0]), *rec[1:]) for rec in r.records]
    for msg in (*r.sessions, *r.laps):
        for key in ("start_time", "timestamp"):
            if key in msg:
                msg[key] = move(msg[key])
    return True


def _session_totals(s: dict[str, Any], on_foot: bool) -> dict[str, float | None]:
    cad = _num(s.get("avg_running_cadence")) or _num(s.get("avg_cadence"))
    if cad is not None and cad > 0:
        cad += _num(s.get("avg_fractional_cadence")) or 0.0
        cad = cad * 2.0 if on_foot else None
    else:
        cad = None
    return {
        "distance_m": _num(s.get("total_distance")),
        "elapsed_s": _num(s.get("total_elapsed_time")),
        "moving_s": _num(s.get("total_moving_time")) or _num(s.get("total_timer_time")),
        "ascent_m": _num(s.get("total_ascent")),
        "descent_m": _num(s.get("total_descent")),
        "hr_avg_bpm": _num(s.get("avg_heart_rate")),
        "hr_max_bpm": _num(s.get("max_heart_rate")),
        "cadence_spm": cad,
    }


def parse_fit(raw: RawFile, *, default_sport: str = "running",
              backend: str = "fitdecode") -> list[Parsed]:
    """Parse a FIT file's bytes into one :class:`Parsed` per session."""
    r = _read_messages(raw, backend)
    wall_clock = _place_power_on_clock(r)
    ftype = r.file_ids[0].get("type") if r.file_ids else "activity"
    if ftype not in ("activity", None):
        raise NotAnActivityError(raw.name, f"is a FIT '{ftype}' file, not a recorded activity")
    samples = _records_frame(r.records)
    notes: list[str] = []
    samples = valid_times(raw.name, samples, notes)
    if r.crc_mismatch:
        notes.append("file checksum (CRC) does not match; values read as stored")
    if r.problem:
        notes.append(r.problem)
    device = _device(r.file_ids[0]) if r.file_ids else ""

    offset = None
    if r.activity and not wall_clock:
        ts, local = _utc(r.activity.get("timestamp")), _local(r.activity.get("local_timestamp"))
        if ts is not None and local is not None:
            offset = (local - ts.tz_localize(None)).total_seconds()
    if wall_clock:
        notes.append("the watch's clock counts from power-on; placed by the activity's local "
                     "time (the local date is the watch's, the UTC time assumes the "
                     "configured zone)")

    sessions = r.sessions
    if not sessions:
        if samples.empty:
            if r.problem:
                raise CorruptFileError(raw.name, r.problem)
            raise NotAnActivityError(raw.name, "has no sessions and no records: nothing was "
                                     "recorded")
        # Unterminated or cut-off recording: one session from the records.
        sport_msg = (r.sports or r.laps or [{}])[0]
        sport = normalise_sport(sport_msg.get("sport"), sport_msg.get("sub_sport"))
        if not sport_msg.get("sport"):
            sport = default_sport
            notes.append(f"sport not recorded; assumed {default_sport}")
        sessions = [{"sport": None, "_sport": sport, "_assumed": not sport_msg.get("sport")}]
        if not r.problem:
            notes.append("no session summary in the file; totals from the records")

    out: list[Parsed] = []
    starts = [_utc(s.get("start_time")) for s in sessions]
    for i, s in enumerate(sessions):
        sport = s.get("_sport") or normalise_sport(s.get("sport"), s.get("sub_sport"))
        on_foot = sport in ON_FOOT_SPORTS
        start = starts[i]
        if start is not None and not (EARLIEST_VALID <= start <= latest_valid()):
            notes_i = [f"session start {start.isoformat()} is not a real recording time; "
                       "the first valid record's time is used"]
            start = None
        else:
            notes_i = []
        end = _utc(s.get("timestamp"))
        if end is not None and not (EARLIEST_VALID <= end <= latest_valid()):
            end = None
        elapsed = _num(s.get("total_elapsed_time"))
        if start is not None and elapsed is not None:
            end = max(end, start + pd.Timedelta(seconds=elapsed)) if end is not None else (
                start + pd.Timedelta(seconds=elapsed))
        if len(sessions) > 1 and start is not None:
            nxt = next((t for t in starts[i + 1:] if t is not None), None)
            upper = nxt if nxt is not None and (end is None or nxt < end) else end
            mask = samples["time"] >= start
            if upper is not None:
                mask &= samples["time"] < upper if upper is nxt else samples["time"] <= upper
            part = samples[mask]
        else:
            part = samples
        part = part.reset_index(drop=True)
        if on_foot:
            part = part.assign(cadence_spm=part["cadence_spm"] * 2.0)
        if start is None and part["time"].notna().any():
            start = part["time"].dropna().iloc[0]
        if start is None:
            relative = any(isinstance(s.get(k), (int, np.integer)) and s.get(k) < FIT_MIN_ABSOLUTE
                           for k in ("start_time", "timestamp"))
            why = ("its time stamps count from the device's power-on, not the calendar"
                   if relative else "it has no usable time stamps")
            raise InvalidTimeError(raw.name, f"cannot be placed on a date: {why}; re-export "
                                   "the activity from the watch's app")
        sub = s.get("sub_sport")
        out.append(Parsed(
            source_path=raw.name, source_format="fit", digest=raw.digest, session_index=i,
            samples=part, sport=sport, sub_sport="" if sub in (None, "generic") else str(sub),
            start_time=start, totals=_session_totals(s, on_foot), device=device,
            utc_offset_s=offset, partial=bool(r.problem), notes=list(notes) + notes_i,
            sport_assumed=bool(s.get("_assumed")), wall_clock_only=wall_clock,
        ))
    return out
