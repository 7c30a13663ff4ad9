"""The vectorised FIT path (kneeload.io.fit_fast) against fitdecode, its fallback and oracle.

Gate: on every FIT file (the shared real corpus when present, and tests/data), parse_fit with
the default backend (fast path, fitdecode fallback) gives exactly what fitdecode alone gives:
the same sessions, notes, errors and bit-equal samples. A differential fuzz test mutates real
files: both agree, or both reject with the same kneeload error.
"""

from __future__ import annotations

import gzip
import io
import os
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import real_files_dir

from kneeload.errors import KneeloadError
from kneeload.io._source import RawFile, open_source
from kneeload.io.fit import _read_messages_fitdecode, parse_fit
from kneeload.io.fit_fast import RECORD_FIELDS, Fallback, read_fit_fast

DATA = Path(__file__).resolve().parent / "data"
CORPUS = real_files_dir()
LOCAL_FITS = sorted(p for p in (DATA / "fit").iterdir()) + sorted(
    p for p in (DATA / "invalid").iterdir() if ".fit" in p.name.lower()) + sorted(
    (DATA / "fit-components").iterdir())
CORPUS_FITS = sorted((CORPUS / "fit").iterdir()) if CORPUS is not None else []


def _outcome(raw: RawFile, backend: str):
    """parse_fit's result as comparable data, or the error's class and text."""
    try:
        parsed = parse_fit(raw, backend=backend)
    except KneeloadError as exc:
        return (type(exc).__name__, str(exc))
    return [{k: v for k, v in vars(p).items() if k != "samples"} | {"samples": p.samples}
            for p in parsed]


def assert_same(a, b, name: str) -> None:
    if isinstance(a, tuple) or isinstance(b, tuple):
        assert a == b, name
        return
    assert len(a) == len(b), name
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x.pop("samples").reset_index(drop=True),
                                      y.pop("samples").reset_index(drop=True),
                                      check_exact=True, obj=name)
        assert x == y, name


@pytest.mark.parametrize("path", LOCAL_FITS + CORPUS_FITS, ids=lambda p: p.name)
def test_fast_path_gives_fitdecodes_activities_and_samples(path):
    raw = open_source(path)
    assert_same(_outcome(raw, "fitdecode"), _outcome(raw, "fitdecode-only"), path.name)


@pytest.mark.parametrize("path", LOCAL_FITS + CORPUS_FITS, ids=lambda p: p.name)
def test_fast_messages_equal_fitdecodes_where_accepted(path):
    """Message level, stricter than the activities: every summary message's fields and every
    record column, value for value (None as NaN), wherever the fast path accepts the file."""
    raw = open_source(path)
    try:
        fast = read_fit_fast(raw.data)
    except Fallback:
        pytest.skip("fast path declines: fitdecode reads it (covered by the test above)")
    try:
        ref = _read_messages_fitdecode(raw)
    except KneeloadError:
        pytest.skip("nothing readable")
    assert fast.sessions == ref.sessions
    assert fast.laps == ref.laps
    assert fast.file_ids == ref.file_ids
    assert fast.sports == ref.sports
    assert fast.activity == ref.activity
    assert (fast.crc_mismatch and fast.stop is None) == ref.crc_mismatch
    n = len(ref.records)
    for i, name in enumerate(RECORD_FIELDS):
        expected = np.array([np.nan if r[i] is None or isinstance(r[i], (tuple, str, bytes))
                             else float(r[i]) for r in ref.records], dtype=float)
        got = fast.columns[name]
        assert got.shape == (n,)
        # bit-equal: same IEEE doubles (NaN where fitdecode has no value)
        assert np.array_equal(got, expected, equal_nan=True), (path.name, name)


@pytest.mark.skipif(CORPUS is None, reason="shared real_files corpus not present")
def test_fast_path_accepts_every_real_fit_file_of_the_corpus():
    accepted = []
    for path in CORPUS_FITS:
        try:
            read_fit_fast(open_source(path).data)
            accepted.append(path.name)
        except Fallback:
            pass
    assert len(CORPUS_FITS) == 41
    # 41 of 41 on 2026-11-21 (damaged files included: the fast path stops where fitdecode
    # stops, with the same notes)
    assert len(accepted) == len(CORPUS_FITS)


@pytest.mark.skipif(CORPUS is None, reason="shared real_files corpus not present")
def test_null_compressed_speed_distance_keeps_the_real_distance():
    # A Zwift ride whose records carry a real 'distance' field followed by an empty
    # compressed_speed_distance, whose expansion is also named 'distance'. The empty one used
    # to replace the real one: every sample lost its distance. The last record's distance is
    # the device's session total, 13,400.14 m (session total_distance in the same file).
    raw = open_source(CORPUS / "fit" / "fitparse__null_compressed_speed_dist.fit")
    for backend in ("fitdecode", "fitdecode-only", "fitparse"):
        (p,) = parse_fit(raw, backend=backend)
        d = p.samples["distance_m"]
        assert d.notna().all(), backend
        assert d.iloc[0] == pytest.approx(2.19)
        assert d.iloc[-1] == pytest.approx(13400.14)
        assert p.totals["distance_m"] == pytest.approx(13400.14)


