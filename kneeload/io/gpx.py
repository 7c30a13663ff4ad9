"""GPX reader: one activity per file (all tracks and segments), distance from the points.

GPX stores no session totals, so distance, moving time and climb come from the
track points. Heart rate and cadence are read from Garmin TrackPointExtension
(any prefix) and cluetrust gpxdata extensions. GPX cadence is per foot.

Two readers give the same result. The reference (:func:`_points_et`, ``parse_gpx(raw,
fast=False)``) parses the tree in C (ElementTree), looks each point's elements up by tag in
a per-file cache, and converts the values of all points to numbers column by column at the
end (about 3x faster than value by value). Only a ``<time>`` inside a ``<trkpt>`` is a
point's time (the ``<metadata><time>`` of the export is not). A streaming pull parser was
measured and not kept: its per-event Python overhead made a 1 h GPX about 1.7x slower than
parsing the tree in C, and memory is not the constraint for activity files (a 1 h GPX is
~0.5-1 MB).

The fast path (:func:`_points_fast`, the default) parses a 1 h GPX 2.6-2.8x faster, the
real corpus about 2x, and a cold ingest of GPX files is about 3x faster
(``benchmarks/gpx_side_by_side.py``, both paths alternating in one run). Expat checks
well-formedness with no handlers (in C); the points are cut out of the raw bytes by one
regular expression built from the file's own point layouts (a point's tags literally, its
texts and attribute values as wildcards; up to 12 layouts a file, e.g. points with and
without heart rate); what is left is walked tag by tag to place every point in its
``gpx/trk/trkseg`` and find ``<trk><type>``; plain decimal numbers and
``YYYY-MM-DDTHH:MM:SS[.f]Z`` times are converted without pandas. Anything it cannot read
exactly as ElementTree would (a DTD, an encoding other than UTF-8/ASCII, a comment, CDATA or
character reference inside a point, a point outside ``gpx/trk/trkseg``, malformed XML...)
goes to the reference, and values it does not convert itself (exponents, '-0', times with
offsets...) go to the reference's converters, so values and error messages never depend on
the path (``tests/test_gpx_fast.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.parsers import expat

import numpy as np
import pandas as pd

from ..errors import InputError, InvalidTimeError, NotAnActivityError
from ..schema import ON_FOOT_SPORTS
from ..sports import lookup
from ._source import RawFile
from ._summary import Parsed, haversine_steps_m, steps_per_minute, valid_times
from ._xml import (
    _DTD_BYTES,
    local,
    parse_times,
    parse_xml,
    strip_leading_blanks,
    to_float,
)

_HR = {"hr", "heartrate"}
_CAD = {"cad", "cadence", "runcadence"}


def gpx_sport(value: str | None, default_sport: str) -> tuple[str, str | None, bool]:
    """Normalised sport of a ``<trk><type>`` (:func:`kneeload.sports.lookup`), its note, and
    whether it was assumed (no type)."""
    label = lookup("gpx", value, default_sport=default_sport)
    return label.sport, label.note, label.assumed


def _cumulative_distance(lat: np.ndarray, lon: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Cumulative track distance [m], adding nothing across segment boundaries or
    points without a position (none, not a number, infinite or off the Earth: the row
    summary notes the last two, :func:`_activity` the first)."""
    with np.errstate(invalid="ignore"):
        off = ~(np.abs(lat) <= 90) | ~(np.abs(lon) <= 180)
    lat, lon = np.where(off, np.nan, lat), np.where(off, np.nan, lon)
    step = np.zeros(len(lat))
    if len(lat) > 1:
        d = haversine_steps_m(lat, lon)
        d[(seg[1:] != seg[:-1]) | np.isnan(d)] = 0.0
        step[1:] = d
    return np.cumsum(step)


#: What each (lower-case, namespace-free) element name inside a <trkpt> gives.
_POINT_FIELDS = {"ele": 0, "time": 1, "distance": 4, **{t: 2 for t in _HR},
                 **{t: 3 for t in _CAD}}
