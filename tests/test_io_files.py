"""Readers on real files (tests/data) and on small crafted ones."""

from __future__ import annotations

import gzip
import io

import pandas as pd
import pytest

import kneeload
from kneeload.errors import (
    CorruptFileError,
    InvalidTimeError,
    NotAnActivityError,
    UnsafeInputError,
    UnsupportedFormatError,
    UsageError,
)


def test_fit_run_uses_session_totals_and_device_local_time(data):
    df = kneeload.read_file(data / "fit/fenix5-tiny-run.fit", tz="UTC")
    assert len(df) == 1
    row = df.iloc[0]
    assert row.sport == "running"
    assert row.distance_m == pytest.approx(157.56)
    assert row.distance_source == "session"
    assert row.start_time == pd.Timestamp("2017-06-11 14:34:09", tz="UTC")
    # activity.local_timestamp is 7 h behind UTC: the device's time zone wins over tz=UTC
    assert row.local_start == pd.Timestamp("2017-06-11 07:34:09")
    assert row.utc_offset_s == -7 * 3600
    assert row.tz_source == "device"
    # FIT running cadence is per foot: 2 x (83 + 0.671875)
    assert row.cadence_spm == pytest.approx(167.34375)
    assert row.hr_avg_bpm == 90
    assert row.device == "garmin fenix5"


def test_fit_without_local_time_takes_the_zone_of_its_first_position(data):
    # The FR110 recorded no local time; its first position (57.38 N, 4.43 W) is in Scotland,
    # so it is placed in Europe/London (GMT in February), not in the configured zone.
    row = kneeload.read_file(data / "fit/fr110-run-no-cadence.fit", tz="America/New_York").iloc[0]
    assert row.start_time == pd.Timestamp("2013-02-06 12:11:14", tz="UTC")
    assert row.local_start == pd.Timestamp("2013-02-06 12:11:14")
    assert row.tz_source == "position:Europe/London"
    forced = kneeload.read_file(data / "fit/fr110-run-no-cadence.fit",
                                force_tz="America/New_York").iloc[0]
    assert forced.local_start == pd.Timestamp("2013-02-06 07:11:14")  # UTC-5
    assert forced.tz_source == "forced:America/New_York"
    assert pd.isna(row.cadence_spm)
    assert row.descent_m == 160


def test_chained_multisport_fit_gives_one_row_per_session(data):
    df = kneeload.read_file(data / "fit/chained-triathlon-5-sessions.fit")
    assert df["sport"].tolist() == ["swimming", "other", "cycling", "other", "running"]
    assert df["distance_m"].round(2).tolist() == [1644.71, 141.7, 40909.42, 31.93, 9805.92]
    assert df["session_index"].tolist() == [0, 1, 2, 3, 4]
    assert df["activity_id"].nunique() == 5
    # records are split between sessions, none counted twice
    assert df["n_samples"].sum() == 1774 - 0  # all records fall inside a session window
    assert pd.isna(df.loc[2, "cadence_spm"])  # cycling cadence is rpm, never stored as spm


def test_multisport_with_zero_distance_sessions(data):
    df = kneeload.read_file(data / "fit/multisport-zero-distance.fit")
    assert df["sport"].tolist() == ["running", "other", "other"]
    assert (df["distance_m"] == 0).all()


def test_walk_is_its_own_sport_with_steps_per_minute(data):
    row = kneeload.read_file(data / "fit/fenix5-walk.fit").iloc[0]
    assert row.sport == "walking"
    assert row.cadence_spm == pytest.approx(2 * (61 + 0.2265625))


def test_gz_and_upper_case_extension_read_the_same_activity(data):
    a = kneeload.read_file(data / "fit/fr645-run.fit")
    b = kneeload.read_file(data / "fit/fr645-run-COPY.FIT.GZ")
    assert a.loc[0, "activity_id"] == b.loc[0, "activity_id"]
    assert b.loc[0, "distance_m"] == pytest.approx(5839.77)
    assert b.loc[0, "descent_m"] == 233


