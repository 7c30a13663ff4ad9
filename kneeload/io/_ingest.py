"""Reading inputs: one activity file, an export (archive or folder), a manual log; the
readers of the input kinds of :mod:`kneeload.io.kinds`."""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from struct import error as struct_error

import pandas as pd

from ..errors import (
    CorruptFileError,
    InputError,
    InvalidTimeError,
    NotAnActivityError,
    OnError,
    UnsafeInputError,
    UnsupportedFormatError,
    UsageError,
)
from ..safeio import display_path, read_regular_file
from ..schema import SPORTS, conform_activities, conform_samples, empty_activities
from ._deadline import parse_deadline
from ._source import MAX_FILE_BYTES, Source, open_source, reader_for
from ._summary import Parsed, summarise
from ._time import Placement, placement
from .apple_health import read_apple_health
from .exports import (
    Ignored,
    Member,
    is_manual_log,
    iter_folder_members,
    iter_zip,
    parse_manual_log,
    strava_row_activity,
)
from .fit import parse_fit
from .garmin import join_garmin
from .kinds import InputKind, is_export_member, kind, zip_names
from .strava import (
    GEAR_FILES,
    GearItem,
    gear_matcher,
    is_kneeload_shoes_header,
    is_strava_activities,
    parse_strava_csv,
    parse_strava_gear,
)


