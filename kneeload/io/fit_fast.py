"""A vectorised FIT decoder for the common structure of activity files, with fitdecode's values.

:func:`read_fit_fast` walks the message headers of a FIT file in Python (a few hundred
nanoseconds a message) and decodes every ``record`` message of one definition at once: their
bytes are gathered into one numpy array and viewed through a structured dtype built from the
definition (field offsets, base types, the definition's byte order). Invalid-value sentinels,
scale and offset, and the simple component expansions (``altitude`` -> ``enhanced_altitude``,
``speed`` -> ``enhanced_speed``) follow fitdecode's profile (``fitdecode.profile``, read at
import, so the numbers are fitdecode's own). The few summary messages (``file_id``,
``session``, ``lap``, ``activity``, ``sport``, and the developer-field declarations) are
decoded one by one exactly as fitdecode decodes them, subfields and components included.

Anything it does not decode exactly as fitdecode would raises :class:`Fallback`, and the caller
(:func:`kneeload.io.fit.parse_fit`) reads the whole file with fitdecode instead: damaged or
truncated files, CRC mismatches, accumulated components (``compressed_speed_distance``), array
or byte fields where numbers are expected, developer fields named like a standard field. So
kneeload's results and error messages never depend on which decoder ran;
``tests/test_fit_fast.py`` proves the values equal fitdecode's on every corpus file and on
mutated ones.

The file CRC is checked with anycrc (a compiled CRC library, CRC-16/ARC is FIT's CRC), about
4,000x faster than a Python loop; without it, fitdecode's own Python CRC is used.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from fitdecode import profile as _profile
from fitdecode import types as _types

try:  # anycrc (zlib licence): compiled table-driven CRCs; CRC16-ARC is the FIT CRC
    import anycrc as _anycrc

    _CRC = _anycrc.Model("CRC16-ARC")

    def fit_crc(data: bytes | memoryview) -> int:
        """FIT CRC-16 (CRC-16/ARC) of ``data``."""
        return _CRC.calc(data)
except ImportError:  # pragma: no cover - anycrc is a dependency; keep working without it
    from fitdecode.utils import compute_crc as _compute_crc

    def fit_crc(data: bytes | memoryview) -> int:
        """FIT CRC-16 (CRC-16/ARC) of ``data``."""
        return _compute_crc(bytes(data)) if len(data) else 0

#: The record fields kneeload reads (as named by the FIT profile), in fit.py's order.
RECORD_FIELDS = ("timestamp", "position_lat", "position_long", "distance", "enhanced_altitude",
                 "altitude", "enhanced_speed", "speed", "heart_rate", "cadence",
                 "fractional_cadence")
_RECORD_SET = frozenset(RECORD_FIELDS)
#: Summary messages decoded one by one (global message numbers of the FIT profile).
SUMMARY_MESSAGES = {0: "file_id", 12: "sport", 18: "session", 19: "lap", 34: "activity"}
_MESG_RECORD = 20
_MESG_DEV_DATA_ID = _profile.MESG_NUM_DEVELOPER_DATA_ID
_MESG_FIELD_DESCRIPTION = _profile.MESG_NUM_FIELD_DESCRIPTION
_FIELD_TIMESTAMP = _profile.FIELD_NUM_TIMESTAMP
_MESSAGE_TYPES = _profile.MESSAGE_TYPES
_RECORD_TYPE = _MESSAGE_TYPES[_MESG_RECORD]
_BASE_TYPES = _types.BASE_TYPES
_BYTE = _types.BASE_TYPE_BYTE

#: FIT base type id -> (numpy type code, invalid value or None for "NaN is invalid").
_NUMPY_BASE = {
    0x00: ("u1", 0xFF), 0x01: ("i1", 0x7F), 0x02: ("u1", 0xFF), 0x83: ("i2", 0x7FFF),
    0x84: ("u2", 0xFFFF), 0x85: ("i4", 0x7FFFFFFF), 0x86: ("u4", 0xFFFFFFFF),
    0x88: ("f4", None), 0x89: ("f8", None), 0x0A: ("u1", 0), 0x8B: ("u2", 0), 0x8C: ("u4", 0),
    0x8E: ("i8", 0x7FFFFFFFFFFFFFFF), 0x8F: ("u8", 0xFFFFFFFFFFFFFFFF), 0x90: ("u8", 0),
}


class Fallback(Exception):
    """The fast path declines this file; fitdecode must read it (the reason says why)."""


@dataclass
class FastReading:
    """What :func:`read_fit_fast` found: summary messages as fitdecode's field lists give them
    (name -> value, a later non-empty value of the same name wins) and the record columns."""

    file_ids: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    laps: list[dict[str, Any]] = field(default_factory=list)
    sports: list[dict[str, Any]] = field(default_factory=list)
    activity: dict[str, Any] | None = None
    #: RECORD_FIELDS -> float64 arrays, one value per record in file order (NaN = no value)
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    #: a header or file CRC does not match (fitdecode warns and reads on; so does this)
    crc_mismatch: bool = False
    #: what stopped the reading before the end, as fitdecode would have stopped:
    #: ("eof" | "header" | "parse", byte offset fitdecode's stream stood at, fitdecode's text)
    stop: tuple[str, int, str] | None = None


def merge_fields(pairs: list[tuple[Any, Any]] | Any) -> dict[str, Any]:
    """(name, value) pairs of one message -> dict; a later value of the same name replaces an
    earlier one unless it is empty (None), so an invalid duplicate never hides a valid value
    (e.g. an empty ``compressed_speed_distance`` expanding to ``distance`` after a real
    ``distance`` field)."""
    out: dict[str, Any] = {}
    for name, value in pairs:
        if value is not None or name not in out:
            out[name] = value
    return out


class _FieldDef:
    __slots__ = ("field", "def_num", "base", "size", "pos", "unpacker", "is_dev")

    def __init__(self, fld: Any, def_num: int, base: Any, size: int, pos: int, endian: str,
                 is_dev: bool) -> None:  # noqa: FBT001
        self.field, self.def_num, self.base, self.size = fld, def_num, base, size
        self.pos, self.is_dev = pos, is_dev
        self.unpacker = struct.Struct(f"{endian}{size // base.size}{base.fmt}")


class _Definition:
    __slots__ = ("global_num", "endian", "fields", "size", "mesg_type", "offsets",
                 "ts_fields", "stamps", "problem", "accumulated")

    def __init__(self, global_num: int, endian: str) -> None:
        self.global_num, self.endian = global_num, endian
        self.mesg_type = _MESSAGE_TYPES.get(global_num)
        self.fields: list[_FieldDef] = []
        self.size = 0
        self.offsets: list[int] = []  # payload offsets of this definition's data messages
        self.stamps: list[int] = []  # compressed-header time stamps (-1: none), per message
        self.ts_fields: list[_FieldDef] = []
        self.problem: str | None = None  # set when a data message of it must fall back
        #: accumulated component values (component def_num -> raw ints, NaN where the
        #: message's field is invalid), aligned with ``offsets``
        self.accumulated: dict[int, np.ndarray] = {}


class _Restart(Exception):
    """A compressed-timestamp header was met: walk again, accumulating time stamps."""


class _Stop(Exception):
    """The data ends or breaks where fitdecode would stop with an error (kind, byte, text)."""


def read_fit_fast(data: bytes) -> FastReading:
    """Decode ``data`` (a whole FIT file, possibly several chained) or raise :class:`Fallback`.

    Returns
    -------
    FastReading
        Values identical to fitdecode's (``processor=None``) for the summary messages and the
        :data:`RECORD_FIELDS` of every record message.
    """
    try:
        return _Walk(data, compressed=False).run()
    except _Restart:
        return _Walk(data, compressed=True).run()
    except (struct.error, IndexError, KeyError, ValueError, TypeError) as exc:
        raise Fallback(f"{type(exc).__name__}: {exc}") from None


class _Walk:
    def __init__(self, data: bytes, compressed: bool) -> None:  # noqa: FBT001
        self.data = data
        self.compressed = compressed  # track the compressed-timestamp accumulator
        self.out = FastReading()
        self.record_defs: list[_Definition] = []  # record definitions with messages
        #: offsets of record definitions that (re)start an accumulated component at 0, by the
        #: component's target field number (fitdecode resets its accumulator there)
        self.acc_resets: dict[int, list[int]] = {}

    # --- framing -------------------------------------------------------------------------

    def run(self) -> FastReading:
        try:
            self._files()
        except _Stop as stop:
            self.out.stop = stop.args
        self._records()
        return self.out

    def _files(self) -> None:
        data, n, pos = self.data, len(self.data), 0
        while pos < n:
            if n - pos < 12:
                raise _Stop("header", n, f"file truncated? expected 12 bytes, got {n - pos} "
                            f"@ {pos}")
            hsize = data[pos]
            if hsize < 12 or data[pos + 8:pos + 12] != b".FIT":
                raise _Stop("header", pos + 12, f"not a FIT file @ {pos}")
            if hsize != 14 and hsize != 12:
                raise Fallback(f"unusual FIT header size {hsize}")
            if hsize == 14:
                if n - pos < 14:
                    raise _Stop("eof", n, "")
                (hcrc,) = struct.unpack_from("<H", data, pos + 12)
                if hcrc and fit_crc(memoryview(data)[pos:pos + 12]) != hcrc:
                    self.out.crc_mismatch = True
            (body,) = struct.unpack_from("<I", data, pos + 4)
            end = pos + hsize + body
            self._messages(pos + hsize, end)  # stops at the end of the data if sooner
            if end + 2 > n:
                raise _Stop("eof", n, "")
            (crc,) = struct.unpack_from("<H", data, end)
            if fit_crc(memoryview(data)[pos:end]) != crc:
                self.out.crc_mismatch = True
            pos = end + 2

    def _messages(self, p: int, end: int) -> None:  # noqa: C901
        """Walk one FIT file's messages from ``p`` to ``end`` (exclusive)."""
        data, n = self.data, len(self.data)
        defs: dict[int, _Definition] = {}
        self.dev_types: dict[Any, dict[str, Any]] = {}
        acc = 0  # compressed-timestamp accumulator (raw FIT seconds)
        compressed = self.compressed
        last_h = -1  # header byte of the previous record message
        while p < end:
            if p >= n:
                raise _Stop("eof", n, "")
            h = data[p]
            if h & 0x80:  # compressed-timestamp header: a data message
                if not compressed:
                    raise _Restart
                local = (h >> 5) & 0x3
                stamp = -1
            elif h & 0x40:  # definition message
                p = self._definition(defs, h, p, end)
                continue
            else:
                local = h & 0x0F
                stamp = None
            d = defs.get(local)
            if d is None:
                raise _Stop("parse", p + 1,
                            f"FIT parsing error @ {p}: local message {local} not defined")
            if d.problem is not None:
                raise Fallback(d.problem)
            off = p + 1
            p = off + d.size
            if p > n:
                raise _Stop("eof", n, "")
            if p > end:
                raise Fallback(f"message at {off - 1} runs past the data")
            if compressed:
                for fd in d.ts_fields:
                    (raw,) = fd.unpacker.unpack_from(data, off + fd.pos)
                    if fd.base.parse(raw) is not None:
                        acc = raw
                if stamp is not None:
                    stamp = h & 0x1F
                    base = stamp + (acc & ~0x1F)
                    if stamp < (acc & 0x1F):
                        base += 0x20
                    acc = stamp = base
            if d.global_num == _MESG_RECORD:
                if not d.offsets:
                    self.record_defs.append(d)
                d.offsets.append(off)
                if compressed:
                    d.stamps.append(-1 if stamp is None else stamp)
                elif h == last_h:
                    p = self._record_run(d, h, p, min(end, n))
                last_h = h
                continue
            last_h = -1
            if d.mesg_type is not None and (d.global_num in SUMMARY_MESSAGES
                                            or d.global_num in (_MESG_DEV_DATA_ID,
                                                                _MESG_FIELD_DESCRIPTION)):
                self._summary(d, off, stamp)

    def _record_run(self, d: _Definition, h: int, p: int, limit: int) -> int:
        """Records back to back with one header byte (so one definition, nothing between
        them): find how many follow ``p`` at once with numpy, instead of one by one."""
        step = d.size + 1
        most = (limit - p) // step  # whole messages that fit before the limit
        if most < 2:
            return p
        heads = np.frombuffer(self.data, dtype=np.uint8, count=most * step, offset=p)[::step]
        other = np.flatnonzero(heads != h)
        k = int(other[0]) if other.size else most
        d.offsets.extend(range(p + 1, p + 1 + k * step, step))
        return p + k * step

    def _definition(self, defs: dict[int, _Definition], h: int, p: int, end: int) -> int:  # noqa: C901
        data, n = self.data, len(self.data)
        # fitdecode reads the whole message (an end of data inside it is an EOF), then checks
        # that it stayed inside the file's data size
        if p + 6 > n or p + 6 + 3 * data[p + 5] + (1 if h & 0x20 else 0) > n:
            raise _Stop("eof", n, "")
        if h & 0x20:
            q = p + 6 + 3 * data[p + 5]
            if q + 1 + 3 * data[q] > n:
                raise _Stop("eof", n, "")
            if q + 1 + 3 * data[q] > end:
                raise Fallback(f"definition at {p} runs past the data")
        elif p + 6 + 3 * data[p + 5] > end:
            raise Fallback(f"definition at {p} runs past the data")
        endian = "<" if not data[p + 2] else ">"
        (global_num,) = struct.unpack_from(endian + "H", data, p + 3)
        nfields = data[p + 5]
        d = _Definition(global_num, endian)
        q, pos = p + 6, 0
        mesg = d.mesg_type
        for _ in range(nfields):
            num, size, base_num = data[q], data[q + 1], data[q + 2]
            q += 3
            base = _BASE_TYPES.get(base_num, _BYTE)
            if size % base.size:
                base = _BYTE  # as fitdecode: misaligned size -> bytes
            fld = mesg.fields.get(num) if mesg else None
            if global_num == _MESG_RECORD and fld is not None and fld.components:
                for comp in fld.components:
                    if comp.accumulate:
                        self.acc_resets.setdefault(comp.def_num, []).append(p)
            if size == 0:
                d.problem = d.problem or f"zero-size field {num} in definition at {p}"
            fd = _FieldDef(fld, num, base, size, pos, endian, False)
            d.fields.append(fd)
            if num == _FIELD_TIMESTAMP:
                if base is _BYTE or size != base.size:
                    d.problem = d.problem or "odd timestamp field"
                d.ts_fields.append(fd)
            pos += size
        if h & 0x20:  # developer fields: skipped by their declared sizes
            ndev = data[q]
            q += 1
            for _ in range(ndev):
                num, size, dev_index = data[q], data[q + 1], data[q + 2]
                q += 3
                dev = self._dev_type(dev_index, num)
                if size % dev.type.size or size == 0:
                    d.problem = d.problem or f"developer field size {size} at {p}"
                if global_num == _MESG_RECORD and dev.name in _RECORD_SET:
                    d.problem = d.problem or f"developer field named {dev.name!r}"
                d.fields.append(_FieldDef(dev, num, dev.type, size, pos, endian, True))
                pos += size
        d.size = pos
        defs[h & 0x0F] = d
        return q

    # --- summary messages, decoded as fitdecode decodes them -----------------------------

    def _dev_type(self, dev_index: int, num: int) -> Any:
        dev = self.dev_types.get(dev_index)
        if dev is None:  # fitdecode warns and declares a dummy developer type
            dev = self.dev_types[dev_index] = {"fields": {}}
        fld = dev["fields"].get(num)
        if fld is None:  # ... and a byte field for an undescribed developer field
            fld = dev["fields"][num] = _types.DevField(dev_index, None, num, _BYTE, None, None)
        return fld

    def _summary(self, d: _Definition, off: int, stamp: int | None) -> None:  # noqa: C901
        data = self.data
        raws = []
        for fd in d.fields:
            raw = fd.unpacker.unpack_from(data, off + fd.pos)
            if fd.base is _BYTE:
                raw = _BYTE.parse(raw)
            elif len(raw) > 1:
                raw = tuple(fd.base.parse(v) for v in raw)
            else:
                raw = fd.base.parse(raw[0])
            raws.append(raw)
        plain = [(fd, raw) for fd, raw in zip(d.fields, raws, strict=True) if not fd.is_dev]
        pairs: list[tuple[Any, Any]] = []
        for fd, raw in zip(d.fields, raws, strict=True):
            fld = fd.field
            if fld is None:
                pairs.append((f"unknown_{fd.def_num}", raw))
                continue
            fld = _subfield(fld, plain)
            if fld.components:
                for comp in fld.components:
                    try:
                        craw = comp.render(raw)
                    except ValueError:
                        continue
                    if comp.accumulate and craw is not None:
                        raise Fallback("accumulated component in a summary message")
                    craw = _scale_offset(comp, craw)
                    cfield = _subfield(d.mesg_type.fields[comp.def_num], plain)
                    pairs.append((cfield.name, cfield.render(craw)))
            pairs.append((fld.name, _scale_offset(fld, fld.render(raw))))
        if stamp is not None:
            pairs.append(("timestamp", _profile.FIELD_TYPE_TIMESTAMP.render(stamp)))
        num = d.global_num
        if num == _MESG_DEV_DATA_ID:
            self._declare_dev_data(pairs, raws, d)
            return
        if num == _MESG_FIELD_DESCRIPTION:
            self._describe_dev_field(raws, d)
            return
        values = merge_fields(pairs)
        if num == 18:
            self.out.sessions.append(values)
        elif num == 19:
            self.out.laps.append(values)
        elif num == 0:
            self.out.file_ids.append(values)
        elif num == 34:
            self.out.activity = self.out.activity or values  # as fit.py: the first non-empty
        else:
            self.out.sports.append(values)

    @staticmethod
    def _raw(d: _Definition, raws: list[Any], name: str) -> Any:
        hits = [raw for fd, raw in zip(d.fields, raws, strict=True)
                if not fd.is_dev and fd.field is not None and fd.field.name == name]
        if len(hits) != 1:
            raise Fallback(f"{d.mesg_type.name} with {len(hits)} {name} fields")
        return hits[0]

    def _declare_dev_data(self, pairs: list[tuple[Any, Any]], raws: list[Any],  # noqa: ARG002
                          d: _Definition) -> None:
        index = self._raw(d, raws, "developer_data_index")
        if not isinstance(index, int):
            raise Fallback("developer_data_id without an index")
        self.dev_types[index] = {"fields": {}}

    def _describe_dev_field(self, raws: list[Any], d: _Definition) -> None:
        index = self._raw(d, raws, "developer_data_index")
        num = self._raw(d, raws, "field_definition_number")
        if not isinstance(index, int) or not isinstance(num, int) \
                or index not in self.dev_types:
            raise Fallback("field_description of an undeclared developer")
        try:
            base_id = self._raw(d, raws, "fit_base_type_id")
        except Fallback:
            base_id = None
        base = _BYTE if base_id is None else _BASE_TYPES[base_id]
        names = [raw for fd, raw in zip(d.fields, raws, strict=True)
                 if not fd.is_dev and fd.field is not None and fd.field.name == "field_name"]
        name = names[0] if names else None
        self.dev_types[index]["fields"][num] = _types.DevField(index, name, num, base, None,
                                                               None)

    # --- records, vectorised per definition ----------------------------------------------

    def _records(self) -> None:
        defs = self.record_defs
        self._accumulate(defs)
        if len(defs) == 1:  # the usual file: one record definition
            self.out.columns = _decode_records(self.data, defs[0])
            return
        parts = [_decode_records(self.data, d) for d in defs]
        # several definitions: back into file order (offsets are unique and increasing
        # within a definition; chained files' offsets keep increasing too)
        order = np.argsort(np.concatenate([np.asarray(d.offsets) for d in defs]
                                          or [np.empty(0, dtype=np.int64)]), kind="stable")
        self.out.columns = {
            name: (np.concatenate([p[name] for p in parts])[order] if parts else np.empty(0))
            for name in RECORD_FIELDS}


    def _accumulate(self, defs: list[_Definition]) -> None:
        """Accumulated components of record fields (the ``distance`` in
        ``compressed_speed_distance``): a wrapping counter continued across messages in file
        order, restarted at 0 by each definition that declares it, as fitdecode does."""
        buf = np.frombuffer(self.data, dtype=np.uint8)
        for target, resets in self.acc_resets.items():
            if _RECORD_TYPE.fields[target].name not in _RECORD_SET:
                continue
            events: list[tuple[int, int, Any, int]] = []  # (offset, kind, def, index)
            events.extend((r, 0, None, 0) for r in resets)
            specs = {}
            for d in defs:
                found = [(fd, c) for fd in d.fields if not fd.is_dev and fd.field is not None
                         for c in fd.field.components or () if c.accumulate
                         and c.def_num == target]
                if not found:
                    continue
                if len(found) > 1 or found[0][0].base is not _BYTE:
                    raise Fallback("unusual accumulated component field")
                fd, comp = found[0]
                offsets = np.asarray(d.offsets, dtype=np.int64)
                raw = buf[offsets[:, None] + np.arange(fd.pos, fd.pos + fd.size)]
                valid = ~(raw == 0xFF).all(axis=1)
                number = np.zeros(len(offsets), dtype=object)
                for k in range(fd.size - 1, -1, -1):  # little-endian bytes -> integer
                    number = number * 256 + raw[:, k].astype(object)
                if comp.bit_offset and comp.bit_offset >= fd.size * 8:
                    raise Fallback("component beyond its field")
                values = [(int(v) >> comp.bit_offset) & ((1 << comp.bits) - 1) for v in number]
                specs[id(d)] = (d, comp, values, valid)
                events.extend((int(o), 1, id(d), i) for i, o in enumerate(offsets))
            events.sort()
            acc = 0
            out = {key: np.full(len(spec[0].offsets), np.nan) for key, spec in specs.items()}
            for _, kind, key, i in events:
                if kind == 0:
                    acc = 0
                    continue
                _, comp, values, valid = specs[key]
                if not valid[i]:
                    continue
                value, mask = values[i], (1 << comp.bits) - 1
                base = value + (acc & ~mask)
                if value < (acc & mask):
                    base += 1 << comp.bits
                acc = base
                out[key][i] = base
            for key, (d, _, _, _) in specs.items():
                d.accumulated[target] = out[key]


