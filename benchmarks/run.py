"""kneeload benchmarks: kneeload cold and warm against the naive loop and the peers, in one run.

    pip install -e ".[test,bench]"      # once (fitparse + gpxpy for the naive loop, chiptime)
    python benchmarks/run.py            # the full run (about 15-20 min on 2 cores)
    python benchmarks/run.py --quick    # a smaller run to see that it works (about 3 min)

Data (made once in --data, default benchmarks/.data, not committed): a season of 365 runs of
1 h at 1 Hz (80% FIT with 8 record fields, 20% GPX), a ten-year archive of 3,650 such runs,
and in memory a cohort of 1,000 athletes x 3 years of run summaries. Every phase runs in a
fresh process so its peak memory (max RSS of the process, and of its largest worker) is its
own. The machine is shared and noisy: compare the ratios of one run, not absolute times.

Peers: chiptime (MIT, the ``bench`` extra) reads FIT only, so it is compared with kneeload and
the naive loop on the season's FIT files; activity-parser is measured too when it happens to
be installed (never a dependency: it wraps Garmin's FIT SDK, under Garmin's licence).
Speed is measured here, never in the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _peak() -> dict[str, float]:
    """Peak memory, and the CPU time of the phase's process and its workers: on a shared,
    loaded machine CPU time moves far less than wall time, so both ratios are reported."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return {"peak_mb": round(me.ru_maxrss / 1024, 1),
            "worker_peak_mb": round(kids.ru_maxrss / 1024, 1),
            "cpu_seconds": round(me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
                                 - _CPU_AT_START, 2)}


_CPU_AT_START = sum(getattr(resource.getrusage(resource.RUSAGE_SELF), f)
                    for f in ("ru_utime", "ru_stime"))


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


def phase_naive_fit(folder: str) -> dict:
    """The naive loop on FIT files only (the files chiptime can read)."""
    import fitparse
    import pandas as pd

    rows = []
    t0 = time.perf_counter()
    for p in sorted(Path(folder).rglob("*.fit")):
        records, session = [], {}
        for m in fitparse.FitFile(str(p)).get_messages():
            if m.name == "record":
                records.append(m.get_values())
            elif m.name == "session":
                session = m.get_values()
        rec = pd.DataFrame(records)
        rows.append({"file": p.name, "start": session.get("start_time"),
                     "distance_m": session.get("total_distance"),
                     "descent_m": session.get("total_descent"),
                     "hr": rec["heart_rate"].mean(), "cadence": rec["cadence"].mean() * 2})
    return {"seconds": time.perf_counter() - t0, "rows": len(pd.DataFrame(rows)), **_peak()}


def phase_chiptime(folder: str) -> dict:
    """chiptime's documented entry point, parse(), building the same summary table."""
    import chiptime
    import pandas as pd

    rows = []
    t0 = time.perf_counter()
    for p in sorted(Path(folder).rglob("*.fit")):
        act = chiptime.parse(str(p)).activity
        for s in act.sessions:
            t = s.declared
            rows.append({"file": p.name, "start": s.start_time, "sport": s.sport,
                         "distance_m": t.distance_m, "elapsed_s": t.elapsed_time_s,
                         "descent_m": t.descent_m, "hr": (t.avg or {}).get("heart_rate"),
                         "records": s.records.n})
    return {"seconds": time.perf_counter() - t0, "rows": len(pd.DataFrame(rows)), **_peak()}


def phase_activity_parser(folder: str) -> dict:
    """activity-parser, when installed (benchmarked only, never a dependency)."""
    try:
        import activity_parser
    except ImportError:
        return {"seconds": None, "rows": 0, "note": "not installed", **_peak()}
    n = 0
    t0 = time.perf_counter()
    for p in sorted(Path(folder).rglob("*.fit")):
        activity_parser.parse(str(p))  # pragma: no cover - optional peer
        n += 1
    return {"seconds": time.perf_counter() - t0, "rows": n, **_peak()}


def phase_ingest(folder: str, cache: str, backend: str = "fitdecode",
                 workers: int | str = "default") -> dict:
    import kneeload

    w = None if workers == "default" else int(workers)
    t0 = time.perf_counter()
    r = kneeload.read_activities(folder, cache=cache, tz="UTC", fit_backend=backend,
                                 workers=w)
    return {"seconds": time.perf_counter() - t0, "rows": len(r.activities),
            "skipped": len(r.skipped), **_peak()}


def phase_share(corpus: str) -> dict:
    """Share of the real FIT corpus the vectorised path reads (the rest goes to fitdecode)."""
    from kneeload.io._source import open_source
    from kneeload.io.fit_fast import Fallback, read_fit_fast

    files = sorted(p for p in (Path(corpus) / "fit").iterdir())
    declined = {}
    for p in files:
        try:
            read_fit_fast(open_source(p).data)
        except Fallback as exc:
            declined[p.name] = str(exc)
    return {"files": len(files), "fast": len(files) - len(declined), "declined": declined,
            **_peak()}


