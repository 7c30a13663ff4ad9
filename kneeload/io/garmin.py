"""Garmin Connect's data export: activity summaries and gear (``DI_CONNECT/DI-Connect-Fitness``).

Besides the FIT files (nested archives under ``DI-Connect-Uploaded-Files``), the export holds
``<user>_summarizedActivities.json`` (``[{"summarizedActivitiesExport": [ {...}, ... ]}]``,
one record per activity, incl. manual and treadmill runs with no file) and
``<user>_gear.json`` (``[{"gearDTOS": [...], "gearActivityDTOs": {"<gearPk>":
[{"activityId": ..., "gearPk": ...}]}}]``).

Units in the summaries: times are epoch milliseconds (``beginTimestamp`` UTC,
``startTimeLocal`` the local wall clock written as if it were UTC), ``duration`` and
``movingDuration`` in milliseconds, ``elevationGain``/``elevationLoss`` in centimetres.
``distance`` is in centimetres in the exports seen in public parsers, but some read it as
metres: kneeload checks the unit against the FIT totals of the same activities
(:func:`distance_unit`), and by plausible speed when no FIT file matches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError, UnsupportedFormatError
from ..schema import ON_FOOT_SPORTS
from ..sports import lookup
from ._summary import check_row, place_start
from ._time import TZ_RECORDED, Placement, round_offset
from .strava import GearItem

#: A summary and a FIT file are the same activity when their starts differ by at most [s].
MATCH_START_S = 120.0
#: Centimetres per stored distance unit, by unit name.
DISTANCE_UNITS = {"cm": 0.01, "m": 1.0}


def garmin_sport(type_key: str) -> str | None:
    """kneeload's sport of a Garmin ``typeKey`` (:func:`kneeload.sports.lookup`); None when
    the key is missing, generic or not in the vocabulary (the row is then 'other', noted)."""
    label = lookup("garmin", type_key)
    return None if label.assumed or label.unknown else label.sport


@dataclass
class GarminSummary:
    """One record of ``summarizedActivitiesExport``, in SI units except ``distance_raw``."""

    activity_id: int
    name: str
    type_key: str
    sport: str | None
    start_time: pd.Timestamp
    utc_offset_s: float | None
    distance_raw: float | None
    values: dict[str, float | None] = field(default_factory=dict)
    index: int = 0
    parent: bool = False  # a multisport parent: its parts are records of their own


def _records(name: str, data: bytes, key: str) -> list[dict]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeError, ValueError) as exc:
        raise InputError(name, f"is not readable JSON ({str(exc)[:100]}); the export may be "
                         "damaged: request it again") from None
    parts = doc if isinstance(doc, list) else [doc]
    out: list[dict] = []
    for part in parts:
        if isinstance(part, dict) and key in part:
            value = part[key]
            out.extend(value if isinstance(value, list) else [value])
    return out


def _ms(value: object) -> pd.Timestamp | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return pd.Timestamp(int(value), unit="ms", tz="UTC")


def _f(value: object, scale: float = 1.0) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or np.isnan(value):
        return None
    return float(value) * scale


def _type_key(value: object) -> str:
    if isinstance(value, dict):
        return str(value.get("typeKey", ""))
    return str(value or "")


def parse_summaries(name: str, data: bytes) -> list[GarminSummary]:
    """The records of a ``*_summarizedActivities.json``; a record without an id or a start
    is an error naming its index (nothing is dropped silently)."""
    records = _records(name, data, "summarizedActivitiesExport")
    if not records and b"summarizedActivitiesExport" not in data[:4096] and data.strip() not in (
            b"[]", b"{}"):
        raise UnsupportedFormatError(name, "has no 'summarizedActivitiesExport' list; it is not "
                                     "a Garmin Connect activity summary file")
    out = []
    for i, r in enumerate(records):
        start = _ms(r.get("beginTimestamp")) or _ms(r.get("startTimeGmt"))
        aid = r.get("activityId")
        if start is None or aid is None:
            raise InputError(name, "activity summary has no activityId or beginTimestamp; "
                             "request the export again", f"record {i + 1}")
        local = _ms(r.get("startTimeLocal"))
        offset = (local - start).total_seconds() if local is not None else None
        tkey = _type_key(r.get("activityType"))
        out.append(GarminSummary(
            activity_id=int(aid), name=str(r.get("name") or ""), type_key=tkey,
            sport=garmin_sport(tkey), start_time=start, utc_offset_s=offset,
            distance_raw=_f(r.get("distance")), index=i, parent=bool(r.get("parent")),
            values={
                "elapsed_s": _f(r.get("elapsedDuration"), 1e-3) or _f(r.get("duration"), 1e-3),
                "moving_s": _f(r.get("movingDuration"), 1e-3) or _f(r.get("duration"), 1e-3),
                "ascent_m": _f(r.get("elevationGain"), 0.01),
                "descent_m": _f(r.get("elevationLoss"), 0.01),
                "hr_avg_bpm": _f(r.get("avgHr")), "hr_max_bpm": _f(r.get("maxHr")),
                "cadence": _f(r.get("avgRunCadence")),
            }))
    return out


def distance_unit(pairs: list[tuple[float, float]], summaries: list[GarminSummary]) -> str:
    """'cm' or 'm': the unit of ``distance`` in this export.

    ``pairs`` are (summary distance, FIT total distance [m]) of activities present in both:
    their median ratio (about 100 for cm, 1 for m) decides. Without pairs, the unit that
    gives running and walking speeds between 0.3 and 12 m/s for most records decides; cm
    when nothing tells (the unit of every public sample seen).
    """
    ratios = [a / b for a, b in pairs if a and b and b > 50]
    if ratios:
        return "cm" if np.median(ratios) > 10 else "m"
    votes = {"cm": 0, "m": 0}
    for s in summaries:
        t = s.values.get("moving_s")
        if s.distance_raw and t and t > 60 and s.sport not in (None, "other"):
            for unit, per in DISTANCE_UNITS.items():
                if 0.3 <= s.distance_raw * per / t <= 12:
                    votes[unit] += 1
    return "m" if votes["m"] > votes["cm"] else "cm"


def _date(value: object) -> pd.Timestamp | None:
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return pd.Timestamp(int(value), unit="ms").normalize()
    try:
        ts = pd.Timestamp(str(value))
    except (ValueError, TypeError):
        return None
    return (ts.tz_localize(None) if ts.tzinfo else ts).normalize()


def parse_gear(name: str, data: bytes) -> tuple[list[GearItem], dict[int, str]]:
    """Gear items of a ``*_gear.json`` and the activity -> gear name links."""
    items: list[GearItem] = []
    by_pk: dict[str, str] = {}
    for g in _records(name, data, "gearDTOS"):
        if not isinstance(g, dict):
            continue
        shown = str(g.get("displayName") or g.get("customMakeModel") or "").strip() or " ".join(
            str(g.get(k) or "") for k in ("gearMakeName", "gearModelName")).strip()
        if not shown:
            shown = f"Garmin gear {g.get('gearPk')}"
        kind = "shoe" if str(g.get("gearTypeName", "")).lower() == "shoes" else (
            "bike" if str(g.get("gearTypeName", "")).lower() == "bike" else "other")
        status = str(g.get("gearStatusName", "")).lower()
        maximum = _f(g.get("maximumMeters"))
        custom = str(g.get("customMakeModel") or "").strip()
        items.append(GearItem(
            name=shown, kind=kind, brand=str(g.get("gearMakeName") or "").replace("Other", ""),
            model=str(g.get("gearModelName") or ""), source=name,
            first_used=_date(g.get("dateBegin")), retired=_date(g.get("dateEnd")),
            status="retired" if status == "retired" else "active",
            replace_m=maximum if maximum and maximum > 0 else None,
            aliases=tuple(a for a in (custom,) if a and a != shown)))
        by_pk[str(g.get("gearPk"))] = shown
    links: dict[int, str] = {}
    for part in _records(name, data, "gearActivityDTOs"):
        if not isinstance(part, dict):
            continue
        for pk, acts in part.items():
            for a in acts or []:
                if isinstance(a, dict) and a.get("activityId") is not None:
                    gear = by_pk.get(str(a.get("gearPk", pk))) or by_pk.get(str(pk))
                    if gear is not None:
                        links.setdefault(int(a["activityId"]), gear)
    return items, links


def _id_in_name(path: str) -> int | None:
    """The activity id in a Garmin export file name (``user@x.com_1234567890.fit``)."""
    import re
    base = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit("!", 1)[-1]
    found = re.findall(r"(\d{6,})", base)
    return int(found[-1]) if found else None


def summary_row(s: GarminSummary, per_unit: float, source: str, gear: str,
                tz: dt.tzinfo | Placement) -> dict[str, object]:
    """An activities-table row from a summary alone (manual and treadmill runs, no file)."""
    sport = s.sport or "other"
    v = s.values
    cad = v.get("cadence")
    cad = cad * 2 if cad is not None and sport in ON_FOOT_SPORTS and cad <= 130 else (
        cad if sport in ON_FOOT_SPORTS else None)
    no_pos = np.array([np.nan])
    local, offset, tz_source = place_start(s.start_time, s.utc_offset_s, TZ_RECORDED, no_pos,
                                           no_pos, tz)
    dist = s.distance_raw * per_unit if s.distance_raw is not None else None
    note = "" if s.sport else (lookup("garmin", s.type_key).note
                               or f"Garmin type {s.type_key!r} counted as 'other'")
    digest = hashlib.sha1(f"garmin:{s.activity_id}".encode()).hexdigest()
    row: dict[str, object] = {
        "activity_id": f"{digest[:16]}-0", "start_time": s.start_time, "local_start": local,
        "local_date": local.normalize(), "utc_offset_s": offset, "tz_source": tz_source,
        "sport": sport, "sub_sport": s.type_key, "distance_m": dist,
        "elapsed_s": v.get("elapsed_s"), "moving_s": v.get("moving_s"),
        "ascent_m": v.get("ascent_m"), "descent_m": v.get("descent_m"),
        "hr_avg_bpm": v.get("hr_avg_bpm"), "hr_max_bpm": v.get("hr_max_bpm"),
        "cadence_spm": cad, "device": "Garmin Connect summary", "gear": gear,
        "source_path": f"{source}#record {s.index + 1}", "source_format": "json",
        "session_index": 0, "n_samples": 0,
        "distance_source": "session" if dist is not None else "none", "partial": False,
        "implausible": False, "note": note,
    }
    notes = [note] if note else []
    check_row(row, notes)
    row["note"] = "; ".join(notes)
    return row


def join_garmin(summary_members: list, gear_members: list, file_rows: list[dict[str, object]],  # noqa: C901
                tz: dt.tzinfo | Placement, fail: Callable[[InputError], None],
                skipped: list[dict[str, str]]) -> None:
    """Join a Garmin export's summaries and gear with its FIT files' rows (in place).

    A FIT row matches a summary by the activity id in its file name, else by a start within
    ``MATCH_START_S``: it gets the summary's gear and, when the file has no device local
    time, the summary's local offset (``tz_source`` 'recorded'). Summaries with no file
    become rows of their own (``source_format`` 'json'); multisport parents are listed in
    ``skipped`` as counted through their parts.
    """
    summaries: list[tuple[str, GarminSummary]] = []
    for m in summary_members:
        try:
            summaries.extend((m.name, s) for s in parse_summaries(m.name, m.data))
        except InputError as exc:
            fail(exc)
    links: dict[int, str] = {}
    for m in gear_members:
        try:
            links.update(parse_gear(m.name, m.data)[1])
        except InputError as exc:
            fail(exc)
    by_id = {s.activity_id: (src, s) for src, s in summaries}
    starts = np.array([s.start_time.value / 1e9 for _, s in summaries])
    matched: set[int] = set()
    pairs: list[tuple[float, float]] = []
    for row in file_rows:
        aid = _id_in_name(str(row["source_path"]))
        hit = by_id.get(aid) if aid is not None else None
        if hit is None and len(starts):
            t = pd.Timestamp(row["start_time"]).value / 1e9
            i = int(np.argmin(np.abs(starts - t)))
            if abs(starts[i] - t) <= MATCH_START_S and summaries[i][1].activity_id not in matched:
                hit = summaries[i]
        if hit is None:
            continue
        s = hit[1]
        matched.add(s.activity_id)
        if s.activity_id in links:
            row["gear"] = links[s.activity_id]
        if s.distance_raw and row.get("distance_m"):
            pairs.append((s.distance_raw, float(row["distance_m"])))  # type: ignore[arg-type]
        src = str(row.get("tz_source", ""))
        if s.utc_offset_s is not None and not src.startswith(("device", "forced")):
            offset = round_offset(s.utc_offset_s)
            if offset is not None:
                start = pd.Timestamp(row["start_time"])
                local = (start + pd.Timedelta(seconds=offset)).tz_localize(None)
                row.update(local_start=local, local_date=local.normalize(),
                           utc_offset_s=offset, tz_source=TZ_RECORDED)
    unit = distance_unit(pairs, [s for _, s in summaries])
    for src, s in summaries:
        if s.activity_id in matched:
            continue
        if s.parent:
            skipped.append({"path": f"{src}#record {s.index + 1}", "kind": "duplicate",
                            "reason": "a multisport summary whose parts are summaries of "
                                      "their own; counted through its parts"})
            continue
        file_rows.append(summary_row(s, DISTANCE_UNITS[unit], src,
                                     links.get(s.activity_id, ""), tz))
