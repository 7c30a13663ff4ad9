"""``Season``: a season's activities held in memory, answering questions without re-reading.

A thin facade over the pure functions in :mod:`kneeload.load` for notebooks::

    season = kneeload.Season.from_paths("sample_data", tz="Europe/London")
    season.weekly()          # the weekly table in the season's unit, indexed by week start
    season.flags()           # the load rules' flags (all_flags(): with the pain rules')
    season.next_week()       # the look-ahead (a NextWeek)
    season.this_week()       # this week so far (a ThisWeek)
    season.tolerance()       # what the knee tolerated (a Tolerance; needs a pain log)

Results are tidy frames in the season's unit (``config.unit``; column names end in it:
``distance_mi``, ``descent_ft``) indexed by a DatetimeIndex (the week's first day, or the
date). Where a result is not (the SI tables ``weeks`` and ``assigned_runs``, the advice
objects, ``shoe_status``, ``pairs``, ``build_plan``, a plan given to ``check_plan``), its
docstring says so first; ``tests/test_season_docs.py`` holds every method to one or the
other. Results are computed once and kept until the activities, the pain log, the shoes or
any config value change: a Season never serves results computed under an older config.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import pandas as pd

from . import advice, load
from .clock import today as clock_today
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
from .text import count
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


def judged_day(activities: pd.DataFrame, pain: pd.DataFrame | None = None,
               today: Any = None) -> pd.Timestamp:
    """The one "today" of every surface: ``today`` when given; else
    :func:`kneeload.load.as_of`, moved to the last pain entry's day when the pain log goes
    on after it (a 3/10 next-morning entry the day after the last run is judged), never past
    the clock's date."""
    day = load.as_of(activities, today)
    if today is not None or pain is None or pain.empty or "date" not in pain:
        return day
    last_pain = pd.Timestamp(pain["date"].max()).normalize()
    if day < last_pain <= pd.Timestamp(clock_today()):
        return last_pain
    return day


