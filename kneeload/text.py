"""Every sentence kneeload says about limits, this week, the week ahead, pairing and figures.

One text layer, built from the rule records (:data:`kneeload.rules.registry`: titles,
parameters, evidence) and the runner's settings (a :class:`kneeload.config.Config`), so the
command line (``check``, ``plan``, ``pairs``), the report (PDF, HTML, JSON, Markdown) and the
notebook say the same thing in the same words, and a changed setting (a 25% caution threshold,
a 14-day window) changes every sentence that names it.

Limits are shown on the safe side of the precision shown (:func:`limit_value`): a maximum is
rounded down, a minimum up, so a plan built from a displayed number never trips the rule the
number came from (7.15 mi is shown "7.1 mi", never "7.2 mi").

Inputs are the advice records of :mod:`kneeload.advice` (``NextWeek``, ``ThisWeek``,
``DayLimit``, ``Tolerance``, ``ReturnAdvice``) as they are; fields the limit interface adds
(``run_bound_by``, ``week_bound_by``, ``limits``) are read when present.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from .units import metres_per

__all__ = [
    "ATTRIBUTION", "format_limit", "limit_value", "limit_display", "rule_title",
    "rule_evidence", "advice_json", "look_ahead_lines", "two_week_steps", "this_week_lines",
    "advice_lines",
    "pairing_rule", "pair_entries_text", "pairing_summary", "not_judged_text", "figure_texts",
    "distance", "shoe_note",
    "adherence_lines", "replan_reason", "replan_lines", "plan_texts", "fitness_text",
    "after_today_note", "nothing_before_today", "count", "plan_estimate_note",
    "incomplete_weeks_note",
]

#: How pain entries are attributed to load days, said once in every output that pairs.
ATTRIBUTION = ("Next-morning entries count for the day before (an entry on Tuesday morning "
               "tells how Monday's run was tolerated); every other entry counts for its own "
               "day.")

#: Keys of the advice records' JSON that are limits, and their kind: a maximum is shown
#: rounded down, a minimum rounded up.
LIMIT_KEYS: dict[str, str] = {
    "max_week": "max", "max_week_10pct": "max", "max_week_2wk": "max", "max_run": "max",
    "left": "max", "left_10pct": "max", "left_2wk": "max", "return_ceiling": "max",
    "first_runs_max": "max", "run_max": "max", "week_max": "max",
}


# --- numbers ------------------------------------------------------------------------------


def _safe(x: float, digits: int, kind: str) -> float:
    """``x`` rounded to ``digits`` decimals toward the safe side (down for a maximum, up for
    a minimum); a value a hair from a step (float noise, 1e-9 of the last digit) is that
    step."""
    scale = 10 ** digits
    y = x * scale
    nearest = round(y)
    if abs(y - nearest) < 1e-6:
        return nearest / scale
    step = math.floor(y) if kind == "max" else math.ceil(y)
    return step / scale


def limit_value(value_m: float | None, unit: str, kind: str = "max",
                digits: int = 1) -> float | None:
    """A limit [m] in ``unit`` at ``digits`` decimals, on its safe side.

    Parameters
    ----------
    value_m : float or None
        The limit [m]; None (no limit) stays None.
    unit : {"mi", "km"}
        Display unit.
    kind : {"max", "min"}
        A maximum is rounded down, a minimum up.
    digits : int
        Decimals shown.

    Examples
    --------
    >>> limit_value(7.15 * 1609.344, "mi"), limit_value(7.15 * 1609.344, "mi", "min")
    (7.1, 7.2)
    >>> limit_value(17702.784, "mi")  # 11.000000000000002 mi is 11.0, not 10.9
    11.0
    """
    if value_m is None or not math.isfinite(float(value_m)):
        return None
    out = _safe(float(value_m) / metres_per(unit), digits, kind)
    if kind == "max":
        out = max(out, 0.0)
    return out


def format_limit(value_m: float | None, unit: str, kind: str = "max", digits: int = 1,
                 missing: str = "n/a") -> str:
    """A limit [m] as text in ``unit``, on the safe side of the precision shown (see
    :func:`limit_value`).

    Examples
    --------
    >>> format_limit(7.15 * 1609.344, "mi"), format_limit(26650.0, "km")
    ('7.1 mi', '26.6 km')
    >>> format_limit(None, "mi")
    'n/a'
    """
    v = limit_value(value_m, unit, kind, digits)
    return missing if v is None else f"{v:.{digits}f} {unit}"


def distance(value_m: float | None, unit: str, digits: int = 1, missing: str = "n/a") -> str:
    """A distance that is not a limit (what was run) [m], rounded to the nearest."""
    if value_m is None or not math.isfinite(float(value_m)):
        return missing
    return f"{float(value_m) / metres_per(unit):.{digits}f} {unit}"


def limit_display(record: Mapping[str, Any], unit: str) -> dict[str, Any]:
    """An advice record's JSON (``as_dict(unit)``) with every limit key present and shown on
    the safe side: each limit in :data:`LIMIT_KEYS` gets ``<key>_display`` ("7.1 mi", or
    None), and its number is the displayed one (2 decimals, safe side); nested ``days``
    records likewise."""
    out = dict(record)
    for key, kind in LIMIT_KEYS.items():
        if f"{key}_m" not in out and key not in out:
            continue
        m = out.get(f"{key}_m")
        out[key] = limit_value(m, unit, kind, 2)
        out[f"{key}_display"] = None if m is None else format_limit(m, unit, kind)
    if "week_ceilings_m" in out:
        out["week_ceilings"] = [limit_value(m, unit, "max", 2) for m in out["week_ceilings_m"]]
        out["week_ceilings_display"] = [format_limit(m, unit) for m in out["week_ceilings_m"]]
    if isinstance(out.get("days"), list):
        out["days"] = [limit_display(d, unit) if isinstance(d, Mapping) else d
                       for d in out["days"]]
    return out


def advice_json(obj: Any, unit: str) -> dict[str, Any] | None:
    """An advice record (``NextWeek``, ``ThisWeek``, ``Tolerance``, ``ReturnAdvice``) as the
    JSON every surface prints: ``obj.as_dict(unit)`` with every ``<name>_m`` also as
    ``<name>`` in ``unit`` (null when unknown: no key ever vanishes) and the limits on their
    safe side with ``*_display`` text (:func:`limit_display`). None stays None."""
    if obj is None:
        return None
    return _all_keys(limit_display(obj.as_dict(unit), unit))


def _all_keys(record: dict[str, Any]) -> dict[str, Any]:
    for key in [k for k in record if k.endswith("_m")]:
        record.setdefault(key[:-2], None)
    for key, value in record.items():
        if isinstance(value, list):
            record[key] = [_all_keys(v) if isinstance(v, dict) else v for v in value]
        elif isinstance(value, dict):
            record[key] = _all_keys(value)
    return record


# --- rules in words -----------------------------------------------------------------------


def _registry() -> Any:
    from .rules import registry

    return registry


def _value_text(value: Any, unit: str) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if unit in ("%", "/10"):
        return f"{value}{unit}"
    return f"{value} {unit}".strip()


def rule_title(name: str, config: Any = None) -> str:
    """The rule's title in words (its registry record), with any default value it names
    replaced by the configured one ("The 25% rule, week over week" when threshold_pct is 25).

    Examples
    --------
    >>> rule_title("weekly_increase")
    'The 10% rule, week over week'
    >>> from kneeload.config import Config
    >>> rule_title("weekly_increase", Config().with_rules({"weekly_increase":
    ...     {"threshold_pct": 15}}))
    'The 15% rule, week over week'
    >>> rule_title("an_unknown_rule")
    'an unknown rule'
    """
    reg = _registry()
    if name not in list(reg):
        return name.replace("_", " ")
    rec = reg[name]
    title = str(rec.title)
    if config is None:
        return title
    params = config.rule(name)
    for p in rec.params.values():
        if p.kind not in ("number", "int") or p.name not in params:
            continue
        old, new = _value_text(p.default, p.unit), _value_text(params[p.name], p.unit)
        if old != new and p.unit:
            title = title.replace(old, new)
    return title


def rule_evidence(name: str) -> tuple[str, str]:
    """(grade, citation) of a rule from its registry record; ("", "") for an unknown one."""
    reg = _registry()
    if name not in list(reg):
        return "", ""
    rec = reg[name]
    return str(rec.grade), str(rec.citation)


def _short_citation(name: str) -> str:
    """"Frandsen 2025" from the record's citation "Frandsen et al. 2025, Br J ..."."""
    _grade, cite = rule_evidence(name)
    first = cite.split(";")[0]
    m = re.match(r"\s*([A-Z][^\s,]+)(?: et al\.| & [A-Z][^\s,]+)?,? (\d{4})", first)
    return f"{m.group(1)} {m.group(2)}" if m else first.strip()


