"""The report's content: one plain-data summary of a season that every output renders.

:func:`build_content` turns a :class:`kneeload.Season` into a :class:`ReportContent` of
dataclasses (numbers already in the report's unit, dates as ``datetime.date``, rule names in
words, evidence beside each flag). The PDF (:mod:`.pdf`), the HTML page (:mod:`.html`), the
JSON of ``kneeload report --format json`` (:meth:`ReportContent.to_dict`) and the notebook all
render it; they only lay it out. Adding an output format means one renderer module.

The frames the figures need (weeks, flags, spikes, ratios, daily load, pain, shoe status) ride
along in :attr:`ReportContent.frames`, cut to the report's period; they are not serialised.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..clock import today as clock_today
from ..config import rule_evidence
from ..errors import UsageError
from ..load import SEVERITY_RANK, daily_load, running, session_spikes, week_start_of
from ..load import acwr as load_acwr
from ..season import Season
from ..text import (
    advice_json,
    advice_lines,
    figure_texts,
    format_limit,
    limit_value,
    pair_entries_text,
    pairing_rule,
    rule_title,
    shoe_note,
    this_week_lines,
)
from ..units import elevation_unit, metres_per, to_elevation_unit
from .figures import figure_settings

#: What each column of the weekly table means (shown under or beside the table).
WEEK_COLUMNS: dict[str, str] = {
    "week": "the week's first day",
    "runs": "runs that week",
    "distance": "running distance",
    "change": "distance change on the week before",
    "vs 4 wk": "distance change on the mean of the 4 weeks before",
    "longest": "the week's longest run",
    "descent": "downhill metres or feet run (the knee-specific load)",
    "cadence": "mean steps per minute, weighted by moving time",
    "cross": "cross-training sessions (cycling, swimming, walking: not running load)",
}

DISCLAIMER = ("kneeload describes this runner's own training and logged pain. It is not "
              "medical advice and makes no diagnosis; load-pain pairings are personal, "
              "descriptive associations, not predictions.")

SHOE_NOTE = ("Dates past the last run are projections at each pair's use over the last 8 "
             "weeks; the 300-500 mi (480-800 km) range is a convention, not a study.")


def rule_name(rule: str, config: Any = None) -> str:
    """The rule's name in words (:func:`kneeload.text.rule_title`: its registry title, with
    the configured values when ``config`` is given).

    Examples
    --------
    >>> rule_name("weekly_increase")
    'The 10% rule, week over week'
    >>> rule_name("an_unknown_rule")
    'an unknown rule'
    """
    return rule_title(rule, config)


def with_unit(value: float, unit: str) -> str:
    """A flag's number with its unit, as people write it.

    Examples
    --------
    >>> with_unit(45.5, "%"), with_unit(4.0, "/10"), with_unit(162.5, "spm")
    ('45.5%', '4/10', '162.5 spm')
    """
    return f"{value:g}{'' if unit.startswith(('%', '/')) else ' '}{unit}"


def _rule_position(rule: str) -> int:
    """The rule's place in the registry (load rules, then pain rules)."""
    from ..rules import registry

    order = list(registry)
    return order.index(rule) if rule in order else len(order)


def order_flags(flags: pd.DataFrame) -> pd.DataFrame:
    """The one flag order of every report: by date; on a day, the most severe first; then
    the rule's place in the rules registry (load rules before pain rules)."""
    if flags.empty:
        return flags.reset_index(drop=True)
    key = flags.assign(_d=pd.to_datetime(flags["date"]),
                       _r=-flags["severity"].map(SEVERITY_RANK),
                       _p=flags["rule"].map(_rule_position))
    return key.sort_values(["_d", "_r", "_p"], kind="stable").drop(
        columns=["_d", "_r", "_p"]).reset_index(drop=True)


def _date(v: Any) -> dt.date | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return pd.Timestamp(v).date()


def _num(v: Any) -> float | None:
    if v is None or pd.isna(v):
        return None
    return float(v)


# --- the content ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """The period's running, in the report's unit (``distance``, ``longest``,
    ``weekly_mean`` [mi or km]; ``descent`` [ft or m]; ``moving_s`` [s])."""

    runs: int
    distance: float
    moving_s: float
    longest: float
    weekly_mean: float
    descent: float
    cadence_spm: float | None
    cross_sessions: int
    days: int
    weeks: int


@dataclass(frozen=True)
class Flag:
    """One flag with its rule named in words and the evidence behind the rule."""

    date: dt.date
    rule: str
    name: str
    severity: str
    value: float
    threshold: float
    unit: str
    headline: str       # the message's first sentence: what happened, with the numbers
    summary: str        # the message without its evidence sentence
    message: str        # the full message
    evidence_level: str  # "weak", "moderate", "the strongest available", ...
    evidence: str       # the level with its reason
    references: str


@dataclass(frozen=True)
class Week:
    """One row of the weekly table, in the report's unit; changes in %."""

    week_start: dt.date
    runs: int
    distance: float
    change_prev_pct: float | None
    change_4wk_pct: float | None
    longest: float
    descent: float
    cadence_spm: float | None
    cross_n: int
    worst: str | None   # the most severe flag dated in this week, if any


