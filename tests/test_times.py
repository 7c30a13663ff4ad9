"""Time stamps that cannot be trusted: a clear error or the right local date, never a silent
shift of a run into another week."""

from __future__ import annotations

import datetime as dt
import io
import struct
import sys

import pandas as pd
import pytest
from conftest import ROOT

import kneeload
from kneeload.errors import InvalidTimeError

sys.path.insert(0, str(ROOT / "benchmarks"))
import synth  # noqa: E402  (the benchmarks' FIT writer)


def fit_at(start: dt.datetime, seconds: int = 120) -> io.BytesIO:
    f = io.BytesIO(synth.fit_bytes(start, 1, seconds))
    f.name = f"clock-{start:%Y}.fit"
    return f


def test_fit_from_the_future_is_refused_with_the_reason():
    with pytest.raises(InvalidTimeError, match=r"clock-2095.fit: .*no usable time stamps"):
        kneeload.read_file(fit_at(dt.datetime(2095, 6, 1, tzinfo=dt.timezone.utc)))


def test_fit_relative_clock_is_refused():
    # FIT date_times below 0x10000000 (before mid-1998) count from the device's power-on
    start = synth.FIT_EPOCH + dt.timedelta(seconds=5_000_000)
    with pytest.raises(InvalidTimeError, match="power-on"):
        kneeload.read_file(fit_at(start))


def test_fit_ordinary_clock_and_device_offset():
    row = kneeload.read_file(fit_at(dt.datetime(2025, 3, 30, 23, 30, tzinfo=dt.timezone.utc)),
                             tz="UTC").iloc[0]
    # the activity message says local time is UTC+1 (the writer's offset): Monday 00:30
    assert row.local_start == pd.Timestamp("2025-03-31 00:30")
    assert row.tz_source == "device"


def test_implausible_device_offset_falls_back_to_the_time_zone():
    data = bytearray(synth.fit_bytes(dt.datetime(2025, 3, 30, 23, 30, tzinfo=dt.timezone.utc),
                                     1, 120))
    # rewrite activity.local_timestamp (the last field before the CRC) to 22 days later
    end_local = struct.unpack_from("<I", data, len(data) - 6)[0]
    struct.pack_into("<I", data, len(data) - 6, end_local + 22 * 86400)
    crc = synth.crc16(bytes(data[:-2]))
    struct.pack_into("<H", data, len(data) - 2, crc)
    row = kneeload.read_file(io.BytesIO(bytes(data)), tz="Europe/London").iloc[0]
    assert row.tz_source == "position:Europe/London"  # the synthetic track is in London
    assert row.local_start == pd.Timestamp("2025-03-31 00:30")  # BST from 30 March 2025


def test_gpx_without_zone_is_utc_and_says_so():
    gpx = (b'<gpx><trk><type>running</type><trkseg><trkpt lat="1" lon="1"><time>'
           b'2026-01-04T23:30:00</time></trkpt><trkpt lat="1" lon="1.01"><time>'
           b'2026-01-05T00:10:00</time></trkpt></trkseg></trk></gpx>')
    row = kneeload.read_file(io.BytesIO(gpx), tz="America/New_York").iloc[0]
    assert row.start_time == pd.Timestamp("2026-01-04 23:30", tz="UTC")
    assert row.local_date == pd.Timestamp("2026-01-04")  # 18:30 in New York, a Sunday
    assert "no time zone; taken as UTC" in row.note
