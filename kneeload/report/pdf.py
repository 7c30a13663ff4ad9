"""The season PDF: a first page a physio can read in two minutes, then figures and tables.

Lays out a :class:`~kneeload.report.content.ReportContent`; computes nothing. Rendered with
matplotlib's PDF backend on Agg-canvas figures made directly (never pyplot, so no GUI backend
and no global figure state), with TrueType (Type 42) fonts so text is crisp, searchable and
copyable in every viewer. Figures and tables flow down A4 pages, so no page is left half empty
between sections.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from collections.abc import Callable
from functools import partial
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from ..clock import now as clock_now
from ..text import count
from ..units import format_duration
from .content import WEEK_COLUMNS, Flag, ReportContent, draw_figure, with_unit
from .tables import plan_text, shoes_text, weekly_text

A4 = (8.27, 11.69)  # [in]
LEFT, TOP, BOTTOM = 0.07, 0.95, 0.045  # page margins [fraction of the page]
#: matplotlib settings of every page: TrueType fonts (no Type 3), a sans-serif that has
#: every glyph we print, and figure text sizes fit for A4.
#: ``text.parse_math`` off: user text (a runner's or a shoe's name, "Cheap $$ pair") is
#: never parsed as matplotlib mathtext; no text of ours uses it.
RC: Any = {"pdf.fonttype": 42, "font.family": "DejaVu Sans", "text.parse_math": False,
           "axes.titlesize": 10,
      "axes.labelsize": 8.5, "xtick.labelsize": 8, "ytick.labelsize": 8}


class _Pages:
    """Flowing text and figures onto A4 pages: headings, paragraphs, bullets, monospace blocks."""

    def __init__(self, pdf: PdfPages, title: str):
        self.pdf, self.title = pdf, title
        self.fig: Figure | None = None
        self.y = 0.0
        self.page = 0
        self.bottom = BOTTOM

    def new(self) -> Figure:
        self.flush()
        fig = Figure(figsize=A4)
        FigureCanvasAgg(fig)
        self.fig = fig
        self.page += 1
        fig.text(LEFT, 0.975, self.title, fontsize=8, color="#555555")
        fig.text(1 - LEFT, 0.975, f"page {self.page}", fontsize=8, color="#555555",
                 ha="right")
        self.y = TOP
        self.bottom = BOTTOM
        return fig

    def flush(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            self.fig = None

    def room(self, need: float) -> Figure:
        """The current page, or a new one when less than ``need`` [fraction] is left."""
        if self.fig is None or self.y - need < self.bottom:
            return self.new()
        return self.fig

    def text(self, s: str, size: float = 9.5, weight: str = "normal", width: int = 100,
             indent: float = 0.0, family: str = "sans-serif", gap: float = 0.004,
             colour: str = "black") -> None:
        line_h = size / 72 / A4[1] * 1.35
        lines = textwrap.wrap(s, width=width) if family != "monospace" else s.splitlines()
        for i, line in enumerate(lines or [""]):
            fig = self.room(line_h)
            fig.text(LEFT + indent + (0.018 if i and indent else 0), self.y, line,
                     fontsize=size, weight=weight, family=family, va="top", color=colour)
            self.y -= line_h
        self.y -= gap

    def heading(self, s: str, size: float = 12, keep: float = 0.08) -> None:
        """A heading kept on one page with at least ``keep`` [fraction] of what follows."""
        self.room(keep)
        self.y -= 0.008
        self.text(s, size=size, weight="bold", gap=0.006, width=int(84 * 9.5 / size))

    def bullet(self, s: str, width: int | None = None, size: float = 9.5) -> None:
        """A bullet point; ``width`` [characters] defaults to what fits at ``size`` [pt]."""
        self.text("\u2022 " + s, width=width or int(96 * 9.5 / size), indent=0.01, size=size)

    def figure(self, draw: Callable[[Axes], Any], height_in: float) -> None:
        """Draw ``draw(ax)`` into a slot ``height_in`` [in] tall on the flowing page."""
        h = height_in / A4[1]
        fig = self.room(h)
        ax = fig.add_axes((LEFT + 0.05, self.y - h + 0.04, 1 - 2 * LEFT - 0.07, h - 0.07))
        draw(ax)
        self.y -= h


def render_pdf(content: ReportContent) -> bytes:
    """The report as PDF bytes (A4; page 1 in plain words, then figures and tables)."""
    c = content
    meta = {"Title": c.title, "Author": c.runner or "kneeload",
            "Subject": "Running load, load flags, shoes and knee pain",
            "Creator": f"kneeload {c.version}",
            "Keywords": "running load, 10% rule, session spike, runner's knee",
            "CreationDate": clock_now()}
    buf = io.BytesIO()
    with matplotlib.rc_context(RC), PdfPages(buf, metadata=meta) as pdf:
        pg = _Pages(pdf, c.title)
        _first_page(pg, c)
        _plan(pg, c)
        _figures(pg, c)
        _tables(pg, c)
        pg.flush()
    return buf.getvalue()


def _flag_line(f: Flag) -> str:
    return (f"{f.date:%d %b} [{f.severity}] {f.name}: {f.headline} "
            f"(evidence: {f.evidence_level})")


def _first_page(pg: _Pages, c: ReportContent) -> None:
    t = c.totals
    u = c.unit
    first = pg.new()
    # the disclaimer at the foot of page 1, whatever flows above it
    first.text(LEFT, 0.058, "\n".join(textwrap.wrap(c.disclaimer, 118)), fontsize=7.5,
               weight="bold", color="#333333", va="top")
    pg.bottom = 0.075
    pg.text("Running load report" + (f" for {c.runner}" if c.runner else ""), size=18,
            weight="bold", gap=0.004)
    pg.text(f"{c.since:%A %d %B %Y} to {c.until:%A %d %B %Y} ({t.days} days, {t.weeks} weeks). "
            f"Made {c.made:%d %b %Y} by kneeload {c.version}.", size=9, colour="#333333",
            gap=0.002, width=110)
    pg.text(c.completeness.line, size=8.5, colour="#333333", gap=0.008, width=112)

    pg.heading("Totals")
    cadence = "" if t.cadence_spm is None else f"; cadence {t.cadence_spm:.0f} steps/min on average"
    pg.bullet(f"{count(t.runs, 'run')}, {t.distance:.1f} {u} in "
              f"{format_duration(t.moving_s)} (h:mm:ss); "
              f"longest run {t.longest:.1f} {u}; {t.weekly_mean:.1f} {u} a week on average.")
    pg.bullet(f"Descent {t.descent:.0f} {c.elevation_unit}{cadence}. Cross-training (not "
              f"counted as running load): {count(t.cross_sessions, 'session')}.")
    for spec in (x for x in c.figures if x.place == "totals"):
        pg.figure(partial(draw_figure, c, spec.name, compact=True),
                  spec.height_in)

    pg.heading("Most important flags (most severe first)")
    if not c.top_flags:
        pg.bullet("No flags in this period.")
    for f in c.top_flags:
        pg.bullet(_flag_line(f), size=8.5)
    rest = len(c.flags) - len(c.top_flags)
    if rest > 0:
        pg.text(f"{rest} more flag(s) ({c.flag_counts.get('info', 0)} info in all) in the "
                "flags table.", size=8.5, colour="#333333")

    pg.heading("What to consider next")
    for a in c.advice:
        pg.bullet(a, size=8.5)
    if c.this_week_text:
        pg.heading("This week")
        for line in c.this_week_text:
            pg.bullet(line, size=8.5)
    if c.shoes is not None:
        pg.heading("Shoes")
        for a in c.shoes.advice or ["No pair needs action."]:
            pg.bullet(a, size=8.5)
    if c.pain is not None:
        pg.heading("Knee pain and load")
        pg.bullet(c.pain.summary, size=9)
        nos = c.pain.pain_without_spike
        if nos:
            pg.bullet(f"{len(nos)} pain episode(s) had no load spike in the days before "
                      f"(from {', '.join(_short(e['start']) for e in nos)}): not all knee pain "
                      "is load.", size=9)
    if c.tolerance_text:
        pg.heading("What the knee has tolerated")
        pg.bullet(c.tolerance_text, size=8.5)


def _short(iso: str) -> str:
    return f"{dt.date.fromisoformat(iso):%d %b}"


def _plan(pg: _Pages, c: ReportContent) -> None:
    p = c.plan
    if p is None:
        return
    pg.heading("The plan", keep=0.35)
    pg.text(p.intro, size=9)
    for spec in (x for x in c.figures if x.place == "plan"):
        pg.figure(partial(draw_figure, c, spec.name), spec.height_in)
        pg.text(spec.caption, size=8, colour="#333333")
    pg.text(plan_text(p.weeks, c.unit), family="monospace", size=8)
    pg.text(p.check, size=8.5)
    for f in p.flags:
        pg.bullet(f, size=8)
    for n in p.notes:
        pg.bullet(n, size=8, width=118)
    pg.text(p.disclaimer, size=8, colour="#333333", width=118)


def _figures(pg: _Pages, c: ReportContent) -> None:
    pg.heading("Figures", keep=0.35)
    if c.fitness is not None:
        pg.text(c.fitness.text, size=8.5, colour="#333333", width=112)
    for why in c.missing_figures.values():
        pg.text(why, size=8.5, colour="#333333")
    for spec in (x for x in c.figures if x.place == "figures"):
        pg.figure(partial(draw_figure, c, spec.name), spec.height_in)


def _tables(pg: _Pages, c: ReportContent) -> None:
    pg.heading("Weekly table", keep=0.2)
    pg.text(weekly_text(c.weeks, c.unit, c.elevation_unit), family="monospace", size=8)
    pg.text("Columns: " + "; ".join(f"{k}: {v}" for k, v in WEEK_COLUMNS.items()) + ".",
            size=8, width=120, colour="#333333")

    pg.heading("Flags (by date; on a day, the most severe first)", keep=0.1)
    if not c.flags:
        pg.text("No flags in this period.")
    for fl in c.flags:
        pg.text(f"{fl.date:%Y-%m-%d}  {fl.severity.upper():<5}  {fl.name}: "
                f"{with_unit(fl.value, fl.unit)} (threshold {with_unit(fl.threshold, fl.unit)}; "
                f"evidence: {fl.evidence_level})",
                size=8.5, weight="bold", gap=0.0, width=96)  # bold 8.5 pt: 96 fit the margins
        pg.text(fl.message, size=8, width=118, gap=0.004)

    if c.shoes is not None:
        pg.heading("Shoes", keep=0.12)
        pg.text(shoes_text(c.shoes.pairs, c.unit), family="monospace", size=8)
        pg.text(c.shoes.note, size=8, colour="#333333", width=120)

    if c.pain is not None:
        pg.heading("Load spikes and the pain that followed", keep=0.12)
        pg.text(c.pain.rule, size=8, colour="#333333", width=120)
        for p in c.pain.pairs:
            pg.bullet(f"{p['text']} ({p['rule_name']})", size=8)
        for p in c.pain.spikes_without_pain:
            pg.bullet(f"{_short(p['spike_date'])}: {p['rule_name']} -> no pain after it", size=8)
        for e in c.pain.pain_without_spike:
            pg.bullet(f"{_short(e['start'])}: pain up to {e['peak']:g}/10 with no load spike "
                      "before it", size=8)
        pg.text("Pain: the day's highest score [0-10]; days later: from the spike to the pain.",
                size=8, colour="#333333")

    comp = c.completeness
    pg.heading("What was read", keep=0.08)
    pg.text(comp.line, size=8.5, width=118)
    for s in comp.skipped:
        pg.bullet(f"{s.path}: {s.reason} ({s.kind})", size=8, width=118)
    for n in c.notes:
        pg.bullet(n, size=8, width=118)
    pg.y -= 0.01
    pg.text(c.disclaimer, size=8, colour="#333333")
