"""read_activities over folders: nothing lost, duplicates counted once."""

from __future__ import annotations

import shutil

import pytest

import kneeload
from kneeload.errors import InputError, UsageError


@pytest.fixture
def season(tmp_path, data):
    d = tmp_path / "runs"
    (d / "sub").mkdir(parents=True)
    shutil.copy(data / "fit/fr645-run.fit", d)
    shutil.copy(data / "fit/fr645-run-COPY.FIT.GZ", d / "sub")
    shutil.copy(data / "fit/edge1000-ride.fit", d)
    shutil.copy(data / "gpx/edge1000-ride-same-as-fit.gpx", d)
    shutil.copy(data / "tcx/fr620-run-runcadence.tcx", d)
    shutil.copy(data / "invalid/no-time-stamps.fit", d)
    (d / "README.md").write_text("not an activity")
    (d / ".hidden.fit").write_bytes(b"junk")
    return d


def test_every_file_is_either_a_row_or_skipped_with_a_reason(season):
    result = kneeload.read_activities(season)
    acts, skipped = result.activities, result.skipped
    assert sorted(acts["source_format"]) == ["fit", "fit", "tcx"]
    assert acts["start_time"].is_monotonic_increasing
    kinds = dict(zip(skipped["path"].str.rsplit("/", n=1).str[-1], skipped["kind"], strict=True))
    assert kinds == {"no-time-stamps.fit": "no_time",
                     "fr645-run-COPY.FIT.GZ": "duplicate",
                     "edge1000-ride-same-as-fit.gpx": "duplicate"}
    reasons = skipped.set_index("kind")["reason"]
    assert "no usable time stamps" in reasons["no_time"]
    dup = skipped[skipped["path"].str.endswith("edge1000-ride-same-as-fit.gpx")]["reason"].iloc[0]
    assert dup.startswith("the same activity as ") and "edge1000-ride.fit" in dup
    # the time named is the kept file's own start (as the summary table lists it)
    kept = acts[acts["source_path"].str.endswith("edge1000-ride.fit")].iloc[0]
    assert f"{kept['local_start']:%Y-%m-%d %H:%M}); counted once" in dup
    copy = skipped[skipped["path"].str.endswith("COPY.FIT.GZ")]["reason"].iloc[0]
    assert copy.startswith("the same file content as") and copy.split(" (")[0].endswith(
        "runs/fr645-run.fit")
    # README.md and hidden files in folders are not inputs; 6 activity files were found
    assert len(kneeload.find_activity_files(season)) == 6


def test_explicit_file_with_unknown_extension_is_reported(season):
    result = kneeload.read_activities([season / "README.md"])
    assert result.activities.empty
    assert result.skipped.loc[0, "kind"] == "unsupported"


def test_raise_policy_and_bad_policy(season):
    with pytest.raises(InputError, match="no-time-stamps.fit"):
        kneeload.read_activities(season, on_error="raise")
    with pytest.raises(UsageError, match="on_error must be one of 'raise', 'skip'"):
        kneeload.read_activities(season, on_error="warn")


def test_keep_duplicates_when_asked(season):
    result = kneeload.read_activities(season, drop_duplicates=False)
    assert len(result.activities) == 5
    assert (result.skipped["kind"] != "duplicate").all()


def test_multisport_sessions_are_not_duplicates_of_each_other(data):
    result = kneeload.read_activities([data / "fit/multisport-zero-distance.fit",
                                       data / "fit/chained-triathlon-5-sessions.fit"])
    assert len(result.activities) == 8
    assert result.skipped.empty


def test_same_id_on_every_run(season):
    a = kneeload.read_activities(season).activities["activity_id"].tolist()
    b = kneeload.read_activities(season).activities["activity_id"].tolist()
    assert a == b


def test_unknown_time_zone_and_sport():
    with pytest.raises(UsageError, match="unknown time zone 'Mars/Olympus'"):
        kneeload.read_activities([], tz="Mars/Olympus")
    with pytest.raises(UsageError, match="default_sport must be one of"):
        kneeload.read_activities([], default_sport="jogging")
