"""From a parsed session (device totals + samples) to one activities-table row.

Shared by every reader so FIT, GPX and TCX summaries follow the same rules.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidTimeError
from ..schema import ON_FOOT_SPORTS, conform_samples
from ..sports import MAX_ASSUMED_RUN_SPEED_M_S
from ._time import (
    EARLIEST_VALID,
    TZ_FORCED,
    TZ_POSITION,
    Placement,
    latest_valid,
    local_wall_time,
    placement,
    round_offset,
    zone_at,
)

EARTH_RADIUS_M = 6_371_008.8
#: Below this speed a sample counts as stopped when computing moving time [m/s].
MOVING_SPEED_M_S = 0.5
#: Elevation must move this far from the last turning point before it counts as climb
#: or descent [m]; filters GPS/barometer noise (see docs/readers.md).
ELEVATION_THRESHOLD_M = 2.0
#: Median filter over this many samples before the threshold.
ELEVATION_MEDIAN_WINDOW = 5
#: Cadence values above this median are taken as already steps per minute.
PER_FOOT_CADENCE_MAX = 130.0


@dataclass(eq=False)
class SampleArrays:
    """The samples of one session as numpy columns: :data:`schema.SAMPLE_COLUMNS` with their
    dtypes, ``time`` as ``datetime64[ns]`` in UTC (NaT where unknown).

    FIT's summary-first path (:func:`kneeload.io.fit.parse_fit`) computes the activity row from
    these, without a pandas frame per file; :meth:`frame` gives the samples frame when
    something reads it (``read_samples``, a plot). Equal when every column is equal value for
    value (NaN equal to NaN).
    """

    time: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    distance_m: np.ndarray
    altitude_m: np.ndarray
    speed_m_s: np.ndarray
    hr_bpm: np.ndarray
    cadence_spm: np.ndarray

    @classmethod
    def from_frame(cls, samples: pd.DataFrame) -> SampleArrays:
        """The columns of a frame conformed by :func:`schema.conform_samples`."""
        time = samples["time"].dt.tz_localize(None).to_numpy(dtype="M8[ns]")
        return cls(time, *(samples[c].to_numpy(dtype=float) for c in _FLOAT_COLUMNS))

    def __len__(self) -> int:
        return int(self.time.size)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SampleArrays):
            return NotImplemented
        return bool(np.array_equal(self.time, other.time, equal_nan=True) and all(
            np.array_equal(getattr(self, c), getattr(other, c), equal_nan=True)
            for c in _FLOAT_COLUMNS))

    def take(self, rows: np.ndarray) -> SampleArrays:
        """The samples where the boolean array ``rows`` is True."""
        return SampleArrays(self.time[rows], *(getattr(self, c)[rows] for c in _FLOAT_COLUMNS))

    def frame(self) -> pd.DataFrame:
        """The samples frame, as :func:`schema.conform_samples` gives it."""
        return pd.DataFrame({"time": pd.DatetimeIndex(self.time).tz_localize("UTC"),
                             **{c: getattr(self, c) for c in _FLOAT_COLUMNS}})


_FLOAT_COLUMNS = ("lat_deg", "lon_deg", "distance_m", "altitude_m", "speed_m_s", "hr_bpm",
                  "cadence_spm")


@dataclass
class Parsed:
    """One session/activity as a reader found it, before the common summary rules.

    FIT's reader gives ``samples=None`` with ``arrays``: the samples frame is then built from
    the arrays the first time ``samples`` is read, never to compute the activity row.
    """

    source_path: str
    source_format: str
    digest: str
    session_index: int
    samples: pd.DataFrame  # columns of schema.SAMPLE_COLUMNS (any subset); see `arrays`
    sport: str
    sub_sport: str = ""
    start_time: pd.Timestamp | None = None  # device's start, UTC
    totals: dict[str, float | None] = field(default_factory=dict)  # device session totals
    device: str = ""
    utc_offset_s: float | None = None  # device-recorded local offset
    offset_source: str = "device"  # tz_source when utc_offset_s is used: device or recorded
    wall_clock_only: bool = False  # times are the device's local wall clock, not UTC
    partial: bool = False
    notes: list[str] = field(default_factory=list)
    sport_assumed: bool = False  # the file does not say; default_sport was used
    distance_source: str = "session"  # what totals["distance_m"] is
    arrays: SampleArrays | None = None  # the samples as numpy columns (FIT's summary-first)

    def __post_init__(self) -> None:
        if self.arrays is not None and self.samples is None:
            del self.samples  # built from the arrays by __getattr__ when first read

    def __getattr__(self, name: str) -> Any:
        # called only when `name` is not set: a summary-first Parsed's samples frame
        arrays = self.__dict__.get("arrays")
        if name == "samples" and arrays is not None:
            self.samples = arrays.frame()
            return self.samples
        raise AttributeError(name)

    def sample_arrays(self) -> SampleArrays:
        """The samples as numpy columns (from the frame, conformed, when there are no arrays)."""
        if self.arrays is not None:
            return self.arrays
        return SampleArrays.from_frame(conform_samples(self.samples))


def haversine_steps_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Great-circle distance between consecutive points [m]; NaN where a point lacks a position."""
    la, lo = np.radians(lat), np.radians(lon)
    dlat, dlon = np.diff(la), np.diff(lo)
    a = np.sin(dlat / 2) ** 2 + np.cos(la[:-1]) * np.cos(la[1:]) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def track_distance_m(lat: np.ndarray, lon: np.ndarray) -> float:
    """Length of a track over the points that have a position [m] (2-D, like Strava)."""
    ok = ~(np.isnan(lat) | np.isnan(lon))
    if ok.sum() < 2:
        return float("nan")
    return float(np.sum(haversine_steps_m(lat[ok], lon[ok])))