def _pct(v: float) -> str:
    return f"{v:g}%"


def _cfg(config: Any) -> Any:
    if config is None:
        from .config import Config

        return Config()
    return config


def _day(d: Any) -> str:
    return f"{pd.Timestamp(d):%a %d %b}"


# --- the week ahead and this week ---------------------------------------------------------


def _spike_clause(config: Any) -> str:
    """"10% over the longest run of the 30 days before that day" with the configured
    numbers."""
    ss = config.rule("session_spike")
    return (f"{_pct(ss['caution_pct'])} over the longest run of the "
            f"{int(ss['window_days'])} days before that day")


#: The rules whose week limits the advice lists by name ("the 10% rule: 16.5 mi"): a bound
#: set by one of them needs no "set by"; any other rule's (a pain hold, the ACWR) is said.
_LISTED_WEEK_RULES = (None, "weekly_increase", "two_week_increase")


def _bound_by(obj: Any, field: str, config: Any) -> str:
    name = getattr(obj, field, None)
    if name in _LISTED_WEEK_RULES:
        return ""
    return f", set by {_lower_first(rule_title(name, config))}"


def _lower_first(title: str) -> str:
    """A rule title inside a sentence ("set by the 10% rule, week over week")."""
    return title[:1].lower() + title[1:]


