"""Figures (their plotted data) and the PDF report (read back)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from conftest import ROOT, SAMPLE  # noqa: E402

import kneeload  # noqa: E402
from kneeload.cli import main  # noqa: E402
from kneeload.report import figures, write_report  # noqa: E402
from kneeload.schema import M_PER_MI  # noqa: E402


@pytest.fixture(scope="module")
def season():
    return kneeload.Season.from_paths(SAMPLE, pain_log=SAMPLE / "pain.csv",
                                      shoes=SAMPLE / "shoes.csv",
                                      shoe_assignments=SAMPLE / "shoe_assignments.csv")


def test_weekly_distance_figure_plots_the_weeks_and_marks_flags(season):
    fig = figures.weekly_distance(season.weeks, season.flags(), "mi")
    ax = fig.axes[0]
    heights = [round(b.get_height(), 1) for b in ax.patches]
    assert heights[:5] == [11.5, 12.5, 13.5, 10.0, 15.0]
    hatched = {i for i, b in enumerate(ax.patches) if b.get_hatch()}
    # weeks 5 (E1), 7 (E1 seen per session by the two-week rule, 14 Apr), 8 (E2), 13 (E3)
    assert hatched == {4, 6, 7, 12}
    assert ax.patches[12].get_hatch() == "xx"  # the alert, distinct in grey-scale
    limit = ax.lines[0].get_ydata()
    assert limit[1] == pytest.approx(11.5 * 1.1)
    assert "mi" in ax.get_ylabel()
    plt.close(fig)


def test_session_spike_figure(season):
    spikes = kneeload.session_spikes(season.activities)
    fig = figures.session_spikes(spikes, season.flags(), "mi")
    ax = fig.axes[0]
    alert = [c for c in ax.collections if c.get_label() == "spike: alert"][0]
    x, y = alert.get_offsets()[0]
    assert y == pytest.approx(12.0, abs=0.01)
    assert "run distance [mi]" == ax.get_ylabel()
    plt.close(fig)


def test_pain_and_shoe_figures(season):
    pairs = season.pairs()["pairs"]
    fig = figures.pain_over_load(kneeload.load.daily_load(season.activities), season.pain, pairs)
    pain_ax = fig.axes[1]
    pain_line = [ln for ln in pain_ax.lines if ln.get_label().startswith("knee pain")][0]
    assert max(pain_line.get_ydata()) == 5
    marks = [c for c in pain_ax.collections if c.get_label() == "spike followed by pain"][0]
    assert len(marks.get_offsets()) == 3  # 26 Apr, 31 May, 14 Jun
    plt.close(fig)
    fig = figures.shoe_mileage(season.shoe_status(), "km")
    widths = sorted(round(c.patches[0].get_width()) for c in fig.axes[0].containers)
    assert widths == [169, 509, 826]  # km
    assert fig.axes[0].get_xlabel() == "distance [km]"
    plt.close(fig)


def test_figures_draw_into_a_given_axes(season):
    fig, ax = plt.subplots()
    out = figures.cadence_trend(season.activities, season.weeks, ax=ax)
    assert out is fig
    assert np.nanmax(ax.lines[0].get_ydata()) == pytest.approx(174, abs=0.5)
    plt.close(fig)


def test_pdf_report_reads_back(tmp_path, season):
    pypdf = pytest.importorskip("pypdf")
    out = tmp_path / "season.pdf"
    head = write_report(season, out)
    assert head["runs"] == 92 and head["distance"] == pytest.approx(364.5, abs=0.05)
    reader = pypdf.PdfReader(str(out))
    assert len(reader.pages) >= 7
    assert reader.metadata.title == "kneeload load report, 03 Mar 2026 to 16 Aug 2026"
    first = reader.pages[0].extract_text()
    for text in ("Running load report", "92 runs, 364.5 mi", "+118%", "Speedgoat 5 has 316 mi",
                 "3 of 5 load-spike days (60%)", "at most 16.5 mi", "not medical advice"):
        assert text in first.replace("\n", " "), text
    everything = " ".join(p.extract_text() for p in reader.pages).replace("\n", " ")
    for text in ("Weekly table", "2026-04-20", "two_week_increase", "descent_increase",
                 "low_cadence", "Pegasus 40", "Load spikes and the pain that followed"):
        assert text in everything, text


def test_report_cli_since_until_and_km(tmp_path, capsys):
    out = tmp_path / "spring.pdf"
    assert main(["report", str(SAMPLE), "-o", str(out), "--until", "2026-05-17", "--unit",
                 "km"]) == 0
    msg = capsys.readouterr().out
    assert "Wrote" in msg and "2026-03-03 to 2026-05-17" in msg and " km," in msg
    pypdf = pytest.importorskip("pypdf")
    first = pypdf.PdfReader(str(out)).pages[0].extract_text().replace("\n", " ")
    assert "+118%" not in first  # the 31 May spike is after --until
    assert "km" in first
    assert main(["report", str(SAMPLE), "-o", str(out), "--since", "2026-06-01", "--until",
                 "2026-05-01"]) == 2
    assert main(["report", str(SAMPLE), "-o", str(out), "--pain", str(tmp_path / "no.csv")]) == 2


def test_headline_numbers_match_the_season(season):
    runs = kneeload.load.running(season.activities)
    assert runs["distance_m"].sum() / M_PER_MI == pytest.approx(364.5, abs=0.05)
    assert pd.Timestamp("2026-05-31") in set(season.flags()["date"])


def test_readme_picture_exists():
    assert (ROOT / "docs" / "report-page1.png").stat().st_size > 10_000
