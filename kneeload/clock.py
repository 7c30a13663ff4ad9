"""The one clock and the calendar words every layer shares.

:func:`today` is the only place kneeload reads the machine's date; tests and callers that
judge a season "as of" a day pass that day instead.
"""

from __future__ import annotations

import datetime as dt

#: Weekday names, Monday first (the values ``week_start`` accepts).
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def today() -> dt.date:
    """The machine's local date (the single clock read of kneeload)."""
    return dt.date.today()  # noqa: DTZ011


__all__ = ["WEEKDAYS", "today"]
