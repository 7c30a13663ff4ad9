"""Fixed-width text tables, shared by the terminal (``kneeload check``, ``kneeload shoes``) and
the PDF's monospace tables, so each table is written once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .content import PlanWeek, Shoe, Week

#: (header, alignment "<" or ">", width)
Column = tuple[str, str, int]


def text_table(columns: Sequence[Column], rows: Sequence[Sequence[str]], sep: str = " ",
               rule: bool = True) -> str:  # noqa: FBT001, FBT002
    """Rows of strings under headers, each column padded to its width (text is never cut).

    Parameters
    ----------
    columns : sequence of (header, align, width)
        ``align`` is ``"<"`` (left) or ``">"`` (right); ``width`` in characters.
    rows : sequence of sequences of str
        One string per column.
    sep : str
        Between columns.
    rule : bool
        A line of dashes under the headers.

    Examples
    --------
    >>> print(text_table([("week", "<", 10), ("runs", ">", 4)], [["2026-03-02", "3"]]))
    week       runs
    ---------- ----
    2026-03-02    3
    """
    def line(cells: Sequence[str]) -> str:
        return sep.join(f"{c:{a}{w}}" for c, (_, a, w) in zip(cells, columns, strict=True)
                        ).rstrip()

    out = [line([h for h, _, _ in columns])]
    if rule:
        out.append(sep.join("-" * w for _, _, w in columns))
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def _pct(v: float | None) -> str:
    return "" if v is None else f"{round(v):+d}%"


def _iso(d: dt.date | None) -> str:
    return "" if d is None else d.isoformat()


def weekly_text(weeks: Sequence[Week], unit: str, elevation_unit: str,
                cross: bool = True) -> str:  # noqa: FBT001, FBT002
    """The weekly table (see :data:`kneeload.report.content.WEEK_COLUMNS` for the columns)."""
    cols: list[Column] = [("week", "<", 10), ("runs", ">", 4), (f"dist {unit}", ">", 7),
                          ("change", ">", 6), ("vs 4 wk", ">", 7), (f"longest {unit}", ">", 10),
                          (f"descent {elevation_unit}", ">", 10), ("cadence", ">", 7)]
    if cross:
        cols.append(("cross", ">", 5))
    rows = []
    for w in weeks:
        row = [_iso(w.week_start), str(w.runs), f"{w.distance:.1f}", _pct(w.change_prev_pct),
               _pct(w.change_4wk_pct), f"{w.longest:.1f}", f"{w.descent:.0f}",
               "" if w.cadence_spm is None else f"{w.cadence_spm:.0f}"]
        if cross:
            row.append(str(w.cross_n))
        rows.append(row)
    return text_table(cols, rows)


def shoes_text(pairs: Sequence[Shoe], unit: str) -> str:
    """The shoe table: distance [unit], runs, status, first and last use, the dates the
    notice and replace limits were (or are projected to be) reached, share of recent running."""
    # the pair's whole name up to 28 characters ("Saucony Endorphin Pro 3"), past that cut
    # with an ellipsis so the table still fits a page
    width = max([16, *(min(len(s.shoe), 28) for s in pairs)])
    cols: list[Column] = [("pair", "<", width), (f"dist {unit}", ">", 7), ("runs", ">", 4),
                          ("status", "<", 8), ("first use", "<", 10), ("last use", "<", 10),
                          ("notice on", "<", 10), ("replace on", "<", 10), ("share", ">", 5)]
    rows = [[s.shoe if len(s.shoe) <= width else s.shoe[:width - 1] + "…",
             f"{s.distance:.0f}", str(s.runs), s.status, _iso(s.first_used),
             _iso(s.last_used),
             "beyond 2100" if getattr(s, "notice_beyond", False) else _iso(s.notice_on),
             "beyond 2100" if getattr(s, "replace_beyond", False) else _iso(s.replace_on),
             f"{s.share:.0%}"]
            for s in pairs]
    return text_table(cols, rows)


def plan_text(weeks: Sequence[PlanWeek], unit: str) -> str:
    """The plan's weeks: planned total and long run [unit], runs, what was run (blank for a
    week not begun), mode and the rule that bounds it."""
    cols: list[Column] = [("week", "<", 10), (f"plan {unit}", ">", 7), (f"long {unit}", ">", 7),
                          ("runs", ">", 4), (f"run {unit}", ">", 6), ("mode", "<", 7),
                          ("bounded by", "<", 18)]
    rows = [[_iso(w.week_start), f"{w.distance:.1f}", f"{w.long_run:.1f}", str(w.runs),
             "" if w.run is None else f"{w.run:.1f}", w.mode, w.bounded_by] for w in weeks]
    return text_table(cols, rows)
