"""Figures of a season. Each takes an optional ``ax``, returns the Figure and never shows it.

Without ``ax`` a new :class:`matplotlib.figure.Figure` is made directly, never through pyplot:
no GUI window, no global figure state, and in Jupyter the returned figure displays once (as
the cell's value), not a second time through pyplot's inline hook. With ``ax`` the figure
draws into those axes (the PDF report, a grid of your own) and returns ``ax.figure``.

Colours are the Okabe-Ito colour-blind-safe palette; every distinction also has a hatch,
marker shape or line style so the figures read in grey-scale print. Units on every axis.
"""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..flagrows import SEVERITY_RANK
from ..rules.acwr_high import uncoupled_of_coupled
from ..units import elevation_unit, metres_per, to_elevation_unit

BLUE, ORANGE, VERMILLION, GREEN, SKY, PURPLE, GREY = (
    "#0072B2", "#E69F00", "#D55E00", "#009E73", "#56B4E9", "#CC79A7", "#999999")
SEVERITY_STYLE = {"info": (BLUE, "o"), "warn": (ORANGE, "^"), "alert": (VERMILLION, "X")}

SEVERITY_HATCH = {"info": "..", "warn": "//", "alert": "xx"}


class SeasonFigure(Figure):
    """A Figure that shows itself as PNG in Jupyter (``_repr_png_``), with or without pyplot
    imported, and therefore exactly once."""

    def draw(self, renderer: Any) -> None:
        """Draw with matplotlib's mathtext off for text made while drawing (tick labels):
        user text is never parsed as maths (a ``$`` in a shoe name)."""
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False}):
            super().draw(renderer)

    def _repr_png_(self) -> bytes:
        import io

        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=100)
        return buf.getvalue()


