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

#: the session_spike rule's title in the rules registry
SPIKE = "A single run longer than the recent longest (Frandsen 2025)"


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
    # weeks 5 (E1), 6 (E1 seen per session by the two-week rule, 7 Apr), 8 (E2), 13 (E3),
    # 14 (the two-week rule's 6 Jun, after E3's 12-miler), 16 (its 20 Jun, after E4)
    assert hatched == {4, 5, 7, 12, 13, 15}
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


def test_pain_chart_marks_spikes_with_no_pain_after_them(season):
    # 7 load-spike days, 3 followed by pain (26 Apr, 31 May, 14 Jun); the other 4 (5 Apr:
    # the 10% and two-week rules; 7 Apr, 6 Jun, 20 Jun: the two-week rule) are drawn hollow,
    # so the chart is honest both ways
    res = season.pairs()
    fig = figures.pain_over_load(kneeload.load.daily_load(season.activities), season.pain,
                                 res["pairs"], spikes_without_pain=res["spikes_without_pain"])
    pain_ax = fig.axes[1]
    alone = [c for c in pain_ax.collections if c.get_label() == "spike, no pain after it"][0]
    days = sorted(pd.Timestamp(matplotlib.dates.num2date(x).date()) for x, _ in
                  alone.get_offsets())
    assert days == [pd.Timestamp(d) for d in ("2026-04-05", "2026-04-07", "2026-06-06",
                                              "2026-06-20")]
    plt.close(fig)


def test_figures_draw_the_configured_thresholds_not_the_defaults(season):
    """A 15% rule draws 'last week + 15%' (issue 12: the figure drew +10% whatever the
    config said); the cadence line and the spike window follow the config too."""
    import dataclasses

    cfg = season.config.with_rules({"weekly_increase": {"threshold_pct": 15.0},
                                    "low_cadence": {"threshold_spm": 165.0},
                                    "session_spike": {"window_days": 21}})
    changed = kneeload.Season(season.activities, dataclasses.replace(cfg), season.skipped,
                              season.pain, season.shoes, season.shoe_overrides)
    figs = figures.all_figures(changed, "mi")
    ax = figs["weekly_distance"].axes[0]
    # week 1 = 11.5 mi, so week 2's limit is 11.5 x 1.15 = 13.225 mi
    assert ax.lines[0].get_ydata()[1] == pytest.approx(11.5 * 1.15)
    assert "last week + 15%" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert ax.get_title() == "Weekly running distance and the 15% rule"
    cad = figs["cadence"].axes[0]
    assert any(t.get_text().startswith("165 spm") for t in cad.get_legend().get_texts())
    assert figs["session_spikes"].axes[0].get_title() == "Single runs against the 21-day longest"
    for f in figs.values():
        plt.close(f)


def test_figures_draw_into_a_given_axes(season):
    fig, ax = plt.subplots()
    out = figures.cadence_trend(season.activities, season.weeks, ax=ax)
    assert out is fig
    assert np.nanmax(ax.lines[0].get_ydata()) == pytest.approx(174, abs=0.5)
    plt.close(fig)


