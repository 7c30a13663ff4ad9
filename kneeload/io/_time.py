"""Time zones and the runner's local date."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from ..errors import UsageError

#: Time stamps before this are placeholders (FIT's epoch is 1989-12-31), not recordings.
EARLIEST_VALID = pd.Timestamp("1990-01-01", tz="UTC")
#: A device's local time may differ from UTC by at most this much [s] (UTC-12 to UTC+14).
MAX_UTC_OFFSET_S = 14 * 3600


def latest_valid() -> pd.Timestamp:
    """Time stamps more than two days in the future are clock errors."""
    return pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=2)


def machine_timezone() -> dt.tzinfo:
    """The machine's time zone: ``$TZ``, else ``/etc/localtime``, else its current offset."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        link = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in link:
            candidates.append(link.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return dt.datetime.now().astimezone().tzinfo or dt.timezone.utc


def resolve_timezone(tz: str | dt.tzinfo | None) -> dt.tzinfo:
    """``tz`` as a tzinfo: an IANA name (``"Europe/Oslo"``), a tzinfo, or None for the machine's."""
    if tz is None:
        return machine_timezone()
    if isinstance(tz, dt.tzinfo):
        return tz
    try:
        return ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long
        raise UsageError(f"unknown time zone {str(tz)[:60]!r}; use an IANA name such as "
                         "'Europe/London' or 'America/New_York'") from None


def timezone_name(tz: dt.tzinfo) -> str:
    return getattr(tz, "key", None) or str(tz)


def local_wall_time(start_utc: pd.Timestamp, tz: dt.tzinfo) -> pd.Timestamp:
    """``start_utc`` as naive wall-clock time in ``tz`` (daylight saving applied)."""
    return start_utc.tz_convert(tz).tz_localize(None)


def round_offset(offset_s: float) -> float | None:
    """A device's local-time offset rounded to 15 min, or None when it is not plausible."""
    rounded = round(offset_s / 900.0) * 900.0
    if abs(rounded) > MAX_UTC_OFFSET_S or abs(offset_s - rounded) > 300:
        return None
    return rounded
