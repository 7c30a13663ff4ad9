"""Generate sample_data/: a 24-week season of a runner with runner's knee.

Deterministic (seeded); run from the repository root:

    pip install -e ".[dev]"      # fit-tool, the FIT writer (dev-only dependency)
    python scripts/make_sample_data.py

Writes sample_data/runs/*.fit (a Garmin Forerunner 955, with device local time)
and *.gpx (a phone app), sample_data/pain.csv and sample_data/shoes.csv. The
season's story, and what the analysis should find, is in sample_data/README.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import (
    Event,
    EventType,
    FileType,
    Manufacturer,
    Sport,
    SubSport,
)

OUT = Path(__file__).resolve().parent.parent / "sample_data"
TZ = ZoneInfo("Europe/London")
SEASON_START = dt.date(2026, 3, 2)  # a Monday; 24 weeks to Sunday 2026-08-16
M_PER_MI = 1609.344
FIT_EPOCH_UNIX = 631065600  # 1989-12-31T00:00:00Z
HOME = (51.4430, -0.2750)  # a park loop in south-west London
LOOP_M = 4800.0
DAYS = {"Mon": 0, "Tue": 1, "Wed": 2, "Thu": 3, "Fri": 4, "Sat": 5, "Sun": 6}


@dataclass
class Session:
    day: dt.date
    miles: float
    kind: str = "easy"  # easy, long, hilly, treadmill, bike, walk
    device: str = "watch"  # watch (FIT) or phone (GPX) or both (a duplicate export)
    hour: float = 7.0  # local start time [h]
    descent_m: float = 0.0  # target descent for hilly runs


# The plan: per week (1-based), the sessions as (day, miles, kind, options).
# Events planted for the analysis are marked E1..E5 (see sample_data/README.md).
PLAN: dict[int, list[tuple]] = {
    1: [("Tue", 3.0), ("Thu", 3.5), ("Sun", 5.0, "long")],
    2: [("Tue", 3.5), ("Thu", 3.5), ("Sun", 5.5, "long")],
    3: [("Tue", 3.5), ("Thu", 4.0), ("Sat", 2.0), ("Sat", 12.0, "bike"), ("Sun", 4.0, "long")],
    4: [("Tue", 3.0), ("Thu", 3.0, "easy", {"device": "phone"}), ("Sun", 4.0, "long")],  # deload
    5: [("Tue", 3.5), ("Thu", 4.0), ("Sat", 2.5), ("Sun", 5.0, "long")],  # E1: after deload
    6: [("Tue", 3.5), ("Thu", 4.0, "easy", {"device": "both"}), ("Sat", 2.5),
        ("Sun", 5.5, "long")],
    7: [("Tue", 4.0), ("Thu", 4.0), ("Sat", 2.5, "easy", {"device": "phone"}),
        ("Sun", 6.0, "long")],
    8: [("Tue", 5.0), ("Thu", 5.0), ("Sat", 6.0), ("Sun", 8.0, "long")],  # E2: the big jump
    9: [("Tue", 3.5), ("Thu", 3.5), ("Sat", 3.0), ("Sun", 4.0, "long")],
    10: [("Tue", 3.5), ("Wed", 2.0, "walk"), ("Thu", 4.0),
         ("Sat", 3.0, "easy", {"device": "phone"}), ("Sun", 4.5, "long")],
    11: [("Tue", 3.5), ("Thu", 4.0), ("Sat", 3.0), ("Sun", 5.0, "long")],
    12: [("Tue", 3.5), ("Thu", 4.0), ("Sat", 3.5), ("Sun", 5.5, "long")],
    13: [("Tue", 3.0), ("Thu", 3.0, "easy", {"device": "phone"}), ("Sun", 12.0, "long")],  # E3
    14: [("Tue", 3.0), ("Wed", 15.0, "bike"), ("Thu", 3.0), ("Sat", 3.0), ("Sun", 4.0, "long")],
    15: [("Tue", 3.0), ("Thu", 4.0, "hilly", {"descent_m": 250}),  # E4: hills
         ("Sun", 6.0, "hilly", {"descent_m": 450})],
    16: [("Tue", 3.0), ("Thu", 3.5), ("Sat", 3.0, "easy", {"device": "phone"}),
         ("Sun", 4.5, "long")],
    17: [("Tue", 3.5), ("Thu", 3.5), ("Sat", 3.0), ("Sun", 5.0, "long")],
    18: [("Tue", 3.5), ("Wed", 15.0, "bike"), ("Thu", 4.0, "treadmill"), ("Sat", 3.0),
         ("Sun", 5.5, "long")],
    19: [("Tue", 3.5), ("Thu", 4.0, "easy", {"device": "phone"}), ("Sat", 2.0),
         ("Sat", 1.5, "easy", {"hour": 18.5}), ("Sun", 5.5, "long")],
    20: [("Tue", 3.5), ("Thu", 4.0), ("Sat", 3.0), ("Sun", 6.0, "long")],  # E5: pain, no spike
    21: [("Tue", 3.5), ("Thu", 4.0), ("Sat", 3.0, "easy", {"device": "phone"}),
         ("Sun", 6.0, "long")],
    22: [("Tue", 4.0), ("Wed", 15.0, "bike"), ("Thu", 4.0), ("Sat", 3.0), ("Sun", 6.5, "long")],
    23: [("Tue", 3.5), ("Thu", 3.5), ("Sat", 2.5), ("Sun", 4.5, "long")],
    24: [("Tue", 3.5), ("Thu", 4.0, "easy", {"device": "phone"}), ("Sat", 3.0),
         ("Sun", 4.5, "long")],
}


def sessions() -> list[Session]:
    out = []
    for week, items in PLAN.items():
        monday = SEASON_START + dt.timedelta(weeks=week - 1)
        for item in items:
            day, miles = item[0], item[1]
            kind = item[2] if len(item) > 2 else "easy"
            opts = item[3] if len(item) > 3 else {}
            date = monday + dt.timedelta(days=DAYS[day])
            hour = opts.get("hour", 9.0 if day in ("Sat", "Sun") else 7.0)
            if kind == "bike":
                hour = 10.5 if day in ("Sat", "Sun") else 18.0
            out.append(Session(date, miles, kind, opts.get("device", "watch"), hour,
                               opts.get("descent_m", 0.0)))
    return out


def cadence_spm(day: dt.date) -> float:
    """Low cadence (~162 spm) until the physio visit after week 16, then +3 spm a week to 174."""
    week = (day - SEASON_START).days // 7 + 1
    return 162.0 if week <= 16 else min(162.0 + (week - 16) * 3.0, 174.0)


def pace_s_per_mi(kind: str) -> float:
    return {"easy": 585.0, "long": 600.0, "hilly": 660.0, "treadmill": 570.0,
            "walk": 1080.0, "bike": 200.0}[kind]


def track(s: Session, rng: random.Random, step_s: float):
    """Yield (t_s, lat, lon, dist_m, alt_m, speed, hr, cad_spm) samples of one session."""
    dist_total = s.miles * M_PER_MI
    duration = s.miles * pace_s_per_mi(s.kind) * rng.uniform(0.97, 1.03)
    speed = dist_total / duration
    # Elevation: gentle rolling for flat runs; repeated hills sized to the target descent.
    if s.kind == "hilly":
        wavelength = 1600.0
        amplitude = s.descent_m / (2 * dist_total / wavelength)
    else:
        wavelength, amplitude = 2400.0, 3.0
    heading0 = rng.uniform(0, 2 * math.pi)
    cad = cadence_spm(s.day)
    n = int(duration // step_s) + 1
    for i in range(n + 1):
        t = min(i * step_s, duration)
        d = speed * t
        angle = heading0 + 2 * math.pi * d / LOOP_M
        r_deg = LOOP_M / (2 * math.pi) / 111_320.0
        lat = HOME[0] + r_deg * math.sin(angle)
        lon = HOME[1] + r_deg * math.cos(angle) / math.cos(math.radians(HOME[0]))
        alt = 30.0 + amplitude * (1 - math.cos(2 * math.pi * d / wavelength))
        hr = 138 + 10 * (d / dist_total) + rng.uniform(-3, 3) + (8 if s.kind == "hilly" else 0)
        c = cad + rng.uniform(-2, 2) if s.kind not in ("bike",) else 85 + rng.uniform(-3, 3)
        if s.kind == "walk":
            c = 112 + rng.uniform(-3, 3)
        yield t, lat, lon, d, alt, speed, hr, c
        if t >= duration:
            break


def fit_bytes(s: Session, start_utc: dt.datetime, samples: list) -> bytes:
    b = FitFileBuilder(auto_define=True)
    t0 = int(start_utc.timestamp() * 1000)
    fid = FileIdMessage()
    fid.type = FileType.ACTIVITY
    fid.manufacturer = Manufacturer.GARMIN.value
    fid.product = 4024  # Forerunner 955
    fid.serial_number = 3_955_000_123
    fid.time_created = t0
    b.add(fid)
    ev = EventMessage()
    ev.event, ev.event_type, ev.timestamp = Event.TIMER, EventType.START, t0
    b.add(ev)
    on_foot = s.kind != "bike"
    for t, lat, lon, d, alt, speed, hr, c in samples:
        r = RecordMessage()
        r.timestamp = t0 + int(t * 1000)
        if s.kind != "treadmill":
            r.position_lat, r.position_long = lat, lon
        r.distance = d
        r.enhanced_altitude = alt
        r.enhanced_speed = speed
        r.heart_rate = int(round(hr))
        r.cadence = int(round(c / 2)) if on_foot else int(round(c))
        b.add(r)
    end = samples[-1][0]
    t_end = t0 + int(end * 1000)
    ev = EventMessage()
    ev.event, ev.event_type, ev.timestamp = Event.TIMER, EventType.STOP_ALL, t_end
    b.add(ev)
    alts = [x[4] for x in samples]
    ascent = sum(max(b2 - a, 0) for a, b2 in zip(alts, alts[1:], strict=False))
    descent = sum(max(a - b2, 0) for a, b2 in zip(alts, alts[1:], strict=False))
    hrs = [x[6] for x in samples]
    cads = [x[7] for x in samples]
    sport, sub = {
        "bike": (Sport.CYCLING, SubSport.ROAD), "walk": (Sport.WALKING, SubSport.GENERIC),
        "treadmill": (Sport.RUNNING, SubSport.TREADMILL), "hilly": (Sport.RUNNING, SubSport.TRAIL),
    }.get(s.kind, (Sport.RUNNING, SubSport.ROAD))
    for msg in (LapMessage(), SessionMessage()):
        msg.timestamp, msg.start_time = t_end, t0
        msg.total_elapsed_time = msg.total_timer_time = end
        msg.total_distance = samples[-1][3]
        msg.total_ascent, msg.total_descent = int(round(ascent)), int(round(descent))
        msg.avg_heart_rate = int(round(sum(hrs) / len(hrs)))
        msg.max_heart_rate = int(round(max(hrs)))
        msg.sport, msg.sub_sport = sport, sub
        if on_foot:
            msg.avg_running_cadence = int(round(sum(cads) / len(cads) / 2))
        else:
            msg.avg_cadence = int(round(sum(cads) / len(cads)))
        if isinstance(msg, SessionMessage):
            msg.first_lap_index, msg.num_laps = 0, 1
        b.add(msg)
    act = ActivityMessage()
    act.timestamp = t_end
    act.total_timer_time = end
    act.num_sessions = 1
    local_end = dt.datetime.fromtimestamp(t_end / 1000, TZ)
    act.local_timestamp = int(t_end / 1000 + local_end.utcoffset().total_seconds()) - FIT_EPOCH_UNIX
    b.add(act)
    return b.build().to_bytes()


def gpx_text(s: Session, start_utc: dt.datetime, samples: list, rng: random.Random) -> str:
    kind_code = {"bike": "1", "walk": "10"}.get(s.kind, "9")  # Strava's codes
    pts = []
    for t, lat, lon, _d, alt, _v, hr, c in samples:
        when = (start_utc + dt.timedelta(seconds=t)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lat += rng.gauss(0, 1.0) / 111_320.0
        lon += rng.gauss(0, 1.0) / 70_000.0
        ele = alt + rng.gauss(0, 0.7)
        pts.append(
            f'   <trkpt lat="{lat:.7f}" lon="{lon:.7f}">\n    <ele>{ele:.1f}</ele>\n'
            f"    <time>{when}</time>\n    <extensions>\n     <gpxtpx:TrackPointExtension>\n"
            f"      <gpxtpx:hr>{int(round(hr))}</gpxtpx:hr>\n"
            f"      <gpxtpx:cad>{int(round(c / 2))}</gpxtpx:cad>\n"
            "     </gpxtpx:TrackPointExtension>\n    </extensions>\n   </trkpt>")
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx creator="StravaGPX Android" version="1.1" xmlns="http://www.topografix.com/GPX/1/1"'
        ' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        f" <metadata>\n  <time>{start_utc:%Y-%m-%dT%H:%M:%SZ}</time>\n </metadata>\n"
        f" <trk>\n  <name>{'Morning' if s.hour < 12 else 'Evening'} Run</name>\n"
        f"  <type>{kind_code}</type>\n  <trkseg>\n")
    return head + "\n".join(pts) + "\n  </trkseg>\n </trk>\n</gpx>\n"


def write_runs(rng: random.Random) -> list[tuple[Session, dt.datetime]]:
    runs_dir = OUT / "runs"
    if runs_dir.exists():
        shutil.rmtree(runs_dir)
    runs_dir.mkdir(parents=True)
    written = []
    for s in sessions():
        local = dt.datetime.combine(s.day, dt.time(int(s.hour), int(s.hour % 1 * 60)), TZ)
        local += dt.timedelta(minutes=rng.randint(0, 25))
        start_utc = local.astimezone(dt.timezone.utc)
        label = {"bike": "ride", "walk": "walk"}.get(s.kind, "run")
        stem = f"{local:%Y-%m-%d_%H%M}_{label}"
        if s.device in ("watch", "both"):
            samples = list(track(s, random.Random(rng.random()), 5.0))
            (runs_dir / f"{stem}.fit").write_bytes(fit_bytes(s, start_utc, samples))
        if s.device in ("phone", "both"):
            samples = list(track(s, random.Random(rng.random()), 10.0))
            name = f"{stem}_phone.gpx" if s.device == "both" else f"{stem}.gpx"
            (runs_dir / name).write_text(gpx_text(s, start_utc, samples, rng), encoding="utf-8")
        written.append((s, local))
    return written


#: Knee-pain flare-ups (date, pain, when, note); E-labels as in README.md.
FLARES = [
    ("2026-04-27", 3, "next_morning", "front of right knee sore on stairs"),   # E2 +1 day
    ("2026-04-28", 3, "next_morning", "still sore going downstairs"),          # E2 +2
    ("2026-05-31", 4, "during", "knee started hurting at mile 9"),          # E3, during
    ("2026-06-01", 5, "next_morning", "right knee aching after the 12 miler"), # E3 +1
    ("2026-06-02", 4, "next_morning", "sore on stairs"),                       # E3 +2
    ("2026-06-15", 4, "next_morning", "knee sore after the hill runs"),        # E4 +1
    ("2026-06-16", 3, "next_morning", "better but still there"),               # E4 +2
    ("2026-07-15", 3, "rest", "ached at my desk, no idea why"),                # E5
    ("2026-07-16", 3, "next_morning", "ache again this morning"),              # E5
]


def write_pain(runs: list[tuple[Session, dt.datetime]], rng: random.Random) -> None:  # noqa: ARG001
    """After every run: 1/10 after long and hill runs, 0/10 otherwise; plus the flare-ups."""
    flare = {(f[0], f[2]) for f in FLARES}
    rows = []
    for s, local in runs:
        day = local.date().isoformat()
        if s.kind in ("bike", "walk") or (day, "after") in flare:
            continue
        rows.append({"date": day, "pain": 1 if s.kind in ("long", "hilly") else 0,
                     "side": "right", "when": "after", "activity": "", "note": ""})
    for day, pain, when, note in FLARES:
        rows.append({"date": day, "pain": pain, "side": "right", "when": when, "activity": "",
                     "note": note})
    rows.sort(key=lambda r: (r["date"], r["when"]))
    seen = set()
    unique = []
    for r in rows:  # one entry per day and moment (a double day logs once)
        key = (r["date"], r["when"])
        if key not in seen:
            seen.add(key)
            unique.append(r)
    with open(OUT / "pain.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["date", "pain", "side", "when", "activity", "note"])
        w.writeheader()
        w.writerows(unique)


def write_shoes(runs: list[tuple[Session, dt.datetime]]) -> None:
    """Three pairs: the road pair (default) is replaced on 1 June; the trail pair is for trail
    runs and, by the assignments file, every Sunday long run (the rotation)."""
    rows = [
        {"shoe": "Pegasus 40", "brand": "Nike", "model": "Pegasus 40", "first_used": "2025-09-01",
         "retired": "2026-05-31", "notice": "", "replace": "", "unit": "mi",
         "start_distance": "390", "default": "yes", "sports": ""},
        {"shoe": "Speedgoat 5", "brand": "Hoka", "model": "Speedgoat 5",
         "first_used": "2025-11-01", "retired": "", "notice": "", "replace": "", "unit": "mi",
         "start_distance": "180", "default": "", "sports": "trail_running"},
        {"shoe": "Pegasus 41", "brand": "Nike", "model": "Pegasus 41", "first_used": "2026-06-01",
         "retired": "", "notice": "", "replace": "", "unit": "mi", "start_distance": "0",
         "default": "yes", "sports": ""},
    ]
    with open(OUT / "shoe_assignments.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["activity", "shoe"])
        for s, local in runs:
            if s.kind == "long":
                w.writerow([local.date().isoformat(), "Speedgoat 5"])
    with open(OUT / "shoes.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    rng = random.Random(20260302)
    OUT.mkdir(exist_ok=True)
    runs = write_runs(rng)
    write_pain(runs, rng)
    write_shoes(runs)
    n_fit = len(list((OUT / "runs").glob("*.fit")))
    n_gpx = len(list((OUT / "runs").glob("*.gpx")))
    print(f"wrote {n_fit} FIT and {n_gpx} GPX files, pain.csv and shoes.csv to {OUT}")


if __name__ == "__main__":
    main()
