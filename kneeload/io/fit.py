"""FIT reader (Garmin/ANT FIT activity files): a vectorised fast path with fitdecode behind it.

Backends: ``"fitdecode"`` (default): kneeload's vectorised decoder
(:mod:`kneeload.io.fit_fast`) for files of the common structure, and fitdecode (MIT; raw-values
mode) for every file it declines (damage, CRC mismatch, accumulated components...), with the
same values either way (tests/test_fit_fast.py); ``"fitdecode-only"``: fitdecode for every
file (the reference the fast path is tested against); ``"fitparse"`` (the library users asked
for; kept and tested). They give the same activities on every corpus file fitparse reads
(tests/test_corpus.py). A damaged file is read up to the damage and marked partial; a FIT
file that is not an activity (settings, course, workout) raises
:class:`NotAnActivityError`. FIT running cadence is strides per minute (one foot); it is
doubled to steps.
"""

from __future__ import annotations

import dataclasses
import io
import struct
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CorruptFileError, InvalidTimeError, NotAnActivityError
from ..schema import ON_FOOT_SPORTS, conform_samples
from ..sports import lookup
from ._source import RawFile
from ._summary import Parsed, SampleArrays, valid_time_arrays, valid_times
from ._time import EARLIEST_VALID, latest_valid

# fitdecode, fitparse and the fast path (which reads fitdecode's profile) are imported when a
# FIT file is read, not with kneeload: a warm `kneeload check` never needs them.

_RECORD_FIELDS = ("timestamp", "position_lat", "position_long", "distance", "enhanced_altitude",
                  "altitude", "enhanced_speed", "speed", "heart_rate", "cadence",
                  "fractional_cadence")
SEMICIRCLE_DEG = 180.0 / 2**31
FIT_EPOCH_UNIX = 631065600  # 1989-12-31T00:00:00Z
#: FIT date_time values below this are seconds since the device powered on, not dates.
FIT_MIN_ABSOLUTE = 0x10000000
BACKENDS = ("fitdecode", "fitdecode-only", "fitparse")
#: A session longer than this [s] (ten days) does not bound which records are its own.
MAX_SESSION_S = 10 * 86400.0
#: Laps may touch: a lap starting up to this long before the previous lap's end [s] (time
#: stamps rounded to the second) does not overlap it.
LAP_OVERLAP_S = 2.0
#: The note of an activity whose watch counted from power-on (see _place_power_on_clock).
POWER_ON_NOTE = "the watch's clock counts from power-on"


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
        #: record columns from the fast path (then ``records`` stays empty)
        self.columns: dict[str, np.ndarray] | None = None
        self.problem: str | None = None  # what stopped the reading, for partial files
        self.crc_mismatch = False


def _read_messages_fitdecode(raw: RawFile) -> _Reading:
    import fitdecode

    from .fit_fast import merge_fields

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
                        v = merge_fields((f.name, f.value) for f in frame.fields)
                        r.records.append(tuple(v.get(f) for f in _RECORD_FIELDS))
                    elif name in ("session", "lap", "file_id", "activity", "sport"):
                        v = merge_fields((f.name, f.value) for f in frame.fields)
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
        _stopped(r, raw, "header", buf.tell(), str(exc))
    except fitdecode.FitEOFError:
        _stopped(r, raw, "eof", len(raw.data), "")
    except (fitdecode.FitError, AssertionError, ArithmeticError, LookupError, TypeError,
            ValueError,
            UnicodeError, struct.error) as exc:
        _stopped(r, raw, "parse", buf.tell(), _short(exc))
    return r