def _run_limit_why(obj: Any, config: Any) -> str:
    """Why the longest single run is what it is: the spike rule in words when it sets the
    limit (or nothing is said), else the rule that does (a pain hold, the two-week rule)."""
    name = getattr(obj, "run_bound_by", None)
    if name in (None, "session_spike"):
        return (f"{_spike_clause(config)} (single-run spike caution, "
                f"{_short_citation('session_spike')})")
    return f"set by {_lower_first(rule_title(name, config))}"


def _two_week_days(days: Iterable[Any], config: Any) -> str:
    """"; less on Mon, Tue (two-week rule)" when another rule than the spike caution (the
    two-week rule's room, a graded return, a pain hold) sets some days' longest run
    (:class:`kneeload.advice.DayLimit`), each rule named once, in the days' order."""
    factor = 1 + float(config.rule("session_spike")["caution_pct"]) / 100
    held: dict[str, list[str]] = {}
    for d in days:
        if d.max_run_m is None or (d.recent_longest_m is not None
                                   and d.max_run_m >= d.recent_longest_m * factor - 1e-6):
            continue
        name = getattr(d, "bound_by", None) or "two_week_increase"
        held.setdefault(name, []).append(f"{pd.Timestamp(d.date):%a}")
    said = [f"{', '.join(v)} ({_rule_short(k, config)})" for k, v in held.items()]
    return f"; less on {'; '.join(said)}" if said else ""


def _rule_short(name: str, config: Any) -> str:
    """A rule as the day limits name it: "two-week rule", else its title in lower case."""
    return "two-week rule" if name == "two_week_increase" else _lower_first(
        rule_title(name, config))


def _weekly_rules(config: Any) -> tuple[str, str]:
    wk, tw = config.rule("weekly_increase"), config.rule("two_week_increase")
    return (f"the {_pct(wk['threshold_pct'])} rule",
            f"the two-week rule (+{_pct(tw['threshold_pct'])})")


#: How the two-week rule's run-by-run note starts (the look-ahead's notes carry it).
TWO_WEEK_STEPS = "Run by run, two-week rule"


def two_week_steps(by_day: Iterable[Any], week_max_m: float | None, unit: str,
                   config: Any = None) -> str | None:
    """The two-week rule's run-by-run limits in words: ``by_day`` is its limit's
    ``detail["by_day"]`` (``[date, most the week may hold up to and including that day
    [m]]`` for each judged day, see
    :func:`kneeload.rules.two_week_increase.two_week_increase_limit`); days in a row with
    the same limit are said once, at their last day, and only limits under ``week_max_m``
    [m] (the week's advised most). None when none is.

    Examples
    --------
    >>> m = 1609.344
    >>> days = [["2026-02-09", 5.4 * m], ["2026-02-10", 5.4 * m], ["2026-02-12", 11.8 * m],
    ...         ["2026-02-15", 18.2 * m]]
    >>> two_week_steps(days, 15.4 * m, "mi")  # doctest: +NORMALIZE_WHITESPACE
    'Run by run, two-week rule (+30%): this week at most 5.4 mi to the end of Tue, 11.8 to Thu.'
    """
    cfg = _cfg(config)
    steps: list[tuple[pd.Timestamp, float]] = []
    for date, most in by_day:
        if steps and abs(steps[-1][1] - float(most)) < 1e-6:
            steps[-1] = (pd.Timestamp(date), steps[-1][1])
        else:
            steps.append((pd.Timestamp(date), float(most)))
    shown = [(d, format_limit(most, unit)) for d, most in steps
             if week_max_m is None or most < week_max_m - 1e-6]
    if not shown:
        return None
    pct = _pct(cfg.rule("two_week_increase")["threshold_pct"])
    ends = ", ".join(f"{x if i == 0 else x.split()[0]} to {'the end of ' if i == 0 else ''}"
                     f"{d:%a}" for i, (d, x) in enumerate(shown))
    return f"{TWO_WEEK_STEPS} (+{pct}): this week at most {ends}."


