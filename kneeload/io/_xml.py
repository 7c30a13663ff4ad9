"""Safe XML parsing shared by the GPX and TCX readers.

Documents with a DTD or entity declarations are refused before parsing: run
files never need them, and refusing them rules out entity expansion ("billion
laughs") and external entities (XXE) whatever the XML backend does.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd

from ..errors import CorruptFileError, UnsafeInputError
from ._source import RawFile

_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_HAS_ZONE = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")


def parse_xml(raw: RawFile) -> ET.Element:
    """Parse ``raw`` into an element tree, refusing DTDs and naming syntax errors' position."""
    match = _DTD.search(raw.data)
    if match:
        line = raw.data.count(b"\n", 0, match.start()) + 1
        raise UnsafeInputError(raw.name, "declares a DTD or XML entities, which activity files "
                               "never need; refused so nothing is expanded or fetched",
                               f"line {line}")
    try:
        return ET.fromstring(raw.data)
    except ET.ParseError as exc:
        line, col = exc.position
        raise CorruptFileError(raw.name, f"is not well-formed XML ({str(exc).split(':')[0]}); "
                               "the file is damaged or cut off: re-export it",
                               f"line {line}, column {col}") from exc
    except (ValueError, UnicodeError, RecursionError) as exc:  # e.g. an unsupported encoding
        raise CorruptFileError(raw.name, f"cannot be read as XML ({type(exc).__name__}: "
                               f"{str(exc)[:100]})") from exc


def local(tag: str) -> str:
    """Tag name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def parse_times(raw: RawFile, texts: list[str | None], what: str) -> tuple[pd.Series, bool]:
    """ISO 8601 strings -> UTC timestamps; an unparseable one is an error naming its index.

    Returns the series and whether any time had no zone (taken as UTC, as GPX and
    TCX specify).
    """
    s = pd.Series(texts, dtype=object)
    present = s.notna() & (s.astype(str).str.strip() != "")
    times = pd.to_datetime(s.where(present), utc=True, errors="coerce", format="ISO8601")
    bad = present & times.isna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise CorruptFileError(raw.name, f"has an unparseable <time> {s.iloc[i]!r}; fix or "
                               "remove the point", f"{what} {i + 1}")
    no_zone = bool(present.any() and not s[present].astype(str).str.strip()
                   .str.contains(_HAS_ZONE).all())
    return times.astype("datetime64[ns, UTC]"), no_zone


def to_float(raw: RawFile, text: str | None, field: str, where: str) -> float:
    if text is None or not text.strip():
        return float("nan")
    try:
        return float(text)
    except ValueError:
        raise CorruptFileError(raw.name, f"has an unparseable {field} {text!r}; fix or remove "
                               "the point", where) from None
