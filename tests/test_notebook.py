"""The notebook analyses sample_data end to end; executing it here keeps it from rotting."""

from __future__ import annotations

import pytest
from conftest import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def test_season_notebook_runs():
    path = ROOT / "notebooks" / "season.ipynb"
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    outputs = "".join(str(o) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Error" not in "".join(o.get("ename", "") for c in nb.cells
                                  if c.cell_type == "code" for o in c.outputs)
    assert "3 of 5 load-spike days (60%)" in outputs  # one event per day (issue 12)
    assert "kneeload Season" in outputs  # the HTML summary
    assert "image/png" in outputs         # figures rendered inline
