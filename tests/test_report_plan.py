"""The report shows a plan beside the weekly chart and a PMC figure, in every renderer."""

from __future__ import annotations

import json

import pytest

import kneeload
from kneeload.report import build_content, render
from kneeload.report.content import FIGURES


@pytest.fixture(scope="module")
def season():
    return kneeload.Season.from_paths("sample_data")


@pytest.fixture(scope="module")
def content(season):
    plan = season.build_plan("30mi/week", weeks=6, today="2026-08-17")
    return build_content(season, today="2026-08-17", plan=plan)


def test_plan_and_fitness_in_the_content(content):
    p = content.plan
    assert p is not None and p.source == "built toward 30mi/week"
    # week 1 (17 Aug): the last complete week, 15.0 mi, + 10% = 16.5 mi; 6 weeks, 24 runs
    assert [round(w.distance, 1) for w in p.weeks][:3] == [16.5, 18.1, 19.9]
    assert p.weeks[0].run == 0.0 and p.weeks[1].run is None  # 17 Aug begun, 24 Aug not
    assert p.weeks[3].mode == "lighter" and len(p.runs) == 24
    assert p.check == "Checked against your history, the plan raises no flag."
    assert "not medical advice" in p.disclaimer
    f = content.fitness
    # CTL of 16 Aug is 2.23 mi a day (Season.fitness); 17 Aug is a rest day:
    # 2.23 x (1 - 0.023528) = 2.18; TSB on 17 Aug = CTL - ATL of 16 Aug
    assert (str(f.date), round(f.ctl, 2), f.unit) == ("2026-08-17", 2.18, "mi")
    assert "not an injury predictor" in f.text
    names = [(x.name, x.place) for x in content.figures]
    assert ("weekly_plan", "plan") in names and ("fitness_fatigue", "figures") in names
    assert [n for n, _, _ in FIGURES].index("weekly_plan") == 1  # one list, in order


def test_every_renderer_shows_the_plan(content):
    d = json.loads(render(content, "json"))
    assert d["plan"]["weeks"][0]["distance"] == 16.5
    assert d["fitness"]["ctl"] == pytest.approx(2.18, abs=0.005)
    md = render(content, "md").decode()
    assert "## The plan" in md and "## Fitness, fatigue and form" in md
    html = render(content, "html").decode()
    assert 'id="plan"' in html and html.count("<svg") == len(content.figures)
    assert "The plan beside the weeks run" in html
    import io

    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(render(content, "pdf")))
    text = "".join(pg.extract_text() for pg in pdf.pages)
    assert "The plan" in text and "Fitness (CTL, 42-day) 2.18" in text


def test_without_a_plan_there_is_no_plan_section(season):
    c = build_content(season, today="2026-08-17")
    assert c.plan is None and "weekly_plan" not in [x.name for x in c.figures]
    assert "fitness_fatigue" in [x.name for x in c.figures]


def test_report_cli_plan_options(tmp_path, capsys):
    from kneeload.cli import main

    plan = tmp_path / "plan.csv"
    plan.write_text("date,distance\n2026-08-18,3.5\n2026-08-20,4.0\n")
    out = tmp_path / "r.json"
    assert main(["report", "sample_data", "--plan", str(plan), "-o", str(out)]) == 0
    d = json.loads(out.read_text())
    assert d["plan"]["source"] == "plan.csv"
    assert [w["distance"] for w in d["plan"]["weeks"]] == [7.5]  # 3.5 + 4.0
    assert main(["report", "sample_data", "--build-plan", "20mi/week", "-o", str(out),
                 "--today", "2026-08-17"]) == 0
    assert json.loads(out.read_text())["plan"]["weeks"][0]["distance"] == 16.5
    assert main(["report", "sample_data", "--plan", str(plan), "--build-plan", "20mi/week",
                 "-o", str(out)]) == 2
    assert "not both" in capsys.readouterr().err


def test_plan_docs_pictures_exist_and_are_small():
    from conftest import ROOT

    text = (ROOT / "docs" / "plan.md").read_text(encoding="utf-8")
    for name in ("plan-weeks.png", "plan-calendar.png"):
        assert f"]({name})" in text
        size = (ROOT / "docs" / name).stat().st_size
        assert 0 < size < 150_000, (name, size)
    assert "python scripts/plan_docs.py" in text and "--today 2026-08-17" in text
