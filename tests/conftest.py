from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SAMPLE = ROOT / "sample_data"


@pytest.fixture
def data() -> Path:
    return DATA


# The tests write only inside temporary folders: kneeload's cache, and the state matplotlib,
# Jupyter and IPython keep in the home folder, go to one temporary folder, set before any of
# them is imported (matplotlib reads MPLCONFIGDIR at import).
_STATE = tempfile.mkdtemp(prefix="kneeload-tests-")
atexit.register(shutil.rmtree, _STATE, True)
for _var in ("KNEELOAD_CACHE", "KNEELOAD_CONFIG_DIR", "MPLCONFIGDIR", "JUPYTER_RUNTIME_DIR",
             "JUPYTER_DATA_DIR", "IPYTHONDIR", "HYPOTHESIS_STORAGE_DIRECTORY"):
    os.environ[_var] = os.path.join(_STATE, _var.lower())
try:  # hypothesis keeps a cache of its own beside the tests unless told otherwise
    from hypothesis.configuration import set_hypothesis_home_dir
    set_hypothesis_home_dir(os.environ["HYPOTHESIS_STORAGE_DIRECTORY"])
except ImportError:
    pass


def real_files_dir() -> Path | None:
    """The shared corpus: $KNEELOAD_REAL_FILES, else ../shared/real_files beside the checkout."""
    env = os.environ.get("KNEELOAD_REAL_FILES")
    candidates = [Path(env)] if env else [ROOT.parent / "shared" / "real_files",
                                          ROOT.parent.parent / "shared" / "real_files"]
    for c in candidates:
        if c.is_dir():
            return c
    return None