@dataclass(frozen=True)
class LookAhead:
    """Next week's limits in the report's unit [mi or km] (None where a rule cannot judge:
    too little history, a return after a break).

    Attributes
    ----------
    week_start : datetime.date
        The first day of the first week not yet complete.
    in_progress : bool
        That week holds the day judged (it is partly run).
    last_week, max_week, max_week_10pct, max_week_2wk : float or None
        The complete week before; the most running that week within both the 10% and the
        two-week rules, within the 10% rule alone, within the two-week rule (Nielsen 2014).
    recent_longest, max_run : float or None
        The longest run of the last 30 days; the longest single run within the session-spike
        caution threshold (Frandsen 2025) and the two-week rule's room on the day.
    notes : list of str
        What the look-ahead could not judge, or a graded return after a break.
    unit : str
        ``"mi"`` or ``"km"``.
    """

    week_start: dt.date
    in_progress: bool
    last_week: float | None
    max_week: float | None
    max_week_10pct: float | None
    max_week_2wk: float | None
    recent_longest: float | None
    max_run: float | None
    notes: list[str]
    unit: str
    #: each day of the week: ``date``, ``max_run`` [unit] (None: no run in the window) and
    #: ``max_run_display`` (the safe-side text, "7.1 mi")
    days: list[dict[str, Any]] = field(default_factory=list)
    #: the limits as shown, rounded to the safe side ("16.5 mi"; None where no limit)
    display: dict[str, str | None] = field(default_factory=dict)
    return_ceiling: float | None = None
    run_bound_by: str | None = None
    week_bound_by: str | None = None

    @classmethod
    def from_limits(cls, limits: dict[str, Any], unit: str) -> LookAhead:
        """From the look-ahead's fields in metres (``Season.next_week().as_dict()`` or
        :func:`kneeload.load.next_week_limits`) into ``unit``.

        Examples
        --------
        >>> import pandas as pd
        >>> la = LookAhead.from_limits({"week_start": pd.Timestamp("2026-08-17"),
        ...     "last_week_m": 16093.44, "max_week_m": 17702.784, "max_week_10pct_m": 17702.784,
        ...     "max_week_2wk_m": None, "recent_longest_m": 8046.72, "max_run_m": 8851.392},
        ...     "mi")
        >>> la.max_week, la.max_run, la.unit
        (11.0, 5.5, 'mi')
        """
        per = metres_per(unit)

        def conv(key: str) -> float | None:
            m = limits.get(key)
            return None if m is None else round(float(m) / per, 6)

        def cap(key: str) -> float | None:  # a limit: 2 decimals, on its safe side (down)
            return limit_value(limits.get(key), unit, "max", 2)

        days = [{"date": pd.Timestamp(d["date"]).date(),
                 "max_run": limit_value(d.get("max_run_m"), unit, "max", 2),
                 "max_run_display": None if d.get("max_run_m") is None
                 else format_limit(d["max_run_m"], unit)}
                for d in limits.get("days", ()) if isinstance(d, dict)]
        display = {k: None if limits.get(f"{k}_m") is None
                   else format_limit(limits[f"{k}_m"], unit)
                   for k in ("max_week", "max_week_10pct", "max_week_2wk", "max_run",
                             "return_ceiling")}
        return cls(week_start=pd.Timestamp(limits["week_start"]).date(),
                   in_progress=bool(limits.get("in_progress", False)),
                   last_week=conv("last_week_m"), max_week=cap("max_week_m"),
                   max_week_10pct=cap("max_week_10pct_m"), max_week_2wk=cap("max_week_2wk_m"),
                   recent_longest=conv("recent_longest_m"), max_run=cap("max_run_m"),
                   notes=[str(n) for n in limits.get("notes", ())], unit=unit, days=days,
                   display=display, return_ceiling=cap("return_ceiling_m"),
                   run_bound_by=limits.get("run_bound_by"),
                   week_bound_by=limits.get("week_bound_by"))


def _this_week_text(week: Any, ahead: Any, cfg: Any, unit: str) -> list[str]:
    """"This week" in words; when the look-ahead is this same week (it is in progress), the
    lines the look-ahead already said (the longest single run, the two-week rule's run by
    run limits) are left out, so page 1 says each limit once."""
    lines = this_week_lines(week, cfg, unit=unit)
    same = (ahead is not None and getattr(ahead, "in_progress", False)
            and pd.Timestamp(ahead.week_start) == pd.Timestamp(week.week_start))
    if not same:
        return lines
    said = ("Longest single run", "Run by run")
    return [x for x in lines if not x.startswith(said)]


def conv_day(m: Any, per: float) -> float | None:
    """A day's limit [m] in the unit of ``per`` [m per unit], or None."""
    return None if m is None else round(float(m) / per, 6)


@dataclass(frozen=True)
class Shoe:
    """One pair: distance [report unit], status and the dates its limits were or will be
    reached; ``share`` of recent running [0-1]."""

    shoe: str
    distance: float
    runs: int
    status: str
    first_used: dt.date | None
    last_used: dt.date | None
    notice_on: dt.date | None
    replace_on: dt.date | None
    share: float
    #: The projection is after 2100 (kneeload.shoes.PROJECTION_END): shown "beyond 2100".
    notice_beyond: bool = False
    replace_beyond: bool = False


@dataclass(frozen=True)
class Shoes:
    pairs: list[Shoe]
    advice: list[str]
    note: str = SHOE_NOTE


