"""The rules registry: one record per rule, the only home of its defaults.

Every rule is one module of this package (``kneeload/rules/<name>.py``) that registers
itself with :func:`rule`; the registry finds them by importing every ``kneeload.rules.*``
module whose name does not start with ``_``. It is a leaf: it imports only the errors and
the flags-table modules, never a rule's computations or the modules that run the rules.
A record holds the rule's name, a human
title, its parameters (each with its only default, its unit and its allowed range), its
evidence grade and citation (``docs/DOMAIN.md`` terms), how severity follows evidence and
size, whether its flags pair with pain, and the function. Figures, messages, docs, the
config file's validation and the CLI all read the records::

    from kneeload.rules import registry
    registry.get("weekly_increase").params["threshold_pct"].default   # 10.0 [%]
    registry.get("session_spike").defaults                            # {"enabled": True, ...}

Adding a rule means one module here (a function decorated with :func:`rule`), one page in
``docs/rules/`` and one test.

Severity scheme (``docs/rules/README.md``): :func:`severity_for` maps a rule's evidence grade
and the size of the excess (``"over"`` the threshold, or ``"large"``: the rule's upper band)
to info / warn / alert, so that stronger evidence and a larger excess always rank higher.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import math
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..flagrows import SEVERITIES, SEVERITY_RANK, empty_flags

#: Evidence grades, strongest first: (label, what it means, severity when over the
#: threshold, severity when the excess is large).
EVIDENCE_GRADES: dict[str, tuple[str, str, str]] = {
    "strong": ("a significant association with injury in a large cohort of runners",
               "warn", "alert"),
    "clinical": ("a criterion of a published pain-monitoring model used in trials "
                 "(thresholds quoted secondarily)", "warn", "warn"),
    "not significant": ("an association with injury in runners that did not reach "
                        "significance", "info", "warn"),
    "weak": ("no effect in a randomised trial, or an undocumented origin", "info", "info"),
    "biomechanical": ("a mechanism (knee load) with no injury study setting a threshold",
                      "info", "info"),
    "low": ("a threshold quoted widely but not tested in runners", "info", "info"),
    "doubtful": ("an index whose predictive value is doubted in reviews", "info", "info"),
    "heuristic": ("practice advice with no study behind it", "info", "info"),
}


def severity_for(grade: str, size: str = "over") -> str:
    """The severity of a flag from its rule's evidence ``grade`` and the ``size`` of the
    excess: ``"over"`` (past the threshold) or ``"large"`` (the rule's upper band).

    Examples
    --------
    >>> severity_for("strong"), severity_for("strong", "large")
    ('warn', 'alert')
    >>> severity_for("weak", "large")
    'info'
    """
    _label, over, large = EVIDENCE_GRADES[grade]
    return large if size == "large" else over


@dataclass(frozen=True)
class Param:
    """One parameter of a rule or a setting: its only default, unit and allowed values.

    ``kind`` is ``"number"`` (finite float), ``"int"`` (whole number), ``"bool"`` or
    ``"choice"`` (one of ``choices``). Numbers must lie in ``[low, high]``.
    """

    name: str
    default: Any
    unit: str = ""
    help: str = ""
    kind: str = "number"
    low: float | None = 0.0
    high: float | None = None
    choices: tuple[str, ...] = ()

    def check(self, value: Any, where: str) -> Any:
        """``value`` validated (type, finiteness, range); raises ConfigError naming ``where``
        (the file and key) otherwise. Returns the value as stored (ints as int, numbers as
        float)."""
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: expected true or false, not {value!r}")
            return value
        if self.kind == "choice":
            if not isinstance(value, str) or value.lower() not in self.choices:
                raise ConfigError(f"{where}: expected one of {', '.join(self.choices)}, "
                                  f"not {value!r}")
            return value.lower()
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number{self._range_text()}, not {value!r}")
        if not math.isfinite(value):
            raise ConfigError(f"{where}: expected a finite number{self._range_text()}, "
                              f"not {value!r}")
        if self.kind == "int" and value != int(value):
            raise ConfigError(f"{where}: expected a whole number{self._range_text()}, "
                              f"not {value!r}")
        if (self.low is not None and value < self.low) or (
                self.high is not None and value > self.high):
            raise ConfigError(f"{where}: {value!r} is out of range: expected a "
                              f"{'whole ' if self.kind == 'int' else ''}number"
                              f"{self._range_text()}{' ' + self.unit if self.unit else ''}")
        return int(value) if self.kind == "int" else float(value)

    def _range_text(self) -> str:
        if self.low is not None and self.high is not None:
            return f" from {self.low:g} to {self.high:g}"
        if self.low is not None:
            return f" >= {self.low:g}"
        return ""


#: Every rule's ``severity`` parameter: ``auto`` follows the scheme, else fixed.
SEVERITY_OVERRIDE = Param("severity", "auto", "", "'auto' follows the severity scheme; "
                          "info, warn or alert fixes it", kind="choice",
                          choices=("auto", *SEVERITIES))


@dataclass(frozen=True)
class Rule:
    """A rule's record. ``params`` maps each parameter's name to its :class:`Param`."""

    name: str
    title: str
    params: Mapping[str, Param]
    grade: str
    evidence: str
    citation: str
    severity: str
    pairs_with_pain: bool
    kind: str
    fn: Callable[..., Any] = field(repr=False, compare=False)
    #: The context values the rule's functions take besides data and parameters
    #: (``unit``, ``week_start``, ``today``, ``load``, ``pain_model``, ``weeks``, ...).
    context: tuple[str, ...] = ()
    #: Where the rule sorts among the others (registry order: tables, docs).
    order: int = 1000
    #: The rule's limit hook (see :mod:`kneeload.limits`), or None.
    limit: Callable[..., Any] | None = field(default=None, repr=False, compare=False)
    #: Free-form tags (``kind``, ``pairs_with_pain``, ``grade`` are fields of their own).
    tags: tuple[str, ...] = ()

    @property
    def defaults(self) -> dict[str, Any]:
        """``{parameter: default}``, ``enabled`` included."""
        return {n: p.default for n, p in self.params.items()}

    @property
    def evidence_text(self) -> str:
        """``"Evidence: <level> (<citation>)."`` as messages end."""
        return f"Evidence: {self.evidence} ({self.citation})."

    def check(self, params: Mapping[str, Any], where: str) -> dict[str, Any]:
        """``params`` validated against the record; unknown names are errors."""
        out = {}
        for key, value in params.items():
            if key not in self.params:
                raise ConfigError(f"{where}: unknown parameter {key!r}; parameters are "
                                  + ", ".join(self.params))
            out[key] = self.params[key].check(value, f"{where}.{key}")
        return out

    def severity_of(self, size: str, params: Mapping[str, Any]) -> str:
        """The flag severity for ``size`` under the scheme, unless ``severity`` is fixed."""
        fixed = params.get("severity", "auto")
        return severity_for(self.grade, size) if fixed == "auto" else fixed


class Registry(Mapping[str, Rule]):
    """All rules by name, in registration order (load rules, then pain rules)."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}
        self._loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for mod in pkgutil.iter_modules(__path__):
            if not mod.name.startswith("_"):
                importlib.import_module(f"{__name__}.{mod.name}")
        self._sort()

    def _sort(self) -> None:
        self._rules = dict(sorted(self._rules.items(), key=lambda kv: kv[1].order))

    def add(self, record: Rule) -> None:
        if record.name in self._rules:
            raise ValueError(f"rule {record.name!r} is registered twice")
        self._rules[record.name] = record
        if self._loaded:
            self._sort()

    def remove(self, name: str) -> None:
        """Forget rule ``name`` (tests that register a rule of their own)."""
        self._rules.pop(name, None)

    def get(self, name: str) -> Rule:  # type: ignore[override]
        """The record of rule ``name``; ConfigError naming the known rules otherwise."""
        self._load()
        try:
            return self._rules[name]
        except KeyError:
            raise ConfigError(f"unknown rule {name!r}; rules are " + ", ".join(self._rules)
                              ) from None

    def __getitem__(self, name: str) -> Rule:
        return self.get(name)

    def __iter__(self) -> Iterator[str]:
        self._load()
        return iter(self._rules)

    def __len__(self) -> int:
        self._load()
        return len(self._rules)

    def of_kind(self, kind: str) -> list[Rule]:
        """The rules judging ``"weeks"``, ``"activities"`` or ``"pain"``."""
        return [r for r in self.values() if r.kind == kind]

    def spike_rules(self) -> tuple[str, ...]:
        """The rules whose flags are load spikes paired with pain."""
        return tuple(r.name for r in self.values() if r.pairs_with_pain)

    def defaults(self) -> dict[str, dict[str, Any]]:
        return {name: r.defaults for name, r in self.items()}


registry = Registry()


def rule(name: str, *, title: str, params: tuple[Param, ...], grade: str, evidence: str,
         citation: str, severity: str, pairs_with_pain: bool, kind: str,
         enabled: bool = True, order: int = 1000, tags: tuple[str, ...] = (),
         limit: Callable[..., Any] | None = None
         ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as rule ``name``.

    The function takes its data first and every parameter as a keyword argument with no
    default of its own; the wrapper fills in the registry's defaults, validates overrides,
    and returns an empty flags table when ``enabled`` is false. ``evidence`` and
    ``citation`` come from DOMAIN.md; ``severity`` says in words how the scheme applies.
    ``order`` places the rule among the others; ``limit`` is its limit hook
    (:mod:`kneeload.limits`): ``limit(activities, day, *, <parameters>, <context>)`` returning
    a :class:`kneeload.limits.Limit`.
    """
    if grade not in EVIDENCE_GRADES:
        raise ValueError(f"unknown evidence grade {grade!r}")
    all_params = (Param("enabled", enabled, "", "run the rule", kind="bool"), *params)

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        sig = inspect.signature(fn)
        context = {n for n in sig.parameters if n not in {p.name for p in all_params}}

        @functools.wraps(fn)
        def run(data: Any, **kwargs: Any) -> Any:
            record = registry._rules[name]
            own = {k: v for k, v in kwargs.items() if k in record.params}
            extra = {k: v for k, v in kwargs.items() if k not in record.params}
            unknown = set(extra) - context
            if unknown:
                raise ConfigError(f"{name}: unknown parameter(s) {', '.join(sorted(unknown))}; "
                                  "parameters are " + ", ".join(record.params))
            values = {**record.defaults, **record.check(own, f"rules.{name}")}
            if not values["enabled"]:
                return empty_flags()
            wanted = {k: v for k, v in values.items() if k in sig.parameters}
            return fn(data, **wanted, **extra)

        registry.add(Rule(name, title, {p.name: p for p in all_params}, grade, evidence,
                          citation, severity, pairs_with_pain, kind, run,
                          tuple(sorted(context - {next(iter(sig.parameters))})), order,
                          limit, tags))
        return run

    return wrap


__all__ = ["EVIDENCE_GRADES", "Param", "Registry", "Rule", "SEVERITIES",
           "SEVERITY_OVERRIDE", "SEVERITY_RANK", "registry", "rule", "severity_for"]
