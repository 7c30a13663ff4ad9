"""Settings and the ``kneeload.toml`` config file.

Every rule threshold has its only default in the rules registry (:mod:`kneeload.rules`);
the pain, shoe and load settings have theirs here. A call may override any of them
(``rules={"weekly_increase": {"threshold_pct": 15}}``, :meth:`Config.with_settings`) and so
may a config file; every value is type-, finiteness- and range-checked, and a bad one is a
ConfigError naming the file and the key::

    # kneeload.toml (passed with --config, or found in the data folder)
    tz = "Europe/London"
    unit = "km"
    week_start = "monday"

    [rules.weekly_increase]
    threshold_pct = 15

    [rules.acwr_high]
    enabled = true

    [pain]
    model = "tendon"
    window_days = 2
    log = "knee/pain.csv"   # the pain log, relative to this file's folder

    [shoes]
    replace = 800      # in the config's unit

    [plan]
    lighter_every = 3  # the planner's lighter week (kneeload plan --build)
"""

from __future__ import annotations

import copy
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from .clock import WEEKDAYS
from .errors import ConfigError, InputError
from .flagrows import SEVERITIES as SEVERITIES  # re-exported: the one home is flagrows
from .rules import Param, registry
from .safeio import read_regular_file
from .schema import M_PER_KM, M_PER_MI
from .textfile import MAX_TEXT_FILE_BYTES, decode_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_NAME = "kneeload.toml"

#: The pain model, the painful-day threshold and the pairing window (DOMAIN.md, Pain), the
#: ``[pain]`` table of kneeload.toml. Scores are 0-10. The pain *rules'* own parameters
#: (limits per model, rising points, persistent days) are in the rules registry.
PAIN_SETTINGS: tuple[Param, ...] = (
    Param("model", "pfp", "", "pain-monitoring model: 'pfp' (patellofemoral, Esculier 2018) "
          "or 'tendon' (Silbernagel 2007)", kind="choice", choices=("pfp", "tendon")),
    Param("threshold", 3.0, "/10", "a painful day: its highest entry at least this", high=10.0),
    Param("window_days", 3, "days", "pain 0..window_days days after a spike pairs with it",
          kind="int", high=28),
    Param("episode_gap_days", 2, "days", "painful days at most this far apart are one "
          "episode", kind="int", high=28),
)

#: Shoe settings (DOMAIN.md, Shoes), the ``[shoes]`` table: a convention, not a study
#: (heuristic; Cook et al. 1985, Am J Sports Med 13(4):248, bench tests). Rotation:
#: Malisoux et al. 2015. ``notice`` and ``replace`` are in the config's ``unit``.
SHOE_SETTINGS: tuple[Param, ...] = (
    Param("notice", 300.0, "mi", "notice at this distance (300 mi = 480 km; a value set in "
          "kneeload.toml is in its unit)", high=10000.0),
    Param("replace", 500.0, "mi", "replace at this distance (500 mi = 800 km; a value set in "
          "kneeload.toml is in its unit)", high=10000.0),
    Param("recent_days", 56, "days", "the pair's recent rate of use and rotation share",
          kind="int", low=7, high=3650),
    Param("single_pair_share", 0.95, "", "one pair carrying this share of runs or more: "
          "suggest a second pair", high=1.0),
)

#: The weekly rules' load (DOMAIN.md, Monotony): distance, moving time, or session-RPE.
LOAD_SETTINGS: tuple[Param, ...] = (
    Param("load", "distance", "", "what the weekly rules and monotony count: distance [m], "
          "time (moving time [s]) or srpe (RPE x minutes, Foster 2001)", kind="choice",
          choices=("distance", "time", "srpe")),
)

#: Fitness/fatigue time constants (DOMAIN.md, Fitness / fatigue; kneeload.fitness), the
#: ``[fitness]`` table: Coggan's PMC defaults, as GoldenCheetah and intervals.icu use them.
FITNESS_SETTINGS: tuple[Param, ...] = (
    Param("ctl_days", 42.0, "days", "chronic load (fitness) time constant", low=1.0,
          high=365.0),
    Param("atl_days", 7.0, "days", "acute load (fatigue) time constant", low=1.0, high=365.0),
    Param("hr_rest", 60.0, "bpm", "resting heart rate for TRIMP (default: a typical adult "
          "value, not measured)", low=25.0, high=120.0),
    Param("hr_max", 0.0, "bpm", "maximum heart rate for TRIMP; 0: the highest plausible "
          "heart rate in the data", high=240.0),
    Param("sex", "male", "", "TRIMP weighting: 'male' (0.64 e^1.92x) or 'female' "
          "(0.86 e^1.67x), Banister 1991", kind="choice", choices=("male", "female")),
)