def look_ahead_lines(ahead: Any, config: Any = None, *, unit: str | None = None) -> list[str]:
    """The look-ahead (:class:`kneeload.advice.NextWeek`) in words: the week's most running,
    the longest single run on any day of it (each day's limit), and the notes.

    Every limit is shown on its safe side (:func:`format_limit`); the thresholds and the
    window are the configured ones.
    """
    cfg = _cfg(config)
    unit = unit or cfg.unit
    ten, two = _weekly_rules(cfg)
    when = (f"This week (from {_day(ahead.week_start)}, in progress)" if ahead.in_progress
            else f"Next week (from {_day(ahead.week_start)})")
    lines = []
    if ahead.max_week_m is not None:
        if getattr(ahead, "return_ceiling_m", None) is not None:
            why = "the graded return after a break (heuristic)"
        else:
            parts = []
            if ahead.max_week_10pct_m is not None:
                parts.append(f"{ten}: {format_limit(ahead.max_week_10pct_m, unit)}")
            if ahead.max_week_2wk_m is not None:
                parts.append(f"{two}: {format_limit(ahead.max_week_2wk_m, unit)}")
            why = "; ".join(parts) or "the weekly rules"
        last = ("" if ahead.last_week_m is None
                else f"; last complete week {distance(ahead.last_week_m, unit)}")
        lines.append(f"{when}: at most {format_limit(ahead.max_week_m, unit)}"
                     f"{_bound_by(ahead, 'week_bound_by', cfg)} ({why}{last}).")
    else:
        lines.append(f"{when}: the weekly rules cannot judge it yet.")
    if ahead.max_run_m is not None:
        shown = [(pd.Timestamp(d.date), format_limit(d.max_run_m, unit)) for d in ahead.days
                 if d.max_run_m is not None]
        runs: list[list[Any]] = []  # days in a row with the same limit: "Tue-Wed 6.6 mi"
        for d, x in shown:
            if runs and runs[-1][2] == x and (d - runs[-1][1]).days == 1:
                runs[-1][1] = d
            else:
                runs.append([d, d, x])
        by_day = ("" if len({x for _, x in shown}) <= 1 else "; by day: " + ", ".join(
            f"{a:%a} {x}" if a == b else f"{a:%a}-{b:%a} {x}" for a, b, x in runs))
        # the run-by-run note, when there, names the two-week rule for the smaller days
        said = any(str(n).startswith(TWO_WEEK_STEPS) for n in ahead.notes)
        lines.append(f"Longest single run on any day of that week: at most "
                     f"{format_limit(ahead.max_run_m, unit)}, {_run_limit_why(ahead, cfg)}"
                     f"{'' if said else _two_week_days(ahead.days, cfg)}{by_day}.")
    lines.extend(str(n) for n in ahead.notes)
    return lines


def this_week_lines(week: Any, config: Any = None, *, unit: str | None = None) -> list[str]:
    """This week so far (:class:`kneeload.advice.ThisWeek`) in words, one sentence a line:
    the running so far, what is left within the weekly rules (or the graded return), the
    longest run allowed on each remaining day, the rolling 7 days and the notes."""
    cfg = _cfg(config)
    unit = unit or cfg.unit
    ten, two = _weekly_rules(cfg)
    t = week
    lines = [f"This week so far ({_day(t.week_start)} to {_day(t.today)}): "
             f"{distance(t.distance_m, unit)} in {t.runs} run(s); last complete week "
             f"{distance(t.last_week_m, unit)}."]
    if t.return_ceiling_m is not None:
        lines.append(f"Return after a break: at most {format_limit(t.return_ceiling_m, unit)} "
                     f"this week, {format_limit(t.left_m, unit)} left (a graded return; "
                     "heuristic).")
    else:
        lines.append(f"Left within {ten}: {format_limit(t.left_10pct_m, unit)} (of "
                     f"{format_limit(t.max_week_10pct_m, unit)}); within {two}: "
                     f"{format_limit(t.left_2wk_m, unit)} (of "
                     f"{format_limit(t.max_week_2wk_m, unit)}).")
        week_by = getattr(t, "week_bound_by", None)
        if week_by not in _LISTED_WEEK_RULES and t.left_m is not None:
            lines.append(f"Left this week: {format_limit(t.left_m, unit)}"
                         f"{_bound_by(t, 'week_bound_by', cfg)}.")
    days = [f"{pd.Timestamp(x.date):%a} {format_limit(x.max_run_m, unit)}" for x in t.days
            if x.max_run_m is not None]
    if days:
        lines.append(f"Longest single run, {_run_limit_why(None, cfg)}"
                     f"{_two_week_days(t.days, cfg)}: " + ", ".join(days) + ".")
    bound, run_max = getattr(t, "run_bound_by", None), getattr(t, "run_max_m", None)
    # the weekly rules' bound is the "left" above; another rule (a pain hold) is said here
    if run_max is not None and bound not in (None, "session_spike", "weekly_increase",
                                             "two_week_increase"):
        lines.append(f"Today: at most {format_limit(run_max, unit)} in one run, set by "
                     f"{_lower_first(rule_title(bound, cfg))}.")
    lines.append(f"Rolling 7 days: {distance(t.rolling_7d_m, unit)} (the 7 before: "
                 f"{distance(t.rolling_prev_7d_m, unit)}).")
    lines.extend(str(n) for n in t.notes)
    return lines


