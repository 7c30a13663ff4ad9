from __future__ import annotations

import json

import pytest
from conftest import SAMPLE

from kneeload.cli import main

PLANTED = [  # (rule, severity, date) as sample_data/README.md tells
    # E1: after the deload. Two-week rule (Nielsen 2014: the 7 days to each run on the 7
    # before): Sun 5 Apr, 30 Mar-5 Apr = 3.5 + 4 + 2.5 + 5 = 15.0 on 23-29 Mar = 10.0, +50%
    ("two_week_increase", "info", "2026-04-05"),
    ("weekly_increase", "info", "2026-04-05"),
    # the next calendar week, Tue 7 Apr: 1-7 Apr = 4 + 2.5 + 5 + 3.5 = 15.0 on 25-31 Mar =
    # 3 + 4 + 3.5 = 10.5: +42.9%
    ("two_week_increase", "info", "2026-04-07"),
    ("session_spike", "warn", "2026-04-26"),       # E2
    # E2: 20-26 Apr = 5 + 5 + 6 + 8 = 24.0 on 13-19 Apr = 4 + 4 + 2.5 + 6 = 16.5: +45.5%
    ("two_week_increase", "info", "2026-04-26"),
    ("weekly_increase", "info", "2026-04-26"),     # E2
    ("session_spike", "alert", "2026-05-31"),      # E3: the 12-miler
    # after E3, Sat 6 Jun: 31 May-6 Jun = 12 + 3 + 3 + 3 = 21.0 on 24-30 May = 5.5 + 3 + 3 =
    # 11.5: +82.6%, over twice the threshold (60%): warn
    ("two_week_increase", "warn", "2026-06-06"),
    ("descent_increase", "info", "2026-06-14"),    # E4: the hills (biomechanical only)
    # after E4, Sat 20 Jun: 14-20 Jun = 6 + 3 + 3.5 + 3 = 15.5 on 7-13 Jun = 4 + 3 + 4 = 11.0:
    # +40.9%
    ("two_week_increase", "info", "2026-06-20"),
    ("low_cadence", "info", "2026-07-05"),         # weeks 1-18 under 170 spm
]


@pytest.fixture(scope="module")
def check_json():
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["check", str(SAMPLE), "--json"])
    return code, json.loads(out.getvalue())


def test_check_flags_exactly_the_planted_events(check_json):
    code, doc = check_json
    assert code == 1  # warn and alert flags present
    load_flags = [f for f in doc["flags"] if not f["rule"].startswith("pain_")]
    got = [(f["rule"], f["severity"], f["date"]) for f in load_flags]
    assert got == PLANTED
    # sample_data/pain.csv is found beside the data, as `report` finds it: its flags count too
    assert any(f["rule"].startswith("pain_") for f in doc["flags"])
    assert set(doc["flags"][0]) == {"rule", "severity", "date", "week_start", "value",
                                    "threshold", "unit", "message"}
    spike = load_flags[6]  # E3, after E1's three flags and E2's three
    assert spike["value"] == pytest.approx(118.2) and spike["threshold"] == 100.0
    assert spike["unit"] == "%" and spike["week_start"] == "2026-05-25"


def test_check_json_weeks(check_json):
    _, doc = check_json
    weeks = doc["weeks"]
    assert len(weeks) == 24
    assert weeks[0]["week_start"] == "2026-03-02" and weeks[0]["week_end"] == "2026-03-08"
    assert [round(w["distance"], 1) for w in weeks[:5]] == [11.5, 12.5, 13.5, 10.0, 15.0]
    assert weeks[4]["change_prev_pct"] == pytest.approx(50.0, abs=0.1)  # GPX track noise
    # the first week (from Tue 3 Mar) is partial: the mean of the 3 complete weeks of the
    # 4 before, (12.5 + 13.5 + 10) / 3 = 12 mi, so 15 / 12 = +25%
    assert weeks[0]["partial"] and not weeks[4]["partial"]
    assert weeks[4]["change_4wk_pct"] == pytest.approx(25.0, abs=0.2)
    assert weeks[2]["cross_n"] == 1 and weeks[0]["unit"] == "mi"
    assert "runs before 2026-04-02 were not judged" in doc["notes"][0]


def test_check_since_and_fail_on(capsys):
    # the pain log beside the data is found: its warnings count. Since 15 Jun, under the
    # severity scheme: next-morning pain above the usual on 15 Jun and 16 Jul, pain rising
    # in the weeks of 15 Jun and 13 Jul (the two-day heuristic of 16 Jun, 16 Jul is info)
    assert main(["check", str(SAMPLE), "--since", "2026-06-15"]) == 1
    out = capsys.readouterr().out
    assert "low_cadence" in out and "descent_increase" not in out
    assert "4 flag(s) at or above 'warn' since 2026-06-15." in out
    assert main(["check", str(SAMPLE), "--since", "2026-06-15", "--fail-on", "info"]) == 1
    assert main(["check", str(SAMPLE), "--since", "2026-06-01", "--fail-on", "alert"]) == 0
    assert main(["check", str(SAMPLE), "--fail-on", "alert"]) == 1


