"""The ``kneeload`` command. ``main(argv) -> int`` so it can be tested in-process.

Exit status: 0 all well, 1 something to act on (skipped files, flags at or above
the threshold), 2 usage or input errors.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence

import pandas as pd

from . import __version__
from .errors import KneeloadError
from .io import ReadResult, read_activities
from .schema import RUNNING_SPORTS
from .units import (
    UNITS,
    elevation_unit,
    format_duration,
    to_elevation_unit,
    to_unit,
)

EXIT_OK, EXIT_FLAGGED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors: keep that
        self.print_usage(sys.stderr)
        raise _UsageExit(f"{self.prog}: error: {message}")


class _UsageExit(Exception):
    pass


def _json_value(v: object) -> object:
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if hasattr(v, "item"):  # numpy scalars
        return _json_value(v.item())
    return v


def records(df: pd.DataFrame) -> list[dict[str, object]]:
    """DataFrame rows as JSON-ready dicts (ISO times, null for missing)."""
    return [{k: _json_value(v) for k, v in row.items()} for row in df.to_dict("records")]


def _add_input_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="FIT/GPX/TCX files (plain or .gz) or folders")
    p.add_argument("--unit", choices=UNITS, default="mi", help="display unit (default: mi)")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--tz", default=None,
                   help="time zone for files without device local time "
                        "(IANA name, default: the machine's)")


def _read(args: argparse.Namespace) -> ReadResult:
    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        raise _UsageExit("no such file or folder: " + ", ".join(missing))
    return read_activities(args.paths, tz=args.tz)


def _summary_table(df: pd.DataFrame, unit: str) -> str:
    eu = elevation_unit(unit)
    lines = [f"{'date':<10}  {'start':<5}  {'sport':<13} {'distance':>10}  {'time':>8}  "
             f"{'descent':>8}  file"]
    for r in df.itertuples():
        dist = "" if pd.isna(r.distance_m) else f"{to_unit(r.distance_m, unit):.2f} {unit}"
        desc = "" if pd.isna(r.descent_m) else f"{to_elevation_unit(r.descent_m, unit):.0f} {eu}"
        mark = " (partial)" if r.partial else ""
        name = os.path.basename(r.source_path)
        session = f"#{r.session_index}" if r.session_index else ""
        lines.append(f"{r.local_start:%Y-%m-%d}  {r.local_start:%H:%M}  {r.sport:<13} "
                     f"{dist:>10}  {format_duration(r.moving_s):>8}  {desc:>8}  "
                     f"{name}{session}{mark}")
    return "\n".join(lines)


def cmd_summary(args: argparse.Namespace) -> int:
    result = _read(args)
    acts, skipped = result.activities, result.skipped
    not_read = skipped[skipped["kind"] != "duplicate"]
    if args.json:
        out = {"unit": args.unit,
               "activities": records(acts.assign(
                   distance=acts["distance_m"] / (1609.344 if args.unit == "mi" else 1000.0))),
               "skipped": records(skipped)}
        print(json.dumps(out, indent=2))
    else:
        runs = acts[acts["sport"].isin(RUNNING_SPORTS)]
        print(_summary_table(acts, args.unit))
        print(f"\n{len(acts)} activities, {len(runs)} runs, "
              f"{to_unit(runs['distance_m'].sum(), args.unit):.1f} {args.unit} running")
        partial = acts[acts["partial"] | (acts["note"] != "")]
        if len(partial):
            print("\nNotes:")
            for r in partial.itertuples():
                print(f"  {r.source_path}: {r.note}")
        for kind, title in (("not read", not_read),
                            ("counted once", skipped[skipped["kind"] == "duplicate"])):
            if len(title):
                print(f"\nSkipped ({kind}): {len(title)}")
                for r in title.itertuples():
                    print(f"  {r.path}: {r.reason}")
    return EXIT_FLAGGED if len(not_read) else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kneeload", description="Running load and knee-injury risk.")
    parser.add_argument("--version", action="version", version=f"kneeload {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    p = sub.add_parser("summary", help="list the activities read and the files skipped")
    _add_input_args(p)
    p.set_defaults(func=cmd_summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        return int(args.func(args))
    except _UsageExit as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except KneeloadError as exc:
        print(f"kneeload: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