def test_binary_file_object_plain_and_gzip(data):
    raw = (data / "tcx/fr620-run-runcadence.tcx").read_bytes()
    plain = kneeload.read_file(io.BytesIO(raw))
    zipped = kneeload.read_file(io.BytesIO(gzip.compress(raw)))
    assert plain.loc[0, "activity_id"] == zipped.loc[0, "activity_id"]
    assert plain.loc[0, "source_path"] == "<stream>"
    assert plain.loc[0, "distance_m"] == pytest.approx(2153.67)


def test_tcx_lap_totals_and_run_cadence(data):
    row = kneeload.read_file(data / "tcx/fr620-run-runcadence.tcx.gz").iloc[0]
    assert row.source_format == "tcx"
    assert row.device == "Garmin Forerunner 620"
    assert row.distance_m == pytest.approx(2153.67)
    assert row.cadence_spm == pytest.approx(173.35, abs=0.01)  # RunCadence doubled
    assert row.n_samples == 147


def test_tcx_without_heart_rate(data):
    row = kneeload.read_file(data / "tcx/fr410-no-heart-rate.tcx").iloc[0]
    assert pd.isna(row.hr_avg_bpm)
    assert row.distance_m == pytest.approx(4689.24, abs=0.01)


def test_gpx_distance_from_points_within_segments(data):
    # 8 tracks: distance is summed inside each, never across the gaps (gpxpy: 4,580 m)
    row = kneeload.read_file(data / "gpx/gpx10-eight-tracks.gpx").iloc[0]
    assert row.distance_source == "track"
    assert row.distance_m == pytest.approx(4580, rel=0.005)
    assert row.note == "sport not recorded; assumed running"


def test_gpx_empty_segment_and_extensions_with_any_prefix(data):
    row = kneeload.read_file(data / "gpx/track-with-empty-segment.gpx").iloc[0]
    assert row.n_samples == 9
    assert row.distance_m == pytest.approx(85.85, abs=0.01)
    conn = kneeload.read_file(data / "gpx/garmin-connect-ns3-prefix.gpx").iloc[0]
    assert conn.hr_avg_bpm == 125
    assert conn.cadence_spm == 150  # ns3:cad 75 per foot
    assert conn.sport == "running"


def test_gpx_time_offsets_are_converted_to_utc(data):
    row = kneeload.read_file(data / "gpx/subsecond-times-with-offset.gpx", tz="UTC").iloc[0]
    assert row.start_time == pd.Timestamp("2015-12-11 14:43:13", tz="UTC")


def test_gpx_partial_time_stamps_keep_every_point(data):
    row = kneeload.read_file(data / "gpx/partial-time-stamps.gpx").iloc[0]
    assert row.n_samples == 871
    assert "358 of 871 points have no time stamp" in row.note
    assert row.distance_m == pytest.approx(14914, rel=0.005)  # gpxpy length_2d


def test_local_date_follows_daylight_saving(tmp_path):
    def gpx(t: str) -> bytes:
        return (f'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><type>running</type>'
                f'<trkseg><trkpt lat="51.5" lon="0"><time>{t}</time></trkpt>'
                f'<trkpt lat="51.501" lon="0"><time>2026-03-29T03:00:00Z</time></trkpt>'
                f'</trkseg></trk></gpx>').encode()
    before = kneeload.read_file(io.BytesIO(gpx("2026-03-29T00:30:00Z")), tz="Europe/London")
    after = kneeload.read_file(io.BytesIO(gpx("2026-03-29T01:30:00Z")), tz="Europe/London")
    assert before.loc[0, "local_start"] == pd.Timestamp("2026-03-29 00:30")  # GMT
    assert after.loc[0, "local_start"] == pd.Timestamp("2026-03-29 02:30")   # BST
    late = kneeload.read_file(io.BytesIO(gpx("2026-03-28T23:30:00Z")),
                              force_tz="Australia/Sydney")
    assert late.loc[0, "local_date"] == pd.Timestamp("2026-03-29")  # 10:30 AEDT