@pytest.fixture(scope="module")
def season_pdf(season, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf") / "season.pdf"
    head = write_report(season, out, runner="Alex Runner")
    return out, head


def test_pdf_report_reads_back(season_pdf):
    pypdf = pytest.importorskip("pypdf")
    out, head = season_pdf
    assert head["runs"] == 92 and head["distance"] == pytest.approx(364.5, abs=0.05)
    reader = pypdf.PdfReader(str(out))
    assert len(reader.pages) >= 5
    assert reader.metadata.title == "Alex Runner: kneeload load report, 03 Mar 2026 to 16 Aug 2026"
    first = reader.pages[0].extract_text().replace("\n", " ")
    for text in ("Running load report for Alex Runner", "92 runs, 364.5 mi", "+118%",
                 "at most 16.5 mi",
                 "not medical advice",
                 # what was read: 97 activity files + 1 duplicate recording (sample_data/README)
                 "Read 98 file(s): 97 activities; 0 file(s) skipped; 1 duplicate",
                 # human rule names, not internal ones
                 "A single run longer than the recent longest (Frandsen 2025): Run on Sun 31 May",
                 "19 Jul [warn] Weekly highest pain rising"):
        assert text in first, text
    assert "session_spike" not in first and "two_week_increase" not in first
    # page 1 carries the small weekly chart: its axis label is on the page
    assert "running [mi/week]" in first
    everything = " ".join(p.extract_text() for p in reader.pages).replace("\n", " ")
    # 7 spike days in the sample (one event a day), 3 of them followed by pain. The shoes
    # line now opens page 2: page 1 also holds the two-week rule's warn of 6 Jun and its
    # run-by-run limits for the week ahead (issue 20 item 8)
    for text in ("3 of 7 load-spike days (43%)", "In your own record, your knee tolerated",
                 "Speedgoat 5 has 316 mi",
                 "Left within the 10% rule: 0.3 mi (of 15.3 mi)", "Weekly table", "2026-04-20",
                 "Two-week progression", "Weekly descent ramp",
                 "Low running cadence",
                 "Pegasus 40", "Load spikes and the pain that followed",
                 "vs 4 wk: distance change on the mean of the 4 weeks before",
                 "cross: cross-training sessions"):
        assert text in everything, text
    # the last page is the report's end, not an empty page, and no page is blank
    assert all(len(p.extract_text().strip()) > 200 for p in reader.pages)


def test_pdf_fonts_are_truetype_not_type3(season_pdf):
    pypdf = pytest.importorskip("pypdf")
    out, _ = season_pdf
    subtypes = set()
    for page in pypdf.PdfReader(str(out)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            subtypes.add(str(ref.get_object()["/Subtype"]))
    assert subtypes and "/Type3" not in subtypes
    assert subtypes <= {"/Type0", "/TrueType"}


def test_flag_order_is_one_order_everywhere(season):
    from kneeload.report.content import build_content, order_flags

    c = build_content(season)
    keys = [(f.date, -kneeload.load.SEVERITY_RANK[f.severity]) for f in c.flags]
    assert keys == sorted(keys)
    # the same flags twice, shuffled, come back in the same order
    flags = season.all_flags()
    again = order_flags(flags.sample(frac=1, random_state=3))
    assert list(again["rule"]) == list(order_flags(flags)["rule"])
    # top flags: most severe first (the 31 May alert), then warns, latest first
    assert [f.severity for f in c.top_flags][:2] == ["alert", "warn"]
    assert c.top_flags[0].name == SPIKE and str(c.top_flags[0].date) == "2026-05-31"


def test_date_axes_read_at_any_span(tmp_path):
    """Over several years the ticks name years (not '01 Jan' on every tick); over weeks, days."""
    from factories import activities

    from kneeload.load import weekly_table

    def labels(days):
        acts = activities([(f"{d} 08:00", miles) for d, miles in days.items()])
        weeks = weekly_table(acts)
        fig = figures.weekly_distance(weeks, kneeload.flags(acts), "km")
        fig.canvas.draw()
        ax = fig.axes[0]
        return [t.get_text() for t in ax.get_xticklabels()] + [ax.xaxis.get_offset_text()
                                                               .get_text()]

    years = labels({f"{y}-{m:02d}-01": 5.0 for y in (2022, 2023, 2024, 2025)
                    for m in range(1, 13)})
    assert "2023" in years and "2024" in years
    assert sum(t == "01 Jan" for t in years) == 0
    weeks = labels({f"2026-03-{d:02d}": 3.0 for d in range(2, 23, 2)})
    assert any(t.isdigit() and int(t) <= 31 for t in weeks if t)  # day numbers on the ticks


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


def test_a_multi_year_export_reports_its_last_year_unless_since_says_otherwise():
    """Garmin fixture: runs in Feb 2013, Jun 2017 and Jun 2024. A report of all 11 years was
    12 pages of empty weeks averaging 0.0 mi a week; without --since it shows the last
    52 weeks (up to the last run, 13 Jun 2024: from 16 Jun 2023) and says so."""
    from conftest import DATA

    from kneeload.report.content import build_content
    season = kneeload.Season.from_paths(DATA / "exports" / "garmin-connect-export.zip",
                                        cache=False)
    c = build_content(season)
    assert (c.since.isoformat(), c.until.isoformat()) == ("2023-06-16", "2024-06-13")
    assert c.totals.weeks == 53 and c.totals.runs == 2  # the two runs of June 2024
    assert any("this report shows its last 52 weeks (from 16 Jun 2023)" in n for n in c.notes)
    whole = build_content(season, since="2013-01-01")
    assert whole.totals.runs == 4 and not any("last 52 weeks" in n for n in whole.notes)


def test_report_format_by_extension_or_flag(tmp_path, capsys):
    html = tmp_path / "season.html"
    assert main(["report", str(SAMPLE), "-o", str(html)]) == 0
    text = html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text
    assert SPIKE in text and "Speedgoat 5 has 316 mi" in text
    # self-contained: nothing fetched from anywhere
    import re

    for ref in ("http://", "https://", "<script", "<link", "@import", "<img", "<iframe"):
        assert ref not in text.replace("http://www.w3.org/", ""), ref
    assert not re.search(r"url\((?!#)", text)  # only references inside the page
    # an unknown extension is a usage error and writes nothing (never a silent PDF)
    capsys.readouterr()
    assert main(["report", str(SAMPLE), "-o", str(tmp_path / "season.txt")]) == 2
    # the extensions come from the renderer registry (Markdown added)
    assert "name the file .pdf, .html, .htm, .json, .md" in capsys.readouterr().err
    assert not (tmp_path / "season.txt").exists()
    # --format wins over the name
    odd = tmp_path / "season.out"
    assert main(["report", str(SAMPLE), "-o", str(odd), "--format", "pdf"]) == 0
    assert odd.read_bytes()[:5] == b"%PDF-"
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_report_json_is_the_content(tmp_path, capsys):
    import json

    assert main(["report", str(SAMPLE), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["unit"] == "mi" and data["totals"]["runs"] == 92
    assert data["totals"]["distance"] == pytest.approx(364.5, abs=0.05)
    assert data["completeness"]["files_read"] == 98 and data["completeness"]["duplicates"] == 1
    alert = [f for f in data["flags"] if f["severity"] == "alert"]
    assert [(f["date"], f["rule"], f["name"]) for f in alert] == [
        ("2026-05-31", "session_spike", SPIKE)]
    # 12.0 mi on the longest of the 30 days before, 5.5 mi: 12.0 / 5.5 - 1 = +118%
    assert alert[0]["value"] == pytest.approx(118.2, abs=0.1)
    # the 10% rule's 15.0 x 1.1 = 16.5 mi bounds the week (the two-week rule allows 25.9
    # by the week's last day, each run held to its own day's room)
    assert data["look_ahead"]["max_week"] == pytest.approx(16.5, abs=0.05)
    assert {s["shoe"]: s["status"] for s in data["shoes"]["pairs"]} == {
        "Pegasus 40": "retired", "Speedgoat 5": "notice", "Pegasus 41": "ok"}
    assert len(data["pain"]["pairs"]) == 3  # one spike event per day (issue 12)
    assert "frames" not in data
    # with -o, the file as asked and a JSON account of it on stdout
    out = tmp_path / "s.json"
    assert main(["report", str(SAMPLE), "-o", str(out), "--json", "--name", "Alex"]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["format"] == "json" and said["runs"] == 92
    assert json.loads(out.read_text())["runner"] == "Alex"


def test_headline_numbers_match_the_season(season):
    from kneeload.report.content import build_content

    runs = kneeload.load.running(season.activities)
    assert runs["distance_m"].sum() / M_PER_MI == pytest.approx(364.5, abs=0.05)
    assert pd.Timestamp("2026-05-31") in set(season.flags()["date"])
    # the numbers `kneeload report` prints, as sample_data/README.md tells the season:
    # 92 runs, 364.5 mi, 3 March - 16 August, 3 spike days paired with pain
    head = build_content(season).headline
    assert head["runs"] == 92 and head["unit"] == "mi"
    assert head["distance"] == pytest.approx(364.5, abs=0.05)
    assert (head["since"], head["until"]) == (pd.Timestamp("2026-03-03"),
                                              pd.Timestamp("2026-08-16"))
    assert head["pairs"] == 3
    content = build_content(season)
    assert head["flags"] == sum(content.flag_counts.values()) == len(content.flags)
    assert head["alerts"] == content.flag_counts.get("alert", 0) >= 1  # E3's 31 May spike


def test_readme_picture_exists():
    assert (ROOT / "docs" / "report-page1.png").stat().st_size > 10_000


TREADMILL_TCX = """<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
 <Activities><Activity Sport="Running"><Id>2026-03-10T07:00:00Z</Id>
  <Lap StartTime="2026-03-10T07:00:00Z"><TotalTimeSeconds>1800</TotalTimeSeconds>
   <DistanceMeters>5000</DistanceMeters><Intensity>Active</Intensity>
   <TriggerMethod>Manual</TriggerMethod><Track>
    <Trackpoint><Time>2026-03-10T07:00:00Z</Time><DistanceMeters>0</DistanceMeters></Trackpoint>
    <Trackpoint><Time>2026-03-10T07:30:00Z</Time><DistanceMeters>5000</DistanceMeters></Trackpoint>
   </Track></Lap></Activity></Activities></TrainingCenterDatabase>
"""


def test_completeness_counts_runs_dated_by_the_machine_zone(monkeypatch, tmp_path):
    import shutil

    from kneeload.report.content import build_content

    # a FIT run (the device's local time), a GPX run (a position: its zone) and a treadmill
    # TCX (no local time, no position: only this machine's clock can date it)
    for name in ("2026-03-24_0720_run.fit", "2026-03-26_0703_run.gpx"):
        shutil.copy(SAMPLE / "runs" / name, tmp_path)
    (tmp_path / "treadmill.tcx").write_text(TREADMILL_TCX, encoding="utf-8")
    monkeypatch.setenv("TZ", "America/New_York")
    bare = kneeload.Season.from_paths(tmp_path, config=kneeload.Config(), cache=False)
    comp = build_content(bare).completeness
    assert (comp.files_read, comp.activities) == (3, 3)
    assert (comp.machine_clock_runs, comp.machine_zone) == (1, "America/New_York")
    assert "1 run(s) dated by this computer's time zone (America/New_York)" in comp.line
    # a zone given: none
    given = kneeload.Season.from_paths(tmp_path, tz="Europe/London", cache=False)
    assert build_content(given).completeness.machine_clock_runs == 0


def test_figures_leave_no_pyplot_state_and_show_once(season):
    plt.close("all")
    figs = figures.all_figures(season, "mi")
    assert plt.get_fignums() == []  # nothing registered with pyplot: no second display
    for name, fig in figs.items():
        assert isinstance(fig, matplotlib.figure.Figure), name
        png = fig._repr_png_()  # what Jupyter shows, once, as the cell's value
        assert png[:8] == b"\x89PNG\r\n\x1a\n", name


def test_html_report_is_accessible_markup(tmp_path, season):
    import re

    from kneeload.report import build_content, render_html

    page = render_html(build_content(season, runner="Alex"))
    assert '<html lang="en">' in page and 'name="viewport"' in page
    assert page.count("<h1>") == 1 and "<h2" in page and "<main" in page
    svgs = re.findall(r"<svg [^>]*>", page)
    assert len(svgs) == 8  # weekly, spikes, descent, cadence, ACWR, fitness, pain, shoes
    for tag in svgs:
        assert 'role="img"' in tag and re.search(r'aria-label="[^"]{40,}"', tag)
    weekly_alt = re.search(r'aria-label="(Bar chart of weekly running distance[^"]*)"', page)
    # the text alternative states the data: the flagged weeks (sample_data/README.md)
    assert "30 Mar 2026 (info)" in weekly_alt.group(1)
    assert "20 Apr 2026 (warn)" in weekly_alt.group(1)
    assert page.count("<caption") == page.count("<table") == 4
    assert 'scope="col"' in page and "<abbr title=" in page
    # severity by word and symbol, not colour alone
    assert '<span aria-hidden="true">✖</span> alert' in page
    # clip-path ids unique across the figures
    ids = re.findall(r'id="(p[0-9a-f]{8,})"', page)
    assert len(ids) == len(set(ids))


def test_a_three_week_season_without_cadence_says_so_instead_of_empty_axes(tmp_path):
    from factories import activities, weekly_runs

    from kneeload.report import build_content

    # 10, 12, 15 mi over three weeks, no cadence in the files
    season = kneeload.Season(activities(weekly_runs("2026-03-02", [10, 12, 15])))
    content = build_content(season)
    assert set(content.missing_figures) == {"cadence", "acwr"}
    pypdf = pytest.importorskip("pypdf")
    out = tmp_path / "short.pdf"
    write_report(season, out)
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(str(out)).pages)
    assert "No cadence was recorded" in text and "1970" not in text
    html = tmp_path / "short.html"
    write_report(season, html)
    assert html.read_text(encoding="utf-8").count("<svg") == 4  # weekly, spikes, descent, fitness


def test_html_figures_are_drawn_for_a_phone(season, tmp_path):
    # issue 25 item 10: each page figure is drawn 5.2 in (~383 px at 72 px/in) wide, so a
    # 390 px phone shows it near 1:1, and no text in it is under 8.5 px (legends were
    # 6.5-7 pt drawn 8 in wide and shown at 358 px: ~4 px)
    import re

    out = tmp_path / "s.html"
    write_report(season, out)
    html = out.read_text()
    widths = [float(w) for w in re.findall(r'viewBox="0 0 ([0-9.]+) [0-9.]+"', html)]
    assert widths and all(w <= 420 for w in widths)
    sizes = [float(x) for x in re.findall(r"font-size: ?([0-9.]+)px", html)]
    assert sizes and min(sizes) >= 8.5
