"""Polar, Health Connect, Zepp and Huawei exports: which input is which, and one walk that
reads an export's activity files and lists every other file in ``skipped`` with a reason.

Each source's reader (``polar``, ``health_connect``, ``zepp``, ``huawei``) has a content
sniff, a pure parse from bytes to :class:`~kneeload.io._summary.Parsed` and its sport table;
this module only wires them to folders and archives (see ``docs/exports.md``).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import CorruptFileError, InputError, NotAnActivityError, UnsupportedFormatError
from ..safeio import display_path, read_regular_file
from . import health_connect, huawei, polar, zepp
from ._summary import Parsed, summarise
from ._time import Placement
from .exports import MAX_MEMBER_BYTES, Ignored, Member, iter_folder_members, iter_zip


@dataclass(frozen=True)
class ExportKind:
    """How one export is read: which members are its activity files (``is_activity(key,
    head)``, key the path inside the export), how they are parsed, and why the others are not."""

    name: str
    is_activity: Callable[[str, bytes], bool]
    parse: Callable[[str, bytes, str], list[Parsed]]
    other_reason: str


KINDS = {
    "polar": ExportKind("polar", polar.looks_like_polar, polar.parse_polar_session,
                        "Polar account data (profile, 24/7 heart rate, sleep, daily activity, "
                        "...), not a training session; not read"),
    "health_connect": ExportKind(
        "health_connect", health_connect.looks_like_health_connect,
        health_connect.parse_health_connect,
        "not Health Connect's database (health_connect_export.db); not read"),
    "zepp": ExportKind("zepp", zepp.looks_like_zepp, zepp.parse_zepp_sport,
                       "Zepp/Mi Fit data other than the workout summaries SPORT/SPORT_*.csv "
                       "(sleep, steps, heart rate, body, user); not read"),
    "huawei": ExportKind("huawei", huawei.looks_like_huawei, huawei.parse_huawei_motion_path,
                         "Huawei Health data other than the motion paths (Motion path detail "
                         "data & description/*.json); not read"),
}


def _key(name: str, top: str) -> str:
    if name == top:  # a file given alone
        return os.path.basename(name)
    inner = name.rsplit("!", 1)[1] if "!" in name else os.path.relpath(name, top)
    return inner.replace(os.sep, "/")


def zip_kind(path: str, names: Sequence[str]) -> str | None:
    """The export kind of an archive from its member names, or None. An encrypted archive
    named like Huawei's (its names may be hidden behind the password) is Huawei's too."""
    keys = [n.replace("\\", "/") for n in names]
    if any(huawei.is_motion_path_key(k) for k in keys) or (
            "huawei" in os.path.basename(path).lower() and _encrypted(path)):
        return "huawei"
    if any(k.rsplit("/", 1)[-1] == health_connect.DB_NAME for k in keys):
        return "health_connect"
    if any(polar.is_session_key(k) for k in keys):
        return "polar"
    if any(zepp.is_sport_key(k) for k in keys):
        return "zepp"
    return None


def _encrypted(path: str) -> bool:
    """Whether any member of the archive is encrypted (False when it cannot be opened: the
    archive reader then reports it)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return any(i.flag_bits & 0x1 for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def folder_kind(path: str) -> str | None:
    """The export kind of an unzipped export folder, or None."""
    try:
        names = os.listdir(path)
    except OSError:
        return None
    if huawei.MOTION_DIR in names:
        return "huawei"
    if health_connect.DB_NAME in names:
        return "health_connect"
    if any(polar.is_session_key(n) for n in names) and (
            os.path.basename(os.path.abspath(path)).lower().startswith("polar-user-data-export")
            or any(n.lower().startswith("account-data") for n in names)):
        return "polar"
    if "SPORT" in names and os.path.isdir(os.path.join(path, "SPORT")):
        return "zepp"
    return None


def read_export(kind: str, path: str, default_sport: str, zone: dt.tzinfo | Placement,
                fail: Callable[[InputError], None]) -> list[dict[str, object]]:
    """Every activity of one export (folder or archive) as activities-table rows; every file
    that is not read goes to ``fail`` with the reason."""
    spec = KINDS[kind]
    if os.path.isfile(path) and not zipfile.is_zipfile(path):  # a database given alone
        members: Iterable[Member | InputError | Ignored] = [Member(path, functools.partial(
            read_regular_file, path, MAX_MEMBER_BYTES, "Health Connect database"))]
    elif os.path.isfile(path):
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
        if kind == "huawei" and any(i.flag_bits & 0x1 for i in infos):
            raise UnsupportedFormatError(path, huawei.ENCRYPTED_REASON)
        members = iter_zip(path, want=lambda _b: True)
    else:
        members = iter_folder_members(path, want=lambda _b: True)
    rows: list[dict[str, object]] = []
    for m in members:
        if isinstance(m, InputError):
            fail(m)
            continue
        if isinstance(m, Ignored):  # a hidden file or a folder met again through a link
            fail(NotAnActivityError(display_path(m.name), m.why or spec.other_reason))
            continue
        key = _key(m.name, path)
        try:
            data = m.data
            if not spec.is_activity(key, data[:4096]):
                fail(NotAnActivityError(display_path(m.name), spec.other_reason))
                continue
            parsed = spec.parse(m.name, data, default_sport)
            if not parsed:
                fail(NotAnActivityError(display_path(m.name), "holds no workouts; nothing to "
                                        "read"))
            for p in parsed:
                rows.append(summarise(p, zone))
        except InputError as exc:
            fail(exc)
        except (ArithmeticError, LookupError, TypeError, ValueError, OverflowError) as exc:
            fail(CorruptFileError(display_path(m.name), f"could not be decoded "
                                  f"({type(exc).__name__}: {str(exc)[:120]}); the file is "
                                  "damaged: export it again"))
    return rows


# --- the input kinds (registered in kneeload.io.kinds.KINDS) -------------------------------


def claims(name: str, path: str, head: bytes, names: Sequence[str] = ()) -> bool:
    """Whether ``path`` (a folder, an archive, or a bare Health Connect database) is the
    export ``name``: the folder's layout, the archive's member ``names`` (the registry's
    cached :func:`kneeload.io.kinds.zip_names`), the database's SQLite header. Never
    raises."""
    try:
        if os.path.isdir(path):
            return folder_kind(path) == name
        if path.lower().endswith(".zip"):
            return zip_kind(path, names) == name
        return name == "health_connect" and health_connect.looks_like_health_connect(
            os.path.basename(path), head)
    except (OSError, ValueError):
        return False


def read(path: str, ctx: Any) -> None:
    """The four exports' ``read(path, ctx)``: every activity as a row, every other file in
    ``skipped`` with the export's reason (see :func:`read_export`)."""
    ctx.rows.extend(read_export(ctx.kind.name, path, ctx.default_sport, ctx.zone, ctx.fail))