#: Column order of the numeric checks (the first bad value of a point is reported first).
_NUMERIC = (("lat", "lat"), ("lon", "lon"), ("ele", "<ele>"), ("hr", "heart rate"),
            ("cad", "cadence"), ("dist", "distance"))


def _numbers(raw: RawFile, columns: dict[str, list]) -> dict[str, np.ndarray]:
    """Text columns -> float arrays in one vectorised pass each; an unparseable value raises
    :func:`to_float`'s error for the first point (and field) that has one."""
    out: dict[str, np.ndarray] = {}
    first_bad: list[tuple[int, int]] = []
    for order, (key, _) in enumerate(_NUMERIC):
        texts = pd.Series(columns[key], dtype=object)
        values = pd.to_numeric(texts, errors="coerce").to_numpy(dtype=float, copy=True)
        # what pandas did not read (or read as NaN): value by value, as to_float does
        doubt = np.flatnonzero(np.isnan(values) & texts.notna().to_numpy())
        for i in doubt:
            try:
                values[i] = to_float(raw, texts.iloc[i], key, f"point {i + 1}")
            except InputError:
                first_bad.append((int(i), order))
                break
        out[key] = values
    if first_bad:
        bad, order = min(first_bad)
        key, name = _NUMERIC[order]
        to_float(raw, columns[key][bad], name, f"point {bad + 1}")  # raises
    return out


@dataclass
class _Points:
    """What either reader found in a GPX document: the track points' columns (numbers
    converted, times parsed) and the few document-level values the activity needs."""

    lat: np.ndarray
    lon: np.ndarray
    ele: np.ndarray
    hr: np.ndarray
    cad: np.ndarray
    times: pd.Series  # datetime64[ns, UTC]
    no_zone: bool
    seg: np.ndarray  # segment number of each point (1, 2, ... across all tracks)
    sport_text: str | None  # text of the first <trk><type> that has one
    creator: str  # <gpx creator="...">


def _points_et(raw: RawFile) -> _Points:
    """The reference reader: the whole tree in C (ElementTree), then a Python loop over the
    points. Reads every well-formed GPX; the fast path must give exactly what this gives."""
    root = parse_xml(raw)
    root_name = local(root.tag)
    cols: dict[str, list] = {k: [] for k in ("lat", "lon", "ele", "time", "hr", "cad", "dist",
                                             "seg")}
    kinds: dict[str, int | None] = {}  # element tag -> _POINT_FIELDS index (per-file cache)
    sport_text = None
    has_route = False
    segment = 0
    for trk in root if root_name == "gpx" else ():
        name = local(trk.tag)
        has_route |= name == "rte"
        if name != "trk":
            continue
        for child in trk:
            cname = local(child.tag)
            if cname == "type" and sport_text is None:
                sport_text = child.text
            if cname != "trkseg":
                continue
            segment += 1
            for pt in child:
                if local(pt.tag) != "trkpt":
                    continue
                point: list[str | None] = [None] * 5  # ele, time, hr, cad, distance texts
                for el in pt.iter():
                    tag = el.tag
                    kind = kinds.get(tag, -1)
                    if kind == -1:
                        kind = kinds[tag] = _POINT_FIELDS.get(local(tag).lower())
                    if kind is not None:
                        point[kind] = el.text
                cols["lat"].append(pt.get("lat"))
                cols["lon"].append(pt.get("lon"))
                cols["ele"].append(point[0])
                cols["time"].append(point[1])
                cols["hr"].append(point[2])
                cols["cad"].append(point[3])
                cols["dist"].append(point[4])
                cols["seg"].append(segment)
    if root_name != "gpx":
        raise NotAnActivityError(raw.name, f"root element is <{root_name}>, not <gpx>")
    if not cols["seg"]:
        what = "a planned route, not a recorded track" if has_route else "no track points"
        raise NotAnActivityError(raw.name, f"holds {what}; nothing to ingest")
    num = _numbers(raw, cols)
    times, no_zone = parse_times(raw, list(cols["time"]), "point")
    return _Points(num["lat"], num["lon"], num["ele"], num["hr"], num["cad"], times, no_zone,
                   np.array(cols["seg"]), sport_text, root.get("creator", ""))


