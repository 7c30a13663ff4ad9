"""The exports' own gear lists (Strava's shoes.csv and bikes.csv, Garmin's ``*_gear.json``)."""

from __future__ import annotations

import os
from collections.abc import Iterable

import pandas as pd

from ..errors import InputError
from ..schema import GEAR_COLUMNS
from .exports import iter_folder_members, iter_zip
from .kinds import container_kinds
from .strava import GEAR_FILES, GearItem, is_kneeload_shoes_header, parse_strava_gear

__all__ = ["GEAR_COLUMNS", "empty_gear", "gear_table", "export_gear"]


def empty_gear() -> pd.DataFrame:
    """A gear table with no rows."""
    return gear_table([])


def gear_table(items: list[GearItem]) -> pd.DataFrame:
    """Gear items as a table (see :class:`ReadResult`); the same name is listed once (the
    first export that names it)."""
    rows, seen = [], set()
    for it in items:
        if it.name.lower() in seen:
            continue
        seen.add(it.name.lower())
        rows.append({"name": it.name, "kind": it.kind, "brand": it.brand, "model": it.model,
                     "first_used": it.first_used, "retired": it.retired, "status": it.status,
                     "replace_m": it.replace_m, "source": it.source})
    out = pd.DataFrame(rows, columns=list(GEAR_COLUMNS))
    for col in ("first_used", "retired"):
        out[col] = pd.to_datetime(out[col])
    out["replace_m"] = pd.to_numeric(out["replace_m"]).astype(float)
    return out


def _is_gear_list(base: str) -> bool:
    lower = base.lower()
    return lower in GEAR_FILES or lower.endswith("_gear.json") or lower == "gear.json"


def export_gear(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], *,
                recursive: bool = True) -> pd.DataFrame:
    """The gear lists of the exports among ``paths`` (Strava's shoes.csv/bikes.csv, Garmin's
    ``*_gear.json``), as :func:`gear_table`. Only those small members are read; a kneeload
    shoes.csv (it has a ``shoe`` column) is not an export's list and is left out."""
    from ._discover import find_inputs
    return _gear_of_inputs(find_inputs(paths, recursive))




def _gear_of_inputs(inputs: list[tuple[str, str]]) -> pd.DataFrame:
    from .exports import MAX_DEPTH, Ignored
    from .garmin import parse_gear
    zips, folders = container_kinds()
    items: list[GearItem] = []
    for kind, path in inputs:
        if kind in zips and not os.path.isdir(path):
            members = iter_zip(path, depth=MAX_DEPTH, want=_is_gear_list, report_ignored=False)
        elif kind in folders and os.path.isdir(path):
            members = iter_folder_members(path, want=_is_gear_list, report_ignored=False)
        else:
            continue
        for m in members:
            if isinstance(m, (InputError, Ignored)):
                continue  # reported by the ingest itself
            base = os.path.basename(m.name.rsplit("!", 1)[-1]).lower()
            try:
                if base in GEAR_FILES:
                    if not is_kneeload_shoes_header(m.data):
                        items.extend(parse_strava_gear(m.name, m.data, GEAR_FILES[base]))
                else:
                    items.extend(parse_gear(m.name, m.data)[0])
            except InputError:
                continue  # reported by the ingest itself
    return gear_table(items)
