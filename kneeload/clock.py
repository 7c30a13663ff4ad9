"""The one clock and the calendar words every layer shares.

:func:`today` (the local date) and :func:`now` (the UTC time) are the only places kneeload
reads the machine's clock (``tests/test_clock.py`` fails on any other read); tests and callers
that judge a season "as of" a day pass that day instead.
"""

from __future__ import annotations

import datetime as dt

#: Weekday names, Monday first (the values ``week_start`` accepts).
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def today() -> dt.date:
    """The machine's local date: the "today" of every surface that judges a season.

    Returns
    -------
    datetime.date
        The local calendar date (the machine's time zone).
    """
    return dt.date.today()  # noqa: DTZ011


def now() -> dt.datetime:
    """The current time in UTC (time zone aware): file and calendar stamps, the horizon past
    which a recorded time is a device's clock error.

    Returns
    -------
    datetime.datetime
        Aware, ``tzinfo`` UTC.
    """
    return dt.datetime.now(dt.timezone.utc)


__all__ = ["WEEKDAYS", "now", "today"]
