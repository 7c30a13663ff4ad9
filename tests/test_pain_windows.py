"""Pairing windows that end with the pain log (issue 20 item 3): only full windows are
judged, on both sides of the comparison (the spike events and the base rate)."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest
from factories import activities, weekly_runs

from kneeload import advice, load
from kneeload import pain as pn
from kneeload.flagrows import empty_flags


def log_of(tmp_path, rows: str):
    p = tmp_path / "pain.csv"
    p.write_text("date,pain,side,when,activity,note\n" + textwrap.dedent(rows))
    return pn.read_pain_log(p)


def daily_log(tmp_path, first: str, days: int, painful: dict[int, float]):
    """An entry every day for ``days`` days from ``first``: 0/10 but for ``painful``
    (day index -> pain)."""
    start = pd.Timestamp(first)
    rows = "".join(f"{start + pd.Timedelta(days=i):%Y-%m-%d},{painful.get(i, 0):g},,rest,,\n"
                   for i in range(days))
    return log_of(tmp_path, rows)


def test_base_rate_counts_only_full_windows(tmp_path):
    # 16 days logged, 1-16 Mar, 0/10 every day but the last (16 Mar, 4/10). Window 3 days:
    # a day's window is [day, day + 3]; it is full when day + 3 <= 16 Mar, i.e. 1-13 Mar:
    # 13 days. Of them only 13 Mar's window (13-16 Mar) holds the painful day: 1/13 = 0.077.
    # The old count also took 14, 15 and 16 Mar (windows past the log, but painful):
    # 4/16 = 0.25.
    log = daily_log(tmp_path, "2026-03-01", 16, {15: 4})
    s = pn.pair_pain(empty_flags(), log)["summary"]
    assert s["log_days"] == 16 and s["painful_days"] == 1
    assert s["base_rate_days"] == 13
    assert s["base_rate_window"] == pytest.approx(1 / 13, abs=0.0005)  # 0.077


def spike_weeks():
    # 5 weeks of 10 mi (3.33 mi Mon, Thu, Sun from Mon 2 Mar), then 12 mi (4 mi runs):
    # Mon 6 Apr 4 mi against the 30 days' longest 3.33 mi: +20% -> session_spike;
    # the week of 6 Apr: 12 / 10 - 1 = +20% -> weekly_increase, dated its Sunday 12 Apr.
    acts = activities(weekly_runs("2026-03-02", [10, 10, 10, 10, 10, 12]))
    flags = load.flags(acts)
    flags = flags[flags["rule"].isin(("session_spike", "weekly_increase"))]
    assert [(r, f"{d:%m-%d}") for r, d in zip(flags["rule"], flags["date"], strict=True)] == [
        ("session_spike", "04-06"), ("weekly_increase", "04-12")]
    return acts, flags


def test_a_spike_whose_window_runs_past_the_log_is_not_judged_yet(tmp_path):
    acts, flags = spike_weeks()
    # an entry every day 4-13 Apr, 0/10 but 13 Apr (the last day), 4/10.
    # 6 Apr: window 6-9 Apr inside the log, all 0/10 -> judged, no pain.
    # 12 Apr: window 12-15 Apr runs past the log's end (13 Apr): not judged yet, although
    # 13 Apr was painful (the old count paired it: 2 judged, 1 followed by pain).
    log = daily_log(tmp_path, "2026-04-04", 10, {9: 4})
    r = pn.pair_pain(flags, log, acts)
    s = r["summary"]
    assert (s["spikes"], s["spikes_followed_by_pain"], s["share_followed"]) == (1, 0, 0.0)
    assert r["pairs"].empty
    assert r["spikes_without_pain"]["spike_date"].dt.strftime("%m-%d").tolist() == ["04-06"]
    nc = r["not_covered"]
    assert nc["spike_date"].dt.strftime("%m-%d").tolist() == ["04-12"]
    assert nc["reason"].tolist() == ["not_yet"]
    assert s["not_judged_yet"] == 1 and s["log_end"] == "2026-04-13"
    assert ("1 load-spike day (since Sun 12 Apr) is not judged yet: the pain log ends on "
            "Mon 13 Apr") in s["text"]
    # the base rate over full windows: 4-10 Apr (7 days); 10 Apr's window 10-13 Apr
    # holds the 4/10: 1/7 = 0.143
    assert s["base_rate_days"] == 7 and s["base_rate_window"] == pytest.approx(0.143)


def test_the_next_entry_completes_the_window(tmp_path):
    acts, flags = spike_weeks()
    # the same log two mornings later (14 and 15 Apr at 0/10): 12 Apr's window 12-15 Apr
    # is full and holds 13 Apr's 4/10 -> paired, lag 1; 2 judged, 1 followed (50%)
    log = daily_log(tmp_path, "2026-04-04", 12, {9: 4})
    r = pn.pair_pain(flags, log, acts)
    s = r["summary"]
    assert (s["spikes"], s["spikes_followed_by_pain"]) == (2, 1)
    assert r["pairs"][["lag_days", "pain"]].values.tolist() == [[1, 4.0]]
    assert s["not_judged_yet"] == 0 and "not judged yet" not in s["text"]


def test_a_morning_log_counts_for_the_day_before(tmp_path):
    acts, flags = spike_weeks()
    # a log updated every morning: next_morning entries 5-15 Apr tell the load days
    # 4-14 Apr; 14 Apr's (for 13 Apr) is 4/10. The log covers load days up to 14 Apr:
    # 12 Apr's window 12-15 Apr is not full -> not judged yet (the old count paired it,
    # lag 1); 6 Apr's is, 0/10 -> no pain.
    start = pd.Timestamp("2026-04-05")
    rows = "".join(f"{start + pd.Timedelta(days=i):%Y-%m-%d},{4 if i == 9 else 0},,"
                   "next_morning,,\n" for i in range(11))
    r = pn.pair_pain(flags, log_of(tmp_path, rows), acts)
    s = r["summary"]
    assert (s["spikes"], s["spikes_followed_by_pain"], s["not_judged_yet"]) == (1, 0, 1)
    assert s["log_end"] == "2026-04-15"
    assert "the pain log ends on Wed 15 Apr" in s["text"]


def test_tolerance_uses_the_same_full_windows(tmp_path):
    acts, _ = spike_weeks()
    # log 4-13 Apr, all 0/10. Runs: 6 Apr (4 mi; window 6-9 Apr, full), 9 Apr (4 mi;
    # 9-12 Apr, full), 12 Apr (4 mi; 12-15 Apr runs past 13 Apr: not judged). Runs before
    # the log (2 Mar - 5 Apr: 5 Apr's window 5-8 Apr starts after the log's 4 Apr, full;
    # 2 Apr's 2-5 Apr starts before it: not judged). Judged: 5, 6, 9 Apr = 3 runs; the
    # longest tolerated 4 mi, first on 6 Apr.
    log = daily_log(tmp_path, "2026-04-04", 10, {})
    t = advice.tolerance(acts, log, today="2026-04-13")
    assert t.runs_judged == 3
    assert t.longest_run is not None and f"{t.longest_run.date:%m-%d}" == "04-06"


def test_pairs_says_what_is_not_judged_yet(tmp_path, capsys):
    from kneeload.cli import main

    # the spike_weeks history as a manual log: 5 weeks of 3 x 3.33 mi, then 3 x 4 mi
    runs = tmp_path / "runs"
    runs.mkdir()
    rows = [f"{pd.Timestamp(d):%Y-%m-%d},{m:.4f},{m * 10:.0f}:00,,mi,,"
            for d, m in weekly_runs("2026-03-02", [10, 10, 10, 10, 10, 12])]
    (runs / "log.csv").write_text("date,distance,duration,shoe,unit,sport,note\n"
                                  + "\n".join(rows) + "\n")
    start = pd.Timestamp("2026-04-04")
    (tmp_path / "pain.csv").write_text("date,pain,when\n" + "".join(
        f"{start + pd.Timedelta(days=i):%Y-%m-%d},{4 if i == 9 else 0},rest\n"
        for i in range(10)))
    args = ["pairs", str(runs), "--pain", str(tmp_path / "pain.csv"), "--today", "2026-04-13"]
    assert main([*args, "--json"]) == 0
    import json
    doc = json.loads(capsys.readouterr().out)
    # as in test_a_spike_whose_window_runs_past_the_log_is_not_judged_yet: the week's end
    # (12 Apr) is not judged yet; the log ends 13 Apr. Whatever else fires on 12 Apr (the
    # weekly rules), it is one event
    late = [r for r in doc["not_covered"] if r["spike_date"] == "2026-04-12"]
    assert [r["reason"] for r in late] == ["not_yet"]
    assert doc["summary"]["log_end"] == "2026-04-13"
    assert doc["summary"]["not_judged_yet"] >= 1
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "not judged yet: the pain log ends on Mon 13 Apr" in out
    assert "2026-04-12" in out.split("Spikes not judged")[1]
