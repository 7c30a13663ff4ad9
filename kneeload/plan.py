"""Reading a planned schedule: CSV with header ``date,distance`` (distance in the given unit).

The file :func:`kneeload.planfiles.write_plan_csv` writes has more columns (``unit``,
``kind``, ``week``, ``week_start``, ``bounded_by``, ``target``, ``note``); they are read and
kept, so a physio can edit the plan and hand it back.
"""

from __future__ import annotations

import os

import pandas as pd

from .errors import InvalidFileError
from .textfile import read_csv_table, warn_note
from .units import UNITS, from_unit

#: Longest planned single run accepted [mi or km]: more is a typo.
MAX_PLANNED_DISTANCE = 1000.0
#: Optional columns kept as text.
TEXT_COLUMNS = ("kind", "bounded_by", "target", "note")
#: Every column a plan CSV may have (``date`` and ``distance`` first).
PLAN_CSV_COLUMNS = ("date", "distance", "unit", "kind", "week", "week_start", "bounded_by",
                    "target", "note")


def read_plan(path: str | os.PathLike[str], unit: str = "mi") -> pd.DataFrame:
    """A plan CSV -> ``date`` (datetime64), ``distance_m`` [m], and the optional columns
    present (``kind``, ``week``, ``week_start``, ``bounded_by``, ``target``, ``note``).

    ``distance`` is in ``unit``, or in the row's own ``unit`` column ("mi" or "km") when the
    file has one. Read through :mod:`kneeload.textfile` (UTF-8, UTF-16 or Windows-1252;
    ``,`` or ``;``); every bad row is reported, all at once, with its line; nothing is guessed.
    """
    table = read_csv_table(path, known=PLAN_CSV_COLUMNS, required=("date", "distance"),
                           what="plan", ordered=("date", "distance"))
    warn_note(table.note)
    problems = table.problems
    extra = [c for c in PLAN_CSV_COLUMNS[3:] if c in table.header]
    rows = []
    for line, r in table.rows:
        where = f"line {line}"
        row_unit = unit
        if "unit" in r and r["unit"]:
            row_unit = r["unit"].lower()
            if row_unit not in UNITS:
                problems.add(where, f"unit {r['unit']!r} is not 'mi' or 'km'")
                continue
        day = problems.date(where, "date", r["date"], "2026-09-01")
        dist = problems.number(where, "distance", r["distance"],
                               decimal_comma=table.delimiter == ";", minimum=0,
                               maximum=MAX_PLANNED_DISTANCE, unit=row_unit)
        values: dict[str, object] = {}
        ok = True
        if "week" in extra:
            week = None
            if r["week"]:
                week = problems.number(where, "week", r["week"], minimum=1, maximum=520,
                                       expected="a week number")
                ok = week is not None
            values["week"] = pd.NA if week is None else int(week)
        if "week_start" in extra:
            ws = None
            if r["week_start"]:
                ws = problems.date(where, "week_start", r["week_start"], "2026-08-31")
                ok = ok and ws is not None
            values["week_start"] = pd.NaT if ws is None else pd.Timestamp(ws)
        for c in TEXT_COLUMNS:
            if c in extra:
                values[c] = r[c]
        if day is not None and dist is not None and ok:
            rows.append({"date": pd.Timestamp(day), "distance_m": from_unit(dist, row_unit),
                         **values})
    problems.raise_if_any()
    if not rows:
        raise InvalidFileError(table.path, [(None, "has no planned runs")])
    cols = ["date", "distance_m", *[c for c in PLAN_CSV_COLUMNS[3:] if c in extra]]
    out = pd.DataFrame(rows, columns=cols)
    out["date"] = out["date"].astype("datetime64[ns]")
    if "week" in out:
        out["week"] = out["week"].astype("Int64")
    if "week_start" in out:
        out["week_start"] = pd.to_datetime(out["week_start"]).astype("datetime64[ns]")
    return out
