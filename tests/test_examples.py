"""Every docstring example in the package runs (numpydoc ``Examples`` sections), from the
repository's root folder so they can read ``sample_data/``; and the public API has them."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest
from conftest import ROOT

import kneeload
import kneeload.report

MODULES = sorted(m.name for m in pkgutil.walk_packages(kneeload.__path__, "kneeload."))

#: Public functions and classes that must carry a runnable Examples section.
MUST_HAVE_EXAMPLES = [
    kneeload.read_file, kneeload.Season, kneeload.Season.weekly,
    kneeload.report.write_report, kneeload.report.build_content,
    kneeload.report.report_format, kneeload.report.figures.weekly_distance,
    kneeload.report.content.rule_name, kneeload.report.tables.text_table,
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, monkeypatch):
    monkeypatch.chdir(ROOT)
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


@pytest.mark.parametrize("obj", MUST_HAVE_EXAMPLES, ids=lambda o: o.__qualname__)
def test_public_api_has_runnable_examples(obj):
    doc = obj.__doc__ or ""
    assert "Examples\n" in doc and "--------" in doc.split("Examples\n", 1)[1][:30]
    runnable = [ex for t in doctest.DocTestFinder(recurse=False).find(obj)
                for ex in t.examples if not ex.options.get(doctest.SKIP)]
    assert runnable, f"{obj.__qualname__}: every example is skipped"
