"""A training plan as files a runner's habits take: a CSV to edit, a calendar, watch workouts.

The plan table (what :mod:`kneeload.planner` builds, and :func:`kneeload.plan.read_plan`
reads back) has one row per planned run:

==============  ==============  ==========================================================
column          dtype           meaning
==============  ==============  ==========================================================
``date``        datetime64      the run's local day (midnight, naive)
``distance_m``  float           planned distance [m]
``kind``        str             "easy", "long", "walk_jog", "lighter", ... (free text)
``week``        int             the plan's week, 1-based
``week_start``  datetime64      the first day of that week
``bounded_by``  str             the rule that bounds the week or run, or "goal"
``target``      str             short human text, e.g. "Easy 5.0 km"
``note``        str             anything else the runner should read
==============  ==============  ==========================================================

Only ``date`` and ``distance_m`` are required (a physio's edited CSV may keep only those);
the others default to empty. A ``walk_jog`` row may carry ``jog_m`` and ``walk_m`` [m], the
length of one jog and one walk segment (defaults :data:`JOG_M` and :data:`WALK_M`).

Writers, each atomic (:func:`kneeload.safeio.atomic_write`: a failed write leaves the old file):

- :func:`write_plan_csv`: ``date,distance,unit,...`` that ``kneeload plan`` reads back;
- :func:`plan_to_ics` / :func:`write_plan_ics`: an RFC 5545 calendar, one all-day event a run;
- :func:`write_fit_workouts`: one FIT workout file a run (file type 5, a distance step; a
  walk/jog run becomes a repeat of a jog and a walk step), written with fit-tool (BSD-3,
  the ``watch`` extra).

A plan is not medical advice; every calendar event and workout note says which rule bounds it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import os
import re
from typing import Any

import pandas as pd

from .clock import now as clock_now
from .errors import UsageError
from .safeio import atomic_write, display_path
from .units import check_unit, to_unit

#: The plan table's columns, in order (see the module docstring).
PLAN_COLUMNS = ("date", "distance_m", "kind", "week", "week_start", "bounded_by", "target",
                "note")
#: Text columns and their default when a plan table lacks them.
TEXT_COLUMNS = ("kind", "bounded_by", "target", "note")
#: The CSV's columns: ``distance`` is in the file's ``unit`` (written on every row, so a file
#: edited in km is never read as miles).
CSV_COLUMNS = ("date", "distance", "unit", "kind", "week", "week_start", "bounded_by", "target",
               "note")
#: Decimals of the CSV's distance [mi or km]: 10 m at most off, below what a watch shows.
CSV_DECIMALS = 2
#: One jog segment of a walk/jog run when the row has no ``jog_m`` [m] (heuristic: a graded
#: return starts with short jogs between walks; the planner sets its own).
JOG_M = 400.0
#: One walk segment of a walk/jog run when the row has no ``walk_m`` [m] (heuristic).
WALK_M = 100.0
#: Kinds written as walk/jog repeats.
WALK_JOG_KINDS = ("walk_jog",)
#: The calendar's product identifier (RFC 5545 3.7.3).
PRODID = "-//kneeload//kneeload training plan//EN"
#: Every calendar event and workout says this.
NOT_ADVICE = "Not medical advice: stop and see a physiotherapist if pain rises."


def _checked(plan: pd.DataFrame) -> pd.DataFrame:
    """The plan table with every column present and typed; a UsageError naming every
    problem when it cannot be written."""
    if not isinstance(plan, pd.DataFrame):
        raise UsageError(f"a plan must be a pandas DataFrame, not {type(plan).__name__}")
    missing = [c for c in ("date", "distance_m") if c not in plan]
    if missing:
        raise UsageError(f"the plan table has no {' or '.join(missing)} column; it needs date "
                         f"and distance_m (columns: {', '.join(PLAN_COLUMNS)})")
    if plan.empty:
        raise UsageError("the plan table has no runs; nothing to write")
    problems = []
    dates = pd.to_datetime(plan["date"], errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    dist = pd.to_numeric(plan["distance_m"], errors="coerce")
    for i, (d, m) in enumerate(zip(dates, dist, strict=True)):
        if pd.isna(d):
            problems.append(f"row {i}: date '{plan['date'].iloc[i]}' is not a date")
        if pd.isna(m) or not math.isfinite(m) or m <= 0:
            problems.append(f"row {i}: distance_m {plan['distance_m'].iloc[i]} is not a "
                            "positive distance [m]")
    if problems:
        raise UsageError("the plan table cannot be written: " + "; ".join(problems[:10])
                         + (f"; and {len(problems) - 10} more" if len(problems) > 10 else ""))
    out = pd.DataFrame({"date": dates.dt.normalize(), "distance_m": dist.astype(float)},
                       index=plan.index)
    for col in TEXT_COLUMNS:
        out[col] = (plan[col].astype(object).where(plan[col].notna(), "").astype(str)
                    if col in plan else "")
    out["week"] = (pd.to_numeric(plan["week"], errors="coerce").astype("Int64")
                   if "week" in plan else pd.array([pd.NA] * len(plan), dtype="Int64"))
    out["week_start"] = (pd.to_datetime(plan["week_start"], errors="coerce")
                         if "week_start" in plan else pd.NaT)
    for col in ("jog_m", "walk_m"):
        if col in plan:
            out[col] = pd.to_numeric(plan[col], errors="coerce")
    return out.sort_values("date", kind="stable").reset_index(drop=True)


def _distance_text(metres: float, unit: str, decimals: int = 1) -> str:
    return f"{to_unit(metres, unit):.{decimals}f} {unit}"


def _kind_label(kind: str) -> str:
    return kind.replace("_", "/") if kind else "run"


# --- CSV ---------------------------------------------------------------------------------


def plan_csv_text(plan: pd.DataFrame, unit: str = "mi") -> str:
    """The plan as CSV text (see :func:`write_plan_csv`)."""
    check_unit(unit)
    p = _checked(plan)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in p.itertuples(index=False):
        w.writerow([f"{r.date:%Y-%m-%d}", f"{to_unit(r.distance_m, unit):.{CSV_DECIMALS}f}",
                    unit, r.kind, "" if pd.isna(r.week) else int(r.week),
                    "" if pd.isna(r.week_start) else f"{r.week_start:%Y-%m-%d}",
                    r.bounded_by, r.target, r.note])
    return buf.getvalue()


def write_plan_csv(plan: pd.DataFrame, path: str | os.PathLike[str], unit: str = "mi") -> str:
    """Write the plan as a CSV that ``kneeload plan`` reads back and a physio can edit.

    Parameters
    ----------
    plan : pandas.DataFrame
        The plan table (module docstring); ``date`` and ``distance_m`` [m] required.
    path : path
        The CSV to write (atomically: a failed write leaves the previous file).
    unit : {"mi", "km"}
        The unit of the ``distance`` column [mi or km], written beside every row in the
        ``unit`` column so the file reads back the same whatever the reader's unit.

    Returns
    -------
    str
        The path written.

    Raises
    ------
    UsageError
        A plan table without dates or positive distances (every bad row named).
    OutputError
        The file cannot be written.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> plan = pd.DataFrame({"date": pd.to_datetime(["2026-09-01"]), "distance_m": [5000.0],
    ...                      "kind": ["easy"], "target": ["Easy 5.0 km"]})
    >>> path = os.path.join(tempfile.mkdtemp(), "plan.csv")
    >>> _ = write_plan_csv(plan, path, "km")
    >>> print(open(path).read(), end="")
    date,distance,unit,kind,week,week_start,bounded_by,target,note
    2026-09-01,5.00,km,easy,,,,Easy 5.0 km,
    """
    text = plan_csv_text(plan, unit)
    return atomic_write(path, text.encode("utf-8"))


# --- iCalendar (RFC 5545) ------------------------------------------------------------------


def ics_escape(text: str) -> str:
    r"""A TEXT value escaped per RFC 5545 3.3.11: ``\`` ``;`` ``,`` and newlines.

    Examples
    --------
    >>> ics_escape("a, b; c\\d\ne")
    'a\\, b\\; c\\\\d\\ne'
    """
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n"))


def ics_fold(line: str) -> bytes:
    """One content line as UTF-8, folded at 75 octets (RFC 5545 3.1): CRLF and a space
    before each continuation, never inside a multi-byte character; ends with CRLF."""
    data = line.encode("utf-8")
    parts: list[bytes] = []
    limit = 75
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # a UTF-8 continuation byte
            cut -= 1
        parts.append(data[:cut])
        data = data[cut:]
        limit = 74  # the leading space of a continuation line counts
    parts.append(data)
    return b"\r\n ".join(parts) + b"\r\n"


def _uid(row: Any, n: int, calendar: str, domain: str) -> str:
    """Stable per calendar, day and run of the day: a re-built plan re-imported replaces its
    events instead of doubling them."""
    key = hashlib.sha1(f"{calendar}|{row.date:%Y-%m-%d}|{n}".encode()).hexdigest()[:16]
    return f"{row.date:%Y%m%d}-{n}-{key}@{domain}"


def plan_to_ics(plan: pd.DataFrame, unit: str = "mi", *, name: str = "kneeload plan",
                stamp: dt.datetime | None = None, domain: str = "kneeload.invalid") -> bytes:
    """The plan as an iCalendar file (RFC 5545): one all-day event a run.

    Each VEVENT has UID (stable for the calendar ``name``, day and run of the day), DTSTAMP,
    DTSTART;VALUE=DATE and DTEND (the next day), SUMMARY with the distance, DESCRIPTION with
    the target, the plan week and the rule that bounds it, and TRANSP:TRANSPARENT (a run
    does not block the day). Lines end in CRLF and are folded at 75 octets; TEXT values are
    escaped.

    Parameters
    ----------
    plan : pandas.DataFrame
        The plan table (module docstring).
    unit : {"mi", "km"}
        The unit distances are shown in [mi or km].
    name : str
        The calendar's name (X-WR-CALNAME); also keys the UIDs.
    stamp : datetime.datetime, optional
        DTSTAMP (UTC); default now.
    domain : str
        The right-hand side of each UID (RFC 5545 3.8.4.7 suggests a domain name).

    Returns
    -------
    bytes
        The calendar, UTF-8.

    Raises
    ------
    UsageError
        A plan table without dates or positive distances.

    References
    ----------
    RFC 5545, Internet Calendaring and Scheduling Core Object Specification (iCalendar),
    2009: 3.1 (folding), 3.3.11 (TEXT), 3.6.1 (VEVENT), 3.8.4.7 (UID), 3.8.7.2 (DTSTAMP).
    """
    check_unit(unit)
    p = _checked(plan)
    now = (stamp or clock_now())
    if now.tzinfo is not None:
        now = now.astimezone(dt.timezone.utc)
    dtstamp = f"{now:%Y%m%dT%H%M%SZ}"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{ics_escape(name)}"]
    per_day: dict[pd.Timestamp, int] = {}
    for r in p.itertuples(index=False):
        n = per_day[r.date] = per_day.get(r.date, 0) + 1
        dist = _distance_text(r.distance_m, unit)
        summary = f"Run {dist} ({_kind_label(r.kind)})"
        desc = [r.target or f"Run {dist}"]
        if not pd.isna(r.week):
            desc.append(f"Plan week {int(r.week)}"
                        + ("" if pd.isna(r.week_start) else f" (from {r.week_start:%Y-%m-%d})"))
        if r.bounded_by:
            desc.append(f"Bounded by: {r.bounded_by}")
        if r.note:
            desc.append(r.note)
        desc.append(NOT_ADVICE)
        lines += ["BEGIN:VEVENT", f"UID:{_uid(r, n, name, domain)}", f"DTSTAMP:{dtstamp}",
                  f"DTSTART;VALUE=DATE:{r.date:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{r.date + pd.Timedelta(days=1):%Y%m%d}",
                  f"SUMMARY:{ics_escape(summary)}",
                  f"DESCRIPTION:{ics_escape(chr(10).join(desc))}",
                  "CATEGORIES:Running", "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return b"".join(ics_fold(line) for line in lines)


def write_plan_ics(plan: pd.DataFrame, path: str | os.PathLike[str], unit: str = "mi",
                   **kwargs: Any) -> str:
    """Write :func:`plan_to_ics` to ``path`` (atomically); returns the path written."""
    return atomic_write(path, plan_to_ics(plan, unit, **kwargs))


# --- FIT workouts ------------------------------------------------------------------------


def _fit_tool() -> Any:
    try:
        import fit_tool  # noqa: F401
    except ImportError:
        raise UsageError("writing FIT workouts needs fit-tool: pip install 'kneeload[watch]'"
                         ) from None
    return fit_tool


def _safe_name(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "run"


def workout_steps(row: Any) -> list[dict[str, Any]]:
    """The workout steps of one plan row, as plain dicts (``name``, ``duration_type``
    "distance" or "repeat_until_steps_cmplt", ``distance_m`` [m], ``intensity``, and for a
    repeat ``from_step`` and ``repeats``).

    A run is one distance step. A walk/jog run (``kind`` "walk_jog") is a jog step of
    ``jog_m`` and a walk step of ``walk_m`` repeated so the whole comes to the planned
    distance: ``repeats = max(1, round(distance_m / (jog_m + walk_m)))``, the jog stretched
    or shortened to ``distance_m / repeats - walk_m``.
    """
    dist = float(row.distance_m)
    if row.kind in WALK_JOG_KINDS:
        jog = getattr(row, "jog_m", JOG_M)
        walk = getattr(row, "walk_m", WALK_M)
        jog = JOG_M if jog is None or pd.isna(jog) or jog <= 0 else float(jog)
        walk = WALK_M if walk is None or pd.isna(walk) or walk <= 0 else float(walk)
        repeats = max(1, round(dist / (jog + walk)))
        walk = min(walk, dist / repeats / 2)
        jog = dist / repeats - walk
        return [
            {"name": "Jog", "duration_type": "distance", "distance_m": jog,
             "intensity": "active"},
            {"name": "Walk", "duration_type": "distance", "distance_m": walk,
             "intensity": "recovery"},
            {"name": f"Repeat x{repeats}", "duration_type": "repeat_until_steps_cmplt",
             "from_step": 0, "repeats": repeats, "intensity": "active"},
        ]
    return [{"name": _kind_label(row.kind).capitalize()[:15] or "Run",
             "duration_type": "distance", "distance_m": dist, "intensity": "active"}]


def fit_workout_bytes(row: Any, unit: str = "mi", *, created: dt.datetime | None = None,
                      serial: int = 1) -> bytes:
    """One plan row as a FIT workout file (bytes).

    Messages: file_id (type workout = 5, manufacturer development, ``serial`` so several
    workouts on one watch differ), workout (sport running, ``num_valid_steps``, the name),
    then the workout_step messages of :func:`workout_steps`: a distance step has
    ``duration_type`` distance and ``duration_value`` in centimetres (the FIT profile's
    scale 100 on ``duration_distance``), target open, intensity active; a repeat step has
    ``duration_type`` repeat_until_steps_cmplt, ``duration_value`` the first step repeated
    and ``target_value`` the number of repeats.

    References
    ----------
    Garmin FIT SDK, "Workout file type" (developer.garmin.com/fit/file-types/workout) and
    Profile.xlsx, messages file_id, workout, workout_step.
    """
    _fit_tool()
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.workout_message import WorkoutMessage
    from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
    from fit_tool.profile.profile_type import (
        FileType,
        Intensity,
        Manufacturer,
        Sport,
        WorkoutStepDuration,
        WorkoutStepTarget,
    )

    steps = workout_steps(row)
    when = created or clock_now()
    fid = FileIdMessage()
    fid.type = FileType.WORKOUT
    fid.manufacturer = Manufacturer.DEVELOPMENT.value
    fid.product = 0
    fid.serial_number = int(serial) & 0xFFFFFFFF
    fid.time_created = round(when.timestamp() * 1000)
    wkt = WorkoutMessage()
    wkt.sport = Sport.RUNNING
    wkt.num_valid_steps = len(steps)
    wkt.workout_name = f"{row.date:%m-%d} {_kind_label(row.kind)} " \
                       f"{_distance_text(row.distance_m, unit)}"
    messages: list[Any] = [fid, wkt]
    intensity = {"active": Intensity.ACTIVE, "recovery": Intensity.RECOVERY,
                 "rest": Intensity.REST}
    for i, s in enumerate(steps):
        m = WorkoutStepMessage()
        m.message_index = i
        m.workout_step_name = s["name"]
        if s["duration_type"] == "distance":
            m.duration_type = WorkoutStepDuration.DISTANCE
            # fit-tool applies the profile's scale 100 of duration_distance: the file holds
            # duration_value in centimetres
            m.duration_distance = round(s["distance_m"], 2)
            m.target_type = WorkoutStepTarget.OPEN
        else:
            m.duration_type = WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT
            m.duration_value = int(s["from_step"])
            m.target_value = int(s["repeats"])
        m.intensity = intensity[s["intensity"]]
        if i == 0 and row.target:
            m.notes = str(row.target)[:50]
        messages.append(m)
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    builder.add_all(messages)
    return bytes(builder.build().to_bytes())


def fit_file_name(row: Any, unit: str, n: int = 1) -> str:
    """``2026-09-01_easy_5-0km.fit``: dated (sorts by day), only ``[a-z0-9_-]`` and the
    extension (safe on a watch's FAT file system), ``_2`` for a second run that day."""
    dist = f"{to_unit(row.distance_m, unit):.1f}".replace(".", "-")
    extra = f"_{n}" if n > 1 else ""
    return f"{row.date:%Y-%m-%d}_{_safe_name(row.kind or 'run')}_{dist}{unit}{extra}.fit"


def write_fit_workouts(plan: pd.DataFrame, folder: str | os.PathLike[str], unit: str = "mi",
                       *, created: dt.datetime | None = None) -> list[str]:
    """One FIT workout file a planned run, in ``folder`` (made when missing).

    Parameters
    ----------
    plan : pandas.DataFrame
        The plan table (module docstring).
    folder : path
        Where to write; each file atomically (:func:`kneeload.safeio.atomic_write`).
    unit : {"mi", "km"}
        The unit of the workout names and file names [mi or km]; the steps are in metres
        whatever the unit.
    created : datetime.datetime, optional
        file_id.time_created; default now.

    Returns
    -------
    list of str
        The files written, in plan order (see :func:`fit_file_name`).

    Raises
    ------
    UsageError
        A plan table without dates or positive distances, or fit-tool not installed.
    OutputError
        A file cannot be written, or ``folder`` is not a folder.
    """
    check_unit(unit)
    p = _checked(plan)
    _fit_tool()
    from .errors import OutputError

    folder = os.fspath(folder)
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise OutputError(display_path(folder), "is not a folder; give a folder for the FIT "
                          "workouts")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise OutputError(display_path(folder), f"cannot be made ({exc.strerror})") from exc
    when = created or clock_now()
    written = []
    per_day: dict[pd.Timestamp, int] = {}
    for r in p.itertuples(index=False):
        n = per_day[r.date] = per_day.get(r.date, 0) + 1
        # file_id (type, manufacturer, product, serial) identifies a file on a watch: the
        # serial is stable per day and run of the day, so a re-built plan replaces that
        # day's workout and two days never collide
        serial = int(hashlib.sha1(f"{r.date:%Y-%m-%d}|{n}".encode()).hexdigest()[:8], 16)
        data = fit_workout_bytes(r, unit, created=when, serial=serial)
        written.append(atomic_write(os.path.join(folder, fit_file_name(r, unit, n)), data))
    return written
