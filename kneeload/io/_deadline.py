"""A per-file parse deadline: a crafted file that would keep a decoder busy for minutes is
skipped with a reason instead of stalling the whole ingest."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator

from ..errors import UnsafeInputError

#: Longest time one file may take to parse [s]. Real activity files take well under 5 s
#: (a 12-hour FIT: ~1 s); ``$KNEELOAD_PARSE_DEADLINE_S`` changes it, 0 turns it off.
PARSE_DEADLINE_S = 120.0


def _deadline_s() -> float:
    try:
        return float(os.environ.get("KNEELOAD_PARSE_DEADLINE_S", PARSE_DEADLINE_S))
    except ValueError:
        return PARSE_DEADLINE_S


class _Expired(BaseException):
    """Raised by the alarm; a BaseException so no decoder's ``except Exception`` eats it."""


@contextlib.contextmanager
def parse_deadline(name: str, seconds: float | None = None) -> Iterator[None]:
    """Raise UnsafeInputError naming ``name`` when the block runs past ``seconds``.

    Uses a real-time interval timer (POSIX, main thread only); elsewhere the block runs
    without a deadline.
    """
    limit = _deadline_s() if seconds is None else seconds
    usable = (limit > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def expire(signum, frame):
        raise _Expired

    old_handler = signal.signal(signal.SIGALRM, expire)
    old_timer = signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    except _Expired:
        raise UnsafeInputError(name, f"took longer than {limit:g} s to parse; skipped as a "
                               "likely crafted file (a real activity file takes seconds)"
                               ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_timer[0] > 0:
            signal.setitimer(signal.ITIMER_REAL, *old_timer)
