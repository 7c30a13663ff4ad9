"""The season PDF: a first page a physio can read in two minutes, then figures and tables.

Rendered with matplotlib's PDF backend on Agg-canvas figures made directly (never pyplot, so
no GUI backend and no global figure state): no other dependency, opens in ordinary viewers,
a season renders in seconds.
"""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from typing import Any

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from .. import __version__
from ..config import RULE_EVIDENCE
from ..load import SEVERITY_RANK, daily_load, next_week_limits, running, session_spikes
from ..safeio import atomic_write
from ..units import elevation_unit, format_duration, metres_per, to_elevation_unit
from . import figures

A4 = (8.27, 11.69)
DISCLAIMER = ("kneeload describes this runner's own training and logged pain. It is not "
              "medical advice and makes no diagnosis; load-pain pairings are personal, "
              "descriptive associations, not predictions.")


class _Pages:
    """Flowing text onto A4 pages: headings, paragraphs, bullets, monospace blocks."""

    def __init__(self, pdf: PdfPages, title: str):
        self.pdf, self.title = pdf, title
        self.fig = None
        self.y = 0.0
        self.page = 0

    def _new(self) -> None:
        self.flush()
        self.fig = _figure(figsize=A4)
        self.page += 1
        self.fig.text(0.07, 0.975, self.title, fontsize=8, color="#555555")
        self.fig.text(0.93, 0.975, f"page {self.page}", fontsize=8, color="#555555", ha="right")
        self.y = 0.95

    def flush(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            self.fig = None

    def _room(self, need: float) -> None:
        if self.fig is None or self.y - need < 0.04:
            self._new()

    def text(self, s: str, size: float = 9.5, weight: str = "normal", width: int = 100,
             indent: float = 0.0, family: str = "sans-serif", gap: float = 0.004,
             colour: str = "black") -> None:
        line_h = size / 72 / A4[1] * 1.35
        lines = textwrap.wrap(s, width=width) if family != "monospace" else s.splitlines()
        for i, line in enumerate(lines or [""]):
            self._room(line_h)
            self.fig.text(0.07 + indent + (0.018 if i and indent else 0), self.y, line,
                          fontsize=size, weight=weight, family=family, va="top", color=colour)
            self.y -= line_h
        self.y -= gap

    def heading(self, s: str, size: float = 12) -> None:
        self._room(0.08)
        self.y -= 0.008
        self.text(s, size=size, weight="bold", gap=0.006)

    def bullet(self, s: str, width: int = 96, size: float = 9.5) -> None:
        self.text("\u2022 " + s, width=width, indent=0.01, size=size)

    def figures(self, figs: list[Any]) -> None:
        """Figure-drawing callables ``f(ax)``, two per page."""
        self.flush()
        for i in range(0, len(figs), 2):
            fig = _figure(figsize=A4, layout="constrained")
            axes = fig.subplots(2, 1)
            fig.get_layout_engine().set(h_pad=0.35, w_pad=0.3)
            self.page += 1
            fig.suptitle(f"{self.title}  \u2014  page {self.page}", fontsize=8, color="#555555",
                         x=0.5, ha="center")
            for ax, draw in zip(axes, figs[i:i + 2], strict=False):
                draw(ax)
            if len(figs[i:i + 2]) == 1:
                axes[1].set_visible(False)
            self.pdf.savefig(fig)


def _figure(**kwargs: Any) -> Figure:
    fig = Figure(**kwargs)
    FigureCanvasAgg(fig)
    return fig


def _first_sentence(msg: str) -> str:
    head = msg.split(" Evidence:")[0]
    return head


def _evidence_level(rule: str) -> str:
    return RULE_EVIDENCE[rule][0].split(":")[0] if rule in RULE_EVIDENCE else ""


def write_report(season: Any, path: str | os.PathLike[str], *, unit: str | None = None,
                 since: pd.Timestamp | None = None, until: pd.Timestamp | None = None,
                 runner: str | None = None) -> dict[str, Any]:
    """Write the season report PDF to ``path``; return its headline numbers.

    ``until`` judges the season as it stood on that date (later activities are left out);
    ``since`` limits what is shown (rules still use the history before it).
    """
    from ..season import Season

    unit = unit or season.config.unit
    acts = season.activities
    if until is not None:
        acts = acts[acts["local_date"] <= pd.Timestamp(until)]
        pain = None if season.pain is None else season.pain[season.pain["date"] <= until]
        season = Season(acts, season.config, season.skipped, pain, season.shoes,
                        season.shoe_overrides)
    if acts.empty:
        from ..errors import UsageError
        raise UsageError("no activities in the report's period")
    since = pd.Timestamp(since) if since is not None else acts["local_date"].min()
    until = pd.Timestamp(until) if until is not None else acts["local_date"].max()
    per = metres_per(unit)
    eu = elevation_unit(unit)
    flags = season.all_flags()
    shown = flags[(flags["date"] >= since) & (flags["date"] <= until)]
    runs = running(acts)
    runs_in = runs[runs["local_date"].between(since, until)]
    cross = acts[~acts.index.isin(runs.index) & acts["local_date"].between(since, until)]
    weeks = season.weeks[(season.weeks["week_end"] >= since) & (season.weeks["week_start"]
                                                                  <= until)]
    title = f"kneeload load report, {since:%d %b %Y} to {until:%d %b %Y}"
    if runner:
        title = f"{runner}: {title}"
    headline: dict[str, Any] = {
        "since": since, "until": until, "runs": len(runs_in),
        "distance": runs_in["distance_m"].sum() / per, "unit": unit,
        "flags": len(shown), "alerts": int((shown["severity"] == "alert").sum()),
        "warnings": int((shown["severity"] == "warn").sum()),
    }
    meta = {"Title": title, "Author": runner or "kneeload", "Subject":
            "Running load, load flags, shoes and knee pain", "Creator": f"kneeload {__version__}",
            "Keywords": "running load, 10% rule, session spike, runner's knee",
            "CreationDate": dt.datetime.now(dt.timezone.utc)}
    def render(fh) -> None:
        with PdfPages(fh, metadata=meta) as pdf:
            pg = _Pages(pdf, title)
            _first_page(pg, season, since, until, runs_in, cross, shown, weeks, unit, headline)
            _figure_pages(pg, season, since, until, weeks, flags, unit)
            _table_pages(pg, season, weeks, shown, unit, eu, per)
            pg.flush()

    atomic_write(path, render)  # a failed or killed write leaves the previous report
    return headline


def _first_page(pg: _Pages, season: Any, since, until, runs, cross, shown, weeks, unit,
                headline) -> None:
    per = metres_per(unit)
    pg._new()
    pg.text("Running load report", size=18, weight="bold", gap=0.004)
    days = (until - since).days + 1
    pg.text(f"{since:%A %d %B %Y} to {until:%A %d %B %Y} ({days} days, {len(weeks)} weeks). "
            f"Made {dt.date.today():%d %B %Y} by kneeload {__version__}.", size=9,
            colour="#333333", gap=0.012)

    pg.heading("Totals")
    longest = runs["distance_m"].max() / per if len(runs) else 0
    pg.bullet(f"{len(runs)} runs, {runs['distance_m'].sum() / per:.1f} {unit} in "
              f"{format_duration(runs['moving_s'].sum())} (h:mm:ss); longest run "
              f"{longest:.1f} {unit}; {weeks['distance_m'].mean() / per:.1f} {unit} a week "
              "on average.")
    pg.bullet(f"Descent {to_elevation_unit(runs['descent_m'].sum(), unit):.0f} "
              f"{elevation_unit(unit)}; cadence {runs['cadence_spm'].mean():.0f} steps/min on "
              f"average. Cross-training (not counted as running load): {len(cross)} sessions.")

    pg.heading("Most important flags")
    # the most severe first, load rules before pain rules, the latest of each rule only
    ranked = shown.assign(_r=shown["severity"].map(SEVERITY_RANK),
                          _pain=shown["rule"].str.startswith("pain_")).sort_values(
        ["_r", "_pain", "date"], ascending=[False, True, False])
    top = ranked[ranked["_r"] >= 1].drop_duplicates("rule").head(6)
    if top.empty:
        top = ranked.drop_duplicates("rule").head(3)
    if top.empty:
        pg.bullet("No flags in this period.")
    for r in top.itertuples():
        pg.bullet(f"{r.date:%d %b} [{r.severity}] {_first_sentence(r.message)} "
                  f"(evidence: {_evidence_level(r.rule)})", size=9)
    n_info = int((shown["severity"] == "info").sum())
    rest = len(shown) - len(top)
    if rest > 0:
        pg.text(f"{rest} more flag(s) ({n_info} info in all) in the table at the end.", size=8.5,
                colour="#333333")

    if season.shoes is not None:
        from ..shoes import rotation_advice
        pg.heading("Shoes")
        advice = rotation_advice(season.shoe_status(as_of=until))
        for a in advice or ["No pair needs action."]:
            pg.bullet(a, size=9)

    if season.pain is not None:
        pg.heading("Knee pain and load")
        res = season.pairs()
        pg.bullet(res["summary"]["text"], size=9)
        nos = res["pain_without_spike"]
        if len(nos):
            pg.bullet(f"{len(nos)} pain episode(s) had no load spike in the 3 days before "
                      f"(from {', '.join(f'{d:%d %b}' for d in nos['start'])}): not all knee "
                      "pain is load.", size=9)
        headline["pairs"] = len(res["pairs"])

    pg.heading("What to consider next")
    ahead = next_week_limits(season.activities, season.config)
    pg.bullet(f"Next week (from {ahead['week_start']:%d %b}): "
              + (f"at most {ahead['max_week_m'] / per:.1f} {unit} keeps within the 10% and "
                 "two-week rules (evidence weak to moderate)." if ahead["max_week_m"] is not None
                 else "no complete week yet to build a weekly limit on.")
              + (f" Keep any single run under {ahead['max_run_m'] / per:.1f} {unit}, 10% over "
                 "the longest of the last 30 days (the strongest evidence: Frandsen 2025)."
                 if ahead["max_run_m"] else ""), size=9)
    recent = shown[shown["date"] >= until - pd.Timedelta(days=42)]
    if (recent["rule"] == "low_cadence").any() or (
            len(weeks) and weeks["cadence_spm"].iloc[-4:].mean() < 170):
        pg.bullet("Cadence: a gradual +5-10% lowers knee load (biomechanical evidence: "
                  "Heiderscheit 2011, Lenhart 2014); 180 steps/min is not a target.", size=9)
    if (shown["rule"] == "descent_increase").any():
        pg.bullet("Hills: build descent up as gradually as distance (biomechanical evidence; "
                  "no injury study sets a threshold).", size=9)
    if season.pain is not None and recent["rule"].str.startswith("pain_").any():
        pg.bullet("Pain in the last six weeks crossed the pain-monitoring limits: ease off until "
                  "running stays within 2/10 and the knee settles by the next morning "
                  "(Esculier 2018, secondary); see a physiotherapist if it persists despite "
                  "rest.", size=9)
    pg.y -= 0.01
    pg.text(DISCLAIMER, size=8.5, weight="bold", colour="#333333")


def _figure_pages(pg: _Pages, season: Any, since, until, weeks, flags, unit) -> None:
    spikes = session_spikes(season.activities)
    spikes = spikes[spikes["local_date"].between(since, until)]
    ratios = season.acwr()
    ratios = ratios[(ratios.index >= since) & (ratios.index <= until)]
    acts = season.activities[season.activities["local_date"].between(since, until)]
    draws = [
        lambda ax: figures.weekly_distance(weeks, flags, unit, ax=ax),
        lambda ax: figures.session_spikes(spikes, flags, unit, ax=ax),
        lambda ax: figures.weekly_descent(weeks, flags, unit, ax=ax),
        lambda ax: figures.cadence_trend(acts, weeks, ax=ax),
        lambda ax: figures.acwr(ratios, ax=ax),
    ]
    if season.pain is not None:
        load = daily_load(season.activities)
        load = load[(load.index >= since) & (load.index <= until)]
        pain = season.pain[season.pain["date"].between(since, until)]
        pairs = season.pairs()["pairs"]
        draws.append(lambda ax: figures.pain_over_load(load, pain, pairs, unit, ax=ax))
    if season.shoes is not None:
        status = season.shoe_status(as_of=until)
        draws.append(lambda ax: figures.shoe_mileage(status, unit, ax=ax))
    pg.figures(draws)


def _table_pages(pg: _Pages, season: Any, weeks, shown, unit, eu, per) -> None:
    pg._new()
    pg.heading("Weekly table")
    head = (f"{'week':<10} {'runs':>4} {'dist ' + unit:>8} {'change':>7} {'4-wk':>6} "
            f"{'longest':>8} {'descent ' + eu:>11} {'cadence':>7} {'cross':>5}")
    lines = [head, "-" * len(head)]
    for w in weeks.itertuples():
        ch = "" if pd.isna(w.change_prev_pct) else f"{round(w.change_prev_pct):+d}%"
        c4 = "" if pd.isna(w.change_4wk_pct) else f"{round(w.change_4wk_pct):+d}%"
        cad = "" if pd.isna(w.cadence_spm) else f"{w.cadence_spm:.0f}"
        lines.append(f"{w.week_start:%Y-%m-%d} {w.runs:>4} {w.distance_m / per:>8.1f} {ch:>7} "
                     f"{c4:>6} {w.longest_m / per:>8.1f} "
                     f"{to_elevation_unit(w.descent_m, unit):>11.0f} {cad:>7} {w.cross_n:>5}")
    pg.text("\n".join(lines), family="monospace", size=8)

    pg.heading("Flags")
    if shown.empty:
        pg.text("No flags in this period.")
    for r in shown.itertuples():
        pg.text(f"{r.date:%Y-%m-%d}  {r.severity.upper():<5}  {r.rule}: {r.value:g} {r.unit} "
                f"(threshold {r.threshold:g})", size=8.5, weight="bold", gap=0.0)
        pg.text(r.message, size=8, width=118, gap=0.004)

    if season.shoes is not None:
        pg.heading("Shoes")
        st = season.shoe_status()
        head = (f"{'pair':<16} {'distance':>9} {'runs':>4}  {'status':<8} {'first use':<10} "
                f"{'last use':<10} {'notice on':<10} {'replace on':<10} {'share':>5}")
        lines = [head, "-" * len(head)]
        for s in st.itertuples():
            def d(v: Any) -> str:
                return "" if pd.isna(v) else f"{v:%Y-%m-%d}"
            lines.append(f"{s.shoe[:16]:<16} {s.distance_m / per:>6.0f} {unit} {s.runs:>4}  "
                         f"{s.status:<8} {d(s.first_used):<10} {d(s.last_used):<10} "
                         f"{d(s.notice_on):<10} {d(s.replace_on):<10} {s.share:>5.0%}")
        pg.text("\n".join(lines), family="monospace", size=8)

    if season.pain is not None:
        res = season.pairs()
        pg.heading("Load spikes and the pain that followed")
        lines = [f"{'spike':<10} {'rule':<18} {'pain on':<10} {'pain':>4} {'lag':>3}"]
        lines.append("-" * len(lines[0]))
        for p in res["pairs"].itertuples():
            lines.append(f"{p.spike_date:%Y-%m-%d} {p.spike_rules:<18} {p.pain_date:%Y-%m-%d} "
                         f"{p.pain:>4g} {p.lag_days:>3}")
        for p in res["spikes_without_pain"].itertuples():
            lines.append(f"{p.spike_date:%Y-%m-%d} {p.spike_rules:<18} {'no pain':<10}")
        for e in res["pain_without_spike"].itertuples():
            lines.append(f"{'no spike':<10} {'':<18} {e.start:%Y-%m-%d} {e.peak:>4g}")
        pg.text("\n".join(lines), family="monospace", size=8)
    pg.y -= 0.01
    pg.text(DISCLAIMER, size=8, colour="#333333")
