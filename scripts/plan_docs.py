"""Make docs/plan.md's pictures and FIT listing from the sample season, reproducibly.

    python scripts/plan_docs.py            # writes docs/plan-weeks.png, docs/plan-calendar.png
                                           # and prints the decoded FIT workout steps

The plan is the one of ``kneeload plan --build --history sample_data --goal 30mi/week
--weeks 6 --today 2026-08-17``: its weeks beside the weeks run (the report's ``weekly_plan``
figure), its calendar (the ``.ics`` kneeload writes, parsed back with the ``icalendar``
library and drawn as a week grid) and its watch workouts (the FIT files, decoded back with
``fitdecode``). Needs the ``test`` and ``watch`` extras.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import fitdecode
import icalendar
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kneeload  # noqa: E402
from kneeload import planfiles  # noqa: E402
from kneeload.report import build_content  # noqa: E402
from kneeload.report.content import draw_figure  # noqa: E402
from kneeload.report.figures import BLUE, GREY, ORANGE  # noqa: E402

TODAY = "2026-08-17"
GOAL = "30mi/week"
WEEKS = 6


def weeks_png(season: kneeload.Season, plan: object, out: Path) -> None:
    """The report's plan figure, drawn as the PDF draws it."""
    content = build_content(season, today=TODAY, plan=plan)
    fig = draw_figure(content, "weekly_plan")
    fig.set_size_inches(7.5, 3.0)
    fig.savefig(out, dpi=80)


def calendar_png(ics: bytes, out: Path) -> None:
    """The calendar's events (parsed back with icalendar) as a Monday-first week grid."""
    cal = icalendar.Calendar.from_ical(ics)
    events = [(pd.Timestamp(e.decoded("DTSTART")), str(e["SUMMARY"]))
              for e in cal.walk("VEVENT")]
    first = min(d for d, _ in events)
    monday = first - pd.Timedelta(days=first.day_of_week)
    n = max((d - monday).days // 7 for d, _ in events) + 1
    fig = Figure(figsize=(7.5, 0.55 + 0.62 * n))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.09, 0.02, 0.9, 0.9 - 0.2 / n))
    ax.set_xlim(0, 7)
    ax.set_ylim(n, 0)
    ax.set_xticks([i + 0.5 for i in range(7)], ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    ax.xaxis.tick_top()
    ax.set_yticks([i + 0.5 for i in range(n)],
                  [f"{monday + pd.Timedelta(weeks=i):%d %b}" for i in range(n)])
    ax.tick_params(length=0, labelsize=8.5)
    for i in range(1, 7):
        ax.axvline(i, color="#cccccc", linewidth=0.6)
    for i in range(1, n):
        ax.axhline(i, color="#cccccc", linewidth=0.6)
    for day, summary in events:
        x, y = day.day_of_week, (day - monday).days // 7
        long = "(long)" in summary
        ax.add_patch(Rectangle((x + 0.04, y + 0.08), 0.92, 0.84, alpha=0.25, edgecolor=GREY,
                               facecolor=ORANGE if long else BLUE))
        kind, _, rest = summary.partition(" ")
        ax.text(x + 0.5, y + 0.5, f"{kind}\n{rest}", ha="center", va="center", fontsize=7.5)
    ax.set_title("plan.ics as a calendar shows it (one all-day event a run)", fontsize=9,
                 pad=18)
    fig.savefig(out, dpi=80)


def fit_listing(folder: Path, first: int) -> list[str]:
    """The ``first`` FIT workouts decoded back with fitdecode: each file's name and steps."""
    lines = []
    for path in sorted(folder.glob("*.fit"))[:first]:
        steps = []
        with fitdecode.FitReader(str(path)) as r:
            for fr in r:
                if isinstance(fr, fitdecode.FitDataMessage) and fr.name == "workout_step":
                    v = {f.name: f.value for f in fr.fields}
                    value = v.get("duration_value") or v.get("duration_distance")
                    if v.get("duration_type") == "repeat_until_steps_cmplt":
                        steps.append(f"step {v.get('message_index')}: repeat from step "
                                     f"{v.get('duration_step')}, {v.get('repeat_steps')} times")
                    else:
                        steps.append(f"step {v.get('message_index')}: "
                                     f"{v.get('duration_type')} {value:g} m, "
                                     f"{v.get('intensity')}")
        lines.append(f"{path.name}: " + "; ".join(steps))
    return lines


def main() -> int:
    os.chdir(ROOT)
    season = kneeload.Season.from_paths("sample_data")
    plan = season.build_plan(GOAL, weeks=WEEKS, today=TODAY)
    docs = ROOT / "docs"
    weeks_png(season, plan, docs / "plan-weeks.png")
    ics = planfiles.plan_to_ics(plan.table, season.config.unit)
    calendar_png(ics.encode() if isinstance(ics, str) else ics, docs / "plan-calendar.png")
    # the flare-up: the season as of 20 Jul (pain flags open) starts with a walk/jog ladder
    flare = season.build_plan(GOAL, weeks=WEEKS, today="2026-07-20")
    for p, first in ((plan, 4), (flare, 2)):
        with tempfile.TemporaryDirectory() as tmp:
            planfiles.write_fit_workouts(p.table, tmp, season.config.unit)
            for line in fit_listing(Path(tmp), first):
                print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
