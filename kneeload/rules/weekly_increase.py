"""The ``weekly_increase`` rule."""

from __future__ import annotations

import pandas as pd

from ..flagrows import amount, flag_rows, pct_text, who
from ..limits import Limit
from ..loadcalc import (
    LOAD_COLUMNS,
    PCT_DECIMALS,
    grolling_mean,
    gshift,
    incomplete_weeks,
    week_start_of,
)
from . import SEVERITY_OVERRIDE, Param, registry, rule

_PCT = "%"
#: Where this rule's limit shows in the advice: the look-ahead's 10% figure (``max_week_10pct``).
#: The advice finds its figures by this role in the limit's ``detail``, never by the rule's name.
ADVICE_ROLE = "week_10pct"


def weekly_increase_limit(activities: pd.DataFrame, day: pd.Timestamp, *,  # noqa: ARG001
                          threshold_pct: float, min_base_m: float, load: str = "distance",
                          week_start: str = "monday",
                          weeks: pd.DataFrame | None = None) -> Limit | None:
    """The week holding ``day`` may hold at most the complete week before x
    (1 + ``threshold_pct`` / 100), the week before taken as at least ``min_base_m`` [m]
    (None: no complete week before, a return week, or a load other than distance)."""
    if load != "distance" or weeks is None or weeks.empty:
        return None
    ws = week_start_of(pd.Series([day]), week_start).iloc[0]
    prev = weeks[weeks["week_start"] == ws - pd.Timedelta(days=7)]
    this = weeks[weeks["week_start"] == ws]
    if prev.empty or bool(prev["partial"].iloc[0]):
        return None
    if len(this) and int(this["return_week"].iloc[0]) != 0:
        return None
    last = float(prev["distance_m"].iloc[0])
    top = max(last, min_base_m) * (1 + threshold_pct / 100)
    return Limit("weekly_increase", None, top, last,
                 {"advice": ADVICE_ROLE, "threshold_pct": threshold_pct, "last_week_m": last,
                  "min_base_m": min_base_m, "week_start": f"{ws:%Y-%m-%d}"})


@rule("weekly_increase", order=10, limit=weekly_increase_limit,
      title="The 10% rule, week over week", kind="weeks",
      grade="weak", pairs_with_pain=True,
      evidence="weak: the rule's origin is undocumented and a randomised trial found no fewer "
               "injuries with it",
      citation="Buist et al. 2008, Am J Sports Med 36(1):33-39; Nielsen et al. 2014, JOSPT",
      severity="info (weak evidence), whatever the size",
      params=(Param("threshold_pct", 10.0, _PCT, "the rule's limit", high=1000.0),
              Param("min_base_m", 8046.72, "m", "the week before must have at least this "
                    "much running (5 mi)", high=1e6),
              Param("min_base_s", 3600.0, "s", "with load = time: the week before must hold "
                    "this much running time (1 h, about 5 mi at 12 min/mi)", high=1e6),
              Param("min_base_srpe", 300.0, "RPE-min", "with load = srpe: the week before "
                    "must hold this much session-RPE (1 h at RPE 5)", high=1e6),
              SEVERITY_OVERRIDE))
def weekly_increase(weeks: pd.DataFrame, *, threshold_pct: float, min_base_m: float,
                    min_base_s: float, min_base_srpe: float, severity: str, unit: str = "mi",
                    load: str = "distance") -> pd.DataFrame:
    """The 10% rule: a complete week's running distance more than ``threshold_pct`` [%]
    above the complete week before. Not judged when the week before is under ``min_base_m``
    [m] (a tiny base), when either week is partial, or in the weeks of a return after a
    break (the ``return_after_break`` rule judges those). The message also gives the change
    on the mean of the 4 weeks before, which a deload week does not inflate. ``load`` (the
    config's) chooses what is compared: running distance, moving time (runs with no
    distance count) or session-RPE.

    Parameters
    ----------
    enabled : bool
        run the rule.
    threshold_pct : float
        the rule's limit [%].
    min_base_m : float
        the week before must have at least this much running (5 mi) [m].
    min_base_s : float
        with load = time: the week before must hold this much running time (1 h, about 5
        mi at 12 min/mi) [s].
    min_base_srpe : float
        with load = srpe: the week before must hold this much session-RPE (1 h at RPE 5)
        [RPE-min].
    severity : str
        'auto' follows the severity scheme; info, warn or alert fixes it.

    References
    ----------
    Buist et al. 2008, Am J Sports Med 36(1):33-39. Nielsen et al. 2014, JOSPT. Foster et al.
    2001 (session-RPE).
    """
    record = registry.get("weekly_increase")
    col = LOAD_COLUMNS[load]
    base = {"distance": min_base_m, "time": min_base_s, "srpe": min_base_srpe}[load]
    rows = []
    if load == "distance":
        weeks = weeks.assign(xload=weeks["distance_m"], xch=weeks["change_prev_pct"],
                             xch4=weeks["change_4wk_pct"])
    else:
        # a partial week, or one with a run missing its time or RPE, is not compared
        v = weeks[col].where(~weeks["partial"] & ~incomplete_weeks(weeks, load))
        p1 = gshift(weeks.assign(_v=v), "_v", 1)
        m4 = grolling_mean(p1, weeks, 4, 3)
        weeks = weeks.assign(xload=weeks[col],
                             xch=(((v / p1.where(p1 > 0)) - 1) * 100).round(PCT_DECIMALS),
                             xch4=(((v / m4.where(m4 > 0)) - 1) * 100).round(PCT_DECIMALS))
    prev = gshift(weeks, "xload", 1)
    hit = weeks.assign(xprev=prev)[
        (prev >= base) & (weeks["xch"] > threshold_pct) & (weeks["return_week"] == 0)]
    for w in hit.itertuples():
        p = w.xprev
        four = ""
        if pd.notna(w.xch4):
            mean4 = w.xload / (1 + w.xch4 / 100)
            four = (f" and {pct_text(w.xch4, threshold_pct)} on the mean of the 4 "
                    f"weeks before ({amount(mean4, load, unit)})")
            if w.xch4 <= threshold_pct:
                four += ": the week before was lighter, so this is mostly a return to your usual"
        rows.append({
            **who(w),
            "rule": "weekly_increase", "severity": record.severity_of("over", {
                "severity": severity}), "date": w.week_end,
            "week_start": w.week_start, "value": round(float(w.xch), 1),
            "threshold": threshold_pct, "unit": "%",
            "message": (f"Week of {w.week_start:%d %b}: {amount(w.xload, load, unit)} of "
                        f"running, {pct_text(w.xch, threshold_pct)} on the week before "
                        f"({amount(p, load, unit)}){four}. The {threshold_pct:g}% rule advises "
                        f"at most +{threshold_pct:g}% a week. " + record.evidence_text),
        })
    return flag_rows(rows)
