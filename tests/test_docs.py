from __future__ import annotations

from conftest import ROOT

from kneeload.rules import registry


def test_every_rule_has_a_page_listing_its_parameters_and_defaults():
    for rule, params in registry.defaults().items():
        page = (ROOT / "docs" / "rules" / f"{rule}.md").read_text(encoding="utf-8")
        for name, default in params.items():
            if name == "enabled" and default is True:
                continue
            shown = str(default).lower() if isinstance(default, bool) else str(default)
            assert f"| `{name}` | {shown} |" in page, (rule, name)
        assert "Evidence" in page
