"""Display units. Storage is SI everywhere; convert only when showing numbers."""

from __future__ import annotations

from .errors import UsageError
from .schema import M_PER_KM, M_PER_MI

UNITS = ("mi", "km")
M_PER_FT = 0.3048


def check_unit(unit: str) -> str:
    if unit not in UNITS:
        raise UsageError(f"unit must be 'mi' or 'km', not {unit!r}")
    return unit


def metres_per(unit: str) -> float:
    """Metres in one ``unit`` ('mi' or 'km')."""
    return M_PER_MI if check_unit(unit) == "mi" else M_PER_KM


def to_unit(metres: float, unit: str) -> float:
    """Distance [m] in ``unit``."""
    return metres / metres_per(unit)


def from_unit(value: float, unit: str) -> float:
    """Distance in ``unit`` -> [m]."""
    return value * metres_per(unit)


def elevation_unit(unit: str) -> str:
    """Feet beside miles, metres beside kilometres."""
    return "ft" if check_unit(unit) == "mi" else "m"


def to_elevation_unit(metres: float, unit: str) -> float:
    return metres / M_PER_FT if elevation_unit(unit) == "ft" else metres


def format_duration(seconds: float) -> str:
    """``h:mm:ss``; empty for a missing value."""
    if seconds is None or seconds != seconds:
        return ""
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
