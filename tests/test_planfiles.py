"""Plan files: the CSV reads back, the calendar parses with icalendar, the FIT workouts decode
with fitdecode (independent of fit-tool, which wrote them)."""

from __future__ import annotations

import datetime as dt

import fitdecode
import pandas as pd
import pytest

from kneeload.errors import InvalidFileError, UsageError
from kneeload.plan import read_plan
from kneeload.planfiles import (
    ics_fold,
    plan_to_ics,
    write_fit_workouts,
    write_plan_csv,
)

icalendar = pytest.importorskip("icalendar")
STAMP = dt.datetime(2026, 8, 30, 7, 0, tzinfo=dt.timezone.utc)


def _plan() -> pd.DataFrame:
    return pd.DataFrame({
        "date": pd.to_datetime(["2026-09-01", "2026-09-03", "2026-09-03", "2026-09-06"]),
        "distance_m": [5000.0, 2400.0, 3218.688, 12345.0],
        "kind": ["easy", "walk_jog", "easy", "long"],
        "week": [1, 1, 1, 1],
        "week_start": pd.to_datetime(["2026-08-31"] * 4),
        "bounded_by": ["weekly_increase", "goal", "two_week_increase", "session_spike"],
        "target": ["Easy 5.0 km", "Walk/jog 2.4 km", "Easy, flat; 2 mi", "Long \\ slow"],
        "note": ["", "first line\nsecond line", "", ("ünïcödé " * 12).strip()],
    })


@pytest.mark.parametrize("unit", ["mi", "km"])
def test_csv_round_trip_keeps_dates_distances_and_columns(tmp_path, unit):
    plan = _plan()
    path = write_plan_csv(plan, tmp_path / "plan.csv", unit)
    # read with the other unit: the file's own unit column wins
    back = read_plan(path, "km" if unit == "mi" else "mi")
    assert back["date"].tolist() == plan["date"].tolist()
    # 2 decimals of a mile: at most 0.005 mi = 8.05 m off
    per = 1609.344 if unit == "mi" else 1000.0
    assert back["distance_m"].to_numpy() == pytest.approx(plan["distance_m"].to_numpy(),
                                                          abs=0.005 * per)
    for col in ("kind", "bounded_by", "target", "note"):
        assert back[col].tolist() == plan[col].tolist()
    assert back["week"].tolist() == [1, 1, 1, 1]
    assert back["week_start"].tolist() == plan["week_start"].tolist()


def test_plain_two_column_plan_still_reads(tmp_path):
    p = tmp_path / "plan.csv"
    p.write_text("date,distance\n2026-09-01,5.5\n")
    assert read_plan(p).columns.tolist() == ["date", "distance_m"]
    assert read_plan(p)["distance_m"].tolist() == pytest.approx([5.5 * 1609.344])


def test_edited_csv_with_bad_unit_and_week_lists_every_line(tmp_path):
    p = tmp_path / "plan.csv"
    p.write_text("date,distance,unit,week\n2026-09-01,5,furlong,1\n2026-09-02,5,km,zero\n")
    with pytest.raises(InvalidFileError, match="line 2: unit 'furlong'.*\n.*line 3: week"):
        read_plan(p)


def test_plan_table_without_distance_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no distance_m column"):
        write_plan_csv(pd.DataFrame({"date": ["2026-09-01"]}), tmp_path / "p.csv")
    with pytest.raises(UsageError, match="row 0: distance_m -1"):
        plan_to_ics(pd.DataFrame({"date": ["2026-09-01"], "distance_m": [-1.0]}))


def test_ics_parses_back_with_icalendar_every_event():
    plan = _plan()
    data = plan_to_ics(plan, "km", stamp=STAMP)
    # RFC 5545 3.1: every line ends in CRLF and is at most 75 octets
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 75
    cal = icalendar.Calendar.from_ical(data)
    events = cal.walk("VEVENT")
    assert len(events) == len(plan)
    uids = set()
    for ev, row in zip(events, plan.itertuples(), strict=True):
        uids.add(str(ev["UID"]))
        assert ev.decoded("DTSTART") == row.date.date()  # VALUE=DATE: a date, all-day
        assert ev.decoded("DTEND") == row.date.date() + dt.timedelta(days=1)
        assert ev.decoded("DTSTAMP") == STAMP
        assert f"{row.distance_m / 1000:.1f} km" in str(ev["SUMMARY"])
        desc = str(ev["DESCRIPTION"])
        assert row.target in desc  # commas, semicolons, backslashes unescaped back
        assert f"Bounded by: {row.bounded_by}" in desc
        if row.note:
            assert row.note in desc  # newlines and folded UTF-8 back intact
    assert len(uids) == len(plan)  # two runs on 09-03 get two UIDs


