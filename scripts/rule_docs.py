"""Write each rule's parameter table in docs/rules/NAME.md from the rules registry (the only
home of the defaults); create the page when a rule has none. Run after changing a rule:
``python scripts/rule_docs.py``; tests/test_docs.py checks the pages are current."""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

from kneeload.rules import EVIDENCE_GRADES, registry

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"
HEAD = "| parameter | default | unit | meaning |\n|---|---|---|---|\n"


def table(name: str) -> str:
    rows = []
    for p in registry[name].params.values():
        shown = str(p.default).lower() if isinstance(p.default, bool) else str(p.default)
        rows.append(f"| `{p.name}` | {shown} | {p.unit} | {p.help} |")
    return HEAD + "\n".join(rows) + "\n"


def page(name: str) -> str:
    r = registry[name]
    doc = inspect.getdoc(r.fn) or ""
    first = doc.split("\n\n")[0].replace("\n", " ")
    return (f"# {name}: {r.title}\n\n{first}\n\n{table(name)}\n"
            f"- Severity: {r.severity}.\n"
            f"- Pairs with pain: {'yes' if r.pairs_with_pain else 'no'}.\n"
            f"- **Evidence: {r.grade}** ({EVIDENCE_GRADES[r.grade][0]}). {r.evidence}. "
            f"{r.citation}.\n")


def main() -> int:
    pattern = re.compile(r"\| parameter \| default \|[^\n]*\n\|[-|]+\|\n(?:\|[^\n]*\n)*")
    for name in registry:
        path = DOCS / f"{name}.md"
        if not path.exists():
            path.write_text(page(name), encoding="utf-8")
            continue
        text = path.read_text(encoding="utf-8")
        new, n = pattern.subn(lambda _m, name=name: table(name), text, count=1)
        if n == 0:
            new = text.rstrip("\n") + "\n\n" + table(name)
        path.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
