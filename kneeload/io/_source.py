"""Opening an input: path or binary file object, plain or gzip; format sniffing."""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, Union

from ..errors import CorruptFileError, InputError, UnsafeInputError, UnsupportedFormatError
from ..safeio import display_path, read_regular_file

Source = Union[str, "os.PathLike[str]", BinaryIO]


@dataclass(frozen=True)
class Format:
    """One activity-file format: how to recognise it and which function reads it.

    ``sniff`` looks at the first bytes (decoded to text for the XML formats) and wins over
    the name, so a ``.gpx`` that is really FIT is read as FIT. ``reader`` is
    ``"module:function"`` inside :mod:`kneeload.io` (or the function itself), imported when
    first used. ``rank`` orders copies of one activity in :func:`~kneeload.io.deduplicate`
    (lowest kept). ``version``: bump it when the reader's output changes; the parse cache
    re-reads what this format could have read (:func:`kneeload.io.kinds.fingerprint`).
    """

    name: str
    suffixes: tuple[str, ...]
    sniff: Callable[[bytes, str], bool]
    reader: str | Callable[..., Any]
    description: str
    rank: int = 5
    version: str = "1"


def _is_fit(head: bytes, text: str) -> bool:  # noqa: ARG001
    return len(head) >= 12 and head[8:12] == b".FIT"


#: The one registry of activity-file formats. Adding a format = a reader module + one line here
#: (or :func:`register_format`).
REGISTRY: list[Format] = [
    Format("fit", (".fit",), _is_fit, "fit:parse_fit", "Garmin/ANT FIT activity file", rank=0,
           version="2"),
    Format("gpx", (".gpx",), lambda head, text: "<gpx" in text, "gpx:parse_gpx",  # noqa: ARG005
           "GPS Exchange Format track", rank=2, version="2"),
    Format("tcx", (".tcx",), lambda head, text: "trainingcenterdatabase" in text,  # noqa: ARG005
           "tcx:parse_tcx", "Garmin Training Center XML", rank=1, version="2"),
]
#: Names of the formats registered when kneeload was imported (see :func:`format_names`).
FORMATS = tuple(f.name for f in REGISTRY)


def register_format(fmt: Format) -> Format:
    """Add ``fmt`` to :data:`REGISTRY` (replacing one of the same name); returns it."""
    unregister_format(fmt.name)
    REGISTRY.append(fmt)
    return fmt


def unregister_format(name: str) -> None:
    """Remove the format called ``name`` (nothing when there is none)."""
    REGISTRY[:] = [f for f in REGISTRY if f.name != name]


def format_names() -> tuple[str, ...]:
    """The registered formats' names, now."""
    return tuple(f.name for f in REGISTRY)


def format_ranks() -> dict[str, int]:
    """``{format: rank}`` (lowest kept first among copies of one activity)."""
    return {f.name: f.rank for f in REGISTRY}


def reader_for(fmt: str) -> Callable[..., Any]:
    """The parse function registered for ``fmt``."""
    import importlib
    reader = next(f.reader for f in REGISTRY if f.name == fmt)
    if callable(reader):
        return reader
    module, func = reader.split(":")
    return getattr(importlib.import_module(f"kneeload.io.{module}"), func)


def _format_list() -> str:
    names = [f.name.upper() for f in REGISTRY]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def head_text(data: bytes, size: int = 4096) -> str:
    """The start of ``data`` as lower-case text, whatever its Unicode encoding (BOM-led
    UTF-16/32 included), for content sniffing."""
    head = data[:size]
    for bom, enc in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                     (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(enc, errors="ignore").lower()
    return head.decode("utf-8", errors="ignore").lower()


#: Largest decompressed size accepted for one file [bytes]. A one-hour run at
#: 1 Hz is about 0.1-1 MB; 256 MiB stops gzip bombs long before memory runs out.
MAX_FILE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class RawFile:
    """One input's decompressed bytes, its display name and format."""

    name: str
    data: bytes
    fmt: str
    digest: str  # sha1 of the decompressed bytes, hex


def format_from_name(name: str) -> str | None:
    """The registered format a file name says (case-insensitive, ``.gz`` allowed), or None."""
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    for f in REGISTRY:
        if lower.endswith(f.suffixes):
            return f.name
    return None


def sniff(data: bytes) -> str | None:
    """The registered format ``data`` is, from its content alone, or None."""
    text = head_text(data)
    for f in REGISTRY:
        if f.sniff(data, text):
            return f.name
    return None


def _gunzip(name: str, blob: bytes) -> bytes:
    """Decompress gzip data, every member of a multi-member file (``cat a.gz b.gz``) in
    turn, never past ``MAX_FILE_BYTES``."""
    out = bytearray()
    rest = blob
    members = 0
    while rest[:2] == b"\x1f\x8b":
        d = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            out += d.decompress(rest, MAX_FILE_BYTES + 1 - len(out))
        except zlib.error as exc:
            if members:  # a damaged later member: keep what the earlier ones gave
                break
            raise CorruptFileError(name, f"damaged gzip data ({exc}); re-download or "
                                   "re-export the file") from exc
        if len(out) > MAX_FILE_BYTES or d.unconsumed_tail:
            raise UnsafeInputError(name, f"decompresses to more than "
                                   f"{MAX_FILE_BYTES // 2**20} MiB (a compression bomb or "
                                   "not an activity file); refused")
        members += 1
        if not d.eof:
            # Salvage what decompressed: a cut-off .gz still holds a readable start.
            try:
                out += d.flush()
            except zlib.error:
                pass
            break
        rest = d.unused_data.lstrip(b"\x00")  # members may be padded with zeros
    return bytes(out)


def open_source(source: Source, fmt: str | None = None) -> RawFile:
    """Read ``source`` (path or binary file object) into memory, decompressing gzip.

    Raises
    ------
    UnsupportedFormatError
        When the format is neither given, in the name, nor recognisable.
    """
    if isinstance(source, (str, os.PathLike)):
        name = display_path(source)
        try:
            blob = read_regular_file(source, MAX_FILE_BYTES, "file")
        except UnsafeInputError:
            raise
        except InputError as exc:
            raise CorruptFileError(name, exc.reason) from exc
    else:
        name = display_path(str(getattr(source, "name", "<stream>")))
        blob = source.read(MAX_FILE_BYTES + 1)
        if not isinstance(blob, bytes):
            raise UnsupportedFormatError(name, "was opened in text mode; open it with 'rb'")
        if len(blob) > MAX_FILE_BYTES:
            raise UnsafeInputError(name, f"is larger than the {MAX_FILE_BYTES // 2**20} MiB "
                                   "limit for one file")
    data = _gunzip(name, blob) if blob[:2] == b"\x1f\x8b" else blob
    if not data.strip():
        raise UnsupportedFormatError(name, "is empty (no data); re-export or remove it")
    fmt = fmt or sniff(data) or format_from_name(name)
    if fmt not in format_names():
        raise UnsupportedFormatError(name, f"is not a {_format_list()} file (plain or .gz); "
                                     "export the activity in one of those formats")
    return RawFile(name=name, data=data, fmt=fmt, digest=hashlib.sha1(data).hexdigest())
