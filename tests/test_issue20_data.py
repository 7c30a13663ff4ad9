"""Issue 20, items 2, 4, 5, 6, 7: what the data says, and only that.

Each case is computed by hand in its comment."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from kneeload.cli import main
from kneeload.io import read_activities


def run(argv: list[str]) -> tuple[int, str, str]:
    """``kneeload argv`` in-process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


# --- item 4: same-day rows of a manual log keep their order -------------------------------

SAME_DAY = """date,distance,duration
2026-05-01,6,60:00
2026-05-08,6,60:00
2026-05-15,6,60:00
2026-05-22,6,60:00
2026-05-29,6,60:00
2026-06-05,8,80:00
2026-06-05,13,130:00
"""


def test_manual_log_same_day_rows_keep_their_order(tmp_path):
    log = write(tmp_path / "log.csv", SAME_DAY)
    acts = read_activities([log], tz="UTC", cache=False).activities
    day = acts[acts["local_date"] == pd.Timestamp("2026-06-05")]
    # the rows of 5 Jun: noon, then noon + 1 s, in the file's order (8 mi, then 13 mi)
    assert [f"{t:%H:%M:%S}" for t in day["local_start"]] == ["12:00:00", "12:00:01"]
    assert (day["distance_m"] / 1609.344).round(1).tolist() == [8.0, 13.0]
    code, out, _ = run(["check", log, "--json", "--no-cache", "--tz", "UTC",
                        "--today", "2026-06-07"])
    spikes = [(f["value"], f["severity"]) for f in json.loads(out)["flags"]
              if f["rule"] == "session_spike"]
    # 30 days before the 8-miler: longest 6 mi -> 8 / 6 - 1 = +33.3% (warn, >30-100% band);
    # the 13-miler after it that day: longest 8 mi (the morning run counts) ->
    # 13 / 8 - 1 = +62.5% (warn), not 13 / 6 - 1 = +116.7% (alert) as when both were at noon
    assert spikes == [(33.3, "warn"), (62.5, "warn")]
    assert code == 1


def test_manual_log_time_column_is_the_start(tmp_path):
    # the evening row written first: the time column, not the file's order, sets the day
    log = write(tmp_path / "log.csv", "date,distance,duration,time\n"
                "2026-06-05,13,130:00,18:30\n2026-06-05,8,80:00,07:15:30\n"
                "2026-06-06,3,30:00,\n")
    acts = read_activities([log], tz="UTC", cache=False).activities
    got = [(f"{t:%Y-%m-%d %H:%M:%S}", round(d / 1609.344, 1))
           for t, d in zip(acts["local_start"], acts["distance_m"], strict=True)]
    assert got == [("2026-06-05 07:15:30", 8.0), ("2026-06-05 18:30:00", 13.0),
                   ("2026-06-06 12:00:00", 3.0)]  # no time: noon


def test_manual_log_bad_time_names_the_line(tmp_path):
    log = write(tmp_path / "log.csv", "date,distance,duration,time\n2026-06-05,5,45:00,25:00\n")
    code, out, _ = run(["summary", log, "--no-cache", "--tz", "UTC"])
    # the file is skipped (exit 1) with its line and the value named, never read as noon
    assert code == 1
    assert "log.csv: line 2: time '25:00' is not HH:MM or HH:MM:SS (24-hour)" in out


# --- item 2: load = "time" / "srpe" with a distance-only plan ------------------------------


def _history(tmp_path: Path, *, load: str, duration: str = "40:00", rpe: str = "") -> str:
    """Four complete weeks (Mon 4 May to Sun 31 May 2026) of three 4 mi runs (Mon, Wed,
    Fri) at ``duration`` each: 12 mi and, at 40:00, 2:00 h a week (10:00 /mi)."""
    folder = tmp_path / "hist"
    folder.mkdir()
    rows = ["date,distance,duration,rpe"]
    monday = pd.Timestamp("2026-05-04")
    for w in range(4):
        for k in (0, 2, 4):
            rows.append(f"{monday + pd.Timedelta(days=7 * w + k):%Y-%m-%d},4,{duration},{rpe}")
    write(folder / "log.csv", "\n".join(rows) + "\n")
    write(folder / "kneeload.toml", f'load = "{load}"\ntz = "UTC"\n')
    return str(folder)


