"""Reports: figures (``kneeload.report.figures``) and the season PDF (``write_report``)."""

from __future__ import annotations

from .pdf import write_report

__all__ = ["write_report"]
