"""The ``session_spike`` rule."""

from __future__ import annotations

import pandas as pd

from ..flagrows import dist, flag_rows, pct_text, who
from ..limits import Limit
from ..loadcalc import running, session_spikes, week_start_of
from . import SEVERITY_OVERRIDE, Param, registry, rule

_PCT = "%"
#: Where this rule's limit shows in the advice: each day's longest single run and the recent
#: longest (:class:`kneeload.advice.DayLimit`). The advice finds its figures by this role in the
#: limit's ``detail``, never by the rule's name.
ADVICE_ROLE = "day_spike"


def session_spike_limit(activities: pd.DataFrame, day: pd.Timestamp, *, window_days: int,
                        caution_pct: float, break_days: int | None = None) -> Limit | None:
    """The longest run on ``day`` (placed at noon, as planned runs are) within
    ``caution_pct`` [%] of the longest run of the ``window_days`` [days] before it, as
    :func:`kneeload.loadcalc.session_spikes` measures it (None: too little history or no
    run in the window). Before ``window_days`` of history the rule does not judge yet; the
    limit is still given (advice errs on the safe side) and ``detail["judged"]`` is false.
    A run on ``day`` that would be the first after ``break_days`` [days] or more with no run
    is measured against the longest run of the ``window_days`` up to the last run before the
    break (``detail["break_days"]``: the break's length)."""
    runs = running(activities)
    if runs.empty:
        return None
    start = day + pd.Timedelta(hours=12)
    first = pd.Timestamp(runs["local_date"].min())
    earlier = runs[runs["local_start"] < start]
    last = pd.Timestamp(earlier["local_date"].max()) if len(earlier) else None
    gap = 0 if last is None else (day - last).days
    judged = (day - first).days >= int(window_days)
    if break_days is not None and last is not None and gap >= int(break_days):
        prior = earlier[earlier["local_date"] > last - pd.Timedelta(days=int(window_days))]
    else:
        gap = 0
        prior = runs[(runs["local_start"] >= start - pd.Timedelta(days=int(window_days)))
                     & (runs["local_start"] < start)]
    dist = prior["distance_m"].fillna(0.0)
    longest = float(dist.max()) if len(dist) else 0.0
    if not longest > 0:
        return None
    return Limit("session_spike", longest * (1 + caution_pct / 100), None, longest,
                 {"advice": ADVICE_ROLE, "caution_pct": caution_pct,
                  "window_days": int(window_days),
                  "recent_longest_m": longest, "judged": judged, "break_days": gap})


@rule("session_spike", order=50, limit=session_spike_limit,
      title="A single run longer than the recent longest (Frandsen 2025)",
      kind="activities", grade="strong", pairs_with_pain=True,
      evidence="the strongest available: a cohort of 5,205 adult runners (mean age 46, 78% "
               "men) and 588,071 sessions; the outcome was any self-reported overuse "
               "running-related injury (not knee pain alone), and all three bands "
               "significantly raised its rate",
      citation="Frandsen et al. 2025, Br J Sports Med 59(17):1203-1210, "
               "doi:10.1136/bjsports-2024-109380",
      severity="warn in the >10-30% and >30-100% bands (HRR 1.64 and 1.52, significant); alert "
               "above 100% (HRR 2.28)",
      params=(Param("window_days", 30, "days", "the look-back", kind="int", low=1, high=365),
              Param("caution_pct", 10.0, _PCT, "flag above this (HRR 1.64 for >10-30%)",
                    high=10000.0),
              Param("second_band_pct", 30.0, _PCT, "the second band starts here (HRR 1.52 for "
                    ">30-100%)", high=10000.0),
              Param("large_pct", 100.0, _PCT, "the large band starts here (HRR 2.28 for "
                    ">100%)", high=10000.0),
              SEVERITY_OVERRIDE))
def session_spike(activities: pd.DataFrame, *, window_days: int, caution_pct: float,
                  second_band_pct: float, large_pct: float, severity: str, unit: str = "mi",
                  week_start: str = "monday", break_days: int | None = None) -> pd.DataFrame:
    """Single-run spike: a run more than ``caution_pct`` [%] longer than the longest run of
    the preceding ``window_days`` [days]; bands at ``second_band_pct`` and ``large_pct``
    [%]. Runs with less history are not judged. The first run after ``break_days`` [days]
    or more with no run (the context value the runners fill in from the
    ``return_after_break`` rule's ``gap_days``; None: no such run) is measured against the
    longest run of the ``window_days`` up to the last run before the break, whatever the
    break's length, so a longer break never lowers the severity (see
    :func:`kneeload.loadcalc.session_spikes`).

    Parameters
    ----------
    enabled : bool
        run the rule.
    window_days : int
        the look-back [days].
    caution_pct : float
        flag above this (HRR 1.64 for >10-30%) [%].
    second_band_pct : float
        the second band starts here (HRR 1.52 for >30-100%) [%].
    large_pct : float
        the large band starts here (HRR 2.28 for >100%) [%].
    severity : str
        'auto' follows the severity scheme; info, warn or alert fixes it.

    References
    ----------
    Frandsen et al. 2025, Br J Sports Med 59(17):1203-1210: hazard rate ratios against
    <=10%: >10-30% 1.64 (1.31-2.05); >30-100% 1.52 (1.16-2.00); >100% 2.28 (1.50-3.48).
    """
    record = registry.get("session_spike")
    s = session_spikes(activities, window_days, break_days)
    s = s[s["spike_pct"] > caution_pct]
    s = s.assign(xws=week_start_of(s["local_date"], week_start))
    rows = []
    for r in s.itertuples():
        band = ("large" if r.spike_pct > large_pct else "second" if r.spike_pct > second_band_pct
                else "first")
        thr = {"large": large_pct, "second": second_band_pct, "first": caution_pct}[band]
        hrr = {"large": "2.28", "second": "1.52", "first": "1.64"}[band]
        before = (f"your longest run of the {window_days} days before your {r.break_days}-day "
                  "break" if r.break_days else
                  f"your longest run of the {window_days} days before")
        rows.append({
            **who(r),
            "rule": "session_spike",
            "severity": record.severity_of("large" if band == "large" else "over",
                                           {"severity": severity}),
            "date": r.local_date, "week_start": r.xws,
            "value": round(float(r.spike_pct), 1), "threshold": thr, "unit": "%",
            "message": (f"Run on {r.local_start:%a %d %b}: {dist(r.distance_m, unit)}, "
                        f"{pct_text(r.spike_pct, thr)} on {before} "
                        f"({dist(r.prior_longest_m, unit)}). In 5,205 runners, "
                        f"single runs this much longer than the recent longest came with {hrr}x "
                        "the injury rate. " + record.evidence_text),
        })
    return flag_rows(rows)
