"""The HTML report in a real browser: Debian's headless Chromium loads the page offline.

Skipped only when no Chromium is installed outside CI; under CI (``CI=true``) a missing
browser fails the test, since ``.ci/run`` installs it.
"""

from __future__ import annotations

import io
import os

import pytest
from chromium import Chromium, find_chromium
from conftest import SAMPLE

from kneeload.cli import main

BINARY = find_chromium()
if BINARY is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI=true but no chromium: .ci/run must install Debian's chromium")
    pytest.skip("no chromium installed (apt-get install chromium); CI installs it",
                allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    with Chromium(BINARY) as b:
        yield b


def _pdf_text(data: bytes) -> tuple[int, str]:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    return len(reader.pages), " ".join(p.extract_text() for p in reader.pages)


def test_the_harness_sees_console_errors_and_failed_loads(tmp_path, browser):
    """The check below can fail: a page that logs an error and loads a missing image."""
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><meta name="viewport" '
                    'content="width=device-width"></head><body><p>hello</p>'
                    '<img src="missing.png" alt="x"><script>console.error("boom")</script>'
                    '<div style="width:1000px">wide</div></body></html>')
    seen = browser.load(page.as_uri())
    assert "boom" in " ".join(seen.console_errors)
    assert seen.phone_overflow_px > 500  # 1000 px in a 390 px screen
    assert any("missing.png" in e or "ERR_FILE_NOT_FOUND" in e for e in seen.console_errors)
    assert seen.text.split() == ["hello", "wide"]


def test_html_report_renders_offline_with_the_key_facts(tmp_path, browser):
    out = tmp_path / "season.html"
    assert main(["report", str(SAMPLE), "-o", str(out)]) == 0
    seen = browser.load(out.as_uri())
    assert seen.console_errors == []
    # nothing but the page itself was requested: no network, no CDN, no font
    assert set(seen.requests) == {out.as_uri()}  # loaded at laptop, then phone width
    text = " ".join(seen.text.split())
    for fact in (
        # rules named in words, with the flagged dates (sample_data/README.md's story)
        "ALERT 31 May 2026: A single run longer than the recent longest (Frandsen 2025)",
        "19 Jul 2026: Weekly highest pain rising",
        "2026-04-26 ● INFO Two-week progression before each session (Nielsen 2014)",
        "2026-06-14 ● INFO Weekly descent ramp (knee-specific load)",
        # the weekly table shows the flagged weeks
        "2026-04-20 ▲ warn",
        # shoe status
        "Speedgoat 5 has 316 mi: plan a replacement around 10 Apr 2027.",
        "Pegasus 40", "retired",
        # what was read
        "Read 98 file(s): 97 activities; 0 file(s) skipped; 1 duplicate recording(s) counted "
        "once.",
        "3 of 7 load-spike days (43%)", "not medical advice",
        "Left within the 10% rule: 0.3 mi (of 15.3 mi)",  # this week (issue 12)
        "In your own record, your knee tolerated a 6.5 mi run (02 Aug)",
    ):
        assert fact in text, fact
    # readable on a phone: nothing wider than the screen (tables scroll inside their box)
    assert seen.phone_overflow_px <= 0
    # printable: the printed A4 pages carry the same facts and the figures' text
    pages, printed = _pdf_text(seen.pdf)
    printed = " ".join(printed.split())
    assert pages >= 4
    for fact in ("A single run longer than the recent longest", "Speedgoat 5 has 316 mi",
                 "Weekly running distance",
                 "running distance [mi/week]", "Shoe mileage"):
        assert fact in printed, fact
