"""Every public ``Season`` method and property has numpydoc sections (Parameters with units,
Returns, Examples; issue 25 item 8), and says whether it answers in the season's unit, which
is then true: the same season in km answers each of those in km."""

from __future__ import annotations

import dataclasses
import inspect
import re

import pytest
from conftest import SAMPLE

from kneeload import Season
from kneeload.schema import M_PER_MI

MI_PER_KM = 1000 / M_PER_MI  # 0.621371 mi in a km

#: public methods, class methods and properties
PUBLIC = sorted(name for name, obj in vars(Season).items() if not name.startswith("_")
                and (inspect.isfunction(obj) or isinstance(obj, (property, classmethod))))
#: a parameter description naming a quantity (a column in metres, seconds, %, days, weeks,
#: a distance) must give its unit in brackets
QUANTITY = re.compile(r"\b\w+_(m|s|pct)\b|\bdistance\b|\bdays\b|\bweeks\b")


def _function(name: str):
    obj = vars(Season)[name]
    if isinstance(obj, property):
        return obj.fget
    if isinstance(obj, classmethod):
        return obj.__func__
    return obj


def sections(doc: str) -> dict[str, str]:
    """numpydoc sections: a title line underlined with dashes, up to the next title."""
    lines = doc.splitlines()
    out: dict[str, list[str]] = {"": []}
    current = ""
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and re.fullmatch(r"-{3,}", lines[i + 1].strip()) and line.strip():
            current = line.strip()
            out[current] = []
        elif not re.fullmatch(r"-{3,}", line.strip()):
            out[current].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def documented_parameters(text: str) -> dict[str, str]:
    """``{name: description}`` of a Parameters section (``a, b : type`` names both)."""
    out: dict[str, str] = {}
    names: list[str] = []
    for line in text.splitlines():
        if line and not line[0].isspace():
            names = [n.strip().lstrip("*") for n in line.split(" : ")[0].split(",")]
            out.update({n: "" for n in names})
        else:
            for n in names:
                out[n] += " " + line.strip()
    return out


def test_the_public_api_is_what_this_test_checks():
    assert {"from_paths", "weekly", "weeks", "flags", "all_flags", "next_week", "this_week",
            "tolerance", "check_plan", "build_plan", "shoe_status", "pairs"} <= set(PUBLIC)


@pytest.mark.parametrize("name", PUBLIC)
def test_numpydoc_sections(name):
    fn = _function(name)
    doc = inspect.getdoc(fn) or ""
    found = sections(doc)
    assert "Returns" in found, f"Season.{name}: no Returns section"
    assert ">>> " in found.get("Examples", ""), f"Season.{name}: no Examples section"
    wanted = [p.name for p in inspect.signature(fn).parameters.values()
              if p.name not in {"self", "cls"}]
    if not wanted:
        return
    assert "Parameters" in found, f"Season.{name}: no Parameters section"
    documented = documented_parameters(found["Parameters"])
    assert list(documented) == wanted, f"Season.{name}: Parameters are not the signature's"
    for param, text in documented.items():
        assert text.strip(), f"Season.{name}({param}): not described"
        if QUANTITY.search(text):
            assert re.search(r"\[[^\]]+\]", text), f"Season.{name}({param}): no [unit]"


@pytest.mark.parametrize("name", PUBLIC)
def test_each_says_whether_it_answers_in_the_seasons_unit(name):
    doc = inspect.getdoc(_function(name)) or ""
    assert re.search(r"season's unit|no distances", doc.replace("\n", " ")), name


#: the methods that answer in the season's unit with the unit in their column names
IN_UNIT = ["weekly", "acwr", "monotony", "fitness", "session_spikes"]


@pytest.fixture(scope="module")
def seasons():
    mi = Season.from_paths(SAMPLE)
    km = Season(mi.activities, dataclasses.replace(mi.config, unit="km"), mi.skipped,
                mi.pain, mi.shoes, mi.shoe_overrides)
    return mi, km


@pytest.mark.parametrize("name", IN_UNIT)
def test_the_unit_rule_holds(name, seasons):
    mi, km = seasons
    assert "Not in the season's unit" not in (inspect.getdoc(_function(name)) or "")
    a, b = getattr(mi, name)(), getattr(km, name)()
    in_mi = [c for c in a.columns if c.endswith("_mi")]
    assert in_mi, name
    assert not [c for c in a.columns if c.endswith("_km") or c.endswith("_m")], name
    for col in in_mi:
        # the same distance: x km = x * 0.621371 mi
        twin = col[:-3] + "_km"
        ratio = (a[col] / b[twin]).dropna()
        ratio = ratio[b[twin].dropna().abs() > 1e-9]
        assert ratio.round(6).eq(round(MI_PER_KM, 6)).all(), (name, col)


def test_messages_and_notes_in_the_seasons_unit(seasons):
    mi, km = seasons
    # the single-run spike message on 31 May: 12.0 mi = 19.3 km
    spike = lambda s: s.flags().query("rule == 'session_spike'")["message"].iloc[-1]  # noqa: E731
    assert "12.0 mi" in spike(mi) and "19.3 km" in spike(km)
    assert " mi" not in " ".join(km.notes()) and " mi" not in spike(km)
