"""One validated reading layer for the text files a runner writes: pain log, shoes file, shoe
assignments, plan, manual log (CSV) and ``kneeload.toml``.

What a spreadsheet or editor saves is read as it is: UTF-8 with or without a byte-order mark,
UTF-16 (by its mark, or by its zero bytes), and Windows-1252 / Latin-1 (Excel's default on
Windows) when the bytes are not UTF-8, with a note saying so; ``,``, ``;`` or tab between
fields (``;`` files may write decimals with a comma, ``3,5``); columns in any order. Every
problem (a bad value, a field too long, a date out of range, a row with extra fields) is
collected with its line and reported in one :class:`~kneeload.errors.InvalidFileError`, so
one round of fixes is enough.

Readers use :func:`read_csv_table`, then check each row's values with :class:`Problems` and
its ``number``/``date`` helpers, then call ``problems.raise_if_any()``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import os
from dataclasses import dataclass, field

from .errors import InvalidFileError
from .safeio import display_path, read_regular_file

#: Largest user-written CSV or TOML read [bytes]: years of daily entries are well under 1 MB.
MAX_TEXT_FILE_BYTES = 64 * 1024 * 1024
#: Longest field accepted [characters] (a note is a sentence or a paragraph).
MAX_FIELD_CHARS = 10_000
#: Dates in user files must fall in this range (inclusive): older or later is a typo.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2200, 12, 31)
DELIMITERS = (",", ";", "\t")

_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with a byte-order mark",
                   "utf-16-le": "UTF-16", "utf-16-be": "UTF-16",
                   "cp1252": "Windows-1252 (cp1252)", "latin-1": "Latin-1 (ISO-8859-1)"}


@dataclass
class DecodedText:
    """A text file's characters and how it was stored (so an append can match it)."""

    text: str
    encoding: str  # the Python codec for the body (without the byte-order mark)
    bom: bytes
    note: str | None = None  # set when the file was not UTF-8


def _utf16_without_mark(data: bytes, odd: bool) -> bool:  # noqa: FBT001
    """UTF-16 saved without a byte-order mark: ASCII text has a zero in every other byte."""
    zeros, chars = (data[1:40:2], data[0:40:2]) if odd else (data[0:40:2], data[1:40:2])
    return len(data) >= 4 and zeros.count(0) > len(zeros) // 2 and 0 not in chars


def decode_text(name: str, data: bytes) -> DecodedText:
    """Decode a user-written text file; raises InvalidFileError when it is not text."""
    if data.startswith(codecs.BOM_UTF8):
        enc, bom = "utf-8", codecs.BOM_UTF8
    elif data.startswith(codecs.BOM_UTF16_LE):
        enc, bom = "utf-16-le", codecs.BOM_UTF16_LE
    elif data.startswith(codecs.BOM_UTF16_BE):
        enc, bom = "utf-16-be", codecs.BOM_UTF16_BE
    elif _utf16_without_mark(data, odd=True):
        enc, bom = "utf-16-le", b""
    elif _utf16_without_mark(data, odd=False):
        enc, bom = "utf-16-be", b""
    else:
        enc, bom = "utf-8", b""
    body = data[len(bom):]
    note = None
    try:
        text = body.decode(enc)
    except UnicodeDecodeError as exc:
        if enc != "utf-8":
            raise InvalidFileError(name, [(f"byte {exc.start + len(bom)}",
                                           f"is not valid {_ENCODING_NAMES[enc]} text; save "
                                           "the file again as UTF-8")]) from None
        try:
            text, enc = body.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            text, enc = body.decode("latin-1"), "latin-1"
        line = body[:exc.start].count(b"\n") + 1
        note = (f"{name}: not UTF-8 (first at line {line}); read as "
                f"{_ENCODING_NAMES[enc]}, as Excel saves on Windows")
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise InvalidFileError(name, [(f"line {line}", "holds NUL bytes: this is not a text "
                                       "file (save it as CSV, UTF-8)")])
    return DecodedText(text, enc, bom, note)


