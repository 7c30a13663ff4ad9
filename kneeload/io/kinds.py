"""Input kinds: the one registry of what an input (a file, an archive, an export folder) is.

Discovery (:func:`kneeload.io.find_inputs`) offers every path to the kinds in ``order``; the
first that accepts it claims it and its ``read`` function reads it. A kind accepts a path when
its name policy lets it look (``targets``, ``suffixes``, ``in_folders``) and its content sniff
``claims(path, head)`` says yes (``head``: the first ``sniff_bytes`` bytes of a file, ``b""``
for a folder). Activity-file formats (FIT, GPX, TCX) are not kinds: they are
:data:`kneeload.io._source.REGISTRY`, sniffed by content when a file or an export member is
read.

Adding an input kind = a reader module with ``read(path, ctx)`` + one :func:`register` call
(or one line in :data:`KINDS`). See docs/readers.md.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: A kind's reader: ``read(path, ctx)`` with ``ctx`` a :class:`kneeload.io._ingest.ReadContext`
#: (typed loosely here: the registry sits below the readers and imports none of them).
Reader = Callable[[str, Any], None]

#: Reason given to a file of an export no kind reads and no ``ignores`` pattern names.
OTHER_FILE = "not an activity file kneeload reads"


@dataclass(frozen=True)
class InputKind:
    """One kind of input: how it is recognised, read, and what of it is ignored and why.

    Attributes
    ----------
    name : str
        The kind's name, as :func:`~kneeload.io.find_inputs` gives it (``'file'``, ``'zip'``,
        ``'strava'``, ``'garmin'``, ``'apple'``, ``'csv'``, ``'json'``).
    claims : callable ``(path, head) -> bool``
        The content sniff: ``head`` is the first ``sniff_bytes`` bytes of a file (``b""`` for a
        folder, or when ``sniff_bytes`` is 0). It must never raise.
    read : str or callable ``(path, ctx) -> None``
        ``"module:function"`` inside :mod:`kneeload.io` (imported when first used) or the
        function itself. It appends rows to ``ctx.rows`` and passes every problem to
        ``ctx.fail`` (see :class:`kneeload.io._ingest.ReadContext`).
    order : int
        Claimers are tried lowest first (an Apple zip before a Garmin zip before any zip
        before a plain file).
    targets : {'file', 'folder', 'both'}
        What it can claim.
    suffixes : tuple of str
        File-name endings (lower case) it looks at; empty: any name. Folders ignore it.
    sniff_bytes : int
        Bytes of a file's head ``claims`` needs (0: none are read).
    in_folders : bool
        Offered the files found while walking a folder; False: only files named explicitly
        (a loose ``.json`` in a folder is nobody's input).
    named_fallback : bool
        A file named explicitly with one of its ``suffixes`` is its even when the sniff
        says no, so that its reader says what is wrong (a CSV that is not a manual log).
    container : bool
        An export (archive or folder): its members are activity files (the formats
        registry) plus the ``members`` it wants; every other file is listed in ``skipped``
        as ``ignored`` with the reason of :meth:`reason_for`.
    members : callable ``(base_name) -> bool``, optional
        The members (by lower-case base name) this kind's reader wants from an export besides
        activity files (Strava's ``activities.csv``, Garmin's ``*_summarizedactivities.json``).
        :func:`is_export_member` is the union over the registry.
    ignores : tuple of (pattern, reason)
        Files of its exports known not to be activities: an ``fnmatch`` pattern on the
        member's lower-case path inside the export, and the reason shown in ``skipped``.
    other_reason : str
        Reason for any other file of its exports.
    formats : tuple of str, optional
        The formats whose readers it uses (None: all, by content). Part of its cache
        fingerprint: a manual log is not re-read when the FIT reader changes.
    version : str
        Bump when the reader's output changes: cached results of this kind are re-read
        (see :func:`fingerprint`).
    resolve : callable ``(path) -> path``, optional
        The path read instead of the claimed one (Apple's ``export.xml`` -> its folder).
    description : str
    """

    name: str
    claims: Callable[[str, bytes], bool]
    read: str | Reader
    order: int = 50
    targets: str = "file"
    suffixes: tuple[str, ...] = ()
    sniff_bytes: int = 0
    in_folders: bool = True
    named_fallback: bool = False
    container: bool = False
    members: Callable[[str], bool] | None = None
    ignores: tuple[tuple[str, str], ...] = ()
    other_reason: str = OTHER_FILE
    formats: tuple[str, ...] | None = None
    version: str = "1"
    resolve: Callable[[str], str] | None = None
    description: str = ""

    def reason_for(self, member: str) -> str:
        """Why ``member`` (its path inside the export) is not read."""
        key = member.replace("\\", "/").lower()
        for pattern, reason in self.ignores:
            if fnmatch.fnmatchcase(key, pattern):
                return reason
        return self.other_reason

    def reader(self) -> Reader:
        """The read function."""
        if callable(self.read):
            return self.read
        import importlib
        module, func = self.read.split(":")
        fn: Reader = getattr(
            importlib.import_module(f"kneeload.io.{module}"), func)
        return fn


# --- sniffs -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _names(path: str, stamp: tuple[int, int]) -> tuple[str, ...]:  # noqa: ARG001
    try:
        with zipfile.ZipFile(path) as zf:
            return tuple(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        return ()  # read as an archive, where the damage is reported


def zip_names(path: str) -> tuple[str, ...]:
    """The member names of a regular-file zip archive (cached by size and time), or ()."""
    import stat
    try:
        st = os.stat(path)
    except OSError:
        return ()
    if not stat.S_ISREG(st.st_mode):
        return ()  # a pipe or device: the archive reader reports it
    return _names(os.path.abspath(path), (st.st_size, st.st_mtime_ns))


def _apple(path: str, head: bytes) -> bool:  # noqa: ARG001
    from .apple_health import EXPORT_XML, apple_member, is_apple_folder
    if os.path.isdir(path):
        return is_apple_folder(path)
    lower = path.lower()
    if lower.endswith(".zip"):
        return apple_member(list(zip_names(path))) is not None
    return os.path.basename(lower) == EXPORT_XML and is_apple_folder(os.path.dirname(path) or ".")


def _apple_target(path: str) -> str:
    return path if os.path.isdir(path) or path.lower().endswith(".zip") else (
        os.path.dirname(path) or ".")


def _garmin(path: str, head: bytes) -> bool:  # noqa: ARG001
    if os.path.isdir(path):
        return os.path.isdir(os.path.join(path, "DI_CONNECT"))
    return any(n.replace("\\", "/").split("/")[0] == "DI_CONNECT" for n in zip_names(path))


def _strava(path: str, head: bytes) -> bool:  # noqa: ARG001
    if os.path.isdir(path):
        return os.path.isfile(os.path.join(path, "activities.csv"))
    return any(n.replace("\\", "/").lower().rsplit("/", 1)[-1] == "activities.csv"
               and n.count("/") <= 1 for n in zip_names(path))


def _any(path: str, head: bytes) -> bool:  # noqa: ARG001
    return True


def _manual_log(path: str, head: bytes) -> bool:  # noqa: ARG001
    from .exports import is_manual_log
    return is_manual_log(head)


def _garmin_summaries(path: str, head: bytes) -> bool:  # noqa: ARG001
    return b"summarizedActivitiesExport" in head


def _strava_members(base: str) -> bool:
    return base in ("activities.csv", "shoes.csv", "bikes.csv")


def _garmin_members(base: str) -> bool:
    return base.endswith(("summarizedactivities.json", "_gear.json")) or base == "gear.json"


def _file_suffixes() -> tuple[str, ...]:
    from ._source import REGISTRY
    out: list[str] = []
    for f in REGISTRY:
        out.extend(f.suffixes)
        out.extend(s + ".gz" for s in f.suffixes)
    return tuple(out)


_GARMIN_IGNORES = (
    ("di_connect/di-connect-wellness/*", "Garmin export: wellness data (sleep, stress, "
     "heart rate, steps), not an activity"),
    ("di_connect/di-connect-user/*", "Garmin export: account and profile data, not an activity"),
    ("di_connect/di-connect-aggregator/*", "Garmin export: daily totals (UDS), not an "
     "activity"),
    ("di_connect/di-connect-metrics/*", "Garmin export: fitness metrics (VO2 max, training "
     "status), not an activity"),
    ("di_connect/di-connect-training/*", "Garmin export: workouts and training plans, not "
     "activities done"),
    ("di_connect/di-connect-fitness/*personalrecord*", "Garmin export: personal records, "
     "not an activity"),
    ("di_connect/di-connect-fitness/*", "Garmin export: fitness data other than the activity "
     "summaries and gear, not an activity"),
    ("di_connect/di-connect-uploaded-files/*", "Garmin export: an uploaded file that is not "
     "an activity file (FIT, GPX, TCX)"),
    ("*.json", "Garmin export: a data file other than the activity summaries and gear, not "
     "an activity"),
    ("*.pdf", "Garmin export: a document, not an activity"),
    ("*.html", "Garmin export: a document, not an activity"),
)
_STRAVA_IGNORES = (
    ("media/*", "Strava export: a photo or video, not an activity"),
    ("routes/*", "Strava export: a planned route, not an activity done"),
    ("*.csv", "Strava export: account data (not an activity list)"),
    ("*.json", "Strava export: account data, not an activity"),
    ("*.html", "Strava export: a document, not an activity"),
)
_APPLE_IGNORES = (
    ("*export_cda.xml", "Apple Health: clinical records (CDA), not an activity"),
    ("*electrocardiograms/*", "Apple Health: an ECG recording, not an activity"),
    ("*clinical-records/*", "Apple Health: a clinical record, not an activity"),
    ("*workout-routes/*", "Apple Health: a route whose workout is not in export.xml "
     "(routes are read with their workout)"),
)

def _more_export(name: str, path: str, head: bytes) -> bool:
    """The Polar / Health Connect / Zepp / Huawei sniffs (:mod:`kneeload.io._more_exports`,
    imported when first asked)."""
    from ._more_exports import claims
    names = zip_names(path) if path.lower().endswith(".zip") else ()
    return claims(name, path, head, names)


#: The registry. Keep it sorted by ``order``; :func:`register` adds to it.
KINDS: list[InputKind] = [
    InputKind("apple", _apple, "_ingest:read_apple", order=10, targets="both",
              suffixes=(".zip", "/export.xml"), resolve=_apple_target, container=True,
              ignores=_APPLE_IGNORES,
              other_reason="Apple Health: not workout data, not an activity", formats=("gpx",),
              description="Apple Health export (export.xml with its workout-routes), folder "
                          "or archive"),
    InputKind("garmin", _garmin, "_ingest:read_export", order=20, targets="both",
              suffixes=(".zip",), container=True, members=_garmin_members, ignores=_GARMIN_IGNORES,
              other_reason="Garmin export: not an activity file",
              description="Garmin Connect data export (DI_CONNECT), archive or unzipped "
                          "folder"),
    InputKind("strava", _strava, "_ingest:read_export", order=30, targets="both",
              version="2", suffixes=(".zip",), container=True, members=_strava_members,
              ignores=_STRAVA_IGNORES,
              other_reason="Strava export: not an activity file",
              description="Strava bulk export (activities.csv with its files), archive or "
                          "folder"),
    *(InputKind(name, functools.partial(_more_export, name), "_more_exports:read", order=40,
                targets="both", version="2", suffixes=sfx,
                sniff_bytes=16 if ".db" in sfx else 0,
                description=desc)
      for name, sfx, desc in (
          ("polar", (".zip",), "Polar Flow account export (training-session-*.json), "
           "archive or folder"),
          ("health_connect", (".zip", ".db"), "Android Health Connect export "
           "(health_connect_export.db, SQLite), archive, folder or the database"),
          ("zepp", (".zip",), "Zepp / Mi Fit export (SPORT/SPORT_*.csv), archive or folder"),
          ("huawei", (".zip",), "Huawei Health export, decrypted (Motion path detail data & "
           "description/*.json), archive or folder"))),
    InputKind("zip", _any, "_ingest:read_export", order=90, suffixes=(".zip",),
              container=True, description="any other archive of activity files"),
    # version 3: a manual log's same-day rows keep their order (noon + k s, or a time column);
    # every row goes through the one row check (check_row)
    InputKind("csv", _manual_log, "_ingest:read_csv", order=95, suffixes=(".csv",),
              sniff_bytes=400, named_fallback=True, formats=(), version="3",
              description="a manual log (date,distance,duration) or, named alone, a Strava "
                          "activities.csv"),
    InputKind("json", _garmin_summaries, "_ingest:read_garmin_json", order=96,
              suffixes=(".json",), sniff_bytes=4096, in_folders=False, formats=(),
              description="Garmin Connect's activity summaries, named alone"),
    InputKind("file", _any, "_ingest:read_activity_file", order=100,
              suffixes=("<formats>",),
              description="one activity file in a registered format (plain or .gz)"),
]


def register(kind: InputKind) -> InputKind:
    """Add ``kind`` to the registry (replacing one of the same name); returns it."""
    unregister(kind.name)
    KINDS.append(kind)
    KINDS.sort(key=lambda k: k.order)
    return kind


def unregister(name: str) -> None:
    """Remove the kind called ``name`` (nothing when there is none)."""
    KINDS[:] = [k for k in KINDS if k.name != name]


def kind(name: str) -> InputKind:
    """The registered kind called ``name``."""
    for k in KINDS:
        if k.name == name:
            return k
    raise KeyError(name)


def suffixes_of(k: InputKind) -> tuple[str, ...]:
    """``k.suffixes`` with ``"<formats>"`` expanded to the registered formats' (and .gz)."""
    if "<formats>" not in k.suffixes:
        return k.suffixes
    return tuple(s for s in k.suffixes if s != "<formats>") + _file_suffixes()


def container_kinds() -> tuple[set[str], set[str]]:
    """Names of the kinds that read archives and those that read folders as exports."""
    zips = {k.name for k in KINDS if k.container and k.targets in ("file", "both")}
    folders = {k.name for k in KINDS if k.container and k.targets in ("folder", "both")}
    return zips, folders


def is_export_member(base: str) -> bool:
    """Whether an export member (its base name) is read: an activity file of a registered
    format, or a member some kind's ``members`` wants."""
    from ._source import format_from_name
    lower = base.lower()
    return bool(format_from_name(base)) or any(
        k.members is not None and k.members(lower) for k in KINDS)


def _head(path: str, size: int) -> bytes:
    import stat
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return b""
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return b""
    try:
        return os.read(fd, size)
    except OSError:
        return b""
    finally:
        os.close(fd)


def claim(path: str, *, explicit: bool) -> tuple[str, str] | None:
    """``(kind, path to read)`` for ``path``, or None when no kind takes it (inside a folder).

    A folder is offered to the kinds that claim folders; a file to those whose name policy
    lets them look, with the head bytes they ask for. A file named explicitly that no kind
    claims is a ``'file'``, so that reading it says what it is not.
    """
    is_dir = os.path.isdir(path)
    lower = "/" + os.path.basename(path).lower()
    heads: dict[int, bytes] = {}
    for k in list(KINDS):
        if is_dir:
            if k.targets not in ("folder", "both"):
                continue
            if k.claims(path, b""):
                return k.name, k.resolve(path) if k.resolve else path
            continue
        if k.targets not in ("file", "both") or (not explicit and not k.in_folders):
            continue
        sfx = suffixes_of(k)
        if sfx and not lower.endswith(sfx):
            continue
        if k.sniff_bytes and k.sniff_bytes not in heads:
            heads[k.sniff_bytes] = _head(path, k.sniff_bytes)
        head = heads.get(k.sniff_bytes, b"")
        try:
            hit = k.claims(path, head)
        except Exception:  # a claimer must not stop discovery; it simply does not claim
            hit = False
        if hit or (explicit and k.named_fallback):
            return k.name, k.resolve(path) if k.resolve else path
    if is_dir:
        return None
    return ("file", path) if explicit else None


def fingerprint(name: str) -> str:
    """What the cache key of an input of kind ``name`` depends on in the registry: the kind's
    name and version, and the name and version of every format it may read (all formats
    for a kind that sniffs files by content, so that a new format re-reads them) and, for an
    export, of every kind whose ``members`` it reads.

    A new or changed reader thus invalidates exactly the cached inputs it could have read:
    a changed FIT reader re-reads files, archives and export folders, not manual logs.
    """
    from ._source import REGISTRY
    try:
        k = kind(name)
    except KeyError:
        return name
    parts = [f"{k.name}:{k.version}"]
    parts += [f"format {f.name}:{f.version}" for f in REGISTRY
              if k.formats is None or f.name in k.formats]
    if k.container:
        parts += [f"members {m.name}:{m.version}" for m in KINDS if m.members is not None]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]


def describe() -> list[dict[str, Any]]:
    """The registry as rows (name, order, targets, suffixes, version, description)."""
    return [{"name": k.name, "order": k.order, "targets": k.targets,
             "suffixes": suffixes_of(k), "version": k.version,
             "description": k.description} for k in KINDS]
