"""Reading a planned schedule: CSV with header ``date,distance`` (distance in the given unit)."""

from __future__ import annotations

import os

import pandas as pd

from .errors import InvalidFileError
from .textfile import read_csv_table, warn_note
from .units import from_unit

#: Longest planned single run accepted [mi or km]: more is a typo.
MAX_PLANNED_DISTANCE = 1000.0


def read_plan(path: str | os.PathLike[str], unit: str = "mi") -> pd.DataFrame:
    """A plan CSV -> ``date`` (datetime64), ``distance_m``.

    Read through :mod:`kneeload.textfile` (UTF-8, UTF-16 or Windows-1252; ``,`` or ``;``);
    every bad row is reported, all at once, with its line; nothing is guessed.
    """
    table = read_csv_table(path, known=("date", "distance"), required=("date", "distance"),
                           what="plan", ordered=("date", "distance"))
    warn_note(table.note)
    problems = table.problems
    rows = []
    for line, r in table.rows:
        where = f"line {line}"
        day = problems.date(where, "date", r["date"], "2026-09-01")
        dist = problems.number(where, "distance", r["distance"],
                               decimal_comma=table.delimiter == ";", minimum=0,
                               maximum=MAX_PLANNED_DISTANCE, unit=unit)
        if day is not None and dist is not None:
            rows.append((pd.Timestamp(day), from_unit(dist, unit)))
    problems.raise_if_any()
    if not rows:
        raise InvalidFileError(table.path, [(None, "has no planned runs")])
    return pd.DataFrame(rows, columns=["date", "distance_m"])