def _subfield(fld: Any, plain: list[tuple[_FieldDef, Any]]) -> Any:
    """fitdecode's subfield resolution: the first subfield whose reference field's raw value
    matches."""
    if fld.subfields:
        for sub in fld.subfields:
            for ref in sub.ref_fields:
                for fd, raw in plain:
                    if fd.def_num == ref.def_num and ref.raw_value == raw:
                        return sub
    return fld


def _scale_offset(fld: Any, raw: Any) -> Any:
    if isinstance(raw, tuple):
        return tuple(_scale_offset(fld, x) for x in raw)
    if isinstance(raw, (int, float)):
        if fld.scale:
            raw = float(raw) / fld.scale
        if fld.offset:
            raw = raw - fld.offset
    return raw


def _decode_records(data: bytes, d: _Definition) -> dict[str, np.ndarray]:  # noqa: C901
    """The RECORD_FIELDS of the messages of record definition ``d``, decoded with one
    structured dtype; the same values fitdecode gives, None as NaN."""
    offsets = np.asarray(d.offsets, dtype=np.int64)
    n = offsets.size
    # Sources of every output name in fitdecode's order (components before their field,
    # fields in definition order, a compressed header's time stamp last).
    sources: dict[str, list[tuple[_FieldDef, Any, Any]]] = {}
    needed: list[_FieldDef] = []
    buf = np.frombuffer(data, dtype=np.uint8)
    for fd in d.fields:
        if fd.is_dev:
            continue
        fld = fd.field
        if fld is None:
            continue
        targets = [_RECORD_TYPE.fields[c.def_num] for c in fld.components or ()]
        if fld.name not in _RECORD_SET and not any(t.name in _RECORD_SET for t in targets):
            continue
        if fld.subfields or any(t.subfields or t.type.enum is not None for t in targets) \
                or fld.type.enum is not None:
            raise Fallback(f"record field {fld.name} has subfields or an enum")
        if fd.base is _BYTE and fld.components:
            # e.g. compressed_speed_distance: bytes read as one little-endian number, then
            # split into components (speed; distance, accumulated across messages)
            for comp, target in zip(fld.components, targets, strict=True):
                if target.name in _RECORD_SET:
                    sources.setdefault(target.name, []).append((fd, ("bytes", comp), target))
            continue
        if fd.base is _BYTE or fd.base.identifier == 0x07 or fd.size != fd.base.size:
            # an array or bytes where a number is expected: fitdecode gives a tuple (or None
            # for bytes that are all 0xFF), which kneeload reads as no value
            if fld.components or fd.base.identifier == 0x07:
                raise Fallback(f"record field {fld.name} is {fd.base.name}[{fd.size}]")
            sources.setdefault(fld.name, []).append((fd, "array", fld))
            continue
        for comp, target in zip(fld.components or (), targets, strict=True):
            if target.name in _RECORD_SET:
                sources.setdefault(target.name, []).append((fd, comp, target))
        if fld.name in _RECORD_SET:
            sources.setdefault(fld.name, []).append((fd, None, fld))
        needed.append(fd)
    out = {name: np.full(n, np.nan) for name in RECORD_FIELDS}
    if sources and n:
        names, formats, offs = [], [], []
        for i, fd in enumerate(needed):
            code, _ = _NUMPY_BASE[fd.base.identifier]
            names.append(f"f{i}")
            formats.append(d.endian + code)
            offs.append(fd.pos)
        dtype = np.dtype({"names": names, "formats": formats, "offsets": offs,
                          "itemsize": d.size})
        if n > 1 and np.all(np.diff(offsets) == offsets[1] - offsets[0]) \
                and offsets[1] - offsets[0] >= d.size:
            stride = int(offsets[1] - offsets[0])  # back-to-back messages: a strided view
            arr = np.ndarray((n,), dtype=dtype, buffer=data, offset=int(offsets[0]),
                             strides=(stride,))
        else:
            arr = buf[offsets[:, None] + np.arange(d.size)].view(dtype).reshape(n)
        raw_of = {id(fd): arr[f"f{i}"] for i, fd in enumerate(needed)}
        for name, srcs in sources.items():
            col = out[name]
            for fd, comp, fld in srcs:
                if isinstance(comp, tuple):  # a component of a byte-array field
                    _, comp = comp
                    gathered = buf[offsets[:, None] + np.arange(fd.pos, fd.pos + fd.size)]
                    valid = ~(gathered == 0xFF).all(axis=1)
                    if comp.bit_offset and comp.bit_offset >= fd.size * 8:
                        continue  # fitdecode skips it (ValueError)
                    if comp.accumulate:
                        raw = d.accumulated[comp.def_num]
                    else:
                        number = np.zeros(n, dtype=np.int64)
                        for k in range(min(fd.size, 7) - 1, -1, -1):
                            number = (number << 8) | gathered[:, k].astype(np.int64)
                        if fd.size > 7 and comp.bit_offset + comp.bits > 56:
                            raise Fallback("wide byte-array component")
                        raw = (number >> comp.bit_offset) & ((1 << comp.bits) - 1)
                    value = np.asarray(raw, dtype=np.float64)
                    if comp.scale:
                        value = value / comp.scale
                    if comp.offset:
                        value = value - comp.offset
                    # an invalid field's components are None: they never replace a value
                    np.copyto(col, value, where=valid)
                    continue
                if comp == "array":
                    if fd.base is _BYTE:  # None (kept value) only where every byte is 0xFF
                        gathered = buf[offsets[:, None] + np.arange(fd.pos, fd.pos + fd.size)]
                        col[~(gathered == 0xFF).all(axis=1)] = np.nan
                    else:
                        col[:] = np.nan
                    continue
                raw = raw_of[id(fd)]
                code, invalid = _NUMPY_BASE[fd.base.identifier]
                valid = ~np.isnan(raw) if invalid is None else raw != invalid
                if comp is not None:
                    raw = (raw.astype(np.int64) >> comp.bit_offset) & ((1 << comp.bits) - 1) \
                        if code[0] in "iu" else raw
                    scale, offset = comp.scale, comp.offset
                else:
                    scale, offset = fld.scale, fld.offset
                value = raw.astype(np.float64)
                if scale:
                    value = value / scale
                if offset:
                    value = value - offset
                np.copyto(col, value, where=valid)
    if d.stamps:
        stamps = np.asarray(d.stamps, dtype=np.float64)
        np.copyto(out["timestamp"], stamps, where=stamps >= 0)
    return out