# the week of Mon 1 Jun: five runs of 3.96 mi (no run over the 4 mi longest: no spike),
# 5 x 3.96 = 19.8 mi = 12 x 1.65, +65% on the weeks before
PLAN = "date,distance\n" + "".join(f"2026-06-0{d},3.96\n" for d in range(1, 6))


def test_time_load_estimates_a_distance_only_plan_from_the_recent_pace(tmp_path):
    hist = _history(tmp_path, load="time")
    plan = write(tmp_path / "plan.csv", PLAN)
    code, out, _ = run(["plan", plan, "--history", hist, "--json", "--no-cache",
                        "--fail-on", "info"])
    doc = json.loads(out)
    # pace: every run of the 28 days to Fri 29 May is 40:00 for 4 mi = 600 s/mi (10:00 /mi);
    # a 3.96 mi planned run is 3.96 x 600 = 2376 s
    assert [p["moving_s"] for p in doc["plan"]] == [pytest.approx(2376.0)] * 5
    weekly = [f for f in doc["flags"] if f["rule"] == "weekly_increase"]
    # the week: 5 x 2376 s = 11880 s = 3:18 h on 3 x 40 min = 2:00 h -> 198 / 120 - 1 = +65%
    assert [(f["value"], f["week_start"]) for f in weekly] == [(65.0, "2026-06-01")]
    assert code == 1
    notes = [n for n in doc["notes"] if "estimate" in n.lower()]
    assert len(notes) == 1  # said once, with the pace and its basis
    assert "10:00 /mi" in notes[0] and "28 days" in notes[0] and "12 runs" in notes[0]
    code, out, _ = run(["plan", plan, "--history", hist, "--no-cache"])
    assert out.count("10:00 /mi") == 1


def test_time_load_plan_durations_as_written_are_not_estimated(tmp_path):
    hist = _history(tmp_path, load="time")
    # 5 x 24:00 = 120 min: the same time as each week before (+0%), whatever the pace says
    plan = write(tmp_path / "plan.csv", "date,distance,duration\n"
                 + "".join(f"2026-06-0{d},3.96,24:00\n" for d in range(1, 6)))
    code, out, _ = run(["plan", plan, "--history", hist, "--json", "--no-cache"])
    doc = json.loads(out)
    assert [p["moving_s"] for p in doc["plan"]] == [1440.0] * 5
    assert not [f for f in doc["flags"] if f["rule"] == "weekly_increase"]
    assert doc["notes"] == []


def test_time_load_without_any_pace_is_refused(tmp_path):
    hist = _history(tmp_path, load="time", duration="")  # no run has a moving time
    plan = write(tmp_path / "plan.csv", PLAN)
    code, out, err = run(["plan", plan, "--history", hist, "--no-cache"])
    assert code == 2 and out == ""
    last = err.strip().splitlines()[-1]
    assert last.startswith("kneeload: plan: load = \"time\"") and "duration column" in last


def test_srpe_load_estimates_the_rpe_or_refuses(tmp_path):
    hist = _history(tmp_path, load="srpe", rpe="5")
    plan = write(tmp_path / "plan.csv", PLAN)
    code, out, _ = run(["plan", plan, "--history", hist, "--json", "--no-cache"])
    doc = json.loads(out)
    assert [p["rpe"] for p in doc["plan"]] == [5.0] * 5
    # session-RPE: 5 x 2376 s x RPE 5 / 60 = 990 RPE-min on 3 x 40 x 5 = 600 -> +65%
    weekly = [f["value"] for f in doc["flags"] if f["rule"] == "weekly_increase"]
    assert weekly == [65.0]
    assert len(doc["notes"]) == 2 and "RPE 5" in doc["notes"][1]
    bare = _history(tmp_path / "b", load="srpe") if (tmp_path / "b").mkdir() is None else ""
    code, _, err = run(["plan", plan, "--history", bare, "--no-cache"])
    assert code == 2 and "rpe column" in err.strip().splitlines()[-1]


