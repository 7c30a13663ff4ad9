"""GPX reader: one activity per file (all tracks and segments), distance from the points.

GPX stores no session totals, so distance, moving time and climb come from the
track points. Heart rate and cadence are read from Garmin TrackPointExtension
(any prefix) and cluetrust gpxdata extensions. GPX cadence is per foot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidTimeError, NotAnActivityError
from ..schema import ON_FOOT_SPORTS
from ._source import RawFile
from ._summary import Parsed, haversine_steps_m, steps_per_minute, valid_times
from ._xml import local, parse_times, parse_xml, to_float

#: <trk><type> values (lower case) -> sport. Numbers are Strava's activity type codes.
GPX_SPORTS = {
    "running": "running", "run": "running", "9": "running", "trail_running": "trail_running",
    "trail run": "trail_running", "trailrun": "trail_running", "treadmill": "treadmill",
    "virtualrun": "treadmill", "walking": "walking", "walk": "walking", "10": "walking",
    "hiking": "walking", "hike": "walking", "cycling": "cycling", "biking": "cycling",
    "ride": "cycling", "1": "cycling", "swimming": "swimming", "swim": "swimming",
}
_HR = {"hr", "heartrate"}
_CAD = {"cad", "cadence", "runcadence"}


def gpx_sport(value: str | None, default_sport: str) -> tuple[str, str | None]:
    """Normalised sport and a note when it was assumed."""
    if value is None or not value.strip():
        return default_sport, f"sport not recorded; assumed {default_sport}"
    sport = GPX_SPORTS.get(value.strip().lower())
    if sport is None:
        return default_sport, f"unknown sport type {value.strip()!r}; assumed {default_sport}"
    return sport, None


def _cumulative_distance(lat: np.ndarray, lon: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Cumulative track distance [m], adding nothing across segment boundaries or
    points without a position."""
    step = np.zeros(len(lat))
    if len(lat) > 1:
        d = haversine_steps_m(lat, lon)
        d[(seg[1:] != seg[:-1]) | np.isnan(d)] = 0.0
        step[1:] = d
    return np.cumsum(step)


def parse_gpx(raw: RawFile, *, default_sport: str = "running") -> list[Parsed]:
    """Parse a GPX file's bytes into one :class:`Parsed` activity."""
    root = parse_xml(raw)
    if local(root.tag) != "gpx":
        raise NotAnActivityError(raw.name, f"root element is <{local(root.tag)}>, not <gpx>")
    sport_text = None
    rows: list[tuple] = []
    has_route = False
    segment = 0
    for trk in root:
        name = local(trk.tag)
        has_route |= name == "rte"
        if name != "trk":
            continue
        for child in trk:
            cname = local(child.tag)
            if cname == "type" and sport_text is None:
                sport_text = child.text
            if cname != "trkseg":
                continue
            segment += 1
            for pt in child:
                if local(pt.tag) != "trkpt":
                    continue
                where = f"point {len(rows) + 1}"
                ele = time = hr = cad = dist = None
                for el in pt.iter():
                    tag = local(el.tag).lower()
                    if tag == "ele":
                        ele = el.text
                    elif tag == "time" and el is not pt:
                        time = el.text
                    elif tag in _HR:
                        hr = el.text
                    elif tag in _CAD:
                        cad = el.text
                    elif tag == "distance":
                        dist = el.text
                rows.append((to_float(raw, pt.get("lat"), "lat", where),
                             to_float(raw, pt.get("lon"), "lon", where),
                             to_float(raw, ele, "<ele>", where), time,
                             to_float(raw, hr, "heart rate", where),
                             to_float(raw, cad, "cadence", where),
                             to_float(raw, dist, "distance", where), segment))
    if not rows:
        what = "a planned route, not a recorded track" if has_route else "no track points"
        raise NotAnActivityError(raw.name, f"holds {what}; nothing to ingest")
    lat, lon, eles, time_texts, hrs, cads, _, seg = zip(*rows, strict=True)
    times, no_zone = parse_times(raw, list(time_texts), "point")
    notes: list[str] = []
    sport, sport_note = gpx_sport(sport_text, default_sport)
    if sport_note:
        notes.append(sport_note)
    if no_zone:
        notes.append("time stamps have no time zone; taken as UTC (the GPX standard)")
    samples = pd.DataFrame({
        "time": times, "lat_deg": np.array(lat), "lon_deg": np.array(lon),
        # The track defines GPX distance (an extension's distance is ignored): summed within
        # each segment, never across the gap between segments or tracks (as gpxpy does).
        "distance_m": _cumulative_distance(np.array(lat), np.array(lon), np.array(seg)),
        "altitude_m": np.array(eles), "speed_m_s": np.nan,
        "hr_bpm": np.array(hrs),
        "cadence_spm": steps_per_minute(pd.Series(cads, dtype=float),
                                        per_foot=sport in ON_FOOT_SPORTS),
    })
    n_timed = int(samples["time"].notna().sum())
    samples = valid_times(raw.name, samples, notes)
    if samples["time"].notna().sum() == 0:
        if n_timed:
            raise InvalidTimeError(raw.name, f"every time stamp is a placeholder "
                                   f"({times.dropna().iloc[0].isoformat()}), not a recording "
                                   "time; the activity cannot be placed on a date")
        raise InvalidTimeError(raw.name, "has no time stamps (a drawn route, not a recorded "
                               "activity); it cannot be placed on a date")
    missing = len(samples) - int(samples["time"].notna().sum())
    if missing:
        notes.append(f"{missing} of {len(samples)} points have no time stamp; distance uses "
                     "every point, times only the timed ones")
    return [Parsed(source_path=raw.name, source_format="gpx", digest=raw.digest,
                   session_index=0, samples=samples, sport=sport, sport_assumed=bool(sport_note),
                   totals={"distance_m": float(samples["distance_m"].max())},
                   distance_source="track",
                   sub_sport=(sport_text or "").strip(), device=root.get("creator", ""),
                   notes=notes)]
