"""The canonical tables: one row per activity, and the per-sample table.

Quantities are stored in SI units and every quantity's column name ends in
its unit. Times are tz-aware UTC; ``local_start``/``local_date`` are the
runner's wall-clock time (naive) used for weekly bucketing. ``docs/schema.md``
is generated from this module (``python -m kneeload.schema``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

M_PER_MI = 1609.344
M_PER_KM = 1000.0

#: Normalised sports. Only ``RUNNING_SPORTS`` count as running load.
SPORTS = ("running", "trail_running", "treadmill", "walking", "cycling", "swimming", "other")
RUNNING_SPORTS = ("running", "trail_running", "treadmill")
ON_FOOT_SPORTS = (*RUNNING_SPORTS, "walking")

#: Columns of the gear table exports give (:attr:`kneeload.io.ReadResult.gear`).
GEAR_COLUMNS = ("name", "kind", "brand", "model", "first_used", "retired", "status",
                "replace_m", "source")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str
    unit: str
    description: str


ACTIVITY_COLUMNS: tuple[Column, ...] = (
    Column("activity_id", "str", "", "Stable id: hash of the file's (decompressed) bytes, "
           "then the session index. The same file gives the same id on every run."),
    Column("start_time", "datetime64[ns, UTC]", "UTC", "Start of the activity."),
    Column("local_start", "datetime64[ns]", "local", "Start in the runner's wall-clock time."),
    Column("local_date", "datetime64[ns]", "local", "Calendar date of local_start (midnight); "
           "weeks are bucketed on it."),
    Column("utc_offset_s", "float64", "s", "local_start - start_time."),
    Column("tz_source", "str", "", "Where the local time came from: 'device' (FIT "
           "activity.local_timestamp), 'recorded' (the export's own offset or date: Garmin, "
           "Apple Health, manual log), 'position:<zone>' (the zone at the first position), "
           "'config:<zone>' (the configured zone), 'machine:<zone>' (the machine's clock) or "
           "'forced:<zone>' (one zone forced for everything)."),
    Column("sport", "str", "", "Normalised sport: " + ", ".join(SPORTS) + "."),
    Column("sub_sport", "str", "", "The file's own sport detail, as recorded (may be empty)."),
    Column("distance_m", "float64", "m", "Distance: the device's session total where present, "
           "else from the samples (device distance, else the track points)."),
    Column("elapsed_s", "float64", "s", "Clock time from start to end, pauses included."),
    Column("moving_s", "float64", "s", "Time moving: the device's moving or timer time, else "
           "time at >= 0.5 m/s from the samples."),
    Column("ascent_m", "float64", "m", "Total climb: device total, else from smoothed elevation."),
    Column("descent_m", "float64", "m", "Total descent (the knee-specific load): device total, "
           "else from smoothed elevation."),
    Column("hr_avg_bpm", "float64", "bpm", "Average heart rate."),
    Column("hr_max_bpm", "float64", "bpm", "Maximum heart rate."),
    Column("cadence_spm", "float64", "spm", "Average cadence in steps per minute, on-foot sports "
           "only (FIT, TCX and GPX store strides per foot: doubled)."),
    Column("device", "str", "", "Device or app that recorded the file."),
    Column("gear", "str", "", "Shoe/gear name where the source records it (exports), else empty."),
    Column("rpe", "float64", "0-10", "Session rating of perceived exertion (0-10) where the "
           "source records it (manual log, Strava 'Perceived Exertion'), else empty."),
    Column("source_path", "str", "", "File the activity was read from."),
    Column("source_format", "str", "", "fit, gpx or tcx; csv (a Strava activities.csv row "
           "without a file), json (a Garmin Connect summary without a file), xml (an Apple "
           "Health workout without a route) or manual (a manual log)."),
    Column("session_index", "int64", "", "Index of the session (FIT) or activity (TCX) in "
           "the file."),
    Column("n_samples", "int64", "", "Number of samples (records, trackpoints) read."),
    Column("distance_source", "str", "", "'session' (device total), 'samples' (device "
           "distance field), 'track' (from positions) or 'none'."),
    Column("partial", "bool", "", "True when the file was damaged and only its readable part "
           "was used."),
    Column("implausible", "bool", "", "True when no human could cover the row's distance in "
           "its time (see docs/sports.md): kept, but left out of load, advice, shoes and the "
           "weekly table; the note says why."),
    Column("note", "str", "", "What a reader should know about this row (salvage, assumed "
           "sport, ignored time stamps); empty when nothing."),
)

SAMPLE_COLUMNS: tuple[Column, ...] = (
    Column("time", "datetime64[ns, UTC]", "UTC", "Time of the sample."),
    Column("lat_deg", "float64", "deg", "Latitude (WGS84)."),
    Column("lon_deg", "float64", "deg", "Longitude (WGS84)."),
    Column("distance_m", "float64", "m", "Cumulative distance from the start."),
    Column("altitude_m", "float64", "m", "Altitude."),
    Column("speed_m_s", "float64", "m/s", "Speed."),
    Column("hr_bpm", "float64", "bpm", "Heart rate."),
    Column("cadence_spm", "float64", "spm", "Cadence in steps per minute (on-foot sports), "
           "or the device's cadence (rpm) for other sports."),
)

SKIPPED_COLUMNS: tuple[Column, ...] = (
    Column("path", "str", "", "The file (and session) that was not ingested."),
    Column("kind", "str", "", "unreadable, unsupported, not_activity, no_time, unsafe, "
           "duplicate, ignored (a file of an export known not to be an activity)."),
    Column("reason", "str", "", "Why, in words a runner understands, and what to do."),
)

ACTIVITY_COLUMN_NAMES = tuple(c.name for c in ACTIVITY_COLUMNS)
SAMPLE_COLUMN_NAMES = tuple(c.name for c in SAMPLE_COLUMNS)


def _conform(df: pd.DataFrame, columns: tuple[Column, ...]) -> pd.DataFrame:
    out: dict[str, pd.Series] = {}
    for col in columns:
        values = df[col.name] if col.name in df else pd.Series(pd.NA, index=df.index)
        if values.dtype == col.dtype and (col.dtype != "str" or not values.hasnans):
            out[col.name] = values  # already conformed (the frame is built once, below)
        elif col.dtype == "str":
            out[col.name] = values.astype(object).where(values.notna(), "").astype(str)
        elif col.dtype == "bool":
            out[col.name] = values.fillna(False).astype(bool)
        elif col.dtype == "int64":
            out[col.name] = values.fillna(0).astype("int64")
        elif col.dtype.startswith("datetime64[ns, UTC]"):
            out[col.name] = pd.to_datetime(values, utc=True).astype("datetime64[ns, UTC]")
        elif col.dtype == "datetime64[ns]":
            out[col.name] = pd.to_datetime(values).astype("datetime64[ns]")
        else:
            out[col.name] = pd.to_numeric(values, errors="coerce").astype(col.dtype)
    # one frame from all columns: adding them one by one cost ~10 ms a call whatever the rows
    return pd.DataFrame(out, index=df.index, copy=True)


def conform_activities(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with exactly the activity columns, in order, with their dtypes."""
    return _conform(df, ACTIVITY_COLUMNS).reset_index(drop=True)