def advice_lines(ahead: Any, config: Any, *, unit: str, recent_rules: Iterable[str],
                 period_rules: Iterable[str], recent_cadence: float | None,
                 has_pain: bool) -> list[str]:
    """The report's "what to consider next": the look-ahead with each rule's evidence, then
    cadence, hills and pain advice when the period calls for them (thresholds configured)."""
    cfg = _cfg(config)
    recent, period = set(recent_rules), set(period_rules)
    wk_grade, _ = rule_evidence("weekly_increase")
    tw_grade, _ = rule_evidence("two_week_increase")
    ss_grade, _ = rule_evidence("session_spike")
    lines = look_ahead_lines(ahead, cfg, unit=unit)
    if ahead.max_week_m is not None:
        lines[0] += f" Evidence: {wk_grade}; {tw_grade}."
    if ahead.max_run_m is not None and len(lines) > 1:
        lines[1] += f" Evidence: {ss_grade}, the strongest available."
    spm = float(cfg.rule("low_cadence")["threshold_spm"])
    if "low_cadence" in recent or (recent_cadence is not None and recent_cadence < spm):
        lines.append(f"Cadence: under {spm:g} steps/min lately; a gradual +5-10% lowers knee "
                     f"load ({rule_evidence('low_cadence')[0]} evidence: Heiderscheit 2011, "
                     "Lenhart 2014); 180 steps/min is not a target.")
    if "descent_increase" in period:
        dr = cfg.rule("descent_increase")
        lines.append(f"Hills: build descent up as gradually as distance (the descent rule "
                     f"flags +{_pct(dr['threshold_pct'])} a week; biomechanical evidence, no "
                     "injury study sets a threshold).")
    if has_pain and any(r.startswith("pain_") for r in recent):
        model = cfg.pain["model"]
        limit = cfg.rule("pain_during_run")[f"{model}_limit"]
        name = "patellofemoral" if model == "pfp" else "tendon"
        settle = ("settles within an hour after and by the next morning" if model == "pfp"
                  else "settles by the next morning")
        lines.append(f"Pain in the last six weeks crossed the pain-monitoring limits: ease off "
                     f"until running stays within {limit:g}/10 and the knee {settle} "
                     f"(the {name} pain-monitoring model, "
                     f"{_short_citation('pain_during_run')}, secondary); see a "
                     "physiotherapist if it persists despite rest.")
    return lines


# --- pairing ------------------------------------------------------------------------------


def pairing_rule(config: Any = None) -> str:
    """How pain pairs with load, with the configured window and threshold, and the
    attribution rule (:data:`ATTRIBUTION`), said once."""
    cfg = _cfg(config)
    thr, win = float(cfg.pain["threshold"]), int(cfg.pain["window_days"])
    return (f"A load spike is paired with the first day of pain of {thr:g}/10 or more 0 to "
            f"{win} days after it. {ATTRIBUTION}")


def not_judged_text(count: int, since: Any, log_end: Any, window_days: int) -> str:
    """The load-spike days whose pairing window runs past the pain log's last entry: not
    judged yet (never counted as pain-free, nor as paired), with the log's end.

    Examples
    --------
    >>> not_judged_text(1, "2026-04-12", "2026-04-13", 3)
    '1 load-spike day (since Sun 12 Apr) is not judged yet: the pain log ends on Mon 13 Apr, \
and a spike is judged once the log covers the 3 days after it.'
    >>> not_judged_text(0, None, "2026-04-13", 3)
    ''
    """
    if not count:
        return ""
    days = "day" if count == 1 else "days"
    verb = "is" if count == 1 else "are"
    end = "the pain log is empty" if log_end is None else f"the pain log ends on {_day(log_end)}"
    return (f"{count} load-spike {days} (since {_day(since)}) {verb} not judged yet: {end}, "
            f"and a spike is judged once the log covers the {window_days} days after it.")


