"""Issue 20 item 7: every documented ``--json`` key is always present, null when unknown.

``docs/json-schema.json`` is the JSON Schema (draft 2020-12) of each command's ``--json``
output, under ``$defs`` by command; every object lists every key as required and allows no
other. Each command runs on several seasons (the sample, a season with no run, one run, a
return after a break, a pain hold) and its output must validate; docs/cli.md's "JSON keys"
list must name exactly the schema's keys."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import jsonschema
import pandas as pd
import pytest

from kneeload.cli import main
from kneeload.schema import ACTIVITY_COLUMN_NAMES

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
SCHEMA = json.loads((ROOT / "docs" / "json-schema.json").read_text())


def run(argv: list[str]) -> tuple[int, object]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    assert code in (0, 1), err.getvalue()
    return code, json.loads(out.getvalue())


def validate(doc: object, command: str) -> None:
    schema = {"$defs": SCHEMA["$defs"], "$ref": f"#/$defs/{command}"}
    jsonschema.Draft202012Validator(schema).validate(doc)


def _log(folder: Path, runs: list[tuple[str, float]], pain: str | None = None) -> Path:
    folder.mkdir()
    rows = ["date,distance,duration,shoe"] + [f"{d},{mi},{mi * 10:g}:00,Pegasus"
                                              for d, mi in runs]
    (folder / "log.csv").write_text("\n".join(rows) + "\n")
    (folder / "kneeload.toml").write_text('tz = "UTC"\n')
    if pain is not None:
        (folder / "pain.csv").write_text(pain)
    return folder


def _weeks(start: str, n: int, mi: float) -> list[tuple[str, float]]:
    monday = pd.Timestamp(start)
    return [(f"{monday + pd.Timedelta(days=7 * w + k):%Y-%m-%d}", mi)
            for w in range(n) for k in (0, 2, 4)]


@pytest.fixture(scope="module")
def seasons(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """name -> (folder, the day judged)."""
    base = tmp_path_factory.mktemp("seasons")
    # no run at all: one ride (every limit null)
    ride = base / "ride"
    ride.mkdir()
    (ride / "log.csv").write_text("date,distance,duration,sport\n2026-06-01,10,30:00,cycling\n")
    (ride / "pain.csv").write_text("date,pain\n2026-06-01,0\n")
    (ride / "kneeload.toml").write_text('tz = "UTC"\n')
    one = _log(base / "one", [("2026-06-01", 3.0)], "date,pain\n2026-06-01,0\n")
    # five weeks of 3 x 4 mi, 30 days off, then a return: weeks of a return, no base
    back = _weeks("2026-04-06", 5, 4.0) + [("2026-06-08", 3.0), ("2026-06-10", 3.0),
                                           ("2026-06-12", 3.0), ("2026-06-15", 3.0)]
    brk = _log(base / "break", back, "date,pain\n2026-06-08,0\n2026-06-15,1\n")
    # a pain hold: 6/10 during the last run
    hold = _log(base / "hold", _weeks("2026-04-06", 6, 4.0),
                "date,pain,side,when\n2026-05-13,1,right,after\n2026-05-15,6,right,during\n")
    return {"sample": (SAMPLE, "2026-08-16"), "ride": (ride, "2026-06-01"),
            "one": (one, "2026-06-01"), "break": (brk, "2026-06-16"),
            "hold": (hold, "2026-05-15")}


NAMES = ["sample", "ride", "one", "break", "hold"]


@pytest.mark.parametrize("name", NAMES)
def test_check_json_has_every_key(seasons, name):
    folder, today = seasons[name]
    _, doc = run(["check", folder, "--json", "--today", today])
    validate(doc, "check")
    if name == "ride":  # no run: every limit present, and null
        assert doc["this_week"]["left"] is None and doc["next_week"]["max_week"] is None
        assert doc["this_week"]["max_week_10pct_display"] is None


@pytest.mark.parametrize("name", NAMES)
def test_plan_json_has_every_key(seasons, name, tmp_path):
    folder, today = seasons[name]
    day = pd.Timestamp(today) + pd.Timedelta(days=1)
    plan = tmp_path / "plan.csv"
    plan.write_text(f"date,distance\n{day:%Y-%m-%d},3\n{day + pd.Timedelta(days=2):%Y-%m-%d},4\n")
    _, doc = run(["plan", plan, "--history", folder, "--json", "--today", today])
    validate(doc, "plan")


@pytest.mark.parametrize("name", NAMES)
def test_summary_pairs_shoes_json_have_every_key(seasons, name):
    folder, today = seasons[name]
    _, doc = run(["summary", folder, "--json"])
    validate(doc, "summary")
    assert list(SCHEMA["$defs"]["activity"]["properties"]) == [*ACTIVITY_COLUMN_NAMES,
                                                               "distance"]
    _, doc = run(["pairs", folder, "--json", "--today", today])
    validate(doc, "pairs")
    _, doc = run(["shoes", folder, "--json"])
    validate(doc, "shoes")


@pytest.mark.parametrize("name", NAMES)
def test_report_json_has_every_key(seasons, name):
    folder, today = seasons[name]
    _, doc = run(["report", folder, "--json", "--today", today])
    validate(doc, "report")


def test_pain_list_json_has_every_key(tmp_path):
    # a log with only date and pain: side, when, activity and note are still there
    log = tmp_path / "pain.csv"
    log.write_text("date,pain\n2026-06-01,2\n")
    _, doc = run(["pain", "list", "--log", log, "--json"])
    validate(doc, "pain_list")
    _, doc = run(["pain", "list", "--log", SAMPLE / "pain.csv", "--json"])
    validate(doc, "pain_list")


def _schema_at(path: str) -> dict:
    name, *rest = path.split(".")
    s = SCHEMA["$defs"][name]
    for part in rest:
        s = s["properties"][part.removesuffix("[]")]
        if "anyOf" in s:  # null, or the object
            s = next(a for a in s["anyOf"] if a.get("type") != "null")
        if part.endswith("[]"):
            s = s["items"]
    return s


def test_cli_docs_list_exactly_the_schema_keys():
    text = (ROOT / "docs" / "cli.md").read_text()
    section = text.split("## JSON keys", 1)[1].split("\n## ", 1)[0]
    listed = dict(re.findall(r"^- \*\*([\w.\[\]]+)\*\*: (.+)$", section, flags=re.M))
    assert {"check", "plan", "summary", "pairs", "shoes", "pain_list", "report"} <= set(listed)
    for path, keys in listed.items():
        assert re.findall(r"`([^`]+)`", keys) == list(_schema_at(path)["properties"]), path
    # every object of the schema with fixed keys is listed
    def walk(s: dict, path: str, out: set) -> None:
        if "$ref" in s:
            return
        for alternative in s.get("anyOf", ()):
            walk(alternative, path, out)
        if s.get("type") == "array" and isinstance(s.get("items"), dict):
            walk(s["items"], path + "[]", out)
        if s.get("additionalProperties") is False:
            out.add(path)
            for k, v in s["properties"].items():
                walk(v, f"{path}.{k}", out)
    fixed: set = set()
    for name, s in SCHEMA["$defs"].items():
        walk(s, name, fixed)
    assert fixed == set(listed)