def _stopped(r: _Reading, raw: RawFile, kind: str, byte: int, text: str) -> None:
    """Note why the reading stopped early (``kind``: 'header', 'eof' or 'parse', at ``byte``,
    with the decoder's ``text``), or raise when nothing before it was read."""
    n = len(r.records) if r.columns is None else len(r.columns["timestamp"])
    if kind == "header":
        if not n and not r.sessions:
            raise CorruptFileError(raw.name, f"is not a readable FIT file ({text})", "byte 0")
        r.problem = (f"damaged FIT header at byte {byte} after {n:,} records ({text}); "
                     "read the part before it")
    elif kind == "eof":
        if not r.file_ids and not n:
            raise CorruptFileError(raw.name, "is too short to be a FIT file (it ends "
                                   f"at byte {len(raw.data)})", "byte 0")
        r.problem = (f"truncated after {n:,} records "
                     f"(unexpected end of file at byte {len(raw.data)})")
    else:
        if not r.file_ids and not n:
            raise CorruptFileError(raw.name, f"is not a readable FIT file ({text})", "byte 0")
        r.problem = (f"undecodable data at byte {byte} after {n:,} records ({text}); "
                     "read the part before it")


def _short(exc: Exception) -> str:
    return str(exc).split(" (chunk")[0].split("\n")[0]


def _read_messages_fast(raw: RawFile) -> _Reading | None:
    """The vectorised fast path, or None when it declines the file."""
    from .fit_fast import Fallback, read_fit_fast

    try:
        fast = read_fit_fast(raw.data)
    except Fallback:
        return None
    r = _Reading()
    r.file_ids, r.sessions, r.laps, r.sports = fast.file_ids, fast.sessions, fast.laps, \
        fast.sports
    r.activity, r.columns = fast.activity, fast.columns
    # as the fitdecode path: a CRC mismatch is noted when the reading reaches the end
    r.crc_mismatch = fast.crc_mismatch and fast.stop is None
    if fast.stop is not None:
        _stopped(r, raw, *fast.stop)
    return r


