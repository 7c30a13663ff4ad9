"""The flags table and its builders: the public helpers every rule module uses.

A rule returns :func:`flag_rows` of its row dicts (or :func:`empty_flags`); the display
helpers (:func:`dist`, :func:`elev`, :func:`amount`, :func:`pct_text`) write the numbers of a
message. This module sits below the rules registry and imports only schema/units.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .schema import M_PER_KM, M_PER_MI
from .units import elevation_unit, to_elevation_unit

#: The flags table's columns (``athlete`` is added for a cohort).
FLAG_COLUMNS = ("rule", "severity", "date", "week_start", "value", "threshold", "unit", "message")
#: Flag severities, least severe first (the one home of the list).
SEVERITIES = ("info", "warn", "alert")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
#: The cohort column naming the athlete of a row.
ATHLETE = "athlete"


def empty_flags() -> pd.DataFrame:
    """A flags table with no rows."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FLAG_COLUMNS})


def flag_rows(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The flags table of ``rows`` (dicts with the :data:`FLAG_COLUMNS`, ``athlete``
    optional); dates parsed."""
    if not rows:
        return empty_flags()
    cols = list(FLAG_COLUMNS) + ([ATHLETE] if ATHLETE in rows[0] else [])
    df = pd.DataFrame(rows, columns=cols)
    df["date"] = pd.to_datetime(df["date"])
    df["week_start"] = pd.to_datetime(df["week_start"])
    return df


def who(row: Any) -> dict[str, Any]:
    """``{"athlete": ...}`` for a cohort row, else nothing."""
    value = getattr(row, ATHLETE, None) if not isinstance(row, dict) else row.get(ATHLETE)
    return {ATHLETE: value} if value is not None else {}


def dist(m: float, unit: str) -> str:
    """A distance ``m`` [m] in ``unit`` ("km" or "mi") with one decimal."""
    return f"{m / (M_PER_MI if unit == 'mi' else M_PER_KM):.1f} {unit}"


def elev(m: float, unit: str) -> str:
    """An elevation ``m`` [m] in the elevation unit that goes with ``unit``."""
    return f"{to_elevation_unit(m, unit):.0f} {elevation_unit(unit)}"


def amount(value: float, load: str, unit: str) -> str:
    """A load in words: distance in ``unit``, moving time as h:mm, session-RPE in AU."""
    if load == "time":
        minutes = int(round(value / 60))
        return f"{minutes // 60}:{minutes % 60:02d} h"
    if load == "srpe":
        return f"{value:.0f} RPE-min"
    return dist(value, unit)


def pct_text(value: float, threshold: float) -> str:
    """``value`` [%] signed, with enough decimals that it never reads as at or under the
    ``threshold`` it exceeds (+10.1% is not "+10%" beside "at most +10%").

    Examples
    --------
    >>> pct_text(10.1, 10.0), pct_text(45.2, 10.0), pct_text(10.04, 10.0)
    ('+10.1%', '+45%', '+10.04%')
    """
    for decimals in range(0, 4):
        text = f"{value:+.{decimals}f}"
        if (float(text) > threshold) == (value > threshold):
            return text + "%"
    return f"{value:+.4f}%"


def sort_flags(out: pd.DataFrame) -> pd.DataFrame:
    """Flags by (athlete,) date, most severe first on a day, then rule name."""
    out = out.assign(_rank=out["severity"].map(SEVERITY_RANK))
    g = [ATHLETE] if ATHLETE in out.columns else []
    out = out.sort_values(g + ["date", "_rank", "rule"], ascending=[True] * len(g)
                          + [True, False, True], kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)


__all__ = ["ATHLETE", "FLAG_COLUMNS", "SEVERITIES", "SEVERITY_RANK", "amount", "dist",
           "elev", "empty_flags", "flag_rows", "pct_text", "sort_flags", "who"]