def conform_samples(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with exactly the sample columns, in order, with their dtypes."""
    return _conform(df, SAMPLE_COLUMNS).reset_index(drop=True)


def empty_activities() -> pd.DataFrame:
    """An activities table with no rows."""
    return conform_activities(pd.DataFrame({c.name: [] for c in ACTIVITY_COLUMNS}))


def empty_skipped() -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series([], dtype=object) for c in SKIPPED_COLUMNS})


def markdown_table(columns: tuple[Column, ...]) -> str:
    """A Markdown table of ``columns`` (used to generate docs/schema.md)."""
    lines = ["| column | dtype | unit | meaning |", "|---|---|---|---|"]
    for c in columns:
        lines.append(f"| `{c.name}` | {c.dtype} | {c.unit} | {c.description} |")
    return "\n".join(lines)


def schema_markdown() -> str:
    """The whole of docs/schema.md."""
    return "\n".join([
        "# The activities table",
        "",
        "Generated from `kneeload/schema.py` by `python -m kneeload.schema > docs/schema.md`;"
        " a test checks it is current.",
        "",
        "One row per activity (a multisport FIT gives one row per session, a multi-activity"
        " TCX one row per activity). SI units; every quantity's name ends in its unit."
        " Convert to miles or kilometres only for display.",
        "",
        markdown_table(ACTIVITY_COLUMNS),
        "",
        "## Samples (`kneeload.read_samples`)",
        "",
        "One row per recorded sample of one activity, read on demand so a season's"
        " summaries never hold every sample in memory.",
        "",
        markdown_table(SAMPLE_COLUMNS),
        "",
        "## Skipped files (`ReadResult.skipped`)",
        "",
        markdown_table(SKIPPED_COLUMNS),
        "",
    ])


if __name__ == "__main__":
    print(schema_markdown(), end="")