def test_compressed_timestamp_headers_are_decoded():
    # No corpus file uses compressed-timestamp headers (fitparse's and fitdecode's crafted
    # test files are not in it), so one is built by hand below.
    data = _compressed_timestamp_file()
    raw = RawFile(name="compressed.fit", data=data, fmt="fit", digest="0" * 40)
    fast = read_fit_fast(data)
    ref = _read_messages_fitdecode(raw)
    times = [r[0] for r in ref.records]
    # hand-built: time stamps base+0, +1, +2, +33 (a wrap of the 5-bit offset)
    assert times == [1_000_000_000, 1_000_000_001, 1_000_000_002, 1_000_000_033]
    assert fast.columns["timestamp"].tolist() == times
    assert fast.columns["heart_rate"].tolist() == [100.0, 101.0, 102.0, 103.0]
    assert_same(_outcome(raw, "fitdecode"), _outcome(raw, "fitdecode-only"), "compressed")


def test_a_running_session_without_records_is_read_from_its_totals():
    # used to fail as "could not be decoded (KeyError: 'time')": the empty samples frame had
    # no columns
    raw = RawFile(name="no-records.fit", data=_compressed_timestamp_file(records=False),
                  fmt="fit", digest="0" * 40)
    for backend in ("fitdecode", "fitdecode-only"):
        (p,) = parse_fit(raw, backend=backend)
        assert p.sport == "running" and p.samples.empty
        assert p.totals["elapsed_s"] == 33.0  # 33,000 / scale 1000
        assert p.start_time == pd.Timestamp(1_000_000_000 + 631065600, unit="s", tz="UTC")


def _crc(data: bytes) -> int:
    from kneeload.io.fit_fast import fit_crc
    return fit_crc(data)


def _compressed_timestamp_file(records: bool = True) -> bytes:
    """A minimal FIT activity: file_id, one record with a full time stamp, three records with
    compressed-timestamp headers, a session (running, 33 s)."""
    t0 = 1_000_000_000
    body = b""
    # file_id (global 0): type=activity(4) as enum
    body += struct.pack("<BBBHB", 0x40, 0, 0, 0, 1) + bytes([0, 1, 0])
    body += bytes([0x00, 4])
    if not records:
        body += struct.pack("<BBBHB", 0x42, 0, 0, 18, 4) + bytes(
            [253, 4, 0x86, 2, 4, 0x86, 5, 1, 0, 7, 4, 0x86])
        body += bytes([0x02]) + struct.pack("<IIBI", t0 + 33, t0, 1, 33_000)
        header = struct.pack("<BBHI4s", 14, 0x10, 2132, len(body), b".FIT")
        header += struct.pack("<H", _crc(header))
        return header + body + struct.pack("<H", _crc(header + body))
    # record definition local 0: timestamp(253,u32), heart_rate(3,u8)
    body += struct.pack("<BBBHB", 0x40, 0, 0, 20, 2) + bytes([253, 4, 0x86, 3, 1, 2])
    body += bytes([0x00]) + struct.pack("<IB", t0, 100)
    # record definition local 1: heart_rate only, used with compressed headers
    body += struct.pack("<BBBHB", 0x41, 0, 0, 20, 1) + bytes([3, 1, 2])
    for k, off in ((1, 1), (2, 2), (3, 33)):
        ts = t0 + off
        body += bytes([0x80 | (1 << 5) | (ts & 0x1F), 100 + k])
    # session (global 18): timestamp, start_time(2), sport(5), total_elapsed_time(7, scale 1000)
    body += struct.pack("<BBBHB", 0x42, 0, 0, 18, 4) + bytes(
        [253, 4, 0x86, 2, 4, 0x86, 5, 1, 0, 7, 4, 0x86])
    body += bytes([0x02]) + struct.pack("<IIBI", t0 + 33, t0, 1, 33_000)
    header = struct.pack("<BBHI4s", 14, 0x10, 2132, len(body), b".FIT")
    header += struct.pack("<H", _crc(header))
    return header + body + struct.pack("<H", _crc(header + body))


# --- differential fuzzing --------------------------------------------------------------------

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SEEDS = [(DATA / "fit/fenix5-tiny-run.fit").read_bytes(),
         (DATA / "fit/multisport-zero-distance.fit").read_bytes(),
         (DATA / "fit/chained-triathlon-5-sessions.fit").read_bytes()[:40_000],
         (DATA / "fit-components/fr70-compressed-speed-distance.fit").read_bytes(),
         _compressed_timestamp_file()]


@st.composite
def mutated_fit(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["flip", "byte", "truncate", "insert", "delete", "crc"]))
        n = len(data)
        if n == 0:
            break
        if kind == "flip":
            pos = draw(st.integers(0, n - 1))
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "byte":
            data[draw(st.integers(0, n - 1))] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[draw(st.integers(0, n - 1)):]
        elif kind == "insert":
            pos = draw(st.integers(0, n))
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            pos = draw(st.integers(0, n - 1))
            del data[pos:pos + draw(st.integers(1, 16))]
        elif n >= 2:
            struct.pack_into("<H", data, n - 2, draw(st.integers(0, 0xFFFF)))
    return bytes(data)


@settings(max_examples=int(os.environ.get("KNEELOAD_FIT_FUZZ", "80")), deadline=None,
          derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_fit())
def test_fast_path_and_fitdecode_agree_on_mutated_files(blob):
    raw = RawFile(name="fuzz/mutated.fit", data=blob, fmt="fit", digest="0" * 40)
    assert_same(_outcome(raw, "fitdecode"), _outcome(raw, "fitdecode-only"), "mutated")


def test_gzip_corpus_copy_goes_through_the_fast_path():
    raw = open_source(DATA / "fit" / "fr645-run-COPY.FIT.GZ")
    assert read_fit_fast(raw.data).columns["timestamp"].size > 0
    assert gzip.decompress((DATA / "fit" / "fr645-run-COPY.FIT.GZ").read_bytes()) == raw.data
    assert io.BytesIO(raw.data).read(12)[8:12] == b".FIT"