def test_check_in_km_and_usage_errors(capsys):
    assert main(["check", str(SAMPLE), "--unit", "km", "--since", "2026-05-31"]) == 1
    out = capsys.readouterr().out
    assert "19.3 km, +118% on your longest run of the 30 days before (8.9 km)" in out
    assert main(["check", str(SAMPLE), "--since", "31/05/2026"]) == 2
    assert main(["check", str(SAMPLE), "--fail-on", "panic"]) == 2


def test_check_config_file(tmp_path, capsys):
    cfg = tmp_path / "k.toml"
    cfg.write_text("[rules.session_spike]\nlarge_pct = 150\n")
    main(["check", str(SAMPLE), "--json", "--config", str(cfg)])
    doc = json.loads(capsys.readouterr().out)
    assert [f["severity"] for f in doc["flags"] if f["date"] == "2026-05-31"
            and f["rule"] == "session_spike"] == ["warn"]
    cfg.write_text("[rules.session_spike]\nalert = 150\n")
    assert main(["check", str(SAMPLE), "--config", str(cfg)]) == 2
    assert "unknown parameter 'alert'" in capsys.readouterr().err


def test_plan_look_ahead_and_check(capsys):
    assert main(["plan", str(SAMPLE / "plan.csv"), "--history", str(SAMPLE), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    ahead = doc["next_week"]
    assert ahead["week_start"] == "2026-08-17"
    assert ahead["last_week"] == pytest.approx(15.0, abs=0.01)
    # the two-week rule by the week's last day (1.3 x 15.0 = 19.5 mi) allows more than the
    # 10% rule's 15.0 x 1.1 = 16.5 mi, which bounds the week (each run is held to its day's
    # limit)
    assert ahead["max_week_10pct"] == pytest.approx(16.5, abs=0.01)
    assert ahead["max_week_2wk"] == pytest.approx(19.5, abs=0.011)
    assert ahead["max_week"] == pytest.approx(16.5, abs=0.01)
    assert ahead["recent_longest"] == pytest.approx(6.5, abs=0.01)
    # the spike rule's 6.5 x 1.1 = 7.15 mi from Thu; on Mon 17 Aug the two-week rule's room,
    # 1.3 x the 14.0 mi of 4-10 Aug - the 15.0 mi of 11-16 Aug = 3.2 mi (3.19 on the safe side)
    assert ahead["max_run"] == pytest.approx(3.2, abs=0.011)
    assert [d["max_run"] for d in ahead["days"]][3:] == pytest.approx([7.15] * 4, abs=0.011)
    # the plan's Sun 23 Aug: 11 on 6.5 mi (+69%, spike warn); 17-23 Aug = 21.5 mi on the
    # 15.0 of 10-16 Aug (+43%: the two-week rule, info; and the 10% rule's week, info)
    assert [(f["rule"], f["severity"]) for f in doc["flags"]] == [
        ("session_spike", "warn"), ("two_week_increase", "info"), ("weekly_increase", "info")]


def test_plan_errors_name_the_line(tmp_path, capsys):
    bad = tmp_path / "plan.csv"
    bad.write_text("date,distance\n2026-08-18,3\n2026-08-19,three\n")
    assert main(["plan", str(bad), "--history", str(SAMPLE)]) == 2
    assert "plan.csv: line 3: distance 'three' is not a number" in capsys.readouterr().err
    bad.write_text("day,miles\n2026-08-18,3\n")
    assert main(["plan", str(bad), "--history", str(SAMPLE)]) == 2
    assert "header must start with 'date,distance'" in capsys.readouterr().err


def test_years_without_running_are_one_line_each_in_check(capsys):
    # the French Strava fixture: runs in Jun 2017, Nov 2018 and Jun 2024. The weeks between
    # (12 Jun 2017 .. 12 Nov 2018: 75 weeks; 26 Nov 2018 .. 27 May 2024: 288 weeks) are one
    # line each, not 363 rows of "0 0.0 mi"
    from conftest import DATA
    main(["check", str(DATA / "exports" / "strava_fr"), "--no-cache"])
    out = capsys.readouterr().out
    table = out.split("\n\n")[0].splitlines()
    assert table[2] == "2017-06-12  no runs for 75 weeks, to the week of 2018-11-12"
    assert table[4] == "2018-11-26  no runs for 288 weeks, to the week of 2024-05-27"
    assert len(table) == 7  # header + 4 weeks with runs + 2 gaps