@dataclass(frozen=True)
class Pairing:
    """Load spikes and the knee pain that followed (kneeload.pain.pair_pain), in words and
    rows. ``pairs``: spike date, rule name, pain date (the load day the pain counts for),
    pain [0-10], lag [days], and ``entries``: each pain entry of that load day as the log
    has it (``date``, ``pain``, ``when``), with ``text`` ("31 May run -> 4/10 during
    (31 May), 5/10 next morning (1 Jun)"). ``rule``: how pain pairs with load and which
    day an entry counts for, in words (said once in every output)."""

    summary: str
    pairs: list[dict[str, Any]]
    spikes_without_pain: list[dict[str, Any]]
    pain_without_spike: list[dict[str, Any]]
    rule: str = ""


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the report: its name (a function of :mod:`kneeload.report.figures`),
    where it goes (``"totals"``: beside the totals on page 1; ``"plan"``: the plan section;
    ``"figures"``: the figures section), its caption and text alternative
    (:func:`kneeload.text.figure_texts`) and its height on a PDF page [in]."""

    name: str
    place: str
    caption: str
    alt: str
    height_in: float


@dataclass(frozen=True)
class PlanWeek:
    """One week of a plan, in the report's unit: planned ``distance`` and ``long_run``
    [mi or km]; ``run`` what was run that week (None: the week had not begun), its
    ``mode`` (build, lighter, hold, taper; "" for a CSV without it) and ``bounded_by``."""

    week_start: dt.date
    distance: float
    long_run: float
    runs: int
    run: float | None
    mode: str
    bounded_by: str


@dataclass(frozen=True)
class PlanRun:
    """One planned run: ``distance`` [mi or km], ``kind``, ``target`` text, ``bounded_by``."""

    date: dt.date
    distance: float
    kind: str
    target: str
    bounded_by: str
    note: str


@dataclass(frozen=True)
class PlanSection:
    """The plan shown beside the weekly chart (``kneeload report --plan`` or
    ``--build-plan``): where it came from (``source``), its weeks and runs, the flags it
    raises after the history (``flags``: each flag's first sentence), its notes and the
    planner's disclaimer; ``intro`` and ``check`` are its sentences
    (:func:`kneeload.text.plan_texts`)."""

    source: str
    weeks: list[PlanWeek]
    runs: list[PlanRun]
    flags: list[str]
    notes: list[str]
    intro: str
    check: str
    disclaimer: str


@dataclass(frozen=True)
class FitnessSummary:
    """Fitness, fatigue and form on the report's last day (:mod:`kneeload.fitness`), in
    ``unit`` a day (mi, km, min or RPE x min), and the evidence sentence."""

    date: dt.date
    ctl: float
    atl: float
    tsb: float
    unit: str
    ctl_days: float
    atl_days: float
    text: str


@dataclass(frozen=True)
class Skipped:
    path: str
    kind: str
    reason: str


@dataclass(frozen=True)
class Completeness:
    """What was read: ``files_read`` activity files and exports ingested, ``activities`` in
    them (``activities_shown`` in the report's period), ``skipped`` files not ingested (with
    the reason), ``duplicates`` recordings counted once, and
    ``machine_clock_runs``: runs whose local date came from the machine's time zone because
    the file carries no local time (GPX, TCX, some FIT) and no zone was configured."""

    files_read: int
    activities: int
    activities_shown: int
    skipped: list[Skipped]
    duplicates: int
    machine_clock_runs: int
    machine_zone: str | None

    @property
    def line(self) -> str:
        """The one-line account every report prints."""
        shown = (f" ({self.activities_shown} in this report's period)"
                 if self.activities_shown != self.activities else "")
        parts = [f"Read {self.files_read} file(s): {self.activities} activities{shown}"]
        parts.append(f"{len(self.skipped)} file(s) skipped"
                     + (" (listed at the end)" if self.skipped else ""))
        parts.append(f"{self.duplicates} duplicate recording(s) counted once")
        if self.machine_clock_runs:
            parts.append(f"{self.machine_clock_runs} run(s) dated by this computer's time zone "
                         f"({self.machine_zone}): their files carry no local time")
        return "; ".join(parts) + "."


@dataclass
class ReportContent:
    """Everything a season report says, as plain data. Render it; do not compute in layout.

    Distances are in ``unit`` (mi or km), elevation in ``elevation_unit`` (ft or m).
    ``this_week`` and ``tolerance`` hold the current-week status and the knee-tolerance
    summary as plain mappings when the season provides them (``Season.this_week()``,
    ``Season.tolerance()``), else None.
    """

    title: str
    runner: str | None
    since: dt.date
    until: dt.date
    made: dt.date
    version: str
    unit: str
    elevation_unit: str
    totals: Totals
    weeks: list[Week]
    flags: list[Flag]            # every flag of the period, in :func:`order_flags` order
    top_flags: list[Flag]        # the most important: most severe first, latest per rule
    flag_counts: dict[str, int]  # by severity
    look_ahead: LookAhead
    advice: list[str]            # what to consider next, each with its evidence level
    notes: list[str]             # what the rules could not judge
    completeness: Completeness
    shoes: Shoes | None = None
    pain: Pairing | None = None
    this_week: dict[str, Any] | None = None
    tolerance: dict[str, Any] | None = None
    this_week_text: list[str] = field(default_factory=list)  # this_week in plain words
    tolerance_text: str | None = None                        # tolerance in plain words
    disclaimer: str = DISCLAIMER
    #: figures with nothing to draw, and why (e.g. no cadence in the files)
    missing_figures: dict[str, str] = field(default_factory=dict)
    #: the figures to draw, in order (the one list every renderer reads)
    figures: list[FigureSpec] = field(default_factory=list)
    #: the day the season is judged as of (the report's last day)
    today: dt.date | None = None
    #: the plan beside the weekly chart (None: no --plan nor --build-plan)
    plan: PlanSection | None = None
    #: fitness, fatigue and form on the last day (None: no run to compute them from)
    fitness: FitnessSummary | None = None
    frames: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def headline(self) -> dict[str, Any]:
        """The numbers ``kneeload report`` prints after writing."""
        return {"since": pd.Timestamp(self.since), "until": pd.Timestamp(self.until),
                "runs": self.totals.runs, "distance": self.totals.distance, "unit": self.unit,
                "flags": len(self.flags), "alerts": self.flag_counts.get("alert", 0),
                "warnings": self.flag_counts.get("warn", 0),
                "pairs": len(self.pain.pairs) if self.pain else None}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ISO dates, floats rounded to 3 decimals, no frames."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
               if f.name != "frames"}
        out["completeness_line"] = self.completeness.line
        return _plain(out)


def _plain(v: Any) -> Any:
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return _plain({f.name: getattr(v, f.name) for f in dataclasses.fields(v)})
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, pd.DataFrame):
        return [_plain(r) for r in v.to_dict("records")]
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return v.isoformat()[:10] if v == pd.Timestamp(v).normalize() else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, np.generic):
        return _plain(v.item())
    if isinstance(v, float):
        return None if np.isnan(v) else round(v, 3)
    if v is pd.NaT:
        return None
    return v


# --- building it ---------------------------------------------------------------------------


def machine_clock_runs(activities: pd.DataFrame) -> tuple[int, str | None]:
    """Runs whose local date came from this machine's time zone: their files record neither
    a local time nor a position and no zone was given (``tz_source`` ``"machine:<zone>"``).

    Returns the count and the zone's name (None when there are none).
    """
    src = running(activities)["tz_source"].fillna("").astype(str)
    machine = src[src.str.startswith("machine:")]
    return len(machine), (machine.iloc[0].split(":", 1)[1] if len(machine) else None)


def _completeness(season: Any, shown: pd.DataFrame) -> Completeness:
    """Files and activities as read (the whole input); clock-dated runs among ``shown``."""
    acts, skipped = season.activities, season.skipped
    dup = skipped[skipped["kind"] == "duplicate"]
    not_read = skipped[~skipped["kind"].isin(("duplicate", "ignored"))]  # ignored: not activities
    files = set(acts["source_path"]) | set(dup["path"])
    n, zone = machine_clock_runs(shown)
    return Completeness(
        files_read=len(files), activities=len(acts), activities_shown=len(shown),
        skipped=[Skipped(str(r.path), str(r.kind), str(r.reason)) for r in not_read.itertuples()],
        duplicates=len(dup), machine_clock_runs=n, machine_zone=zone)


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + dot.strip()


def _flag(r: Any, config: Any = None) -> Flag:
    level_text, refs = rule_evidence().get(r.rule, ("", ""))
    return Flag(date=pd.Timestamp(r.date).date(), rule=r.rule, name=rule_name(r.rule, config),
                severity=r.severity, value=float(r.value), threshold=float(r.threshold),
                unit=str(r.unit), headline=_first_sentence(str(r.message)),
                summary=str(r.message).split(" Evidence:")[0],
                message=str(r.message), evidence_level=level_text.split(":")[0],
                evidence=level_text, references=refs)


def _top_flags(flags: pd.DataFrame) -> pd.DataFrame:
    """The latest flag of each rule, warn and alert first (info only when there are none),
    ordered most severe first, then latest, then by rule."""
    if flags.empty:
        return flags
    ranked = flags.assign(_r=flags["severity"].map(SEVERITY_RANK),
                          _p=flags["rule"].map(_rule_position),
                          _d=pd.to_datetime(flags["date"]))
    ranked = ranked.sort_values(["_r", "_d", "_p"], ascending=[False, False, True],
                                kind="stable")
    top = ranked[ranked["_r"] >= 1].drop_duplicates("rule").head(6)
    if top.empty:
        top = ranked.drop_duplicates("rule").head(3)
    return top.drop(columns=["_r", "_p", "_d"])


def _weeks(weeks: pd.DataFrame, flags: pd.DataFrame, unit: str) -> list[Week]:
    per = metres_per(unit)
    worst: dict[pd.Timestamp, str] = {}
    for r in flags.itertuples():
        ws = pd.Timestamp(r.week_start)
        if ws not in worst or SEVERITY_RANK[r.severity] > SEVERITY_RANK[worst[ws]]:
            worst[ws] = r.severity
    return [Week(week_start=w.week_start.date(), runs=int(w.runs), distance=w.distance_m / per,
                 change_prev_pct=_num(w.change_prev_pct), change_4wk_pct=_num(w.change_4wk_pct),
                 longest=w.longest_m / per, descent=float(to_elevation_unit(w.descent_m, unit)),
                 cadence_spm=_num(w.cadence_spm), cross_n=int(w.cross_n),
                 worst=worst.get(pd.Timestamp(w.week_start)))
            for w in weeks.itertuples()]


def week_rows(weeks: pd.DataFrame, unit: str, flags: pd.DataFrame | None = None) -> list[Week]:
    """The weekly table (:func:`kneeload.load.weekly_table`) as report rows in ``unit``."""
    return _weeks(weeks, flags if flags is not None else pd.DataFrame(
        columns=["week_start", "severity"]), unit)


def shoe_rows(status: pd.DataFrame, unit: str) -> list[Shoe]:
    """Shoe status (:func:`kneeload.shoes.shoe_status`) as report rows in ``unit``."""
    per = metres_per(unit)
    return [Shoe(shoe=str(s.shoe), distance=s.distance_m / per, runs=int(s.runs),
                 status=str(s.status), first_used=_date(s.first_used),
                 last_used=_date(s.last_used), notice_on=_date(s.notice_on),
                 replace_on=_date(s.replace_on), share=float(s.share),
                 notice_beyond=bool(getattr(s, "notice_beyond", False)),
                 replace_beyond=bool(getattr(s, "replace_beyond", False)))
            for s in status.itertuples()]


def _entries(log: pd.DataFrame | None, load_day: Any) -> list[dict[str, Any]]:
    """The pain log's entries that count for ``load_day`` (a next-morning entry for the day
    before), in the log's order: ``date``, ``pain``, ``when``."""
    if log is None or log.empty or load_day is None:
        return []
    when = log["when"].fillna("").astype(str) if "when" in log else pd.Series("", log.index)
    day = pd.to_datetime(log["date"]) - pd.to_timedelta((when == "next_morning").astype(int),
                                                        unit="D")
    rows = log[day == pd.Timestamp(load_day)]
    return [{"date": f"{pd.Timestamp(r['date']):%Y-%m-%d}", "pain": float(r["pain"]),
             "when": str(r.get("when") or "")} for r in rows.to_dict("records")]


