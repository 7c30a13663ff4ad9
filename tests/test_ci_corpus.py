"""CI provides the shared real-file corpus: there, its absence fails the run instead of
skipping every corpus test (a skipped corpus would let a reader regression land)."""

from __future__ import annotations

import os

import pytest
from conftest import real_files_dir


def test_ci_has_the_real_file_corpus():
    if not os.environ.get("CI"):
        pytest.skip("outside CI the corpus is optional ($KNEELOAD_REAL_FILES or ../shared)")
    corpus = real_files_dir()
    assert corpus is not None, (
        "CI=true but the real-file corpus is missing: set KNEELOAD_REAL_FILES or place "
        "shared/real_files beside the checkout")
    # 68 real device and app files plus SOURCES.md (shared/real_files/SOURCES.md)
    assert sum(1 for p in corpus.rglob("*") if p.is_file()) >= 68
