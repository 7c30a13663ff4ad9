"""``Season``: a season's activities held in memory, answering questions without re-reading.

A thin facade over the pure functions in :mod:`kneeload.load` for notebooks::

    season = kneeload.Season.from_paths("sample_data", tz="Europe/London")
    season.weekly()          # the weekly table in the season's unit, indexed by week start
    season.flags()           # every rule's flags
    season.next_week()       # the look-ahead (a NextWeek)
    season.this_week()       # this week so far (a ThisWeek)
    season.tolerance()       # what the knee tolerated (a Tolerance; needs a pain log)

Results are tidy frames in the season's unit (``config.unit``; column names end in it:
``distance_mi``, ``descent_ft``) indexed by a DatetimeIndex (the week's first day, or the
date). Results are computed once and kept until the activities, the pain log, the shoes or
any config value change: a Season never serves results computed under an older config.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import pandas as pd

from . import advice, load
from .config import Config, load_config
from .discover import Found, discover
from .errors import UsageError
from .io import read_activities
from .pain import pain_flags, pair_pain, read_pain_log
from .shoes import (
    assign_shoes,
    merge_shoes,
    read_shoe_overrides,
    read_shoes,
    shoe_status,
    shoes_from_gear,
)
from .units import elevation_unit, metres_per, to_elevation_unit, to_unit

T = TypeVar("T")


def machine_clock_note(activities: pd.DataFrame) -> str | None:
    """A sentence saying how many activities the machine's clock placed (files with neither
    a local time of their own nor a position: a guess), or None when none."""
    by_machine = activities["tz_source"].astype(str).str.startswith("machine:")
    n = int(by_machine.sum())
    if not n:
        return None
    zone = activities.loc[by_machine, "tz_source"].iloc[0].split(":", 1)[1]
    return (f"{n} of {len(activities)} activities were placed on a day by this machine's "
            f"clock ({zone}): their files record neither a local time nor a position. Give "
            "--tz (or tz in kneeload.toml) if you ran elsewhere.")


class Season:
    """Activities plus the settings to judge them.

    Parameters
    ----------
    activities : pandas.DataFrame
        The activities table (``kneeload.read_activities(...).activities``).
    config : Config, optional
        Rules, unit, week start; defaults when omitted.
    skipped : pandas.DataFrame, optional
        Files that were not ingested, kept for reporting.
    pain : pandas.DataFrame, optional
        The knee-pain log (:func:`kneeload.pain.read_pain_log`).
    shoes, shoe_overrides : pandas.DataFrame, optional
        The shoes file and per-run assignments (:mod:`kneeload.shoes`).

    Examples
    --------
    The sample season (``sample_data/kneeload.toml`` sets Europe/London and miles):

    >>> import kneeload
    >>> season = kneeload.Season.from_paths("sample_data")
    >>> season
    Season(97 activities, unit='mi', week_start='monday')
    >>> season.flags()[["rule", "severity"]].value_counts().sort_index().to_dict()
    {...('session_spike', 'alert'): 1...}
    """

    def __init__(self, activities: pd.DataFrame, config: Config | None = None,
                 skipped: pd.DataFrame | None = None, pain: pd.DataFrame | None = None,
                 shoes: pd.DataFrame | None = None, shoe_overrides: pd.DataFrame | None = None,
                 gear: pd.DataFrame | None = None, files: Found | None = None,
                 today: Any = None):
        self.activities = activities
        #: The exports' own gear lists (``ReadResult.gear``).
        self.gear = gear
        #: Which kneeload.toml, pain.csv, shoes.csv were used, and from where.
        self.files = files if files is not None else Found()
        #: the day the season is judged as of (see kneeload.load.as_of)
        self.today = load.as_of(activities, today)
        self.config = config or Config()
        self.skipped = skipped if skipped is not None else pd.DataFrame(
            columns=["path", "kind", "reason"])
        self.pain = pain
        self.shoes = shoes
        self.shoe_overrides = shoe_overrides
        self._cache: dict[str, Any] = {}
        self._cache_key: tuple[Any, ...] | None = None

    def _state(self) -> tuple[Any, ...]:
        """What every result depends on: the tables (by identity and size), the day judged
        and every config value (compared by value, so editing ``config.rules[...]`` in place
        counts)."""
        c = self.config
        tables = (self.activities, self.pain, self.shoes, self.shoe_overrides)
        return (id(c), repr(c), self.today,
                *((id(t), None if t is None else len(t)) for t in tables))

    def _cached(self, name: str, compute: Callable[[], T]) -> T:
        key = self._state()
        if key != self._cache_key:
            self._cache, self._cache_key = {}, key
        if name not in self._cache:
            self._cache[name] = compute()
        return self._cache[name]

    @classmethod
    def from_paths(cls, paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], *,
                   tz: str | None = None, config: str | os.PathLike[str] | Config | None = None,
                   pain_log: str | os.PathLike[str] | None = None,
                   shoes: str | os.PathLike[str] | None = None,
                   shoe_assignments: str | os.PathLike[str] | None = None,
                   discover_files: bool = True, today: Any = None,
                   **read_kwargs: Any) -> Season:
        """Read files and folders once.

        ``config`` is a Config or a path to a kneeload.toml; ``pain_log``, ``shoes`` and
        ``shoe_assignments`` are the CSVs of docs/pain.md and docs/shoes.md. Those not given
        are found as every command finds them (:func:`kneeload.discover.discover`: beside
        the data, then the user's config folder) unless ``discover_files`` is False; the
        ``files`` attribute says which were used. The pairs are the shoes file's joined
        with every gear name the data records and the exports' gear lists
        (:func:`kneeload.shoes.shoes_from_gear`), so a bare export has its shoes too.
        ``today`` is the day the season is judged as of (see :func:`kneeload.load.as_of`).
        """
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        paths = [os.fspath(p) for p in paths]
        cfg_path = None if isinstance(config, Config) else config
        if discover_files:
            found = discover(paths, config=cfg_path, pain=pain_log, shoes=shoes,
                             shoe_assignments=shoe_assignments)
        else:
            found = Found(config=os.fspath(cfg_path) if cfg_path else None,
                          pain=os.fspath(pain_log) if pain_log else None,
                          shoes=os.fspath(shoes) if shoes else None,
                          shoe_assignments=os.fspath(shoe_assignments)
                          if shoe_assignments else None,
                          origin={k: "given" for k in ("config", "pain", "shoes",
                                                        "shoe_assignments")})
        cfg = config if isinstance(config, Config) else load_config(found.config)
        result = read_activities(paths, tz=tz or cfg.tz, **read_kwargs)
        pain = read_pain_log(found.pain) if found.pain else None
        own = read_shoes(found.shoes) if found.shoes else None
        shoe_table = merge_shoes(own, shoes_from_gear(result.activities, result.gear))
        overrides = (read_shoe_overrides(found.shoe_assignments) if found.shoe_assignments
                     else None)
        return cls(result.activities, cfg, result.skipped, pain, shoe_table, overrides,
                   gear=result.gear, files=found, today=today)

    def clock_note(self) -> str | None:
        """How many activities this machine's clock placed (see :func:`machine_clock_note`);
        for the report's first page."""
        return machine_clock_note(self.activities)

    def _repr_html_(self) -> str:
        runs = load.running(self.activities)
        unit = self.config.unit
        head = (f"<p><b>kneeload Season</b>: {len(self.activities)} activities, {len(runs)} runs, "
                f"{to_unit(runs['distance_m'].sum(), unit):.1f} {unit} of running"
                f"{'' if runs.empty else ' from ' + format(runs['local_date'].min(), '%Y-%m-%d')}"
                f"{'' if runs.empty else ' to ' + format(runs['local_date'].max(), '%Y-%m-%d')}"
                f"; {len(self.flags())} load flags; "
                f"{int((self.skipped['kind'] != 'duplicate').sum())} files not read, "
                f"{int((self.skipped['kind'] == 'duplicate').sum())} duplicates counted once."
                "</p>")
        return head + self.flags()[["rule", "severity", "date", "value", "unit"]].to_html(
            index=False)

    def __repr__(self) -> str:
        return (f"Season({len(self.activities)} activities, unit={self.config.unit!r}, "
                f"week_start={self.config.week_start!r})")

    @property
    def weeks(self) -> pd.DataFrame:
        """The weekly table in SI units (see :func:`kneeload.load.weekly_table`)."""
        rb = self.config.rule("return_after_break")
        return self._cached("weeks", lambda: load.weekly_table(
            self.activities, self.config.week_start, today=self.today, gap_days=rb["gap_days"],
            return_weeks=rb["return_weeks"]))

    def weekly(self, unit: str | None = None) -> pd.DataFrame:
        """The weekly table in ``unit`` (default: the season's), one row per week.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``week_start`` (DatetimeIndex, the week's first day; the week ends six
            days later), all columns numeric: ``runs``, ``distance_<unit>``,
            ``longest_<unit>``, ``moving_s`` [s], ``descent_<ft|m>``,
            ``cadence_spm`` [steps/min], ``cross_n``, ``cross_distance_<unit>``,
            ``cross_moving_s`` [s], ``change_prev_pct``, ``change_4wk_pct``,
            ``change_2wk_pct`` [%].

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> season.weekly()[["runs", "distance_mi", "change_prev_pct"]].round(1).head(3)
                    runs  distance_mi  change_prev_pct
        week_start
        2026-03-02     3         11.5              NaN
        2026-03-09     3         12.5              NaN
        2026-03-16     4         13.5              8.0
        >>> season.weekly("km")["distance_km"].resample("MS").sum().round(1).head(2)
        week_start
        2026-03-01    100.6
        2026-04-01    112.6
        Freq: MS, Name: distance_km, dtype: float64
        """
        unit = unit or self.config.unit
        w = self.weeks.set_index("week_start").drop(columns="week_end")
        per = metres_per(unit)
        out = {}
        for col, values in w.items():
            if col == "descent_m":
                out[f"descent_{elevation_unit(unit)}"] = to_elevation_unit(values, unit)
            elif str(col).endswith("_m"):
                out[f"{str(col)[:-2]}_{unit}"] = values / per
            else:
                out[col] = values
        return pd.DataFrame(out, index=pd.DatetimeIndex(w.index, name="week_start"))

    def flags(self, rules: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
        """Every enabled rule's flags; ``rules`` overrides parameters for this call."""
        if rules is None:
            return self._flags
        return load.flags(self.activities, self.config, rules, today=self.today)

    @property
    def _flags(self) -> pd.DataFrame:
        return self._cached("flags", lambda: load.flags(self.activities, self.config,
                                                         today=self.today))

    def acwr(self) -> pd.DataFrame:
        """Daily acute:chronic ratios (:func:`kneeload.load.acwr`), indexed by ``local_date``;
        the loads (``load``, ``acute``, ``chronic``, ``ewma_acute``, ``ewma_chronic``) in the
        season's unit with it in their names, the ratios unitless."""
        unit = self.config.unit
        per = metres_per(unit)
        r = load.acwr(self.activities)
        loads = ["load", "acute", "chronic", "ewma_acute", "ewma_chronic"]
        return r.assign(**{c: r[c] / per for c in loads if c in r}).rename(
            columns={c: f"{c}_{unit}" for c in loads})

    def monotony(self) -> pd.DataFrame:
        """Foster's weekly monotony and strain (:func:`kneeload.load.monotony`), indexed by
        ``week_start``; with the distance load (the default) ``load_<unit>`` and
        ``strain_<unit>`` in the season's unit, else in the load's own unit."""
        unit = self.config.unit
        m = load.monotony(self.activities, self.config.week_start,
                          self.config.rule("monotony_high")["cap"],
                          load.LOAD_COLUMNS[self.config.load])
        if self.config.load == "distance":
            per = metres_per(unit)
            m = m.assign(load=m["load"] / per, strain=m["strain"] / per).rename(
                columns={"load": f"load_{unit}", "strain": f"strain_{unit}"})
        return m.set_index(pd.DatetimeIndex(m.pop("week_start"), name="week_start"))

    def session_spikes(self) -> pd.DataFrame:
        """Each run against the longest of the days before it (Frandsen 2025), indexed by
        ``local_date``; distances in the season's unit, ``spike_pct`` [%]."""
        unit = self.config.unit
        per = metres_per(unit)
        s = load.session_spikes(self.activities,
                                int(self.config.rule("session_spike")["window_days"]))
        s = s.assign(distance_m=s["distance_m"] / per,
                     prior_longest_m=s["prior_longest_m"] / per).rename(
            columns={"distance_m": f"distance_{unit}",
                     "prior_longest_m": f"prior_longest_{unit}"})
        return s.set_index(pd.DatetimeIndex(s.pop("local_date"), name="local_date"))

    def next_week(self) -> advice.NextWeek:
        """The look-ahead for the first week not yet complete (see kneeload.advice)."""
        return advice.next_week(self.activities, self.config, today=self.today)

    def this_week(self) -> advice.ThisWeek:
        """This week so far: distance, what is left within the rules, the longest run
        allowed on each remaining day, the rolling 7 days (see kneeload.advice)."""
        return advice.this_week(self.activities, self.config, today=self.today)

    def tolerance(self) -> advice.Tolerance:
        """What the knee tolerated, from the pain log (None fields without one)."""
        return advice.tolerance(self.activities, self.pain, self.config, today=self.today)

    def return_advice(self) -> advice.ReturnAdvice | None:
        """The graded return when the season is in a return after a break, else None."""
        return advice.return_advice(self.activities, self.config, today=self.today)

    def check_plan(self, plan: pd.DataFrame) -> pd.DataFrame:
        """Flags a plan (``date``, ``distance_m``) would raise after this season."""
        return load.check_plan(self.activities, plan, self.config)

    def build_plan(self, goal: Any, **kwargs: Any) -> Any:
        """:func:`kneeload.planner.build_plan` on this season (its config, pain log and
        day)."""
        from .planner import build_plan

        kwargs.setdefault("today", self.today)
        kwargs.setdefault("pain_log", self.pain)
        return build_plan(self.activities, self.config, goal=goal, **kwargs)

    def notes(self) -> list[str]:
        return load.history_notes(self.activities, self.config, today=self.today)

    # --- shoes and pain (need the CSVs given to from_paths or the constructor) ------------

    def _need(self, what: str, value: object) -> None:
        if value is None:
            raise UsageError(f"this Season has no {what}; pass it to Season.from_paths")

    @property
    def assigned_runs(self) -> pd.DataFrame:
        """Running activities with the pair each was run in (``shoe``, ``shoe_rule``)."""
        if self.shoes is None:
            return load.running(self.activities).assign(shoe="", shoe_rule="unassigned")
        return self._cached("assigned", lambda: assign_shoes(self.activities, self.shoes,
                                                             self.shoe_overrides))

    def shoe_status(self, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
        self._need("shoes file", self.shoes)
        notice, replace = self.config.shoe_limits_m()
        return shoe_status(self.assigned_runs, self.shoes, as_of=as_of,
                           recent_days=self.config.shoes["recent_days"], notice_m=notice,
                           replace_m=replace)

    def pain_flags(self) -> pd.DataFrame:
        self._need("pain log", self.pain)
        return pain_flags(self.pain, self.config)

    def pairs(self) -> dict[str, Any]:
        """Load spikes paired with the pain that followed (see kneeload.pain.pair_pain)."""
        self._need("pain log", self.pain)
        return pair_pain(self.flags(), self.pain, self.activities, assigned=self.assigned_runs,
                         config=self.config)

    def all_flags(self) -> pd.DataFrame:
        """Load flags and, when there is a pain log, pain flags, in date order."""
        parts = [self.flags()] + ([self.pain_flags()] if self.pain is not None else [])
        return load.sort_flags(pd.concat(parts, ignore_index=True))