def _pairing(res: dict[str, Any], log: pd.DataFrame | None = None,
             config: Any = None) -> Pairing:
    """Pairs as rows: a spike is a day on which one or more spike rules fired; each pair
    with the pain entries it rests on, as the log has them."""
    def names(rules: str) -> str:
        return "; ".join(rule_name(r.strip(), config) for r in str(rules).split(",")
                         if r.strip())

    def rows(df: pd.DataFrame, cols: dict[str, str]) -> list[dict[str, Any]]:
        out = []
        for r in df.to_dict("records"):
            row = {new: _plain(_date(r[old]) if old.endswith(("date", "start", "end"))
                               else r[old]) for old, new in cols.items() if old in r}
            if "spike_rules" in r:
                row["rule_name"] = names(r["spike_rules"])
            out.append(row)
        return out

    pairs = rows(res["pairs"], {"spike_date": "spike_date", "spike_rules": "rules",
                                "pain_date": "pain_date", "pain": "pain",
                                "lag_days": "lag_days"})
    for p in pairs:
        p["entries"] = _entries(log, p.get("pain_date"))
        p["text"] = pair_entries_text(p["spike_date"], p["entries"])
    return Pairing(
        summary=res["summary"]["text"], rule=pairing_rule(config),
        pairs=pairs,
        spikes_without_pain=rows(res["spikes_without_pain"], {
            "spike_date": "spike_date", "spike_rules": "rules"}),
        pain_without_spike=rows(res["pain_without_spike"], {
            "start": "start", "end": "end", "peak": "peak"}))


