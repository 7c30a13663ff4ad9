"""The GPX fast path (kneeload.io.gpx._points_fast) against the ElementTree reader, its
reference and fallback.

Gate: for every GPX of the shared real corpus, every GPX fixture in tests/data and the
generated variants below, ``parse_gpx(raw)`` (fast path, ElementTree fallback) and
``parse_gpx(raw, fast=False)`` (ElementTree alone) give the same activity (samples equal bit
for bit, NaN positions and dtypes included; notes, sport, totals, device...) or the same
kneeload error (class and message). Where a variant is meant to be read by the fast path (or
declined), that is asserted too, so the comparison cannot pass by always falling back. A
differential fuzz test mutates real GPX bytes, mostly keeping them well-formed (values,
layouts, structure) so that the fast path reads about half of them, and also damages them.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import real_files_dir

from kneeload.errors import KneeloadError
from kneeload.io import gpx
from kneeload.io._source import RawFile, open_source
from kneeload.io._xml import parse_times

DATA = Path(__file__).resolve().parent / "data"
CORPUS = real_files_dir()
LOCAL_GPX = sorted(p for p in DATA.rglob("*") if p.is_file() and ".gpx" in p.name.lower())
CORPUS_GPX = sorted((CORPUS / "gpx").iterdir()) if CORPUS is not None else []


def _raw(data: bytes, name: str = "runs/v.gpx") -> RawFile:
    return RawFile(name=name, data=data, fmt="gpx", digest="0" * 40)


def _outcome(raw: RawFile, fast: bool):
    """parse_gpx's result as comparable data, or the error's class and text. Not only
    kneeload's errors: a year before 1678 makes the reference's parse_times raise pandas'
    OutOfBoundsDatetime (a known gap, reported); the fast path must raise the same."""
    try:
        parsed = gpx.parse_gpx(raw, fast=fast)
    except Exception as exc:  # noqa: BLE001 - compared, never swallowed: see the docstring
        return (type(exc).__name__, str(exc))
    return [{k: v for k, v in vars(p).items() if k != "samples"} | {"samples": p.samples}
            for p in parsed]


def _accepted(raw: RawFile) -> bool:
    """Whether the fast path reads the document itself (its values, or the reference
    converters' error on a bad number or time), rather than handing it to ElementTree."""
    try:
        gpx._points_fast(raw)
    except gpx._Fallback:
        return False
    except Exception:  # noqa: BLE001 - the converters' error (compared in _outcome)
        return True
    return True


def _plain(s: pd.Series) -> np.ndarray:
    """The column's numpy values (UTC datetime64 for a time column)."""
    return s.dt.tz_convert(None).to_numpy() if isinstance(s.dtype, pd.DatetimeTZDtype) \
        else s.to_numpy()


def assert_same(a, b, name: str) -> None:
    if isinstance(a, tuple) or isinstance(b, tuple):
        assert a == b, name
        return
    assert len(a) == len(b), name
    for x, y in zip(a, b, strict=True):
        fx, fy = x.pop("samples"), y.pop("samples")
        pd.testing.assert_frame_equal(fx, fy, check_exact=True, obj=name)
        for col in fx.columns:  # bit for bit (assert_frame_equal calls -0.0 and 0.0 equal)
            vx, vy = (_plain(fx[col]), _plain(fy[col]))
            assert vx.dtype == vy.dtype and vx.tobytes() == vy.tobytes(), (name, col)
        assert x == y, name


def check(data: bytes, name: str = "runs/v.gpx", fast: bool | None = None):
    """Both readers agree on ``data``; ``fast``: whether the fast path must read it itself."""
    raw = _raw(data, name)
    assert_same(_outcome(raw, True), _outcome(raw, False), name)
    return _outcome(raw, True), (None if fast is None else _accepted(raw))


@pytest.mark.parametrize("path", LOCAL_GPX + CORPUS_GPX, ids=lambda p: p.name)
def test_fast_path_gives_elementtrees_activity(path):
    raw = open_source(path)
    assert_same(_outcome(raw, True), _outcome(raw, False), path.name)


def test_fast_path_reads_every_corpus_file_the_reference_reads():
    """The share the fast path accepts: every real GPX that parses at all (15 of the 17 in
    the corpus; the other two are a truncated file and a metadata-only file, errors the
    reference words)."""
    if not CORPUS_GPX:
        pytest.skip("no shared corpus")
    readable = [p for p in CORPUS_GPX if not isinstance(_outcome(open_source(p), False), tuple)]
    declined = [p.name for p in readable if not _accepted(open_source(p))]
    assert readable and declined == []


def test_benchmark_shaped_file_is_read_by_the_fast_path():
    raw = _raw(doc([point(i) for i in range(50)]))
    assert _accepted(raw)
    (p,) = gpx.parse_gpx(raw)
    # point i: hr 120 + i % 30, cadence 80 + i % 5 per foot -> 160 + 2 (i % 5) steps/min
    assert p.samples["hr_bpm"].tolist() == [120.0 + i % 30 for i in range(50)]
    assert p.samples["cadence_spm"].iloc[7] == 2 * (80 + 7 % 5)
    assert p.samples["time"].iloc[49] == pd.Timestamp("2024-05-01T06:00:49Z")


# --- generated variants ------------------------------------------------------------------------

NS = (b' xmlns="http://www.topografix.com/GPX/1/1"'
      b' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"')


def point(i: int, *, ele: bool = True, time: bool = True, hr: bool = True, cad: bool = True,
          attrs: bytes | None = None, ext: bytes = b"") -> bytes:
    lat, lon = 51.5 + i * 1e-5, -0.12 + i * 2e-5
    out = [b"<trkpt " + (attrs if attrs is not None else
                         f'lat="{lat:.7f}" lon="{lon:.7f}"'.encode()) + b">"]
    if ele:
        out.append(f"<ele>{30 + (i % 7) * 0.4:.1f}</ele>".encode())
    if time:
        out.append(f"<time>2024-05-01T06:00:{i % 60:02d}Z</time>".encode()
                   if i < 60 else f"<time>2024-05-01T06:{i // 60:02d}:{i % 60:02d}Z</time>"
                   .encode())
    inner = b""
    if hr:
        inner += f"<gpxtpx:hr>{120 + i % 30}</gpxtpx:hr>".encode()
    if cad:
        inner += f"<gpxtpx:cad>{80 + i % 5}</gpxtpx:cad>".encode()
    if inner or ext:
        out.append(b"<extensions><gpxtpx:TrackPointExtension>" + inner
                   + b"</gpxtpx:TrackPointExtension>" + ext + b"</extensions>")
    out.append(b"</trkpt>")
    return b"".join(out)


def doc(points: list[bytes], *, head: bytes = b'<?xml version="1.0" encoding="UTF-8"?>\n',
        root: bytes = b'<gpx version="1.1" creator="Garmin Connect"' + NS + b">",
        meta: bytes = b"<metadata><time>2024-05-01T05:59:00Z</time></metadata>",
        trk: bytes = b"<trk><name>Morning Run</name><type>running</type><trkseg>\n",
        end: bytes = b"</trkseg></trk>", tail: bytes = b"</gpx>\n", sep: bytes = b"\n") -> bytes:
    return head + root + meta + trk + sep.join(points) + sep + end + tail


PTS = [point(i) for i in range(12)]
BASE = doc(PTS)


def _prefixed(data: bytes) -> bytes:
    """Every GPX element with a g: prefix (the default namespace bound to g instead)."""
    for tag in (b"gpx", b"metadata", b"time", b"trk", b"name", b"type", b"trkseg", b"trkpt",
                b"ele", b"extensions"):
        data = data.replace(b"<" + tag + b">", b"<g:" + tag + b">").replace(
            b"<" + tag + b" ", b"<g:" + tag + b" ").replace(b"</" + tag + b">",
                                                              b"</g:" + tag + b">")
    return data.replace(b' xmlns="', b' xmlns:g="')


VARIANTS: list[tuple[str, bytes, bool | None]] = [
    ("base", BASE, True),
    ("no namespace", BASE.replace(NS, b"").replace(b"gpxtpx:", b""), True),
    ("prefix g:", _prefixed(BASE), True),
    ("ns3 prefix", BASE.replace(b"gpxtpx", b"ns3"), True),
    ("lon before lat", doc([point(i, attrs=f'lon="{i * 1e-4:.4f}" lat="51.{i}"'.encode())
                            for i in range(5)]), True),
    ("single quotes", BASE.replace(b'"', b"'"), True),
    ("spaces in tags", BASE.replace(b"<trkpt lat=", b"<trkpt \n lat =").replace(
        b"<ele>", b"<ele >").replace(b"</ele>", b"</ele\n>"), True),
    ("extra attribute", BASE.replace(b"<trkpt ", b'<trkpt src="gps&amp;x" '), True),
    ("attribute with >", BASE.replace(b"<ele>", b'<ele note="a>b">'), True),
    ("text with >", BASE.replace(b"<ele>30.0</ele>", b"<ele>30.0></ele>"), True),
    ("field with attribute", BASE.replace(b"<ele>", b"<ele units='m'>"), True),
    ("self-closing trkpt", doc([b'<trkpt lat="1" lon="2"/>', point(1)]), True),
    ("empty field", BASE.replace(b"<ele>30.0</ele>", b"<ele></ele>"), True),
    ("self-closing field", BASE.replace(b"<ele>30.0</ele>", b"<ele/>"), True),
    ("field then empty field", BASE.replace(b"</gpxtpx:TrackPointExtension>",
                                            b"<hr/></gpxtpx:TrackPointExtension>"), True),
    ("two hr, last wins", BASE.replace(b"</gpxtpx:TrackPointExtension>",
                                       b"<gpxdata:hr xmlns:gpxdata='x'>99</gpxdata:hr>"
                                       b"</gpxtpx:TrackPointExtension>"), True),
    ("upper-case fields", BASE.replace(b"ele>", b"ELE>").replace(b"gpxtpx:hr>",
                                                                 b"gpxtpx:HeartRate>"), True),
    ("cluetrust cadence", BASE.replace(b"gpxtpx:cad>", b"gpxtpx:cadence>"), True),
    ("distance extension", BASE.replace(b"</extensions>",
                                        b"<distance>12.5</distance></extensions>"), True),
    ("nested field text", BASE.replace(b"<ele>30.0</ele>", b"<ele>31<x>7</x>2</ele>"), True),
    ("missing ele in some", doc([point(i, ele=i % 3 != 0) for i in range(12)]), True),
    ("missing time in some", doc([point(i, time=i % 4 != 1) for i in range(12)]), True),
    ("missing hr in first", doc([point(i, hr=i > 0) for i in range(12)]), True),
    ("no hr anywhere", doc([point(i, hr=False, cad=False) for i in range(6)]), True),
    ("no time anywhere", doc([point(i, time=False) for i in range(6)]), True),
    ("13 layouts", doc([point(i, ext=b"<x%d/>" % i) for i in range(13)]), False),
    ("12 layouts", doc([point(i, ext=b"<x%d/>" % i) for i in range(12)]), True),
    ("no metadata time", doc(PTS, meta=b""), True),
    ("metadata only time", doc([point(0, time=False), point(1)]), True),
    ("several segments", doc(PTS[:4] + [b"</trkseg><trkseg>"] + PTS[4:8] + [b"</trkseg>\n"
                                                                           b"<trkseg/><trkseg>"]
                             + PTS[8:]), True),
    ("several tracks", doc(PTS[:5] + [b"</trkseg></trk><trk><type>cycling</type><trkseg>"]
                           + PTS[5:]), True),
    ("type only in second track", doc(PTS[:5] + [b"</trkseg></trk><trk><type>walk</type>"
                                                 b"<trkseg>"] + PTS[5:],
                                      trk=b"<trk><type></type><trkseg>"), True),
    ("type after segment", doc(PTS, trk=b"<trk><trkseg>", end=b"</trkseg><type>hike</type>"
                                                              b"</trk>"), True),
    ("type self-closing", doc(PTS, trk=b"<trk><type/><type>ride</type><trkseg>"), True),
    ("type with child", doc(PTS, trk=b"<trk><type>trail run<x/>s</type><trkseg>"), True),
    ("type unknown", doc(PTS, trk=b"<trk><type>Yoga</type><trkseg>"), True),
    ("no type", doc(PTS, trk=b"<trk><trkseg>"), True),
    ("type blank", doc(PTS, trk=b"<trk><type>\n </type><trkseg>"), True),
    ("type with entity", doc(PTS, trk=b"<trk><type>r&#117;n</type><trkseg>"), False),
    ("type in CDATA", doc(PTS, trk=b"<trk><type><![CDATA[run]]></type><trkseg>"), False),
    ("type then comment", doc(PTS, trk=b"<trk><type>ru<!--x-->n</type><trkseg>"), False),
    ("creator with entity", BASE.replace(b'creator="Garmin Connect"',
                                         b'creator="A &amp; B&#10;x"'), True),
    ("no creator", BASE.replace(b'creator="Garmin Connect"', b""), True),
    ("metadata CDATA and comment", doc(PTS, meta=b"<metadata><desc><![CDATA[<trkpt lat='1'"
                                                 b" lon='2'></trkpt>]]></desc><!-- <trkpt>"
                                                 b" --><time>2024-01-01T00:00:00Z</time>"
                                                 b"</metadata>"), False),
    ("comment between points", doc(PTS[:3] + [b"<!-- pause -->"] + PTS[3:]), True),
    ("PI between points", doc(PTS[:3] + [b"<?note x?>"] + PTS[3:]), True),
    ("comment inside point", BASE.replace(b"<ele>30.4</ele>", b"<ele>30.4</ele><!--c-->"),
     False),
    ("comment inside ele", BASE.replace(b"<ele>30.4</ele>", b"<ele>3<!--c-->0.4</ele>"), False),
    ("CDATA in ele", BASE.replace(b"<ele>30.4</ele>", b"<ele><![CDATA[30.4]]></ele>"), False),
    ("char reference in ele", BASE.replace(b"<ele>30.4</ele>", b"<ele>3&#48;.4</ele>"), False),
    ("entity in hr", BASE.replace(b"<gpxtpx:hr>121", b"<gpxtpx:hr>&#49;21"), False),
    ("char reference in lat", BASE.replace(b'lat="51.5000100"', b'lat="5&#49;.5000100"'),
     False),
    ("newline in lat", BASE.replace(b'lat="51.5000100"', b'lat="51.5000100\n"'), False),
    ("tab in lon", BASE.replace(b'lon="-0.1200000"', b'lon="\t-0.1200000"'), False),
    ("CRLF lines", BASE.replace(b"\n", b"\r\n"), True),
    ("CR in ele", BASE.replace(b"<ele>30.4</ele>", b"<ele>30.4\r\n</ele>"), False),
    ("DOCTYPE", BASE.replace(b"<gpx ", b"<!DOCTYPE gpx><gpx ", 1), False),
    ("entity declaration", BASE.replace(b"<gpx ", b'<!DOCTYPE gpx [<!ENTITY e "1">]><gpx ', 1),
     False),
    ("latin-1 declared", BASE.replace(b"UTF-8", b"ISO-8859-1").replace(
        b"Morning Run", b"Caf\xe9 run"), False),
    ("latin-1 declared late", BASE.replace(b' encoding="UTF-8"', b" " * 400 + b'encoding="latin-1"')
     .replace(b"<type>running", b"<type>runn\xefng"), False),
    ("utf-8 name", BASE.replace(b"Morning Run", "Café run ✓".encode()), True),
    ("ascii declared", BASE.replace(b"UTF-8", b"us-ascii"), True),
    ("utf-16", BASE.replace(b"UTF-8", b"UTF-16").decode().encode("utf-16"), False),
    ("BOM and blanks", b"\xef\xbb\xbf" + BASE, True),
    ("leading blanks", b"\n\n   " + BASE, True),
    ("no declaration", BASE.split(b"?>", 1)[1], True),
    ("bad UTF-8", BASE.replace(b"Morning Run", b"Run \xff"), False),
    ("NUL byte", BASE.replace(b"Morning Run", b"Run\0"), False),
    ("unbound prefix", BASE.replace(NS, b""), False),
    ("root not gpx", BASE.replace(b"<gpx ", b"<gpy ").replace(b"</gpx>", b"</gpy>"), False),
    ("routes only", doc([], trk=b"<rte><rtept lat='1' lon='2'><time>2024-05-01T06:00:00Z"
                                b"</time></rtept>", end=b"</rte>"), False),
    ("waypoints only", doc([], trk=b"<wpt lat='1' lon='2'/>", end=b""), False),
    ("empty segment only", doc([], end=b"</trkseg></trk>"), False),
    ("trkpt in route", doc(PTS, trk=b"<rte><trkpt lat='1' lon='2'/></rte><trk><trkseg>"),
     False),
    ("trkpt in trk extensions", doc(PTS, trk=b"<trk><extensions>" + PTS[0]
                                    + b"</extensions><trkseg>"), False),
    ("trkpt directly in trk", doc(PTS, trk=b"<trk>" + PTS[0] + b"<trkseg>"), False),
    ("nested trkpt", BASE.replace(b"</trkpt>", b"<trkpt lat='9' lon='9'><ele>1</ele></trkpt>"
                                               b"</trkpt>", 1), True),
    ("TRKPT upper case", doc(PTS[:2] + [PTS[2].replace(b"trkpt", b"TRKPT")] + PTS[3:]),
     True),
    ("trkpt-like name", doc(PTS, trk=b"<trk><trkpt-x/><trkseg>"), True),
    ("points in gpx 1.0 form", BASE.replace(b"<extensions><gpxtpx:TrackPointExtension>", b"")
     .replace(b"</gpxtpx:TrackPointExtension></extensions>", b""), True),
    ("bad number", BASE.replace(b"<gpxtpx:cad>82", b"<gpxtpx:cad>abc"), True),
    ("bad lat later", BASE.replace(b'lat="51.5000500"', b'lat="y"'), True),
    ("number forms", BASE.replace(b"<gpxtpx:hr>121", b"<gpxtpx:hr>1_21").replace(
        b"<gpxtpx:cad>82", b"<gpxtpx:cad> 82 ").replace(b"<ele>30.8", b"<ele>nan").replace(
        b"<ele>31.2", b"<ele>3.12e1").replace(b"<ele>31.6", b"<ele>+31.6"), True),
    ("exponent pandas rounds", BASE.replace(b"<ele>30.8", b"<ele>+2860e36"), True),
    ("negative zero", BASE.replace(b"<ele>30.8", b"<ele>-0").replace(b"<ele>31.2",
                                                                      b"<ele>-0.0"), True),
    ("negative zero alone", doc([point(i, hr=False, cad=False) for i in range(3)])
     .replace(b"30.0", b"-0").replace(b"30.4", b"-00").replace(b"30.8", b"-000"), True),
    ("space inside number", BASE.replace(b"<ele>30.8", b"<ele>30 8"), True),
    ("dot forms", BASE.replace(b"<ele>30.8", b"<ele>5.").replace(b"<ele>31.2", b"<ele>.5"),
     True),
    ("long decimals", BASE.replace(b'lat="51.5000100"', b'lat="51.50001000000000000001"'),
     True),
    ("huge integer", BASE.replace(b"<ele>30.8", b"<ele>12345678901234567890123"), True),
    ("blank number", BASE.replace(b"<ele>30.8</ele>", b"<ele>  </ele>"), True),
    ("empty lat", BASE.replace(b'lat="51.5000100"', b'lat=""'), True),
    ("no lat", BASE.replace(b'lat="51.5000100" ', b""), True),
    ("bad time", BASE.replace(b"06:00:03Z", b"06:0O:03Z"), True),
    ("impossible date", BASE.replace(b"2024-05-01T06:00:03Z", b"2024-02-30T06:00:03Z"), True),
    ("month 13", BASE.replace(b"2024-05-01T06:00:03Z", b"2024-13-01T06:00:03Z"), True),
    ("second 60", BASE.replace(b"06:00:03Z", b"06:00:60Z"), True),
    ("hour 24", BASE.replace(b"06:00:03Z", b"24:00:00Z"), True),
    ("leap day", BASE.replace(b"2024-05-01", b"2024-02-29"), True),
    ("no zone", BASE.replace(b"Z</time>", b"</time>"), True),
    ("offset", BASE.replace(b"Z</time>", b"+02:00</time>"), True),
    ("lower-case z", BASE.replace(b"Z</time>", b"z</time>"), True),
    ("milliseconds", BASE.replace(b"Z</time>", b".250Z</time>"), True),
    ("nanoseconds", BASE.replace(b"Z</time>", b".123456789Z</time>"), True),
    ("ten fraction digits", BASE.replace(b"Z</time>", b".1234567891Z</time>"), True),
    ("mixed fractions", BASE.replace(b"03Z</time>", b"03.5Z</time>"), True),
    ("placeholder 1901", BASE.replace(b"2024-05-01", b"1901-01-01"), True),
    ("some placeholders", BASE.replace(b"2024-05-01T06:00:0", b"1970-01-01T00:00:0"), True),
    ("year 1600", BASE.replace(b"2024-05-01", b"1600-05-01"), True),
    ("far future", BASE.replace(b"2024-05-01", b"2200-05-01"), True),
    ("space separator", BASE.replace(b"2024-05-01T", b"2024-05-01 "), True),
] + [(f"truncated at {cut}", BASE[:cut], False) for cut in (0, 40, 200, 400, 777, 1500,
                                                            len(BASE) - 30, len(BASE) - 3)]


@pytest.mark.parametrize("name,data,fast", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_variant_fast_and_elementtree_agree(name, data, fast):
    _, accepted = check(data, f"runs/{name}.gpx", fast)
    assert accepted is fast, f"fast path {'read' if accepted else 'declined'} {name!r}"


def test_variants_are_real_activities_where_meant():
    """A few variants' values by hand, so agreement is not agreement on nonsense."""
    (p,), _ = check(dict((v[0], v[1]) for v in VARIANTS)["several tracks"], fast=True)
    assert p["sport"] == "running" and len(p["samples"]) == 12
    s = p["samples"]["distance_m"]
    # no distance across the track gap: steps 4->5 add nothing. One step is
    # haversine(1e-5 deg lat, 2e-5 deg lon at 51.5 deg): sqrt(1.112^2 + (2.224 cos 51.5)^2)
    # = sqrt(1.2365 + 1.9151) = 1.775 m
    assert s.iloc[5] == s.iloc[4] and s.iloc[1] == pytest.approx(1.775, abs=0.002)
    (p,), _ = check(dict((v[0], v[1]) for v in VARIANTS)["two hr, last wins"], fast=True)
    assert (p["samples"]["hr_bpm"] == 99).all()
    (p,), _ = check(dict((v[0], v[1]) for v in VARIANTS)["type only in second track"], fast=True)
    assert p["sport"] == "walking"
    (p,), _ = check(dict((v[0], v[1]) for v in VARIANTS)["milliseconds"], fast=True)
    assert p["samples"]["time"].iloc[1] == pd.Timestamp("2024-05-01T06:00:01.250Z")


# --- the converters alone ------------------------------------------------------------------

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

NUMBER_TEXT = st.one_of(
    st.text("0123456789.-+eE _n", max_size=12),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.builds(lambda s, i, f: f"{s}{i}.{f}", st.sampled_from(["", "-"]),
              st.integers(0, 10**16), st.integers(0, 10**22)))


@settings(max_examples=int(os.environ.get("KNEELOAD_GPX_FUZZ", "60")) * 3, deadline=None,
          derandomize=True, database=None)
@given(st.lists(st.one_of(st.none(), NUMBER_TEXT), min_size=1, max_size=6))
def test_number_conversion_is_the_references(texts):
    raw = _raw(b"", "runs/n.gpx")
    cols = {k: list(texts) for k, _ in gpx._NUMERIC}
    as_bytes = {k: [None if t is None else t.encode() for t in v] for k, v in cols.items()}
    present = {k: gpx._present(v) for k, v in as_bytes.items()}

    def run(f, *args):
        try:
            return {k: v.tobytes() for k, v in f(*args).items()}
        except KneeloadError as exc:
            return str(exc)
    assert run(gpx._fast_numbers, raw, as_bytes, present) == run(gpx._numbers, raw, cols)


@settings(max_examples=int(os.environ.get("KNEELOAD_GPX_FUZZ", "60")) * 3, deadline=None,
          derandomize=True, database=None)
@given(st.lists(st.one_of(st.none(), st.datetimes(min_value=pd.Timestamp("1677-09-22"),
                                                   max_value=pd.Timestamp("2262-04-10")),
                          st.text("0123456789-:TZ.", max_size=24)), min_size=1, max_size=5),
       st.integers(0, 9))
def test_time_conversion_is_the_references(values, digits):
    texts = [v if v is None or isinstance(v, str) else
             v.strftime("%Y-%m-%dT%H:%M:%S") + (f".{v.microsecond:06d}000"[:digits + 1]
                                                if digits else "") + "Z" for v in values]
    raw = _raw(b"", "runs/t.gpx")
    as_bytes = [None if t is None else t.encode() for t in texts]

    def run(f, *args):
        try:
            times, no_zone = f(*args)
        except Exception as exc:  # noqa: BLE001 - the same error, whichever it is
            return type(exc).__name__, str(exc)
        return str(times.dtype), _plain(times).view(np.int64).tobytes(), no_zone
    assert run(gpx._fast_times, raw, as_bytes, gpx._present(as_bytes)) == run(
        parse_times, raw, texts, "point")


# --- differential fuzzing of whole documents ---------------------------------------------------

def _small_seeds() -> list[bytes]:
    seeds = [BASE, doc([point(i, hr=i % 2 == 0) for i in range(6)]),
             doc([point(0, ele=False, hr=False)] + [point(i, hr=i % 3 != 0, ext=b"<x/>" * (i % 2))
                                                    for i in range(1, 9)]),
             _prefixed(doc(PTS[:4])), BASE.replace(b'"', b"'")]
    for name in ("gpxpy__track-with-less-sec-time.gpx", "runpandas__garmin_connect.gpx",
                 "gpxpy__track-with-empty-segment.gpx"):
        if CORPUS is not None and (CORPUS / "gpx" / name).is_file():
            seeds.append((CORPUS / "gpx" / name).read_bytes())
    return seeds


SEEDS = _small_seeds()
XMLISH = st.binary(max_size=12) | st.sampled_from(
    [b"<", b">", b"/>", b"</", b"&", b"&amp;", b"&#49;", b"<!--x-->", b"<![CDATA[1]]>", b"'",
     b'"', b"\r", b"\n", b"\t", b" ", b"\0", b"<?p?>", b"<trkpt lat='1' lon='2'>", b"</trkpt>",
     b"<trkseg>", b"</trkseg>", b"<ele>", b"</ele>", b"<time>", b"-0", b"1e5", b"Z", b"g:",
     b"<!DOCTYPE x>", b"\xff", "é".encode(), b"2024-02-30", b"lat", b"lon"])
#: Well-formed replacements for a text or an attribute value: numbers in every form, times,
#: references, CDATA/comments (texts only), blanks, CR, the other quote.
VALUE = st.text("0123456789.-+eE_ :TZn\t\n\r'", max_size=10).map(str.encode) | st.sampled_from(
    [b"", b" ", b"-0", b"-0.0", b"1e5", b"+2860e36", b".5", b"5.", b"nan", b"1_0", b"0x1",
     b"&amp;", b"&#49;2", b"&lt;", b"2024-05-01T06:00:00Z", b"2024-05-01T06:00:00.5Z",
     b"2024-05-01T06:00:00", b"2024-05-01T06:00:00+02:00", b"2024-02-30T06:00:00Z",
     b"1901-01-01T00:00:00Z", b"1600-01-01T00:00:00Z", b"12345678901234567890",
     b"51.50001000000000000001", "é".encode(), b"run", b"Running", b">"])
TEXT_EXTRA = st.sampled_from([b"<![CDATA[7]]>", b"<!--c-->", b"<?p x?>", b"<x/>", b"<x>1</x>"])
#: Well-formed things to put between two tags.
BETWEEN = st.sampled_from(
    [b"<!-- c -->", b"<?pi x?>", b"<![CDATA[ <trkpt> ]]>", b"\r\n  ", b"<x/>", b"<y a='>'/>",
     b"<trkpt lat='1' lon='2'/>", b"<trkpt lat='1.5' lon='2'><ele>3</ele></trkpt>",
     b"</trkseg><trkseg>", b"<trkseg/>", b"</trk><trk>", b"<type>walk</type>", b"<ele>9</ele>",
     b"<time>2024-05-01T07:00:00Z</time>", b"<hr>150</hr>", b"<HeartRate>99</HeartRate>",
     b"<ns:cad xmlns:ns='u'>88</ns:cad>", b"<rte/>", b"<extensions><trkpt lat='1' lon='1'/>"
     b"</extensions>"])
_TEXT_RUN = re.compile(rb">([^<]*)<")
_ATTR_VALUE = re.compile(rb"=\s*(\"[^\"]*\"|'[^']*')")
_LEAF = re.compile(rb"<([\w:]+)(?:\s[^<>]*)?>[^<]*</\1\s*>|<[\w:]+(?:\s[^<>]*)?/>")
_POINT = re.compile(rb"<trkpt\b.*?</trkpt>|<trkpt\b[^>]*/>", re.S)
_TAG_END = re.compile(rb">")


def _pick(draw, rx: re.Pattern[bytes], data: bytes):
    spans = [m for m in rx.finditer(data)]
    return draw(st.sampled_from(spans)) if spans else None


@st.composite
def mutated_gpx(draw) -> bytes:
    """A seed with 1-3 mutations, most of which keep it well-formed (so the fast path reads
    it and the values, layouts and structure it meets change), some that break it."""
    data = bytes(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["text", "text", "attr", "attr", "leaf", "point", "between",
                                     "between", "rename", "bytes"]))
        if kind == "text" and (m := _pick(draw, _TEXT_RUN, data)):
            new = draw(VALUE) + (draw(TEXT_EXTRA) if draw(st.booleans()) else b"")
            data = data[:m.start(1)] + new + data[m.end(1):]
        elif kind == "attr" and (m := _pick(draw, _ATTR_VALUE, data)):
            q = m.group(1)[:1]
            data = data[:m.start(1)] + q + draw(VALUE).replace(q, b"") + q + data[m.end(1):]
        elif kind == "leaf" and (m := _pick(draw, _LEAF, data)):
            how = draw(st.sampled_from(["delete", "twice", "empty"]))
            new = {"delete": b"", "twice": m.group(0) * 2,
                   "empty": re.sub(rb">[^<]*</[^>]*>$", b"/>", m.group(0))}[how]
            data = data[:m.start()] + new + data[m.end():]
        elif kind == "point" and (m := _pick(draw, _POINT, data)):
            how = draw(st.sampled_from(["delete", "twice", "quotes", "attr order"]))
            p = m.group(0)
            new = {"delete": b"", "twice": p + b"\n" + p,
                   "quotes": p.replace(b'"', b"'") if b'"' in p else p.replace(b"'", b'"'),
                   "attr order": re.sub(rb"(\slat=\S+)(\s+)(lon=\S+?)(/?>)", rb" \3\2\1\4", p,
                                         count=1)
                   }[how]
            data = data[:m.start()] + new + data[m.end():]
        elif kind == "between" and (m := _pick(draw, _TAG_END, data)):
            data = data[:m.end()] + draw(BETWEEN) + data[m.end():]
        elif kind == "rename":
            old, new = draw(st.sampled_from([
                (b"ele>", b"ELE>"), (b"trkpt", b"rtept"), (b"trkseg", b"seg"), (b"<trk>", b"<rte>"),
                (b"</trk>", b"</rte>"), (b"hr>", b"heartrate>"), (b"cad>", b"cadence>"),
                (b"time>", b"Time>"), (b"gpxtpx:", b"g:"), (b"type>", b"name>")]))
            data = data.replace(old, new, draw(st.sampled_from([1, -1])))
        elif data:  # byte-level damage: flip, insert, delete, truncate
            buf, pos = bytearray(data), draw(st.integers(0, len(data) - 1))
            how = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
            if how == "flip":
                buf[pos] ^= 1 << draw(st.integers(0, 7))
            elif how == "insert":
                buf[pos:pos] = draw(XMLISH)
            elif how == "delete":
                del buf[pos:pos + draw(st.integers(1, 24))]
            else:
                del buf[pos:]
            data = bytes(buf)
    return data


@settings(max_examples=int(os.environ.get("KNEELOAD_GPX_FUZZ", "60")), deadline=None,
          derandomize="KNEELOAD_GPX_FUZZ_RANDOM" not in os.environ, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_gpx())
def test_fast_path_and_elementtree_agree_on_mutated_files(blob):
    raw = _raw(blob, "fuzz/mutated.gpx")
    assert_same(_outcome(raw, True), _outcome(raw, False), "mutated")
    # the share read by the fast path: pytest --hypothesis-show-statistics
    event("fast path: " + ("read" if _accepted(raw) else "declined"))


def test_fuzz_seeds_are_read_by_the_fast_path():
    """The fuzz starts from documents the fast path reads, so mutations probe it."""
    assert all(_accepted(_raw(s)) for s in SEEDS)
    assert not math.isnan(len(SEEDS))