def new_figure(size: tuple[float, float] = (8, 3.6)) -> tuple[Figure, Axes]:
    """A figure of ``size`` [in] with one axes, on the Agg canvas, outside pyplot."""
    fig = SeasonFigure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _axes(ax: Axes | None, size: tuple[float, float] = (8, 3.6)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    return new_figure(size)


def _dates(ax: Axes) -> None:
    """Date ticks readable at any span: days and months over weeks, months and years over
    years (matplotlib's concise formatter names the year once, not on every tick)."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)


def _worst(flags: pd.DataFrame, rules: tuple[str, ...]) -> dict[pd.Timestamp, str]:
    """Week start -> the most severe severity among ``rules``' flags that week."""
    f = flags[flags["rule"].isin(rules)]
    out: dict[pd.Timestamp, str] = {}
    for r in f.itertuples():
        ws = pd.Timestamp(r.week_start)
        if ws not in out or SEVERITY_RANK[r.severity] > SEVERITY_RANK[out[ws]]:
            out[ws] = r.severity
    return out


def _flagged_weekly_bars(ax: Axes, weeks: pd.DataFrame, heights: pd.Series,
                         worst: dict[pd.Timestamp, str]) -> None:
    """One bar a week; a flagged week coloured and hatched by its most severe flag. Over more
    than a year of weeks the outlines are dropped: at that width they would ink the bars black."""
    bars = ax.bar(weeks["week_start"] + pd.Timedelta(days=3), heights, width=5.5,
                  color=[SEVERITY_STYLE[worst[w]][0] if w in worst else GREY
                         for w in weeks["week_start"]],
                  edgecolor="black", linewidth=0.5 if len(weeks) <= 60 else 0.0)
    for b, w in zip(bars, weeks["week_start"], strict=True):
        if w in worst:
            b.set_hatch(SEVERITY_HATCH[worst[w]])


def weekly_distance(weeks: pd.DataFrame, flags: pd.DataFrame, unit: str = "mi",
                    threshold_pct: float | None = None, ax: Axes | None = None,
                    compact: bool = False) -> Figure:  # noqa: FBT001, FBT002
    """Weekly running distance, the 10% rule's limit and the flagged weeks.

    Parameters
    ----------
    weeks : pandas.DataFrame
        The weekly table (:func:`kneeload.load.weekly_table`), distances in metres.
    flags : pandas.DataFrame
        Flags (:func:`kneeload.load.flags`); weeks with a distance-rule flag are hatched and
        coloured by their most severe flag.
    unit : {"mi", "km"}
        Display unit [mi or km].
    threshold_pct : float, optional
        The step line: last week's distance plus this [%]; default the rules registry's
        ``weekly_increase`` threshold (pass the season's, :func:`figure_settings`).
    ax : matplotlib.axes.Axes, optional
        Draw into these axes; a new figure otherwise.
    compact : bool
        A small version (a one-row legend above the axes, no title) for the report's
        first page.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> from kneeload.load import weekly_table
    >>> from kneeload.schema import conform_activities
    >>> days = pd.to_datetime(["2026-03-02 07:00", "2026-03-09 07:00"])
    >>> runs = conform_activities(pd.DataFrame({
    ...     "start_time": days.tz_localize("UTC"), "local_start": days,
    ...     "local_date": days.normalize(), "sport": "running",
    ...     "distance_m": [8000.0, 9600.0], "moving_s": 2400.0}))
    >>> fig = weekly_distance(weekly_table(runs), pd.DataFrame(columns=["rule"]), "km")
    >>> [round(float(b.get_height()), 1) for b in fig.axes[0].patches]
    [8.0, 9.6]
    """
    fig, ax = _axes(ax)
    per = metres_per(unit)
    x = weeks["week_start"] + pd.Timedelta(days=3)
    d = weeks["distance_m"] / per
    worst = _worst(flags, ("weekly_increase", "two_week_increase", "session_spike"))
    _flagged_weekly_bars(ax, weeks, d, worst)
    threshold_pct = _default(threshold_pct, "weekly_increase", "threshold_pct")
    limit = d.shift(1) * (1 + threshold_pct / 100)
    ax.step(x, limit, where="mid", color="black", linestyle="--", linewidth=1.2)
    ax.set_ylabel(f"running [{unit}/week]" if compact else f"running distance [{unit}/week]")
    handles = [Patch(facecolor=GREY, edgecolor="black", label="no distance flag"),
               Line2D([], [], color="black", linestyle="--",
                      label=f"last week + {threshold_pct:g}%")]
    for sev in ("info", "warn", "alert"):
        if sev in worst.values():
            handles.append(Patch(facecolor=SEVERITY_STYLE[sev][0], hatch=SEVERITY_HATCH[sev],
                                 edgecolor="black", label=f"flagged: {sev}"))
    if compact:
        ax.legend(handles=handles, fontsize=6.5, loc="lower left", bbox_to_anchor=(0, 1.0),
                  ncols=len(handles), frameon=False, borderaxespad=0.1)
        top = float(max(d.max(), limit.max())) if len(d) else 1.0
        ax.set_ylim(0, top * 1.08 if top > 0 else 1.0)
    else:
        ax.set_xlabel("week")
        ax.set_title(f"Weekly running distance and the {threshold_pct:g}% rule")
        ax.legend(handles=handles, fontsize=7, loc="upper left")
    _dates(ax)
    return fig


def weekly_plan(weeks: pd.DataFrame, plan_weeks: pd.DataFrame, unit: str = "mi",
                threshold_pct: float | None = None, ax: Axes | None = None,
                history_weeks: int = 12, today: Any = None) -> Figure:
    """A plan beside the weeks run: the last ``history_weeks`` weeks run (filled grey bars),
    then each planned week as an outlined bar (blue, dashed edge: it reads in grey-scale
    too; a week partly run shows both), and the 10% rule's step line on the weeks before
    (run before the plan, planned from its first week on).

    Parameters
    ----------
    weeks : pandas.DataFrame
        The weekly table (:func:`kneeload.load.weekly_table`), ``distance_m`` [m].
    plan_weeks : pandas.DataFrame
        :func:`kneeload.planner.adherence`'s weeks: ``week_start``, ``planned_m`` [m].
    unit : {"mi", "km"}
        Display unit.
    threshold_pct : float, optional
        The step line: the week before plus this [%]; default the registry's
        ``weekly_increase`` threshold.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes; a new figure otherwise.
    history_weeks : int
        Weeks run shown before the plan's first week.
    today : date-like, optional
        A dotted line on this day (default: none).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _axes(ax, (8, 3.2))
    per = metres_per(unit)
    first = pd.Timestamp(plan_weeks["week_start"].min())
    ran = weeks[weeks["week_start"] >= first - pd.Timedelta(weeks=history_weeks)]
    ax.bar(ran["week_start"] + pd.Timedelta(days=3), ran["distance_m"] / per, width=5.5,
           color=GREY, edgecolor="black", linewidth=0.5, label="run")
    ax.bar(plan_weeks["week_start"] + pd.Timedelta(days=3), plan_weeks["planned_m"] / per,
           width=5.5, facecolor="none", edgecolor=BLUE, linewidth=1.6, linestyle="--",
           label="planned")
    threshold_pct = _default(threshold_pct, "weekly_increase", "threshold_pct")
    before = ran[ran["week_start"] < first].set_index("week_start")["distance_m"]
    planned = plan_weeks.set_index("week_start")["planned_m"]
    series = pd.concat([before, planned]).sort_index() / per
    limit = series.shift(1) * (1 + threshold_pct / 100)
    ax.step(series.index + pd.Timedelta(days=3), limit, where="mid", color="black",
            linestyle=":", linewidth=1.2, label=f"week before + {threshold_pct:g}%")
    if today is not None:
        ax.axvline(pd.Timestamp(today), color=VERMILLION, linewidth=1, linestyle="-.",
                   label="today")
    top = float(np.nanmax([series.max(), limit.max(), (ran["distance_m"] / per).max()]))
    ax.set_ylim(0, top * 1.1 if top > 0 else 1.0)
    ax.set_ylabel(f"running [{unit}/week]")
    ax.legend(fontsize=7, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False,
              borderaxespad=0.1)
    _dates(ax)
    return fig


def session_spikes(spikes: pd.DataFrame, flags: pd.DataFrame, unit: str = "mi",
                   ax: Axes | None = None, window_days: int | None = None) -> Figure:
    """Each run against the longest run of the days before it (30 in Frandsen 2025); flagged
    runs are marked by severity (colour and marker shape).

    Parameters
    ----------
    spikes : pandas.DataFrame
        :func:`kneeload.load.session_spikes`: ``local_date``, ``distance_m`` and
        ``prior_longest_m`` [m].
    flags : pandas.DataFrame
        Flags; the ``session_spike`` ones are marked.
    unit : {"mi", "km"}
        Display unit.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes; a new figure otherwise.
    window_days : int, optional
        The look-back window the ``spikes`` were computed with [days], for the labels;
        default the registry's ``session_spike`` window.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Frandsen et al. 2025, Br J Sports Med 59(17):1203-1210, doi:10.1136/bjsports-2024-109380.
    """
    fig, ax = _axes(ax)
    per = metres_per(unit)
    s = spikes.sort_values("local_start")
    window_days = int(_default(window_days, "session_spike", "window_days"))
    ax.plot(s["local_date"], s["prior_longest_m"] / per, drawstyle="steps-post", color="black",
            linewidth=1.2, label=f"longest run of the {window_days} days before")
    ax.scatter(s["local_date"], s["distance_m"] / per, s=12, color=GREY, label="run", zorder=3)
    f = flags[flags["rule"] == "session_spike"]
    for sev, (col, marker) in SEVERITY_STYLE.items():
        part = f[f["severity"] == sev]
        if part.empty:
            continue
        hit = s[s["local_date"].isin(part["date"])]
        ax.scatter(hit["local_date"], hit["distance_m"] / per, s=70, color=col, marker=marker,
                   edgecolor="black", zorder=4, label=f"spike: {sev}")
    ax.set_ylabel(f"run distance [{unit}]")
    ax.set_xlabel("date")
    ax.set_title(f"Single runs against the {window_days}-day longest")
    ax.legend(fontsize=7, loc="upper left")
    _dates(ax)
    return fig


def acwr(ratios: pd.DataFrame, threshold: float | None = None,
         ax: Axes | None = None) -> Figure:
    """Uncoupled rolling and EWMA acute:chronic ratios with Gabbett's 0.8-1.3 band and the
    threshold line (informational: its predictive value is doubtful). Gabbett's band is on
    the coupled ratio: drawn on the uncoupled one it is 0.75-1.44 (``R_u = 3 R_c / (4 -
    R_c)``, as the 1.5 danger line is the rule's 1.8; docs/rules/acwr_high.md).

    Parameters
    ----------
    ratios : pandas.DataFrame
        :func:`kneeload.load.acwr`, indexed by date: ``acwr_uncoupled``, ``acwr_ewma`` [-].
    threshold : float, optional
        The dashed line [-]; default the registry's ``acwr_high`` threshold.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Gabbett 2016, BJSM 50(5):273-280; Lolli et al. 2019, BJSM 53(15):921; Williams et al. 2017,
    BJSM 51(3):209; Impellizzeri et al. 2021, Sports Med 51:581-592.
    """
    fig, ax = _axes(ax)
    threshold = _default(threshold, "acwr_high", "threshold")
    lo, hi = uncoupled_of_coupled(0.8), uncoupled_of_coupled(1.3)
    ax.axhspan(lo, hi, color=SKY, alpha=0.25,
               label=f"{lo:.2f}-{hi:.2f} (Gabbett 2016's coupled 0.8-1.3, team sports)")
    ax.axhline(threshold, color=VERMILLION, linestyle="--", linewidth=1, label=f"{threshold:g}")
    ax.plot(ratios.index, ratios["acwr_uncoupled"], color=BLUE, linewidth=1.4,
            label="rolling, uncoupled")
    ax.plot(ratios.index, ratios["acwr_ewma"], color=ORANGE, linestyle=":", linewidth=1.6,
            label="EWMA 7/28")
    ax.set_ylabel("acute:chronic ratio [-]")
    ax.set_xlabel("date")
    ax.set_title("Acute:chronic workload ratio (for information only)")
    ax.legend(fontsize=7, loc="best")  # never over the peaks the chart is about
    _dates(ax)
    return fig


def weekly_descent(weeks: pd.DataFrame, flags: pd.DataFrame, unit: str = "mi",
                   ax: Axes | None = None) -> Figure:
    """Weekly running descent, the knee-specific load; weeks with a descent-ramp flag are
    hatched and coloured by severity.

    Parameters
    ----------
    weeks : pandas.DataFrame
        The weekly table, ``descent_m`` [m].
    flags : pandas.DataFrame
        Flags; the ``descent_increase`` ones mark their weeks.
    unit : {"mi", "km"}
        Display unit; descent is shown in ft for mi, m for km.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Telhan et al. 2010, J Athl Train 45:16; Shih & Ho 2023, JSSM 22:111.
    """
    fig, ax = _axes(ax)
    eu = elevation_unit(unit)
    worst = _worst(flags, ("descent_increase",))
    _flagged_weekly_bars(ax, weeks, to_elevation_unit(weeks["descent_m"], unit), worst)
    ax.set_ylabel(f"descent [{eu}/week]")
    ax.set_xlabel("week")
    ax.set_title("Weekly descent (downhill running loads the knee)")
    _dates(ax)
    return fig


def cadence_trend(activities: pd.DataFrame, weeks: pd.DataFrame,
                  threshold_spm: float | None = None, ax: Axes | None = None) -> Figure:
    """Each run's cadence and the weekly mean; the dashed line is the notice threshold, not
    a target (180 spm is folklore).

    Parameters
    ----------
    activities : pandas.DataFrame
        The activities table, ``cadence_spm`` [steps/min].
    weeks : pandas.DataFrame
        The weekly table, ``cadence_spm`` [steps/min] (moving-time-weighted mean).
    threshold_spm : float, optional
        The dashed line [steps/min]; default the registry's ``low_cadence`` threshold.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Heiderscheit et al. 2011, MSSE 43(2):296; Lenhart et al. 2014, MSSE 46(3):557.
    """
    fig, ax = _axes(ax)
    runs = activities[activities["cadence_spm"].notna() & activities["sport"].isin(
        ("running", "trail_running", "treadmill"))]
    ax.scatter(runs["local_date"], runs["cadence_spm"], s=10, color=GREY, label="run")
    w = weeks[weeks["cadence_spm"].notna()]
    ax.plot(w["week_start"] + pd.Timedelta(days=3), w["cadence_spm"], color=BLUE, marker="s",
            markersize=3, linewidth=1.4, label="weekly mean")
    threshold_spm = _default(threshold_spm, "low_cadence", "threshold_spm")
    ax.axhline(threshold_spm, color=ORANGE, linestyle="--", linewidth=1,
               label=f"{threshold_spm:g} spm: notice below (not a target)")
    ax.set_ylabel("cadence [steps/min]")
    ax.set_xlabel("date")
    ax.set_title("Cadence")
    ax.legend(fontsize=7, loc="lower right")
    _dates(ax)
    return fig


def pain_over_load(daily_load_m: pd.Series, pain_log: pd.DataFrame, pairs: pd.DataFrame,
                   unit: str = "mi", threshold: float | None = None, ax: Axes | None = None,
                   spikes_without_pain: pd.DataFrame | None = None) -> Figure:
    """Daily running distance (bars) with knee pain (line); the spikes that were followed by
    pain are marked with a filled triangle and a dotted line to the pain, the spikes with no
    pain after them with a hollow triangle, so the picture is honest both ways.

    Parameters
    ----------
    daily_load_m : pandas.Series
        Running distance per day [m] (:func:`kneeload.load.daily_load`).
    pain_log : pandas.DataFrame
        The pain log: ``date``, ``pain`` [0-10].
    pairs : pandas.DataFrame
        ``pair_pain(...)["pairs"]``: ``spike_date``, ``pain_date``, ``pain``.
    unit : {"mi", "km"}
        Display unit.
    threshold : float, optional
        The dotted pain line [0-10]; default the ``[pain]`` setting's painful-day threshold.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes; a new figure otherwise.
    spikes_without_pain : pandas.DataFrame, optional
        ``pair_pain(...)["spikes_without_pain"]``: ``spike_date``; marked hollow.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if threshold is None:
        from ..config import PAIN_DEFAULTS
        threshold = float(PAIN_DEFAULTS["threshold"])
    fig, ax = _axes(ax, (8, 3.8))
    per = metres_per(unit)
    ax.bar(daily_load_m.index, daily_load_m / per, width=0.9, color=GREY, label="daily running")
    ax.set_ylabel(f"running [{unit}/day]")
    ax.set_xlabel("date")
    ax2 = ax.twinx()
    daily = pain_log.groupby("date")["pain"].max()
    ax2.plot(daily.index, daily.values, color=VERMILLION, marker="o", markersize=3,
             linewidth=1.2, label="knee pain (highest of the day)")
    ax2.axhline(threshold, color=VERMILLION, linestyle=":", linewidth=0.8)
    ax2.set_ylim(0, 10.5)
    ax2.set_ylabel("pain [0-10]")
    if len(pairs):
        for p in pairs.drop_duplicates("spike_date").itertuples():
            ax2.plot([p.spike_date, p.pain_date], [9.6, p.pain], color="black", linestyle=":",
                     linewidth=0.9)
        ax2.scatter(pairs["spike_date"].drop_duplicates(), [9.6] * pairs["spike_date"].nunique(),
                    marker="v", s=60, color=ORANGE, edgecolor="black", zorder=5,
                    label="spike followed by pain")
    if spikes_without_pain is not None and len(spikes_without_pain):
        alone = spikes_without_pain["spike_date"].drop_duplicates()
        ax2.scatter(alone, [9.6] * len(alone), marker="v", s=60, facecolor="white",
                    edgecolor="black", zorder=5, label="spike, no pain after it")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="upper left")
    ax.set_title("Knee pain over load, with the paired spikes")
    _dates(ax)
    return fig


def shoe_mileage(status: pd.DataFrame, unit: str = "mi", ax: Axes | None = None) -> Figure:
    """Each pair's distance against the 300-500 mi (480-800 km) band, with the dates the
    limits were reached or are projected.

    Parameters
    ----------
    status : pandas.DataFrame
        :func:`kneeload.shoes.shoe_status`: ``distance_m``, ``notice_m``, ``replace_m`` [m],
        ``status``, ``replace_on``.
    unit : {"mi", "km"}
        Display unit.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Cook et al. 1985, Am J Sports Med 13(4):248 (a convention from bench tests).
    """
    fig, ax = _axes(ax, (8, 0.9 + 0.6 * max(len(status), 1)))
    per = metres_per(unit)
    s = status.iloc[::-1].reset_index(drop=True)
    y = np.arange(len(s))
    notice = float(s["notice_m"].median()) / per if len(s) else 300.0
    replace = float(s["replace_m"].median()) / per if len(s) else 500.0
    ax.axvspan(notice, replace, color=ORANGE, alpha=0.2,
               label=f"{notice:.0f}-{replace:.0f} {unit}: replace range (a convention)")
    ax.axvline(replace, color=VERMILLION, linestyle="--", linewidth=1)
    hatch = {"retired": "xx", "replace": "//", "notice": "..", "ok": ""}
    colour = {"retired": GREY, "replace": VERMILLION, "notice": ORANGE, "ok": GREEN}
    for i, r in s.iterrows():
        ax.barh(y[i], r.distance_m / per, color=colour[r.status], hatch=hatch[r.status],
                edgecolor="black", linewidth=0.5, height=0.55)
        note = r.status
        if pd.notna(r.replace_on):
            reached = r.status in ("replace", "retired") and r.distance_m >= r.replace_m
            if reached or r.status != "retired":
                note += (f", {r.replace_m / per:.0f} {unit} {'on' if reached else '~'} "
                         f"{r.replace_on:%d %b %Y}")
        elif bool(getattr(r, "replace_beyond", False)):
            note += f", {r.replace_m / per:.0f} {unit} beyond 2100"
        ax.text(r.distance_m / per + 5, y[i], note, va="center", fontsize=7, parse_math=False)
    ax.set_yticks(y, [str(v) for v in s["shoe"]], parse_math=False)  # user text: no mathtext
    ax.set_xlabel(f"distance [{unit}]")
    ax.set_xlim(0, max(replace * 1.35, float((s["distance_m"] / per).max() * 1.35) if len(s)
                       else 0))
    ax.set_title("Shoe mileage")
    ax.legend(fontsize=7, loc="lower right")
    return fig


def fitness_fatigue(table: pd.DataFrame, unit: str = "", ax: Axes | None = None) -> Figure:
    """A performance-management chart: fitness (CTL), fatigue (ATL) and form (TSB) by day.

    A training-monitoring view, not an injury predictor.

    Parameters
    ----------
    table : pandas.DataFrame
        :meth:`kneeload.Season.fitness` (columns ``ctl_<unit>``, ``atl_<unit>``,
        ``tsb_<unit>``) or :func:`kneeload.fitness.fitness_fatigue` (``ctl``, ``atl``,
        ``tsb``), indexed by date.
    unit : str
        The load's unit for the axis label [mi, km, min, ...]; default from the column names.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Banister et al. 1975, Aust J Sports Med 7:57-61; Coggan's Performance Manager;
    GoldenCheetah src/Metrics/PMCData.cpp (k = 1 - exp(-1/tau), form shown the next day).
    """
    fig, ax = _axes(ax)
    cols = {c.split("_", 1)[0]: c for c in table.columns}
    if not unit:
        unit = cols.get("ctl", "ctl").partition("_")[2] or "load"
    unit = unit.replace("rpe_min", "RPE x min")
    tsb = table[cols["tsb"]] if "tsb" in cols else None
    if tsb is not None:
        ax.fill_between(table.index, 0, tsb, where=tsb >= 0, color=GREEN, alpha=0.25,
                        step="mid", label="form (TSB) > 0", hatch="..", linewidth=0)
        ax.fill_between(table.index, 0, tsb, where=tsb < 0, color=VERMILLION, alpha=0.2,
                        step="mid", label="form (TSB) < 0", hatch="//", linewidth=0)
        ax.axhline(0, color="black", linewidth=0.6)
    ax.plot(table.index, table[cols["ctl"]], color=BLUE, linewidth=1.8,
            label="fitness (CTL, chronic)")
    ax.plot(table.index, table[cols["atl"]], color=ORANGE, linestyle="--", linewidth=1.4,
            label="fatigue (ATL, acute)")
    ax.set_ylabel(f"load per day [{unit}]")
    ax.set_xlabel("date")
    ax.set_title("Fitness, fatigue and form (training monitoring, not injury risk)")
    # head room for the legend (two rows), so it never sits on the lines
    values = table[[cols[k] for k in ("ctl", "atl", "tsb") if k in cols]].to_numpy(float)
    if values.size and np.isfinite(values).any():
        low, high = float(np.nanmin(values)), float(np.nanmax(values))
        ax.set_ylim(min(low * 1.1, 0.0), high + (high - min(low, 0.0)) * 0.45 if high > 0
                    else 1.0)
    ax.legend(fontsize=7, loc="upper left", ncols=2)
    _dates(ax)
    return fig


def _default(value: float | None, rule: str, param: str) -> float:
    """``value``, or the rules registry's only default for ``rule.param``."""
    if value is not None:
        return value
    from ..rules import registry
    return float(registry.get(rule).params[param].default)


def figure_settings(config: Any) -> dict[str, dict[str, Any]]:
    """The thresholds each figure draws, from a season's :class:`kneeload.config.Config`
    (so a 15% rule draws "last week + 15%"), by figure function name."""
    return {
        "weekly_distance": {"threshold_pct": config.rule("weekly_increase")["threshold_pct"]},
        "session_spikes": {"window_days": int(config.rule("session_spike")["window_days"])},
        "acwr": {"threshold": config.rule("acwr_high")["threshold"]},
        "cadence_trend": {"threshold_spm": config.rule("low_cadence")["threshold_spm"]},
        "pain_over_load": {"threshold": float(config.pain["threshold"])},
    }


def all_figures(season: Any, unit: str) -> dict[str, Figure]:
    """Every figure for ``season`` (a :class:`kneeload.Season`), by name, drawn with the
    season's configured thresholds."""
    from ..load import session_spikes as spikes_of

    flags = season.flags()
    weeks = season.weeks
    kw = figure_settings(season.config)
    window = kw["session_spikes"]["window_days"]
    figs = {
        "weekly_distance": weekly_distance(weeks, flags, unit, **kw["weekly_distance"]),
        "session_spikes": session_spikes(spikes_of(season.activities, window), flags, unit,
                                         **kw["session_spikes"]),
        "weekly_descent": weekly_descent(weeks, flags, unit),
        "cadence": cadence_trend(season.activities, weeks, **kw["cadence_trend"]),
        "acwr": acwr(season.acwr(), **kw["acwr"]),
    }
    if season.pain is not None:
        from ..load import daily_load
        res = season.pairs()
        figs["pain"] = pain_over_load(daily_load(season.activities), season.pain,
                                      res["pairs"], unit, **kw["pain_over_load"],
                                      spikes_without_pain=res["spikes_without_pain"])
    if season.shoes is not None:
        figs["shoes"] = shoe_mileage(season.shoe_status(), unit)
    return figs