#: Without ``since``, data spanning more than this many weeks is shown for its last ones.
DEFAULT_SPAN_WEEKS = 52


def build_content(season: Any, *, unit: str | None = None,
                  since: pd.Timestamp | str | None = None,
                  until: pd.Timestamp | str | None = None,
                  runner: str | None = None, today: pd.Timestamp | str | None = None,
                  plan: Any = None, plan_source: str | None = None) -> ReportContent:
    """Summarise ``season`` (a :class:`kneeload.Season`) for a report.

    Parameters
    ----------
    season : kneeload.Season
        The activities, config, skipped files and, when present, pain log and shoes.
    unit : {"mi", "km"}, optional
        Display unit of distances; the season's config when omitted.
    since : date-like, optional
        First date shown. The rules still use the history before it. When omitted and the
        data spans more than a year (a multi-year export), the report shows the last
        :data:`DEFAULT_SPAN_WEEKS` weeks up to ``until`` and says so in its notes.
    until, today : date-like, optional
        Judge the season as it stood on this date (the two names mean the same): later
        activities and pain entries are left out. Default: the season's own
        :attr:`kneeload.Season.today` (not the last run when pain is logged after it), so
        the report lists the same flags as ``kneeload check``.
    runner : str, optional
        The runner's name, shown in the title.
    plan : kneeload.planner.Plan or pandas.DataFrame, optional
        A plan to show beside the weekly chart: one built (:meth:`kneeload.Season.build_plan`)
        or a plan table (``date``, ``distance_m`` [m]; :func:`kneeload.plan.read_plan`).
    plan_source : str, optional
        Where the plan came from, in words (a file name, "built toward 30mi/week").

    Returns
    -------
    ReportContent

    Raises
    ------
    kneeload.UsageError
        When no activity falls in the period, or ``since`` is after ``until``.

    Examples
    --------
    The sample season as it stood on 17 May, in kilometres (``pain.csv`` and ``shoes.csv``
    beside the data are found and read):

    >>> import kneeload
    >>> season = kneeload.Season.from_paths("sample_data")
    >>> c = build_content(season, until="2026-05-17", unit="km")
    >>> c.totals.runs, round(c.totals.distance, 1), c.unit
    (41, 262.3, 'km')
    >>> [(str(f.date), f.name, f.severity) for f in c.top_flags][:2]
    [('2026-05-03', 'Weekly highest pain rising', 'warn'),
     ('2026-04-28', 'Next-morning pain above your usual morning', 'warn')]
    >>> print(c.completeness.line)
    Read 98 file(s): 97 activities (43 in this report's period); 0 file(s) skipped; 1
    duplicate recording(s) counted once.
    """
    unit = unit or season.config.unit
    if today is not None and until is not None and pd.Timestamp(today) != pd.Timestamp(until):
        raise UsageError("the report's today and until name the same day; give one")
    until = today if today is not None else until
    until_ts = pd.Timestamp(until).normalize() if until is not None else season.today
    since_ts = pd.Timestamp(since) if since is not None else None
    if since_ts is not None and since_ts > until_ts:
        raise UsageError("the report's first date (since) is after its last (until)")
    acts = season.activities
    read = season  # what was read, before the report's period is cut out of it
    later = acts["local_date"] > until_ts
    pain_later = season.pain is not None and bool((season.pain["date"] > until_ts).any())
    if until is not None or later.any() or pain_later:
        if later.all() and len(acts):
            raise UsageError("no activities in the report's period")
        if hasattr(season, "as_of"):  # later data is left out, and its notes say so
            season = season.as_of(until_ts)
        else:
            pain = None if season.pain is None else season.pain[season.pain["date"] <= until_ts]
            season = Season(acts[~later], season.config, season.skipped, pain, season.shoes,
                            season.shoe_overrides, gear=season.gear, files=season.files,
                            today=until_ts)
        acts = season.activities
    if acts.empty:
        raise UsageError("no activities in the report's period")
    end = until_ts
    start = since_ts if since_ts is not None else acts["local_date"].min()
    span_note = None
    if since_ts is None and end - start > pd.Timedelta(weeks=DEFAULT_SPAN_WEEKS):
        # a multi-year export: a season report of its last year, not years of empty weeks
        first = start
        start = end - pd.Timedelta(weeks=DEFAULT_SPAN_WEEKS) + pd.Timedelta(days=1)
        span_note = (f"The data runs from {first:%d %b %Y}; this report shows its last "
                     f"{DEFAULT_SPAN_WEEKS} weeks (from {start:%d %b %Y}). Give --since to "
                     "show more; the rules use the whole history either way.")
    if acts["local_date"].between(start, end).sum() == 0:
        raise UsageError(f"no activities between {start:%Y-%m-%d} and {end:%Y-%m-%d}")
    cfg = season.config
    per = metres_per(unit)
    flags = season.all_flags()  # the one flag list (check, pairs and the notebook too)
    shown = order_flags(flags[pd.to_datetime(flags["date"]).between(start, end)])
    runs = running(acts)
    runs_in = runs[runs["local_date"].between(start, end)]
    cross = acts[~acts.index.isin(runs.index) & acts["local_date"].between(start, end)]
    weeks = season.weeks[(season.weeks["week_end"] >= start) & (season.weeks["week_start"]
                                                                 <= end)]
    days = int((end - start).days) + 1
    totals = Totals(
        runs=len(runs_in), distance=float(runs_in["distance_m"].sum() / per),
        moving_s=float(runs_in["moving_s"].sum()),
        longest=float(runs_in["distance_m"].max() / per) if len(runs_in) else 0.0,
        weekly_mean=float(weeks["distance_m"].mean() / per) if len(weeks) else 0.0,
        descent=float(to_elevation_unit(runs_in["descent_m"].sum(), unit)),
        cadence_spm=_num(runs_in["cadence_spm"].mean()), cross_sessions=len(cross),
        days=days, weeks=len(weeks))
    next_week = season.next_week()
    ahead = LookAhead.from_limits(next_week.as_dict(), unit)
    title = f"kneeload load report, {start:%d %b %Y} to {end:%d %b %Y}"
    if runner:
        title = f"{runner}: {title}"
    frames: dict[str, Any] = {"weeks": weeks, "flags": flags, "shown_flags": shown,
                              "activities": acts[acts["local_date"].between(start, end)]}
    frames["figure_settings"] = figure_settings(cfg)
    spikes = session_spikes(season.activities,
                            frames["figure_settings"]["session_spikes"]["window_days"])
    frames["spikes"] = spikes[spikes["local_date"].between(start, end)]
    ratios = load_acwr(season.activities)
    frames["acwr"] = ratios[(ratios.index >= start) & (ratios.index <= end)]
    missing: dict[str, str] = {}
    if not runs_in["cadence_spm"].notna().any():
        missing["cadence"] = "No cadence was recorded in these runs' files."
    if frames["acwr"].empty or not frames["acwr"]["acwr_uncoupled"].notna().any():
        missing["acwr"] = ("The acute:chronic ratio needs 4 weeks of running before a day; "
                           "this period has none to show.")
    shoes = pairing = None
    if season.shoes is not None:
        from ..shoes import rotation_advice
        status = season.shoe_status(as_of=end)
        frames["shoe_status"] = status
        shoes = Shoes(pairs=shoe_rows(status, unit), advice=rotation_advice(
            status, cfg.shoes["single_pair_share"], unit), note=shoe_note(cfg, unit))
    if season.pain is not None:
        res = season.pairs()
        load = daily_load(season.activities)
        frames["daily_load"] = load[(load.index >= start) & (load.index <= end)]
        frames["pain"] = season.pain[season.pain["date"].between(start, end)]
        frames["pairs"] = res["pairs"]
        frames["spikes_without_pain"] = res["spikes_without_pain"]
        pairing = _pairing(res, season.pain, cfg)
    tw = _call(season, "this_week")
    tol = _call(season, "tolerance") if season.pain is not None else None
    week, tolerance = advice_json(tw, unit), advice_json(tol, unit)
    recent = shown[pd.to_datetime(shown["date"]) >= end - pd.Timedelta(days=42)]
    cadence = (float(weeks["cadence_spm"].iloc[-4:].mean())
               if len(weeks) and weeks["cadence_spm"].iloc[-4:].notna().any() else None)
    advice = advice_lines(next_week, cfg, unit=unit, recent_rules=recent["rule"],
                          period_rules=shown["rule"], recent_cadence=cadence,
                          has_pain=season.pain is not None)
    content = ReportContent(
        title=title, runner=runner, since=start.date(), until=end.date(), made=clock_today(),
        version=__version__, unit=unit, elevation_unit=elevation_unit(unit), totals=totals,
        weeks=_weeks(weeks, shown, unit), flags=[_flag(r, cfg) for r in shown.itertuples()],
        top_flags=[_flag(r, cfg) for r in _top_flags(shown).itertuples()],
        flag_counts={s: int((shown["severity"] == s).sum()) for s in ("info", "warn", "alert")},
        look_ahead=ahead, advice=advice,
        notes=[*season.notes(), *([span_note] if span_note else [])],
        completeness=_completeness(read, acts[acts["local_date"].between(start, end)]),
        shoes=shoes,
        pain=pairing, this_week=_plain(week), tolerance=_plain(tolerance),
        this_week_text=[] if tw is None else _this_week_text(tw, next_week, cfg, unit),
        tolerance_text=None if tol is None else tol.text,
        missing_figures=missing, today=end.date(), frames=frames,
        fitness=_fitness(season.activities, cfg, unit, start, end, frames))
    if plan is not None:
        content.plan = _plan_section(season, plan, plan_source, unit, end, frames)
    content.figures = _figure_list(content)
    return content