# --- the fast path ----------------------------------------------------------------------------
# Well-formedness is checked by expat with no handlers (in C, ~3 ms for a 1 h file); the track
# points are then cut out of the raw bytes with regular expressions built from the file's own
# point layouts ("templates": the first point's tags, literally, with its texts and attribute
# values as wildcards); what is left (the "skeleton": metadata, <trk>, <type>, <trkseg>) is
# walked tag by tag in Python to place each point, as the tree walk above does. Anything the
# fast path cannot read exactly as ElementTree would raises _Fallback, and the reference reads
# the file.


class _Fallback(Exception):
    """The fast path declines the document; the ElementTree path reads it."""


_NAME = rb"[^\s<>/!?=\"':]+"
_QNAME = rb"(?:" + _NAME + rb":)?" + _NAME
_ATTR = re.compile(rb"\s+(" + _QNAME + rb")\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
#: One markup token: 1 end-tag name | 2 start-tag name, 3 its attributes, 4 "/" when empty |
#: 5 comment, processing instruction or CDATA section | 6 anything else ("<!DOCTYPE").
_TOKEN = re.compile(
    rb"<(?:/(" + _QNAME + rb")\s*>|(" + _QNAME + rb")((?:\s+" + _QNAME
    + rb"\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>|(!--.*?-->|\?.*?\?>|!\[CDATA\[.*?\]\]>)|(!))",
    re.S)
_TRKPT_START = re.compile(rb"<(?:" + _NAME + rb":)?trkpt[\s/>]")
#: Plain decimals (NUL-separated) that pandas' to_numeric (the reference) and float() turn
#: into the same double (checked on 900,000 random decimals, and by the tests): pandas is not
#: correctly rounded with an exponent ('+2860e36' -> 2.8600000000000004e+39) and reads an
#: integer '-0' as +0.0, so those, and anything else, take the reference's conversion.
_DECIMALS = re.compile(rb"-?\d{1,15}+(?:\.\d{1,20}+)?+(?:\0-?\d{1,15}+(?:\.\d{1,20}+)?+)*+")
_NEGATIVE_ZERO = re.compile(rb"(?<![\d.])-0++(?![\d.])")
_ENCODING = re.compile(rb"""\sencoding\s*=\s*["']([^"']*)""")
_FAST_ENCODINGS = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}
_MAX_TEMPLATES = 12
_COLUMNS = ("lat", "lon", "ele", "time", "hr", "cad", "dist")  # template columns, in order
_KIND_COLUMN = ("ele", "time", "hr", "cad", "dist")  # _POINT_FIELDS index -> column


def _local_b(qname: bytes) -> bytes:
    return qname.rpartition(b":")[2]


@dataclass(frozen=True)
class _Template:
    """A compiled point layout: its pattern and, per column, its group (None: no value)."""

    pattern: bytes
    groups: tuple[int | None, ...]  # per _COLUMNS, 0-based within this pattern
    n_groups: int


