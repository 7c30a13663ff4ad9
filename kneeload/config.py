"""Rule defaults, in one place, and the ``kneeload.toml`` config file.

Every threshold is a named default here with its unit in its name and its
evidence; a call may override any of them (``rules={"weekly_increase":
{"threshold_pct": 15}}``) and so may a config file::

    # kneeload.toml (passed with --config, or found in the data folder)
    tz = "Europe/London"
    unit = "km"
    week_start = "monday"

    [rules.weekly_increase]
    threshold_pct = 15

    [rules.acwr_high]
    enabled = true
"""

from __future__ import annotations

import copy
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_NAME = "kneeload.toml"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SEVERITIES = ("info", "warn", "alert")

#: Default parameters of every rule. Distances in metres, percentages in %.
RULE_DEFAULTS: dict[str, dict[str, Any]] = {
    "weekly_increase": {
        "enabled": True,
        "threshold_pct": 10.0,       # the 10% rule
        "min_base_m": 8046.72,       # previous week under 5 mi: too small a base to judge
        "severity": "info",
    },
    "two_week_increase": {
        "enabled": True,
        "threshold_pct": 30.0,       # Nielsen 2014: >30% over two weeks
        "min_base_m": 16093.44,      # the two weeks before under 10 mi: not judged
        "severity": "warn",
    },
    "session_spike": {
        "enabled": True,
        "window_days": 30,           # Frandsen 2025: longest run of the preceding 30 days
        "caution_pct": 10.0,         # HRR 1.64 for >10-30%
        "warn_pct": 30.0,            # HRR 1.52 for >30-100%
        "alert_pct": 100.0,          # HRR 2.28 for >100%
    },
    "acwr_high": {
        "enabled": False,            # informational: Impellizzeri 2021 doubts its value
        "threshold": 1.5,            # Gabbett 2016 "danger zone" (team sports)
        "min_chronic_m": 8046.72,    # chronic week (mean of 3 prior weeks) under 5 mi: not judged
        "severity": "warn",
    },
    "monotony_high": {
        "enabled": True,
        "threshold": 2.0,            # Foster 1998 (threshold quoted secondarily)
        "cap": 10.0,                 # monotony when the 7 daily loads do not vary (SD = 0)
        "severity": "info",
    },
    "descent_increase": {
        "enabled": True,
        "threshold_pct": 30.0,       # info above this rise on the reference
        "warn_pct": 100.0,           # warn when descent more than doubles
        "min_base_m": 150.0,         # reference = max(mean of 4 prior weeks, this)
    },
    "low_cadence": {
        "enabled": True,
        "threshold_spm": 170.0,      # clinicians' "under ~170 spm"; 180 is folklore
        "severity": "info",
    },
}

#: Shoe defaults (DOMAIN.md, Shoes): a convention, not a study (heuristic; Cook et al. 1985,
#: Am J Sports Med 13(4):248, bench tests). Rotation: Malisoux et al. 2015.
SHOE_DEFAULTS: dict[str, float] = {
    "notice_m": 300 * 1609.344,      # notice at 300 mi (480 km)
    "replace_m": 500 * 1609.344,     # replace at 500 mi (800 km)
    "recent_days": 56,               # the pair's recent rate of use and rotation share [days]
    "single_pair_share": 0.95,       # one pair carrying this share or more: suggest a second
}

#: Pain rules and pairing (DOMAIN.md, Pain). Scores are 0-10.
PAIN_DEFAULTS: dict[str, object] = {
    "model": "pfp",            # pain-monitoring model: 'pfp' (Esculier 2018) or 'tendon'
    "limits": {"pfp": 2.0, "tendon": 5.0},  # acceptable pain while running, per model
    "threshold": 3.0,          # a "painful day": pairing, two-day, rising, persistent rules
    "window_days": 3,          # pain 0..3 days after a spike pairs with it
    "rising_points": 2.0,      # weekly highest pain up by this much (and >= threshold)
    "persistent_days": 14,     # pain episodes this long: see a physiotherapist
    "episode_gap_days": 2,     # painful days this close belong to one episode
}

