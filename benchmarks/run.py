"""kneeload benchmarks: prints naive vs cold vs warm ingest, peak memory, rules, PDF, cohort.

    pip install -e ".[test]"            # once (fitparse and gpxpy for the naive loop, dask)
    python benchmarks/run.py            # the full run (about 15-20 min on 2 cores)
    python benchmarks/run.py --quick    # a smaller run to see that it works (about 2 min)

Data (made once in --data, default benchmarks/.data, not committed): a season of 365 runs of
1 h at 1 Hz (80% FIT with 8 record fields, 20% GPX), a ten-year archive of 3,650 such runs,
and in memory a cohort of 1,000 athletes x 3 years of run summaries. Every phase runs in a
fresh process so its peak memory (max RSS of the process, and of its largest worker) is its
own. Speed is measured here, never in the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _peak() -> dict[str, float]:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_mb": round(me, 1), "worker_peak_mb": round(kids, 1)}


# --- phases (each run as: python run.py --phase NAME ...) -------------------------------------


def phase_naive(folder: str) -> dict:
    """What a script without kneeload does: fitparse get_messages and gpxpy, one process,
    building the same summary table (distance, times, climb, heart rate, cadence)."""
    import fitparse
    import gpxpy
    import pandas as pd

    rows = []
    t0 = time.perf_counter()
    for p in sorted(Path(folder).rglob("*")):
        if p.suffix == ".fit":
            records, session, activity = [], {}, {}
            for m in fitparse.FitFile(str(p)).get_messages():
                if m.name == "record":
                    records.append(m.get_values())
                elif m.name == "session":
                    session = m.get_values()
                elif m.name == "activity":
                    activity = m.get_values()
            rec = pd.DataFrame(records)
            rows.append({"file": p.name, "start": session.get("start_time"),
                         "local": activity.get("local_timestamp"),
                         "distance_m": session.get("total_distance"),
                         "elapsed_s": session.get("total_elapsed_time"),
                         "descent_m": session.get("total_descent"),
                         "hr": rec["heart_rate"].mean(), "cadence": rec["cadence"].mean() * 2})
        elif p.suffix == ".gpx":
            g = gpxpy.parse(p.read_text(encoding="utf-8"))
            up, down = g.get_uphill_downhill()
            hrs = [float(e.text) for t in g.tracks for s in t.segments for pt in s.points
                   for ext in pt.extensions for e in ext if e.tag.endswith("hr")]
            rows.append({"file": p.name, "start": g.get_time_bounds().start_time,
                         "distance_m": g.length_2d(), "elapsed_s": g.get_duration(),
                         "descent_m": down, "hr": sum(hrs) / len(hrs)})
    table = pd.DataFrame(rows)
    return {"seconds": time.perf_counter() - t0, "rows": len(table), **_peak()}


def phase_ingest(folder: str, cache: str, backend: str = "fitdecode") -> dict:
    import kneeload

    t0 = time.perf_counter()
    r = kneeload.read_activities(folder, cache=cache, tz="UTC", fit_backend=backend)
    return {"seconds": time.perf_counter() - t0, "rows": len(r.activities),
            "skipped": len(r.skipped), **_peak()}


def phase_rules_pdf(folder: str, cache: str) -> dict:
    import kneeload
    from kneeload.report import write_report

    season = kneeload.Season.from_paths(folder, cache=cache, tz="UTC")
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        flags = kneeload.flags(season.activities)
        kneeload.weekly_table(season.activities)
        kneeload.acwr(season.activities)
        kneeload.monotony(season.activities)
        times.append(time.perf_counter() - t0)
    out = Path(tempfile.mkdtemp()) / "season.pdf"
    t0 = time.perf_counter()
    write_report(season, out)
    pdf = time.perf_counter() - t0
    return {"rules_seconds": sorted(times)[2], "flags": len(flags), "pdf_seconds": pdf,
            "pdf_bytes": out.stat().st_size, **_peak()}


def phase_cohort(n_athletes: int, years: int) -> dict:
    import numpy as np
    import pandas as pd

    from kneeload import cohort, load
    from kneeload.schema import conform_activities

    # Runners as they train: 3-6 fixed running days a week, a long run on one of them,
    # weekly volume drifting slowly with a deload every 4-6 weeks and an occasional jump.
    rng = np.random.default_rng(1)
    frames = []
    weeks = years * 52
    monday = pd.Timestamp("2023-01-02 07:00")
    for a in range(n_athletes):
        days = np.sort(rng.choice(7, size=rng.integers(3, 7), replace=False))
        share = rng.dirichlet(np.ones(days.size) * 4)
        share[np.argmax(share)] += 0.15
        share /= share.sum()
        volume = rng.uniform(15000, 60000)
        vols = []
        for w in range(weeks):
            volume *= rng.choice([1.0, 1.05, 0.97, 1.25], p=[.5, .3, .15, .05])
            volume = float(np.clip(volume, 8000, 120000))
            vols.append(volume * (0.7 if w % rng.integers(4, 7) == 0 else 1.0))
        vols = np.array(vols)
        offs = (np.arange(weeks)[:, None] * 7 + days[None, :]).ravel()
        dist = (vols[:, None] * share[None, :]).ravel() * rng.normal(1, 0.05, offs.size)
        local = monday + pd.to_timedelta(offs, unit="D")
        frames.append(pd.DataFrame({
            "athlete": f"a{a:04d}", "activity_id": [f"{a}-{i}" for i in range(offs.size)],
            "start_time": local.tz_localize("UTC"), "local_start": local,
            "local_date": local.normalize(), "sport": "running", "distance_m": dist,
            "moving_s": dist / 2.8, "elapsed_s": dist / 2.7,
            "descent_m": dist / 1000 * rng.gamma(4, 2.5, offs.size),
            "cadence_spm": rng.normal(rng.uniform(158, 178), 2, offs.size)}))
    acts = pd.concat(frames, ignore_index=True)
    acts = pd.concat([acts[["athlete"]], conform_activities(acts.drop(columns="athlete"))],
                     axis=1)
    t0 = time.perf_counter()
    vec = cohort.cohort_flags(acts)
    t_vec = time.perf_counter() - t0
    t0 = time.perf_counter()
    looped = pd.concat([load.flags(part.drop(columns="athlete")).assign(athlete=a)
                        for a, part in acts.groupby("athlete", sort=True)], ignore_index=True)
    t_loop = time.perf_counter() - t0
    key = ["athlete", "date", "rule", "value"]
    cols = key + ["severity", "week_start", "threshold", "unit", "message"]
    same = vec[cols].sort_values(key).reset_index(drop=True).equals(
        looped[cols].sort_values(key).reset_index(drop=True))
    return {"rows": len(acts), "flags": len(vec), "vectorised_seconds": t_vec,
            "loop_seconds": t_loop, "identical": bool(same), **_peak()}


PHASES = {"naive": phase_naive, "ingest": phase_ingest, "rules_pdf": phase_rules_pdf,
          "cohort": phase_cohort}


def run_phase(name: str, *args: object) -> dict:
    cmd = [sys.executable, str(Path(__file__)), "--phase", name, *map(str, args)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit(f"phase {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_data(root: Path, season_n: int, archive_n: int) -> tuple[Path, Path]:
    import synth
    season, archive = root / f"season-{season_n}", root / f"archive-{archive_n}"
    for folder, n, first in ((season, season_n, dt.date(2025, 1, 1)),
                             (archive, archive_n, dt.date(2015, 1, 1))):
        if not (folder / ".complete").exists():
            t0 = time.perf_counter()
            files = synth.make_runs(folder, n, first)
            assert synth.check_file(next(f for f in files if f.suffix == ".fit")) == 3601
            (folder / ".complete").write_text("ok")
            print(f"made {n} files in {folder} in {time.perf_counter() - t0:.0f} s",
                  file=sys.stderr)
    return season, archive


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(HERE / ".data"))
    ap.add_argument("--quick", action="store_true", help="36 + 100 runs, 50 athletes")
    ap.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        name, *rest = args.phase
        conv = [int(x) if x.isdigit() else x for x in rest]
        print(json.dumps(PHASES[name](*conv)))
        return
    season_n, archive_n, athletes = (36, 100, 50) if args.quick else (365, 3650, 1000)
    season, archive = make_data(Path(args.data), season_n, archive_n)
    cache_root = Path(tempfile.mkdtemp(prefix="kneeload-bench-"))
    print(f"kneeload benchmarks on {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
          f"season {season_n} runs, archive {archive_n} runs, cohort {athletes} athletes x 3 y",
          file=sys.stderr)
    r = {}
    r["naive"] = run_phase("naive", season)
    r["cold"] = run_phase("ingest", season, cache_root / "season")
    r["warm"] = run_phase("ingest", season, cache_root / "season")
    r["cold_fitparse"] = run_phase("ingest", season, cache_root / "season-fp", "fitparse")
    r["rules_pdf"] = run_phase("rules_pdf", season, cache_root / "season")
    r["archive"] = run_phase("ingest", archive, cache_root / "archive")
    r["archive_warm"] = run_phase("ingest", archive, cache_root / "archive")
    r["cohort"] = run_phase("cohort", athletes, 3)
    n, c, w = r["naive"]["seconds"], r["cold"]["seconds"], r["warm"]["seconds"]
    co = r["cohort"]
    lines = [
        "| measure | result | target |",
        "|---|---:|---|",
        f"| season ingest, naive loop (fitparse + gpxpy, 1 process) | {n:.1f} s | |",
        f"| season ingest, kneeload cold (fitdecode, {os.cpu_count()} processes, cache "
        f"written) | {c:.1f} s ({n / c:.1f}x) | >= 6x |",
        f"| season ingest, kneeload warm (cache, nothing changed) | {w:.2f} s ({n / w:.0f}x) "
        f"| >= 100x |",
        f"| season ingest, kneeload cold with the fitparse backend | "
        f"{r['cold_fitparse']['seconds']:.1f} s ({n / r['cold_fitparse']['seconds']:.1f}x) | |",
        f"| peak memory, season ingest (main / largest worker) | {r['cold']['peak_mb']:.0f} / "
        f"{r['cold']['worker_peak_mb']:.0f} MB | < 500 MB |",
        f"| peak memory, naive loop | {r['naive']['peak_mb']:.0f} MB | |",
        f"| ten-year archive ({archive_n} runs) cold ingest | {r['archive']['seconds']:.0f} s "
        f"| |",
        f"| peak memory, archive ingest (main / largest worker) | "
        f"{r['archive']['peak_mb']:.0f} / {r['archive']['worker_peak_mb']:.0f} MB | < 1 GB |",
        f"| ten-year archive warm | {r['archive_warm']['seconds']:.2f} s | |",
        f"| all rules + weekly table + ACWR + monotony on the season | "
        f"{r['rules_pdf']['rules_seconds']:.3f} s | < 0.5 s |",
        f"| season PDF report | {r['rules_pdf']['pdf_seconds']:.2f} s | < 5 s |",
        f"| cohort rules, {co['rows']:,} runs: vectorised / per-athlete loop | "
        f"{co['vectorised_seconds']:.2f} s / {co['loop_seconds']:.1f} s "
        f"({co['loop_seconds'] / co['vectorised_seconds']:.0f}x), flags identical: "
        f"{co['identical']} | >= 20x, identical |",
    ]
    print("\n".join(lines))
    print(json.dumps(r), file=sys.stderr)


if __name__ == "__main__":
    main()
