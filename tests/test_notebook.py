"""The notebook analyses sample_data end to end; executing it here keeps it from rotting."""

from __future__ import annotations

import os
import re

import pytest
from conftest import ROOT

if os.environ.get("CI") == "true":  # CI runs the notebook (the test extra has nbclient)
    import nbclient
    import nbformat
else:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")

#: tqdm's text progress bar (stderr) while reading: progress, not a warning
PROGRESS = re.compile(r"^\s*reading:.*file.*$", re.M)


def test_season_notebook_runs_without_warnings_and_shows_each_figure_once():
    path = ROOT / "notebooks" / "season.ipynb"
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    outputs = "".join(str(o) for c in code for o in c.outputs)
    assert "Error" not in "".join(o.get("ename", "") for c in code for o in c.outputs)
    # no warnings: nothing on stderr but the progress bar (tqdm's "IProgress not found",
    # pandas and matplotlib warnings would all land here)
    stderr = "".join(PROGRESS.sub("", o.get("text", "").replace("\r", "\n"))
                     for c in code for o in c.outputs if o.get("name") == "stderr")
    assert stderr.strip() == ""
    assert "Warning" not in outputs
    # each figure cell shows its figure exactly once
    for c in code:
        if c.source.startswith("figures."):
            pngs = [o for o in c.outputs if "image/png" in o.get("data", {})]
            assert len(pngs) == 1, c.source
    # one event per day (issue 12): 7 spike days (5 and 7 Apr, 26 Apr, 31 May, 6 Jun, 14 Jun,
    # 20 Jun), 3 followed by pain (26 Apr, 31 May, 14 Jun)
    assert "3 of 7 load-spike days (43%)" in outputs
    assert "kneeload Season" in outputs  # the HTML summary
    # Mon 17 Aug: the two-week rule's room, 1.3 x 14.0 - 15.0 = 3.2 mi, shown on its safe side
    assert "From 2026-08-17: at most 16.5 mi; no single run over 3.1 mi." in outputs
    # no stale flags after the config change: 11 load flags; at 50% the 10% rule's +45% week
    # of 20 Apr is not flagged (+50.03% on 5 Apr still is)
    assert "11 flags at 10%; 10 at 50%" in outputs
    assert "Read 98 file(s)" in outputs