def running_median(values: np.ndarray, window: int = ELEVATION_MEDIAN_WINDOW) -> np.ndarray:
    """Centred running median over ``window`` samples (odd), shorter windows at the ends:
    the same values as pandas' ``rolling(window, center=True, min_periods=1).median()``."""
    n, half = values.size, window // 2
    if n <= window:
        return np.array([np.median(values[max(0, i - half):i + half + 1]) for i in range(n)])
    out = np.empty(n)
    # the middle of each sorted full window is its median (exact: no arithmetic)
    out[half:n - half] = np.sort(np.lib.stride_tricks.sliding_window_view(values, window),
                                 axis=1)[:, half]
    for i in (*range(half), *range(n - half, n)):
        out[i] = np.median(values[max(0, i - half):i + half + 1])
    return out


def climb_m(altitude: np.ndarray,
            threshold_m: float = ELEVATION_THRESHOLD_M) -> tuple[float, float]:
    """Ascent and descent from an elevation series with noise filtering [m].

    A running median over ``ELEVATION_MEDIAN_WINDOW`` samples, then hysteresis:
    a change counts only once elevation has moved ``threshold_m`` away from the
    last turning point, so GPS jitter does not add up to phantom climbing.

    The median filter is vectorised (sorted sliding windows). The hysteresis is a recurrence
    (each turning point depends on the last), run over plain Python floats: measured on a
    1 h series, 0.3 ms, faster than numpy jumping from one turning point to the next (1.8 ms)
    and than the loop over numpy scalars it replaces (3 ms); same values to the bit.
    """
    alt = altitude[~np.isnan(altitude)]
    if alt.size < 2:
        return float("nan"), float("nan")
    values = running_median(alt).tolist()
    ascent = descent = 0.0
    ref = values[0]
    for value in values:
        if value >= ref + threshold_m:
            ascent += value - ref
            ref = value
        elif value <= ref - threshold_m:
            descent += ref - value
            ref = value
    return ascent, descent


def moving_time_s(time: np.ndarray, step_m: np.ndarray) -> float:
    """Seconds spent at or above ``MOVING_SPEED_M_S`` between consecutive samples (``time``:
    datetime64[ns] UTC, no NaT; ``step_m``: the distance of each step [m])."""
    t = time.astype("int64") / 1e9
    dt_s = np.diff(t)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = step_m / dt_s
    moving = (dt_s > 0) & (speed >= MOVING_SPEED_M_S)
    return float(dt_s[moving].sum())