# --- item 5: a missing RPE or duration is missing, not 0 ----------------------------------


def _four_weeks(tmp_path: Path, load: str, blank: str) -> str:
    """Mon 4 May to Sun 31 May 2026: four weeks of four 4 mi runs (Mon, Tue, Thu, Sat) at
    40:00 and RPE 5 (40 x 5 = 200 RPE-min a run, 800 a week; 2:40 h a week). In the week
    of 11 May two runs leave ``blank`` ("rpe" or "duration") empty."""
    folder = tmp_path / "log"
    folder.mkdir()
    rows = ["date,distance,duration,rpe"]
    monday = pd.Timestamp("2026-05-04")
    for w in range(4):
        for i, k in enumerate((0, 1, 3, 5)):
            gap = w == 1 and i < 2
            dur = "" if gap and blank == "duration" else "40:00"
            rpe = "" if gap and blank == "rpe" else "5"
            rows.append(f"{monday + pd.Timedelta(days=7 * w + k):%Y-%m-%d},4,{dur},{rpe}")
    write(folder / "log.csv", "\n".join(rows) + "\n")
    write(folder / "kneeload.toml", f'load = "{load}"\ntz = "UTC"\n')
    return str(folder)


@pytest.mark.parametrize(("load", "blank", "count"), [("srpe", "rpe", "no_srpe"),
                                                       ("time", "duration", "no_time")])
def test_a_week_missing_load_values_is_incomplete_not_zero(tmp_path, load, blank, count):
    folder = _four_weeks(tmp_path, load, blank)
    code, out, _ = run(["check", folder, "--json", "--no-cache", "--today", "2026-05-31",
                        "--fail-on", "info"])
    doc = json.loads(out)
    # counted as 0, the week of 11 May held 2 x 200 = 400 RPE-min (or 2 x 40 = 80 min) and the
    # week of 18 May (800, or 160 min) read +100%: a ramp built on a hole. Now no weekly
    # flag at all: 11 May is incomplete, and 18 May's base is that incomplete week
    assert [f for f in doc["flags"] if f["rule"] in ("weekly_increase", "two_week_increase",
                                                      "monotony_high")] == []
    assert code == 0
    weeks = {w["week_start"]: w for w in doc["weeks"]}
    assert [weeks[d][count] for d in sorted(weeks)] == [0, 2, 0, 0]
    if load == "srpe":  # the week's session-RPE is unknown, not 400
        assert weeks["2026-05-11"]["srpe"] is None and weeks["2026-05-18"]["srpe"] == 800.0
    said = [n for n in doc["notes"] if "incomplete" in n]
    assert len(said) == 1 and "2026-05-11" in said[0] and f'load = "{load}"' in said[0]


def test_incomplete_weeks_leave_distance_alone(tmp_path):
    # the same log judged on distance: the missing RPEs change nothing (16 mi every week)
    folder = _four_weeks(tmp_path, "distance", "rpe")
    code, out, _ = run(["check", folder, "--json", "--no-cache", "--today", "2026-05-31"])
    doc = json.loads(out)
    assert not [n for n in doc["notes"] if "incomplete" in n]
    assert [w["change_prev_pct"] for w in doc["weeks"]][1:] == [0.0, 0.0, 0.0]


def test_two_week_progression_skips_windows_holding_a_missing_time():
    from factories import activities

    from kneeload.loadcalc import two_week_progression

    # a 2 mi run every day from Mon 4 May for 42 days (1200 s each); 40 x 1200 s, then the
    # run of Fri 15 May has no moving time
    acts = activities([(f"{pd.Timestamp('2026-05-04') + pd.Timedelta(days=d):%Y-%m-%d} 08:00",
                        2.0) for d in range(42)])
    acts.loc[acts["local_date"] == pd.Timestamp("2026-05-15"), "moving_s"] = float("nan")
    prog = two_week_progression(acts, column="moving_s", gap_days=14, return_weeks=4,
                                today="2026-06-14").set_index("local_date")["progression_pct"]
    # judged from day 14 (Sun 17 May: the 7 days to it on the 7 before, Nielsen 2014); every
    # 14-day window up to 15 May + 13 = Thu 28 May holds the hole: not judged. Fri 29 May:
    # 7 x 1200 on 7 x 1200 = +0%, and so every day to Sun 14 Jun (17 days)
    assert prog.loc["2026-05-17":"2026-05-28"].isna().all()
    assert prog.loc["2026-05-29":].tolist() == [0.0] * 17
    dist = two_week_progression(acts, column="distance_m", gap_days=14, return_weeks=4,
                                today="2026-06-14").set_index("local_date")["progression_pct"]
    assert dist.loc["2026-05-17"] == 0.0  # distance has no hole


