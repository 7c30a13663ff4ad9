"""The season report as one self-contained HTML page.

Lays out a :class:`~kneeload.report.content.ReportContent`; computes nothing. One file: the
styles inline, the figures inline as SVG (text kept as text, so it scales, prints sharply and
can be searched and read by screen readers), no script, no font, no network request of any
kind. Readable on a phone (one column, tables scroll sideways inside their box) and a laptop,
printable (figures never split across pages), accessible (landmarks and a heading outline,
every figure with a text alternative, tables with captions, header scopes and explained
columns, severity shown by word and symbol as well as colour, Okabe-Ito colours).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Sequence
from functools import partial
from html import escape
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from ..units import format_duration
from .content import WEEK_COLUMNS, Flag, ReportContent, Week, draw_figure, with_unit

SYMBOL = {"info": "\u25cf", "warn": "\u25b2", "alert": "\u2716"}  # circle, triangle, cross

CSS = """
:root { --ink: #1a1a1a; --muted: #555; --line: #d0d0d0; --info: #0072B2; --warn: #E69F00;
        --alert: #D55E00; --bg-info: #e6f1f8; --bg-warn: #fdf3de; --bg-alert: #fbe8dc; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.5;
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
header, main, footer { max-width: 62rem; margin: 0 auto; padding: 0 1rem; }
header { padding-top: 1.2rem; border-bottom: 2px solid var(--ink); }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
.meta, .small, figcaption, caption { color: var(--muted); font-size: .9rem; }
.completeness { font-size: .95rem; background: #f4f4f4; padding: .4rem .6rem;
                border-left: 4px solid var(--muted); }
ul { padding-left: 1.2rem; }
li { margin: .25rem 0; }
dl.totals { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
            gap: .5rem; margin: 0; }
dl.totals div { border: 1px solid var(--line); border-radius: 6px; padding: .4rem .6rem; }
dl.totals dt { font-size: .8rem; color: var(--muted); }
dl.totals dd { margin: 0; font-size: 1.2rem; font-weight: 600; }
.sev { display: inline-block; min-width: 4.2rem; padding: 0 .35rem; border-radius: 4px;
       font-size: .8rem; font-weight: 700; text-transform: uppercase; border: 1px solid; }
.sev-info { color: #004c77; background: var(--bg-info); border-color: var(--info); }
.sev-warn { color: #6b4a00; background: var(--bg-warn); border-color: var(--warn); }
.sev-alert { color: #8a3300; background: var(--bg-alert); border-color: var(--alert); }
.evidence { color: var(--muted); font-size: .9rem; }
figure { margin: 1rem 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; max-width: 36rem; height: auto; display: block; margin: 0 auto; }
.scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: .9rem;
        font-variant-numeric: tabular-nums; }
caption { text-align: left; padding: .4rem .6rem; caption-side: top; }
th, td { padding: .3rem .55rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { background: #f4f4f4; text-align: left; }
td.num, th.num { text-align: right; }
td.wrap { white-space: normal; min-width: 18rem; }
td.name { white-space: normal; min-width: 9rem; max-width: 14rem; }
tr.flagged-warn td:first-child { border-left: 4px solid var(--warn); }
tr.flagged-alert td:first-child { border-left: 4px solid var(--alert); }
tr.flagged-info td:first-child { border-left: 4px solid var(--info); }
dl.columns dt { font-weight: 600; float: left; clear: left; margin-right: .4rem; }
dl.columns dd { margin: 0 0 .15rem 0; }
.disclaimer { font-weight: 600; border: 1px solid var(--line); padding: .6rem; }
a { color: #005a8c; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .3rem; }
@media (max-width: 40rem) { body { font-size: 15px; } h1 { font-size: 1.4rem; } }
@media print {
  body { font-size: 10.5pt; }
  header, main, footer { max-width: none; padding: 0; }
  .scroll { overflow: visible; border: none; }
  th, td { white-space: normal; }
  h2 { break-after: avoid; page-break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  .skip { display: none; }
}
"""


def _e(v: Any) -> str:
    return escape(str(v), quote=True)


#: The page's figures are drawn this wide [in] (the PDF's are 8 in): at the 390 px of a
#: phone the SVG is shown at about 1:1, so its text keeps the size it was drawn at.
HTML_FIGURE_WIDTH_IN = 5.2
#: Smallest text in a page figure [pt]: legends, ticks and labels stay readable on a phone.
HTML_MIN_FONT_PT = 8.5


def _phone_size(fig: Figure) -> None:
    """Redraw ``fig`` narrower and taller, with no text under :data:`HTML_MIN_FONT_PT`, so a
    phone shows it near 1:1 (the page also caps the figures' width on a wide screen)."""
    w, h = fig.get_size_inches()
    fig.set_size_inches(HTML_FIGURE_WIDTH_IN, max(h * 1.15, 3.2))
    for text in fig.findobj(matplotlib.text.Text):
        if float(text.get_fontsize()) < HTML_MIN_FONT_PT:
            text.set_fontsize(HTML_MIN_FONT_PT)


def _svg(draw: Callable[[], Figure], label: str, salt: str) -> str:
    """The figure ``draw()`` makes, as inline SVG with ``label`` as its text alternative."""
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt,
                                "font.family": "DejaVu Sans", "text.parse_math": False}):
        fig = draw()
        _phone_size(fig)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight")
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML declaration and DOCTYPE
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, count=1, flags=re.S)  # RDF stamp
    svg = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"',
                 lambda m: f'<svg {m.group(1)}', svg, count=1)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_e(label)}" ', 1)
    return svg  # clip-path ids derive from the salt: unique across the page's figures


def _figure(draw: Callable[[], Figure], label: str, caption: str, salt: str) -> str:
    return (f"<figure>{_svg(draw, label, salt)}<figcaption>{_e(caption)}</figcaption>"
            "</figure>")


def _dates(ds: Sequence[dt.date]) -> str:
    return ", ".join(f"{d:%d %b %Y}" for d in ds) if ds else "none"


def _weekly_alt(c: ReportContent) -> str:
    w = c.weeks
    if not w:
        return "Weekly running distance: no weeks."
    top = max(w, key=lambda x: x.distance)
    flagged = [f"{x.week_start:%d %b %Y} ({x.worst})" for x in w if x.worst]
    return (f"Bar chart of weekly running distance [{c.unit}], {len(w)} weeks from "
            f"{w[0].week_start:%d %b %Y} to {w[-1].week_start:%d %b %Y}; the biggest week "
            f"{top.distance:.1f} {c.unit} (week of {top.week_start:%d %b %Y}); weeks with a "
            f"flag: {', '.join(flagged) or 'none'}. A dashed step line shows last week + 10%.")


def _spike_alt(c: ReportContent) -> str:
    hits = [f.date for f in c.flags if f.rule == "session_spike"]
    return (f"Scatter of each run's distance [{c.unit}] against a step line of the longest run "
            f"of the 30 days before; single-run spikes flagged on {_dates(hits)}.")


def _sev(sev: str) -> str:
    return (f'<span class="sev sev-{_e(sev)}"><span aria-hidden="true">{SYMBOL.get(sev, "")}'
            f"</span> {_e(sev)}</span>")


def _flag_item(f: Flag) -> str:
    return (f"<li>{_sev(f.severity)} <strong>{f.date:%d %b %Y}: {_e(f.name)}</strong>. "
            f"{_e(f.summary)} <span class=\"evidence\">Evidence: {_e(f.evidence_level)}."
            "</span></li>")


def _table(caption: str, head: Sequence[tuple[str, str, bool]], rows: Sequence[str],
           ident: str) -> str:
    """``head``: (label, explanation, numeric). ``rows``: ready ``<tr>`` strings."""
    ths = "".join(
        f'<th scope="col"{" class=num" if num else ""}>'
        + (f'<abbr title="{_e(expl)}">{_e(label)}</abbr>' if expl else _e(label)) + "</th>"
        for label, expl, num in head)
    return (f'<div class="scroll" role="region" aria-labelledby="{ident}" tabindex="0">'
            f'<table><caption id="{ident}">{_e(caption)}</caption><thead><tr>{ths}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _td(v: Any, num: bool = False) -> str:  # noqa: FBT001, FBT002
    return f'<td class="num">{_e(v)}</td>' if num else f"<td>{_e(v)}</td>"


def _pct(v: float | None) -> str:
    return "" if v is None else f"{round(v):+d}%"


def _week_row(w: Week) -> str:
    cls = f' class="flagged-{w.worst}"' if w.worst else ""
    flag = f" {SYMBOL[w.worst]} {w.worst}" if w.worst else ""
    return (f"<tr{cls}><th scope=\"row\">{w.week_start:%Y-%m-%d}{_e(flag)}</th>"
            + _td(w.runs, True) + _td(f"{w.distance:.1f}", True)
            + _td(_pct(w.change_prev_pct), True) + _td(_pct(w.change_4wk_pct), True)
            + _td(f"{w.longest:.1f}", True) + _td(f"{w.descent:.0f}", True)
            + _td("" if w.cadence_spm is None else f"{w.cadence_spm:.0f}", True)
            + _td(w.cross_n, True) + "</tr>")


def _plan_section(c: ReportContent) -> str:
    """The plan beside the weekly chart: its figure, its weeks, the check and its notes
    ("" without a plan)."""
    p = c.plan
    if p is None:
        return ""
    u = c.unit
    out = ['<section aria-labelledby="plan"><h2 id="plan">The plan</h2>', f"<p>{_e(p.intro)}</p>"]
    for i, spec in enumerate(x for x in c.figures if x.place == "plan"):
        out.append(_figure(partial(draw_figure, c, spec.name), spec.alt, spec.caption, f"p{i}"))
    rows = [f"<tr><th scope=\"row\">{w.week_start:%Y-%m-%d}</th>" + _td(f"{w.distance:.1f}", True)
            + _td(f"{w.long_run:.1f}", True) + _td(w.runs, True)
            + _td("" if w.run is None else f"{w.run:.1f}", True) + _td(w.mode)
            + _td(w.bounded_by) + "</tr>" for w in p.weeks]
    out.append(_table("The plan's weeks, and what was run in them",
                      [("week", "the week's first day", False),
                       (f"planned [{u}]", "the week's planned running", True),
                       (f"long run [{u}]", "the week's longest planned run", True),
                       ("runs", "planned runs", True),
                       (f"run [{u}]", "what was run that week (blank: not begun)", True),
                       ("mode", "build, lighter, hold or taper", False),
                       ("bounded by", "the rule or heuristic that bounds the week", False)],
                      rows, "plan-t"))
    out.append(f"<p>{_e(p.check)}</p>")
    items = p.flags + p.notes
    if items:
        out.append("<ul>" + "".join(f"<li>{_e(x)}</li>" for x in items) + "</ul>")
    out.append(f'<p class="small">{_e(p.disclaimer)}</p></section>')
    return "".join(out)


def render_html(content: ReportContent) -> str:
    """The report as one self-contained HTML document (UTF-8 text)."""
    c = content
    t, u, eu = c.totals, c.unit, c.elevation_unit
    parts: list[str] = []
    add = parts.append
    add('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<meta name=\"generator\" content=\"kneeload {_e(c.version)}\">"
        f"<title>{_e(c.title)}</title><style>{CSS}</style></head><body>")
    add('<a class="skip" href="#main">Skip to the report</a><header>')
    add(f"<h1>Running load report{' for ' + _e(c.runner) if c.runner else ''}</h1>")
    add(f'<p class="meta">{c.since:%A %d %B %Y} to {c.until:%A %d %B %Y} ({t.days} days, '
        f"{t.weeks} weeks). Made {c.made:%d %B %Y} by kneeload {_e(c.version)}.</p>")
    add(f'<p class="completeness" id="completeness">{_e(c.completeness.line)}</p></header>')
    add('<main id="main">')

    add('<section aria-labelledby="totals"><h2 id="totals">Totals</h2><dl class="totals">')
    for label, value in (("runs", t.runs), (f"distance [{u}]", f"{t.distance:.1f}"),
                         ("moving time [h:mm:ss]", format_duration(t.moving_s)),
                         (f"longest run [{u}]", f"{t.longest:.1f}"),
                         (f"a week on average [{u}]", f"{t.weekly_mean:.1f}"),
                         (f"descent [{eu}]", f"{t.descent:.0f}"),
                         ("cadence [steps/min]",
                          "n/a" if t.cadence_spm is None else f"{t.cadence_spm:.0f}"),
                         ("cross-training sessions", t.cross_sessions)):
        add(f"<div><dt>{_e(label)}</dt><dd>{_e(value)}</dd></div>")
    add("</dl>")
    for spec in (x for x in c.figures if x.place == "totals"):
        add(_figure(partial(draw_figure, c, spec.name), spec.alt, spec.caption,
                    spec.name[0]))
    add("</section>")

    add('<section aria-labelledby="important"><h2 id="important">Most important flags</h2>')
    add("<p class=\"small\">The latest flag of each rule, the most severe first.</p><ul>")
    add("".join(_flag_item(x) for x in c.top_flags) or "<li>No flags in this period.</li>")
    add("</ul>")
    rest = len(c.flags) - len(c.top_flags)
    if rest > 0:
        add(f'<p class="small">{rest} more flag(s) in <a href="#flags">the flags table</a>.</p>')
    add("</section>")

    add('<section aria-labelledby="next"><h2 id="next">What to consider next</h2><ul>')
    add("".join(f"<li>{_e(a)}</li>" for a in c.advice) + "</ul>")
    add("</section>")
    if c.this_week_text:
        add('<section aria-labelledby="this-week"><h2 id="this-week">This week</h2><ul>'
            + "".join(f"<li>{_e(x)}</li>" for x in c.this_week_text) + "</ul></section>")

    if c.shoes is not None:
        add('<section aria-labelledby="shoes"><h2 id="shoes">Shoes</h2><ul>')
        add("".join(f"<li>{_e(a)}</li>" for a in c.shoes.advice)
            or "<li>No pair needs action.</li>")
        add("</ul></section>")
    if c.pain is not None:
        add('<section aria-labelledby="pain"><h2 id="pain">Knee pain and load</h2><ul>')
        add(f"<li>{_e(c.pain.summary)}</li>")
        nos = c.pain.pain_without_spike
        if nos:
            add(f"<li>{len(nos)} pain episode(s) had no load spike in the days before (from "
                f"{_e(', '.join(e['start'] for e in nos))}): not all knee pain is load.</li>")
        add("</ul></section>")
    if c.tolerance_text:
        add('<section aria-labelledby="tolerance"><h2 id="tolerance">What the knee has '
            f"tolerated</h2><p>{_e(c.tolerance_text)}</p></section>")

    add(_plan_section(c))
    add(f'<p class="disclaimer">{_e(c.disclaimer)}</p>')
    add('<section aria-labelledby="figures"><h2 id="figures">Figures</h2>')
    add("" if c.fitness is None else f'<p class="small">{_e(c.fitness.text)}</p>')
    for i, spec in enumerate(x for x in c.figures if x.place == "figures"):
        add(_figure(partial(draw_figure, c, spec.name), spec.alt, spec.caption,
                    f"f{i}"))
    add("".join(f'<p class="small">{_e(why)}</p>' for why in c.missing_figures.values()))
    add("</section>")

    add('<section aria-labelledby="tables"><h2 id="tables">Tables</h2>')
    head = [("week", WEEK_COLUMNS["week"], False), ("runs", WEEK_COLUMNS["runs"], True),
            (f"distance [{u}]", WEEK_COLUMNS["distance"], True),
            ("change", WEEK_COLUMNS["change"], True), ("vs 4 wk", WEEK_COLUMNS["vs 4 wk"], True),
            (f"longest [{u}]", WEEK_COLUMNS["longest"], True),
            (f"descent [{eu}]", WEEK_COLUMNS["descent"], True),
            ("cadence [spm]", WEEK_COLUMNS["cadence"], True),
            ("cross", WEEK_COLUMNS["cross"], True)]
    add(_table("Weekly table (flagged weeks marked)", head, [_week_row(w) for w in c.weeks],
               "weekly"))
    add('<dl class="columns small">' + "".join(
        f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in WEEK_COLUMNS.items()) + "</dl>")

    rows = [f"<tr class=\"flagged-{_e(x.severity)}\"><td>{x.date:%Y-%m-%d}</td>"
            f"<td>{_sev(x.severity)}</td><td class=\"name\">{_e(x.name)}</td>"
            + _td(with_unit(x.value, x.unit), True) + _td(with_unit(x.threshold, x.unit), True)
            + f'<td class="wrap">{_e(x.summary)}<br><span class="evidence">Evidence: '
            f"{_e(x.evidence)}. {_e(x.references)}</span></td></tr>" for x in c.flags]
    add('<h3 id="flags">Flags</h3>')
    add(_table("Every flag of the period, by date; on a day, the most severe first",
               [("date", "", False), ("severity", "", False), ("rule", "", False),
                ("value", "the measured value", True),
                ("threshold", "the rule's threshold", True),
                ("what happened, and the evidence", "", False)],
               rows or ['<tr><td colspan="6">No flags in this period.</td></tr>'], "flags-t"))

    if c.shoes is not None:
        add('<h3 id="shoe-table">Shoes</h3>')
        srows = [f"<tr><th scope=\"row\">{_e(s.shoe)}</th>" + _td(f"{s.distance:.0f}", True)
                 + _td(s.runs, True) + _td(s.status) + _td(s.first_used or "")
                 + _td(s.last_used or "")
                 + _td("beyond 2100" if s.notice_beyond else s.notice_on or "")
                 + _td("beyond 2100" if s.replace_beyond else s.replace_on or "")
                 + _td(f"{s.share:.0%}", True) + "</tr>" for s in c.shoes.pairs]
        add(_table("Shoe status", [("pair", "", False), (f"distance [{u}]", "", True),
                                   ("runs", "", True), ("status", "ok, notice, replace, retired",
                                                        False),
                                   ("first use", "", False), ("last use", "", False),
                                   ("notice on", "date the notice distance was or will be "
                                                 "reached", False),
                                   ("replace on", "date the replace distance was or will be "
                                                  "reached", False),
                                   ("share", "share of recent running", True)],
                   srows, "shoes-t"))
        add(f'<p class="small">{_e(c.shoes.note)}</p>')

    if c.pain is not None:
        add('<h3 id="pairs">Load spikes and the pain that followed</h3>')
        add(f'<p class="small">{_e(c.pain.rule)}</p>')
        prow = [f"<tr><td>{_e(p['spike_date'])}</td><td>{_e(p['rule_name'])}</td>"
                f"<td class=\"wrap\">{_e(p['text'])}</td>" + _td(f"{p['pain']:g}", True)
                + _td(p["lag_days"], True) + "</tr>" for p in c.pain.pairs]
        prow += [f"<tr><td>{_e(p['spike_date'])}</td><td>{_e(p['rule_name'])}</td>"
                 "<td>no pain</td><td></td><td></td></tr>" for p in c.pain.spikes_without_pain]
        prow += [f"<tr><td>no spike</td><td></td><td>from {_e(e['start'])}</td>"
                 + _td(f"{e['peak']:g}", True) + "<td></td></tr>"
                 for e in c.pain.pain_without_spike]
        add(_table("Spikes paired with pain within the window, spikes without pain, and pain "
                   "without a spike", [("spike", "", False), ("rule", "", False),
                                       ("pain entries", "each entry with its own date and "
                                        "time of day, as logged", False),
                                       ("pain [0-10]", "the load day's highest score", True),
                                       ("lag [days]", "days from the spike to the load day "
                                        "the pain counts for", True)],
                   prow, "pairs-t"))
    add("</section>")

    comp = c.completeness
    add('<section aria-labelledby="read"><h2 id="read">What was read</h2>')
    add(f"<p>{_e(comp.line)}</p>")
    if comp.skipped:
        add("<ul>" + "".join(f"<li><code>{_e(s.path)}</code>: {_e(s.reason)} ({_e(s.kind)})"
                             "</li>" for s in comp.skipped) + "</ul>")
    if c.notes:
        add("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in c.notes) + "</ul>")
    add("</section></main>")
    add(f'<footer><p class="small">{_e(c.disclaimer)} Made by kneeload {_e(c.version)}; '
        "this page loads nothing from the network.</p></footer></body></html>\n")
    return "".join(parts)
