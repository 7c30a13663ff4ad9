"""Summary-first FIT ingest, before and after, side by side in one run.

Two measures, each alternating the baseline code (a copy of ``kneeload/`` from another
commit, imported with ``PYTHONPATH``) and this tree's code, every round in a fresh process:

* per-file cost: ``parse_fit`` + ``summarise`` of every FIT file of a folder, the bytes read
  into memory first and one untimed pass to warm up; the process prints the mean cost a file
  of each of ``--inner`` passes, the median of those is kept;
* cold ingest: ``read_activities(folder, workers=1, cache=<a fresh temporary folder>)`` on a
  copy of the folder's FIT files, wall and CPU time of the call (imports excluded); the two
  sides' activities tables must be identical (checked every round).

Usage (from the repository's root)::

    mkdir -p /tmp/base && git archive main kneeload | tar -x -C /tmp/base
    python benchmarks/fit_summary_side_by_side.py --base /tmp/base \\
        benchmarks/.data/archive-3650/2016 --rounds 7

Prints each round and the medians, and new/base ratios of the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent

_PER_FILE = r"""
import json, sys, time
from pathlib import Path
from kneeload.io._source import open_source
from kneeload.io._summary import summarise
from kneeload.io._time import placement
from kneeload.io.fit import parse_fit
paths = sorted(Path(sys.argv[1]).glob("*.fit"))
raws = [open_source(p) for p in paths]
zone = placement("Europe/London")
def one_pass():
    t0 = time.perf_counter()
    for raw in raws:
        for p in parse_fit(raw):
            summarise(p, zone)
    return (time.perf_counter() - t0) / len(raws)
one_pass()  # warm-up: imports, the profile tables, caches
costs = [one_pass() for _ in range(int(sys.argv[2]))]
import kneeload
print(json.dumps({"file": kneeload.__file__, "n": len(raws), "costs": costs}))
"""

_COLD = r"""
import json, os, sys, tempfile, time
import kneeload
folder = sys.argv[1]
with tempfile.TemporaryDirectory(prefix="fitsum-cache-") as cache:
    t0, c0 = time.perf_counter(), os.times()
    res = kneeload.read_activities(folder, workers=1, cache=cache, progress=False)
    c1 = os.times()
    wall = time.perf_counter() - t0
acts = res.activities
acts.to_pickle(sys.argv[2])
print(json.dumps({"file": kneeload.__file__, "rows": len(acts), "wall": wall,
                  "cpu": (c1.user - c0.user) + (c1.system - c0.system)}))
"""


def _run(code: str, pythonpath: str | None, *args: str) -> dict:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    else:
        env.pop("PYTHONPATH", None)
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd="/tmp",
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", help="a folder with FIT files (others are ignored)")
    ap.add_argument("--base", required=True, help="folder holding the baseline kneeload/")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--inner", type=int, default=3, help="timed passes per per-file process")
    args = ap.parse_args()
    sides = {"base": os.path.abspath(args.base), "new": str(ROOT)}

    with tempfile.TemporaryDirectory(prefix="fitsum-fits-") as tmp:
        for p in sorted(Path(args.folder).glob("*.fit")):
            shutil.copy(p, tmp)
        n = len(list(Path(tmp).glob("*.fit")))
        print(f"{n} FIT files from {args.folder}; {args.rounds} rounds, alternating "
              f"base ({sides['base']}) and new ({sides['new']}); "
              f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
              f"load average {os.getloadavg()[0]:.1f}")
        per_file: dict[str, list[float]] = {"base": [], "new": []}
        wall: dict[str, list[float]] = {"base": [], "new": []}
        cpu: dict[str, list[float]] = {"base": [], "new": []}
        rows: dict[str, int] = {}
        for r in range(args.rounds):
            order = ("base", "new") if r % 2 == 0 else ("new", "base")
            for side in order:
                res = _run(_PER_FILE, sides[side], tmp, str(args.inner))
                assert res["file"].startswith(sides[side]), res["file"]
                per_file[side].append(statistics.median(res["costs"]))
            for side in order:
                res = _run(_COLD, sides[side], tmp, f"{tmp}.{side}.pkl")
                assert res["file"].startswith(sides[side]), res["file"]
                wall[side].append(res["wall"])
                cpu[side].append(res["cpu"])
                rows[side] = res["rows"]
            pd.testing.assert_frame_equal(pd.read_pickle(f"{tmp}.base.pkl"),
                                          pd.read_pickle(f"{tmp}.new.pkl"), check_exact=True)
            print(f"round {r + 1}: per file base {per_file['base'][-1] * 1e3:.2f} ms, new "
                  f"{per_file['new'][-1] * 1e3:.2f} ms; cold base {wall['base'][-1]:.2f} s "
                  f"({cpu['base'][-1]:.2f} CPU), new {wall['new'][-1]:.2f} s "
                  f"({cpu['new'][-1]:.2f} CPU); load {os.getloadavg()[0]:.1f}", flush=True)
    for side in sides:
        os.remove(f"{tmp}.{side}.pkl")
    assert rows["base"] == rows["new"] == n, rows
    med = {k: {s: statistics.median(v[s]) for s in v} for k, v in
           (("per_file", per_file), ("wall", wall), ("cpu", cpu))}
    print(f"\nmedians of {args.rounds} rounds ({n} files, {rows['new']} activities each side):")
    print(f"  parse_fit + summarise a file: base {med['per_file']['base'] * 1e3:.2f} ms, "
          f"new {med['per_file']['new'] * 1e3:.2f} ms, new/base "
          f"{med['per_file']['new'] / med['per_file']['base']:.2f}")
    print(f"  cold read_activities(workers=1): wall base {med['wall']['base']:.2f} s, new "
          f"{med['wall']['new']:.2f} s, new/base {med['wall']['new'] / med['wall']['base']:.2f};"
          f" CPU base {med['cpu']['base']:.2f} s, new {med['cpu']['new']:.2f} s, new/base "
          f"{med['cpu']['new'] / med['cpu']['base']:.2f}")
    print("  activities tables identical (base vs new) in every round")


if __name__ == "__main__":
    main()