def test_ics_uids_stable_across_rebuilds():
    a = icalendar.Calendar.from_ical(plan_to_ics(_plan(), stamp=STAMP))
    b = icalendar.Calendar.from_ical(plan_to_ics(_plan(), stamp=STAMP + dt.timedelta(days=1)))
    assert [str(e["UID"]) for e in a.walk("VEVENT")] == [str(e["UID"]) for e in b.walk("VEVENT")]


def test_fold_never_splits_a_utf8_character():
    line = "DESCRIPTION:" + "é" * 100
    folded = ics_fold(line)
    for part in folded.split(b"\r\n")[:-1]:
        part.decode("utf-8")  # each physical line is whole UTF-8
        assert len(part) <= 75
    assert folded.replace(b"\r\n ", b"").decode() == line + "\r\n"


def _decode(path):
    out = []
    with fitdecode.FitReader(path) as r:
        for fr in r:
            if isinstance(fr, fitdecode.FitDataMessage):
                out.append((fr.name, {f.name: f.value for f in fr.fields},
                            {f.name: f.raw_value for f in fr.fields}))
    return out


def test_fit_workouts_decode_back_with_fitdecode(tmp_path):
    plan = _plan()
    files = write_fit_workouts(plan, tmp_path / "watch", "km", created=STAMP)
    assert [p.rsplit("/", 1)[1] for p in files] == [
        "2026-09-01_easy_5-0km.fit", "2026-09-03_walk-jog_2-4km.fit",
        "2026-09-03_easy_3-2km_2.fit", "2026-09-06_long_12-3km.fit"]
    serials = set()
    for path, row in zip(files, plan.itertuples(), strict=True):
        msgs = _decode(path)
        serials.add(msgs[0][1]["serial_number"])
        names = [m[0] for m in msgs]
        assert names[0] == "file_id" and msgs[0][1]["type"] == "workout"
        wkt = msgs[names.index("workout")][1]
        assert wkt["sport"] == "running"
        steps = [m for m in msgs if m[0] == "workout_step"]
        assert wkt["num_valid_steps"] == len(steps)
        if row.kind == "walk_jog":
            # 2400 m / (400 + 100) = 4.8 -> 5 repeats of 480 m: jog 380 m, walk 100 m
            (_, jog, jraw), (_, walk, _), (_, rep, _) = steps
            assert jog["duration_type"] == "distance" and jraw["duration_distance"] == 38000
            assert jog["duration_distance"] == pytest.approx(380.0)
            assert walk["duration_distance"] == pytest.approx(100.0)
            assert walk["intensity"] == "recovery"
            assert rep["duration_type"] == "repeat_until_steps_cmplt"
            assert rep["duration_step"] == 0 and rep["repeat_steps"] == 5
        else:
            ((_, step, raw),) = steps
            assert step["duration_type"] == "distance"
            assert step["intensity"] == "active"
            assert raw["duration_distance"] == round(row.distance_m * 100)  # [cm]
            assert step["duration_distance"] == pytest.approx(row.distance_m, abs=0.01)
    assert len(serials) == len(files)  # each workout its own file_id on the watch


def test_fit_folder_that_is_a_file_is_an_output_error(tmp_path):
    from kneeload.errors import OutputError

    f = tmp_path / "x"
    f.write_text("")
    with pytest.raises(OutputError, match="is not a folder"):
        write_fit_workouts(_plan(), f)


def test_kneeload_plan_reads_the_written_csv(tmp_path, capsys):
    import json

    from conftest import ROOT

    from kneeload.cli import main

    plan = pd.DataFrame({"date": pd.to_datetime(["2026-08-18", "2026-08-20"]),
                         "distance_m": [5632.704, 6437.376], "kind": ["easy", "easy"],
                         "target": ["Easy 3.5 mi", "Easy, 4 mi"]})
    path = write_plan_csv(plan, tmp_path / "plan.csv", "mi")
    code = main(["plan", path, "--history", str(ROOT / "sample_data" / "runs"), "--no-cache",
                 "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code in (0, 1)  # 1: the plan raised a flag, still read
    # the CSV holds 3.50 and 4.00 mi; read back, 3.50 x 1609.344 / 1609.344 is 3.4999999999999996
    # in floats: the JSON rounds to 2 decimals, so the values are exact
    assert [(p["date"], p["distance"]) for p in out["plan"]] == [
        ("2026-08-18", 3.5), ("2026-08-20", 4.0)]