def _fitness(acts: pd.DataFrame, cfg: Any, unit: str, start: pd.Timestamp, end: pd.Timestamp,
             frames: dict[str, Any]) -> FitnessSummary | None:
    """CTL/ATL/TSB up to ``end`` in ``unit`` a day (frames["fitness"], cut to the period) and
    their values on ``end``."""
    from ..fitness import fitness_fatigue
    from ..text import fitness_text

    ff = fitness_fatigue(acts, cfg, end=end)
    if ff.empty:
        return None
    scale, suffix = {"distance": (metres_per(unit), unit), "time": (60.0, "min"),
                     "srpe": (1.0, "rpe_min")}[cfg.load]
    ff = (ff / scale).rename(columns=lambda c: f"{c}_{suffix}")
    frames["fitness"] = ff[(ff.index >= start) & (ff.index <= end)]
    last = ff.iloc[-1]
    label = suffix.replace("rpe_min", "RPE x min")
    ctl_days, atl_days = float(cfg.fitness["ctl_days"]), float(cfg.fitness["atl_days"])
    ctl, atl, tsb = (float(last[f"{k}_{suffix}"]) for k in ("ctl", "atl", "tsb"))
    return FitnessSummary(date=pd.Timestamp(ff.index[-1]).date(), ctl=ctl, atl=atl, tsb=tsb,
                          unit=label, ctl_days=ctl_days, atl_days=atl_days,
                          text=fitness_text(ctl, atl, tsb, label, ctl_days, atl_days))


