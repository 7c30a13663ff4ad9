"""``--since`` on every command that lists things (summary, check, pairs, report), and the
shared text tables in the terminal."""

from __future__ import annotations

import json

from conftest import SAMPLE

from kneeload.cli import main


def test_summary_since_lists_only_later_activities(capsys):
    assert main(["summary", str(SAMPLE), "--since", "2026-08-10"]) == 0
    out = capsys.readouterr().out
    # sample_data/README.md: the last week's runs on 11, 13, 15, 16 Aug: 3.5+4+3+4.5 = 15 mi
    assert "4 activities, 4 runs, 15.0 mi running" in out
    assert "2026-08-09" not in out and "2026-08-16" in out
    # skipped files are always listed: the duplicate phone recording of 9 Apr
    assert "2026-04-09_0706_run_phone.gpx" in out
    assert main(["summary", str(SAMPLE), "--since", "2026-08-10", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["activities"]) == 4


def test_pairs_since_lists_only_later_spikes(capsys):
    assert main(["pairs", str(SAMPLE), "--since", "2026-06-01", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    # of the 3 paired spike days (26 Apr, 31 May, 14 Jun) only 14 Jun is on or after 1 Jun
    assert [p["spike_date"] for p in doc["pairs"]] == ["2026-06-14"]
    assert [e["start"] for e in doc["pain_without_spike"]] == ["2026-07-15"]
    assert doc["summary"]["spikes_followed_by_pain"] == 3  # the summary is the whole log's
    assert main(["pairs", str(SAMPLE), "--since", "2026-09-01"]) == 0
    out = capsys.readouterr().out
    # the attribution rule is said once, as a sentence (issue 25: pairing as the log says it)
    assert "Next-morning entries count for the day before" in out
    assert ("Spikes followed by pain:\n"
            "  none\nSpikes with no pain after them:\n  none\n") in out


def test_shoes_prints_the_shared_table(capsys):
    main(["shoes", str(SAMPLE)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["pair", "dist", "mi", "runs", "status", "first", "use", "last",
                                "use", "notice", "on", "replace", "on", "share"]
    # Speedgoat 5: 316 mi in 25 runs, past the 300 mi notice (sample_data/README.md)
    row = next(ln for ln in lines if ln.startswith("Speedgoat 5"))
    assert row.split()[2:5] == ["316", "25", "notice"]
