"""Fitness/fatigue/form against a hand-computed series and an independent implementation;
Banister's TRIMP against a hand-computed value."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kneeload.config import Config, load_config
from kneeload.errors import ConfigError, UsageError
from kneeload.fitness import (
    activity_trimp,
    heart_rate_limits,
    impulse_response,
    trimp_banister,
    trimp_samples,
)

DAYS = pd.date_range("2026-09-01", periods=10, name="local_date")


def test_ten_day_impulse_by_hand():
    # one run of 1000 on day 0, nothing after: X_0 = 1000 * k, X_t = X_0 * exp(-t/tau)
    # ATL: k7 = 1 - exp(-1/7) = 1 - 0.866878 = 0.133122 -> ATL_0 = 133.122
    #      ATL_1 = 133.122 * 0.866878 = 115.400; ATL_9 = 133.122 * exp(-9/7)
    #      = 133.122 * 0.276453 = 36.802
    # CTL: k42 = 1 - exp(-1/42) = 1 - 0.976472 = 0.023528 -> CTL_0 = 23.528
    #      CTL_9 = 23.528 * exp(-9/42) = 23.528 * 0.807118 = 18.990
    # TSB_t = CTL_{t-1} - ATL_{t-1}: TSB_0 = 0, TSB_1 = 23.528 - 133.122 = -109.594
    load = pd.Series([1000.0] + [0.0] * 9, index=DAYS)
    r = impulse_response(load)
    assert r["atl"].iloc[0] == pytest.approx(133.122, abs=1e-3)
    assert r["atl"].iloc[1] == pytest.approx(115.400, abs=1e-3)
    assert r["atl"].iloc[9] == pytest.approx(36.802, abs=1e-3)
    assert r["ctl"].iloc[0] == pytest.approx(23.528, abs=1e-3)
    assert r["ctl"].iloc[9] == pytest.approx(18.990, abs=1e-3)
    assert r["tsb"].iloc[0] == 0.0
    assert r["tsb"].iloc[1] == pytest.approx(-109.594, abs=1e-3)
    assert r["tsb"].iloc[5] == pytest.approx(r["ctl"].iloc[4] - r["atl"].iloc[4])


def test_constant_load_approaches_the_load():
    # a constant L every day: X_t = L (1 - exp(-(t+1)/tau)); after 10 tau within 0.005% of L
    load = pd.Series(50.0, index=pd.date_range("2026-01-01", periods=420))
    r = impulse_response(load)
    assert r["ctl"].iloc[-1] == pytest.approx(50.0 * (1 - math.exp(-420 / 42)))
    assert r["atl"].iloc[-1] == pytest.approx(50.0, rel=1e-9)


def test_matches_pandas_ewm_and_a_literal_loop():
    rng = np.random.default_rng(7)
    load = pd.Series(rng.choice([0.0, 0.0, 5000.0, 8000.0, 16000.0], size=200),
                     index=pd.date_range("2026-01-01", periods=200))
    r = impulse_response(load, ctl_days=42, atl_days=7)
    for col, tau in (("ctl", 42), ("atl", 7)):
        alpha = 1 - math.exp(-1 / tau)
        # ewm with adjust=False starts at the first value; prepend the 0 the model starts at
        ewm = pd.concat([pd.Series([0.0]), load.reset_index(drop=True)]).ewm(
            alpha=alpha, adjust=False).mean().iloc[1:].to_numpy()
        assert r[col].to_numpy() == pytest.approx(ewm, rel=1e-12)
    ctl = atl = 0.0
    tsb = []
    for v in load:
        tsb.append(ctl - atl)
        ctl += (v - ctl) * (1 - math.exp(-1 / 42))
        atl += (v - atl) * (1 - math.exp(-1 / 7))
    assert r["tsb"].to_numpy() == pytest.approx(np.array(tsb), rel=1e-12)


def test_time_constants_from_kneeload_toml(tmp_path):
    p = tmp_path / "kneeload.toml"
    p.write_text("[fitness]\nctl_days = 28\natl_days = 5\nhr_rest = 48\n")
    cfg = load_config(p)
    assert cfg.fitness["ctl_days"] == 28 and cfg.fitness["atl_days"] == 5
    p.write_text("[fitness]\nctl_days = 0\n")
    with pytest.raises(ConfigError, match="fitness.ctl_days"):
        load_config(p)
    p.write_text("[fitness]\ntau = 3\n")
    with pytest.raises(ConfigError, match="unknown setting 'tau'"):
        load_config(p)
    with pytest.raises(UsageError, match="ctl_days must be a positive"):
        impulse_response(pd.Series([1.0]), ctl_days=0)


def test_trimp_by_hand():
    # 30 min at 150 bpm, rest 60, max 190: x = 90/130 = 0.692308
    # men: 30 * 0.692308 * 0.64 * exp(1.92 * 0.692308) = 30 * 0.692308 * 0.64 * 3.77793
    #      = 50.220
    # women: 30 * 0.692308 * 0.86 * exp(1.67 * 0.692308) = 30 * 0.692308 * 0.86 * 3.17775
    #      = 56.758
    assert trimp_banister(30, 150, 60, 190) == pytest.approx(50.220, abs=1e-3)
    assert trimp_banister(30, 150, 60, 190, "female") == pytest.approx(56.758, abs=1e-3)
    with pytest.raises(UsageError, match="hr_max .* must be above hr_rest"):
        trimp_banister(30, 150, 190, 60)


def test_trimp_from_samples_sums_the_intervals():
    # 4 samples 10 s apart at 125, 125, 190, (last: no interval): two intervals at
    # x = 0.5 -> 10/60 * 0.5 * 0.64 * e^0.96 = 0.139 each, one at x = 1 ->
    # 10/60 * 1 * 0.64 * e^1.92 = 0.728; sum = 2 * 0.139 + 0.728 = 1.006
    t = pd.date_range("2026-09-01 07:00", periods=4, freq="10s", tz="UTC")
    s = pd.DataFrame({"time": t, "hr_bpm": [125.0, 125.0, 190.0, 190.0]})
    one = 10 / 60 * 0.5 * 0.64 * math.exp(0.96)
    full = 10 / 60 * 0.64 * math.exp(1.92)
    assert trimp_samples(s, 60, 190) == pytest.approx(2 * one + full)
    # a 5-minute pause counts nothing: 10 s at x = 0.5, the pause, 20 s at x = 1
    s2 = s.assign(time=[t[0], t[1], t[1] + pd.Timedelta(minutes=5), t[3] + pd.Timedelta(
        minutes=5)])
    assert trimp_samples(s2, 60, 190) == pytest.approx(one + 2 * full)


def _runs(hr_avg, hr_max):
    n = len(hr_avg)
    return pd.DataFrame({
        "activity_id": [f"a{i}" for i in range(n)], "sport": "running",
        "local_date": pd.date_range("2026-09-01", periods=n), "moving_s": 1800.0,
        "distance_m": 5000.0, "hr_avg_bpm": hr_avg, "hr_max_bpm": hr_max})


def test_hr_max_estimated_from_plausible_data_and_said_so():
    runs = _runs([150.0, np.nan, 140.0], [178.0, 250.0, 176.0])  # 250: a strap spike
    lim = heart_rate_limits(runs, Config())
    assert lim.hr_max == 178.0 and lim.max_source == "data"
    assert lim.hr_rest == 60.0 and lim.rest_source == "default"
    assert "highest plausible" in lim.note and "default, not measured" in lim.note
    t = activity_trimp(runs, Config())
    assert t["trimp_source"].tolist() == ["average", "none", "average"]
    assert t["trimp"].iloc[0] == pytest.approx(trimp_banister(30, 150, 60, 178))
    set_cfg = Config().with_settings()
    set_cfg.fitness.update(hr_rest=50.0, hr_max=190.0)
    assert heart_rate_limits(runs, set_cfg).note == ""
    assert heart_rate_limits(_runs([np.nan], [np.nan]), Config()) is None


def test_season_fitness_in_the_season_unit_and_figure():
    from conftest import ROOT

    import kneeload
    from kneeload.fitness import fitness_fatigue
    from kneeload.report import figures

    season = kneeload.Season.from_paths(ROOT / "sample_data")
    t = season.fitness()
    assert list(t.columns) == ["load_mi", "ctl_mi", "atl_mi", "tsb_mi"]
    raw = fitness_fatigue(season.activities, season.config)
    assert t["ctl_mi"].to_numpy() == pytest.approx(raw["ctl"].to_numpy() / 1609.344)
    # the daily loads are the season's running distance, every day present
    assert t["load_mi"].sum() * 1609.344 == pytest.approx(
        kneeload.load.running(season.activities)["distance_m"].sum())
    fig = figures.fitness_fatigue(t)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "load per day [mi]"
    assert len(ax.get_lines()) >= 2


def test_trimp_from_a_real_files_samples_is_close_to_its_average():
    # a steady sample run (HR 135-150, mean 142.9): the per-sample sum and the average-HR
    # value differ only by the weighting's curvature and the moving/recorded time
    from conftest import ROOT

    import kneeload

    path = ROOT / "sample_data" / "runs" / "2026-03-03_0700_run.fit"
    acts = kneeload.read_file(path)
    samples = kneeload.read_samples(path)
    cfg = Config()
    cfg.fitness.update(hr_rest=60.0, hr_max=190.0)
    t = activity_trimp(acts, cfg, samples={acts["activity_id"].iloc[0]: samples})
    assert t["trimp_source"].tolist() == ["samples"]
    # 341 intervals of 5 s = 28.42 min, x ~ (142.9 - 60) / 130 = 0.64
    expected = trimp_samples(samples, 60, 190)
    assert t["trimp"].iloc[0] == pytest.approx(expected)
    by_avg = trimp_banister(acts["moving_s"].iloc[0] / 60, 143.0, 60, 190)
    assert t["trimp"].iloc[0] == pytest.approx(by_avg, rel=0.03)