def _read_messages(raw: RawFile, backend: str = "fitdecode") -> _Reading:  # noqa: C901
    if backend == "fitdecode":
        return _read_messages_fast(raw) or _read_messages_fitdecode(raw)
    if backend == "fitdecode-only":
        return _read_messages_fitdecode(raw)
    if backend != "fitparse":
        from ..errors import UsageError
        raise UsageError(f"fit_backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    import fitparse
    from fitparse.utils import FitCRCError, FitEOFError, FitHeaderError, FitParseError

    from .fit_fast import merge_fields

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
                v = merge_fields((f.name, f.value) for f in msg.fields)
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


def _records_columns(records: list[tuple[Any, ...]]) -> dict[str, Any]:
    """fitdecode's/fitparse's record tuples -> columns: float arrays (NaN for no value), the
    time stamps as fitparse's datetimes or FIT seconds."""
    df = pd.DataFrame.from_records(records, columns=list(_RECORD_FIELDS))
    cols: dict[str, Any] = {}
    ts = df["timestamp"]
    absolute = ts.map(lambda v: hasattr(v, "year"))
    if absolute.any():  # fitparse: datetimes (ints where relative)
        cols["timestamp"] = pd.to_datetime(ts.where(absolute), utc=True)
    else:  # fitdecode raw: FIT-epoch seconds
        cols["timestamp"] = pd.to_numeric(ts, errors="coerce").to_numpy(dtype=float)
    for col in _RECORD_FIELDS[1:]:
        try:  # numbers or None: one vectorised pass
            cols[col] = pd.to_numeric(df[col], errors="raise").to_numpy(dtype=float)
        except (TypeError, ValueError):  # arrays or bytes from odd files: value by value
            cols[col] = pd.to_numeric(df[col].map(_num), errors="coerce").to_numpy(dtype=float)
    return cols


def _sample_arrays(cols: dict[str, Any]) -> SampleArrays:
    """Record columns (FIT profile names and units) -> the samples as numpy columns (schema
    names, SI, degrees). One conversion for every backend, so equal columns give equal samples."""
    ts = cols["timestamp"]
    if isinstance(ts, pd.Series):  # fitparse's datetimes
        time = ts.astype("datetime64[ns, UTC]").dt.tz_localize(None).to_numpy("M8[ns]")
    else:  # FIT seconds: exact integer arithmetic to nanoseconds
        secs = np.asarray(ts, dtype=float)
        ok = secs >= FIT_MIN_ABSOLUTE  # False for NaN
        if not ok.all():
            secs = np.where(ok, secs, 0.0)
        whole = np.floor(secs)
        ns = (whole.astype(np.int64) + FIT_EPOCH_UNIX) * 1_000_000_000
        frac = secs - whole  # exact for these positive numbers (secs % 1)
        if frac.any():  # sub-second time stamps (whole seconds skip the rounding)
            ns += np.round(frac * 1e9).astype(np.int64)
        time = ns.view("M8[ns]")
        time[~ok] = np.datetime64("NaT")
    c = {name: np.asarray(cols[name], dtype=float) for name in _RECORD_FIELDS[1:]}
    alt = np.where(np.isnan(c["enhanced_altitude"]), c["altitude"], c["enhanced_altitude"])
    speed = np.where(np.isnan(c["enhanced_speed"]), c["speed"], c["enhanced_speed"])
    frac = np.nan_to_num(c["fractional_cadence"], nan=0.0)
    return SampleArrays(
        time=time,
        lat_deg=c["position_lat"] * SEMICIRCLE_DEG,
        lon_deg=c["position_long"] * SEMICIRCLE_DEG,
        distance_m=c["distance"],
        altitude_m=alt,
        speed_m_s=speed,
        hr_bpm=c["heart_rate"],
        cadence_spm=c["cadence"] + frac,
    )


def _record_columns(r: _Reading) -> dict[str, Any] | None:
    """The record columns of any backend, or None when the file has no records."""
    if r.columns is not None:
        return r.columns if len(r.columns["timestamp"]) else None
    return _records_columns(r.records) if r.records else None


def _records_arrays(r: _Reading) -> SampleArrays:
    cols = _record_columns(r)
    if cols is None:  # no records (a session-only file): no samples
        return SampleArrays(np.empty(0, dtype="M8[ns]"), *(np.empty(0) for _ in range(7)))
    return _sample_arrays(cols)


def _records_frame(r: _Reading) -> pd.DataFrame:
    """The samples frame of the records (the full path, :func:`parse_fit`'s reference)."""
    cols = _record_columns(r)
    if cols is None:
        # no records (a session-only file): the sample columns, no rows (an empty frame
        # without columns used to fail a running file with "could not be decoded")
        return conform_samples(pd.DataFrame())
    return _sample_arrays(cols).frame()


def _relative(value: object) -> bool:
    return bool(isinstance(value, (int, np.integer)) and not isinstance(value, bool)
                and 0 <= value < FIT_MIN_ABSOLUTE)


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
    shift = int((local_ts - pd.Timestamp(FIT_EPOCH_UNIX, unit="s")).total_seconds()) - int(
        ts)  # type: ignore[arg-type]  # _relative(ts): an int

    def move(v: Any) -> Any:
        return int(v) + shift if _relative(v) else v

    r.records = [(move(rec[0]), *rec[1:]) for rec in r.records]
    if r.columns is not None:  # the fast path's record times: the same shift, vectorised
        stamps = r.columns["timestamp"]
        rel = (stamps >= 0) & (stamps < FIT_MIN_ABSOLUTE)  # False for NaN
        r.columns["timestamp"] = np.where(rel, stamps + shift, stamps)
    for msg in (*r.sessions, *r.laps):
        for key in ("start_time", "timestamp"):
            if key in msg:
                msg[key] = move(msg[key])
    return True


def _session_totals(s: dict[str, Any], on_foot: bool) -> dict[str, float | None]:  # noqa: FBT001
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


def _laps_s(laps: list[dict[str, Any]], session: dict[str, Any], start: pd.Timestamp | None,
            upper: pd.Timestamp | None, *, alone: bool) -> tuple[float | None, str | None]:
    """The sum of the elapsed times of the session's laps [s] (each lap's
    ``total_elapsed_time``, else its ``total_timer_time``), or None without laps, and a note:
    laps that overlap in time (a lap starting more than :data:`LAP_OVERLAP_S` before the one
    before it ends) do not add up, so their sum is None, and the note says why.

    A session's laps are ``first_lap_index`` .. ``+ num_laps`` when the session says so, else
    the laps that start within the session (from ``start`` to ``upper``); every lap when the
    session is the file's only one (``alone``). :func:`kneeload.io._summary.check_row` takes
    this sum as the least possible elapsed time.
    """
    first, count = session.get("first_lap_index"), session.get("num_laps")
    if isinstance(first, int) and isinstance(count, int) and count > 0 and \
            0 <= first and first + count <= len(laps):
        mine = laps[first:first + count]
    elif alone:
        mine = laps
    elif start is None:
        return None, None
    else:
        mine = [lap for lap in laps if (t := _utc(lap.get("start_time"))) is not None
                and t >= start and (upper is None or t < upper)]
    times = [_num(lap.get("total_elapsed_time")) or _num(lap.get("total_timer_time"))
             for lap in mine]
    known = [t for t in times if t is not None and np.isfinite(t) and t >= 0]
    if not known:
        return None, None
    starts = [_utc(lap.get("start_time")) for lap in mine]
    for i in range(1, len(mine)):
        prev, this, took = starts[i - 1], starts[i], times[i - 1]
        if prev is not None and this is not None and took is not None and \
                this < prev + pd.Timedelta(seconds=took - LAP_OVERLAP_S):
            return None, (f"the file's laps overlap in time (lap {i + 1} starts "
                          f"{(prev + pd.Timedelta(seconds=took) - this).total_seconds():.0f} s "
                          f"before lap {i} ends); their sum ({sum(known):.0f} s) is not used "
                          "as the least elapsed time")
    return float(sum(known)), None


def parse_fit(raw: RawFile, *, default_sport: str = "running",  # noqa: C901
              backend: str = "fitdecode", summary_first: bool = True) -> list[Parsed]:
    """Parse a FIT file's bytes into one :class:`Parsed` per session.

    ``summary_first`` (default): the samples are kept as numpy columns
    (:attr:`Parsed.arrays`), from which the activity row is computed; the samples frame is
    built only when ``Parsed.samples`` is read. ``False``: the samples frame of each session
    is built here (the full path; tests/test_fit_summary_first.py proves both give the same
    rows, notes, errors and samples).
    """
    r = _read_messages(raw, backend)
    wall_clock = _place_power_on_clock(r)
    ftype = r.file_ids[0].get("type") if r.file_ids else "activity"
    if ftype not in ("activity", None):
        raise NotAnActivityError(raw.name, f"is a FIT '{ftype}' file, not a recorded activity")
    notes: list[str] = []
    if summary_first:
        arrays = valid_time_arrays(_records_arrays(r), notes)
        n_samples = len(arrays)
    else:
        samples = valid_times(raw.name, _records_frame(r), notes)
        n_samples = len(samples)
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
        notes.append(f"{POWER_ON_NOTE}; placed by the one calendar time it wrote "
                     "(activity.local_timestamp), taken as the activity's end: check the date "
                     "(a Forerunner 70 writes the same time in files days apart)")

    sessions = r.sessions
    if not sessions:
        if not n_samples:
            if r.problem:
                raise CorruptFileError(raw.name, r.problem)
            raise NotAnActivityError(raw.name, "has no sessions and no records: nothing was "
                                     "recorded")
        # Unterminated or cut-off recording: one session from the records.
        sport_msg = (r.sports or r.laps or [{}])[0]
        label = lookup("fit", (sport_msg.get("sport"), sport_msg.get("sub_sport")),
                       default_sport=default_sport)
        if label.note:
            notes.append(label.note)
        sessions = [{"sport": None, "_sport": label.sport, "_assumed": label.assumed}]
        if not r.problem:
            notes.append("no session summary in the file; totals from the records")

    out: list[Parsed] = []
    starts = [_utc(s.get("start_time")) for s in sessions]
    for i, s in enumerate(sessions):
        sport_note = None
        if s.get("_sport"):
            sport = s["_sport"]
        else:
            label = lookup("fit", (s.get("sport"), s.get("sub_sport")),
                           default_sport=default_sport)
            sport, sport_note = label.sport, label.note
            s = {**s, "_assumed": label.assumed}
        on_foot = sport in ON_FOOT_SPORTS
        start = starts[i]
        if start is not None and not (EARLIEST_VALID <= start <= latest_valid()):
            notes_i = [f"session start {start.isoformat()} is not a real recording time; "
                       "the first valid record's time is used"]
            start = None
        else:
            notes_i = []
        if sport_note:
            notes_i.append(sport_note)
        end = _utc(s.get("timestamp"))
        if end is not None and not (EARLIEST_VALID <= end <= latest_valid()):
            end = None
        elapsed = _num(s.get("total_elapsed_time"))
        if elapsed is not None and not 0 <= elapsed < MAX_SESSION_S:  # inf, negative: unused
            elapsed = None  # here; check_row notes the total itself
        if start is not None and elapsed is not None:
            end = max(end, start + pd.Timedelta(seconds=elapsed)) if end is not None else (
                start + pd.Timedelta(seconds=elapsed))
        upper: pd.Timestamp | None = None
        if len(sessions) > 1 and start is not None:
            nxt = next((t for t in starts[i + 1:] if t is not None), None)
            upper = nxt if nxt is not None and (end is None or nxt < end) else end
        part_arrays: SampleArrays | None = None
        if summary_first:
            part_arrays = arrays
            if len(sessions) > 1 and start is not None:
                t = arrays.time  # NaT compares False, as in the frame
                rows = t >= start.tz_localize(None).to_datetime64()
                if upper is not None:
                    u = upper.tz_localize(None).to_datetime64()
                    rows &= t < u if upper is nxt else t <= u
                part_arrays = arrays.take(rows)
            if on_foot:
                part_arrays = dataclasses.replace(part_arrays,
                                                  cadence_spm=part_arrays.cadence_spm * 2.0)
            if start is None:
                known = part_arrays.time[~np.isnat(part_arrays.time)]
                if known.size:
                    start = pd.Timestamp(known[0]).tz_localize("UTC")
        else:
            if len(sessions) > 1 and start is not None:
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
            relative = any(_relative(s.get(k)) for k in ("start_time", "timestamp"))
            why = ("its time stamps count from the device's power-on, not the calendar"
                   if relative else "it has no usable time stamps")
            raise InvalidTimeError(raw.name, f"cannot be placed on a date: {why}; re-export "
                                   "the activity from the watch's app")
        sub = s.get("sub_sport")
        totals = _session_totals(s, on_foot)
        totals["laps_s"], lap_note = _laps_s(r.laps, s, start, upper, alone=len(sessions) == 1)
        if lap_note:
            notes_i.append(lap_note)
        out.append(Parsed(
            source_path=raw.name, source_format="fit", digest=raw.digest, session_index=i,
            samples=None if part_arrays is not None else part,
            arrays=part_arrays, sport=sport,
            sub_sport="" if sub in (None, "generic") else str(sub),
            start_time=start, totals=totals, device=device,
            utc_offset_s=offset, partial=bool(r.problem), notes=list(notes) + notes_i,
            sport_assumed=bool(s.get("_assumed")), wall_clock_only=wall_clock,
        ))
    return out