def _plan_table(plan: Any) -> tuple[pd.DataFrame, list[str], str, str | None]:
    """A Plan or a plan table -> (table, notes, disclaimer, goal text or None)."""
    from ..planner import DISCLAIMER as PLAN_DISCLAIMER

    if isinstance(plan, pd.DataFrame):
        return plan, [], PLAN_DISCLAIMER, None
    return plan.table, list(plan.notes), str(plan.disclaimer), str(plan.goal.text)


def _plan_section(season: Any, plan: Any, source: str | None, unit: str, end: pd.Timestamp,
                  frames: dict[str, Any]) -> PlanSection:
    """The plan's weeks beside what was run, its runs, and the flags its runs after ``end``
    raise (frames["plan_weeks"]: week_start, planned_m, long_m, run_m [m])."""
    from ..planner import adherence
    from ..text import plan_texts

    table, notes, disclaimer, goal = _plan_table(plan)
    if table.empty:
        raise UsageError("the plan has no runs to show")
    cfg = season.config
    per = metres_per(unit)
    table = table.sort_values("date").reset_index(drop=True)
    weeks, _ = adherence(season.activities, table, cfg, today=end)
    ws = weeks["week_start"]
    by_week = table.groupby(week_start_of(pd.to_datetime(table["date"]), cfg.week_start))
    weeks = weeks.assign(long_m=ws.map(by_week["distance_m"].max()).to_numpy())
    frames["plan_weeks"] = weeks

    def col(name: str) -> pd.Series:
        return table[name].fillna("").astype(str) if name in table else pd.Series(
            "", index=table.index)

    kind, bound, target, note = col("kind"), col("bounded_by"), col("target"), col("note")
    modes = {} if isinstance(plan, pd.DataFrame) else {
        pd.Timestamp(w.week_start): (str(w.mode), str(w.bounded_by)) for w in
        plan.weeks.itertuples()}
    pw = [PlanWeek(week_start=w.week_start.date(), distance=w.planned_m / per,
                   long_run=w.long_m / per, runs=int(w.runs_planned),
                   run=None if pd.isna(w.run_m) else w.run_m / per,
                   mode=modes.get(pd.Timestamp(w.week_start), ("", ""))[0],
                   bounded_by=modes.get(pd.Timestamp(w.week_start), ("", ""))[1])
          for w in weeks.itertuples()]
    runs = [PlanRun(date=pd.Timestamp(r.date).date(), distance=r.distance_m / per,
                    kind=kind[i], target=target[i] or f"{r.distance_m / per:.1f} {unit}",
                    bounded_by=bound[i], note=note[i])
            for i, r in enumerate(table.itertuples())]
    ahead = table[table["date"] > end]
    flags = season.check_plan(ahead) if len(ahead) else pd.DataFrame(columns=["message"])
    heads = [_first_sentence(str(m)) for m in flags["message"]]
    source = source or (f"built toward {goal}" if goal else "a plan table")
    words = plan_texts(source, unit, len(pw), len(runs), float(table["distance_m"].sum()) / per,
                       len(heads))
    return PlanSection(source=source, weeks=pw, runs=runs, flags=heads, notes=notes,
                       intro=words["intro"], check=words["check"], disclaimer=disclaimer)


