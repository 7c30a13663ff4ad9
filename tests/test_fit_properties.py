"""Issue 24 for FIT: property tests that write FIT files (tests/fit_encoder.py) with random
pauses, negative and repeated time steps, laps whose totals disagree with the records,
out-of-range and non-finite values, GPS jumps and random sport/sub_sport codes, and assert the
row invariants on both decoders (kneeload's fast path, with fitdecode behind it, and fitparse).
The GPX and TCX property tests are in tests/test_sports.py.
"""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest
from fit_encoder import Point, activity_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kneeload
from kneeload import sports
from kneeload.errors import InputError
from kneeload.io.fit_fast import Fallback, read_fit_fast
from kneeload.load import running
from kneeload.schema import SPORTS

T0 = pd.Timestamp("2024-05-06T07:00:00Z")
BACKENDS = ("fitdecode", "fitparse")
TOL_S = 2.0  # kneeload.io._summary.TIME_TOLERANCE_S: whole-second rounding


def _read(blob: bytes, backend: str) -> pd.DataFrame:
    f = io.BytesIO(blob)
    f.name = "prop/a.fit"
    return kneeload.read_file(f, tz="UTC", fit_backend=backend)


def _track(steps) -> list[Point]:
    t, lat, dist, out = 0.0, 45.0, 1000.0, []  # a distance that may count down
    for dt_s, dlat, hr, cad, alt, off_earth, ddist in steps:
        t += dt_s
        lat += dlat
        dist += ddist
        out.append(Point(t, 120.0 if off_earth else lat, 7.0, hr, cad, dist, alt))
    return out


STEP = st.tuples(
    st.sampled_from([1, 1, 1, 5, 0, -3, 600]),           # time step [s]: pauses, repeats, back
    st.sampled_from([0.0, 0.00005, 0.0001, 0.5]),         # latitude step [deg]; 0.5 = 55 km jump
    st.sampled_from([140, 0, 254, None]),                 # heart rate [bpm] (None: no value)
    st.sampled_from([85, 127, 254, None]),                # cadence (FIT: per foot)
    st.sampled_from([100.0, 101.0, 99.0, -400.0, 1e7]),   # altitude [m]; 1e7 off the Earth
    st.booleans() | st.just(False),                       # a position off the Earth (lat 120)
    st.sampled_from([5.0, 10.0, 0.0, -20.0, 1e6]),        # distance step [m]: counts down too
)
CODES = st.sampled_from(sorted(sports.FIT_SPORT_CODES)) | st.integers(0, 255)
SUBS = st.sampled_from(sorted(sports.FIT_SUB_SPORT_CODES)) | st.integers(0, 255) | st.none()
TOTAL = st.sampled_from(["span", 4.0, 0.0, 21_600.0, None, math.inf, math.nan])
LAPS = st.sampled_from(["none", "span", "long", "overlap", "short"])


def _laps(kind: str, span: float) -> list[tuple[float, float]]:
    return {"none": [], "span": [(0.0, span / 2), (span / 2, span / 2)],
            "long": [(0.0, 19_080.0)],              # 5.3 h of laps
            "overlap": [(0.0, 3000.0), (300.0, 3300.0)],
            "short": [(0.0, 1.0)]}[kind]


def _invariants(df: pd.DataFrame, points: list[Point], laps: list[tuple[float, float]]) -> None:
    times = [p.t for p in points]
    span = max(times) - min(times)
    n_off = sum(1 for p in points if p.lat is not None and abs(p.lat) > 90)
    for _, r in df.iterrows():
        assert r["sport"] in SPORTS
        for col in ("moving_s", "elapsed_s"):
            assert pd.isna(r[col]) or (math.isfinite(r[col]) and r[col] >= 0), col
        if pd.notna(r["moving_s"]) and pd.notna(r["elapsed_s"]):
            assert r["moving_s"] <= r["elapsed_s"]
        assert pd.notna(r["elapsed_s"])
        assert r["elapsed_s"] >= span - TOL_S, (r["elapsed_s"], span)
        lap_sum = sum(took for _, took in laps)
        if lap_sum > r["elapsed_s"] + TOL_S:  # laps not taken: the note says why
            assert "laps overlap" in r["note"] or "laps' sum is not used" in r["note"], r["note"]
        for col in ("distance_m", "ascent_m", "descent_m"):
            assert pd.isna(r[col]) or (math.isfinite(r[col]) and r[col] >= 0), col
        for col in ("hr_avg_bpm", "hr_max_bpm"):
            assert pd.isna(r[col]) or 25 <= r[col] <= 250, col
        assert pd.isna(r["cadence_spm"]) or 0 <= r["cadence_spm"] <= 260
        assert r["start_time"] <= pd.Timestamp.now(tz="UTC")
        if n_off:  # no dropped point without a counted note
            assert f"{n_off} of {len(points)} positions are not on the Earth" in r["note"]
        if r["implausible"]:
            assert "implausible:" in r["note"]
    assert not running(df)["implausible"].any()