#: Evidence level and references of each rule, shown in messages and docs (DOMAIN.md).
RULE_EVIDENCE: dict[str, tuple[str, str]] = {
    "weekly_increase": ("weak: the rule's origin is undocumented and a randomised trial found "
                        "no fewer injuries with it",
                        "Buist et al. 2008, Am J Sports Med 36(1):33-39; Nielsen et al. 2014, "
                        "JOSPT"),
    "two_week_increase": ("moderate: in a cohort, runners progressing >30% over two weeks seemed "
                          "more vulnerable (HR 1.59, 95% CI 0.96-2.66, not significant)",
                          "Nielsen et al. 2014, JOSPT"),
    "session_spike": ("the strongest available: a cohort of 5,205 runners and 588,071 sessions",
                      "Frandsen et al. 2025, Br J Sports Med 59(17):1203-1210, "
                      "doi:10.1136/bjsports-2024-109380"),
    "acwr_high": ("doubtful for prediction; thresholds come from team sports",
                  "Gabbett 2016, BJSM 50(5):273-280; Lolli et al. 2019, BJSM 53(15):921; "
                  "Williams et al. 2017, BJSM 51(3):209; Impellizzeri et al. 2021, Sports Med "
                  "51:581-592"),
    "monotony_high": ("low: the 2.0 threshold is widely quoted, not tested in runners",
                      "Foster 1998, Med Sci Sports Exerc 30(7):1164-1168"),
    "descent_increase": ("biomechanical: downhill running raises eccentric knee load; no "
                         "injury study sets a threshold",
                         "Telhan et al. 2010, J Athl Train 45:16; Shih & Ho 2023, JSSM 22:111"),
    "pain_during_run": ("secondary: the pain-monitoring thresholds are quoted in reviews",
                        "Esculier et al. 2018, BJSM 52(10):659 (patellofemoral pain); "
                        "Silbernagel et al. 2007, AJSM 35(6):897 (tendon model)"),
    "pain_next_morning": ("secondary: pain-monitoring models ask for no increase the next "
                          "morning", "Esculier et al. 2018, BJSM 52(10):659; Silbernagel et al. "
                          "2007, AJSM 35(6):897"),
    "pain_two_days": ("heuristic: practice advice, no study behind it", "seed advice"),
    "pain_rising": ("secondary: the tendon model asks that pain not rise week to week",
                    "Silbernagel et al. 2007, AJSM 35(6):897"),
    "pain_persistent": ("heuristic: pain that persists despite rest is a reason to see a "
                        "physiotherapist", "seed advice"),
    "low_cadence": ("biomechanical: +5-10% step rate lowers knee load (+10%: -14% peak "
                    "patellofemoral force)",
                    "Heiderscheit et al. 2011, Med Sci Sports Exerc 43(2):296; Lenhart et al. "
                    "2014, Med Sci Sports Exerc 46(3):557"),
}


@dataclass
class Config:
    """Settings for a season: rules, display unit, week start, time zone."""

    rules: dict[str, dict[str, Any]] = field(default_factory=lambda: copy.deepcopy(RULE_DEFAULTS))
    unit: str = "mi"
    week_start: str = "monday"
    tz: str | None = None
    source: str | None = None  # the config file read, if any

    def rule(self, name: str) -> dict[str, Any]:
        return self.rules[name]

    def with_rules(self, overrides: dict[str, dict[str, Any]] | None) -> Config:
        """A copy with ``overrides`` merged into the rules (validated)."""
        out = copy.deepcopy(self)
        _merge_rules(out.rules, overrides or {}, "rules")
        return out


def _merge_rules(rules: dict[str, dict[str, Any]], overrides: dict[str, Any], where: str) -> None:
    for name, params in overrides.items():
        if name not in RULE_DEFAULTS:
            raise ConfigError(f"{where}: unknown rule {name!r}; rules are "
                              + ", ".join(RULE_DEFAULTS))
        if not isinstance(params, dict):
            raise ConfigError(f"{where}.{name}: expected a table of parameters")
        for key, value in params.items():
            if key not in RULE_DEFAULTS[name]:
                raise ConfigError(f"{where}.{name}: unknown parameter {key!r}; parameters are "
                                  + ", ".join(RULE_DEFAULTS[name]))
            default = RULE_DEFAULTS[name][key]
            if isinstance(default, bool):
                if not isinstance(value, bool):
                    raise ConfigError(f"{where}.{name}.{key}: expected true or false, "
                                      f"not {value!r}")
            elif isinstance(default, (int, float)):
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                    raise ConfigError(f"{where}.{name}.{key}: expected a number >= 0, "
                                      f"not {value!r}")
            elif key == "severity" and value not in SEVERITIES:
                raise ConfigError(f"{where}.{name}.severity: expected one of "
                                  f"{', '.join(SEVERITIES)}, not {value!r}")
            rules[name][key] = value


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
    from .errors import InputError
    from .safeio import read_regular_file
    from .textfile import MAX_TEXT_FILE_BYTES, decode_text

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
    known = {"rules", "unit", "week_start", "tz"}
    for key in doc:
        if key not in known:
            raise ConfigError(f"{path}: unknown setting {key!r}; settings are "
                              + ", ".join(sorted(known)))
    _merge_rules(cfg.rules, doc.get("rules", {}), f"{path}: rules")
    if "unit" in doc:
        if doc["unit"] not in ("mi", "km"):
            raise ConfigError(f"{path}: unit must be 'mi' or 'km', not {doc['unit']!r}")
        cfg.unit = doc["unit"]
    if "week_start" in doc:
        if str(doc["week_start"]).lower() not in WEEKDAYS:
            raise ConfigError(f"{path}: week_start must be a weekday name, "
                              f"not {doc['week_start']!r}")
        cfg.week_start = str(doc["week_start"]).lower()
    if "tz" in doc:
        cfg.tz = str(doc["tz"])
    cfg.source = path
    return cfg
