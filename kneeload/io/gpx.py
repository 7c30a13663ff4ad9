"""GPX reader: one activity per file (all tracks and segments), distance from the points.

GPX stores no session totals, so distance, moving time and climb come from the
track points. Heart rate and cadence are read from Garmin TrackPointExtension
(any prefix) and cluetrust gpxdata extensions. GPX cadence is per foot.

Speed: the document is parsed in C (ElementTree), each point's elements are looked up by
tag in a per-file cache, and the values of all points are converted to numbers column by
column at the end (about 3x faster than converting value by value). Only a ``<time>``
inside a ``<trkpt>`` is a point's time (the ``<metadata><time>`` of the export is not).
A streaming pull parser was measured and not kept: its per-event Python overhead made a
1 h GPX about 1.7x slower than parsing the tree in C, and memory is not the constraint for
activity files (a 1 h GPX is ~0.5 MB).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError, InvalidTimeError, NotAnActivityError
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


#: What each (lower-case, namespace-free) element name inside a <trkpt> gives.
_POINT_FIELDS = {"ele": 0, "time": 1, "distance": 4, **{t: 2 for t in _HR},
                 **{t: 3 for t in _CAD}}
#: Column order of the numeric checks (the first bad value of a point is reported first).
_NUMERIC = (("lat", "lat"), ("lon", "lon"), ("ele", "<ele>"), ("hr", "heart rate"),
            ("cad", "cadence"), ("dist", "distance"))


def _numbers(raw: RawFile, columns: dict[str, list]) -> dict[str, np.ndarray]:
    """Text columns -> float arrays in one vectorised pass each; an unparseable value raises
    :func:`to_float`'s error for the first point (and field) that has one."""
    out: dict[str, np.ndarray] = {}
    first_bad: list[tuple[int, int]] = []
    for order, (key, _) in enumerate(_NUMERIC):
        texts = pd.Series(columns[key], dtype=object)
        values = pd.to_numeric(texts, errors="coerce").to_numpy(dtype=float, copy=True)
        # what pandas did not read (or read as NaN): value by value, as to_float does
        doubt = np.flatnonzero(np.isnan(values) & texts.notna().to_numpy())
        for i in doubt:
            try:
                values[i] = to_float(raw, texts.iloc[i], key, f"point {i + 1}")
            except InputError:
                first_bad.append((int(i), order))
                break
        out[key] = values
    if first_bad:
        i, order = min(first_bad)
        key, name = _NUMERIC[order]
        to_float(raw, columns[key][i], name, f"point {i + 1}")  # raises
    return out


def parse_gpx(raw: RawFile, *, default_sport: str = "running") -> list[Parsed]:
    """Parse a GPX file's bytes into one :class:`Parsed` activity."""
    root = parse_xml(raw)
    root_name = local(root.tag)
    cols: dict[str, list] = {k: [] for k in ("lat", "lon", "ele", "time", "hr", "cad", "dist",
                                             "seg")}
    kinds: dict[str, int | None] = {}  # element tag -> _POINT_FIELDS index (per-file cache)
    sport_text = None
    has_route = False
    segment = 0
    for trk in root if root_name == "gpx" else ():
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
                point = [None, None, None, None, None]  # ele, time, hr, cad, distance texts
                for el in pt.iter():
                    tag = el.tag
                    kind = kinds.get(tag, -1)
                    if kind == -1:
                        kind = kinds[tag] = _POINT_FIELDS.get(local(tag).lower())
                    if kind is not None:
                        point[kind] = el.text
                cols["lat"].append(pt.get("lat"))
                cols["lon"].append(pt.get("lon"))
                cols["ele"].append(point[0])
                cols["time"].append(point[1])
                cols["hr"].append(point[2])
                cols["cad"].append(point[3])
                cols["dist"].append(point[4])
                cols["seg"].append(segment)
    if root_name != "gpx":
        raise NotAnActivityError(raw.name, f"root element is <{root_name}>, not <gpx>")
    if not cols["seg"]:
        what = "a planned route, not a recorded track" if has_route else "no track points"
        raise NotAnActivityError(raw.name, f"holds {what}; nothing to ingest")
    num = _numbers(raw, cols)
    lat, lon, ele, hr, cad = num["lat"], num["lon"], num["ele"], num["hr"], num["cad"]
    time_text, seg = cols["time"], np.array(cols["seg"])
    times, no_zone = parse_times(raw, list(time_text), "point")
    notes: list[str] = []
    sport, sport_note = gpx_sport(sport_text, default_sport)
    if sport_note:
        notes.append(sport_note)
    if no_zone:
        notes.append("time stamps have no time zone; taken as UTC (the GPX standard)")
    samples = pd.DataFrame({
        "time": times, "lat_deg": lat, "lon_deg": lon,
        # The track defines GPX distance (an extension's distance is ignored): summed within
        # each segment, never across the gap between segments or tracks (as gpxpy does).
        "distance_m": _cumulative_distance(lat, lon, seg),
        "altitude_m": ele, "speed_m_s": np.nan,
        "hr_bpm": hr,
        "cadence_spm": steps_per_minute(pd.Series(cad, dtype=float),
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