def _template(doc: bytes, start: int) -> _Template:
    """The layout of the <trkpt> element starting at ``doc[start]`` as a pattern: its tags
    literally (any whitespace inside a tag), every text and attribute value a wildcard, the
    texts of point fields and lat/lon captured. Last occurrence of a field wins, as in
    :func:`_points_et`."""
    out: list[bytes] = [b"()"]  # group 0, empty: b"" where this layout matched, else None
    groups: dict[str, int | None] = dict.fromkeys(_COLUMNS)
    n = 1
    depth = 0
    pos = start
    capture_text = False
    for m in _TOKEN.finditer(doc, start):
        text = doc[pos:m.start()]
        if b"<" in text or b"\0" in text or (pos == start and text):
            raise _Fallback("markup the tokenizer does not know")
        if pos != start:
            if capture_text:
                out.append(rb"([^<]*+)")
                n += 1
            else:
                out.append(rb"[^<]*+")
        capture_text = False
        pos = m.end()
        end_name, name, attrs, empty = m.group(1, 2, 3, 4)
        if name is not None:
            kind = None
            if depth == 0:
                if _local_b(name) != b"trkpt":
                    raise _Fallback("not a point")
            else:
                kind = _POINT_FIELDS.get(_local_b(name).decode("utf-8", "replace").lower())
            piece = [b"<" + re.escape(name)]
            for a in _ATTR.finditer(attrs):
                quote = b'"' if a.group(2) is not None else b"'"
                value = rb"[^" + quote + rb"]*+"
                if depth == 0 and a.group(1) in (b"lat", b"lon"):
                    groups[a.group(1).decode()] = n
                    n += 1
                    value = b"(" + value + b")"
                piece.append(rb"\s++" + re.escape(a.group(1)) + rb"\s*+=\s*+" + quote + value
                             + quote)
            piece.append(rb"\s*+/>" if empty else rb"\s*+>")
            out.append(b"".join(piece))
            if kind is not None:
                column = _KIND_COLUMN[kind]
                groups[column] = None if empty else n  # the text that follows is group n
                capture_text = not empty
            if not empty:
                depth += 1
        elif end_name is not None:
            out.append(b"</" + re.escape(end_name) + rb"\s*+>")
            depth -= 1
        else:
            raise _Fallback("comment, CDATA or processing instruction in a point")
        if depth == 0:
            return _Template(b"".join(out), tuple(groups[c] for c in _COLUMNS), n)
    raise _Fallback("point not closed")


_COMPILED: dict[bytes, re.Pattern[bytes]] = {}


def _compiled(templates: list[_Template]) -> re.Pattern[bytes]:
    key = b"|".join(b"(?:" + t.pattern + b")" for t in templates)
    rx = _COMPILED.get(key)
    if rx is None:
        if len(_COMPILED) > 256:
            _COMPILED.clear()
        rx = _COMPILED[key] = re.compile(key)
    return rx


def _skeleton(skel: bytes) -> tuple[list[int], list[int], bytes | None]:  # noqa: C901
    """Walk what is left of the document once the points are cut out (each point replaced by
    a NUL byte, which XML never contains): the number of points in each run of text and its
    segment, and the first <trk><type> text. Raises _Fallback unless every point is a child
    of a <trkseg> of a <trk> of the <gpx> root, as :func:`_points_et` requires."""
    counts: list[int] = []
    segs: list[int] = []
    stack: list[bytes] = []  # qualified names of the open elements
    path: list[bytes] = []  # their local names
    sport: bytes | None = None
    sport_open = False  # the last token was a <trk><type> start whose text is wanted
    segment = 0
    pos = 0
    for m in _TOKEN.finditer(skel):
        text = skel[pos:m.start()]
        if b"<" in text:
            raise _Fallback("markup the tokenizer does not know")
        if sport_open:
            if not m.group(1) and not m.group(2):
                raise _Fallback("<type> text interrupted by a comment or CDATA")
            if text:
                if b"&" in text or b"\r" in text:
                    raise _Fallback("<type> text with references or CR")
                sport = text
            sport_open = False
        k = text.count(b"\0")
        if k:
            if path != [b"gpx", b"trk", b"trkseg"]:
                raise _Fallback("a point outside gpx/trk/trkseg")
            counts.append(k)
            segs.append(segment)
        pos = m.end()
        end_name, name, _, empty, special, other = m.groups()
        if name is not None:
            lname = _local_b(name)
            if not stack and lname != b"gpx":
                raise _Fallback("root is not <gpx>")
            if path == [b"gpx", b"trk"]:
                if lname == b"trkseg":
                    segment += 1
                elif lname == b"type" and sport is None and not empty:
                    sport_open = True
            if not empty:
                stack.append(name)
                path.append(lname)
        elif end_name is not None:
            if not stack or stack.pop() != end_name:
                raise _Fallback("tags do not nest as expected")
            path.pop()
        elif other is not None or b"\0" in special:
            raise _Fallback("DTD, or a point inside a comment or CDATA")
    if stack or b"<" in skel[pos:] or b"\0" in skel[pos:]:
        raise _Fallback("unexpected end")
    return counts, segs, sport