#: The planner's coaching settings (``kneeload plan --build``; docs/plan.md), the ``[plan]``
#: table: rules of thumb, not evidence (heuristic). The rules' own limits are in the registry.
PLAN_SETTINGS: tuple[Param, ...] = (
    Param("lighter_every", 4, "weeks", "a lighter week every this many weeks (0: none; 3 "
          "or 4 is usual: the loading cycles of periodisation, Bompa & Haff 2009)",
          kind="int", high=12),
    Param("lighter_pct", 20.0, "%", "the lighter week's cut on the week before", high=60.0),
    Param("long_share", 0.35, "", "the long run's largest share of the week", low=0.1,
          high=1.0),
    Param("pain_hold_weeks", 2, "weeks", "after a pain-model flag open on the day a plan is "
          "built, its first this many weeks do not increase (the pain rules' own limit "
          "holds only while the flag is open)", kind="int", high=12),
)

#: Shoe defaults in metres, for :mod:`kneeload.shoes`.
SHOE_DEFAULTS: dict[str, float] = {
    "notice_m": SHOE_SETTINGS[0].default * M_PER_MI,
    "replace_m": SHOE_SETTINGS[1].default * M_PER_MI,
    "recent_days": SHOE_SETTINGS[2].default,
    "single_pair_share": SHOE_SETTINGS[3].default,
}

#: Pain settings' defaults.
PAIN_DEFAULTS: dict[str, Any] = {p.name: p.default for p in PAIN_SETTINGS}


def rule_defaults() -> dict[str, dict[str, Any]]:
    """Every rule's ``{parameter: default}``, read from the rules registry."""
    return registry.defaults()


def rule_evidence() -> dict[str, tuple[str, str]]:
    """Every rule's ``(grade: evidence, citation)``, read from the rules registry."""
    return {n: (f"{r.grade}: {r.evidence}", r.citation) for n, r in registry.items()}


def check_section(params: tuple[Param, ...], values: Any, where: str,
                  also: tuple[str, ...] = ()) -> dict[str, Any]:
    """``values`` (a settings table) checked against ``params``; keys in ``also`` are
    skipped (checked elsewhere) but named among the settings when a key is unknown."""
    if not isinstance(values, dict):
        raise ConfigError(f"{where}: expected a table of settings, not {values!r}")
    known = {p.name: p for p in params}
    out = {}
    for key, value in values.items():
        if key in also:
            continue
        if key not in known:
            raise ConfigError(f"{where}: unknown setting {key!r}; settings are "
                              + ", ".join([*known, *also]))
        out[key] = known[key].check(value, f"{where}.{key}")
    return out


#: The ``[pain]`` table's one path setting (not a :class:`Param`: a path, not a value):
#: the pain log, relative to the settings file's folder.
PAIN_LOG_KEY = "log"

#: Longest path a ``[pain] log`` may hold [characters].
MAX_PATH_CHARS = 4096


def pain_log_path(value: Any, where: str, folder: str = "") -> str:
    """The ``[pain] log`` setting checked and resolved: a non-empty path (``~`` expanded)
    without control characters; a relative one is taken from ``folder`` (the settings
    file's folder). Raises ConfigError naming ``where`` (the file and key) otherwise.

    Examples
    --------
    >>> pain_log_path("pain.csv", "kneeload.toml: pain.log", "/data/season")
    '/data/season/pain.csv'
    """
    if (not isinstance(value, str) or not value.strip() or len(value) > MAX_PATH_CHARS
            or any(ord(c) < 32 or ord(c) == 127 for c in value)):
        raise ConfigError(f"{where}: expected the pain log's path, like \"pain.csv\" "
                          f"(relative to the settings file's folder), not {value!r}"[:300])
    path = os.path.expanduser(value.strip())
    return path if os.path.isabs(path) or not folder else os.path.join(folder, path)


