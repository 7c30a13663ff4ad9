"""Synthetic activities tables for the maths."""

from __future__ import annotations

import pandas as pd

from kneeload.schema import M_PER_MI, conform_activities


def activities(runs: list[tuple], tz: str = "UTC") -> pd.DataFrame:
    """``runs``: (local 'YYYY-MM-DD HH:MM', miles[, sport[, descent_m[, cadence_spm]]])."""
    rows = []
    for i, r in enumerate(runs):
        local = pd.Timestamp(r[0])
        rows.append({
            "activity_id": f"a{i}", "start_time": local.tz_localize(tz).tz_convert("UTC"),
            "local_start": local, "local_date": local.normalize(),
            "sport": r[2] if len(r) > 2 else "running", "distance_m": r[1] * M_PER_MI,
            "moving_s": r[1] * 600.0, "elapsed_s": r[1] * 620.0,
            "descent_m": r[3] if len(r) > 3 else 10.0,
            "cadence_spm": r[4] if len(r) > 4 else None, "source_format": "fit",
            "source_path": f"run{i}.fit",
        })
    return conform_activities(pd.DataFrame(rows))


def weekly_runs(start: str, miles_per_week: list[float], days=(0, 3, 6)) -> list[tuple]:
    """Spread each week's miles evenly over ``days`` (0 = Monday) of successive weeks.
    The default starts on a Monday, so the first week is complete (not partial)."""
    out = []
    monday = pd.Timestamp(start)
    for w, miles in enumerate(miles_per_week):
        for d in days:
            if miles:
                day = monday + pd.Timedelta(days=7 * w + d, hours=8)
                out.append((str(day), miles / len(days)))
    return out