def test_read_samples_on_demand(data):
    s = kneeload.read_samples(data / "fit/fr645-run.fit")
    assert len(s) == 1202
    assert list(s.columns) == list(kneeload.schema.SAMPLE_COLUMN_NAMES)
    assert s["time"].dt.tz is not None
    assert s["lat_deg"].dropna().between(49.3, 49.5).all()  # NaN before GPS lock
    assert s["cadence_spm"].max() > 150  # doubled from per-foot
    tri = kneeload.read_samples(data / "fit/chained-triathlon-5-sessions.fit", session=4)
    assert tri["distance_m"].max() - tri["distance_m"].min() == pytest.approx(9805, rel=0.02)
    with pytest.raises(UsageError, match="session 7 does not exist; the file has 5"):
        kneeload.read_samples(data / "fit/chained-triathlon-5-sessions.fit", session=7)


# --- damaged and invalid files -------------------------------------------------------------


def test_truncated_fit_is_salvaged_and_marked_partial(data):
    row = kneeload.read_file(data / "invalid/fenix2-run-truncated-60000.fit").iloc[0]
    assert row.partial
    assert "truncated after 1,391 records (unexpected end of file at byte 60000)" in row.note
    assert row.n_samples == 1391
    assert row.distance_source == "samples"
    assert 4900 < row.distance_m < 5100


def test_undecodable_fit_keeps_session_written_first(data):
    row = kneeload.read_file(data / "invalid/strava-android-undefined-local-message.fit").iloc[0]
    assert row.partial
    assert row.distance_m == pytest.approx(11274.04)  # session is at the start of this file
    assert "undecodable data at byte 7472 after 473 records" in row.note
    assert "2085-12-21" in row.note  # the one impossible time stamp is named, then ignored


def test_crc_mismatch_is_read_with_a_note(data):
    row = kneeload.read_file(data / "invalid/bad-crc.fit").iloc[0]
    assert not row.partial
    assert "checksum (CRC) does not match" in row.note


def test_corrupt_second_header_and_eof(data):
    row = kneeload.read_file(data / "invalid/chained-corrupt-second-header.fit").iloc[0]
    assert row.partial and "damaged FIT header at byte 783" in row.note
    row = kneeload.read_file(data / "invalid/unexpected-eof.fit").iloc[0]
    assert row.partial and "truncated after 14 records" in row.note


def test_fit_with_power_on_clock_is_placed_by_the_activitys_local_time(data):
    # An FR70 file: every time stamp counts from power-on (16,441,241 s at the start), but
    # activity.local_timestamp is a calendar time (698,070,063 s after the FIT epoch:
    # 2012-02-13 12:21:03 local) written with activity.timestamp 16,444,673: the start is
    # 12:21:03 - (16,444,673 - 16,441,241) s = 11:23:51 local.
    row = kneeload.read_file(data / "invalid/relative-device-times.fit", tz="UTC").iloc[0]
    assert row.local_start == pd.Timestamp("2012-02-13 11:23:51")
    assert row.tz_source == "device" and row.elapsed_s == pytest.approx(3426.898)
    assert "counts from power-on" in row.note


def test_fit_without_time_stamps(data):
    with pytest.raises(InvalidTimeError, match="no usable time stamps"):
        kneeload.read_file(data / "invalid/no-time-stamps.fit")


def test_gpx_with_placeholder_times(data):
    with pytest.raises(InvalidTimeError, match=r"placeholder \(1901-12-13"):
        kneeload.read_file(data / "invalid/placeholder-1901-times.gpx")


