"""TCX reader (Garmin Training Center): one activity per <Activity>.

Lap totals (DistanceMeters, TotalTimeSeconds) are the device's totals; trackpoints
give the samples. TCX RunCadence (and Polar's plain <Cadence> for running) is per
foot and doubled to steps per minute.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd

from ..errors import InvalidTimeError, NotAnActivityError
from ..schema import ON_FOOT_SPORTS
from ..sports import lookup
from ._source import RawFile
from ._summary import Parsed, steps_per_minute, valid_times
from ._time import EARLIEST_VALID, latest_valid
from ._xml import local, parse_times, parse_xml, to_float


def _child(el: ET.Element, name: str) -> ET.Element | None:
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def _text(el: ET.Element | None, *path: str) -> str | None:
    for name in path:
        if el is None:
            return None
        el = _child(el, name)
    return el.text if el is not None else None


def _creator(activity: ET.Element) -> str:
    creator = _child(activity, "Creator")
    name = _text(creator, "Name")
    return " ".join(name.split()) if name else ""


def _trackpoint(raw: RawFile, tp: ET.Element, where: str) -> tuple[tuple, bool]:
    """One <Trackpoint> as (time text, lat, lon, distance, altitude, speed, heart rate,
    cadence), and whether it writes a position that is not a number."""
    vals: dict[str, str | None] = {}
    for el in tp.iter():
        tag = local(el.tag)
        if tag in ("Time", "LatitudeDegrees", "LongitudeDegrees", "AltitudeMeters",
                   "DistanceMeters", "Speed", "RunCadence", "Cadence"):
            vals[tag] = el.text
        elif tag == "HeartRateBpm":
            vals["hr"] = _text(el, "Value")
    lat = to_float(raw, vals.get("LatitudeDegrees"), "latitude", where)
    lon = to_float(raw, vals.get("LongitudeDegrees"), "longitude", where)
    nan_position = any((vals.get(k) or "").strip() for k in ("LatitudeDegrees",
                                                              "LongitudeDegrees")
                       ) and (math.isnan(lat) or math.isnan(lon))
    return (vals.get("Time"), lat, lon,
            to_float(raw, vals.get("DistanceMeters"), "distance", where),
            to_float(raw, vals.get("AltitudeMeters"), "altitude", where),
            to_float(raw, vals.get("Speed"), "speed", where),
            to_float(raw, vals.get("hr"), "heart rate", where),
            to_float(raw, vals.get("RunCadence") or vals.get("Cadence"), "cadence", where)
            ), nan_position


def parse_tcx(raw: RawFile, *, default_sport: str = "running") -> list[Parsed]:
    """Parse a TCX file's bytes into one :class:`Parsed` per <Activity>."""
    root = parse_xml(raw)
    activities = [el for el in root.iter() if local(el.tag) == "Activity"]
    if not activities:
        raise NotAnActivityError(raw.name, "holds no <Activity> (a course or workout file?)")
    out: list[Parsed] = []
    n_points = 0
    for index, act in enumerate(activities):
        notes: list[str] = []
        sport_text = act.get("Sport", "")
        label = lookup("tcx", sport_text, default_sport=default_sport)
        sport, assumed = label.sport, label.assumed
        if label.note:
            notes.append(label.note)
        laps = [c for c in act if local(c.tag) == "Lap"]
        lap_dist = [to_float(raw, _text(lap, "DistanceMeters"), "DistanceMeters", f"lap {i + 1}")
                    for i, lap in enumerate(laps)]
        lap_time = [to_float(raw, _text(lap, "TotalTimeSeconds"), "TotalTimeSeconds",
                             f"lap {i + 1}") for i, lap in enumerate(laps)]
        rows: list[tuple] = []
        nan_positions: list[int] = []
        for tp in (el for lap in laps for el in lap.iter() if local(el.tag) == "Trackpoint"):
            n_points += 1
            row, nan_position = _trackpoint(raw, tp, f"trackpoint {n_points}")
            if nan_position:
                nan_positions.append(len(rows))
            rows.append(row)
        cols = ["time", "lat_deg", "lon_deg", "distance_m", "altitude_m", "speed_m_s", "hr_bpm",
                "cadence_spm"]
        samples = pd.DataFrame(rows, columns=cols)
        samples["time"], no_zone = parse_times(raw, samples["time"].tolist(), "trackpoint")
        samples = samples.astype({c: float for c in cols[1:]})
        samples["cadence_spm"] = steps_per_minute(samples["cadence_spm"],
                                                  per_foot=sport in ON_FOOT_SPORTS)
        if no_zone:
            notes.append("time stamps have no time zone; taken as UTC (the TCX standard)")
        if nan_positions:
            notes.append(f"{len(nan_positions)} of {len(rows)} trackpoints have a position "
                         f"that is not a number (first at point {nan_positions[0]}) and were "
                         "ignored")
        samples = valid_times(raw.name, samples, notes)
        start_text = _text(act, "Id") or (laps[0].get("StartTime") if laps else None)
        start = None
        if start_text:
            t, _ = parse_times(raw, [start_text], f"activity {index + 1} <Id>")
            start = t.iloc[0] if t.notna().iloc[0] else None
            if start is not None and not (EARLIEST_VALID <= start <= latest_valid()):
                notes.append(f"activity start {start.isoformat()} is not a real recording "
                             "time; the first valid trackpoint's time is used")
                start = None
            if start is not None and samples["time"].notna().any():
                start = min(start, samples["time"].dropna().iloc[0])
        if start is None and samples["time"].notna().any():
            start = samples["time"].dropna().iloc[0]
        if start is None:
            raise InvalidTimeError(raw.name, f"activity {index + 1} has no start time; it "
                                   "cannot be placed on a date")
        if not laps and samples.empty:
            raise NotAnActivityError(raw.name, f"activity {index + 1} has no laps or points")
        totals = {
            "distance_m": float(np.nansum(lap_dist)) if laps and not np.isnan(lap_dist).all()
            else None,
            "moving_s": float(np.nansum(lap_time)) if laps and not np.isnan(lap_time).all()
            else None,
        }
        totals["laps_s"] = totals["moving_s"]  # check_row: elapsed is at least the laps
        out.append(Parsed(source_path=raw.name, source_format="tcx", digest=raw.digest,
                          session_index=index, samples=samples, sport=sport,
                          sub_sport="", start_time=start, totals=totals,
                          device=_creator(act), notes=notes, sport_assumed=assumed))
    return out
