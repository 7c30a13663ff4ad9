"""Summary-first FIT ingest: the activity row from numpy columns equals the full path's.

parse_fit keeps a FIT file's samples as numpy columns (``Parsed.arrays``) and summarise()
computes the row from them; the samples frame is built only when ``Parsed.samples`` is read.
Gate: on every FIT file (the shared real corpus when present, tests/data, small synthetic
files made by the benchmarks' writer), under the fast decoder and under fitdecode alone,
the summary-first path and the full path (``summary_first=False``: each session's samples
frame built as before) give identical activity rows (every column, NaN positions, dtypes),
notes, errors and samples. The row's sample statistics (distance, elapsed and moving time,
climb, heart rate, cadence, first position) are also checked against the pandas code they
replaced (``_reference_row``, kept verbatim here as the oracle), with the device totals and
without them (every fallback to the samples exercised on every file).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import sys
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, real_files_dir

from kneeload.errors import KneeloadError
from kneeload.io import fit
from kneeload.io._source import RawFile, open_source
from kneeload.io._summary import (
    MAX_ASSUMED_RUN_SPEED_M_S,
    ON_FOOT_SPORTS,
    Parsed,
    SampleArrays,
    _first,
    check_row,
    climb_m,
    haversine_steps_m,
    place_start,
    summarise,
    track_distance_m,
)
from kneeload.io._time import placement
from kneeload.io.fit import _read_messages_fitdecode, parse_fit
from kneeload.io.gpx import parse_gpx
from kneeload.io.tcx import parse_tcx
from kneeload.schema import conform_activities, conform_samples

sys.path.insert(0, str(ROOT / "benchmarks"))
import synth  # noqa: E402  (the benchmarks' FIT writer)

DATA = Path(__file__).resolve().parent / "data"
CORPUS = real_files_dir()
LOCAL_FITS = sorted((DATA / "fit").iterdir()) + sorted(
    p for p in (DATA / "invalid").iterdir() if ".fit" in p.name.lower()) + sorted(
    (DATA / "fit-components").iterdir())
CORPUS_FITS = sorted((CORPUS / "fit").iterdir()) if CORPUS is not None else []
UTC = dt.timezone.utc
#: (start, seed, seconds) of the synthetic files: 1 Hz runs as the benchmarks write them; one
#: dated in the future (no usable time), one before 1990 would be a relative clock.
SYNTHETIC = [(dt.datetime(2016, 3, 5, 6, 30, tzinfo=UTC), 1, 600),
             (dt.datetime(2021, 10, 31, 0, 59, tzinfo=UTC), 7, 300),
             (dt.datetime(2024, 2, 29, 23, 0, tzinfo=UTC), 3, 3600),
             (dt.datetime(2095, 6, 1, tzinfo=UTC), 2, 120)]
ZONES = [placement(None), placement("Europe/Berlin"), placement(None, "Asia/Tokyo")]


def _synthetic(start: dt.datetime, seed: int, seconds: int) -> RawFile:
    f = io.BytesIO(synth.fit_bytes(start, seed, seconds))
    f.name = f"synth-{start:%Y%m%d}-{seed}.fit"
    return open_source(f)


def _parse(raw: RawFile, backend: str, summary_first: bool):
    try:
        return parse_fit(raw, backend=backend, summary_first=summary_first)
    except KneeloadError as exc:
        return (type(exc).__name__, str(exc))


class _FitdecodeOnce:
    """fitdecode's reading of each file made once, a fresh copy handed out each time (both
    paths then start from the same messages; fitdecode is ~90% of this module's time)."""

    def __init__(self) -> None:
        self.done: dict[str, object] = {}

    def __call__(self, raw: RawFile):
        if raw.digest not in self.done:
            try:
                self.done[raw.digest] = _read_messages_fitdecode(raw)
            except KneeloadError as exc:
                self.done[raw.digest] = exc
        r = self.done[raw.digest]
        if isinstance(r, KneeloadError):
            raise r
        c = copy.copy(r)  # parse_fit moves a power-on clock in these, in place
        c.sessions = [dict(m) for m in r.sessions]
        c.laps = [dict(m) for m in r.laps]
        c.columns = dict(r.columns) if r.columns is not None else None
        return c


def _rows(parsed: list[Parsed], zone) -> list[dict[str, object]] | tuple[str, str]:
    try:
        return [summarise(p, zone) for p in parsed]
    except KneeloadError as exc:
        return (type(exc).__name__, str(exc))