def test_truncated_xml_names_line_and_column(data):
    raw = (data / "gpx/garmin-connect-ns3-prefix.gpx").read_bytes()[:900]
    f = io.BytesIO(raw)
    f.name = "runs/cut.gpx"
    with pytest.raises(CorruptFileError, match=r"runs/cut.gpx: line \d+, column \d+: is not "
                       "well-formed XML"):
        kneeload.read_file(f)


def test_bad_point_time_names_the_point():
    f = io.BytesIO(b'<gpx><trk><trkseg><trkpt lat="1" lon="1"><time>2024-01-01T00:00:00Z</time>'
                   b'</trkpt><trkpt lat="1" lon="1.001"><time>2024-13-01</time></trkpt>'
                   b'</trkseg></trk></gpx>')
    f.name = "runs/0312.gpx"
    with pytest.raises(CorruptFileError, match=r"runs/0312.gpx: point 2: has an unparseable "
                       r"<time> '2024-13-01'; fix or remove the point"):
        kneeload.read_file(f)


def test_bad_coordinate_names_the_point():
    f = io.BytesIO(b'<gpx><trk><trkseg><trkpt lat="north" lon="1"><time>2024-01-01T00:00:00Z'
                   b'</time></trkpt></trkseg></trk></gpx>')
    with pytest.raises(CorruptFileError, match=r"point 1: has an unparseable lat 'north'"):
        kneeload.read_file(f)


def test_xml_entities_are_refused_never_expanded():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            b'<gpx><trk><name>&lol2;</name></trk></gpx>')
    with pytest.raises(UnsafeInputError, match="declares a DTD or XML entities"):
        kneeload.read_file(io.BytesIO(bomb))
    xxe = (b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<TrainingCenterDatabase><Activities>&x;</Activities></TrainingCenterDatabase>')
    with pytest.raises(UnsafeInputError):
        kneeload.read_file(io.BytesIO(xxe))


def test_metadata_only_gpx_is_not_an_activity():
    f = io.BytesIO(b'<?xml version="1.0"?><gpx version="1.1"><metadata><time>2023-07-07T16:10:57Z'
                   b'</time></metadata></gpx>')
    with pytest.raises(NotAnActivityError, match="holds no track points"):
        kneeload.read_file(f)


def test_route_without_times_cannot_be_dated():
    f = io.BytesIO(b'<gpx><trk><trkseg><trkpt lat="1" lon="1"/><trkpt lat="1" lon="1.01"/>'
                   b'</trkseg></trk></gpx>')
    with pytest.raises(InvalidTimeError, match="drawn route"):
        kneeload.read_file(f)


def test_unknown_format_and_empty_file(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(UnsupportedFormatError, match="notes.txt: is not a FIT, GPX or TCX"):
        kneeload.read_file(tmp_path / "notes.txt")
    (tmp_path / "empty.fit").write_bytes(b"")
    with pytest.raises(UnsupportedFormatError, match="empty.fit: is empty"):
        kneeload.read_file(tmp_path / "empty.fit")


def test_gzip_bomb_is_refused(monkeypatch):
    from kneeload.io import _source
    monkeypatch.setattr(_source, "MAX_FILE_BYTES", 10_000)
    blob = gzip.compress(b"<gpx>" + b" " * 50_000 + b"</gpx>")
    with pytest.raises(UnsafeInputError, match="decompresses to more than"):
        kneeload.read_file(io.BytesIO(blob))


def test_fast_assumed_run_is_not_running_load():
    pts = "".join(f'<trkpt lat="51.5" lon="{i * 0.0008:.4f}"><time>2024-05-01T10:{i // 6:02d}:'
                  f'{i % 6 * 10:02d}Z</time></trkpt>' for i in range(120))
    f = io.BytesIO(f"<gpx><trk><trkseg>{pts}</trkseg></trk></gpx>".encode())
    row = kneeload.read_file(f).iloc[0]  # 5.5 km in 20 min: 16.5 km/h? no: 55.6 m / 10 s
    assert row.sport == "other"
    assert "faster than running" in row.note
