"""The text layer (kneeload.text): every sentence follows the settings, every displayed limit
is on its safe side, one flag list on every surface, every documented JSON key present, and
the Markdown renderer (an output is one renderer module + this test)."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
from conftest import SAMPLE
from factories import weekly_runs

from kneeload.cli import main
from kneeload.text import format_limit, limit_value, pair_entries_text

MI = 1609.344


def _run(capsys, argv):
    code = main(argv)
    cap = capsys.readouterr()
    return code, cap.out


def _json(capsys, argv):
    _code, out = _run(capsys, argv)
    return json.loads(out)


def test_limits_round_to_the_safe_side():
    # 6.5 mi x 1.1 = 7.15 mi: a maximum shown as 7.1 (7.2 would be over it), a minimum 7.2
    assert format_limit(7.15 * MI, "mi") == "7.1 mi"
    assert limit_value(7.15 * MI, "mi", "min") == 7.2
    # 26.65 km -> "26.6 km" (never 26.7); float noise at a step is that step
    assert format_limit(26650.0, "km") == "26.6 km"
    assert format_limit(11 * MI, "mi") == "11.0 mi"
    assert format_limit(None, "mi") == "n/a"


def test_pairing_text_as_the_log_says_it():
    text = pair_entries_text("2026-05-31", [
        {"date": "2026-05-31", "pain": 4.0, "when": "during"},
        {"date": "2026-06-01", "pain": 5.0, "when": "next_morning"}])
    assert text == "31 May run -> 4/10 during (31 May), 5/10 next morning (1 Jun)"


def _season_dir(tmp_path, name, weeks, start="2026-03-02", days=(0, 3, 6)):
    d = tmp_path / name
    d.mkdir()
    rows = [f"{r[0][:10]},{r[1]:.4f},{r[1] * 10:.0f}:00" for r in weekly_runs(start, weeks, days)]
    (d / "log.csv").write_text("date,distance,duration\n" + "\n".join(rows) + "\n")
    return d


def _plan_flags(capsys, tmp_path, history, day, value, unit, today):
    plan = tmp_path / "plan.csv"
    plan.write_text(f"date,distance\n{day},{value}\n")
    out = _json(capsys, ["plan", str(plan), "--history", str(history), "--unit", unit,
                         "--today", today, "--json", "--no-cache"])
    return [f for f in out["flags"] if f["date"] == day]


@pytest.mark.parametrize("unit", ["mi", "km"])
def test_every_displayed_limit_planned_as_shown_raises_no_flag(capsys, tmp_path, unit):
    seasons = [(SAMPLE, "2026-08-17"),
               (_season_dir(tmp_path, "steady", [10, 10, 10, 10, 14]), "2026-04-06"),
               (_season_dir(tmp_path, "odd", [7.3, 8.1, 9.37, 8.77]), "2026-03-30")]
    for history, today in seasons:
        out = _json(capsys, ["check", str(history), "--today", today, "--unit", unit,
                             "--json", "--no-cache"])
        days = [d for d in out["this_week"]["days"] if d["max_run_display"]]
        assert days, history
        for d in days[:2]:
            shown = float(d["max_run_display"].split()[0])
            assert d["max_run"] <= d["max_run_m"] / (MI if unit == "mi" else 1000.0)
            flags = _plan_flags(capsys, tmp_path, history, d["date"], shown, unit, today)
            assert not [f for f in flags if f["rule"] in ("session_spike", "two_week_increase")
                        ], (history, d, flags)
    # the sample on Thu 20 Aug: 6.5 mi x 1.1 = 7.15 mi, shown 7.1; 7.2 (the old display) flags
    if unit == "mi":
        flags = _plan_flags(capsys, tmp_path, SAMPLE, "2026-08-20", 7.2, "mi", "2026-08-17")
        assert [f["rule"] for f in flags] == ["session_spike"]
        # Mon 17 Aug: the two-week rule's room, 1.3 x the 14.0 mi of 4-10 Aug - the 15.0 mi
        # of 11-16 Aug = 3.2 mi (shown 3.1: the safe side); 3.3: 18.3 on 14.0 = +30.7%
        flags = _plan_flags(capsys, tmp_path, SAMPLE, "2026-08-17", 3.3, "mi", "2026-08-17")
        assert [(f["rule"], f["value"]) for f in flags] == [("two_week_increase", 30.7)]


def _flag_set(records):
    return sorted((f["date"][:10], f["rule"], f["severity"]) for f in records)


def _surfaces(capsys, path, today=None):
    day = ["--today", today] if today else []
    check = _json(capsys, ["check", str(path), "--json", "--no-cache", *day])
    report = _json(capsys, ["report", str(path), "--json", "--no-cache", *day])
    return check, report


def test_one_flag_list_on_every_surface(capsys, tmp_path):
    # the sample; the sample with a 3/10 next-morning entry the day after the last run;
    # the sample judged mid-week (Wed 12 Aug)
    late = tmp_path / "late"
    shutil.copytree(SAMPLE, late)
    with open(late / "pain.csv", "a") as fh:
        fh.write("2026-08-17,3,right,next_morning,,\n")
    for path, today in ((SAMPLE, None), (late, None), (SAMPLE, "2026-08-12")):
        check, report = _surfaces(capsys, path, today)
        assert _flag_set(check["flags"]) == _flag_set(report["flags"]), path
        assert check["today"] == report["today"]
    check, report = _surfaces(capsys, late)
    # the 17 Aug entry is judged: today is 17 Aug, not the last run (16 Aug)
    assert check["today"] == "2026-08-17" and report["until"] == "2026-08-17"
    # the sample's 26 flags (11 load flags, 5 of them the two-week rule's, and 15 pain flags)
    # and the new entry's: both surfaces list it (the report used to stop at the last run
    # and drop it)
    assert len(check["flags"]) == len(report["flags"]) == 27
    assert any(f["date"] >= "2026-08-16" and f["rule"].startswith("pain_")
               for f in report["flags"])
    from kneeload import Season
    season = Season.from_paths(late)
    assert _flag_set([{**r, "date": str(r["date"])} for r in
                      season.all_flags().to_dict("records")]) == _flag_set(check["flags"])


def test_changed_settings_leave_no_default_in_any_output(capsys, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    d = tmp_path / "season"
    shutil.copytree(SAMPLE, d)
    (d / "kneeload.toml").write_text(
        'tz = "Europe/London"\nunit = "km"\nweek_start = "sunday"\n'
        "[pain]\nmodel = \"tendon\"\nthreshold = 4\nwindow_days = 2\n"
        "[shoes]\nnotice = 600\nreplace = 900\nrecent_days = 42\n"
        "[rules.weekly_increase]\nthreshold_pct = 15\n"
        "[rules.two_week_increase]\nthreshold_pct = 35\n"
        "[rules.session_spike]\ncaution_pct = 25\nwindow_days = 14\n"
        "[rules.descent_increase]\nthreshold_pct = 40\n"
        "[rules.low_cadence]\nthreshold_spm = 172\n"
        "[rules.pain_during_run]\ntendon_limit = 4\n")
    outs = []
    _code, text = _run(capsys, ["check", str(d), "--today", "2026-08-18", "--no-cache"])
    outs.append(text)
    outs.append(_run(capsys, ["check", str(d), "--today", "2026-08-18", "--json",
                              "--no-cache"])[1])
    outs.append(_run(capsys, ["plan", str(d / "plan.csv"), "--history", str(d), "--today",
                              "2026-08-18", "--no-cache"])[1])
    outs.append(_run(capsys, ["pairs", str(d), "--no-cache"])[1])
    for ext in ("html", "md", "json", "pdf"):
        out = tmp_path / f"r.{ext}"
        assert main(["report", str(d), "-o", str(out), "--today", "2026-08-18",
                     "--no-cache"]) == 0
        capsys.readouterr()
        if ext == "pdf":
            outs.append(" ".join(p.extract_text() for p in pypdf.PdfReader(str(out)).pages))
        else:
            text = out.read_text(encoding="utf-8")
            outs.append(re.sub(r"<[^>]+>", " ", text) if ext == "html" else text)
    everything = re.sub(r"\s+", " ", " ".join(outs))
    # the configured values are said ...
    for said in ("25% over the longest run of the 14 days", "the 15% rule", "(+35%)",
                 "4/10 or more 0 to 2 days", "last 42 days", "600-900 km"):
        assert said in everything, said
    # ... and none of the defaults the text layer would have said
    for default in ("10% over the longest", "of the 30 days before", "the 10% rule",
                    "(+30%)", "0 to 3 days", "3/10 or more", "last 56 days", "last 8 weeks",
                    "300-500 mi", "dashed line at 170", "last week + 10%", "flags +30%"):
        assert default not in everything, default


def test_report_pairing_shows_each_entry_and_the_attribution_rule(capsys, tmp_path):
    data = _json(capsys, ["report", str(SAMPLE), "--json", "--no-cache"])
    texts = [p["text"] for p in data["pain"]["pairs"]]
    assert "31 May run -> 1/10 after (31 May), 4/10 during (31 May), 5/10 next morning " \
           "(1 Jun)" in texts
    assert "Next-morning entries count for the day before" in data["pain"]["rule"]
    _code, out = _run(capsys, ["pairs", str(SAMPLE), "--no-cache"])
    assert "Next-morning entries count for the day before" in out
    html = tmp_path / "r.html"
    assert main(["report", str(SAMPLE), "-o", str(html), "--no-cache"]) == 0
    page = html.read_text(encoding="utf-8")
    assert "Next-morning entries count for the day before" in page
    assert "4/10 during (31 May), 5/10 next morning (1 Jun)" in page


NEXT_WEEK_KEYS = {"week_start", "in_progress", "last_week", "last_week_m", "max_week",
                  "max_week_m", "max_week_10pct", "max_week_2wk", "recent_longest", "max_run",
                  "max_run_m", "days", "return_ceiling", "notes", "unit", "max_week_display",
                  "max_run_display"}
THIS_WEEK_KEYS = {"today", "week_start", "week_end", "complete", "runs", "distance",
                  "distance_m", "last_week", "max_week_10pct", "left_10pct", "max_week_2wk",
                  "left_2wk", "left", "left_m", "days", "rolling_7d", "rolling_prev_7d",
                  "return_ceiling", "notes", "unit", "left_display"}
DAY_KEYS = {"date", "recent_longest", "max_run", "max_run_m", "max_run_display"}


def test_documented_json_keys_are_always_present(capsys, tmp_path):
    seasons = [(SAMPLE, "2026-08-17"),
               (_season_dir(tmp_path, "young", [6], start="2026-03-04", days=(0, 1)),
                "2026-03-06"),  # no complete week
               (_season_dir(tmp_path, "back", [20, 20, 20, 20, 0, 0, 0, 8]), "2026-04-23")]
    for path, today in seasons:
        check = _json(capsys, ["check", str(path), "--today", today, "--json", "--no-cache"])
        assert NEXT_WEEK_KEYS <= set(check["next_week"]), NEXT_WEEK_KEYS - set(check["next_week"])
        assert THIS_WEEK_KEYS <= set(check["this_week"]), THIS_WEEK_KEYS - set(check["this_week"])
        for d in check["this_week"]["days"] + check["next_week"]["days"]:
            assert DAY_KEYS <= set(d)
        assert {"unit", "today", "this_week", "next_week", "tolerance", "flags", "weeks",
                "notes", "skipped"} <= set(check)
        plan = tmp_path / "p.csv"
        # dated after the history (a plan on or before the last run is refused)
        after = pd.Timestamp(today) + pd.Timedelta(days=1)
        plan.write_text(f"date,distance\n{after:%Y-%m-%d},1\n")
        planned = _json(capsys, ["plan", str(plan), "--history", str(path), "--today", today,
                                 "--json", "--no-cache"])
        assert NEXT_WEEK_KEYS <= set(planned["next_week"]) and "flags" in planned
        report = _json(capsys, ["report", str(path), "--today", today, "--json",
                                "--no-cache"])
        for key in ("look_ahead", "this_week", "flags", "figures", "today", "pain"):
            assert key in report
        assert {"max_week", "max_run", "days", "display"} <= set(report["look_ahead"])
    young = _json(capsys, ["check", str(seasons[1][0]), "--today", "2026-03-06", "--json",
                           "--no-cache"])
    assert young["next_week"]["max_week"] is None and young["this_week"]["left"] is None


def test_markdown_report(capsys, tmp_path):
    out = tmp_path / "season.md"
    assert main(["report", str(SAMPLE), "-o", str(out), "--no-cache"]) == 0
    assert "(md)" in capsys.readouterr().out
    md = out.read_text(encoding="utf-8")
    assert md.startswith("# Running load report\n")
    for text in ("## Most important flags", "## What to consider next", "## Weekly table",
                 "| date | severity | rule |", "## Shoes", "## Knee pain and load",
                 "at most 16.5 mi", "Next-morning entries count for the day before",
                 "5/10 next morning (1 Jun)", "not medical advice"):
        assert text in md, text
    from kneeload.report import EXTENSIONS, format_names
    assert EXTENSIONS[".md"] == "md" and "md" in format_names()
    assert main(["report", str(SAMPLE), "-o", str(tmp_path / "x.txt"), "--no-cache"]) == 2
    assert ".md" in capsys.readouterr().err