def pairing_summary(summary: Mapping[str, Any]) -> str:
    """The pairing summary (:func:`kneeload.pain.pair_pain`'s ``summary``) in words: the
    share of judged load-spike days followed by pain against the base rate over full
    windows, and the spike days not judged yet because the log ends inside their window."""
    s = summary
    win = int(s["window_days"])
    later = not_judged_text(int(s.get("not_judged_yet") or 0), s.get("not_judged_yet_since"),
                            s.get("log_end"), win)
    if not s["spikes"]:
        head = "No load spike can be judged against the pain log's period: nothing to pair."
        return f"{head} {later}".strip()
    base = s.get("base_rate_window")
    base_txt = (f"; on an ordinary day the chance of such pain within the next {win} days "
                f"was {base:.0%} (of the {s['base_rate_days']} days whose whole window the "
                "log covers)" if base is not None else "")
    text = (f"In your log, {s['spikes_followed_by_pain']} of {s['spikes']} load-spike days "
            f"({s['share_followed']:.0%}) were followed by knee pain of {s['threshold']:g}/10 "
            f"or more within {win} days{base_txt}. A day on which several rules fired counts "
            "once. This describes your own history; it is not a prediction, and the numbers "
            "are small.")
    return f"{text} {later}".strip()


_WHEN = {"during": "during", "after": "after", "next_morning": "next morning", "rest": "at rest",
         "": "time of day not logged"}


def _dm(d: Any) -> str:
    t = pd.Timestamp(d)
    return f"{t.day} {t:%b}"


def pair_entries_text(spike_date: Any, entries: Iterable[Mapping[str, Any]]) -> str:
    """A spike day and each pain entry paired with it, as the log says it (its own date and
    ``when``).

    Examples
    --------
    >>> pair_entries_text("2026-05-31", [
    ...     {"date": "2026-05-31", "pain": 4.0, "when": "during"},
    ...     {"date": "2026-06-01", "pain": 5.0, "when": "next_morning"}])
    '31 May run -> 4/10 during (31 May), 5/10 next morning (1 Jun)'
    """
    parts = [f"{float(e['pain']):g}/10 {_WHEN.get(str(e.get('when') or ''), e.get('when'))} "
             f"({_dm(e['date'])})" for e in entries]
    return f"{_dm(spike_date)} run -> " + (", ".join(parts) or "no entry")


# --- shoes ------------------------------------------------------------------------------


def shoe_note(config: Any = None, unit: str | None = None) -> str:
    """What the shoe dates and limits are, with the configured recent days and limits."""
    cfg = _cfg(config)
    unit = unit or cfg.unit
    per = metres_per(unit)
    notice, replace = cfg.shoe_limits_m()
    return (f"Dates past the last run are projections at each pair's use over the last "
            f"{int(cfg.shoes['recent_days'])} days (or its own days in use when newer); the "
            f"{notice / per:.0f}-{replace / per:.0f} {unit} range is a convention, not a "
            "study.")


# --- figures ------------------------------------------------------------------------------


def _dates(ds: Iterable[dt.date]) -> str:
    out = ", ".join(f"{d:%d %b %Y}" for d in ds)
    return out or "none"