def _without_totals(p: Parsed) -> Parsed:
    """``p`` with no device totals: every value the row can take from the samples is."""
    q = copy.copy(p)
    q.totals = {}
    return q


def assert_rows_identical(a, b, name: str) -> None:
    """Rows equal value for value and type for type, and equal as conformed tables."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        assert a == b, name
        return
    assert len(a) == len(b), name
    for x, y in zip(a, b, strict=True):
        assert list(x) == list(y), name
        for key in x:
            u, v = x[key], y[key]
            assert type(u) is type(v), (name, key, u, v)
            same = (u == v) or (isinstance(u, float) and np.isnan(u) and np.isnan(v))
            assert same, (name, key, u, v)
    if a:
        pd.testing.assert_frame_equal(conform_activities(pd.DataFrame(a)),
                                      conform_activities(pd.DataFrame(b)), check_exact=True,
                                      obj=name)


def _check_file(raw: RawFile, name: str) -> int:
    """Summary-first against full, under both decoders; returns the sessions compared."""
    with mock.patch.object(fit, "_read_messages_fitdecode", _FitdecodeOnce()):
        return _check_paths(raw, name)


def _check_paths(raw: RawFile, name: str) -> int:
    n = 0
    for backend in ("fitdecode", "fitdecode-only"):
        new, full = _parse(raw, backend, True), _parse(raw, backend, False)
        if isinstance(new, tuple) or isinstance(full, tuple):
            assert new == full, (name, backend)
            continue
        assert len(new) == len(full), name
        for p, q in zip(new, full, strict=True):
            assert p.arrays is not None and q.arrays is None
            assert "samples" not in vars(p)  # no frame until something reads it
            assert p.notes == q.notes, name
            fields = {k: v for k, v in vars(q).items() if k not in ("samples", "arrays")}
            assert {k: v for k, v in vars(p).items() if k in fields} == fields, name
        for zone in ZONES:
            rows = _rows(new, zone)
            assert_rows_identical(rows, _rows(full, zone), f"{name} {backend}")
            assert_rows_identical(rows, _reference_rows(full, zone), f"{name} {backend} ref")
            bare_new, bare_full = map(_without_totals, new), map(_without_totals, full)
            bare_full = list(bare_full)
            bare = _rows(list(bare_new), zone)
            assert_rows_identical(bare, _rows(bare_full, zone), f"{name} {backend} bare")
            assert_rows_identical(bare, _reference_rows(bare_full, zone),
                                  f"{name} {backend} bare ref")
        # the samples frame, built on first read, is the full path's frame bit for bit
        for p, q in zip(new, full, strict=True):
            pd.testing.assert_frame_equal(conform_samples(p.samples), conform_samples(q.samples),
                                          check_exact=True, obj=name)
            assert "samples" in vars(p)  # built once, kept
            n += 1
    return n


@pytest.mark.parametrize("path", LOCAL_FITS + CORPUS_FITS, ids=lambda p: p.name)
def test_summary_first_rows_equal_the_full_path(path):
    _check_file(open_source(path), path.name)


@pytest.mark.parametrize("start,seed,seconds", SYNTHETIC, ids=lambda v: str(v))
def test_summary_first_on_benchmark_style_files(start, seed, seconds):
    raw = _synthetic(start, seed, seconds)
    n = _check_file(raw, raw.name)
    assert n == (0 if start.year == 2095 else 2)  # one session, under two decoders


def test_synthetic_run_row_values():
    """One 10-minute synthetic run (seed 1), by hand from the writer: start 2016-03-05
    06:30:00 UTC; 601 records 1 s apart (t = 0..600), so elapsed = the session's 600 s
    (t[-1] * 1000 ms); Berlin is UTC+1 in March, so local start 07:30."""
    raw = _synthetic(dt.datetime(2016, 3, 5, 6, 30, tzinfo=UTC), 1, 600)
    (p,) = parse_fit(raw)
    row = summarise(p, placement(None, "Europe/Berlin"))
    assert row["start_time"] == pd.Timestamp("2016-03-05T06:30:00Z")
    assert row["local_start"] == pd.Timestamp("2016-03-05T07:30:00")
    assert row["elapsed_s"] == 600.0
    assert row["n_samples"] == 601
    assert "samples" not in vars(p)


def test_future_times_blanked_with_the_same_note():
    """A record 100 years ahead is blanked with one note, in both paths (61 records: t = 0..60)."""
    data = bytearray(synth.fit_bytes(dt.datetime(2016, 3, 5, 6, 30, tzinfo=UTC), 1, 60))
    # first record's timestamp: header 14 + file_id def (6 + 5*3) + file_id (1+1+2+2+4+4)
    # + record def (6 + 8*3) + the record's header byte
    at = 14 + 21 + 14 + 30 + 1
    (t,) = np.frombuffer(bytes(data[at:at + 4]), "<u4")
    data[at:at + 4] = int(t + 100 * 365 * 86400).to_bytes(4, "little")
    body = bytes(data[:-2])
    data[-2:] = synth.crc16(body).to_bytes(2, "little")
    f = io.BytesIO(bytes(data))
    f.name = "future-first-record.fit"
    raw = open_source(f)
    (p,) = parse_fit(raw)
    assert any(n.startswith("1 of 61 time stamps are not real recording times") for n in p.notes)
    assert _check_file(raw, raw.name) == 2


@pytest.mark.parametrize("path", sorted((DATA / "gpx").iterdir()) + sorted(
    (DATA / "tcx").iterdir()), ids=lambda p: p.name)
def test_gpx_tcx_rows_equal_the_pandas_reference(path):
    """summarise() computes from numpy columns for every reader: GPX and TCX rows are those
    of the pandas code it replaced."""
    raw = open_source(path)
    parse = parse_gpx if raw.fmt == "gpx" else parse_tcx
    parsed = parse(raw)
    for zone in ZONES:
        assert_rows_identical(_rows(parsed, zone), _reference_rows(parsed, zone), path.name)
        bare = [_without_totals(p) for p in parsed]
        assert_rows_identical(_rows(bare, zone), _reference_rows(bare, zone), path.name)


def test_sample_arrays_round_trip():
    raw = _synthetic(dt.datetime(2016, 3, 5, 6, 30, tzinfo=UTC), 1, 60)
    (p,) = parse_fit(raw)
    assert SampleArrays.from_frame(conform_samples(p.samples)) == p.arrays
    assert p.arrays.take(np.arange(61) < 10) != p.arrays


# ---- the oracle: summarise()'s sample statistics as pandas code, before summary-first ----

def _reference_rows(parsed: list[Parsed], zone):
    try:
        return [_reference_row(p, zone) for p in parsed]
    except KneeloadError as exc:
        return (type(exc).__name__, str(exc))


def _ref_positive_mean(series: pd.Series | None) -> float | None:
    if series is None:
        return None
    s = series[series > 0]
    return float(s.mean()) if len(s) else None


def _ref_moving_time_s(time: pd.Series, step_m: np.ndarray) -> float:
    t = time.to_numpy(dtype="datetime64[ns]").astype("int64") / 1e9
    dt_s = np.diff(t)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = step_m / dt_s
    moving = (dt_s > 0) & (speed >= 0.5)
    return float(dt_s[moving].sum())


def _reference_row(parsed: Parsed, tz) -> dict[str, object]:
    """summarise() as it was (kneeload 8fe5ba9), pandas on the conformed samples frame."""
    from kneeload.errors import InvalidTimeError

    s = conform_samples(parsed.samples)
    totals = parsed.totals
    notes = list(parsed.notes)
    on_foot = parsed.sport in ON_FOOT_SPORTS

    times = s["time"].dropna()
    start = parsed.start_time if parsed.start_time is not None else (
        times.iloc[0] if len(times) else None)
    if start is None:
        raise InvalidTimeError(parsed.source_path, "has no time stamps, so the activity cannot "
                               "be placed on a date; re-export it with times")

    lat, lon = s["lat_deg"].to_numpy(), s["lon_deg"].to_numpy()
    has_pos = (~(np.isnan(lat) | np.isnan(lon))).sum() >= 2
    device_dist = s["distance_m"].dropna()

    dist, dist_src = _first(totals.get("distance_m")), parsed.distance_source
    if dist is None and len(device_dist) >= 2:
        dist, dist_src = float(device_dist.max() - device_dist.min()), "samples"
    if dist is None and has_pos:
        dist, dist_src = track_distance_m(lat, lon), "track"
    if dist is None:
        dist_src = "none"
        notes.append("no distance recorded")

    elapsed = _first(totals.get("elapsed_s"))
    if elapsed is None and len(times) >= 2:  # issue 24: the span, never negative
        elapsed = (times.max() - times.min()).total_seconds()

    moving = _first(totals.get("moving_s"))
    if moving is None and len(times) >= 2:
        timed = s[s["time"].notna()]
        if timed["distance_m"].notna().sum() >= 2:
            step = np.diff(timed["distance_m"].ffill().bfill().to_numpy())
        else:
            step = np.nan_to_num(haversine_steps_m(timed["lat_deg"].to_numpy(),
                                                   timed["lon_deg"].to_numpy()))
        moving = _ref_moving_time_s(timed["time"], step)

    ascent, descent = _first(totals.get("ascent_m")), _first(totals.get("descent_m"))
    if ascent is None or descent is None:
        a, d = climb_m(s["altitude_m"].to_numpy())
        ascent = a if ascent is None else ascent
        descent = d if descent is None else descent

    hr_avg = _first(totals.get("hr_avg_bpm") or None, _ref_positive_mean(s["hr_bpm"]))
    hr_max_samples = s["hr_bpm"].max() if s["hr_bpm"].notna().any() else None
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
            cadence = _ref_positive_mean(s["cadence_spm"])

    if parsed.wall_clock_only:
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
    # the row checks added later (issue 24) are the same shared function on both paths
    t = s["time"].dropna()
    span = (t.max() - t.min()).total_seconds() if len(t) >= 2 else None
    check_row(row, notes, span_s=span, laps_s=_first(totals.get("laps_s")),
              elapsed_recorded=_first(totals.get("elapsed_s")) is not None)
    row["note"] = "; ".join(notes)
    return row


def test_filled_is_pandas_ffill_bfill():
    """The moving-time fallback's gap filling equals pandas' ffill().bfill(), leading,
    inner and trailing gaps included."""
    from kneeload.io._summary import _filled

    rng = np.random.default_rng(13)
    for _ in range(200):
        v = rng.normal(size=rng.integers(2, 30)).cumsum()
        v[rng.random(v.size) < 0.4] = np.nan
        if np.isnan(v).all():
            v[-1] = 1.0
        expected = pd.Series(v).ffill().bfill().to_numpy()
        assert np.array_equal(_filled(v), expected, equal_nan=True), v
    assert _filled(np.array([np.nan, np.nan, 2.0, np.nan, 5.0, np.nan])).tolist() == [
        2.0, 2.0, 2.0, 2.0, 5.0, 5.0]


def test_fit_seconds_to_times():
    """FIT seconds -> datetime64[ns]: the FIT epoch is 1989-12-31 00:00 UTC (631065600 s
    after 1970); values below 0x10000000 (device power-on counts) and NaN are NaT; fractions
    of a second are kept to the nanosecond. Checked against the element-wise formula."""
    from kneeload.io.fit import FIT_EPOCH_UNIX, _sample_arrays

    rng = np.random.default_rng(5)
    secs = np.concatenate([[np.nan, 5.0, 0x10000000 - 1.0, 0x10000000, 1e9, 1e9 + 0.25],
                           rng.integers(0x10000000, 2**32, 50).astype(float),
                           rng.integers(0x10000000, 2**32, 50) + rng.random(50)])
    cols = {name: np.full(secs.size, np.nan) for name in
            ("position_lat", "position_long", "distance", "enhanced_altitude", "altitude",
             "enhanced_speed", "speed", "heart_rate", "cadence", "fractional_cadence")}
    got = _sample_arrays({"timestamp": secs, **cols}).time
    expected = [np.datetime64("NaT") if not v >= 0x10000000 else np.datetime64(
        (int(np.floor(v)) + FIT_EPOCH_UNIX) * 10**9 + int(np.round((v % 1) * 1e9)), "ns")
        for v in secs]
    assert np.array_equal(got, np.array(expected, dtype="M8[ns]"), equal_nan=True)
    assert got[4] == np.datetime64("2021-09-08T01:46:40", "ns")  # 1e9 + 631065600 s
    assert got[5] - got[4] == np.timedelta64(250_000_000, "ns")
    whole = _sample_arrays({"timestamp": secs[2:5], **{k: v[2:5] for k, v in cols.items()}})
    assert np.isnat(whole.time).tolist() == [True, False, False]