def _fast_numbers(raw: RawFile, columns: dict[str, list], present: dict[str, list]
                  ) -> dict[str, np.ndarray]:
    """Byte-string columns -> float arrays (float() on each) when every value is a plain
    decimal number (which float() and pandas read alike); otherwise :func:`_numbers` on the
    decoded texts, so values and errors are the reference's."""
    out: dict[str, np.ndarray] = {}
    for key, _ in _NUMERIC:
        col, values = columns[key], present[key]
        if not values:
            out[key] = np.full(len(col), np.nan)
            continue
        joined = b"\0".join(values)  # NUL: in no value (the document has none)
        if _DECIMALS.fullmatch(joined) is None or (b"-0" in joined
                                                   and _NEGATIVE_ZERO.search(joined)):
            return _numbers(raw, {k: _decoded(columns[k]) for k, _ in _NUMERIC})
        if values is col:
            out[key] = np.fromiter(map(float, col), float, len(col))
        else:
            out[key] = np.fromiter((float(v) if v else np.nan for v in col), float, len(col))
    return out


def _present(col: list) -> list:
    """The non-empty values of a column (the column itself when all are)."""
    present = list(filter(None, col))
    return col if len(present) == len(col) else present


def _decoded(col: list) -> list[str | None]:
    return [v.decode("utf-8") if v else None for v in col]


_EPOCH_YEAR = 1970


def _fast_times(raw: RawFile, col: list, present: list) -> tuple[pd.Series, bool]:
    """'YYYY-MM-DDTHH:MM:SS[.f]Z' texts of one length -> UTC times, in numpy; anything else
    goes to :func:`parse_times` (the reference, with its errors)."""
    if not present:
        return parse_times(raw, _decoded(col), "point")
    width = len(present[0])
    buf = b"".join(present)
    if len(buf) != width * len(present) or not (20 <= width <= 30) or width == 21:
        return parse_times(raw, _decoded(col), "point")
    a = np.frombuffer(buf, np.uint8).reshape(len(present), width)
    seps = {4: b"-", 7: b"-", 10: b"T", 13: b":", 16: b":", width - 1: b"Z"}
    digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
    if width > 20:
        seps[19] = b"."
        digits += list(range(20, width - 1))
    d = a[:, digits].astype(np.int64) - 48
    if (any((a[:, i] != ord(c)).any() for i, c in seps.items())
            or ((d < 0) | (d > 9)).any()):
        return parse_times(raw, _decoded(col), "point")
    year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    month, day = d[:, 4] * 10 + d[:, 5], d[:, 6] * 10 + d[:, 7]
    hour, minute, sec = d[:, 8] * 10 + d[:, 9], d[:, 10] * 10 + d[:, 11], d[:, 12] * 10 + d[:, 13]
    if ((year < 1678) | (year > 2261) | (month < 1) | (month > 12) | (day < 1) | (hour > 23)
            | (minute > 59) | (sec > 59)).any():
        return parse_times(raw, _decoded(col), "point")
    first = ((year - _EPOCH_YEAR).astype("M8[Y]") + (month - 1).astype("m8[M]"))
    first_day = first.astype("M8[D]")
    month_days = ((first + np.timedelta64(1, "M")).astype("M8[D]") - first_day).astype(np.int64)
    if (day > month_days).any():
        return parse_times(raw, _decoded(col), "point")
    ns = ((first_day.astype(np.int64) + day - 1) * 86400 + hour * 3600 + minute * 60
          + sec) * 1_000_000_000
    if width > 20:
        frac = np.zeros(len(present), np.int64)
        for j in range(14, d.shape[1]):
            frac = frac * 10 + d[:, j]
        ns += frac * 10 ** (9 - (d.shape[1] - 14))
    values = np.full(len(col), np.datetime64("NaT"), "M8[ns]")
    if len(present) == len(col):
        values[:] = ns.view("M8[ns]")
    else:
        values[np.array([bool(v) for v in col])] = ns.view("M8[ns]")
    return pd.Series(values).dt.tz_localize("UTC"), False


