"""The season report as Markdown (``-o report.md``): the headline, the flags, the weekly
table, the look-ahead, this week, shoes and pairing, for a notes app or a pull request.

Lays out a :class:`~kneeload.report.content.ReportContent`; computes nothing. Figures are
listed by their text alternatives (Markdown has no inline charts without files beside it).
"""

from __future__ import annotations

from ..text import count
from .content import ReportContent, with_unit
from .tables import plan_text, shoes_text, weekly_text


def _cell(v: object) -> str:
    return str(v).replace("|", "\\|").replace("\n", " ")


def render_markdown(content: ReportContent) -> str:
    """The report as Markdown text (UTF-8)."""
    c = content
    t, u = c.totals, c.unit
    out = [f"# Running load report{' for ' + c.runner if c.runner else ''}", "",
           f"{c.since:%A %d %B %Y} to {c.until:%A %d %B %Y} ({t.days} days, {t.weeks} weeks). "
           f"Made {c.made:%d %B %Y} by kneeload {c.version}.", "", c.completeness.line, "",
           "## Totals", "",
           f"{count(t.runs, 'run')}, {t.distance:.1f} {u}; longest run {t.longest:.1f} {u}; "
           f"{t.weekly_mean:.1f} {u} a week on average; descent {t.descent:.0f} "
           f"{c.elevation_unit}.", "",
           f"Flags: {len(c.flags)} ({c.flag_counts.get('alert', 0)} alert, "
           f"{c.flag_counts.get('warn', 0)} warn, {c.flag_counts.get('info', 0)} info).", "",
           "## Most important flags", ""]
    out += [f"- **{f.date:%d %b %Y}: {f.name}** ({f.severity}). {f.summary} "
            f"Evidence: {f.evidence_level}." for f in c.top_flags] or ["- No flags."]
    out += ["", "## What to consider next", ""] + [f"- {a}" for a in c.advice]
    if c.this_week_text:
        out += ["", "## This week", ""] + [f"- {x}" for x in c.this_week_text]
    if c.tolerance_text:
        out += ["", "## What the knee has tolerated", "", c.tolerance_text]
    if c.plan is not None:
        p = c.plan
        out += ["", "## The plan", "", p.intro, "", "```", plan_text(p.weeks, u), "```", "",
                p.check]
        out += [f"- {x}" for x in p.flags + p.notes]
        out += ["", p.disclaimer]
    if c.fitness is not None:
        out += ["", "## Fitness, fatigue and form", "", c.fitness.text]
    out += ["", "## Weekly table", "", "```", weekly_text(c.weeks, u, c.elevation_unit), "```",
            "", "## Flags", ""]
    if c.flags:
        out += ["| date | severity | rule | value | threshold | what happened |",
                "|---|---|---|---:|---:|---|"]
        out += [f"| {f.date:%Y-%m-%d} | {f.severity} | {_cell(f.name)} | "
                f"{with_unit(f.value, f.unit)} | {with_unit(f.threshold, f.unit)} | "
                f"{_cell(f.summary)} |" for f in c.flags]
    else:
        out.append("No flags in this period.")
    if c.shoes is not None:
        out += ["", "## Shoes", "", "```", shoes_text(c.shoes.pairs, u), "```", ""]
        out += [f"- {a}" for a in c.shoes.advice] + ["", c.shoes.note]
    if c.pain is not None:
        out += ["", "## Knee pain and load", "", c.pain.summary, "", c.pain.rule, ""]
        out += [f"- {p['text']} ({p['rule_name']})" for p in c.pain.pairs]
        out += [f"- {p['spike_date']} ({p['rule_name']}): no pain after it"
                for p in c.pain.spikes_without_pain]
        out += [f"- from {e['start']}: pain up to {e['peak']:g}/10 with no load spike before it"
                for e in c.pain.pain_without_spike]
    if c.figures:
        out += ["", "## Figures (in the PDF and HTML reports)", ""]
        out += [f"- {x.caption} {x.alt}" for x in c.figures]
    if c.notes:
        out += ["", "## Notes", ""] + [f"- {n}" for n in c.notes]
    out += ["", f"*{c.disclaimer}*", ""]
    return "\n".join(out)