def _first(*values: float | None) -> float | None:
    for v in values:
        if v is not None and not (isinstance(v, float) and np.isnan(v)):
            return float(v)
    return None


def _positive_mean(values: np.ndarray) -> float | None:
    """Mean of the values above zero (pandas' mean: the pairwise sum over the count)."""
    v = values[values > 0]
    return float(v.sum() / v.size) if v.size else None


def _filled(values: np.ndarray) -> np.ndarray:
    """``values`` with each NaN replaced by the last value before it, leading NaNs by the first
    value (pandas' ``ffill().bfill()``); at least one value is known."""
    known = ~np.isnan(values)
    last = np.maximum.accumulate(np.where(known, np.arange(values.size), 0))
    out = values[last]
    out[:int(np.argmax(known))] = values[int(np.argmax(known))]
    return out


def valid_times(path: str, samples: pd.DataFrame, notes: list[str]) -> pd.DataFrame:  # noqa: ARG001
    """Blank time stamps before 1990 or in the future, and note how many were blanked."""
    if "time" not in samples or samples.empty:
        return samples
    t = samples["time"]
    bad = t.notna() & ((t < EARLIEST_VALID) | (t > latest_valid()))
    if bad.any():
        samples = samples.copy()
        first_bad = t[bad].iloc[0]
        samples.loc[bad, "time"] = pd.NaT
        notes.append(_blanked_note(int(bad.sum()), len(t), first_bad))
    return samples


def valid_time_arrays(samples: SampleArrays, notes: list[str]) -> SampleArrays:
    """:func:`valid_times` on numpy columns: the same times blanked, the same note."""
    if not len(samples):
        return samples
    t = samples.time.view("int64")
    bad = ~np.isnat(samples.time) & ((t < EARLIEST_VALID.value) | (t > latest_valid().value))
    if bad.any():
        first_bad = pd.Timestamp(samples.time[bad][0]).tz_localize("UTC")
        time = samples.time.copy()
        time[bad] = np.datetime64("NaT")
        notes.append(_blanked_note(int(bad.sum()), len(samples), first_bad))
        samples = replace(samples, time=time)
    return samples


def _blanked_note(n_bad: int, n: int, first_bad: pd.Timestamp) -> str:
    return (f"{n_bad} of {n} time stamps are not real recording times "
            f"(e.g. {first_bad.isoformat()}) and were ignored")


def first_position(lat: np.ndarray, lon: np.ndarray) -> tuple[float, float] | None:
    """The first (lat, lon) [deg] where both are known, or None."""
    ok = ~(np.isnan(lat) | np.isnan(lon))
    if not ok.any():
        return None
    i = int(np.argmax(ok))
    return float(lat[i]), float(lon[i])


def place_start(start: pd.Timestamp, offset_s: float | None, offset_source: str,
                lat: np.ndarray, lon: np.ndarray, tz: dt.tzinfo | Placement
                ) -> tuple[pd.Timestamp, float, str]:
    """Local wall-clock start, UTC offset [s] and ``tz_source`` of an activity.

    Order: a forced zone wins; else the file's or export's own offset (``offset_source``:
    ``device`` or ``recorded``); else the zone at the first position (``position:Zone``);
    else the configured zone (``config:Zone``) or the machine's (``machine:Zone``).
    """
    place = placement(tz)
    if place.kind == TZ_FORCED:
        local = local_wall_time(start, place.zone)
        return local, (local - start.tz_localize(None)).total_seconds(), place.label()
    offset = round_offset(offset_s) if offset_s is not None else None
    if offset is not None:
        return (start + pd.Timedelta(seconds=offset)).tz_localize(None), offset, offset_source
    pos = first_position(lat, lon)
    zone = zone_at(*pos) if pos is not None else None
    if zone is not None:
        local = local_wall_time(start, zone)
        return (local, (local - start.tz_localize(None)).total_seconds(),
                place.label(TZ_POSITION, zone))
    local = local_wall_time(start, place.zone)
    return local, (local - start.tz_localize(None)).total_seconds(), place.label()


