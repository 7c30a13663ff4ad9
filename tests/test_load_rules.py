"""Every load rule at its edges, on hand-built histories."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from factories import activities, weekly_runs

import kneeload
from kneeload import load
from kneeload.config import Config
from kneeload.schema import M_PER_MI

MI = M_PER_MI


def rules(acts, today=None, **over):
    return load.flags(acts, Config(), rules=over or None, today=today)


# --- weekly table ---------------------------------------------------------------------------

def test_weekly_table_zero_weeks_cross_training_and_changes():
    acts = activities([
        ("2026-03-03 08:00", 4.0), ("2026-03-05 08:00", 6.0),            # week 1: 10 mi
        ("2026-03-11 18:00", 20.0, "cycling"),                            # week 2: bike only
        ("2026-03-24 08:00", 5.0), ("2026-03-24 18:00", 3.0),             # week 4: double day
    ])
    w = load.weekly_table(acts)
    assert w["week_start"].dt.strftime("%m-%d").tolist() == ["03-02", "03-09", "03-16", "03-23"]
    assert w["runs"].tolist() == [2, 0, 0, 2]
    assert (w["distance_m"] / MI).round(6).tolist() == [10, 0, 0, 8]
    assert w["cross_n"].tolist() == [0, 1, 0, 0]
    assert w.loc[1, "cross_distance_m"] == pytest.approx(20 * MI)
    assert (w["longest_m"] / MI).round(6).tolist() == [6, 0, 0, 5]
    # the data starts on Tue 3 Mar and is judged as of its last run, Tue 24 Mar: the first
    # and the current week are partial and never compared as if complete; a return after
    # zero weeks is not an infinite increase
    assert w["partial"].tolist() == [True, False, False, True]
    assert w["change_prev_pct"].isna().tolist() == [True, True, True, True]
    # judged as of Sun 29 Mar the last week is complete; its base (0 mi) still gives NaN
    w = load.weekly_table(acts, today="2026-03-29")
    assert w["partial"].tolist() == [True, False, False, False]
    assert w["change_prev_pct"].isna().all()


def test_weekly_table_repeat_is_remembered_but_never_stale():
    # check asks for the same table several times: the repeat is a copy of the first, and an
    # in-place edit of the activities (a notebook user fixing a distance) is seen at once
    acts = activities([("2026-03-03 08:00", 4.0), ("2026-03-05 08:00", 6.0)])
    first = load.weekly_table(acts, today="2026-03-08")
    again = load.weekly_table(acts, today="2026-03-08")
    pd.testing.assert_frame_equal(first, again)
    again.loc[0, "distance_m"] = -1.0  # a caller's edit does not reach the remembered table
    assert load.weekly_table(acts, today="2026-03-08").loc[0, "distance_m"] == pytest.approx(
        10 * MI)  # 4 + 6 mi
    acts.loc[0, "distance_m"] = 1.0 * MI  # 1 + 6 = 7 mi now
    assert load.weekly_table(acts, today="2026-03-08").loc[0, "distance_m"] == pytest.approx(
        7 * MI)
    # other arguments give their own table (Sunday weeks: 3 Mar is in the week of 1 Mar)
    assert load.weekly_table(acts, "sunday", today="2026-03-08")["week_start"].dt.strftime(
        "%m-%d").tolist() == ["03-01", "03-08"]


def test_week_start_is_configurable():
    acts = activities([("2026-03-01 08:00", 5.0), ("2026-03-02 08:00", 5.0)])  # Sun, Mon
    assert len(load.weekly_table(acts, "monday")) == 2
    assert len(load.weekly_table(acts, "sunday")) == 1


def test_run_just_after_local_midnight_counts_in_the_new_week():
    gpx = (b'<gpx><trk><type>running</type><trkseg>'
           b'<trkpt lat="52.5" lon="13.4"><time>2026-03-01T23:30:00Z</time></trkpt>'
           b'<trkpt lat="52.51" lon="13.4"><time>2026-03-02T00:30:00Z</time></trkpt>'
           b'</trkseg></trk></gpx>')
    act = kneeload.read_file(io.BytesIO(gpx), tz="Europe/Berlin")
    assert act.loc[0, "local_date"] == pd.Timestamp("2026-03-02")  # Monday in Berlin
    assert load.weekly_table(act).loc[0, "week_start"] == pd.Timestamp("2026-03-02")
    utc = kneeload.read_file(io.BytesIO(gpx), force_tz="UTC")  # else its position wins
    assert load.weekly_table(utc).loc[0, "week_start"] == pd.Timestamp("2026-02-23")


def test_daylight_saving_week_is_a_normal_week():
    # clocks go forward in London on Sun 29 March 2026: that week still has 7 days
    runs = weekly_runs("2026-03-16", [10, 10, 10])
    acts = activities(runs, tz="Europe/London")
    w = load.weekly_table(acts)
    assert (w["distance_m"] / MI).round(6).tolist() == [10, 10, 10]
    assert (w["week_end"] - w["week_start"]).dt.days.tolist() == [6, 6, 6]


# --- weekly_increase and two_week_increase ---------------------------------------------------

def test_ten_percent_rule_edges():
    acts = activities(weekly_runs("2026-01-05", [10, 11, 12.2, 3, 4, 4.5, 9]))
    f = rules(acts)
    wk = f[f["rule"] == "weekly_increase"]
    # 10 -> 11 is exactly +10% (not over); 11 -> 12.2 is +10.9%; 3 -> 4 has too small a base;
    # 4.5 -> 9: previous week under 5 mi, not judged
    assert wk["week_start"].dt.strftime("%m-%d").tolist() == ["01-19"]
    assert wk["value"].tolist() == [10.9]
    assert wk["severity"].tolist() == ["info"]
    assert "+11% on the week before (11.0 mi)" in wk["message"].iloc[0]


def test_first_week_and_return_after_a_break_are_not_flagged():
    acts = activities(weekly_runs("2026-01-05", [20, 0, 0, 20]))
    assert rules(acts).query("rule == 'weekly_increase'").empty


def test_week_after_a_deload_reports_the_four_week_mean():
    acts = activities(weekly_runs("2026-01-05", [20, 20, 20, 12, 21]))
    f = rules(acts).query("rule == 'weekly_increase'")
    assert len(f) == 1
    msg = f["message"].iloc[0]
    assert "+75% on the week before (12.0 mi)" in msg
    assert "+17% on the mean of the 4 weeks before (18.0 mi)" in msg
    assert "Buist et al. 2008" in msg


def test_two_week_rule_compares_the_week_to_each_run_with_the_week_before():
    # Nielsen 2014: at every session, the 7 days to it (the run counted) on the 7 before.
    # Mon/Thu/Sun runs: 10 mi weeks are 3.33 mi runs, a 13 mi week 4.33 mi runs
    acts = activities(weekly_runs("2026-01-05", [10, 10, 10, 13]))
    f = rules(acts).query("rule == 'two_week_increase'")
    # Mon 26 Jan: 20-26 Jan = 3.33 + 3.33 + 4.33 = 11 on 10: +10%; Thu 29 Jan: 12 on 10:
    # +20%; Sun 1 Feb: 26 Jan-1 Feb = 13 on 19-25 Jan = 10: +30%, not over
    assert f.empty
    acts = activities(weekly_runs("2026-01-05", [10, 10, 10, 13.2]))
    f = rules(acts).query("rule == 'two_week_increase'")
    # Sun 1 Feb: 13.2 / 10 = +32% (Mon +10.7%, Thu +21.3%). Not significant -> info
    assert f["value"].tolist() == [32.0] and f["severity"].tolist() == ["info"]
    assert f["date"].dt.strftime("%m-%d").tolist() == ["02-01"]
    msg = f["message"].iloc[0]
    assert ("13.2 mi of running in the 7 days to this run, +32% on the 7 days before "
            "(10.0 mi)") in msg
    # every message: the cohort (novice runners) and the 10-30% group's result
    assert "In 874 novice runners (Nielsen 2014)" in msg
    assert "a 10-30% progression showed no raised injury rate" in msg
    assert "1.59x" in msg and "(Nielsen et al. 2014, JOSPT 44(10):739-747)" in msg


def test_a_one_week_jump_is_no_longer_halved():
    # issue 20 item 8: 10, 10, 10, then 16.2 mi. The old exposure (14 days on the 14 before,
    # four weeks) read (10 + 16.2) / (10 + 10) = +31%: half the jump; the weekly table's
    # four-week view still says so
    acts = activities(weekly_runs("2026-01-05", [10, 10, 10, 16.2]))
    assert load.weekly_table(acts)["change_2wk_pct"].iloc[-1] == pytest.approx(31.0)
    f = rules(acts).query("rule == 'two_week_increase'")
    # Nielsen's exposure: Sun 1 Feb, 16.2 on 10 = +62%: over twice the threshold -> warn
    # (Mon 26 Jan: 3.33 + 3.33 + 5.4 = 12.07 on 10, +20.7%; Thu 29 Jan: 3.33 + 10.8 = 14.13,
    # +41.3%: the same calendar week, so one flag, its highest session)
    assert f["value"].tolist() == [62.0] and f["severity"].tolist() == ["warn"]
    assert f["date"].dt.strftime("%m-%d").tolist() == ["02-01"]
    prog = load.two_week_progression(acts).set_index("local_date")["progression_pct"]
    assert prog.loc["2026-01-29"] == pytest.approx((10 / 3 + 2 * 5.4) / 10 * 100 - 100, abs=0.01)


def test_two_week_rule_needs_fourteen_days_and_a_five_mile_base():
    # 10 then 20 mi from Mon 5 Jan: Sun 18 Jan is the 14th day of data (day 13 after the
    # first run): 20 on 10 = +100% (warn); Mon 12 and Thu 15 Jan have under 14 days
    acts = activities(weekly_runs("2026-01-05", [10, 20]))
    f = rules(acts).query("rule == 'two_week_increase'")
    assert f["date"].dt.strftime("%m-%d").tolist() == ["01-18"]
    assert f["value"].tolist() == [100.0]
    prog = load.two_week_progression(acts).set_index("local_date")["progression_pct"]
    assert prog[:"2026-01-15"].isna().all()
    # the same runs from Tue 6 Jan (Monday's run moved a day): Sun 18 Jan is day 12: too early
    runs = weekly_runs("2026-01-05", [10, 20])
    runs[0] = ("2026-01-06 08:00:00", runs[0][1])
    assert rules(activities(runs)).query("rule == 'two_week_increase'").empty
    # a base under min_base_m (5 mi): 4.8 -> 7.2 (+50%) is not judged; 6 -> 9 (+50%) is
    assert rules(activities(weekly_runs("2026-01-05", [4.8, 4.8, 7.2]))).query(
        "rule == 'two_week_increase'").empty
    f = rules(activities(weekly_runs("2026-01-05", [6, 6, 9]))).query(
        "rule == 'two_week_increase'")
    assert f["value"].tolist() == [50.0]


def test_two_week_rule_leaves_the_weeks_of_a_return_to_the_return_rule():
    # 10, 10 mi, three weeks off, then 6 and 12 mi: on Sun 22 Feb, 12 on 6 mi = +100%, but
    # the week of 16 Feb is a week of the return after a break (judged by
    # return_after_break), so this rule neither flags it nor limits it
    acts = activities(weekly_runs("2026-01-05", [10, 10, 0, 0, 0, 6, 12]))
    w = load.weekly_table(acts).set_index("week_start")
    assert w.loc["2026-02-16", "return_week"] != 0
    prog = load.two_week_progression(acts).set_index("local_date")["progression_pct"]
    assert prog.loc["2026-02-22"] == pytest.approx(100.0)
    assert rules(acts).query("rule == 'two_week_increase'").empty
    from kneeload.limits import allowance
    assert "two_week_increase" not in {lim.rule for lim in allowance(acts, "2026-02-19").limits}


# --- session_spike -----------------------------------------------------------------------

def test_session_spike_severities_follow_frandsen():
    base = [("2026-01-01 08:00", 0.5)] + [(f"2026-01-{d:02d} 08:00", 4.0) for d in (20, 25)]
    # every band is a significant HRR (1.64, 1.52, 2.28): warn, and alert for the largest
    cases = {4.4: None, 4.44: "warn", 5.24: "warn", 8.04: "alert"}
    for miles, severity in cases.items():
        acts = activities(base + [("2026-02-05 08:00", miles)])
        f = rules(acts).query("rule == 'session_spike'")
        if severity is None:
            assert f.empty, miles
        else:
            assert f["severity"].tolist() == [severity], miles
            assert f["value"].iloc[0] == pytest.approx((miles / 4.0 - 1) * 100, abs=0.05)


def test_session_spike_reproduces_the_formula_and_window():
    acts = activities([("2026-01-01 08:00", 10.0), ("2026-01-20 08:00", 5.0),
                       ("2026-02-02 08:00", 5.5), ("2026-02-03 08:00", 12.0)])
    s = load.session_spikes(acts).set_index("activity_id")
    # a2 on 2 Feb: the 10-mile run of 1 Jan is 32 days back, out of the window
    assert s.loc["a2", "prior_longest_m"] == pytest.approx(5.0 * MI)
    assert s.loc["a2", "spike_pct"] == pytest.approx(10.0)
    assert s.loc["a3", "spike_pct"] == pytest.approx((12 / 5.5 - 1) * 100)  # +118%
    assert np.isnan(s.loc["a1", "spike_pct"])  # less than 30 days of history


def test_second_run_of_the_day_is_compared_with_the_first():
    acts = activities([("2026-01-01 08:00", 1.0), ("2026-02-05 07:00", 4.0),
                       ("2026-02-05 18:00", 5.0)])
    s = load.session_spikes(acts).set_index("activity_id")
    assert s.loc["a2", "spike_pct"] == pytest.approx(25.0)


def test_not_enough_history_is_said():
    acts = activities([("2026-01-01 08:00", 3.0), ("2026-01-10 08:00", 9.0)])
    assert rules(acts).query("rule == 'session_spike'").empty
    notes = load.history_notes(acts)
    assert "runs before 2026-01-31 were not judged" in notes[0]


# --- ACWR, monotony -----------------------------------------------------------------------

def test_acwr_uncoupled_coupled_and_ewma():
    runs = weekly_runs("2026-01-05", [10, 10, 10, 10, 20], days=(0, 1, 2, 3, 4, 5, 6))
    acts = activities(runs)
    r = load.acwr(acts)
    last = r.iloc[-1]
    assert last["acute"] == pytest.approx(20 * MI)
    assert last["chronic"] == pytest.approx(10 * MI)
    assert last["acwr_uncoupled"] == pytest.approx(2.0)
    assert last["acwr_coupled"] == pytest.approx(20 / ((20 + 30) / 4))  # 1.6
    # EWMA by hand: E_t = l * L_t + (1 - l) * E_{t-1}, started at the first day's load
    loads = r["load"].to_numpy()
    ea = ec = loads[0]
    for x in loads[1:]:
        ea = 0.25 * x + 0.75 * ea
        ec = (2 / 29) * x + (1 - 2 / 29) * ec
    assert last["acwr_ewma"] == pytest.approx(ea / ec)
    assert r["acwr_ewma"].iloc[:27].isna().all()


def test_coupled_ratio_cannot_exceed_four():
    acts = activities([("2026-01-01 08:00", 0.0)] + [(f"2026-01-{d} 08:00", 3.0)
                                                       for d in (29, 30, 31)])
    r = load.acwr(acts)
    assert r["acwr_coupled"].iloc[-1] == pytest.approx(4.0)
    assert np.isnan(r["acwr_uncoupled"].iloc[-1])  # chronic is 0: undefined, not infinite


def test_acwr_flag_is_off_by_default_and_can_be_enabled():
    runs = weekly_runs("2026-01-05", [10, 10, 10, 10, 20], days=(0, 1, 2, 3, 4, 5, 6))
    acts = activities(runs)
    assert rules(acts).query("rule == 'acwr_high'").empty
    f = rules(acts, acwr_high={"enabled": True}).query("rule == 'acwr_high'")
    assert len(f) == 1 and f["value"].iloc[0] == 2.0
    assert "doubtful" in f["message"].iloc[0]


def test_monotony_foster():
    acts = activities([(f"2026-01-{d:02d} 08:00", 10.0) for d in range(5, 11)])  # Mon-Sat
    m = load.monotony(acts)
    loads = np.array([10, 10, 10, 10, 10, 10, 0]) * MI
    expected = loads.mean() / loads.std(ddof=1)
    assert m.loc[0, "monotony"] == pytest.approx(expected)  # 2.27
    assert m.loc[0, "strain"] == pytest.approx(loads.sum() * expected)
    # judged as of the last run (Sat 10 Jan) the week is not over: not judged yet
    assert rules(acts).query("rule == 'monotony_high'").empty
    f = rules(acts, today="2026-01-11").query("rule == 'monotony_high'")
    assert f["value"].tolist() == [round(expected, 2)]
    same = activities([(f"2026-01-{d:02d} 08:00", 5.0) for d in range(5, 12)])  # every day
    assert load.monotony(same).loc[0, "monotony"] == 10.0  # SD 0: capped


# --- descent, cadence -------------------------------------------------------------------------

def test_descent_ramp_against_a_floored_reference():
    runs = [(r[0], r[1], "running", 20.0) for r in weekly_runs("2026-01-05", [10, 10, 10, 10])]
    runs += [("2026-02-03 08:00", 3.0, "running", 150.0), ("2026-02-07 08:00", 5.0, "trail_running",
                                                          250.0)]
    f = rules(activities(runs), today="2026-02-08").query("rule == 'descent_increase'")
    # 400 m against the 150 m floor (the 4-week mean is 60 m): +167%, a large rise, but
    # biomechanical evidence only (no injury study): info
    assert f["value"].tolist() == [pytest.approx(166.7, abs=0.1)]
    assert f["severity"].tolist() == ["info"]
    assert "Telhan" in f["message"].iloc[0]


def test_low_cadence_one_notice_per_stretch_never_a_180_target():
    runs = []
    for i, cad in enumerate([160, 162, 171, 172, 165]):
        day = pd.Timestamp("2026-01-06") + pd.Timedelta(weeks=i)
        runs.append((str(day), 3.0, "running", 10.0, cad))
    f = rules(activities(runs)).query("rule == 'low_cadence'")
    assert f["date"].dt.strftime("%m-%d").tolist() == ["01-18", "02-08"]
    assert f["value"].tolist() == [161.0, 165.0]
    assert "180 steps/min is folklore, not a target" in f["message"].iloc[0]
    assert "to about 169-177" in f["message"].iloc[0]


def test_planned_runs_neither_make_nor_extend_a_cadence_notice():
    # a new-user trial: a plan built from the sample season raised a low_cadence info dated at
    # the plan's first week (exit 1 with --fail-on info); the week held one recorded run (the
    # partial week of "today") and the planned runs, which have no cadence.
    runs = [(str(pd.Timestamp("2026-01-06") + pd.Timedelta(weeks=i)), 3.0, "running", 10.0,
             160.0) for i in range(3)]  # Tue 6, 13 and 20 Jan at 160 spm
    acts = activities(runs)
    plan = pd.DataFrame({"date": pd.to_datetime(["2026-01-22", "2026-01-24", "2026-01-27"]),
                         "distance_m": [3 * MI, 3 * MI, 3 * MI]})
    planned = load.plan_activities(plan)
    both = pd.concat([acts, planned], ignore_index=True).sort_values("start_time")
    # as of Sun 1 Feb: the weeks of 5 and 12 Jan are judged (160 < 170); the week of 19 Jan
    # holds 2 planned runs (planned_runs 2), that of 26 Jan 1: neither is judged, so the
    # stretch is 5-18 Jan, dated Sun 18 Jan, mean 160
    w = load.weekly_table(both, today="2026-02-01")
    assert w["planned_runs"].tolist() == [0, 0, 2, 1]
    assert w["cadence_spm"].tolist()[:3] == [160.0, 160.0, 160.0]  # the recorded run's
    f = rules(both, today="2026-02-01").query("rule == 'low_cadence'")
    assert f["date"].dt.strftime("%m-%d").tolist() == ["01-18"]
    assert f["value"].tolist() == [160.0]
    # the plan check returns flags of the plan's weeks (from 19 Jan): no cadence notice
    assert load.check_plan(acts, plan).query("rule == 'low_cadence'").empty
    # the history alone, as of Sun 25 Jan: the week of 19 Jan is judged (one run, 160):
    # one stretch of 3 weeks, dated 25 Jan
    alone = rules(acts, today="2026-01-25").query("rule == 'low_cadence'")
    assert alone["date"].dt.strftime("%m-%d").tolist() == ["01-25"]


# --- config, look-ahead, plan ----------------------------------------------------------------

def test_rules_are_overridable_per_call_and_from_a_file(tmp_path):
    acts = activities(weekly_runs("2026-01-05", [10, 11.5]))
    assert len(rules(acts).query("rule == 'weekly_increase'")) == 1
    assert rules(acts, weekly_increase={"threshold_pct": 20}).query(
        "rule == 'weekly_increase'").empty
    (tmp_path / "kneeload.toml").write_text('[rules.weekly_increase]\nenabled = false\n')
    cfg = kneeload.load_config(search=[str(tmp_path)])
    assert load.flags(acts, cfg).query("rule == 'weekly_increase'").empty


@pytest.mark.parametrize("text, match", [
    ("[rules.ten_percent]\nx = 1\n", "unknown rule 'ten_percent'"),
    ("[rules.weekly_increase]\nthreshold = 5\n", "unknown parameter 'threshold'"),
    ("[rules.weekly_increase]\nthreshold_pct = 'ten'\n", "expected a number"),
    ("unit = 'furlong'\n", "unit must be 'mi' or 'km'"),
    ("colour = 'red'\n", "unknown setting 'colour'"),
    ("[rules\n", "not valid TOML"),
])
def test_bad_config_is_named(tmp_path, text, match):
    p = tmp_path / "kneeload.toml"
    p.write_text(text)
    with pytest.raises(kneeload.ConfigError, match=match):
        kneeload.load_config(p)


def test_next_week_limits():
    acts = activities(weekly_runs("2026-01-05", [10, 10, 12]) + [("2026-01-20 08:00", 0.0)])
    ahead = load.next_week_limits(acts)
    assert ahead["week_start"] == pd.Timestamp("2026-01-26")
    assert ahead["max_week_10pct_m"] == pytest.approx(12 * 1.1 * MI)
    # two-week rule: by Sun 1 Feb the 7 days to it are the week itself, at most 1.3 x the
    # 12 mi of 19-25 Jan = 15.6 mi
    assert ahead["max_week_2wk_m"] == pytest.approx(12 * 1.3 * MI)
    assert ahead["max_week_m"] == pytest.approx(13.2 * MI)
    assert ahead["max_run_m"] == pytest.approx(4 * 1.1 * MI)


def test_plan_is_checked_as_if_run():
    acts = activities(weekly_runs("2026-01-05", [10, 10, 10, 10, 10]))
    plan = pd.DataFrame({"date": pd.to_datetime(["2026-02-10", "2026-02-14"]),
                         "distance_m": [3 * MI, 9 * MI]})
    f = load.check_plan(acts, plan)
    # Sat 14 Feb: 8-14 Feb = 3.33 + 3 + 9 = 15.33 mi on 1-7 Feb's 10 mi: +53%, two-week info
    assert set(f["rule"]) == {"weekly_increase", "session_spike", "two_week_increase"}
    assert (f["date"] >= pd.Timestamp("2026-02-09")).all()