@dataclass
class ReadContext:
    """What a kind's reader gets: the settings, and where its rows and problems go.

    ``fail(exc)`` lists an :class:`InputError` in ``skipped`` (or raises it when strict);
    ``ignore(name, reason)`` lists a file of the export that is not an activity;
    ``parse(source)`` reads one activity file through the formats registry;
    ``add(parsed)`` places parsed activities and keeps their rows.
    """

    kind: InputKind
    default_sport: str
    zone: dt.tzinfo | Placement
    fit_backend: str
    policy: OnError
    rows: list[dict[str, object]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def fail(self, exc: InputError) -> None:
        if self.policy is OnError.RAISE:
            raise exc
        self.skipped.append(_skip(exc))

    def ignore(self, name: str, reason: str) -> None:
        self.skipped.append({"path": display_path(name), "kind": "ignored", "reason": reason})

    def parse(self, source: Source, fmt: str | None = None) -> list[Parsed]:
        return _parse(source, fmt, self.default_sport, self.fit_backend)

    def add(self, parsed: Iterable[Parsed]) -> None:
        self.rows.extend(summarise(p, self.zone) for p in parsed)


def _kind(exc: InputError) -> str:
    if isinstance(exc, UnsupportedFormatError):
        return "unsupported"
    if isinstance(exc, NotAnActivityError):
        return "not_activity"
    if isinstance(exc, InvalidTimeError):
        return "no_time"
    if isinstance(exc, UnsafeInputError):
        return "unsafe"
    return "unreadable"


def check_sport(default_sport: str) -> None:
    """Raise UsageError unless ``default_sport`` is one of kneeload's sports."""
    if default_sport not in SPORTS:
        raise UsageError(f"default_sport must be one of {', '.join(SPORTS)}, "
                         f"not {default_sport!r}")


def _parse(source: Source, fmt: str | None, default_sport: str,
           fit_backend: str = "fitdecode") -> list[Parsed]:
    raw = open_source(source, fmt)
    try:
        with parse_deadline(raw.name, len(raw.data)):
            if raw.fmt == "fit":
                return parse_fit(raw, default_sport=default_sport, backend=fit_backend)
            return reader_for(raw.fmt)(raw, default_sport=default_sport)
    except (InputError, UsageError):
        raise
    except (AssertionError, ArithmeticError, LookupError, TypeError, ValueError, UnicodeError,
            OSError,
            RecursionError, struct_error) as exc:
        # A decoder tripped over damaged bytes in a way it does not report itself: the file,
        # not the program, is at fault. Named, never silently dropped.
        raise CorruptFileError(raw.name, f"could not be decoded ({type(exc).__name__}: "
                               f"{str(exc)[:120]}); the file is damaged: re-export it") from exc


def read_file(source: Source, *, format: str | None = None, tz: str | dt.tzinfo | None = None,
              default_sport: str = "running", fit_backend: str = "fitdecode",
              force_tz: str | dt.tzinfo | None = None) -> pd.DataFrame:
    """Read one FIT, GPX or TCX file (path or binary file object, plain or gzip).

    Parameters
    ----------
    source : path or binary file object
    format : {'fit', 'gpx', 'tcx'}, optional
        Needed only when neither the content nor the name tells.
    tz : str or tzinfo, optional
        Time zone for the local date of files with neither a device local time nor a
        position (GPX and TCX take the zone of their first position). Default: the
        machine's (``tz_source`` says ``machine:``).
    force_tz : str or tzinfo, optional
        One zone for every activity, whatever the file says.
    default_sport : str
        Sport for files that do not record one. Default ``'running'``.
    fit_backend : {'fitdecode', 'fitdecode-only', 'fitparse'}
        FIT decoder. ``'fitdecode'`` (default): kneeload's vectorised decoder with fitdecode
        for whatever it declines; ``'fitdecode-only'``: fitdecode for every file;
        ``'fitparse'``. All give the same values (tests/test_fit_fast.py,
        tests/test_corpus.py); the default is by far the fastest.

    Returns
    -------
    pandas.DataFrame
        One row per session/activity in the file.

    Raises
    ------
    InputError
        With the file's path and what is wrong when nothing can be read.

    Examples
    --------
    The sample season's first run, 3 mi (4828 m), from the repository's root folder:

    >>> import kneeload
    >>> df = kneeload.read_file("sample_data/runs/2026-03-03_0700_run.fit")
    >>> df[["local_date", "sport", "distance_m"]]
      local_date    sport  distance_m
    0 2026-03-03  running     4828.03
    """
    check_sport(default_sport)
    zone = placement(tz, force_tz)
    rows = [summarise(p, zone) for p in _parse(source, format, default_sport, fit_backend)]
    return conform_activities(pd.DataFrame(rows)) if rows else empty_activities()


def read_samples(source: Source, *, session: int = 0, format: str | None = None,
                 fit_backend: str = "fitdecode") -> pd.DataFrame:
    """Per-sample data of one activity: time [UTC], position [deg], distance [m], altitude [m],
    speed [m/s], heart rate [bpm], cadence [spm].

    ``session`` is the row's ``session_index`` (multisport FIT, multi-activity TCX).
    Read on demand, so a season's summaries never hold every sample in memory.
    """
    parsed = _parse(source, format, "running", fit_backend)
    if not 0 <= session < len(parsed):
        raise UsageError(f"session {session} does not exist; the file has {len(parsed)}")
    return conform_samples(parsed[session].samples)



def _member_key(name: str, container: str) -> str:
    """A member's path inside its export: after the last ``!`` of an archive member, else
    relative to the export folder (an archive inside a folder: the part in the archive)."""
    if "!" in name:
        inner = name.rsplit("!", 1)[1]
    else:
        try:
            inner = os.path.relpath(name, container)
        except ValueError:  # another drive (Windows)
            inner = name
    return inner.replace(os.sep, "/")


def _read_container(container: str, members: Iterable[Member | InputError | Ignored],  # noqa: C901
                    default_sport: str, zone: dt.tzinfo | Placement,
                    rows: list[dict[str, object]], skipped: list[dict[str, str]],
                    policy: OnError, export: InputKind | None = None) -> None:
    """An export (folder or archive): its activity files joined with Strava's activities.csv
    and gear lists, and with Garmin Connect's activity summaries and gear. Every member no
    reader wants is listed in ``skipped`` as ``ignored`` with ``export``'s reason."""
    files: dict[str, Member] = {}
    csv_member: Member | None = None
    gear_members: list[tuple[Member, str]] = []
    garmin_summaries: list[Member] = []
    garmin_gear: list[Member] = []

    def fail(exc: InputError) -> None:
        if policy is OnError.RAISE:
            raise exc
        skipped.append(_skip(exc))

    for m in members:
        if isinstance(m, InputError):
            fail(m)
            continue
        if isinstance(m, Ignored):
            why = m.why or (export.reason_for(_member_key(m.name, container)) if export
                            else "not an activity file kneeload reads")
            skipped.append({"path": display_path(m.name), "kind": "ignored", "reason": why})
            continue
        key = _member_key(m.name, container)
        base = os.path.basename(key).lower()
        if base == "activities.csv":
            if csv_member is None or key.count("/") < _member_key(csv_member.name,
                                                                  container).count("/"):
                csv_member = m
        elif base in GEAR_FILES:
            if not is_kneeload_shoes_header(m.data):  # kneeload's own shoes.csv: discovery's
                gear_members.append((m, GEAR_FILES[base]))
        elif base.endswith("summarizedactivities.json") or (
                base.endswith(".json") and b"summarizedActivitiesExport" in m.data[:4096]):
            garmin_summaries.append(m)
        elif base.endswith("_gear.json") or base == "gear.json":
            garmin_gear.append(m)
        else:
            files[key] = m
    items: list[GearItem] = []
    for m, gear_kind in gear_members:
        items.extend(parse_strava_gear(m.name, m.data, gear_kind))
    match_gear = gear_matcher(items)
    strava_rows = []
    prefix = ""
    if csv_member is not None:
        ckey = _member_key(csv_member.name, container)
        prefix = ckey[: -len("activities.csv")]
        try:
            strava_rows = parse_strava_csv(csv_member.name, csv_member.data)
        except InputError as exc:
            fail(exc)
    used: set[str] = set()
    for r in strava_rows:
        member = files.get(prefix + r.filename) if r.filename else None
        note = ""
        gear = match_gear(r.gear)
        if member is not None:
            used.add(prefix + r.filename)
            try:
                parsed = _parse_member(member, default_sport)
                for p in parsed:
                    row = summarise(p, zone)
                    row["gear"], row["rpe"] = gear, r.values.get("rpe")
                    if r.sport is None:
                        row["note"] = "; ".join(filter(None, [
                            str(row["note"]), f"Strava type {r.activity_type!r} unknown to "
                            f"kneeload; the file's sport ({row['sport']}) kept"]))
                    elif r.sport != row["sport"]:
                        row["note"] = "; ".join(filter(None, [
                            str(row["note"]), f"sport {row['sport']} in the file, "
                            f"'{r.activity_type}' in Strava: Strava's kept"]))
                        row["sport"] = r.sport
                    rows.append(row)
                continue
            except InputError as exc:
                note = (f"file {r.filename} could not be read ({exc.reason}); totals from "
                        "activities.csv")
        elif r.filename:
            note = f"file {r.filename} is not in the export; totals from activities.csv"
        if r.start_time is None:  # a bad date and no readable file: this row alone is lost
            fail(InputError(csv_member.name if csv_member else container,
                            "; ".join(filter(None, [r.problem, note])), f"line {r.line}"))
            continue
        r.gear = gear
        row = strava_row_activity(r, display_path(csv_member.name if csv_member else container),
                                  zone)
        row["note"] = "; ".join(filter(None, [note, str(row["note"])]))
        rows.append(row)
    file_rows: list[dict[str, object]] = []
    for key, member in files.items():
        if key in used:
            continue
        try:
            file_rows.extend(summarise(p, zone) for p in _parse_member(member, default_sport))
        except InputError as exc:
            fail(exc)
    if garmin_summaries:
        join_garmin(garmin_summaries, garmin_gear, file_rows, zone, fail, skipped)
    rows.extend(file_rows)


def _parse_member(member: Member, default_sport: str) -> list[Parsed]:
    buf = io.BytesIO(member.data)
    buf.name = member.name
    return _parse(buf, None, default_sport)


def _skip(exc: InputError) -> dict[str, str]:
    return {"path": display_path(exc.path), "kind": _kind(exc),
            "reason": exc.reason if not exc.location else f"{exc.location}: {exc.reason}"}



def read_activity_file(path: str, ctx: ReadContext) -> None:
    """The ``file`` kind: one activity file of a registered format (plain or .gz)."""
    ctx.add(ctx.parse(path))


def read_export(path: str, ctx: ReadContext) -> None:
    """The export kinds (``strava``, ``garmin``, ``zip``): an archive or an export folder."""
    policy = ctx.policy
    members = (iter_folder_members(path, is_export_member) if os.path.isdir(path)
               else iter_zip(path, want=is_export_member))
    _read_container(path, members, ctx.default_sport, ctx.zone, ctx.rows, ctx.skipped, policy,
                    ctx.kind)


def read_garmin_json(path: str, ctx: ReadContext) -> None:
    """The ``json`` kind: Garmin Connect's activity summaries, named alone."""
    data = read_regular_file(path, MAX_FILE_BYTES, "JSON file")
    if b"summarizedActivitiesExport" not in data[:4096]:
        raise UnsupportedFormatError(path, "is a JSON file but not Garmin Connect's "
                                     "activity summaries (summarizedActivitiesExport)")
    _read_container(os.path.dirname(path) or ".", [Member(path, functools.partial(bytes, data))],
                    ctx.default_sport, ctx.zone, ctx.rows, ctx.skipped, ctx.policy, ctx.kind)


def read_apple(path: str, ctx: ReadContext) -> None:
    """The ``apple`` kind: an Apple Health export (folder or archive); every file of it but
    ``export.xml`` and the workout routes (read with their workouts) is listed as ignored."""
    ctx.rows.extend(read_apple_health(path, ctx.default_sport, ctx.zone, ctx.fail))
    from .apple_health import EXPORT_XML
    if os.path.isdir(path):
        from .exports import walk_folder
        names = [(w.path, os.path.relpath(w.path, path)) for w in walk_folder(path)
                 if w.what == "file"]
    else:
        names = [(f"{path}!{n}", n) for n in zip_names(path) if not n.endswith("/")]
    for shown, rel in names:
        rel = rel.replace(os.sep, "/")
        base = rel.rsplit("/", 1)[-1]
        if base == EXPORT_XML or (rel.lower().split("/")[-2:-1] == ["workout-routes"]
                                  and base.lower().endswith(".gpx")):
            continue
        ctx.ignore(shown, "a hidden file (system or app metadata), not an activity"
                   if base.startswith(".") else ctx.kind.reason_for(rel))


def read_csv(path: str, ctx: ReadContext) -> None:
    """The ``csv`` kind: a manual log, or a Strava ``activities.csv`` named alone."""
    from ..textfile import MAX_TEXT_FILE_BYTES
    data = read_regular_file(path, MAX_TEXT_FILE_BYTES, "manual log")
    if is_strava_activities(data):  # a bare activities.csv: its rows, no files
        _read_container(os.path.dirname(path) or ".",
                        [Member(path, functools.partial(bytes, data))],
                        ctx.default_sport, ctx.zone, ctx.rows, ctx.skipped, ctx.policy)
    elif not is_manual_log(data):
        raise UnsupportedFormatError(path, "is a CSV but not a manual log (header "
                                     "date,distance,duration) nor a Strava "
                                     "activities.csv")
    else:
        ctx.rows.extend(parse_manual_log(display_path(path), data, ctx.zone))


def _not_read(kind_name: str, path: str) -> InputError | None:
    """The discovery entries that are not inputs: a folder that could not be listed, a
    folder met again through a link."""
    if kind_name == "unlisted":
        try:
            os.listdir(path)
            why = "changed while being read"
        except OSError as exc:
            why = exc.strerror or str(exc)
        return CorruptFileError(display_path(path), f"folder cannot be read ({why}); its "
                                "files were not read")
    return None


def _ingest_input(kind_name: str, path: str, default_sport: str, zone: dt.tzinfo,
                  fit_backend: str, strict: bool  # noqa: FBT001
                  ) -> tuple[list[dict[str, object]], list[dict[str, str]], InputError | None]:
    """Read one input with its kind's reader: its rows and skipped entries, and the first
    error when ``strict``. Runs in worker processes too, so only summaries travel back."""
    policy = OnError.RAISE if strict else OnError.SKIP
    if kind_name.startswith("linked:"):  # a folder met again through a symbolic link
        first = kind_name.split(":", 1)[1]
        return [], [{"path": display_path(path), "kind": "ignored",
                     "reason": f"the same folder as {display_path(first)} (a symbolic "
                               "link); read once"}], None
    try:
        k = kind(kind_name)
    except KeyError:
        k = kind("file")
    ctx = ReadContext(k, default_sport, zone, fit_backend, policy)
    try:
        problem = _not_read(kind_name, path)
        if problem is not None:
            raise problem
        try:
            k.reader()(path, ctx)
        except MemoryError:  # this input alone is too big for the memory left: skip it
            raise InputError(display_path(path), "too big to read in the memory available "
                             "(ran out of memory); the other files were read") from None
    except InputError as exc:
        if strict:
            return ctx.rows, ctx.skipped, exc
        ctx.skipped.append(_skip(exc))
    return ctx.rows, ctx.skipped, None


def ingest_chunk(chunk: list[tuple], common: tuple) -> list[tuple]:
    """Read a chunk of ``(index, kind, path, key)`` inputs (see :func:`ingest`): runs in
    worker processes or on a cluster, so only summaries travel back."""
    return [(i, *_ingest_input(kind, path, *common)) for i, kind, path, _key in chunk]