@dataclass
class Config:
    """Settings for a season: rules, display unit, week start, time zone, pain model and
    pairing window, shoe limits, and the load the weekly rules count.

    Every value is validated against the rules registry or the settings above; build one
    from Python with keyword arguments or :meth:`with_settings`::

        Config(unit="km").with_settings(pain={"model": "tendon", "window_days": 2},
                                        rules={"weekly_increase": {"threshold_pct": 15}})
    """

    rules: dict[str, dict[str, Any]] = field(default_factory=lambda: registry.defaults())
    unit: str = "mi"
    week_start: str = "monday"
    tz: str | None = None
    source: str | None = None  # the config file read, if any
    pain: dict[str, Any] = field(default_factory=lambda: dict(PAIN_DEFAULTS))
    #: shoe settings, limits stored in metres: notice_m, replace_m, recent_days,
    #: single_pair_share
    shoes: dict[str, Any] = field(default_factory=lambda: dict(SHOE_DEFAULTS))
    load: str = "distance"
    #: the ``[sports]`` table: sport label -> sport (see docs/sports.md)
    sports: dict[str, str] = field(default_factory=dict)
    #: fitness/fatigue settings (FITNESS_SETTINGS): ctl_days, atl_days, hr_rest, hr_max, sex
    fitness: dict[str, Any] = field(
        default_factory=lambda: {p.name: p.default for p in FITNESS_SETTINGS})
    #: the planner's settings (PLAN_SETTINGS): lighter_every, lighter_pct, long_share,
    #: pain_hold_weeks
    plan: dict[str, Any] = field(
        default_factory=lambda: {p.name: p.default for p in PLAN_SETTINGS})
    #: the pain log the ``[pain] log`` setting names (resolved from the settings file's
    #: folder), used by every command that reads the pain log when none is given; or None
    pain_log: str | None = None

    def __post_init__(self) -> None:
        _apply_top(self, {"unit": self.unit, "week_start": self.week_start, "load": self.load,
                          **({"tz": self.tz} if self.tz is not None else {})}, "")

    def rule(self, name: str) -> dict[str, Any]:
        registry.get(name)
        return self.rules[name]

    def with_rules(self, overrides: dict[str, dict[str, Any]] | None) -> Config:
        """A copy with ``overrides`` merged into the rules (validated)."""
        out = copy.deepcopy(self)
        _merge_rules(out.rules, overrides or {}, "rules")
        return out

    def with_settings(self, *, rules: dict[str, dict[str, Any]] | None = None,
                      pain: dict[str, Any] | None = None, shoes: dict[str, Any] | None = None,
                      plan: dict[str, Any] | None = None, **top: Any) -> Config:
        """A copy with any setting changed, validated as a kneeload.toml would be:
        ``rules``, ``pain``, ``shoes``, ``plan`` tables, and ``unit``, ``week_start``,
        ``tz``, ``load``. ``pain={"log": path}`` names the pain log (:attr:`pain_log`;
        relative to the current folder).
        """
        out = self.with_rules(rules)
        pain = pain or {}
        out.pain.update(check_section(PAIN_SETTINGS, pain, "pain", also=(PAIN_LOG_KEY,)))
        if PAIN_LOG_KEY in pain:  # from Python: relative to the current folder
            out.pain_log = pain_log_path(pain[PAIN_LOG_KEY], "pain.log")
        out.plan.update(check_section(PLAN_SETTINGS, plan or {}, "plan"))
        _apply_top(out, top, "")
        out.shoes.update(_shoe_values(shoes or {}, "shoes", out.unit))
        return out

    def shoe_limits_m(self) -> tuple[float, float]:
        """(notice, replace) [m] for pairs without their own limits."""
        return float(self.shoes["notice_m"]), float(self.shoes["replace_m"])


def _shoe_values(values: Any, where: str, unit: str) -> dict[str, Any]:
    """The ``[shoes]`` table checked; ``notice`` and ``replace`` (in ``unit``, the config's)
    stored as ``notice_m`` and ``replace_m`` [m]."""
    out = check_section(SHOE_SETTINGS, values, where)
    per = M_PER_MI if unit == "mi" else M_PER_KM
    for key in ("notice", "replace"):
        if key in out:
            out[f"{key}_m"] = out.pop(key) * per
    return out


def _merge_rules(rules: dict[str, dict[str, Any]], overrides: Any, where: str) -> None:
    if not isinstance(overrides, dict):
        raise ConfigError(f"{where}: expected a table of rules ([rules.NAME]), not "
                          f"{overrides!r}")
    for name, params in overrides.items():
        if name not in registry:
            raise ConfigError(f"{where}: unknown rule {name!r}; rules are "
                              + ", ".join(registry))
        if not isinstance(params, dict):
            raise ConfigError(f"{where}.{name}: expected a table of parameters, not {params!r}")
        rules[name].update(registry[name].check(params, f"{where}.{name}"))


