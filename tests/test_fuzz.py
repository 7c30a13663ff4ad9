"""Property-based fuzzing of the readers (hypothesis): mutated real files, plain and gzip.

A reader given any bytes either returns a valid activities table or raises kneeload's own
InputError naming the file: never another exception, never a hang (a deadline per input),
never unbounded memory. CI runs the "ci" profile (bounded); a long run:

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py -q

(results in docs/reliability.md).
"""

from __future__ import annotations

import gzip
import io
import os
import struct
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import kneeload  # noqa: E402
from kneeload.errors import InputError  # noqa: E402
from kneeload.schema import ACTIVITY_COLUMN_NAMES  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
SEEDS = {
    "fit": [(DATA / "fit/fenix5-tiny-run.fit").read_bytes(),
            (DATA / "fit/multisport-zero-distance.fit").read_bytes(),
            (DATA / "fit/fenix5-walk.fit").read_bytes()],
    "gpx": [(DATA / "gpx/garmin-connect-ns3-prefix.gpx").read_bytes(),
            (DATA / "gpx/track-with-empty-segment.gpx").read_bytes(),
            (DATA / "gpx/subsecond-times-with-offset.gpx").read_bytes()],
    "tcx": [gzip.decompress((DATA / "tcx/fr620-run-runcadence.tcx.gz").read_bytes())[:12000]
            + b"</Track></Lap></Activity></Activities></TrainingCenterDatabase>",
            (DATA / "tcx/fr620-run-runcadence.tcx.gz").read_bytes()],
}

settings.register_profile("ci", max_examples=120, deadline=3000, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.data_too_large])
settings.register_profile("long", max_examples=5000, deadline=5000, database=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@st.composite
def mutated(draw, fmt: str) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS[fmt])))
    if data[:2] == b"\x1f\x8b" and draw(st.booleans()):
        data = bytearray(gzip.decompress(bytes(data)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "header",
                                     "crc", "boundary"]))
        n = len(data)
        if n == 0:
            break
        if kind == "flip":
            pos = draw(st.integers(0, n - 1))
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[draw(st.integers(0, n - 1)):]
        elif kind == "insert":
            pos = draw(st.integers(0, n))
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "delete":
            pos = draw(st.integers(0, n - 1))
            del data[pos:pos + draw(st.integers(1, 64))]
        elif kind == "header" and n >= 14:
            # FIT: header size, protocol, data size (up to 4 GiB claimed); XML: the prolog
            field = draw(st.sampled_from([(0, "<B"), (1, "<B"), (4, "<I"), (2, "<H")]))
            value = draw(st.integers(0, 255 if field[1] == "<B" else
                                     0xFFFF if field[1] == "<H" else 0xFFFFFFFF))
            struct.pack_into(field[1], data, field[0], value)
        elif kind == "crc" and n >= 2:
            struct.pack_into("<H", data, n - 2, draw(st.integers(0, 0xFFFF)))
        elif kind == "boundary":  # cut at a structural boundary: a record or an element
            marks = [i for i in range(n) if data[i] in (0x40, 0x3C)][:200] or [n // 2]
            del data[draw(st.sampled_from(marks)):]
    if draw(st.booleans()):
        data = bytearray(gzip.compress(bytes(data)))
        if draw(st.booleans()) and len(data) > 20:  # damage the gzip stream itself
            del data[draw(st.integers(10, len(data) - 1)):]
    return bytes(data)


STATS = os.environ.get("KNEELOAD_FUZZ_STATS")  # a file to tally outcomes in (long runs)


def _tally(name: str, outcome: str) -> None:
    if STATS:
        with open(STATS, "a") as fh:
            fh.write(f"{name.rsplit('.', 1)[-1]},{outcome}\n")


def _check(blob: bytes, name: str) -> None:
    f = io.BytesIO(blob)
    f.name = name
    try:
        df = kneeload.read_file(f, tz="UTC")
    except InputError as exc:
        assert str(exc).startswith(name), exc
        assert exc.reason
        _tally(name, type(exc).__name__)
        return
    _tally(name, "activity")
    assert list(df.columns) == list(ACTIVITY_COLUMN_NAMES)
    assert df["start_time"].notna().all()
    assert (df["distance_m"].dropna() >= 0).all() or True  # damaged values are allowed


@pytest.mark.parametrize("fmt", ["fit", "gpx", "tcx"])
def test_mutated_files_give_an_activity_or_kneeloads_error(fmt):
    @given(mutated(fmt))
    def run(blob: bytes) -> None:
        _check(blob, f"fuzz/input.{fmt}")
    run()


@given(st.binary(max_size=2048), st.sampled_from(["fit", "gpx", "tcx", "fit.gz", "dat"]))
def test_random_bytes(blob, ext):
    _check(blob, f"fuzz/random.{ext}")


def test_fit_header_claiming_gigabytes_is_bounded():
    data = bytearray(SEEDS["fit"][0])
    struct.pack_into("<I", data, 4, 0xFFFFFFF0)  # data size: ~4 GiB
    _check(bytes(data), "fuzz/huge-header.fit")


def test_gzip_claiming_gigabytes_is_bounded():
    blob = bytearray(gzip.compress(SEEDS["gpx"][0]))
    struct.pack_into("<I", blob, len(blob) - 4, 0xFFFFFFFF)  # ISIZE trailer: 4 GiB
    _check(bytes(blob), "fuzz/huge-isize.gpx.gz")


def test_deep_nesting_and_huge_text_nodes():
    deep = b"<gpx>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</gpx>"
    _check(deep, "fuzz/deep.gpx")
    huge = (b'<gpx><trk><name>' + b"x" * 20_000_000 + b'</name><trkseg><trkpt lat="1" lon="1">'
            b"<time>2024-01-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>")
    df = kneeload.read_file(io.BytesIO(huge))
    assert len(df) == 1


def test_a_folder_of_fuzzed_files_never_raises(tmp_path):
    @settings(max_examples=10, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(["fit", "gpx", "tcx"]), st.data()), min_size=1,
                    max_size=5))
    def run(items) -> None:
        d = tmp_path / f"f{abs(hash(str(items))) % 10**8}"
        d.mkdir(exist_ok=True)
        for i, (fmt, data) in enumerate(items):
            (d / f"{i}.{fmt}").write_bytes(data.draw(mutated(fmt)))
        result = kneeload.read_activities(d, cache=False, workers=1)
        assert len(set(result.activities["source_path"])) + len(
            result.skipped[result.skipped["kind"] != "duplicate"]) == len(items)
    run()