@pytest.mark.parametrize("backend", BACKENDS)
def test_fit_rows_are_possible(backend):
    @settings(max_examples=50, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(steps=st.lists(STEP, min_size=2, max_size=30), sport=CODES | st.none(), sub=SUBS,
           elapsed=TOTAL, timer=TOTAL, distance=st.sampled_from([None, 1e7, 5000.0, "records"]),
           laps=LAPS, floats=st.booleans(), session=st.booleans() | st.just(True))
    def run(steps, sport, sub, elapsed, timer, distance, laps, floats, session):
        points = _track(steps)
        span = max(p.t for p in points) - min(p.t for p in points)
        lap_list = _laps(laps, span)
        # non-finite totals can only be stored in a float field: write those as float32
        as_float = floats or any(isinstance(v, float) and not math.isfinite(v)
                                 for v in (elapsed, timer))
        blob = activity_file(
            T0.timestamp(), points, sport=sport, sub_sport=sub,
            elapsed_s=span if elapsed == "span" else elapsed,
            timer_s=span if timer == "span" else timer,
            distance_m=points[-1].dist if distance == "records" else distance, laps=lap_list,
            floats={("session", "total_elapsed_time"), ("session", "total_timer_time"),
                    ("session", "total_distance")} if as_float else set(),
            session=session)
        try:
            df = _read(blob, backend)
        except InputError as exc:  # reported with its reason, never a silent row
            assert str(exc).startswith("prop/a.fit") and exc.reason
            return
        _invariants(df, points, lap_list)
        if session and sport is not None:  # the file states its sport: the vocabulary's
            want = sports.lookup("fit", (sport, sub))
            if not (want.sport in ("running", "trail_running", "treadmill", "walking")
                    and df["implausible"].any()):
                assert df["sport"].iloc[0] == want.sport
            if want.unknown:
                assert "counted as 'other'" in df["note"].iloc[0]
    run()


def test_the_encoders_files_take_the_fast_path():
    # the property test above reaches the vectorised decoder, not only its fitdecode fallback
    points = _track([(1, 0.0001, 140, 85, 100.0, False, 5.0)] * 5)
    blob = activity_file(T0.timestamp(), points, elapsed_s=5.0, timer_s=5.0, distance_m=25.0,
                         laps=[(0.0, 5.0)])
    try:
        fast = read_fit_fast(blob)
    except Fallback as exc:  # pragma: no cover - the failure names the reason
        pytest.fail(f"fast path declined the test encoder's file: {exc}")
    assert len(fast.columns["timestamp"]) == 5 and len(fast.laps) == 1


def _walk(n: int, step_s: float) -> list[Point]:
    return [Point(i * step_s, 45.0 + i * 0.0001, 7.0, 140, 85, i * 11.1, 100.0)
            for i in range(n)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_fit_laps_longer_than_the_elapsed_time_are_taken(backend):
    # records 4 s apart, no session elapsed total, one lap of 5.3 h (19,080 s): the laps are
    # the only total, so elapsed takes them (4 s cannot be right); moving (the timer, 4 s)
    # stays under it
    blob = activity_file(T0.timestamp(), _walk(2, 4.0), elapsed_s=None, timer_s=4.0,
                         distance_m=11.1, laps=[(0.0, 19_080.0)])
    r = _read(blob, backend).iloc[0]
    assert r["elapsed_s"] == 19_080.0 and r["moving_s"] == 4.0
    assert "elapsed time 4 s is shorter than the file's laps (19080 s)" in r["note"]
    # a session elapsed of 4 s that the records contradict (they span 600 s): the span, then
    # the laps' sum, both noted
    blob = activity_file(T0.timestamp(), _walk(2, 600.0), elapsed_s=4.0, timer_s=4.0,
                         distance_m=11.1, laps=[(0.0, 19_080.0)])
    r = _read(blob, backend).iloc[0]
    assert r["elapsed_s"] == 19_080.0
    assert "elapsed time 4 s is shorter than the span of the file's own time stamps (600 s)" \
        in r["note"]
    assert "elapsed time 600 s is shorter than the file's laps (19080 s)" in r["note"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_fit_laps_the_session_and_records_contradict_are_not_taken(backend):
    # a Forerunner 55 walk (goldencheetah's FR55-CoreTemp-Walk.fit, reduced): session 588 s,
    # records spanning 588 s, one lap of 897 s. Two fields agree on 588 s: the lap is noted
    blob = activity_file(T0.timestamp(), _walk(50, 12.0), elapsed_s=588.0, timer_s=588.0,
                         distance_m=544.0, laps=[(-120.0, 897.0)])
    r = _read(blob, backend).iloc[0]
    assert r["elapsed_s"] == 588.0
    assert ("the file's laps add up to 897 s, more than its elapsed time 588 s, which the span "
            "of its time stamps (588 s) supports; the laps' sum is not used") in r["note"]
    # laps that overlap (lap 2 starts 300 s in, lap 1 lasts 3000 s) do not add up: their sum
    # (6300 s) is not a least elapsed time
    blob = activity_file(T0.timestamp(), _walk(50, 12.0), elapsed_s=588.0, timer_s=588.0,
                         distance_m=544.0, laps=[(0.0, 3000.0), (300.0, 3300.0)])
    r = _read(blob, backend).iloc[0]
    assert r["elapsed_s"] == 588.0
    assert "the file's laps overlap in time (lap 2 starts 2700 s before lap 1 ends)" in r["note"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_fit_non_finite_and_absurd_totals(backend):
    # session distance infinite, elapsed NaN (float32 fields): the distance is left empty
    # with a note, elapsed comes from the records (49 x 12 s = 588 s)
    floats = {("session", "total_distance"), ("session", "total_elapsed_time")}
    blob = activity_file(T0.timestamp(), _walk(50, 12.0), elapsed_s=math.nan, timer_s=588.0,
                         distance_m=math.inf, floats=floats)
    r = _read(blob, backend).iloc[0]
    assert pd.isna(r["distance_m"]) and "distance_m inf is not a possible value" in r["note"]
    assert r["elapsed_s"] == 588.0
    # 10,000 km in 588 s, the file saying "running": kept, marked, out of the load
    blob = activity_file(T0.timestamp(), _walk(50, 12.0), elapsed_s=588.0, timer_s=588.0,
                         distance_m=1e7)
    df = _read(blob, backend)
    assert df["implausible"].all() and "faster than any human running" in df["note"].iloc[0]
    assert running(df).empty
