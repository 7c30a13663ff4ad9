"""One clock (issue 19 item 5): kneeload/clock.py is the only module that reads the machine's
date or time; every surface asks it (or is passed the day)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

import kneeload
from kneeload import clock

PACKAGE = Path(kneeload.__file__).resolve().parent
#: calls that read the machine's clock: date.today(), datetime.now()/today()/utcnow(),
#: pd.Timestamp.now()/today(), time.time()/time_ns()/localtime()
CLOCK_CALLS = {"today", "now", "utcnow", "time", "time_ns", "localtime"}
#: the objects they are read from
CLOCK_OWNERS = {"date", "datetime", "Timestamp", "time", "dt", "pd"}


def _clock_reads(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        func = node.func
        owner = func.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        if func.attr in CLOCK_CALLS and name in CLOCK_OWNERS:
            out.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {ast.unparse(func)}()")
    return out


def test_only_the_clock_module_reads_the_clock():
    reads = [r for p in sorted(PACKAGE.rglob("*.py")) if p.name != "clock.py"
             for r in _clock_reads(p)]
    assert reads == []
    # the scan sees a read where there is one (clock.py's own two)
    assert len(_clock_reads(PACKAGE / "clock.py")) == 2


def test_now_is_aware_utc_and_today_its_local_date():
    now = clock.now()
    assert now.tzinfo is not None and now.utcoffset() == dt.timedelta(0)
    assert abs(now.astimezone().date() - clock.today()) <= dt.timedelta(days=1)


@pytest.fixture
def fixed_day(monkeypatch):
    """The command line's clock says 2026-08-20 (it imports clock.today as clock_today)."""
    day = dt.date(2026, 8, 20)
    import kneeload.cli
    for mod in (kneeload.cli,):
        monkeypatch.setattr(mod, "clock_today", lambda: day)
    return day


def test_pain_add_judges_the_future_by_the_clock(fixed_day, tmp_path, capsys):
    from kneeload.cli import main

    log = tmp_path / "pain.csv"
    # 2026-08-21 is after the clock's 2026-08-20: refused, exit 2, nothing written
    assert main(["pain", "add", "--log", str(log), "--score", "3", "--date", "2026-08-21"]) == 2
    assert "2026-08-21 is in the future (today is 2026-08-20)" in capsys.readouterr().err
    assert not log.exists()
    assert main(["pain", "add", "--log", str(log), "--score", "3", "--date", "2026-08-20"]) == 0

