"""GPX reader details: which <time> is a point's, and which bad value is reported first."""

from __future__ import annotations

import pandas as pd
import pytest

from kneeload.errors import CorruptFileError
from kneeload.io._source import RawFile
from kneeload.io.gpx import parse_gpx


def _raw(body: bytes) -> RawFile:
    return RawFile(name="runs/x.gpx", data=body, fmt="gpx", digest="0" * 40)


def test_metadata_time_does_not_become_the_first_points_time():
    # Strava/Garmin exports put the export's <metadata><time> before the track. The first
    # point has no <time> of its own: it must stay untimed, not take 16:10:57.
    (p,) = parse_gpx(_raw(
        b'<?xml version="1.0"?><gpx version="1.1"><metadata><time>2023-07-07T16:10:57Z'
        b'</time></metadata><trk><trkseg><trkpt lat="51.0" lon="0.0"><ele>3</ele></trkpt>'
        b'<trkpt lat="51.001" lon="0.0"><time>2023-07-07T16:11:57Z</time></trkpt>'
        b"</trkseg></trk></gpx>"))
    assert p.samples["time"].isna().tolist() == [True, False]
    assert p.samples["time"].iloc[1] == pd.Timestamp("2023-07-07T16:11:57Z")
    # 0.001 deg of latitude = 111.2 m (haversine, R = 6,371,008.8 m: 6371008.8 * 1e-3 * pi/180)
    assert p.samples["distance_m"].iloc[1] == pytest.approx(111.195, abs=0.01)
    assert any("1 of 2 points have no time stamp" in n for n in p.notes)


def test_first_bad_value_in_document_order_is_reported():
    # Point 1 has a bad cadence, point 2 a bad latitude: point 1 is named (the columns are
    # converted at once, but the error is the one a point-by-point reader meets first).
    body = (b'<gpx><trk><trkseg><trkpt lat="1" lon="2"><ele>1</ele><extensions><hr>120</hr>'
            b"<cad>abc</cad></extensions><time>2023-07-07T16:11:57Z</time></trkpt>"
            b'<trkpt lat="y" lon="2"><ele>3</ele></trkpt></trkseg></trk></gpx>')
    with pytest.raises(CorruptFileError, match=r"runs/x.gpx: point 1: has an unparseable "
                                               r"cadence 'abc'"):
        parse_gpx(_raw(body))
    with pytest.raises(CorruptFileError, match=r"point 2: has an unparseable lat 'y'"):
        parse_gpx(_raw(body.replace(b"<cad>abc</cad>", b"<cad>80</cad>")))


def test_numbers_python_accepts_are_accepted():
    # float() reads ' 1 ', '1_0' and 'nan'; the vectorised pass must not turn them into errors
    (p,) = parse_gpx(_raw(
        b'<gpx><trk><trkseg><trkpt lat=" 1 " lon="2"><ele> </ele><extensions><hr>1_0</hr>'
        b"<cad>nan</cad></extensions><time>2023-07-07T16:11:57Z</time></trkpt></trkseg></trk>"
        b"</gpx>"))
    s = p.samples
    assert s["lat_deg"].iloc[0] == 1.0 and s["hr_bpm"].iloc[0] == 10.0
    assert s["altitude_m"].isna().all() and s["cadence_spm"].isna().all()


@pytest.mark.parametrize("fast", [True, False])
def test_a_time_outside_what_a_time_stamp_holds_is_named(fast):
    # nanosecond time stamps hold 1677-09-21 to 2262-04-11: point 2's year 1500 is named
    # with its text and point number, not pandas' OutOfBoundsDatetime
    body = (b'<gpx><trk><trkseg><trkpt lat="1" lon="2"><time>2023-07-07T16:11:57Z</time>'
            b'</trkpt><trkpt lat="1.001" lon="2"><time>1500-01-01T00:00:10Z</time></trkpt>'
            b"</trkseg></trk></gpx>")
    with pytest.raises(CorruptFileError, match=r"runs/x.gpx: point 2: has a <time> "
                                               r"'1500-01-01T00:00:10Z' outside the years "
                                               r"1678-2262"):
        parse_gpx(_raw(body), fast=fast)