def summarise(parsed: Parsed, tz: dt.tzinfo | Placement) -> dict[str, object]:
    """The activities-table row for ``parsed``; ``tz`` (a :class:`Placement`, or a zone taken
    as configured) places files without a device local time on the runner's local date,
    after the zone of the first position."""
    s = parsed.sample_arrays()
    totals = parsed.totals
    notes = list(parsed.notes)
    on_foot = parsed.sport in ON_FOOT_SPORTS

    timed = ~np.isnat(s.time)
    times = s.time[timed]
    start = parsed.start_time if parsed.start_time is not None else (
        pd.Timestamp(times[0]).tz_localize("UTC") if len(times) else None)
    if start is None:
        raise InvalidTimeError(parsed.source_path, "has no time stamps, so the activity cannot "
                               "be placed on a date; re-export it with times")

    lat, lon = _valid_positions(s.lat_deg, s.lon_deg, notes)
    has_pos = (~(np.isnan(lat) | np.isnan(lon))).sum() >= 2
    device_dist = s.distance_m[~np.isnan(s.distance_m)]

    dist, dist_src = _first(totals.get("distance_m")), parsed.distance_source
    if dist is None and len(device_dist) >= 2:
        dist, dist_src = float(device_dist.max() - device_dist.min()), "samples"
    if dist is None and has_pos:
        dist, dist_src = _track_without_jumps(s.time, lat, lon, parsed.sport, notes), "track"
    if dist is None:
        dist_src = "none"
        notes.append("no distance recorded")
    elif dist_src == "track" and len(device_dist) >= 2:  # a reader's own track distance
        dist = _without_jumps(s.time, s.distance_m, parsed.sport, notes, dist)

    span = ((pd.Timestamp(times.max()) - pd.Timestamp(times.min())).total_seconds()
            if len(times) >= 2 else None)
    elapsed = _first(totals.get("elapsed_s"))
    if elapsed is None:  # from the time stamps: their span (never negative when they step back)
        elapsed = span

    moving = _first(totals.get("moving_s"))
    if moving is None and len(times) >= 2:
        timed_dist = s.distance_m[timed]
        if (~np.isnan(timed_dist)).sum() >= 2:
            step = np.diff(_filled(timed_dist))
        else:
            step = np.nan_to_num(haversine_steps_m(lat[timed], lon[timed]))
        moving = moving_time_s(times, step)

    ascent, descent = _first(totals.get("ascent_m")), _first(totals.get("descent_m"))
    if ascent is None or descent is None:
        a, d = climb_m(s.altitude_m)
        ascent = a if ascent is None else ascent
        descent = d if descent is None else descent

    hr_avg = _first(totals.get("hr_avg_bpm") or None, _positive_mean(s.hr_bpm))
    hr_max_samples = np.nanmax(s.hr_bpm) if (~np.isnan(s.hr_bpm)).any() else None
    hr_max = _first(totals.get("hr_max_bpm") or None, hr_max_samples)

    sport = parsed.sport
    if (parsed.sport_assumed and sport in ON_FOOT_SPORTS and dist and moving
            and moving > 600 and dist / moving > MAX_ASSUMED_RUN_SPEED_M_S):
        notes.append(f"average speed {dist / moving * 3.6:.1f} km/h is faster than running; "
                     "counted as 'other', not as running load")
        sport, on_foot = "other", False

    cadence = None
    if on_foot:
        cadence = _first(totals.get("cadence_spm") or None)
        if cadence is None:
            cadence = _positive_mean(s.cadence_spm)

    if parsed.wall_clock_only:  # a power-on clock placed by the device's local time
        local_start = start.tz_localize(None)
        zone = placement(tz).zone
        try:
            start = local_start.tz_localize(zone, ambiguous=True, nonexistent="shift_forward"
                                            ).tz_convert("UTC")
        except (TypeError, ValueError):
            start = local_start.tz_localize("UTC")
        offset = (local_start - start.tz_localize(None)).total_seconds()
        tz_source = "device"
    else:
        local_start, offset, tz_source = place_start(start, parsed.utc_offset_s,
                                                     parsed.offset_source, lat, lon, tz)

    row = {
        "activity_id": f"{parsed.digest[:16]}-{parsed.session_index}",
        "start_time": start,
        "local_start": local_start,
        "local_date": local_start.normalize(),
        "utc_offset_s": offset,
        "tz_source": tz_source,
        "sport": sport,
        "sub_sport": parsed.sub_sport,
        "distance_m": dist,
        "elapsed_s": elapsed,
        "moving_s": moving,
        "ascent_m": ascent,
        "descent_m": descent,
        "hr_avg_bpm": hr_avg,
        "hr_max_bpm": hr_max,
        "cadence_spm": cadence,
        "device": parsed.device,
        "gear": "",
        "source_path": parsed.source_path,
        "source_format": parsed.source_format,
        "session_index": parsed.session_index,
        "n_samples": len(s),
        "distance_source": dist_src,
        "partial": parsed.partial,
        "implausible": False,
        "note": "",
    }
    check_row(row, notes, span_s=span, laps_s=_first(totals.get("laps_s")),
              elapsed_recorded=_first(totals.get("elapsed_s")) is not None)
    row["note"] = "; ".join(notes)
    return row