def figure_texts(content: Any) -> dict[str, dict[str, str]]:
    """Each figure's caption and text alternative (``{"caption", "alt"}``) by name, from a
    :class:`kneeload.report.content.ReportContent` and its figure settings (thresholds and
    windows as configured)."""
    c = content
    u, eu = c.unit, c.elevation_unit
    kw = c.frames.get("figure_settings", {})
    thr = kw.get("weekly_distance", {}).get("threshold_pct", 10.0)
    window = kw.get("session_spikes", {}).get("window_days", 30)
    spm = kw.get("cadence_trend", {}).get("threshold_spm", 170.0)
    acwr = kw.get("acwr", {}).get("threshold", 1.8)
    w = c.weeks
    if w:
        top = max(w, key=lambda x: x.distance)
        flagged = [f"{x.week_start:%d %b %Y} ({x.worst})" for x in w if x.worst]
        weekly_alt = (f"Bar chart of weekly running distance [{u}], {len(w)} weeks from "
                      f"{w[0].week_start:%d %b %Y} to {w[-1].week_start:%d %b %Y}; the biggest "
                      f"week {top.distance:.1f} {u} (week of {top.week_start:%d %b %Y}); weeks "
                      f"with a flag: {', '.join(flagged) or 'none'}. A dashed step line shows "
                      f"last week + {thr:g}%.")
    else:
        weekly_alt = "Weekly running distance: no weeks."
    hits = [f.date for f in c.flags if f.rule == "session_spike"]
    pairs = c.pain.pairs if c.pain else []
    alone = sorted(p["spike_date"] for p in (c.pain.spikes_without_pain if c.pain else []))
    shoes = c.shoes.pairs if c.shoes else []
    plan = getattr(c, "plan", None)
    fit = getattr(c, "fitness", None)
    if plan is not None and plan.weeks:
        pw = plan.weeks
        top = max(pw, key=lambda x: x.distance)
        plan_alt = (f"Bar chart of weekly running [{u}]: the weeks run, then the plan's "
                    f"{len(pw)} week(s) from {pw[0].week_start:%d %b %Y} as outlined bars "
                    f"(its biggest {top.distance:.1f} {u}, week of {top.week_start:%d %b %Y}); "
                    f"a dashed step line shows last week + {thr:g}%.")
    else:
        plan_alt = "No plan."
    if fit is not None:
        fit_alt = (f"Lines of fitness (CTL, {fit.ctl_days:g}-day) and fatigue (ATL, "
                   f"{fit.atl_days:g}-day) [{fit.unit} a day] with form (TSB) shaded; on "
                   f"{fit.date:%d %b %Y} fitness {fit.ctl:.2f}, fatigue {fit.atl:.2f}, form "
                   f"{fit.tsb:+.2f}.")
    else:
        fit_alt = "No runs to compute fitness and fatigue from."
    return {
        "weekly_plan": {
            "caption": "The plan beside the weeks run: filled bars were run, outlined bars are "
                       "planned (a week partly run shows both).",
            "alt": plan_alt},
        "fitness_fatigue": {
            "caption": "Fitness, fatigue and form (Banister's impulse-response model): "
                       "training monitoring, not an injury predictor.",
            "alt": fit_alt},
        "weekly_distance": {
            "caption": "Weekly running distance; hatched and coloured weeks broke a distance "
                       "rule (dots: info, stripes: warn, crosses: alert).",
            "alt": weekly_alt},
        "session_spikes": {
            "caption": f"Single runs against the longest run of the {window} days before "
                       f"({_short_citation('session_spike')}).",
            "alt": f"Scatter of each run's distance [{u}] against a step line of the longest "
                   f"run of the {window} days before; single-run spikes flagged on "
                   f"{_dates(hits)}."},
        "weekly_descent": {
            "caption": "Weekly descent: downhill running loads the knee.",
            "alt": f"Bar chart of weekly descent [{eu}]; descent-ramp flags on "
                   f"{_dates([x.date for x in c.flags if x.rule == 'descent_increase'])}."},
        "cadence_trend": {
            "caption": "Cadence.",
            "alt": f"Each run's cadence [steps/min] with the weekly mean and a dashed line at "
                   f"{spm:g} steps/min, a notice threshold and not a target."},
        "acwr": {
            "caption": "Acute:chronic workload ratio, for information only.",
            "alt": "Lines of the rolling (uncoupled) and EWMA acute:chronic workload ratios "
                   "with Gabbett's coupled 0.8-1.3 band drawn as its uncoupled 0.75-1.44 and "
                   f"a dashed line at {acwr:g}."},
        "pain_over_load": {
            "caption": "Knee pain over daily load, with the spikes that pain followed.",
            "alt": f"Bars of daily running [{u}] with a line of knee pain [0-10]; load spikes "
                   f"followed by pain: {', '.join(p['spike_date'] for p in pairs) or 'none'}; "
                   f"spikes with no pain after them: {', '.join(alone) or 'none'}."},
        "shoe_mileage": {
            "caption": "Shoe mileage against each pair's notice and replace distances.",
            "alt": "Horizontal bars of each pair's distance: " + "; ".join(
                f"{s.shoe} {s.distance:.0f} {u}, {s.status}" for s in shoes) + "."},
    }


# --- the plan beside what was run, a pain re-plan, the report's plan section -------------


def adherence_lines(weeks: pd.DataFrame, over: pd.DataFrame, unit: str,
                    path: str = "") -> list[str]:
    """``check --plan``: each planned week beside the running of that week, then each day
    run far above its plan (:func:`kneeload.planner.adherence`)."""
    per = metres_per(unit)
    far = float(over.attrs.get("far_pct", 10.0))
    out = [f"The plan {path} beside what was run ({unit}):".replace("plan  ", "plan ")]
    for w in weeks.itertuples():
        run = ("not begun" if pd.isna(w.run_m) else
               f"run {w.run_m / per:.1f}" + ("" if w.complete else " so far"))
        out.append(f"  week of {w.week_start:%Y-%m-%d}: planned {w.planned_m / per:.1f}, {run}")
    for r in over.itertuples():
        out.append(f"  info: {r.date:%Y-%m-%d}: ran {r.run_m / per:.1f} {unit}, far above the "
                   f"planned {r.planned_m / per:.1f} (more than {far:g}% over it)")
    return out


def replan_reason(replan: Any) -> str:
    """Why a plan's remaining weeks no longer hold (:class:`kneeload.planner.Replan`)."""
    f = replan.flag
    rest = (f"its remaining {len(replan.remaining)} run(s), from "
            f"{replan.remaining['date'].min():%Y-%m-%d}, no longer hold")
    return (f"Pain: your pain log on {f['date']:%Y-%m-%d} ({f['value']:g}/10) tripped the pain "
            f"model ({rule_title(f['rule'])}) since this plan was made (by "
            f"{replan.made:%Y-%m-%d}, the day before its first run): {rest}.")


