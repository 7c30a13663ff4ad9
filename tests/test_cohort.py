"""The cohort path: Dask ingest on a LocalCluster, and group-by rules identical to a loop."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE
from factories import activities

import kneeload
from kneeload import cohort, load

pytest.importorskip("dask.distributed")


def synthetic_cohort(n_athletes: int = 12, weeks: int = 30, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for a in range(n_athletes):
        runs = []
        base = rng.uniform(8, 25)
        for w in range(weeks):
            week = base * rng.choice([0.6, 1.0, 1.05, 1.1, 1.4, 0.0], p=[.1, .4, .2, .15, .1, .05])
            for d in sorted(rng.choice(7, size=rng.integers(2, 6), replace=False)):
                day = pd.Timestamp("2025-01-06") + pd.Timedelta(days=7 * w + int(d), hours=7)
                runs.append((str(day), float(week / 4 * rng.uniform(0.5, 2.0)), "running",
                             float(rng.uniform(0, 120)), float(rng.uniform(155, 180))))
        frames.append(activities(runs).assign(athlete=f"runner{a:02d}",
                                              activity_id=lambda d, a=a: f"r{a}-" + d.index
                                              .astype(str)))
    return pd.concat(frames, ignore_index=True)


def test_cohort_flags_equal_a_loop_over_athletes():
    acts = synthetic_cohort()
    vectorised = cohort.cohort_flags(acts, rules={"acwr_high": {"enabled": True}})
    looped = pd.concat([load.flags(part.drop(columns="athlete"),
                                   rules={"acwr_high": {"enabled": True}}).assign(athlete=a)
                        for a, part in acts.groupby("athlete")], ignore_index=True)
    cols = ["athlete", "rule", "severity", "date", "week_start", "value", "threshold", "unit",
            "message"]
    key = ["athlete", "date", "rule", "value"]
    a = vectorised[cols].sort_values(key).reset_index(drop=True)
    b = looped[cols].sort_values(key).reset_index(drop=True)
    assert len(a) > 50 and set(a["rule"]) >= {"weekly_increase", "session_spike",
                                              "two_week_increase"}
    pd.testing.assert_frame_equal(a, b)


def test_cohort_weekly_table_per_athlete():
    acts = synthetic_cohort(n_athletes=3)
    weeks = cohort.cohort_weekly(acts)
    for a, part in acts.groupby("athlete"):
        single = load.weekly_table(part.drop(columns="athlete"))
        mine = weeks[weeks["athlete"] == a].drop(columns="athlete").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, single)


def test_read_cohort_on_a_local_cluster(tmp_path, data):
    team = tmp_path / "team"
    (team / "alex").mkdir(parents=True)
    (team / "sam").mkdir()
    for f in sorted((SAMPLE / "runs").glob("2026-03-*"))[:10]:
        shutil.copy(f, team / "alex")
    shutil.copy(data / "fit/fr645-run.fit", team / "sam")
    shutil.copy(data / "fit/fr645-run-COPY.FIT.GZ", team / "sam")   # a duplicate within sam
    shutil.copy(data / "invalid/no-time-stamps.fit", team / "sam")
    result = cohort.read_cohort(team, workers=2, tz="Europe/London", cache=tmp_path / "c")
    acts = result.activities
    assert acts.groupby("athlete").size().to_dict() == {"alex": 10, "sam": 1}
    assert set(result.skipped["kind"]) == {"no_time", "duplicate"}
    assert (result.skipped["athlete"] == "sam").all()
    single = kneeload.read_activities(team / "alex", tz="Europe/London", cache=False).activities
    pd.testing.assert_frame_equal(acts[acts["athlete"] == "alex"].drop(columns="athlete")
                                  .reset_index(drop=True), single)
    again = cohort.read_cohort(team, workers=2, tz="Europe/London", cache=tmp_path / "c")
    pd.testing.assert_frame_equal(again.activities, acts)  # from the cache, no cluster needed


def test_cohort_needs_folders(tmp_path):
    with pytest.raises(kneeload.UsageError, match="has no athlete folders"):
        cohort.read_cohort(tmp_path)
    with pytest.raises(kneeload.UsageError, match="needs an 'athlete' column"):
        cohort.cohort_flags(activities([("2026-01-01 08:00", 3.0)]))