def _empty_flags() -> pd.DataFrame:
    """The flags table with no rows, typed as a full one (datetimes, floats, text)."""
    out = load.empty_flags()
    for col in ("date", "week_start"):
        out[col] = pd.to_datetime(out[col])
    for col in ("value", "threshold"):
        out[col] = out[col].astype(float)
    for col in ("rule", "severity", "unit", "message"):
        out[col] = out[col].astype(str)
    return out


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
        #: the day the season is judged as of (see kneeload.load.as_of; a pain entry logged
        #: after the last run, up to the clock's date, moves it to that entry's day)
        self.today = judged_day(activities, pain, today)
        self.config = config or Config()
        self.skipped = skipped if skipped is not None else pd.DataFrame(
            columns=["path", "kind", "reason"])
        self.pain = pain
        self.shoes = shoes
        self.shoe_overrides = shoe_overrides
        self._cache: dict[str, Any] = {}
        self._cache_key: tuple[Any, ...] | None = None
        #: what :meth:`as_of` left out: activities, runs and pain entries after the day
        self.left_out: tuple[int, int, int] = (0, 0, 0)

    def as_of(self, day: Any) -> Season:
        """This season as it stood on ``day``: the activities and pain entries dated after
        it are left out (not used by any rule, advice or pairing), and :meth:`notes` says how
        many (:func:`kneeload.text.after_today_note`). The new season answers in the
        season's unit.

        Parameters
        ----------
        day : date-like
            The day judged (``--today``): the new season's :attr:`today`.

        Returns
        -------
        Season
            The activities and pain entries up to ``day`` (shoes and settings as they are);
            ``left_out`` counts what was left out: (activities, runs, pain entries).

        Raises
        ------
        kneeload.errors.UsageError
            No activity is dated on or before ``day``: nothing can be judged as of it.

        Examples
        --------
        >>> import kneeload
        >>> early = kneeload.Season.from_paths("sample_data").as_of("2026-03-31")
        >>> len(early.activities), early.left_out  # activities, runs, pain entries after
        (15, (82, 78, 86))
        """
        from .text import nothing_before_today

        day = pd.Timestamp(day).normalize()
        acts = self.activities
        later = acts["local_date"] > day
        if len(acts) and bool(later.all()):
            raise UsageError(nothing_before_today(day, acts["local_date"].min()))
        pain = self.pain
        pain_later = 0
        if pain is not None and "date" in pain:
            late = pd.to_datetime(pain["date"]) > day
            pain_later = int(late.sum())
            pain = pain[~late].reset_index(drop=True)
        runs_later = int(load.running(acts[later]).shape[0])
        out = Season(acts[~later].reset_index(drop=True), self.config, self.skipped, pain,
                     self.shoes, self.shoe_overrides, gear=self.gear, files=self.files,
                     today=day)
        a, r, p = self.left_out
        out.left_out = (a + int(later.sum()), r + runs_later, p + pain_later)
        return out

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
        """Read files and folders once: the Season of a notebook or a script.

        The pairs are the shoes file's joined with every gear name the data records and the
        exports' gear lists (:func:`kneeload.shoes.shoes_from_gear`), so a bare export has
        its shoes too. The Season answers in the season's unit, its settings' ``unit``.

        Parameters
        ----------
        paths : str, path-like, or an iterable of them
            Activity files (FIT, GPX, TCX, ``.gz``), folders and exports, as
            :func:`kneeload.read_activities` takes them.
        tz : str, optional
            IANA time zone for runs whose files record no local time (default: the
            settings' ``tz``, else the machine's).
        config : Config or path-like, optional
            The settings, or a kneeload.toml to read them from (default: the one found).
        pain_log, shoes, shoe_assignments : path-like, optional
            The pain log (docs/pain.md), the shoes file and the per-run assignments
            (docs/shoes.md), CSV files.
        discover_files : bool, default True
            Find those not given as every command finds them
            (:func:`kneeload.discover.discover`: the pain log the settings name,
            ``[pain] log``; beside the data; then the user's config folder); the ``files``
            attribute says which were used and from where.
        today : date, str or pandas.Timestamp, optional
            The day [local date] the season is judged as of (default: see
            :func:`kneeload.load.as_of`).
        **read_kwargs
            Passed on to :func:`kneeload.read_activities` (``cache``, ``workers``,
            ``progress``, ``sports``, ...).

        Returns
        -------
        Season
            The season, its ``skipped`` files and the files found.

        Raises
        ------
        kneeload.errors.UsageError
            A path that does not exist, named (what the command line says).

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data", today="2026-08-17")
        >>> season.config.unit, f"{season.today:%Y-%m-%d}", season.files.origin["pain"]
        ('mi', '2026-08-17', 'beside the data')
        """
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        paths = [os.fspath(p) for p in paths]
        missing = [p for p in paths if not os.path.lexists(p)]
        if missing:  # what the command line says, not an empty Season without a word
            raise UsageError("no such file or folder: " + ", ".join(map(repr, missing)))
        cfg_path = None if isinstance(config, Config) else config
        if isinstance(config, Config) and pain_log is None and config.pain_log:
            pain_log = config.pain_log  # Config().with_settings(pain={"log": ...})
        if discover_files:
            found = discover(paths, config=cfg_path, pain=pain_log, shoes=shoes,
                             shoe_assignments=shoe_assignments,
                             read_config=not isinstance(config, Config))
        else:
            found = Found(config=os.fspath(cfg_path) if cfg_path else None,
                          pain=os.fspath(pain_log) if pain_log else None,
                          shoes=os.fspath(shoes) if shoes else None,
                          shoe_assignments=os.fspath(shoe_assignments)
                          if shoe_assignments else None,
                          origin={k: "given" for k in ("config", "pain", "shoes",
                                                        "shoe_assignments")})
        cfg = config if isinstance(config, Config) else load_config(found.config)
        read_kwargs.setdefault("sports", cfg.sports or None)
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
        for the report's first page. Text, no distances.

        Returns
        -------
        str or None
            One sentence, or None when every activity was placed by its own file.

        Examples
        --------
        >>> import kneeload
        >>> kneeload.Season.from_paths("sample_data").clock_note() is None
        True
        """
        return machine_clock_note(self.activities)

    def _repr_html_(self) -> str:
        runs = load.running(self.activities)
        unit = self.config.unit
        n_acts = count(len(self.activities), 'activity', 'activities')
        head = (f"<p><b>kneeload Season</b>: {n_acts}, "
                f"{count(len(runs), 'run')}, "
                f"{to_unit(runs['distance_m'].sum(), unit):.1f} {unit} of running"
                f"{'' if runs.empty else ' from ' + format(runs['local_date'].min(), '%Y-%m-%d')}"
                f"{'' if runs.empty else ' to ' + format(runs['local_date'].max(), '%Y-%m-%d')}"
                f"; {len(self.all_flags())} flags as of {self.today:%Y-%m-%d}; "
                f"{int((self.skipped['kind'] != 'duplicate').sum())} files not read, "
                f"{int((self.skipped['kind'] == 'duplicate').sum())} duplicates counted once."
                "</p>")
        return head + self.all_flags()[["rule", "severity", "date", "value", "unit"]].to_html(
            index=False)

    def __repr__(self) -> str:
        return (f"Season({len(self.activities)} activities, unit={self.config.unit!r}, "
                f"week_start={self.config.week_start!r})")

    @property
    def weeks(self) -> pd.DataFrame:
        """The weekly table as computed (see :func:`kneeload.load.weekly_table`).

        Not in the season's unit: SI units (``distance_m`` [m], ``moving_s`` [s]), one row a
        week with ``week_start`` and ``week_end`` as columns; :meth:`weekly` is the same
        table in the season's unit.

        Returns
        -------
        pandas.DataFrame
            ``week_start``, ``week_end``, ``runs``, ``distance_m`` [m], ``longest_m`` [m],
            ``moving_s`` [s], ``descent_m`` [m], ``cadence_spm`` [steps/min], the changes
            [%], ``partial`` and ``return_week``.

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> round(float(season.weeks["distance_m"].iloc[0]), 1)  # 11.5 mi x 1609.344 [m]
        18507.5
        """
        rb = self.config.rule("return_after_break")
        return self._cached("weeks", lambda: load.weekly_table(
            self.activities, self.config.week_start, today=self.today, gap_days=rb["gap_days"],
            return_weeks=rb["return_weeks"]))

    def weekly(self, unit: str | None = None) -> pd.DataFrame:
        """The weekly table in the season's unit (or ``unit``), one row per week.

        Parameters
        ----------
        unit : {"mi", "km"}, optional
            The distance unit [mi or km] of the columns (default: the season's,
            ``config.unit``); descent in ft with mi, in m with km.

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
        """The load rules' flags (the 10% rule, ramps, spikes, ...): every enabled load
        rule of :mod:`kneeload.rules`; the pain rules' flags are :meth:`pain_flags`, both
        together :meth:`all_flags`.

        Parameters
        ----------
        rules : dict of {str: dict}, optional
            Parameter overrides for this call only, by rule name (``{"session_spike":
            {"large_pct": 150}}``); each parameter in its rule's own unit [%, m, days, ...:
            the parameter tables of ``docs/rules/``].

        Returns
        -------
        pandas.DataFrame
            One row per flag: ``rule``, ``severity`` (info, warn, alert), ``date`` and
            ``week_start`` (datetime64), ``value`` and ``threshold`` in ``unit`` (the
            rule's own: % or a ratio, never the season's distance unit), ``message``
            (plain words in the season's unit). Empty, with these columns, for a season
            without runs.

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> sorted(set(season.flags()["severity"]))
        ['alert', 'info', 'warn']
        """
        if load.running(self.activities).empty:
            return _empty_flags()
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
        season's unit with it in their names, the ratios unitless.

        Returns
        -------
        pandas.DataFrame
            ``load_<unit>``, ``acute_<unit>``, ``chronic_<unit>``, ``ewma_acute_<unit>``,
            ``ewma_chronic_<unit>`` [season's unit per day, 7-day and 28-day], and the
            ratios ``acwr_uncoupled``, ``acwr_coupled``, ``acwr_ewma`` [1].

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> round(float(season.acwr()["acwr_ewma"].iloc[-1]), 2)
        1.14
        """
        unit = self.config.unit
        per = metres_per(unit)
        r = load.acwr(self.activities)
        loads = ["load", "acute", "chronic", "ewma_acute", "ewma_chronic"]
        return r.assign(**{c: r[c] / per for c in loads if c in r}).rename(
            columns={c: f"{c}_{unit}" for c in loads})

    def monotony(self) -> pd.DataFrame:
        """Foster's weekly monotony and strain (:func:`kneeload.load.monotony`), indexed by
        ``week_start``; with the distance load (the default) ``load_<unit>`` and
        ``strain_<unit>`` in the season's unit, else in the load's own unit.

        Returns
        -------
        pandas.DataFrame
            ``load_<unit>`` [season's unit per week], ``monotony`` [1] (mean / SD of the
            week's daily loads, capped), ``strain_<unit>`` (load x monotony).

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> round(float(season.monotony()["monotony"].iloc[-1]), 2)
        1.04
        """
        unit = self.config.unit
        m = load.monotony(self.activities, self.config.week_start,
                          self.config.rule("monotony_high")["cap"],
                          load.LOAD_COLUMNS[self.config.load])
        if self.config.load == "distance":
            per = metres_per(unit)
            m = m.assign(load=m["load"] / per, strain=m["strain"] / per).rename(
                columns={"load": f"load_{unit}", "strain": f"strain_{unit}"})
        return m.set_index(pd.DatetimeIndex(m.pop("week_start"), name="week_start"))

    def fitness(self) -> pd.DataFrame:
        """Daily fitness, fatigue and form (:func:`kneeload.fitness.fitness_fatigue`; a
        training-monitoring model, not an injury predictor), indexed by ``local_date``:
        ``load``, ``ctl``, ``atl``, ``tsb`` with the load's unit in their names: in the
        season's unit for the distance load (the default), ``_min`` for time, ``_rpe_min``
        for session RPE.

        Returns
        -------
        pandas.DataFrame
            ``load_<u>``, ``ctl_<u>``, ``atl_<u>``, ``tsb_<u>`` per day [the load's unit a
            day]; CTL and ATL with the 42 and 7 day time constants unless ``[fitness]`` in
            kneeload.toml says otherwise; TSB is yesterday's CTL - ATL.

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> round(float(season.fitness()["ctl_mi"].iloc[-1]), 2)  # 16 Aug [mi a day]
        2.23
        """
        from .fitness import fitness_fatigue

        f = fitness_fatigue(self.activities, self.config)
        load = self.config.load
        scale, suffix = {"distance": (metres_per(self.config.unit), self.config.unit),
                         "time": (60.0, "min"), "srpe": (1.0, "rpe_min")}[load]
        return (f / scale).rename(columns=lambda c: f"{c}_{suffix}")

    def session_spikes(self) -> pd.DataFrame:
        """Each run against the longest of the days before it (Frandsen 2025), indexed by
        ``local_date``; distances in the season's unit, ``spike_pct`` [%].

        Returns
        -------
        pandas.DataFrame
            ``activity_id``, ``local_start``, ``distance_<unit>``,
            ``prior_longest_<unit>`` [season's unit], ``spike_pct`` [%], ``history_days``.

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> round(float(season.session_spikes()["spike_pct"].max()), 1)
        118.2
        """
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
        """The look-ahead for the first week not yet complete (see kneeload.advice).

        Not in the season's unit: the fields are in metres (``max_week_m``, ``max_run_m``,
        ...), as every limit is computed; ``.as_dict(unit)`` adds each in ``unit``
        (``max_week``, ``max_run``) and ``.as_dict(season.config.unit)`` is the season's.

        Returns
        -------
        kneeload.advice.NextWeek
            ``week_start``, ``in_progress``, weekly limits ``max_week_m`` [m] (the smaller of
            ``max_week_10pct_m`` and ``max_week_2wk_m``), the longest run safe on any day
            ``max_run_m`` [m], per-day limits ``days``, and ``notes``; None where a rule
            cannot judge. With no runs: every limit None.

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> ahead = season.next_week()
        >>> f"{ahead.week_start:%Y-%m-%d}", round(ahead.as_dict("mi")["max_week"], 1)
        ('2026-08-17', 16.5)
        """
        return advice.next_week(self.activities, self.config, today=self.today)

    def this_week(self) -> advice.ThisWeek:
        """This week so far: distance, what is left within the rules, the longest run
        allowed on each remaining day, the rolling 7 days (see kneeload.advice).

        Not in the season's unit: distances in metres (``*_m``); ``.as_dict(unit)`` adds
        them in ``unit``.

        Returns
        -------
        kneeload.advice.ThisWeek
            The week holding :attr:`today` (``week_start``), run so far and left [m].

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> f"{season.this_week().week_start:%Y-%m-%d}"
        '2026-08-10'
        """
        return advice.this_week(self.activities, self.config, today=self.today,
                                pain_log=self.pain)

    def tolerance(self) -> advice.Tolerance:
        """What the knee tolerated, from the pain log (None fields without one).

        Not in the season's unit: ``value_m`` in metres (descent too); ``.as_dict(unit)``
        gives them in ``unit`` (descent in ft or m).

        Returns
        -------
        kneeload.advice.Tolerance
            ``longest_run``, ``biggest_week``, ``most_descent_run``, ``most_descent_week``
            (a value [m] and its date, or None), the counts judged and a ``text``.

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> t = season.tolerance()
        >>> round(t.longest_run.value_m / 1609.344, 1), f"{t.longest_run.date:%Y-%m-%d}"
        (6.5, '2026-08-02')
        """
        return advice.tolerance(self.activities, self.pain, self.config, today=self.today)

    def return_advice(self) -> advice.ReturnAdvice | None:
        """The graded return when the season is in a return after a break, else None.

        Not in the season's unit: ceilings in metres (``*_m``); ``.as_dict(unit)`` adds them
        in ``unit``.

        Returns
        -------
        kneeload.advice.ReturnAdvice or None
            The return's weeks and ceilings [m] (``.as_dict(unit)`` in ``unit``); None when
            the season is not in a return after a break (the sample is not).

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> season.return_advice() is None
        True
        """
        return advice.return_advice(self.activities, self.config, today=self.today)

    def check_plan(self, plan: pd.DataFrame) -> pd.DataFrame:
        """Flags a plan would raise after this season.

        The flags' messages are in the season's unit; the plan's distances are given in
        metres (``distance_m``), whatever the season's unit.

        Parameters
        ----------
        plan : pandas.DataFrame
            ``date`` (datetime64, after the last run) and ``distance_m`` [m], one row per
            planned run (:func:`kneeload.plan.read_plan` reads a CSV in mi or km).

        Returns
        -------
        pandas.DataFrame
            The flags table (see :meth:`flags`) for the plan's days.

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> import pandas as pd
        >>> plan = pd.DataFrame({"date": pd.to_datetime(["2026-08-18"]),
        ...                      "distance_m": [5000.0]})
        >>> season.check_plan(plan).empty
        True
        """
        return load.check_plan(self.activities, plan, self.config)

    def build_plan(self, goal: Any, **kwargs: Any) -> Any:
        """:func:`kneeload.planner.build_plan` on this season (its config, pain log and
        day): the next weeks toward ``goal`` that every enabled rule allows.

        Not in the season's unit: the plan's distances are in metres (``distance_m``), as
        every limit is computed; its notes and text are in the season's unit.

        Parameters
        ----------
        goal : str
            A weekly volume (``"30mi/week"``, ``"50km/week"``) or a race with its date
            (``"half 2027-03-14"``).
        **kwargs
            ``weeks`` (4-12), ``days`` (weekdays to run), and the ``[plan]`` settings
            (``lighter_every`` [weeks], ``lighter_pct`` [%], ``long_share``,
            ``pain_hold_weeks`` [weeks]; default the season's config): see
            :func:`kneeload.planner.build_plan`.

        Returns
        -------
        kneeload.planner.Plan
            The plan table (``date``, ``distance_m`` [m], ``kind``, ``week``, ``bounded_by``,
            ``target``, ``note``), a row a week with the rule that bounds it, notes and the
            not-medical-advice disclaimer.

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> plan = season.build_plan("20mi/week", weeks=4)
        >>> round(float(plan.weeks["distance_m"].iloc[0]) / 1609.344, 1)  # 15.0 x 1.1 [mi]
        16.5
        """
        from .planner import build_plan

        kwargs.setdefault("today", self.today)
        kwargs.setdefault("pain_log", self.pain)
        return build_plan(self.activities, self.config, goal=goal, **kwargs)

    def notes(self) -> list[str]:
        """What the history cannot judge, in plain words (in the season's unit).

        Returns
        -------
        list of str
            One sentence a note (rules that need more history, gaps); empty when none.

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> season.notes()[0]
        'Single-run spikes need 30 days of history: runs before 2026-04-02 were not judged.'
        """
        notes = load.history_notes(self.activities, self.config, today=self.today)
        if any(self.left_out):
            from .text import after_today_note

            notes.append(after_today_note(self.today, *self.left_out))
        return notes

    # --- shoes and pain (need the CSVs given to from_paths or the constructor) ------------

    def _need(self, what: str, value: object) -> None:
        if value is None:
            raise UsageError(f"this Season has no {what}; pass it to Season.from_paths")

    @property
    def assigned_runs(self) -> pd.DataFrame:
        """Running activities with the pair each was run in (``shoe``, ``shoe_rule``).

        Not in the season's unit: the activities table's SI columns (``distance_m`` [m],
        docs/schema.md).

        Returns
        -------
        pandas.DataFrame
            One row a run: the activities table's columns, ``shoe`` (the pair, ``""`` when
            none) and ``shoe_rule`` (how it was assigned).

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> season.assigned_runs[["shoe", "shoe_rule"]].iloc[0].tolist()
        ['Pegasus 40', 'default']
        """
        if self.shoes is None:
            return load.running(self.activities).assign(shoe="", shoe_rule="unassigned")
        return self._cached("assigned", lambda: assign_shoes(self.activities, self.shoes,
                                                             self.shoe_overrides))

    def shoe_status(self, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
        """Each pair's distance and status (:func:`kneeload.shoes.shoe_status`).

        Not in the season's unit: distances in metres (``distance_m``, ``notice_m``,
        ``replace_m``), as the shoes module computes them.

        Parameters
        ----------
        as_of : pandas.Timestamp, optional
            Judge and project as of this date (default: the last run).

        Returns
        -------
        pandas.DataFrame
            One row per pair: ``shoe``, ``distance_m`` [m], ``status``, the dates the limits
            were or will be reached (``replace_beyond`` when after 2100), ``share`` [0-1].

        Raises
        ------
        kneeload.errors.UsageError
            The season has no shoes.

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> season.shoe_status()[["shoe", "status"]].values.tolist()
        [['Pegasus 40', 'retired'], ['Speedgoat 5', 'notice'], ['Pegasus 41', 'ok']]
        """
        self._need("shoes file", self.shoes)
        notice, replace = self.config.shoe_limits_m()
        return shoe_status(self.assigned_runs, self.shoes, as_of=as_of,
                           recent_days=self.config.shoes["recent_days"], notice_m=notice,
                           replace_m=replace)

    def pain_flags(self) -> pd.DataFrame:
        """The pain rules' flags (see docs/pain.md), in the flags table of :meth:`flags`.

        Pain scores, no distances: ``value`` and ``threshold`` [0-10].

        Returns
        -------
        pandas.DataFrame
            One row per flag; ``value`` and ``threshold`` are pain scores [0-10].

        Raises
        ------
        kneeload.errors.UsageError
            The season has no pain log.

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> len(season.pain_flags())
        15
        """
        self._need("pain log", self.pain)
        return pain_flags(self.pain, self.config)

    def pairs(self) -> dict[str, Any]:
        """Load spikes paired with the pain that followed (see kneeload.pain.pair_pain).

        Not in the season's unit: the tables' distances are in metres (``load_7d_m``); the
        summary's ``text`` is in words.

        Returns
        -------
        dict
            ``pairs``, ``spikes_without_pain``, ``pain_without_spike``, ``episodes``,
            ``not_covered`` (DataFrames, distances [m]) and ``summary`` (a dict).

        Raises
        ------
        kneeload.errors.UsageError
            The season has no pain log.

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> sorted(season.pairs())
        ['episodes', 'not_covered', 'pain_without_spike', 'pairs', 'spikes_without_pain', 'summary']
        """
        self._need("pain log", self.pain)
        return pair_pain(self.flags(), self.pain, self.activities, assigned=self.assigned_runs,
                         config=self.config)

    def all_flags(self) -> pd.DataFrame:
        """Every flag as of :attr:`today`: load flags and, when there is a pain log, pain
        flags, in date order, none dated after the day judged. The one flag list of every
        surface (``check``, ``report``, ``pairs``, the notebook). Messages in the season's
        unit; ``value`` and ``threshold`` in each rule's own (``unit``: %, ratio, /10, ...).

        Returns
        -------
        pandas.DataFrame
            The flags table of :meth:`flags` with :meth:`pain_flags`' rows.

        Examples
        --------
        >>> import kneeload
        >>> season = kneeload.Season.from_paths("sample_data")
        >>> len(season.flags()), len(season.pain_flags()), len(season.all_flags())
        (11, 15, 26)
        """
        parts = [self.flags()] + ([self.pain_flags()] if self.pain is not None else [])
        out = load.sort_flags(pd.concat(parts, ignore_index=True))
        if out.empty:
            return out
        return out[pd.to_datetime(out["date"]) <= self.today].reset_index(drop=True)
