"""What the pain rules share: the pain models' citation and the flag row of a pain rule.

Not a rule (the registry skips modules whose name starts with ``_``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..loadcalc import week_start_of
from . import registry

PAIN_MODELS = ("Esculier et al. 2018, BJSM 52(10):659 (patellofemoral pain); Silbernagel et "
                "al. 2007, AJSM 35(6):897 (tendon model)")


def pain_row(name: str, size: str, severity: str, date: pd.Timestamp, value: float,
         threshold: float, week_start: str, message: str) -> dict[str, Any]:
    record = registry.get(name)
    return {"rule": name, "severity": record.severity_of(size, {"severity": severity}),
            "date": date, "week_start": week_start_of(pd.Series([date]), week_start).iloc[0],
            "value": float(value), "threshold": float(threshold), "unit": "/10",
            "message": message + " " + record.evidence_text}