def phase_decode(folder: str) -> dict:
    """One 1 h FIT file decoded by each FIT decoder, median of 5 [s]."""
    import fitdecode
    import fitparse

    from kneeload.io.fit_fast import read_fit_fast

    path = sorted(Path(folder).rglob("*.fit"))[0]
    data = path.read_bytes()

    def med(fn) -> float:
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return sorted(times)[2]

    def fd() -> None:
        import io
        with fitdecode.FitReader(io.BytesIO(data), processor=None) as r:
            for _ in r:
                pass

    return {"fast": med(lambda: read_fit_fast(data)), "fitdecode": med(fd),
            "fitparse": med(lambda: list(fitparse.FitFile(data).get_messages("record"))),
            **_peak()}


#: The environment a user's Python runs in. This workplace sets PYTHONDONTWRITEBYTECODE=1,
#: so every process would compile kneeload's modules from source (~70 ms a run here) where a
#: user's Python reads the bytecode it wrote the first time.
USER_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def phase_check(folder: str, cache: str) -> dict:
    """A warm daily `kneeload check` end to end: a new interpreter, imports, cache, rules,
    output (median of 5 runs)."""
    times, code = [], None
    cmd = [sys.executable, "-m", "kneeload.cli", "check", str(folder), "--cache-dir", str(cache),
           "--tz", "UTC"]
    subprocess.run(cmd, capture_output=True, check=False, env=USER_ENV)  # bytecode written
    for _ in range(5):
        t0 = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, check=False, env=USER_ENV)
        times.append(time.perf_counter() - t0)
        code = out.returncode
        if code not in (0, 1):
            raise SystemExit(f"kneeload check failed ({code}):\n{out.stderr[-2000:]}")
    return {"seconds": sorted(times)[2], "exit": code, **_peak()}


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


PHASES = {"naive": phase_naive, "naive_fit": phase_naive_fit, "chiptime": phase_chiptime,
          "activity_parser": phase_activity_parser, "ingest": phase_ingest,
          "share": phase_share, "decode": phase_decode, "check": phase_check,
          "rules_pdf": phase_rules_pdf, "cohort": phase_cohort}


def run_phase(name: str, *args: object) -> dict:
    cmd = [sys.executable, str(Path(__file__)), "--phase", name, *map(str, args)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, env=USER_ENV)
    if out.returncode:
        raise SystemExit(f"phase {name} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{name} {' '.join(map(str, args[:1]))}: {json.dumps(result)}", file=sys.stderr)
    return result


def fit_only(season: Path) -> Path:
    """A folder of links to the season's FIT files (what chiptime reads)."""
    folder = season.parent / (season.name + "-fit")
    if not folder.exists():
        folder.mkdir()
        for p in sorted(season.rglob("*.fit")):
            (folder / p.name).symlink_to(p)
    return folder


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
    ap.add_argument("--ingest-only", action="store_true",
                    help="only the season's ingest, peers and daily check (no archive, PDF, "
                    "cohort)")
    ap.add_argument("--archive-only", action="store_true",
                    help="only the season cold and warm, the warm daily check and the ten-year "
                    "archive cold and warm (no peers, PDF, cohort): a few minutes")
    ap.add_argument("--workers-only", action="store_true",
                    help="only cold ingests with 1 and 2 worker processes and the default, "
                    "alternated (--rounds), on the season and on 1,000 archive files")
    ap.add_argument("--rounds", type=int, default=3)
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
    fits = fit_only(season)
    corpus = os.environ.get("KNEELOAD_REAL_FILES") or next(
        (str(c) for c in (HERE.parent.parent / "shared" / "real_files",
                          HERE.parent.parent.parent / "shared" / "real_files") if c.is_dir()),
        None)
    r = {}
    if args.workers_only:
        print(workers_report(workers_side_by_side(season, archive, cache_root, args.rounds)))
        return
    if args.archive_only:
        r["cold"] = run_phase("ingest", season, cache_root / "season")
        r["warm"] = run_phase("ingest", season, cache_root / "season")
        r["check"] = run_phase("check", season, cache_root / "season")
        r["archive"] = run_phase("ingest", archive, cache_root / "archive")
        r["archive_warm"] = run_phase("ingest", archive, cache_root / "archive")
        print(archive_report(r, season_n, archive_n))
        print(json.dumps(r), file=sys.stderr)
        return
    # side by side, in one run: the whole season, then its FIT files with the FIT-only peer
    r["naive"] = run_phase("naive", season)
    r["cold"] = run_phase("ingest", season, cache_root / "season")
    r["warm"] = run_phase("ingest", season, cache_root / "season")
    r["check"] = run_phase("check", season, cache_root / "season")
    r["cold_1"] = run_phase("ingest", season, cache_root / "season-1w", "fitdecode", 1)
    if not args.ingest_only:
        r["cold_fitdecode"] = run_phase("ingest", season, cache_root / "season-fd",
                                        "fitdecode-only")
    r["naive_fit"] = run_phase("naive_fit", fits)
    r["chiptime"] = run_phase("chiptime", fits)
    r["activity_parser"] = run_phase("activity_parser", fits)
    r["cold_fit"] = run_phase("ingest", fits, cache_root / "fits")
    r["decode"] = run_phase("decode", fits)
    r["share"] = run_phase("share", corpus) if corpus else None
    if not args.ingest_only:
        r["rules_pdf"] = run_phase("rules_pdf", season, cache_root / "season")
        r["archive"] = run_phase("ingest", archive, cache_root / "archive")
        r["archive_warm"] = run_phase("ingest", archive, cache_root / "archive")
        r["cohort"] = run_phase("cohort", athletes, 3)
    print(report(r, season_n, archive_n))
    print(json.dumps(r), file=sys.stderr)


