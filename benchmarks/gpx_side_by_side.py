"""GPX reader: the ElementTree reference path and the fast path, side by side in one run.

For each file, ``parse_gpx(raw, fast=False)`` (ElementTree) and ``parse_gpx(raw)`` (fast path,
ElementTree fallback) are timed alternately, ROUNDS times each; the per-file best and median
are kept, and their sums and ratios printed per group of files. Also prints which files the
fast path declines (they are read by the reference, so they cost the same either way).

    python benchmarks/gpx_side_by_side.py                       # defaults below
    python benchmarks/gpx_side_by_side.py --rounds 9 --bench 20 --corpus ../shared/real_files

The bytes are read (and gunzipped) once, before timing: only parsing is measured. With
``--ingest N``, the first N benchmark GPX files are also read end to end, cold (no cache,
one process: ``read_activities(files, cache=False, workers=1)``), alternating the two paths.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from kneeload.errors import KneeloadError
from kneeload.io import gpx
from kneeload.io._source import open_source

ROOT = Path(__file__).resolve().parent.parent


def _time(raw, fast: bool) -> float:  # noqa: FBT001
    t = time.perf_counter()
    try:
        gpx.parse_gpx(raw, fast=fast)
    except KneeloadError:
        pass
    return time.perf_counter() - t


def _accepted(raw) -> bool:
    try:
        gpx._points_fast(raw)
    except gpx._Fallback:
        return False
    return True


def measure(paths: list[Path], rounds: int) -> list[tuple[str, int, bool, list, list]]:
    out = []
    for p in paths:
        raw = open_source(p)
        _time(raw, True), _time(raw, False)  # warm-up (regex compile, imports)
        et, fast = [], []
        for _ in range(rounds):
            et.append(_time(raw, False))
            fast.append(_time(raw, True))
        out.append((p.name, len(raw.data), _accepted(raw), et, fast))
    return out


def report(title: str, rows) -> None:
    if not rows:
        return
    print(f"\n## {title}: {len(rows)} files, "
          f"{sum(r[2] for r in rows)} read by the fast path")
    print(f"{'file':48} {'KB':>6} {'fast?':>5} {'ET best':>8} {'fast best':>9} {'ratio':>6}")
    for name, size, ok, et, fast in rows:
        print(f"{name[:48]:48} {size / 1024:6.0f} {'yes' if ok else 'no':>5} "
              f"{min(et) * 1e3:8.2f} {min(fast) * 1e3:9.2f} {min(fast) / min(et):6.2f}")
    for label, pick in (("best", min), ("median", statistics.median)):
        et_sum = sum(pick(r[3]) for r in rows)
        fast_sum = sum(pick(r[4]) for r in rows)
        print(f"sum of per-file {label}: ET {et_sum * 1e3:.1f} ms, fast {fast_sum * 1e3:.1f} ms, "
              f"fast/ET = {fast_sum / et_sum:.3f} ({et_sum / fast_sum:.2f}x faster)")


def ingest(paths: list[Path], rounds: int) -> None:
    """Cold ingest (parse, summary, table) of ``paths``, the two paths alternating."""
    from kneeload.io import read_activities
    defaults = gpx.parse_gpx.__kwdefaults__
    times: dict[bool, list[float]] = {False: [], True: []}
    try:
        for r in range(rounds + 1):
            for fast in (False, True):
                defaults["fast"] = fast
                t = time.perf_counter()
                res = read_activities(paths, cache=False, workers=1, progress=False)
                if r:  # the first round warms up
                    times[fast].append(time.perf_counter() - t)
                assert len(res.activities) == len(paths)
    finally:
        defaults["fast"] = True
    et, fa = statistics.median(times[False]), statistics.median(times[True])
    print(f"\n## cold ingest of {len(paths)} benchmark GPX files (read_activities, no cache, "
          f"1 process), median of {rounds}")
    print(f"ET {et:.2f} s, fast {fa:.2f} s, fast/ET = {fa / et:.3f} ({et / fa:.2f}x faster); "
          f"best: ET {min(times[False]):.2f} s, fast {min(times[True]):.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--bench", type=int, default=10, help="benchmark GPX files to time")
    ap.add_argument("--bench-dir", type=Path,
                    default=ROOT / "benchmarks" / ".data" / "season-365")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "real_files")
    ap.add_argument("--ingest", type=int, default=0,
                    help="also time a cold ingest of this many benchmark GPX files")
    a = ap.parse_args()
    bench = sorted(a.bench_dir.rglob("*.gpx"))[:a.bench] if a.bench_dir.is_dir() else []
    corpus = sorted((a.corpus / "gpx").iterdir()) if (a.corpus / "gpx").is_dir() else []
    print(f"rounds per file and path: {a.rounds} (alternating ET, fast)")
    report(f"benchmark GPX ({a.bench_dir})", measure(bench, a.rounds))
    report(f"real GPX corpus ({a.corpus / 'gpx'})", measure(corpus, a.rounds))
    if a.ingest:
        ingest(sorted(a.bench_dir.rglob("*.gpx"))[:a.ingest], max(3, a.rounds // 2))


if __name__ == "__main__":
    main()