def _columns(parts: list, templates: list[_Template], n: int) -> dict[str, list]:
    """Each column's texts (None: no such element) from the split document: the groups of
    the layout that matched each point."""
    stride = sum(t.n_groups for t in templates) + 1
    offsets = np.cumsum([1] + [t.n_groups for t in templates[:-1]])
    columns: dict[str, list] = {}
    if len(templates) == 1:
        for c, column in enumerate(_COLUMNS):
            group = templates[0].groups[c]
            columns[column] = [None] * n if group is None else parts[1 + group::stride]
        return columns
    matched = np.empty((len(templates), n), dtype=object)
    for j, offset in enumerate(offsets):
        matched[j] = parts[offset::stride]
    which = np.argmax(np.not_equal(matched, np.array(None, dtype=object)), axis=0)  # its layout
    points = np.arange(n)
    for c, column in enumerate(_COLUMNS):
        values = np.empty((len(templates), n), dtype=object)  # None where no such element
        for j, (t, offset) in enumerate(zip(templates, offsets, strict=True)):
            group = t.groups[c]
            if group is not None:
                values[j] = parts[offset + group::stride]
        columns[column] = values[which, points].tolist()
    return columns


def _points_fast(raw: RawFile) -> _Points:  # noqa: C901
    """The track points read from the raw bytes (see the comment above); exactly
    :func:`_points_et`'s result, or _Fallback."""
    data = strip_leading_blanks(raw.data)
    # what _without_dtd checks (the reference parses such documents in C too), sooner
    if b"\0" in data or (b"<!" in data and _DTD_BYTES.search(data)):
        raise _Fallback("DTD or NUL")
    # the whole XML declaration, however long (the reference's check reads 300 bytes)
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if body.startswith(b"<?xml"):
        declared = _ENCODING.search(body, 0, body.find(b"?>"))
        if declared and declared.group(1).lower() not in _FAST_ENCODINGS:
            raise _Fallback("declared encoding")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise _Fallback("UTF-16")
    root: list = []

    def on_root(name: str, attrs: dict[str, str]) -> None:
        root.append((name, attrs))
        parser.StartElementHandler = None

    parser = expat.ParserCreate(None, "}")
    parser.StartElementHandler = on_root
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, ValueError, UnicodeError) as exc:
        raise _Fallback("not well-formed: the reference words the error") from exc
    if not root or local(root[0][0]) != "gpx":
        raise _Fallback("not a <gpx> root")
    first = _TRKPT_START.search(data)
    if first is None:
        raise _Fallback("no points: the reference words the error")
    # the first layout from a point half way through (the first points of a recording
    # often lack a field: no elevation or heart rate yet)
    middle = _TRKPT_START.search(data, len(data) // 2) or first
    templates = [_template(data, middle.start())]
    rx = _compiled(templates)
    parts = rx.split(data)
    stride = templates[0].n_groups + 1
    skel = b"\0".join(parts[0::stride])
    stray = _TRKPT_START.search(skel)
    if stray is not None:
        # Points of other layouts (a point without heart rate, ...): each new layout is taken
        # from the first point left over and cut out of the leftovers, until none is left;
        # then the document is split again with all of them.
        rest = skel
        counts = [(len(parts) - 1) // stride]  # points of each layout
        while stray is not None:
            if len(templates) == _MAX_TEMPLATES:
                raise _Fallback("too many point layouts")
            t = _template(rest, stray.start())
            templates.append(t)
            pieces = _compiled([t]).split(rest)
            if len(pieces) == 1:
                raise _Fallback("a layout that does not match its own point")
            counts.append((len(pieces) - 1) // (t.n_groups + 1))
            rest = b"\0".join(pieces[0::t.n_groups + 1])
            stray = _TRKPT_START.search(rest)
        # the commonest layout first: the others are tried only where it fails
        templates = [t for _, t in sorted(zip(counts, templates, strict=True),
                                          key=lambda ct: -ct[0])]
        rx = _compiled(templates)
        parts = rx.split(data)
        stride = sum(t.n_groups for t in templates) + 1
        skel = b"\0".join(parts[0::stride])
        if _TRKPT_START.search(skel):
            raise _Fallback("a point no layout matches")
    counts, segs, sport = _skeleton(skel)
    n = (len(parts) - 1) // stride
    if sum(counts) != n:
        raise _Fallback("points and markers disagree")
    columns = _columns(parts, templates, n)
    present = {column: _present(columns[column]) for column in _COLUMNS}
    for column in _COLUMNS:
        texts = b"".join(present[column])
        if b"&" in texts or b"\r" in texts or (column in ("lat", "lon") and (
                b"\t" in texts or b"\n" in texts)):
            raise _Fallback("a value the parser would decode or normalise")
    num = _fast_numbers(raw, columns, present)
    times, no_zone = _fast_times(raw, columns["time"], present["time"])
    return _Points(num["lat"], num["lon"], num["ele"], num["hr"], num["cad"], times, no_zone,
                   np.repeat(np.array(segs, dtype=np.int64), counts),
                   None if sport is None else sport.decode("utf-8"),
                   root[0][1].get("creator", ""))


def parse_gpx(raw: RawFile, *, default_sport: str = "running", fast: bool = True
              ) -> list[Parsed]:
    """Parse a GPX file's bytes into one :class:`Parsed` activity.

    ``fast=False`` reads it with the ElementTree reference alone (the result is the same;
    for tests and measurements)."""
    points = None
    if fast:
        try:
            points = _points_fast(raw)
        except _Fallback:
            points = None
    if points is None:
        points = _points_et(raw)
    return _activity(raw, points, default_sport)


def _activity(raw: RawFile, p: _Points, default_sport: str) -> list[Parsed]:
    lat, lon, ele, hr, cad = p.lat, p.lon, p.ele, p.hr, p.cad
    times, seg, sport_text = p.times, p.seg, p.sport_text
    notes: list[str] = []
    sport, sport_note, assumed = gpx_sport(sport_text, default_sport)
    if sport_note:
        notes.append(sport_note)
    if p.no_zone:
        notes.append("time stamps have no time zone; taken as UTC (the GPX standard)")
    no_position = np.isnan(lat) | np.isnan(lon)  # lat/lon are required: written as NaN
    if no_position.any():
        notes.append(f"{int(no_position.sum())} of {len(lat)} points have no usable position "
                     f"(lat/lon not a number; first at point {int(np.argmax(no_position))}) "
                     "and add nothing to the distance")
    samples = pd.DataFrame({
        "time": times, "lat_deg": lat, "lon_deg": lon,
        # The track defines GPX distance (an extension's distance is ignored): summed within
        # each segment, never across the gap between segments or tracks (as gpxpy does).
        "distance_m": _cumulative_distance(lat, lon, seg),
        "altitude_m": ele, "speed_m_s": np.nan,
        "hr_bpm": hr,
        "cadence_spm": steps_per_minute(pd.Series(cad, dtype=float),
                                        per_foot=sport in ON_FOOT_SPORTS),
    })
    n_timed = int(samples["time"].notna().sum())
    samples = valid_times(raw.name, samples, notes)
    if samples["time"].notna().sum() == 0:
        if n_timed:
            raise InvalidTimeError(raw.name, f"every time stamp is a placeholder "
                                   f"({times.dropna().iloc[0].isoformat()}), not a recording "
                                   "time; the activity cannot be placed on a date")
        raise InvalidTimeError(raw.name, "has no time stamps (a drawn route, not a recorded "
                               "activity); it cannot be placed on a date")
    missing = len(samples) - int(samples["time"].notna().sum())
    if missing:
        notes.append(f"{missing} of {len(samples)} points have no time stamp; distance uses "
                     "every point, times only the timed ones")
    return [Parsed(source_path=raw.name, source_format="gpx", digest=raw.digest,
                   session_index=0, samples=samples, sport=sport, sport_assumed=assumed,
                   totals={"distance_m": float(samples["distance_m"].max())},
                   distance_source="track",
                   sub_sport=(sport_text or "").strip(), device=p.creator,
                   notes=notes)]