def read_text_file(path: str | os.PathLike[str], what: str = "text file") -> DecodedText:
    """Read and decode a user-written text file (bounded, regular files only)."""
    data = read_regular_file(path, MAX_TEXT_FILE_BYTES, what)
    return decode_text(display_path(path), data)


class Problems:
    """Every problem found in one file, with its line, raised together at the end."""

    def __init__(self, path: str):
        self.path = path
        self.items: list[tuple[str | None, str]] = []

    def add(self, location: str | None, reason: str) -> None:
        self.items.append((location, reason))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        """Raise one InvalidFileError listing every problem, in line order."""
        if self.items:
            def line_of(item: tuple[str | None, str]) -> int:
                loc = item[0] or ""
                return int(loc[5:]) if loc.startswith("line ") and loc[5:].isdigit() else 0
            raise InvalidFileError(self.path, sorted(self.items, key=line_of))

    # --- value checks: each returns the value, or None after recording the problem ---------

    def number(self, where: str, column: str, text: str, *, decimal_comma: bool = False,
               minimum: float | None = None, maximum: float | None = None,
               unit: str = "", expected: str = "a number") -> float | None:
        """A finite number in [minimum, maximum], or None (problem recorded)."""
        raw = text.strip()
        if decimal_comma and raw.count(",") == 1 and "." not in raw:
            raw = raw.replace(",", ".")
        try:
            v = float(raw)
        except ValueError:
            self.add(where, f"{column} {text!r} is not {expected}")
            return None
        if not math.isfinite(v):
            self.add(where, f"{column} {text!r} is not a finite number")
            return None
        u = f" {unit}" if unit else ""
        if minimum is not None and maximum is not None and not minimum <= v <= maximum:
            self.add(where, f"{column} {v:g}{u} is outside {minimum:g}-{maximum:g}{u}")
            return None
        if minimum is not None and v < minimum:
            self.add(where, f"{column} {v:g}{u} is " + ("negative" if minimum == 0 else
                                                        f"below {minimum:g}{u}"))
            return None
        if maximum is not None and v > maximum:
            self.add(where, f"{column} {v:g}{u} is above {maximum:g}{u}")
            return None
        return v

    def date(self, where: str, column: str, text: str, example: str = "2026-05-04"
             ) -> dt.date | None:
        """An ISO date between EARLIEST_DATE and LATEST_DATE, or None (problem recorded)."""
        try:
            day = dt.date.fromisoformat(text.strip())
        except ValueError:
            self.add(where, f"{column} {text!r} is not an ISO date like {example}")
            return None
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            self.add(where, f"{column} {day.isoformat()} is outside {EARLIEST_DATE:%Y}-"
                     f"{LATEST_DATE:%Y}; a typo?")
            return None
        return day


@dataclass
class CsvTable:
    """A user CSV read and checked for shape: header, rows by column name, how it is stored.

    ``rows`` holds ``(line, record)`` with ``record`` keyed by the lower-case column name,
    values stripped; blank rows are left out. ``problems`` already holds the shape problems
    (extra fields, over-long fields); readers add their own and raise once.
    """

    path: str
    decoded: DecodedText
    delimiter: str
    newline: str
    raw_header: list[str]
    header: list[str]
    problems: Problems
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    @property
    def note(self) -> str | None:
        return self.decoded.note


def _pick_delimiter(first_line: str, known: set[str]) -> str:
    """The delimiter that splits the header into the most known column names."""
    best, score = ",", -1
    for d in DELIMITERS:
        cells = [c.strip().strip('"').strip().lower() for c in first_line.split(d)]
        s = sum(c in known for c in cells)
        if s > score:
            best, score = d, s
    return best


