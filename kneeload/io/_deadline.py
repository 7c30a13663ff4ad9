"""A per-file parse deadline: a crafted file that would keep a decoder busy for minutes is
skipped with a reason instead of stalling the whole ingest."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator

from ..errors import UnsafeInputError

#: Time one file may take to parse [s]: this much, plus PARSE_S_PER_MIB for each MiB of its
#: (decompressed) data. Real activity files take well under 5 s (a 12-hour FIT about 1 s;
#: a 38 MB GPX 31 s on a loaded 2-core machine), so only a crafted file gets near it.
#: ``$KNEELOAD_PARSE_DEADLINE_S`` replaces the whole deadline; 0 turns it off.
PARSE_DEADLINE_S = 60.0
PARSE_S_PER_MIB = 2.0


def deadline_for(size_bytes: int) -> float:
    """The parse deadline [s] of a file of ``size_bytes`` decompressed bytes."""
    env = os.environ.get("KNEELOAD_PARSE_DEADLINE_S")
    if env:
        try:
            return float(env)
        except ValueError:
            pass
    return PARSE_DEADLINE_S + PARSE_S_PER_MIB * size_bytes / 2**20


class _Expired(BaseException):
    """Raised by the alarm; a BaseException so no decoder's ``except Exception`` eats it."""


@contextlib.contextmanager
def parse_deadline(name: str, size_bytes: int) -> Iterator[None]:
    """Raise UnsafeInputError naming ``name`` when the block runs past the deadline of a
    file of ``size_bytes`` (:func:`deadline_for`).

    Uses a real-time interval timer (POSIX, main thread only); elsewhere the block runs
    without a deadline.
    """
    limit = deadline_for(size_bytes)
    usable = (limit > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def expire(signum: int, frame: object) -> None:  # noqa: ARG001
        raise _Expired

    old_handler = signal.signal(signal.SIGALRM, expire)
    old_timer = signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    except _Expired:
        raise UnsafeInputError(name, f"took longer than {limit:.3g} s to parse; skipped as a "
                               "likely crafted file (a real activity file takes seconds)"
                               ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_timer[0] > 0:
            signal.setitimer(signal.ITIMER_REAL, *old_timer)
