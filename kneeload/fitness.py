"""Fitness, fatigue and form (the impulse-response model), and Banister's heart-rate TRIMP.

A *training-monitoring* model: it summarises how much running was done lately (acute load,
"fatigue", ATL) against the weeks before (chronic load, "fitness", CTL). It is **not an
injury predictor**: no study shows CTL, ATL or their difference (form, TSB) predicts running
injury, and the model's "fitness" is a weighted sum of load, not a measured capacity.

Recursion (Coggan's PMC, as GoldenCheetah's ``PMCData::refresh`` computes it)::

    k      = 1 - exp(-1 / tau)                  # tau: 42 days (CTL), 7 days (ATL)
    X_t    = X_{t-1} + (L_t - X_{t-1}) * k      # X_{-1} = 0, rest days L_t = 0
    TSB_t  = CTL_{t-1} - ATL_{t-1}              # form on the morning of day t (TSB_0 = 0)

``k = 1 - exp(-1/tau)`` (0.02353 for 42 d, 0.13312 for 7 d), not ``1/tau`` (0.02381, 0.14286):
GoldenCheetah uses ``exp(-1/ltsDays)``; the intervals.icu figures quoted on its forum
(0.023528 and 0.133122 a day) are the same. TSB is yesterday's CTL minus yesterday's ATL,
GoldenCheetah's default ("SB on the following day"): form before today's run.

Load is kneeload's load measure (``Config.load``): distance [m], moving time [s] or session
RPE [RPE x min]; the time constants are the ``[fitness]`` table of kneeload.toml.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import FITNESS_SETTINGS, Config
from .errors import UsageError
from .load import LOAD_COLUMNS, daily_load, running, with_srpe

_DEFAULTS = {p.name: p.default for p in FITNESS_SETTINGS}
#: Default chronic (fitness) and acute (fatigue) time constants [days].
CTL_DAYS = float(_DEFAULTS["ctl_days"])
ATL_DAYS = float(_DEFAULTS["atl_days"])
#: Resting heart rate used when none is set [bpm]: a typical adult value (heuristic), never
#: measured; TRIMP results say when it was used.
HR_REST_DEFAULT = float(_DEFAULTS["hr_rest"])
#: Heart rates outside this range are not taken as a runner's maximum [bpm] (strap
#: dropouts and spikes).
HR_PLAUSIBLE = (100.0, 220.0)
#: Banister's weighting ``k * exp(b * x)`` by sex (Banister 1991).
TRIMP_WEIGHTS = {"male": (0.64, 1.92), "female": (0.86, 1.67)}


def daily_training_load(activities: pd.DataFrame, load: str = "distance",
                        start: pd.Timestamp | None = None,
                        end: pd.Timestamp | None = None) -> pd.Series:
    """Running load per local date, every day present (rest days 0).

    Parameters
    ----------
    activities : pandas.DataFrame
        The activities table (one runner).
    load : {"distance", "time", "srpe"}
        The load measure: distance [m], moving time [s] or session RPE [RPE x min]
        (Foster 2001); ``Config.load``.
    start, end : pandas.Timestamp, optional
        The first and last day; default the first and last run.

    Returns
    -------
    pandas.Series
        Indexed by ``local_date``, named after the load column.
    """
    if load not in LOAD_COLUMNS:
        raise UsageError(f"load must be one of {', '.join(LOAD_COLUMNS)}, not {load!r}")
    acts = with_srpe(activities) if load == "srpe" else activities
    return daily_load(acts, LOAD_COLUMNS[load], start=start, end=end)


def impulse_response(daily: pd.Series, ctl_days: float = CTL_DAYS,
                     atl_days: float = ATL_DAYS) -> pd.DataFrame:
    """Chronic load (CTL), acute load (ATL) and form (TSB) from a daily load series.

    Parameters
    ----------
    daily : pandas.Series
        Load per day, every day present, rest days 0 [the load's unit].
    ctl_days, atl_days : float
        Time constants tau of fitness and fatigue [days].

    Returns
    -------
    pandas.DataFrame
        Same index; ``load``, ``ctl``, ``atl`` [the load's unit per day], ``tsb`` = yesterday's
        ``ctl - atl`` (0 on the first day).

    Notes
    -----
    ``X_t = X_{t-1} + (L_t - X_{t-1}) (1 - exp(-1/tau))``, ``X`` 0 before the first day
    (module docstring). The first weeks under-state CTL: it needs ~3 tau to settle.

    References
    ----------
    Banister et al. 1975, Aust J Sports Med 7:57-61 (the impulse-response model).
    Coggan, the Performance Manager (TrainingPeaks); GoldenCheetah src/Metrics/PMCData.cpp.

    Examples
    --------
    >>> s = pd.Series([100.0, 0.0], index=pd.date_range("2026-09-01", periods=2))
    >>> impulse_response(s).round(3)["atl"].tolist()
    [13.312, 11.54]
    """
    for name, tau in (("ctl_days", ctl_days), ("atl_days", atl_days)):
        if not (isinstance(tau, (int, float)) and math.isfinite(tau) and tau > 0):
            raise UsageError(f"{name} must be a positive number of days, not {tau!r}")
    values = daily.astype(float).fillna(0.0).to_numpy()
    out = {}
    for name, tau in (("ctl", ctl_days), ("atl", atl_days)):
        k = 1.0 - math.exp(-1.0 / tau)
        x = np.empty_like(values)
        prev = 0.0
        for i, v in enumerate(values):  # a recursion: one pass, days are few
            prev = prev + (v - prev) * k
            x[i] = prev
        out[name] = x
    tsb = np.concatenate([[0.0], (out["ctl"] - out["atl"])[:-1]]) if len(values) else values
    return pd.DataFrame({"load": values, "ctl": out["ctl"], "atl": out["atl"], "tsb": tsb},
                        index=daily.index)


def fitness_fatigue(activities: pd.DataFrame, config: Config | None = None, *,
                    end: pd.Timestamp | None = None) -> pd.DataFrame:
    """:func:`impulse_response` of the running load the config counts, with its time
    constants (``[fitness]`` of kneeload.toml), from the first run to ``end`` (default the
    last run). Loads in SI (distance [m], time [s]) or RPE x min."""
    cfg = config or Config()
    if running(activities).empty:
        return pd.DataFrame(columns=["load", "ctl", "atl", "tsb"],
                            index=pd.DatetimeIndex([], name="local_date"), dtype=float)
    daily = daily_training_load(activities, cfg.load, end=end)
    return impulse_response(daily, float(cfg.fitness["ctl_days"]),
                            float(cfg.fitness["atl_days"]))


# --- TRIMP -----------------------------------------------------------------------------------


def _hr_reserve(hr: np.ndarray, hr_rest: float, hr_max: float) -> np.ndarray:
    if not hr_max > hr_rest:
        raise UsageError(f"hr_max ({hr_max:g} bpm) must be above hr_rest ({hr_rest:g} bpm)")
    return np.clip((hr - hr_rest) / (hr_max - hr_rest), 0.0, 1.0)


def _weights(sex: str) -> tuple[float, float]:
    try:
        return TRIMP_WEIGHTS[sex]
    except KeyError:
        raise UsageError(f"sex must be 'male' or 'female', not {sex!r}") from None


def trimp_banister(duration_min: float | np.ndarray | pd.Series,
                   hr_avg_bpm: float | np.ndarray | pd.Series, hr_rest: float,
                   hr_max: float, sex: str = "male") -> np.ndarray | float:
    """Banister's training impulse from a session's duration and average heart rate.

    ``TRIMP = D * x * k * exp(b * x)``, ``x = (HR_avg - HR_rest) / (HR_max - HR_rest)``
    (heart-rate reserve fraction, clipped to 0-1), ``k, b`` = 0.64, 1.92 (men) or 0.86, 1.67
    (women).

    Parameters
    ----------
    duration_min : float or array
        Session duration [min].
    hr_avg_bpm : float or array
        Average heart rate [bpm]; NaN gives NaN.
    hr_rest, hr_max : float
        Resting and maximum heart rate [bpm].
    sex : {"male", "female"}
        Which weighting.

    Returns
    -------
    float or numpy.ndarray
        TRIMP [arbitrary units, ~min at threshold-like effort].

    References
    ----------
    Banister EW 1991, Modeling elite athletic performance, in MacDougall, Wenger, Green
    (eds), Physiological Testing of the High-Performance Athlete, 2nd ed., Human Kinetics,
    403-424. Morton, Fitz-Clarke, Banister 1990, J Appl Physiol 69(3):1171-1177.

    Examples
    --------
    >>> round(float(trimp_banister(30, 150, 60, 190)), 2)
    50.22
    """
    k, b = _weights(sex)
    x = _hr_reserve(np.asarray(hr_avg_bpm, dtype=float), hr_rest, hr_max)
    out = np.asarray(duration_min, dtype=float) * x * k * np.exp(b * x)
    return float(out) if out.ndim == 0 else out


def trimp_samples(samples: pd.DataFrame, hr_rest: float, hr_max: float,
                  sex: str = "male", max_gap_s: float = 30.0) -> float:
    """Banister's TRIMP summed over heart-rate samples: each interval's minutes times its
    weighting, ``sum dt_i * x_i * k * exp(b * x_i)`` with ``x_i`` from the heart rate at the
    interval's start. Intervals longer than ``max_gap_s`` [s] (pauses) and samples without a
    heart rate count nothing.

    Parameters
    ----------
    samples : pandas.DataFrame
        :func:`kneeload.read_samples`: ``time`` (UTC) and ``hr_bpm`` [bpm].
    hr_rest, hr_max : float
        [bpm].
    sex : {"male", "female"}
    max_gap_s : float
        [s].

    Returns
    -------
    float
        TRIMP; NaN without any heart rate.
    """
    k, b = _weights(sex)
    hr = samples["hr_bpm"].to_numpy(dtype=float)
    if len(hr) < 2 or np.isnan(hr).all():
        return float("nan")
    times = pd.to_datetime(samples["time"])
    t = (times - times.iloc[0]).dt.total_seconds().to_numpy()  # any datetime resolution
    dt = np.diff(t)
    h = hr[:-1]
    ok = (dt > 0) & (dt <= max_gap_s) & ~np.isnan(h)
    x = _hr_reserve(h[ok], hr_rest, hr_max)
    return float(np.sum(dt[ok] / 60.0 * x * k * np.exp(b * x)))


@dataclass(frozen=True)
class HeartRateLimits:
    """The heart rates TRIMP used and where each came from."""

    hr_rest: float
    hr_max: float
    rest_source: str  # "settings" or "default"
    max_source: str   # "settings" or "data"
    note: str


def heart_rate_limits(activities: pd.DataFrame, config: Config | None = None
                      ) -> HeartRateLimits | None:
    """HR rest and max for TRIMP: the ``[fitness]`` settings, else rest
    :data:`HR_REST_DEFAULT` and max the highest plausible (:data:`HR_PLAUSIBLE`) recorded
    maximum of the runs; None when there is no heart rate to estimate a maximum from."""
    cfg = config or Config()
    rest = float(cfg.fitness["hr_rest"])
    rest_src = "settings" if rest != HR_REST_DEFAULT else "default"
    hr_max = float(cfg.fitness["hr_max"])
    max_src = "settings"
    if hr_max <= 0:
        runs = running(activities)
        cand = pd.concat([runs["hr_max_bpm"], runs["hr_avg_bpm"]]).astype(float)
        cand = cand[(cand >= HR_PLAUSIBLE[0]) & (cand <= HR_PLAUSIBLE[1])]
        if cand.empty:
            return None
        hr_max, max_src = float(cand.max()), "data"
    parts = []
    if rest_src == "default":
        parts.append(f"resting heart rate {rest:.0f} bpm is a default, not measured (set "
                     "hr_rest in [fitness] of kneeload.toml)")
    if max_src == "data":
        parts.append(f"maximum heart rate {hr_max:.0f} bpm is the highest plausible one "
                     "recorded, which under-states a true maximum never reached in training "
                     "(set hr_max in [fitness])")
    note = ("TRIMP: " + "; ".join(parts) + ".") if parts else ""
    return HeartRateLimits(rest, hr_max, rest_src, max_src, note)


def activity_trimp(activities: pd.DataFrame, config: Config | None = None,
                   samples: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Banister's TRIMP of each run: from its heart-rate samples where ``samples`` holds
    them (by ``activity_id``), else from its moving time and average heart rate.

    Returns
    -------
    pandas.DataFrame
        ``activity_id``, ``local_date``, ``trimp``, ``trimp_source`` ("samples", "average"
        or "none": no heart rate), with the :class:`HeartRateLimits` used in
        ``.attrs["hr_limits"]`` and its note in ``.attrs["note"]``.
    """
    cfg = config or Config()
    runs = running(activities)
    out = runs[["activity_id", "local_date"]].copy()
    limits = heart_rate_limits(activities, cfg)
    if limits is None:
        out["trimp"], out["trimp_source"] = np.nan, "none"
        out.attrs["note"] = "TRIMP: no heart rate recorded on any run."
        out.attrs["hr_limits"] = None
        return out.reset_index(drop=True)
    sex = str(cfg.fitness["sex"])
    avg = trimp_banister(runs["moving_s"].to_numpy(float) / 60.0,
                         runs["hr_avg_bpm"].to_numpy(float), limits.hr_rest, limits.hr_max,
                         sex)
    out["trimp"] = avg
    out["trimp_source"] = np.where(np.isnan(avg), "none", "average")
    for i, aid in enumerate(runs["activity_id"]):
        if samples and aid in samples:
            v = trimp_samples(samples[aid], limits.hr_rest, limits.hr_max, sex)
            if not math.isnan(v):
                out.iloc[i, out.columns.get_loc("trimp")] = v
                out.iloc[i, out.columns.get_loc("trimp_source")] = "samples"
    out.attrs["note"] = limits.note
    out.attrs["hr_limits"] = limits
    return out.reset_index(drop=True)