def replan_lines(replan: Any, command: str) -> list[str]:
    """The re-plan after a pain flag: why, the weeks built again from today, how to re-plan."""
    out = [replan_reason(replan),
           f"Re-planned from {replan.today:%Y-%m-%d} toward the plan's own biggest week "
           f"({replan.goal}), {replan.weeks} weeks:"]
    lines = replan.plan.lines()
    out += ["  " + x for x in lines[2:lines.index("", 2)]]
    out += [f"  Note: {n}" for n in replan.plan.notes if n.startswith("Pain")]
    out.append(f"To write the new plan: {command}")
    return out


def fitness_text(ctl: float, atl: float, tsb: float, unit: str, ctl_days: float,
                 atl_days: float) -> str:
    """Fitness, fatigue and form on a day, in words, with what they are not."""
    return (f"Fitness (CTL, {ctl_days:g}-day) {ctl:.2f}, fatigue (ATL, {atl_days:g}-day) "
            f"{atl:.2f}, form (TSB) {tsb:+.2f} [{unit} a day]: a training-monitoring model of "
            "your recent load against the weeks before, not an injury predictor (the rules "
            "flag risk).")


def plan_texts(source: str, unit: str, n_weeks: int, n_runs: int, total: float,
               flags: int) -> dict[str, str]:
    """The report's plan section: its heading line and the check line."""
    return {
        "intro": (f"The plan ({source}): {count(n_weeks, 'week')}, {count(n_runs, 'run')}, "
                  f"{total:.1f} {unit} "
                  "in all, beside the weeks run before it."),
        "check": ("Checked against your history, the plan raises no flag." if not flags else
                  f"Checked against your history, the plan raises {count(flags, 'flag')}: see "
                  "kneeload plan."),
    }
# --- what was not judged ------------------------------------------------------------------


def count(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the noun, singular for exactly 1: ``count(1, "run")`` is "1 run",
    ``count(2, "activity", "activities")`` is "2 activities"."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


_count = count


def after_today_note(day: Any, activities: int, runs: int, pain_entries: int) -> str:
    """The data after the day judged (``--today``), left out and said once.

    Examples
    --------
    >>> print(after_today_note("2026-04-01", 60, 57, 0))
    57 runs (60 activities) after 2026-04-01 (--today, the day judged) are not judged: the
    season is judged as it stood that day.
    >>> print(after_today_note("2026-04-01", 1, 1, 3))
    1 run and 3 pain entries after 2026-04-01 (--today, the day judged) are not judged: the
    season is judged as it stood that day.
    """
    what = _count(runs, "run")
    if activities != runs:
        what += f" ({_count(activities, 'activity', 'activities')})"
    if pain_entries:
        what += f" and {_count(pain_entries, 'pain entry', 'pain entries')}"
    verb = "is" if runs + pain_entries == 1 and activities == runs else "are"
    return (f"{what} after {pd.Timestamp(day):%Y-%m-%d} (--today, the day judged) {verb} not "
            "judged: the season is judged as it stood that day.")


def nothing_before_today(day: Any, first: Any) -> str:
    """Why nothing can be judged as of ``day``: every activity is after it."""
    return (f"no activity on or before --today {pd.Timestamp(day):%Y-%m-%d} (the data starts "
            f"{pd.Timestamp(first):%Y-%m-%d}): there is nothing to judge as of that day")


def plan_estimate_note(what: str, basis: str, column: str) -> str:
    """How a plan's missing load values were estimated (said once): ``what`` is missing
    ("duration"), ``basis`` the estimate and where it comes from, ``column`` the plan CSV's
    column that would give it.

    Examples
    --------
    >>> print(plan_estimate_note("RPE", "RPE 5, the median RPE of your recent runs", "rpe"))
    The plan has no RPE: each planned run is judged with RPE 5, the median RPE of your recent
    runs. An estimate, not what you will run: add the column 'rpe' to judge the plan as
    written.
    """
    return (f"The plan has no {what}: each planned run is judged with {basis}. An estimate, "
            f"not what you will run: add the column '{column}' to judge the plan as written.")


def incomplete_weeks_note(weeks: Iterable[Any], load: str) -> str:
    """The weeks whose runs miss the load value (``load`` = time or srpe), said once."""
    days = [f"{pd.Timestamp(w):%Y-%m-%d}" for w in weeks]
    missing = "moving time" if load == "time" else "an RPE or a moving time"
    head = (f"The week of {days[0]} is" if len(days) == 1
            else "The weeks of " + ", ".join(days[:-1]) + f" and {days[-1]} are")
    return (f"{head} incomplete for load = \"{load}\": some runs have no {missing}. "
            "Missing is not zero: an incomplete week is not compared with another, on either "
            "side, by the weekly rules.")
