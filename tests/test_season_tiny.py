"""Every public Season method on an empty, a one-run and a one-week season: results or a
kneeload error, never a pandas or Python error (issue 25, item 5)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pandas as pd
import pytest

import kneeload
from kneeload import Season
from kneeload.errors import KneeloadError, UsageError

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
PLAN = pd.DataFrame({"date": [pd.Timestamp("2030-01-07")], "distance_m": [5000.0]})


@pytest.fixture(scope="module")
def full() -> Season:
    return Season.from_paths(SAMPLE)


def _tiny(full: Season, kind: str, tmp_path: Path) -> Season:
    if kind == "empty-folder":
        return Season.from_paths(tmp_path, discover_files=False)
    runs = kneeload.load.running(full.activities).sort_values("local_start")
    if kind == "empty":
        acts = full.activities.head(0)
    elif kind == "one-run":
        acts = runs.head(1)
    else:  # one week: the first seven days of runs
        acts = runs[runs["local_date"] < runs["local_date"].min() + pd.Timedelta(days=7)]
    return Season(acts.reset_index(drop=True), full.config, pain=full.pain, shoes=full.shoes,
                  shoe_overrides=full.shoe_overrides)


def _public(season: Season):
    for name, member in inspect.getmembers(Season):
        if name.startswith("_") or name == "from_paths":
            continue
        if isinstance(member, property):
            yield name, (lambda n=name: getattr(season, n))
        elif callable(member):
            args = {"check_plan": (PLAN,), "build_plan": ("20mi/week",),
                    "as_of": ("2030-01-07",)}.get(name, ())
            yield name, (lambda n=name, a=args: getattr(season, n)(*a))


@pytest.mark.parametrize("kind", ["empty-folder", "empty", "one-run", "one-week"])
def test_every_public_method_answers_or_raises_a_kneeload_error(full, kind, tmp_path):
    season = _tiny(full, kind, tmp_path)
    called, escaped = [], []
    for name, call in _public(season):
        try:
            call()
        except KneeloadError:
            pass
        except Exception as exc:  # noqa: BLE001 - what the test is looking for
            escaped.append(f"{name}: {type(exc).__name__}: {exc}")
        called.append(name)
    assert escaped == []
    # the methods issue 25 names are among those called
    assert {"flags", "all_flags", "weekly", "next_week", "this_week", "pairs"} <= set(called)


def test_empty_season_flags_are_an_empty_typed_table(tmp_path):
    flags = Season.from_paths(tmp_path, discover_files=False).flags()
    assert flags.empty
    assert list(flags.columns)[:8] == list(kneeload.load.FLAG_COLUMNS)
    assert str(flags["date"].dtype).startswith("datetime64")
    assert flags["value"].dtype == float


def test_a_missing_path_raises_a_kneeload_error_naming_it(tmp_path):
    with pytest.raises(UsageError, match="no such file or folder: 'nosuch'"):
        Season.from_paths("nosuch")


def test_every_public_season_method_has_numpydoc_returns_and_examples():
    """Issue 25, item 8: numpydoc sections on every public Season method (Parameters when
    it takes any), and a docstring that states the unit rule or its exception."""
    missing = []
    for name, member in inspect.getmembers(Season):
        if name.startswith("_") or isinstance(member, property) or not callable(member):
            continue
        doc = inspect.getdoc(member) or ""
        takes = [p for p in inspect.signature(member).parameters if p not in ("self", "cls")]
        need = ["Returns", "Examples"] + (["Parameters"] if takes and name not in (
            "from_paths", "weekly", "clock_note") else [])
        missing += [f"{name}: {sec}" for sec in need if f"{sec}\n---" not in doc]
    # from_paths and clock_note are documented in prose; weekly has Returns/Examples
    assert [m for m in missing if not m.startswith(("from_paths", "clock_note"))] == []
