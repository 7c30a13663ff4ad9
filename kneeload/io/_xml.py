"""Safe XML parsing shared by the GPX and TCX readers (and the Apple Health export).

Parsing goes through defusedxml: a document type declaration (DTD) is refused for activity
files (they never need one), and entity declarations or external references are refused
everywhere, so nothing is expanded ("billion laughs") or fetched (XXE) whatever the
encoding: the parser, not a byte pattern, finds them, so a UTF-16 file is held to the same
rule. Blanks before the XML declaration, which Strava writes at the start of its GPX and
TCX files, are skipped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import defusedxml
import defusedxml.ElementTree as DET
import pandas as pd

from ..errors import CorruptFileError, UnsafeInputError
from ._source import RawFile

_HAS_ZONE = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")
_BOM8 = b"\xef\xbb\xbf"


def strip_leading_blanks(data: bytes) -> bytes:
    """``data`` without the blanks before its first ``<`` (UTF-8 or ASCII; a UTF-8 byte-order
    mark is kept in front). UTF-16/32 documents are returned unchanged: their byte-order mark
    decides the encoding and the parser copes."""
    bom = data.startswith(_BOM8)
    body = data[3:] if bom else data
    if body[:1] not in (b" ", b"\t", b"\r", b"\n"):
        return data
    body = body.lstrip(b" \t\r\n")
    return (_BOM8 + body) if bom else body


def _refusal(name: str, exc: defusedxml.DefusedXmlException) -> UnsafeInputError:
    what = ("declares a DTD or XML entities" if not isinstance(
        exc, defusedxml.ExternalReferenceForbidden) else "refers to an external resource")
    return UnsafeInputError(name, f"{what} ({type(exc).__name__}), which activity files never "
                            "need; refused so nothing is expanded or fetched")


#: Documents the C parser may read directly: no NUL byte (so not UTF-16/32), an encoding in
#: which "<!DOCTYPE" is those very bytes, and no "<!DOCTYPE" or "<!ENTITY" anywhere.
_ASCII_ENCODINGS = {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1",
                    "windows-1252", "cp1252"}
_DECLARED_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([^"']*)""")
_DTD_BYTES = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _without_dtd(data: bytes) -> bool:
    """True when ``data`` certainly declares no DTD: then no entity can be declared, and the
    C parser is as safe as defusedxml's (which parses in Python, ~5x slower: it was most of
    a GPX file's read time)."""
    if b"\0" in data:
        return False
    declared = _DECLARED_ENCODING.match(data[:300])
    if declared and declared.group(1).decode("ascii", "replace").lower() not in _ASCII_ENCODINGS:
        return False
    return _DTD_BYTES.search(data) is None


def parse_xml(raw: RawFile) -> ET.Element:
    """Parse ``raw`` into an element tree, refusing DTDs and entities (defusedxml) and naming
    syntax errors' position."""
    data = strip_leading_blanks(raw.data)
    if _without_dtd(data):
        try:  # the C parser; on any problem, defusedxml below says what it is
            return ET.fromstring(data)
        except (ET.ParseError, ValueError, UnicodeError, RecursionError):
            pass
    try:
        return DET.fromstring(data, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise _refusal(raw.name, exc) from exc
    except ET.ParseError as exc:
        line, col = exc.position
        raise CorruptFileError(raw.name, f"is not well-formed XML ({str(exc).split(':')[0]}); "
                               "the file is damaged or cut off: re-export it",
                               f"line {line}, column {col}") from exc
    except (ValueError, UnicodeError, RecursionError) as exc:  # e.g. an unsupported encoding
        raise CorruptFileError(raw.name, f"cannot be read as XML ({type(exc).__name__}: "
                               f"{str(exc)[:100]})") from exc


def iterparse_safe(name: str, source: Any, events: tuple[str, ...] = ("end",)) -> Any:
    """Stream ``source`` (binary file object) element by element with defusedxml: a DTD is
    allowed (Apple Health declares its element types) but entities and external references
    are refused. Errors are :class:`InputError` naming ``name``."""
    try:
        yield from DET.iterparse(source, events=events, forbid_dtd=False,
                                 forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise _refusal(name, exc) from exc
    except ET.ParseError as exc:
        line, col = exc.position
        raise CorruptFileError(name, f"is not well-formed XML ({str(exc).split(':')[0]}); the "
                               "export is damaged or cut off: export it again",
                               f"line {line}, column {col}") from exc


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
    try:
        times = pd.to_datetime(s.where(present), utc=True, errors="coerce", format="ISO8601")
        times = times.astype("datetime64[ns, UTC]")
    except (pd.errors.OutOfBoundsDatetime, OverflowError):
        i = next((i for i, t in enumerate(s) if present.iloc[i] and _out_of_bounds(t)), None)
        if i is None:
            raise
        raise CorruptFileError(raw.name, f"has a <time> {s.iloc[i]!r} outside the years "
                               "1678-2262 that time stamps can hold; fix or remove the point",
                               f"{what} {i + 1}") from None
    bad = present & times.isna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise CorruptFileError(raw.name, f"has an unparseable <time> {s.iloc[i]!r}; fix or "
                               "remove the point", f"{what} {i + 1}")
    no_zone = bool(present.any() and not s[present].astype(str).str.strip()
                   .str.contains(_HAS_ZONE).all())
    return times, no_zone


def _out_of_bounds(text: str) -> bool:
    """Whether an ISO 8601 text is a time outside what a nanosecond time stamp holds."""
    try:
        pd.to_datetime(pd.Series([text]), utc=True, format="ISO8601").astype(
            "datetime64[ns, UTC]")
    except (pd.errors.OutOfBoundsDatetime, OverflowError):
        return True
    except (ValueError, TypeError):
        return False
    return False


def to_float(raw: RawFile, text: str | None, field: str, where: str) -> float:
    if text is None or not text.strip():
        return float("nan")
    try:
        return float(text)
    except ValueError:
        raise CorruptFileError(raw.name, f"has an unparseable {field} {text!r}; fix or remove "
                               "the point", where) from None