def first_files(folder: Path, n: int) -> Path:
    """A folder of links to the first ``n`` files of ``folder`` (by name, all subfolders)."""
    out = folder.parent / f"{folder.name}-first{n}"
    if not out.exists():
        out.mkdir()
        for p in sorted(f for f in folder.rglob("*") if f.suffix in (".fit", ".gpx"))[:n]:
            (out / p.name).symlink_to(p)
    return out


def workers_side_by_side(season: Path, archive: Path, cache_root: Path, rounds: int) -> dict:
    """Cold ingests with 1 and 2 processes and the default count, alternated ``rounds``
    times on each data set (each in a fresh process with a fresh cache), so the machine's
    load changes hit every setting alike."""
    sets = {"season": season, "archive-1000": first_files(archive, 1000)}
    out: dict = {name: {"1": [], "2": [], "default": []} for name in sets}
    for folder in sets.values():  # the files in the page cache first: no setting reads the disk
        for f in folder.rglob("*"):
            if f.is_file():
                f.read_bytes()
    for r in range(rounds):
        for name, folder in sets.items():
            for w in ("1", "2", "default"):
                res = run_phase("ingest", folder, cache_root / f"w-{name}-{w}-{r}", "fitdecode",
                                w)
                res["load"] = os.getloadavg()[0]
                out[name][w].append(res)
    return out


def workers_report(out: dict) -> str:
    lines = ["| data | 1 process (median wall / CPU) | 2 processes | default | "
             "2 vs 1 (wall) | load average |", "|---|---:|---:|---:|---:|---|"]
    for name, by in out.items():
        med = {w: statistics.median(x["seconds"] for x in runs) for w, runs in by.items()}
        cpu = {w: statistics.median(x["cpu_seconds"] for x in runs) for w, runs in by.items()}
        loads = [x["load"] for runs in by.values() for x in runs]
        lines.append(f"| {name} | {med['1']:.1f} s / {cpu['1']:.1f} s | {med['2']:.1f} s / "
                     f"{cpu['2']:.1f} s | {med['default']:.1f} s / {cpu['default']:.1f} s | "
                     f"{med['2'] / med['1']:.2f} | {min(loads):.1f}-{max(loads):.1f} |")
    return "\n".join(lines)


def archive_report(r: dict, season_n: int, archive_n: int) -> str:
    """The ``--archive-only`` table: wall and CPU time, and the archive's cost per file
    against the season's (both cold, in this one run)."""
    c, a, aw = r["cold"], r["archive"], r["archive_warm"]
    per_season, per_archive = c["cpu_seconds"] / season_n, a["cpu_seconds"] / archive_n
    return "\n".join([
        "| measure | result | target |",
        "|---|---:|---|",
        f"| season ({season_n} runs), kneeload cold | {c['seconds']:.1f} s wall, "
        f"{c['cpu_seconds']:.1f} s CPU ({per_season * 1000:.0f} ms CPU a file) | |",
        f"| season, kneeload warm | {r['warm']['seconds']:.2f} s "
        f"({c['seconds'] / r['warm']['seconds']:.0f}x faster than cold) | |",
        f"| warm daily `kneeload check` end to end (new process, median of 5) | "
        f"{r['check']['seconds']:.2f} s | < 0.6 s |",
        f"| ten-year archive ({archive_n} runs) cold | {a['seconds']:.1f} s wall, "
        f"{a['cpu_seconds']:.1f} s CPU ({per_archive * 1000:.0f} ms CPU a file, "
        f"{per_archive / per_season:.2f}x the season's) | < 60 s |",
        f"| peak memory, archive (main / largest worker) | {a['peak_mb']:.0f} / "
        f"{a['worker_peak_mb']:.0f} MB | < 1 GB |",
        f"| ten-year archive warm | {aw['seconds']:.2f} s "
        f"({a['seconds'] / aw['seconds']:.0f}x faster than cold) | |",
    ])


