"""Reading a planned schedule: CSV with header ``date,distance`` (distance in the given unit).

The file :func:`kneeload.planfiles.write_plan_csv` writes has more columns (``unit``,
``kind``, ``week``, ``week_start``, ``bounded_by``, ``target``, ``note``); they are read and
kept, so a physio can edit the plan and hand it back. Optional ``duration`` (``h:mm:ss``,
``mm:ss`` or minutes, as in a manual log) and ``rpe`` (0-10) columns give the planned time
and effort that ``load = "time"`` and ``load = "srpe"`` judge (a plan without them is judged
with estimates, said once: :func:`kneeload.load.plan_load`).
"""

from __future__ import annotations

import os

import pandas as pd

from .errors import InvalidFileError
from .textfile import Problems, read_csv_table, warn_note
from .units import UNITS, from_unit

#: Longest planned single run accepted [mi or km]: more is a typo.
MAX_PLANNED_DISTANCE = 1000.0
#: Optional columns kept as text.
TEXT_COLUMNS = ("kind", "bounded_by", "target", "note")
#: Every column a plan CSV may have (``date`` and ``distance`` first).
PLAN_CSV_COLUMNS = ("date", "distance", "unit", "kind", "week", "week_start", "bounded_by",
                    "target", "note", "duration", "rpe")
#: Longest planned duration accepted [s] (one day).
MAX_PLANNED_DURATION_S = 86400.0


def read_plan(path: str | os.PathLike[str], unit: str = "mi") -> pd.DataFrame:
    """A plan CSV -> ``date`` (datetime64), ``distance_m`` [m], and the optional columns
    present (``kind``, ``week``, ``week_start``, ``bounded_by``, ``target``, ``note``;
    ``duration`` as ``moving_s`` [s] and ``rpe`` [0-10], NaN where a row leaves them empty).

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
        values.update(_effort(problems, where, r, extra, comma=table.delimiter == ";"))
        if day is not None and dist is not None and ok:
            rows.append({"date": pd.Timestamp(day), "distance_m": from_unit(dist, row_unit),
                         **values})
    problems.raise_if_any()
    if not rows:
        raise InvalidFileError(table.path, [(None, "has no planned runs")])
    names = {"duration": "moving_s"}
    cols = ["date", "distance_m",
            *[names.get(c, c) for c in PLAN_CSV_COLUMNS[3:] if c in extra]]
    out = pd.DataFrame(rows, columns=cols).astype(
        {c: float for c in ("moving_s", "rpe") if c in cols})
    out["date"] = out["date"].astype("datetime64[ns]")
    if "week" in out:
        out["week"] = out["week"].astype("Int64")
    if "week_start" in out:
        out["week_start"] = pd.to_datetime(out["week_start"]).astype("datetime64[ns]")
    return out


def _effort(problems: Problems, where: str, row: dict[str, str], extra: list[str], *,
            comma: bool) -> dict[str, float | None]:
    """A row's planned ``moving_s`` [s] (its ``duration``) and ``rpe`` [0-10], for the
    columns the file has; None where empty or bad (a bad one is a problem recorded)."""
    out: dict[str, float | None] = {}
    if "duration" in extra:
        out["moving_s"] = _duration(problems, where, row["duration"])
    if "rpe" in extra:
        out["rpe"] = (problems.number(where, "rpe", row["rpe"], decimal_comma=comma,
                                      minimum=0, maximum=10) if row["rpe"] else None)
    return out


def _duration(problems: Problems, where: str, text: str) -> float | None:
    """A planned ``duration`` (``h:mm:ss``, ``mm:ss`` or minutes) [s]; None when empty or
    bad (a problem recorded)."""
    from .io.exports import _duration_s

    if not text:
        return None
    try:
        secs = _duration_s(text.replace(",", "."))
    except ValueError:
        problems.add(where, f"duration {text!r} is not h:mm:ss, mm:ss or minutes")
        return None
    if secs > MAX_PLANNED_DURATION_S:
        problems.add(where, f"duration {text!r} is longer than a day")
        return None
    return secs
