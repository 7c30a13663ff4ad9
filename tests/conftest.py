from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SAMPLE = ROOT / "sample_data"


@pytest.fixture
def data() -> Path:
    return DATA


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """The tests never write to the user's cache: a session-wide temporary one."""
    os.environ["KNEELOAD_CACHE"] = str(tmp_path_factory.mktemp("kneeload-cache"))
    yield


def real_files_dir() -> Path | None:
    """The shared corpus: $KNEELOAD_REAL_FILES, else ../shared/real_files beside the checkout."""
    env = os.environ.get("KNEELOAD_REAL_FILES")
    candidates = [Path(env)] if env else [ROOT.parent / "shared" / "real_files",
                                          ROOT.parent.parent / "shared" / "real_files"]
    for c in candidates:
        if c.is_dir():
            return c
    return None