# --- item 6: data after --today is not used ---------------------------------------------

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.mark.parametrize("argv", [
    ["check", str(SAMPLE / "runs")], ["check", str(SAMPLE), "--json"],
    ["pairs", str(SAMPLE)], ["report", str(SAMPLE), "--json"]])
def test_today_before_the_first_run_is_refused(argv):
    code, out, err = run([*argv, "--today", "2026-01-01"])
    # the sample's first run is Tue 3 Mar 2026: nothing is left to judge on 1 Jan
    assert (code, out) == (2, "")
    assert err.strip().splitlines()[-1] == (
        "kneeload: no activity on or before --today 2026-01-01 (the data starts 2026-03-03): "
        "there is nothing to judge as of that day")


def test_plan_with_today_before_the_history_is_refused(tmp_path):
    plan = write(tmp_path / "plan.csv", "date,distance\n2026-01-05,3\n")
    code, out, err = run(["plan", plan, "--history", str(SAMPLE), "--today", "2026-01-01"])
    assert (code, out) == (2, "") and "nothing to judge" in err


# summary of the sample: 15 activities on or before Tue 31 Mar (14 runs, one ride on 21 Mar),
# none on 1 Apr; so of 97 activities (92 runs), 82 (78 runs) come after 1 Apr; of the pain
# log's 100 entries, 14 are dated 3-31 Mar (none on 1 Apr): 86 after
LEFT_OUT = ("78 runs (82 activities) and 86 pain entries after 2026-04-01 (--today, the day "
            "judged) are not judged: the season is judged as it stood that day.")


def test_check_today_mid_season_judges_only_up_to_it():
    code, out, _ = run(["check", str(SAMPLE), "--json", "--today", "2026-04-01"])
    doc = json.loads(out)
    assert all(f["date"] <= "2026-04-01" for f in doc["flags"])
    assert doc["weeks"][-1]["week_start"] == "2026-03-30"  # the week holding 1 Apr is last
    assert doc["notes"].count(LEFT_OUT) == 1
    assert code == 0  # the sample's first warn (a pain flag) is later
    code, out, _ = run(["check", str(SAMPLE / "runs"), "--today", "2026-04-01"])
    assert f"Note: {LEFT_OUT.replace(' and 86 pain entries', '')}" in out


def test_pairs_and_report_say_what_after_today_is_not_judged():
    code, out, _ = run(["pairs", str(SAMPLE), "--json", "--today", "2026-04-01"])
    doc = json.loads(out)
    assert code == 0 and doc["notes"] == [LEFT_OUT]
    code, out, _ = run(["pairs", str(SAMPLE), "--today", "2026-04-01"])
    assert f"Note: {LEFT_OUT}" in out
    code, out, _ = run(["report", str(SAMPLE), "--json", "--today", "2026-04-01"])
    doc = json.loads(out)
    assert code == 0 and doc["notes"].count(LEFT_OUT) == 1
    assert doc["totals"]["runs"] == 14


def test_plan_today_mid_history_says_so(tmp_path):
    plan = write(tmp_path / "plan.csv", "date,distance\n2026-04-02,3\n")
    code, out, _ = run(["plan", plan, "--history", str(SAMPLE), "--today", "2026-04-01",
                        "--json"])
    doc = json.loads(out)
    assert doc["notes"] == [LEFT_OUT] and doc["next_week"]["week_start"] == "2026-03-30"
