"""Reading a planned schedule: CSV with header ``date,distance`` (distance in the given unit)."""

from __future__ import annotations

import csv
import datetime as dt
import os

import pandas as pd

from .errors import InputError
from .units import from_unit


def read_plan(path: str | os.PathLike[str], unit: str = "mi") -> pd.DataFrame:
    """A plan CSV -> ``date`` (datetime64), ``distance_m``. Every bad row is an error naming
    its line; nothing is guessed."""
    path = os.fspath(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            if header[:2] != ["date", "distance"]:
                raise InputError(path, f"header must start with 'date,distance', not "
                                 f"{','.join(reader.fieldnames or []) or 'nothing'!r}", "line 1")
            rows = []
            for lineno, row in enumerate(reader, start=2):
                raw = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
                try:
                    day = dt.date.fromisoformat(raw["date"])
                except ValueError:
                    raise InputError(path, f"date {raw['date']!r} is not an ISO date like "
                                     "2026-09-01", f"line {lineno}") from None
                try:
                    dist = float(raw["distance"])
                except ValueError:
                    raise InputError(path, f"distance {raw['distance']!r} is not a number",
                                     f"line {lineno}") from None
                if dist < 0:
                    raise InputError(path, f"distance {dist:g} is negative", f"line {lineno}")
                rows.append((pd.Timestamp(day), from_unit(dist, unit)))
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from exc
    if not rows:
        raise InputError(path, "has no planned runs")
    return pd.DataFrame(rows, columns=["date", "distance_m"])
