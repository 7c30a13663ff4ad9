"""Reports: one content model (:mod:`.content`), rendered as PDF, HTML, JSON or Markdown.

``write_report(season, "season.html")`` builds the content once and hands it to the renderer
the file's extension (or ``format``) names. A renderer is one function
``ReportContent -> bytes | str`` in :data:`RENDERERS`; adding an output format is one module
and one line here. Figures for notebooks are in :mod:`.figures`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from ..safeio import atomic_write
from . import figures  # noqa: F401 - kneeload.report.figures, the notebook figures
from .content import ReportContent, build_content
from .html import render_html
from .markdown import render_markdown
from .pdf import render_pdf


def render_json(content: ReportContent) -> str:
    """The report content as JSON text (ISO dates, distances in ``unit``)."""
    return json.dumps(content.to_dict(), indent=2) + "\n"


@dataclass(frozen=True)
class Renderer:
    """One output format of the report: its ``name`` (``--format``), the file
    ``extensions`` it is picked by, its ``media_type``, and ``render(content) -> bytes | str``.
    Adding an output is one module with a render function and one record in
    :data:`RENDERER_LIST`."""

    name: str
    extensions: tuple[str, ...]
    media_type: str
    render: Callable[[ReportContent], bytes | str]
    description: str = ""


#: Every report output, in the order the CLI lists them.
RENDERER_LIST: tuple[Renderer, ...] = (
    Renderer("pdf", (".pdf",), "application/pdf", render_pdf, "A4 PDF, page 1 in plain words"),
    Renderer("html", (".html", ".htm"), "text/html", render_html,
             "one self-contained page (phone, laptop, print)"),
    Renderer("json", (".json",), "application/json", render_json, "the content as JSON"),
    Renderer("md", (".md", ".markdown"), "text/markdown", render_markdown,
             "Markdown: headline, flags, tables, look-ahead, shoes, pairing"),
)
#: Output format -> renderer of a ReportContent.
RENDERERS: dict[str, Callable[[ReportContent], bytes | str]] = {
    r.name: r.render for r in RENDERER_LIST}
#: File extensions -> output format.
EXTENSIONS = {ext: r.name for r in RENDERER_LIST for ext in r.extensions}


def format_names() -> tuple[str, ...]:
    """The ``--format`` choices, from :data:`RENDERER_LIST`."""
    return tuple(r.name for r in RENDERER_LIST)


def extensions_text() -> str:
    """".pdf, .html, .htm, .json, .md, .markdown" for help and error messages."""
    return ", ".join(EXTENSIONS)


def report_format(path: str | os.PathLike[str] | None, format: str | None = None) -> str:
    """The output format: ``format`` when given, else from the extension of ``path``.

    Raises
    ------
    kneeload.UsageError
        An unknown format, or an extension that names none (never a silent PDF).

    Examples
    --------
    >>> report_format("season.html")
    'html'
    >>> report_format("season.txt", "pdf")
    'pdf'
    """
    if format is not None:
        if format not in RENDERERS:
            raise UsageError(f"unknown report format {format!r}; use one of "
                             + ", ".join(RENDERERS))
        return format
    ext = os.path.splitext(os.fspath(path or ""))[1].lower()
    if ext not in EXTENSIONS:
        raise UsageError(f"cannot tell the report format from {os.fspath(path or '')!r}: name "
                         f"the file {extensions_text()}, or give --format "
                         + "|".join(format_names()))
    return EXTENSIONS[ext]


def render(content: ReportContent, format: str) -> bytes:
    """``content`` rendered as ``format`` (pdf, html, json), as bytes ready to write."""
    out = RENDERERS[format](content)
    return out.encode("utf-8") if isinstance(out, str) else out


def write_report(season: Any, path: str | os.PathLike[str], *, format: str | None = None,
                 unit: str | None = None, since: Any = None, until: Any = None,
                 runner: str | None = None) -> dict[str, Any]:
    """Write the season report to ``path`` and return its headline numbers.

    Parameters
    ----------
    season : kneeload.Season
        The season to report.
    path : path-like
        The file to write; its extension (.pdf, .html, .json) picks the format.
    format : {"pdf", "html", "json"}, optional
        Overrides the extension.
    unit : {"mi", "km"}, optional
        Display unit; the season's config when omitted.
    since, until : date-like, optional
        First date shown (rules still use the history before it); the season as it stood on
        ``until`` (later activities left out).
    runner : str, optional
        The runner's name, shown in the title.

    Returns
    -------
    dict
        ``since``, ``until``, ``runs``, ``distance`` [unit], ``unit``, ``flags``, ``alerts``,
        ``warnings``, ``pairs``.

    Examples
    --------
    >>> import kneeload, tempfile, pathlib
    >>> season = kneeload.Season.from_paths("sample_data")
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "season.html"
    >>> head = write_report(season, out, runner="Alex")
    >>> head["runs"], round(head["distance"], 1), head["unit"]
    (92, 364.5, 'mi')
    >>> out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    True
    """
    fmt = report_format(path, format)
    content = build_content(season, unit=unit, since=since, until=until, runner=runner)
    atomic_write(path, render(content, fmt))  # whole or not at all
    return content.headline


__all__ = ["ReportContent", "Renderer", "build_content", "render", "render_html",
           "render_json", "render_markdown", "render_pdf", "report_format", "write_report",
           "RENDERERS", "RENDERER_LIST", "format_names"]