def _bad(value: object) -> bool:
    """Infinite (NaN is an unknown value, not a bad one)."""
    return isinstance(value, float) and np.isinf(value)


def _valid_positions(lat: np.ndarray, lon: np.ndarray, notes: list[str]
                     ) -> tuple[np.ndarray, np.ndarray]:
    """``lat``, ``lon`` [deg] with infinite or out-of-range positions blanked, counted in a
    note (how many, the first index, why): never dropped silently."""
    with np.errstate(invalid="ignore"):
        bad = np.isinf(lat) | np.isinf(lon) | (np.abs(lat) > 90) | (np.abs(lon) > 180)
    if bad.any():
        i = int(np.argmax(bad))
        notes.append(f"{int(bad.sum())} of {lat.size} positions are not on the Earth (first at "
                     f"point {i}: {lat[i]}, {lon[i]}: infinite or beyond +-90/+-180 deg) and "
                     "were ignored")
        lat, lon = np.where(bad, np.nan, lat), np.where(bad, np.nan, lon)
    return lat, lon


#: A GPS step is cut from a track only when it is longer than this as well as too fast [m].
GPS_JUMP_MIN_M = 200.0


def _without_jumps(time: np.ndarray, cumulative: np.ndarray, sport: str, notes: list[str],
                   dist: float) -> float:
    """``dist`` [m] without the steps of the ``cumulative`` track distance [m] that are
    faster than the sport's ceiling and longer than :data:`GPS_JUMP_MIN_M`, noted."""
    from ..sports import MAX_SPEED_M_S
    ok = ~np.isnan(cumulative) & ~np.isnat(time)
    if ok.sum() < 2:
        return dist
    steps = np.diff(cumulative[ok])
    dt_s = np.diff(time[ok].astype("int64")) / 1e9
    ceiling = MAX_SPEED_M_S.get(sport, MAX_SPEED_M_S["other"]).high
    with np.errstate(divide="ignore", invalid="ignore"):
        jump = (dt_s > 0) & (steps > GPS_JUMP_MIN_M) & (steps / dt_s > ceiling)
    if not jump.any():
        return dist
    i = int(np.flatnonzero(ok)[int(np.argmax(jump)) + 1])
    notes.append(f"{int(jump.sum())} GPS steps faster than {ceiling:g} m/s (the ceiling for "
                 f"{sport}; first at point {i}) cut from the distance: "
                 f"{steps[jump].sum() / 1000:.1f} km")
    return max(0.0, dist - float(steps[jump].sum()))


