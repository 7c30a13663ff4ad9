"""The sport vocabulary, its policy, and rows that cannot be impossible (issue 24).

Property tests write GPX and TCX files with random pauses, negative and repeated time steps,
laps that disagree with the points, out-of-range and non-finite values, GPS jumps and random
sport labels, and assert the row invariants for every reader.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kneeload
from kneeload import sports
from kneeload.schema import SPORTS
from kneeload.sports import TABLES, key, lookup, unknown_labels, user_sports


def test_every_entry_is_one_of_the_sports():
    for t in TABLES.values():
        assert t.reference and t.title
        assert set(t.labels.values()) <= set(SPORTS), t.source


def test_one_label_means_one_sport_in_every_format():
    seen: dict[str, set[str]] = {}
    for t in TABLES.values():
        for label, sport in t.labels.items():
            if not key(label).isdigit():  # numbers are each source's own codes
                seen.setdefault(key(label), set()).add(sport)
    assert {k: v for k, v in seen.items() if len(v) > 1} == {}


def test_fit_table_is_the_whole_profile_enumeration():
    from fitdecode.profile import FIELD_TYPES
    assert sports.FIT_SPORT_CODES == FIELD_TYPES["sport"].enum
    assert sports.FIT_SUB_SPORT_CODES == FIELD_TYPES["sub_sport"].enum


@pytest.mark.parametrize(("source", "label", "sport"), [
    ("garmin", "road_biking", "cycling"), ("gpx", "road_biking", "cycling"),
    ("gpx", "9", "running"), ("gpx", "Trail Run", "trail_running"),
    ("fit", ("running", "trail"), "trail_running"), ("fit", (1, 1), "treadmill"),
    ("fit", ("wheelchair_push_run", None), "other"), ("tcx", "Biking", "cycling"),
    ("strava", "Course à pied", "running"), ("apple", "HandCycling", "cycling"),
    ("health_connect", 56, "running"), ("health_connect", "79", "walking"),
    ("zepp", 1, "running"), ("opentracks" if "opentracks" in TABLES else "gpx",
                             "swimming in open water", "swimming"),
])
def test_labels(source, label, sport):
    got = lookup(source, label)
    assert got.sport == sport and got.note is None and not got.assumed


@pytest.mark.parametrize(("source", "code", "sport"), [
    # Polar ids, pcolby/bipolar src/polar/v2/trainingsession.cpp: 17 treadmill, 18 indoor
    # cycling, 23 swimming, 27 trail running, 103/105 pool/open-water swimming, 33 yoga
    ("polar", "1", "running"), ("polar", "17", "treadmill"), ("polar", "18", "cycling"),
    ("polar", "23", "swimming"), ("polar", "27", "trail_running"), ("polar", "105", "swimming"),
    ("polar", "33", "other"),
    # Zepp cloud types, rolandsz/Mi-Fit-and-Zepp-workout-exporter: 8 treadmill, 10 indoor cycling
    ("zepp", "6", "walking"), ("zepp", "8", "treadmill"), ("zepp", "10", "cycling"),
    # Huawei: privacy export (Hitrava) and the app's track types (davinci-tech/hh)
    ("huawei", "4", "running"), ("huawei", "104", "swimming"), ("huawei", "258", "running"),
    ("huawei", "264", "treadmill"), ("huawei", "266", "swimming"), ("huawei", "274", "other"),
    # Health Connect, androidx ExerciseSessionRecord.kt
    ("health_connect", "9", "cycling"), ("health_connect", "73", "swimming"),
    ("health_connect", "37", "walking"),
])
def test_vendor_codes_as_their_sources_list_them(source, code, sport):
    got = lookup(source, code)
    assert got.sport == sport and not got.unknown


def test_unverified_and_generic_vendor_codes_are_other_with_a_note():
    # Zepp 7/14/15 were once guessed (trail, swims): not in any source found, so 'other'
    # with a note naming the code, never a run; the vendors' "other" codes are generic
    for source, code in (("zepp", "7"), ("zepp", "14"), ("polar", "16"), ("polar", "83"),
                         ("huawei", "117"), ("huawei", "279"), ("zepp", "16")):
        got = lookup(source, code)
        assert got.sport == "other" and got.unknown and f"'{code}'" in got.note


def test_policy_generic_unknown_missing_and_user_mapping():
    other = lookup("tcx", "Other")  # an open-water swim in the wild: never a run
    assert other.sport == "other" and other.unknown and "'Other' is generic" in other.note
    odd = lookup("gpx", "jkljkl")
    assert odd.sport == "other" and "'jkljkl' is not one kneeload knows" in odd.note
    missing = lookup("gpx", "  ", default_sport="walking")
    assert missing.sport == "walking" and missing.assumed
    with user_sports({"Other": "running", "gpx:jkljkl": "cycling"}):
        assert lookup("tcx", "Other").sport == "running"
        assert lookup("gpx", "jkljkl").sport == "cycling"
        assert lookup("tcx", "jkljkl").sport == "other"  # the key named gpx only
    assert lookup("tcx", "Other").sport == "other"
    with pytest.raises(ValueError, match="must be one of"):
        with user_sports({"x": "rowing"}):
            pass
    assert unknown_labels([odd.note, other.note + "; x", odd.note, ""]) == {
        "jkljkl": 2, "Other": 1}


def test_sports_doc_is_current():
    assert (ROOT / "docs" / "sports.md").read_text() == sports.sports_markdown()


# --- row invariants, every reader --------------------------------------------------------------

T0 = pd.Timestamp("2024-05-06T07:00:00Z")
LABELS = st.sampled_from(["running", "run", "9", "cycling", "Other", "jkljkl", "", "hiking",
                          "road_biking", "swimming"])
STEP = st.tuples(
    st.sampled_from([1, 1, 1, 5, 0, -3, 600]),                   # time step [s]: pauses,
    st.floats(-0.001, 0.001) | st.sampled_from([0.5, 90.0]),      # repeats, backwards; jumps
    st.sampled_from([140.0, 0.0, 254.0, 300.0, math.nan, math.inf]),  # heart rate [bpm]
    st.sampled_from([85.0, 508.0, 1000.0, math.nan]),             # cadence
    st.sampled_from([100.0, 101.0, 99.0, -11000.0, 1e7]),         # elevation [m]
    st.sampled_from([None, None, None, "NaN", "inf", "95.0"]),    # latitude written instead
)


def _gpx(label: str, steps) -> str:
    t, lat, lon, pts = T0, 45.0, 7.0, []
    for dt_s, dlat, hr, cad, ele, *bad in steps:
        t = t + pd.Timedelta(seconds=dt_s)
        lat = max(-90.0, min(90.0, lat + dlat))
        pts.append(f'<trkpt lat="{bad[0] if bad and bad[0] else lat}" lon="{lon}"><ele>{ele}</ele>'
                   f'<time>{t.strftime("%Y-%m-%dT%H:%M:%SZ")}</time><extensions>'
                   f'<gpxtpx:TrackPointExtension><gpxtpx:hr>{hr}</gpxtpx:hr>'
                   f'<gpxtpx:cad>{cad}</gpxtpx:cad></gpxtpx:TrackPointExtension>'
                   '</extensions></trkpt>')
    typ = f"<type>{label}</type>" if label else ""
    return ('<?xml version="1.0"?><gpx version="1.1" creator="t" '
            'xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx='
            '"http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
            f'<trk>{typ}<trkseg>{"".join(pts)}</trkseg></trk></gpx>')


def _tcx(label: str, steps, lap_s: float) -> str:
    t, dist, lat, pts = T0, 0.0, 45.0, []
    for dt_s, dlat, hr, cad, ele, *bad in steps:
        t = t + pd.Timedelta(seconds=dt_s)
        dist += dlat * 111_000
        lat = max(-90.0, min(90.0, lat + dlat))
        pts.append(f'<Trackpoint><Time>{t.strftime("%Y-%m-%dT%H:%M:%SZ")}</Time>'
                   f'<Position><LatitudeDegrees>{bad[0] if bad and bad[0] else lat}'
                   '</LatitudeDegrees><LongitudeDegrees>7.0</LongitudeDegrees></Position>'
                   f'<AltitudeMeters>{ele}</AltitudeMeters><DistanceMeters>{dist}'
                   f'</DistanceMeters><HeartRateBpm><Value>{hr}</Value></HeartRateBpm>'
                   f'<Cadence>{cad}</Cadence></Trackpoint>')
    return ('<?xml version="1.0"?><TrainingCenterDatabase xmlns="http://www.garmin.com/'
            'xmlschemas/TrainingCenterDatabase/v2"><Activities>'
            f'<Activity Sport="{label}"><Id>{T0.strftime("%Y-%m-%dT%H:%M:%SZ")}</Id>'
            f'<Lap StartTime="{T0.strftime("%Y-%m-%dT%H:%M:%SZ")}"><TotalTimeSeconds>{lap_s}'
            f'</TotalTimeSeconds><DistanceMeters>1000</DistanceMeters><Track>{"".join(pts)}'
            '</Track></Lap></Activity></Activities></TrainingCenterDatabase>')


def _assert_invariants(df: pd.DataFrame, steps=None, lap_s: float | None = None) -> None:
    """The row invariants of issue 24; with the ``steps`` written: elapsed at least their
    span, at least the laps (or a note says why not), every dropped point counted."""
    if steps is not None:
        times = np.cumsum([s[0] for s in steps])
        span = float(times.max() - times.min())
        bad = [s[5] if len(s) > 5 else None for s in steps]
        off, nan = sum(b in ("inf", "95.0") for b in bad), bad.count("NaN")
        for _, r in df.iterrows():
            assert r["elapsed_s"] >= span - 2, (r["elapsed_s"], span)
            if lap_s is not None and lap_s > r["elapsed_s"] + 2:
                assert "laps" in r["note"] or "moving time" in r["note"], r["note"]
            if off:
                assert f"{off} of {len(steps)} positions are not on the Earth" in r["note"]
            if nan:
                assert f"{nan} of {len(steps)} " in r["note"] and "not a number" in r["note"]
    for _, r in df.iterrows():
        assert r["sport"] in SPORTS
        for col in ("moving_s", "elapsed_s"):
            assert pd.isna(r[col]) or r[col] >= 0, col
        if pd.notna(r["moving_s"]) and pd.notna(r["elapsed_s"]):
            assert r["moving_s"] <= r["elapsed_s"], (r["moving_s"], r["elapsed_s"])
        for col in ("distance_m", "ascent_m", "descent_m"):
            assert pd.isna(r[col]) or (math.isfinite(r[col]) and r[col] >= 0), col
        for col in ("hr_avg_bpm", "hr_max_bpm"):
            assert pd.isna(r[col]) or 25 <= r[col] <= 250, col
        assert pd.isna(r["cadence_spm"]) or 0 <= r["cadence_spm"] <= 260
        assert r["start_time"] <= pd.Timestamp.now(tz="UTC")
        if r["implausible"]:
            assert "implausible" in r["note"]
    runs = kneeload.load.running(df) if hasattr(kneeload, "load") else df
    assert not runs["implausible"].any()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(label=LABELS, steps=st.lists(STEP, min_size=2, max_size=40))
def test_gpx_rows_are_possible(tmp_path_factory, label, steps):
    p = tmp_path_factory.mktemp("g") / "a.gpx"
    p.write_text(_gpx(label, steps))
    try:
        df = kneeload.read_file(p, tz="UTC")
    except kneeload.errors.InputError:
        return  # reported with its reason, never a silent row
    _assert_invariants(df, steps)
    if label in ("Other", "jkljkl"):
        assert (df["sport"] == "other").all() and df["note"].str.contains(label).all()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(label=st.sampled_from(["Running", "Biking", "Other", "Walking", "Zorb", ""]),
       steps=st.lists(STEP, min_size=2, max_size=40),
       lap_s=st.sampled_from([4.0, 0.0, -100.0, 1e9, 3600.0]))
def test_tcx_rows_are_possible(tmp_path_factory, label, steps, lap_s):
    p = tmp_path_factory.mktemp("t") / "a.tcx"
    p.write_text(_tcx(label, steps, lap_s))
    try:
        df = kneeload.read_file(p, tz="UTC")
    except kneeload.errors.InputError:
        return
    _assert_invariants(df, steps, lap_s)
    if label == "Other":
        assert (df["sport"] == "other").all()


def test_a_10000_km_run_is_kept_marked_and_out_of_load(tmp_path):
    # a TCX lap of 10,000 km in 1 h: 10,000 km/h, no human runs that fast
    p = tmp_path / "far.tcx"
    p.write_text(_tcx("Running", [(0, 0.0, 140.0, 85.0, 100.0), (3600, 0.001, 140.0, 85.0,
                                                                 100.0)], 3600.0)
                 .replace("<DistanceMeters>1000</DistanceMeters>",
                          "<DistanceMeters>10000000</DistanceMeters>"))
    df = kneeload.read_file(p, tz="UTC")
    assert df["implausible"].all() and df["note"].str.contains("faster than any human").all()
    from kneeload.load import running
    assert running(df).empty


def test_a_gps_jump_is_cut_from_the_distance_with_a_note(tmp_path):
    # 0.002 deg of latitude = 222.4 m in 1 min; then one fix 90 deg south and a step back
    # to 0.002 deg past the first: both 10,000 km steps are cut, the 222.4 m step stays
    steps = [(0, 0.0, 140.0, 85.0, 100.0), (60, 0.002, 140.0, 85.0, 100.0),
             (60, -90.0, 140.0, 85.0, 100.0), (60, 90.002, 140.0, 85.0, 100.0)]
    p = tmp_path / "jump.gpx"
    p.write_text(_gpx("running", steps))
    df = kneeload.read_file(p, tz="UTC")
    assert df["distance_m"].iloc[0] == pytest.approx(222.39, abs=0.01)
    assert "2 GPS steps faster than 12.5 m/s" in df["note"].iloc[0]
    assert not df["implausible"].iloc[0]


def test_user_mapping_from_the_api_and_the_config(tmp_path):
    # an unknown label -> other, listed; mapped from the API -> the mapped sport
    (tmp_path / "a.gpx").write_text(_gpx("road_biking", [(0, 0.0, 140.0, 85.0, 100.0),
                                                         (60, 0.001, 140.0, 85.0, 100.0)]))
    (tmp_path / "b.gpx").write_text(_gpx("Zorbing", [(0, 0.0, 140.0, 85.0, 100.0),
                                                     (60, 0.001, 140.0, 85.0, 100.0)]))
    plain = kneeload.read_activities(tmp_path, tz="UTC", cache=False, drop_duplicates=False)
    assert sorted(plain.activities["sport"]) == ["cycling", "other"]
    assert plain.unknown_sports == {"Zorbing": 1}
    mapped = kneeload.read_activities(tmp_path, tz="UTC", cache=tmp_path / "c",
                                      drop_duplicates=False,
                                      sports={"Zorbing": "running", "gpx:road_biking": "other"})
    assert sorted(mapped.activities["sport"]) == ["other", "running"]
    assert mapped.unknown_sports == {}
    again = kneeload.read_activities(tmp_path, tz="UTC", cache=tmp_path / "c",
                                     drop_duplicates=False)  # not the mapped rows
    assert sorted(again.activities["sport"]) == ["cycling", "other"]
    with pytest.raises(kneeload.errors.UsageError):
        kneeload.read_activities(tmp_path, cache=False, sports={"x": "rowing"})
    toml = tmp_path / "kneeload.toml"
    toml.write_text('[sports]\nZorbing = "walking"\n')
    from kneeload.config import load_config
    assert load_config(toml).sports == {"Zorbing": "walking"}
    toml.write_text('[sports]\nZorbing = "rowing"\n')
    with pytest.raises(kneeload.errors.ConfigError, match="must be one of"):
        load_config(toml)


def test_elapsed_shorter_than_the_laps_takes_the_laps(tmp_path):
    # a TCX lap of 5.3 h (19,080 s) whose two points are 4 s apart: elapsed 4 s is impossible
    p = tmp_path / "laps.tcx"
    p.write_text(_tcx("Running", [(0, 0.0, 140.0, 85.0, 100.0), (4, 0.0001, 140.0, 85.0,
                                                              100.0)], 19080.0))
    r = kneeload.read_file(p, tz="UTC").iloc[0]
    assert r["elapsed_s"] == 19080.0 and r["moving_s"] == 19080.0
    assert "shorter than the file's laps (19080 s)" in r["note"]


def test_moving_over_elapsed_is_capped_with_a_note(tmp_path):
    # lap time 3600 s but points span 600 s... elapsed takes the laps; a lap time that is
    # *not* believable (0) leaves moving from the lap (0) under elapsed (600 s span)
    p = tmp_path / "cap.tcx"
    p.write_text(_tcx("Running", [(0, 0.0, 140.0, 85.0, 100.0), (600, 0.01, 140.0, 85.0,
                                                                100.0)], 0.0))
    r = kneeload.read_file(p, tz="UTC").iloc[0]
    assert r["elapsed_s"] == 600.0 and 0 <= r["moving_s"] <= 600.0


# --- rows without a file go through the same check (issue 24, item 3) -------------------------


def test_an_absurd_manual_row_is_implausible_and_a_negative_duration_is_left_empty(tmp_path):
    # 10,000 km in 1 h: 10,000 km/h, far above the 12.5 m/s (45 km/h) ceiling on foot; kept in
    # the table, marked, out of the load. -45:00 is no duration: left empty with a note, the
    # 5 km stays a run
    log = tmp_path / "manual.csv"
    log.write_text("date,distance,duration,shoe,unit,note\n"
                   "2026-05-04,10000,1:00:00,,km,typo\n"
                   "2026-05-05,5,-45:00,,km,\n"
                   "2026-05-06,5,25:00,,km,easy\n")
    acts = kneeload.read_activities(log, tz="UTC", cache=False).activities
    far, neg, easy = (acts.iloc[i] for i in range(3))
    assert far["implausible"] and far["distance_m"] == 10_000_000.0
    assert far["note"].startswith("typo; implausible: 10000.0 km in 60 min is 10000 km/h")
    assert pd.isna(neg["elapsed_s"]) and pd.isna(neg["moving_s"]) and not neg["implausible"]
    assert "elapsed_s -2700.0 is not a possible value; left empty" in neg["note"]
    assert easy["note"] == "easy" and not easy["implausible"]
    from kneeload.load import running
    assert sorted(running(acts)["distance_m"]) == [5000.0, 5000.0]


def test_an_absurd_strava_csv_row_is_implausible(tmp_path):
    # activities.csv alone (no files): a "Run" of 10,000 km in 3600 s, and one whose moving
    # time (7200 s) is longer than its elapsed time (3600 s): capped, noted
    from test_exports import STRAVA_HEADER, strava_row
    root = tmp_path / "export_1"
    root.mkdir()
    (root / "activities.csv").write_text(STRAVA_HEADER + "\n" + "\n".join([
        strava_row(id="1", date="May 6, 2024, 4:02:34 AM", elapsed=3600, metres=1e7),
        strava_row(id="2", date="May 7, 2024, 4:02:34 AM", elapsed=3600, moving=7200,
                   metres=10_000.0)]) + "\n", encoding="utf-8")
    acts = kneeload.read_activities(root, tz="UTC", cache=False).activities
    far, capped = acts.iloc[0], acts.iloc[1]
    assert far["implausible"] and "faster than any human running" in far["note"]
    assert capped["moving_s"] == 3600.0 and not capped["implausible"]
    assert "moving time 7200 s is longer than the elapsed time 3600 s" in capped["note"]


def test_an_absurd_export_summary_is_implausible(tmp_path):
    # a Zepp SPORT.csv run (type 1) of 10,000 km in 1800 s: through summarise and check_row
    # like every export reader's row (Polar, Health Connect, Huawei use the same path)
    d = tmp_path / "ZEPP_1_1716000000000"
    (d / "SPORT").mkdir(parents=True)
    (d / "SPORT" / "SPORT_1716000000000.csv").write_text(
        "type,startTime,sportTime(s),maxPace(/meter),minPace(/meter),distance(m),"
        "avgPace(/meter),calories(kcal)\n1,1715578200000,1800,0.25,0.4,10000000,0.36,320\n")
    acts = kneeload.read_activities(d, tz="UTC", cache=False).activities
    assert acts["implausible"].all() and "faster than any human running" in acts["note"][0]


# --- summary lists the implausible rows (issue 24, item 4) ------------------------------------


def test_summary_lists_each_implausible_row(tmp_path, capsys):
    import json

    from kneeload.cli import main
    (tmp_path / "manual.csv").write_text("date,distance,duration,unit\n"
                                         "2026-05-04,10000,1:00:00,km\n"
                                         "2026-05-06,5,25:00,km\n")
    main(["summary", str(tmp_path), "--tz", "UTC", "--unit", "km"])
    out = capsys.readouterr().out
    assert "2 activities, 1 run, 5.0 km running" in out  # the 10,000 km row not counted
    assert "Implausible (kept in the table, left out of load, advice and shoes): 1" in out
    assert ("manual.csv#line 2: 10000.0 km in 60 min is 10000 km/h, faster than any human "
            "running") in out
    assert "(implausible)" in out  # marked in the table too
    main(["summary", str(tmp_path), "--tz", "UTC", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["implausible"]) == 1
    assert doc["implausible"][0]["path"].endswith("manual.csv#line 2")
    assert doc["implausible"][0]["why"].startswith("10000.0 km in 60 min is 10000 km/h")


# --- the real files (issue 24, "done when") ---------------------------------------------------

#: The family a file's own label states, by hand (independent of kneeload's tables).
_STATED_FAMILY = {"running": "run", "run": "run", "9": "run", "walking": "walk",
                  "hiking": "walk", "cycling": "ride", "biking": "ride", "swimming": "swim"}
_FAMILY = {"running": "run", "trail_running": "run", "treadmill": "run", "walking": "walk",
           "cycling": "ride", "swimming": "swim", "other": "other"}


def _stated_labels(path) -> list[str]:
    import gzip
    import io
    import re

    import fitdecode
    data = path.read_bytes()
    data = gzip.decompress(data) if path.name.endswith(".gz") else data
    if ".fit" in path.name.lower():
        out = []
        try:
            with fitdecode.FitReader(io.BytesIO(data),
                                     check_crc=fitdecode.CrcCheck.DISABLED) as reader:
                for frame in reader:
                    if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "session":
                        out.append(str(frame.get_value("sport", fallback=None)))
        except fitdecode.FitError:
            pass
        return out
    text = data.decode("utf-8", "replace")
    pattern = r"<type>([^<]*)</type>" if ".gpx" in path.name else r'Sport="([^"]*)"'
    return re.findall(pattern, text)


def test_real_files_rows_are_possible_and_stated_sports_in_their_family():
    import warnings

    from conftest import real_files_dir
    root = real_files_dir()
    if root is None:
        pytest.skip("the real-file corpus (KNEELOAD_REAL_FILES) is not present")
    stated = right = rows = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".md"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                df = kneeload.read_file(path, tz="UTC")
                labels = _stated_labels(path)
        except kneeload.errors.InputError:
            continue
        for _, r in df.iterrows():
            rows += 1
            if pd.notna(r["moving_s"]) and pd.notna(r["elapsed_s"]):
                assert r["moving_s"] <= r["elapsed_s"], path.name
            i = int(r["session_index"])
            label = labels[i] if i < len(labels) else None
            if label in (None, "None", ""):
                continue
            stated += 1
            want = _STATED_FAMILY.get(label.lower(), "other")
            assert _FAMILY[r["sport"]] == want, (path.name, i, label, r["sport"])
            right += 1
    assert rows >= 70 and stated == right and stated >= 60  # 78 rows, 69 stated (2026-12)
