"""Season: tidy frames in the season's unit with a DatetimeIndex, typed look-ahead, no stale
results after a config change."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
from factories import activities, weekly_runs

import kneeload
from kneeload.schema import M_PER_MI


def _season(unit="mi"):
    # 10, 10, 10, 13 miles a week from Monday 2 Mar 2026, three runs a week
    acts = activities(weekly_runs("2026-03-02", [10, 10, 10, 13]))
    return kneeload.Season(acts, kneeload.Config(unit=unit))


def test_weekly_is_indexed_by_week_start_in_the_seasons_unit():
    w = _season("km").weekly()
    assert isinstance(w.index, pd.DatetimeIndex) and w.index.name == "week_start"
    assert list(w.index) == list(pd.date_range("2026-03-02", periods=4, freq="7D"))
    # 10 mi = 16.09344 km; 13 mi = 20.921472 km
    assert w["distance_km"].tolist() == pytest.approx([16.09344] * 3 + [20.921472])
    assert "distance_m" not in w and "descent_m" in w  # km season: descent in metres
    # 13 / 10 - 1 = +30%
    assert w["change_prev_pct"].iloc[-1] == pytest.approx(30.0)
    assert _season("mi").weekly()["distance_mi"].iloc[0] == pytest.approx(10.0)
    assert "descent_ft" in _season("mi").weekly()


def test_other_results_are_dated_frames_in_the_unit():
    s = _season("mi")
    for frame, name in ((s.acwr(), "local_date"), (s.monotony(), "week_start"),
                        (s.session_spikes(), "local_date")):
        assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.name == name
    spikes = s.session_spikes()
    assert spikes["distance_mi"].max() == pytest.approx(13 / 3)
    assert s.acwr()["load_mi"].sum() == pytest.approx(43.0)


def test_next_week_is_a_typed_object_with_its_unit():
    from kneeload.advice import NextWeek
    from kneeload.report.content import LookAhead

    season = _season("mi")
    ahead = season.next_week()
    assert isinstance(ahead, NextWeek)
    shown = ahead.as_dict("mi")  # distances also in the unit asked for
    # last week 13 mi: the 10% rule allows 13 * 1.1 = 14.3 mi; two-week rule per session:
    # by Sun 5 Apr the 7 days to it are the week, at most 1.3 x the 13 mi of 23-29 Mar =
    # 16.9 mi (each run also held to its own day's room: Mon 30 Mar, 1.3 x the 11 mi of
    # 17-23 Mar (3.33 + 3.33 + 4.33) - the 8.67 mi of 24-29 Mar = 5.63 mi)
    assert shown["unit"] == "mi" and shown["week_start"] == "2026-03-30"
    assert shown["max_week_10pct"] == pytest.approx(14.3)
    assert shown["max_week_2wk"] == pytest.approx(16.9, abs=0.01)
    assert shown["max_week"] == pytest.approx(14.3, abs=0.01)
    # the report's look-ahead: the same numbers in the season's unit, typed
    la = LookAhead.from_limits(ahead.as_dict(), "km")
    assert la.unit == "km" and la.max_week == pytest.approx(14.3 * 1.609344,
                                                            abs=0.01)
    # longest run of the last 30 days 13/3 mi; +10% caution threshold
    # the report's look-ahead shows a limit as planned safely: 13 / 3 x 1.1 = 4.7667 mi, at 2
    # decimals rounded down to 4.76 (never up, so a run of the number shown passes)
    assert LookAhead.from_limits(ahead.as_dict(), "mi").max_run == 4.76


def test_results_follow_config_changes_never_stale():
    s = _season("mi")
    before = s.flags()
    assert "weekly_increase" in set(before["rule"])  # +30% on 10 mi
    s.config.rules["weekly_increase"]["threshold_pct"] = 50.0  # edited in place
    assert "weekly_increase" not in set(s.flags()["rule"])
    s.config = kneeload.Config(unit="km")  # replaced
    assert "weekly_increase" in set(s.flags()["rule"])
    assert "distance_km" in s.weekly()
    s.config.week_start = "sunday"
    assert s.weekly().index[0] == pd.Timestamp("2026-03-01")
    # new activities: new weeks (judged as of the same day: the weeks run to it)
    s.activities = activities(weekly_runs("2026-03-02", [10, 10]))
    assert s.weeks["distance_m"].sum() == pytest.approx(20 * M_PER_MI)


def test_results_are_cached_while_nothing_changes():
    s = _season()
    assert s.weeks is s.weeks and s.flags() is s.flags()
    cfg = copy.deepcopy(s.config)
    s.config = cfg  # an equal copy is a new config: recomputed, same values
    assert s.weeks["distance_m"].sum() == pytest.approx(43 * M_PER_MI)