def _track_without_jumps(time: np.ndarray, lat: np.ndarray, lon: np.ndarray, sport: str,
                         notes: list[str]) -> float:
    """:func:`track_distance_m` without the steps faster than the sport's ceiling
    (:data:`kneeload.sports.MAX_SPEED_M_S`) and longer than :data:`GPS_JUMP_MIN_M`, noted."""
    from ..sports import MAX_SPEED_M_S
    ok = ~(np.isnan(lat) | np.isnan(lon))
    if ok.sum() < 2:
        return float("nan")
    steps = haversine_steps_m(lat[ok], lon[ok])
    t = time[ok]
    dt_s = np.diff(t.astype("int64")) / 1e9
    known = ~np.isnat(t[1:]) & ~np.isnat(t[:-1]) & (dt_s > 0)
    ceiling = MAX_SPEED_M_S.get(sport, MAX_SPEED_M_S["other"]).high
    with np.errstate(divide="ignore", invalid="ignore"):
        jump = known & (steps > GPS_JUMP_MIN_M) & (steps / np.where(known, dt_s, 1) > ceiling)
    if jump.any():
        i = int(np.flatnonzero(ok)[int(np.argmax(jump)) + 1])
        notes.append(f"{int(jump.sum())} GPS steps faster than {ceiling:g} m/s (the ceiling "
                     f"for {sport}; first at point {i}) cut from the distance: "
                     f"{steps[jump].sum() / 1000:.1f} km")
    return float(steps[~jump].sum())


def check_row(row: dict[str, Any], notes: list[str], *, span_s: float | None = None,
              laps_s: float | None = None, elapsed_recorded: bool = True) -> None:
    """Make ``row`` (an activities-table row being built) possible, in place, noting each
    change in ``notes``: the one place every reader's row is checked.

    - totals that are not finite numbers or are negative (distance, climb, times) are nulled;
    - an elapsed time shorter than the span of the file's own time stamps (``span_s`` [s])
      takes the span; one shorter than the sum of the file's laps (``laps_s`` [s]) takes
      that sum, unless the file's own elapsed total (``elapsed_recorded``: the row's
      ``elapsed_s`` is the file's total, not derived from its time stamps) and the span agree
      with each other: two fields then support the elapsed time, and the laps are noted and
      not used;
    - a moving time longer than the elapsed time is capped at it;
    - heart rate and cadence outside the bounds of :mod:`kneeload.sports` are nulled;
    - a start in the future: ``partial``;
    - a row no human could cover (faster on average than the sport's ceiling in
      :data:`kneeload.sports.MAX_SPEED_M_S`, or farther on foot than
      :data:`kneeload.sports.MAX_DAY_ON_FOOT_M` a day) is kept, marked ``implausible``, and
      left out of load, advice and shoes.
    """
    from ..sports import CADENCE_SPM, HR_BPM, MAX_DAY_ON_FOOT_M, MAX_SPEED_M_S

    for col in ("distance_m", "elapsed_s", "moving_s", "ascent_m", "descent_m"):
        v = row.get(col)
        if v is not None and (_bad(v) or float(v) < 0):
            notes.append(f"{col} {v} is not a possible value; left empty")
            row[col] = None
    _check_times(row, notes, span_s, laps_s, elapsed_recorded=elapsed_recorded)
    for col, bound in (("hr_avg_bpm", HR_BPM), ("hr_max_bpm", HR_BPM),
                       ("cadence_spm", CADENCE_SPM)):
        v = row.get(col)
        if v is not None and (_bad(v) or not bound.low <= float(v) <= bound.high):
            notes.append(f"{col} {v:g} is outside {bound.low:g}-{bound.high:g} "
                         f"({bound.source}); left empty")
            row[col] = None
    start = row.get("start_time")
    if isinstance(start, pd.Timestamp) and start > latest_valid():
        notes.append(f"start {start.isoformat()} is in the future")
        row["partial"] = True
    mark_implausible(row, notes, MAX_SPEED_M_S, MAX_DAY_ON_FOOT_M)


#: Time totals agree within this [s]: whole-second rounding of start and end stamps.
TIME_TOLERANCE_S = 2.0