def report(r: dict, season_n: int, archive_n: int) -> str:
    n, c, w = r["naive"]["seconds"], r["cold"]["seconds"], r["warm"]["seconds"]
    nf, ch, cf = r["naive_fit"]["seconds"], r["chiptime"]["seconds"], r["cold_fit"]["seconds"]
    cpu = {k: v["cpu_seconds"] for k, v in r.items() if isinstance(v, dict) and "cpu_seconds" in v}
    ap = r["activity_parser"]["seconds"]
    d = r["decode"]
    cores = os.cpu_count()
    lines = [
        "| measure | result | target |",
        "|---|---:|---|",
        f"| season ({season_n} runs) naive loop (fitparse + gpxpy, 1 process) | {n:.1f} s | |",
        f"| season, kneeload cold ({cores} processes, cache written) | {c:.1f} s "
        f"(**{n / c:.1f}x** the naive loop; CPU time {cpu['naive'] / cpu['cold']:.1f}x) "
        "| >= 15x |",
        f"| season, kneeload cold, 1 process | {r['cold_1']['seconds']:.1f} s "
        f"({n / r['cold_1']['seconds']:.1f}x; CPU time {cpu['naive'] / cpu['cold_1']:.1f}x) "
        "| |",
    ]
    if "cold_fitdecode" in r:
        lines.append(f"| season, kneeload cold, fitdecode for every file ({cores} processes) | "
                     f"{r['cold_fitdecode']['seconds']:.1f} s "
                     f"({n / r['cold_fitdecode']['seconds']:.1f}x) | |")
    lines += [
        f"| season, kneeload warm (cache, nothing changed) | {w:.2f} s ({n / w:.0f}x) | |",
        f"| warm daily `kneeload check` end to end (new process) | "
        f"{r['check']['seconds']:.2f} s | < 0.6 s |",
        f"| season's FIT files: naive fitparse loop / chiptime / kneeload cold | {nf:.1f} s / "
        f"{ch:.1f} s / {cf:.1f} s | |",
        f"| kneeload cold / chiptime on the same FIT files | **{cf / ch:.2f}** (CPU time "
        f"{cpu['cold_fit'] / cpu['chiptime']:.2f}) | <= 0.5 |",
        f"| kneeload cold vs naive loop on the same FIT files | {nf / cf:.1f}x | |",
        "| activity-parser on the same FIT files | "
        + ("not installed" if ap is None else f"{ap:.1f} s (kneeload {cf / ap:.2f} of it)")
        + " | |",
        f"| one 1 h FIT file: kneeload fast path / fitdecode / fitparse | "
        f"{d['fast'] * 1000:.2f} / {d['fitdecode'] * 1000:.0f} / {d['fitparse'] * 1000:.0f} ms "
        f"(fast path {d['fitdecode'] / d['fast']:.0f}x fitdecode) | |",
    ]
    if r.get("share"):
        sh = r["share"]
        lines.append(f"| real FIT corpus read by the fast path | {sh['fast']} of {sh['files']} "
                     f"({sh['fast'] / sh['files']:.0%}) | >= 90% |")
    lines += [
        f"| peak memory, season cold (main / largest worker) | {r['cold']['peak_mb']:.0f} / "
        f"{r['cold']['worker_peak_mb']:.0f} MB | no higher than before |",
        f"| peak memory, naive loop / chiptime | {r['naive']['peak_mb']:.0f} / "
        f"{r['chiptime']['peak_mb']:.0f} MB | |",
    ]
    if "archive" in r:
        co = r["cohort"]
        lines += [
            f"| ten-year archive ({archive_n} runs) cold | {r['archive']['seconds']:.0f} s "
            "| < 60 s |",
            f"| peak memory, archive (main / largest worker) | {r['archive']['peak_mb']:.0f} / "
            f"{r['archive']['worker_peak_mb']:.0f} MB | < 1 GB |",
            f"| ten-year archive warm | {r['archive_warm']['seconds']:.2f} s | |",
            f"| all rules + weekly table + ACWR + monotony on the season | "
            f"{r['rules_pdf']['rules_seconds']:.3f} s | < 0.5 s |",
            f"| season PDF report | {r['rules_pdf']['pdf_seconds']:.2f} s | < 5 s |",
            f"| cohort rules, {co['rows']:,} runs: vectorised / per-athlete loop | "
            f"{co['vectorised_seconds']:.2f} s / {co['loop_seconds']:.1f} s "
            f"({co['loop_seconds'] / co['vectorised_seconds']:.0f}x), flags identical: "
            f"{co['identical']} | >= 20x, identical |",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
