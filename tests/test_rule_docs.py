"""docs/rules/README.md's parameters section and every rule page's parameter table are the
ones scripts/rule_docs.py generates from the registry's records (issue 19 item 5)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from kneeload.rules import registry

ROOT = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("rule_docs", ROOT / "scripts" / "rule_docs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_docs_match_the_records():
    gen = _script()
    text = (ROOT / "docs" / "rules" / "README.md").read_text(encoding="utf-8")
    assert gen.readme(text) == text, "run python scripts/rule_docs.py"
    for name in registry:
        page = (ROOT / "docs" / "rules" / f"{name}.md").read_text(encoding="utf-8")
        assert gen.rule_page(name, page) == page, name
    # every default of the records is in README's generated block
    block = gen.readme_block()
    assert "| [weekly_increase](weekly_increase.md) | `threshold_pct` | 10.0 | % |" in block
    assert "| [pain_persistent](pain_persistent.md) | `severity` | alert |" in block


def test_the_rules_table_is_generated_and_a_stale_one_fails():
    gen = _script()
    text = (ROOT / "docs" / "rules" / "README.md").read_text(encoding="utf-8")
    block = gen.rules_block()
    assert block in text
    assert text.count("| rule | what it flags |") == 1  # no hand-written copy beside it
    # one row a rule, in registry order, with the record's words
    rows = [ln for ln in block.splitlines() if ln.startswith("| [")]
    assert [r.split("]")[0][3:] for r in rows] == list(registry)
    spike = registry["session_spike"]
    assert (f"| [session_spike](session_spike.md) | {spike.title} | yes | strong | "
            f"{spike.severity} | yes |") in block
    assert "| [acwr_high](acwr_high.md) | " in block and "| **off** | doubtful |" in block
    # a table that no longer matches the records (a grade edited by hand) is regenerated,
    # so test_the_docs_match_the_records fails on it
    stale = text.replace("| yes | strong |", "| yes | weak |", 1)
    assert stale != text and gen.readme(stale) == text
    # a page with the old hand-written table gets the generated one in its place
    old = ("# Load rules\n\n| rule | what it flags | default | evidence | severity |\n"
           "|---|---|---|---|---|\n| [x](x.md) | hand | 10% | weak | info |\n\nMore.\n")
    new = gen.readme(old)
    assert "| hand |" not in new and block in new and new.index(block) < new.index("More.")
