from __future__ import annotations

from conftest import ROOT

from kneeload import schema


def test_docs_schema_is_generated_from_the_module():
    assert (ROOT / "docs/schema.md").read_text(encoding="utf-8") == schema.schema_markdown()


def test_every_quantity_column_names_its_unit():
    for col in schema.ACTIVITY_COLUMNS + schema.SAMPLE_COLUMNS:
        if col.unit and col.unit not in ("UTC", "local", "0-10"):  # rpe: a 0-10 score
            assert col.name.endswith("_" + col.unit.replace("/", "_")), col.name


def test_empty_table_has_the_columns():
    assert list(schema.empty_activities().columns) == list(schema.ACTIVITY_COLUMN_NAMES)