def parse_csv_text(path: str, decoded: DecodedText, *, known: tuple[str, ...],  # noqa: C901
                   required: tuple[str, ...], what: str, header_hint: str = "",
                   ordered: tuple[str, ...] | None = None) -> CsvTable:
    """Split a decoded CSV into header and rows, checking the header and each row's shape.

    ``known`` are the accepted columns (any order unless ``ordered`` gives the columns the
    header must start with), ``required`` those that must be present. Header problems are
    raised at once (nothing else can be read); row problems are collected in the table's
    ``problems``.
    """
    text = decoded.text
    newline = "\r\n" if "\r\n" in text[:4096] else "\n"
    lines = text.splitlines()
    first = lines[0] if lines else ""
    delimiter = _pick_delimiter(first, set(known))
    problems = Problems(path)
    # strict: a quoted value never closed is an error, not a field that swallows the rest
    # of the file (and every row appended after it)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        raw_header = next(reader, [])
    except csv.Error as exc:
        raise InvalidFileError(path, [("line 1", f"cannot be read as CSV ({exc})")]) from None
    header = [h.strip().lower() for h in raw_header]
    hint = header_hint or ",".join(known)
    if not any(header):
        raise InvalidFileError(path, [("line 1", f"is empty: the {what} needs a header "
                                       f"({hint})")])
    if ordered is not None and header[:len(ordered)] != list(ordered):
        raise InvalidFileError(path, [("line 1", f"header must start with "
                                       f"'{','.join(ordered)}', not "
                                       f"{delimiter.join(raw_header)[:80]!r}")])
    missing = [c for c in required if c not in header]
    if missing:
        raise InvalidFileError(path, [("line 1", f"has no {' or '.join(map(repr, missing))} "
                                       f"column; the header needs at least "
                                       f"{','.join(required)} (columns: {hint})")])
    unknown = [h for h in header if h not in known]
    if unknown:
        raise InvalidFileError(path, [("line 1", f"unknown column(s) "
                                       f"{', '.join(repr(u[:40]) for u in unknown)}; columns "
                                       f"are {hint}")])
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        raise InvalidFileError(path, [("line 1", f"column(s) {', '.join(twice)} appear twice")])
    table = CsvTable(path, decoded, delimiter, newline, raw_header, header, problems=problems)
    while True:
        line = reader.line_num + 1
        try:
            rec = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                problems.add(f"line {line}", f"a field is longer than {MAX_FIELD_CHARS:,} "
                             "characters (reading stopped here)")
            elif "unexpected end of data" in str(exc):
                problems.add(f"line {line}", "a quoted value is never closed (a '\"' "
                             "without its pair); reading stopped here")
            else:
                problems.add(f"line {line}", f"cannot be read as CSV ({exc})")
            break
        if not any(c.strip() for c in rec):
            continue
        if len(rec) > len(header):
            extra = [c for c in rec[len(header):] if c.strip()]
            if extra:
                problems.add(f"line {line}", f"has {len(rec)} fields but the header has "
                             f"{len(header)}; a '{delimiter}' inside a value needs quotes "
                             "around the value")
                continue
        long = [h for h, c in zip(header, rec, strict=False) if len(c) > MAX_FIELD_CHARS]
        if long:
            problems.add(f"line {line}", f"{long[0]} is longer than {MAX_FIELD_CHARS:,} "
                         "characters")
            continue
        record = {h: (rec[i].strip() if i < len(rec) else "") for i, h in enumerate(header)}
        table.rows.append((line, record))
    return table


def read_csv_table(path: str | os.PathLike[str], *, known: tuple[str, ...],
                   required: tuple[str, ...], what: str, header_hint: str = "",
                   ordered: tuple[str, ...] | None = None) -> CsvTable:
    """Read a user-written CSV file: see :func:`parse_csv_text`."""
    decoded = read_text_file(path, what)
    return parse_csv_text(display_path(path), decoded, known=known, required=required,
                          what=what, header_hint=header_hint, ordered=ordered)


def warn_note(note: str | None) -> None:
    """Say once, on stderr via warnings, that a file was read in a legacy encoding."""
    if note:
        import warnings
        warnings.warn(note, UserWarning, stacklevel=3)