def _check_times(row: dict[str, Any], notes: list[str], span_s: float | None,
                 laps_s: float | None, *, elapsed_recorded: bool) -> None:
    """:func:`check_row`'s elapsed and moving times: at least the span and the laps (see
    there), and moving no longer than elapsed."""
    elapsed, moving = row.get("elapsed_s"), row.get("moving_s")
    agreed = (elapsed_recorded and elapsed is not None and span_s is not None
              and abs(elapsed - span_s) <= TIME_TOLERANCE_S)
    if span_s is not None and span_s > 0 and (elapsed is None
                                              or elapsed < span_s - TIME_TOLERANCE_S):
        if elapsed is not None:
            notes.append(f"elapsed time {elapsed:.0f} s is shorter than the span of the "
                         f"file's own time stamps ({span_s:.0f} s); the span is used")
        row["elapsed_s"] = elapsed = span_s
    if laps_s is not None and np.isfinite(laps_s) and 0 < laps_s < 10 * 86400 and (
            elapsed is None or elapsed < laps_s - TIME_TOLERANCE_S):
        if agreed:
            notes.append(f"the file's laps add up to {laps_s:.0f} s, more than its elapsed "
                         f"time {elapsed:.0f} s, which the span of its time stamps "
                         f"({span_s:.0f} s) supports; the laps' sum is not used")
        else:
            if elapsed is not None:
                notes.append(f"elapsed time {elapsed:.0f} s is shorter than the file's laps "
                             f"({laps_s:.0f} s); the laps' sum is used")
            row["elapsed_s"] = elapsed = laps_s
    if moving is not None and elapsed is not None and moving > elapsed:
        if moving > elapsed + 1:
            notes.append(f"moving time {moving:.0f} s is longer than the elapsed time "
                         f"{elapsed:.0f} s; capped at the elapsed time")
        row["moving_s"] = elapsed


#: The note of a row marked implausible: ``implausible: <why>; kept but left out ...``.
IMPLAUSIBLE_NOTE = re.compile(r"implausible: (.*?); kept but left out of load, advice and shoes")


def implausible_rows(activities: pd.DataFrame) -> list[dict[str, str]]:
    """The rows marked ``implausible``: each one's ``path`` (``source_path``, with
    ``#<session>`` for a later session of a file) and ``why`` (from its note)."""
    if "implausible" not in activities or activities.empty:
        return []
    out = []
    for r in activities[activities["implausible"].fillna(False).astype(bool)].itertuples():
        found = IMPLAUSIBLE_NOTE.search(str(r.note))
        session = f"#{r.session_index}" if getattr(r, "session_index", 0) else ""
        out.append({"path": f"{r.source_path}{session}",
                    "why": found.group(1) if found else str(r.note)})
    return out


def mark_implausible(row: dict[str, Any], notes: list[str], ceilings: dict, max_day_m: float
                     ) -> None:
    """Set ``row['implausible']`` (with a note) when its distance over its time is faster
    than its sport's ceiling, or its on-foot distance beyond a day's human record."""
    dist = row.get("distance_m")
    t = row.get("moving_s") or row.get("elapsed_s")
    sport = str(row.get("sport"))
    bound = ceilings.get(sport)
    why = None
    if dist and t and bound is not None and dist / t > bound.high and dist > 1000:
        why = (f"{dist / 1000:.1f} km in {t / 60:.0f} min is {dist / t * 3.6:.0f} km/h, faster "
               f"than any human {sport.replace('_', ' ')} ({bound.source})")
    elif dist and sport in ON_FOOT_SPORTS and dist > max_day_m * max(1.0, (t or 0) / 86400):
        why = f"{dist / 1000:.0f} km on foot is beyond the 24-hour world record"
    if why:
        row["implausible"] = True
        notes.append(f"implausible: {why}; kept but left out of load, advice and shoes")


def steps_per_minute(cadence: pd.Series, per_foot: bool = True) -> pd.Series:  # noqa: FBT001, FBT002
    """Strides per foot per minute (FIT, TCX, GPX convention) -> steps per minute.

    A series whose median already exceeds ``PER_FOOT_CADENCE_MAX`` is taken as
    steps per minute and returned unchanged.
    """
    c = pd.to_numeric(cadence, errors="coerce")
    positive = c[c > 0]
    if not per_foot or (len(positive) and positive.median() > PER_FOOT_CADENCE_MAX):
        return c
    return c * 2.0