def _call(season: Any, name: str) -> Any:
    """``season.<name>()`` when the Season has that method, else None."""
    method = getattr(season, name, None)
    return method() if callable(method) else None


#: The report's figures in order: (name, place, PDF height [in]); drawn when their data is
#: there (see :func:`_figure_list`). The one figure list of every renderer.
FIGURES: tuple[tuple[str, str, float], ...] = (
    ("weekly_distance", "totals", 1.6),
    ("weekly_plan", "plan", 2.8),
    ("session_spikes", "figures", 3.6),
    ("weekly_descent", "figures", 3.2),
    ("cadence_trend", "figures", 3.2),
    ("acwr", "figures", 3.2),
    ("fitness_fatigue", "figures", 3.2),
    ("pain_over_load", "figures", 3.6),
    ("shoe_mileage", "figures", 1.4),
)


def _figure_list(c: ReportContent) -> list[FigureSpec]:
    f = c.frames
    have = {"weekly_distance": "weeks" in f and len(f["weeks"]) > 0,
            "session_spikes": True, "weekly_descent": True,
            "cadence_trend": "cadence" not in c.missing_figures,
            "acwr": "acwr" not in c.missing_figures,
            "weekly_plan": c.plan is not None and "plan_weeks" in f,
            "fitness_fatigue": "fitness" in f and len(f["fitness"]) > 0,
            "pain_over_load": "pain" in f,
            "shoe_mileage": "shoe_status" in f and c.shoes is not None}
    words = figure_texts(c)
    out = []
    for name, place, height in FIGURES:
        if not have[name]:
            continue
        if name == "shoe_mileage":
            height += 0.45 * max(len(f["shoe_status"]), 1)
        out.append(FigureSpec(name, place, words[name]["caption"], words[name]["alt"], height))
    return out


def draw_figure(content: ReportContent, name: str, ax: Any = None, **extra: Any) -> Any:
    """Draw the report's figure ``name`` (a :class:`FigureSpec` name) from the content's
    frames and figure settings; returns the matplotlib Figure."""
    from . import figures

    f, u = content.frames, content.unit
    kw = f["figure_settings"]
    if name == "weekly_distance":
        return figures.weekly_distance(f["weeks"], f["flags"], u, ax=ax,
                                       **kw["weekly_distance"], **extra)
    if name == "session_spikes":
        return figures.session_spikes(f["spikes"], f["flags"], u, ax=ax,
                                      **kw["session_spikes"])
    if name == "weekly_descent":
        return figures.weekly_descent(f["weeks"], f["flags"], u, ax=ax)
    if name == "cadence_trend":
        return figures.cadence_trend(f["activities"], f["weeks"], ax=ax, **kw["cadence_trend"])
    if name == "acwr":
        return figures.acwr(f["acwr"], ax=ax, **kw["acwr"])
    if name == "weekly_plan":
        return figures.weekly_plan(f["weeks"], f["plan_weeks"], u, ax=ax,
                                   today=content.today, **kw["weekly_distance"])
    if name == "fitness_fatigue":
        return figures.fitness_fatigue(f["fitness"], ax=ax)
    if name == "pain_over_load":
        return figures.pain_over_load(f["daily_load"], f["pain"], f["pairs"], u, ax=ax,
                                      **kw["pain_over_load"],
                                      spikes_without_pain=f["spikes_without_pain"])
    if name == "shoe_mileage":
        return figures.shoe_mileage(f["shoe_status"], u, ax=ax)
    raise ValueError(f"no figure {name!r}")
