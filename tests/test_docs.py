"""The docs' pages: rule pages list their parameters; every fenced block is one the example
runner (the repository's conftest.py, Sybil) runs or a data block it deliberately does not;
documented signatures are the code's."""

from __future__ import annotations

import ast
import inspect
import re

from conftest import ROOT

import kneeload
from kneeload.rules import registry

#: every page whose examples run (pyproject.toml testpaths; the root conftest.py's patterns)
PAGES = [ROOT / "README.md", ROOT / "sample_data" / "README.md",
         *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "docs" / "rules").glob("*.md"))]
#: fence languages the runner executes (python, shell) or reads (toml settings, csv inputs,
#: json: a command's output, named in the comment before it)
RUN = {"python", "bash", "sh", "console", "toml", "csv", "json"}
#: data shown, not run: plain text
DATA = {"text", ""}


def test_every_rule_has_a_page_listing_its_parameters_and_defaults():
    for rule, params in registry.defaults().items():
        page = (ROOT / "docs" / "rules" / f"{rule}.md").read_text(encoding="utf-8")
        for name, default in params.items():
            if name == "enabled" and default is True:
                continue
            shown = str(default).lower() if isinstance(default, bool) else str(default)
            assert f"| `{name}` | {shown} |" in page, (rule, name)
        assert "Evidence" in page


def _fences(text: str) -> list[tuple[int, str, str]]:
    """(line, language, code) of every fenced block; fails on an unclosed fence."""
    blocks, lang, lines, start = [], None, [], 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            if lang is None:
                lang, lines, start = line[3:].strip(), [], number
            else:
                blocks.append((start, lang, "\n".join(lines)))
                lang = None
        elif lang is not None:
            lines.append(line)
    assert lang is None, f"the code fence of line {start} is never closed"
    return blocks


def test_every_fenced_block_is_run_or_deliberately_data():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    testpaths = pyproject["tool"]["pytest"]["ini_options"]["testpaths"]
    assert {"README.md", "docs", "sample_data/README.md"} <= set(testpaths)
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for line, lang, code in _fences(text):
            where = f"{page.relative_to(ROOT)}:{line}"
            assert lang in RUN | DATA, f"{where}: ```{lang} is neither run nor data"
            if lang in DATA:  # a command shown in a data block would escape the runner
                assert not re.search(r"^\$ |^kneeload |^>>> ", code, re.M), where
            if lang == "json":  # checked against the output of the command it names
                before = text.splitlines()[line - 2] if line > 1 else ""
                assert before.startswith("<!-- output of: kneeload "), where
        # code outside a fence would show up as prose lines starting with "season."
        prose = text.split("```")[::2]
        assert not any(ln.startswith("season.") for p in prose for ln in p.splitlines()), page


def _documented_signatures(page: str) -> dict[str, ast.arguments]:
    """``kneeload.NAME(...)`` signatures of a page's first python block, as parsed defs."""
    code = next(c for _, lang, c in _fences((ROOT / page).read_text(encoding="utf-8"))
                if lang == "python")
    code = re.sub(r"#[^\n]*", "", code)
    out = {}
    for name, args in re.findall(r"^kneeload\.(\w+)\((.*?)\)\s*$", code, re.M | re.S):
        tree = ast.parse(f"def f({args}): pass")
        out[name] = tree.body[0].args  # type: ignore[attr-defined]
    return out


def test_documented_reader_signatures_are_the_code():
    documented = _documented_signatures("docs/readers.md")
    assert set(documented) == {"read_file", "read_activities", "read_samples",
                               "find_activity_files", "deduplicate"}
    for name, args in documented.items():
        real = inspect.signature(getattr(kneeload, name)).parameters.values()
        positional = [a.arg for a in args.args]
        keyword = {a.arg: ast.literal_eval(d) for a, d in zip(args.kwonlyargs,
                                                            args.kw_defaults, strict=True)}
        assert positional == [p.name for p in real if p.kind is p.POSITIONAL_OR_KEYWORD], name
        assert list(keyword) == [p.name for p in real if p.kind is p.KEYWORD_ONLY], name
        for p in real:  # an enum default (on_error) equals its documented value
            if p.kind is p.KEYWORD_ONLY:
                assert keyword[p.name] == p.default, (name, p.name)