def _apply_top(cfg: Config, doc: dict[str, Any], prefix: str) -> None:
    if "unit" in doc:
        if doc["unit"] not in ("mi", "km"):
            raise ConfigError(f"{prefix}unit must be 'mi' or 'km', not {doc['unit']!r}")
        cfg.unit = doc["unit"]
    if "week_start" in doc:
        if not isinstance(doc["week_start"], str) or doc["week_start"].lower() not in WEEKDAYS:
            raise ConfigError(f"{prefix}week_start must be a weekday name, "
                              f"not {doc['week_start']!r}")
        cfg.week_start = doc["week_start"].lower()
    if "tz" in doc:
        if not isinstance(doc["tz"], str) or not doc["tz"]:
            raise ConfigError(f"{prefix}tz must be an IANA time zone name like "
                              f"'Europe/London', not {doc['tz']!r}")
        cfg.tz = doc["tz"]
    if "load" in doc:
        cfg.load = LOAD_SETTINGS[0].check(doc["load"], f"{prefix}load")
    unknown = set(doc) - {"unit", "week_start", "tz", "load"}
    if unknown:
        raise ConfigError(f"{prefix}unknown setting(s) {', '.join(sorted(unknown))}")


def find_beside(paths: list[str], name: str) -> str | None:
    """The first file called ``name`` in the folder of each path (a folder, or a file's
    folder), e.g. the kneeload.toml, shoes.csv or pain.csv next to the data."""
    for p in paths:
        folder = p if os.path.isdir(p) else os.path.dirname(p) or "."
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def _config_text(path: str) -> str:
    """The config file's text. TOML is UTF-8 (a byte-order mark is allowed): a file saved
    as UTF-16 or in a legacy encoding is a clear ConfigError, never a guess."""

    try:
        decoded = decode_text(path, read_regular_file(path, MAX_TEXT_FILE_BYTES, "config"))
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    if decoded.encoding not in ("utf-8",):
        kind = "UTF-16" if decoded.encoding.startswith("utf-16") else "not UTF-8"
        where = f" ({decoded.note.split('(', 1)[1].split(')')[0]})" if decoded.note else ""
        raise ConfigError(f"{path}: is {kind}{where}; a TOML file must be UTF-8: save it "
                          "again as UTF-8")
    return decoded.text


def load_config(path: str | os.PathLike[str] | None = None,
                search: list[str] | None = None) -> Config:
    """Read ``path``, or the first ``kneeload.toml`` in the ``search`` folders, or defaults."""
    if path is None:
        path = find_beside(list(search or []), CONFIG_NAME)
    cfg = Config()
    if path is None:
        return cfg
    path = os.fspath(path)
    try:
        doc = tomllib.loads(_config_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    except RecursionError:  # arrays or tables nested thousands deep: no settings file is
        raise ConfigError(f"{path}: nested too deeply to be a settings file (TOML arrays or "
                          "tables inside each other thousands of times)") from None
    known = {"rules", "unit", "week_start", "tz", "pain", "shoes", "load", "sports", "fitness",
             "plan"}
    for key in doc:
        if key not in known:
            raise ConfigError(f"{path}: unknown setting {key!r}; settings are "
                              + ", ".join(sorted(known)))
    _apply_top(cfg, {k: v for k, v in doc.items()
                     if k not in ("rules", "pain", "shoes", "sports", "fitness", "plan")},
               f"{path}: ")
    _merge_rules(cfg.rules, doc.get("rules", {}), f"{path}: rules")
    pain = doc.get("pain", {})
    cfg.pain.update(check_section(PAIN_SETTINGS, pain, f"{path}: pain", also=(PAIN_LOG_KEY,)))
    if PAIN_LOG_KEY in pain:
        cfg.pain_log = pain_log_path(pain[PAIN_LOG_KEY], f"{path}: pain.{PAIN_LOG_KEY}",
                                     os.path.dirname(path) or ".")
    cfg.shoes.update(_shoe_values(doc.get("shoes", {}), f"{path}: shoes", cfg.unit))
    from .sports import check_mapping
    try:
        check_mapping(doc.get("sports", {}))
    except (ValueError, AttributeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    cfg.sports = {str(k): str(v) for k, v in doc.get("sports", {}).items()}
    cfg.fitness.update(check_section(FITNESS_SETTINGS, doc.get("fitness", {}),
                                      f"{path}: fitness"))
    cfg.plan.update(check_section(PLAN_SETTINGS, doc.get("plan", {}), f"{path}: plan"))
    cfg.source = path
    return cfg
