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
