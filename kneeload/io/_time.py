"""Time zones and the runner's local date."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from ..clock import now as clock_now
from ..errors import UsageError

#: Time stamps before this are placeholders (FIT's epoch is 1989-12-31), not recordings.
EARLIEST_VALID = pd.Timestamp("1990-01-01", tz="UTC")
#: A device's local time may differ from UTC by at most this much [s] (UTC-12 to UTC+14).
MAX_UTC_OFFSET_S = 14 * 3600


def latest_valid() -> pd.Timestamp:
    """Time stamps more than two days in the future are clock errors."""
    return pd.Timestamp(clock_now()) + pd.Timedelta(days=2)


def _posix_rule(value: str) -> tuple[str, dt.timedelta | None, bool] | None:
    """``value`` as a POSIX TZ rule: (name, offset east of UTC, has daylight saving), or
    None when it is not one. The offset is None when it is outside UTC-14..UTC+14."""
    import re

    m = re.fullmatch(r"([A-Za-z]{3,}|<[+\-]?[A-Za-z0-9]+>)([+\-]?)(\d{1,2})(?::(\d{2}))?"
                     r"(?::(\d{2}))?(.*)", value)
    if not m:
        return None
    name, sign, hours, minutes, seconds, rest = m.groups()
    west = dt.timedelta(hours=int(hours), minutes=int(minutes or 0), seconds=int(seconds or 0))
    east = west if sign == "-" else -west
    ok = abs(east.total_seconds()) <= MAX_UTC_OFFSET_S
    return name.strip("<>"), (east if ok else None), bool(rest)


def _tz_note(text: str) -> None:
    import warnings

    warnings.warn(text, stacklevel=3)


def machine_timezone() -> dt.tzinfo:
    """The machine's time zone: ``$TZ``, else ``/etc/localtime``, else its current offset.

    ``$TZ`` may be an IANA name (``Europe/Oslo``), a path (``:/usr/share/zoneinfo/Asia/Tokyo``)
    or a POSIX rule without daylight saving (``JST-9``: a fixed offset). A value that is none
    of these (too long, unreadable, a rule with daylight saving but no zone name) is passed
    over with a one-line note and the next source is used; never an error.
    """
    raw = os.environ.get("TZ", "")
    env = raw.lstrip(":")
    if env:
        zone = _tz_from_env(env)
        if zone is not None:
            return zone
    try:
        link = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in link:
            zone = _zone(link.split("zoneinfo/", 1)[1])
            if zone is not None:
                return zone
    except (OSError, ValueError):
        pass
    try:
        return clock_now().astimezone().tzinfo or dt.timezone.utc
    except (OSError, ValueError, OverflowError):
        return dt.timezone.utc


def _zone(name: str) -> dt.tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long
        return None


def _tz_from_env(env: str) -> dt.tzinfo | None:
    shown = env if len(env) <= 60 else env[:57] + "..."
    shown = shown.encode("unicode_escape").decode("ascii")
    if len(env) > 255 or "\0" in env:
        _tz_note(f"TZ={shown!r} is not a time zone (too long); using the machine's zone")
        return None
    if os.path.isabs(env):
        if "zoneinfo/" in env:
            zone = _zone(env.split("zoneinfo/", 1)[1])
            if zone is not None:
                return zone
        try:
            with open(env, "rb") as f:
                return ZoneInfo.from_file(f, key=env)
        except (OSError, ValueError) as exc:
            _tz_note(f"TZ={shown!r} is not a readable time-zone file "
                     f"({getattr(exc, 'strerror', None) or exc}); using the machine's zone")
            return None
    zone = _zone(env)
    if zone is not None:
        return zone
    rule = _posix_rule(env)
    if rule is not None:
        name, offset, dst = rule
        if offset is not None and not dst:
            return dt.timezone(offset, name)
        if dst:
            _tz_note(f"TZ={shown!r} is a POSIX rule with daylight saving but no zone name; "
                     "using the machine's zone (set TZ to an IANA name such as "
                     "'Europe/Berlin')")
            return None
    _tz_note(f"TZ={shown!r} is not a known time zone; using the machine's zone (set TZ to an "
             "IANA name such as 'Europe/Berlin')")
    return None


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


#: ``tz_source`` values: where each activity's local time came from.
TZ_DEVICE = "device"        # the device's own local time (FIT activity.local_timestamp)
TZ_RECORDED = "recorded"    # the export's recorded offset or zone (Garmin, Apple Health)
TZ_POSITION = "position"    # the zone at the first recorded position (offline lookup)
TZ_CONFIG = "config"        # the configured zone (tz= / --tz / kneeload.toml)
TZ_MACHINE = "machine"      # the machine's clock: a guess, counted and reported
TZ_FORCED = "forced"        # one zone forced for everything (force_tz= / --force-tz)


@dataclass(frozen=True)
class Placement:
    """How activities without a device local time are placed on the runner's local clock.

    Order: the device's or export's own local time; else the zone at the first position;
    else ``zone`` (``kind`` says whether it was configured or is the machine's). With
    ``kind == 'forced'`` ``zone`` places every activity, whatever the file says.
    """

    zone: dt.tzinfo
    kind: str = TZ_CONFIG

    @property
    def key(self) -> str:
        """Text for cache keys: every setting that changes the rows."""
        return f"{self.kind}:{timezone_name(self.zone)}"

    def label(self, kind: str | None = None, zone: dt.tzinfo | None = None) -> str:
        """The ``tz_source`` text: ``kind:Zone/Name``."""
        return f"{kind or self.kind}:{timezone_name(zone or self.zone)}"


def placement(tz: str | dt.tzinfo | Placement | None = None,
              force_tz: str | dt.tzinfo | None = None) -> Placement:
    """The :class:`Placement` for ``tz`` (configured zone, None for the machine's) and
    ``force_tz`` (one zone for every activity)."""
    if isinstance(tz, Placement):
        return tz
    if force_tz is not None:
        return Placement(resolve_timezone(force_tz), TZ_FORCED)
    if tz is None:
        return Placement(machine_timezone(), TZ_MACHINE)
    return Placement(resolve_timezone(tz), TZ_CONFIG)


def zone_at(lat_deg: float, lon_deg: float) -> dt.tzinfo | None:
    """The IANA time zone at a position, offline (tzfpy), or None when unknown.

    tzfpy (MIT; data from timezone-boundary-builder, ODbL) answers in well under a
    microsecond once loaded (about 1 s, the first time). Positions at sea give the nautical
    ``Etc/GMT±N`` zones, which are real offsets and kept.
    """
    if not (-90.0 <= lat_deg <= 90.0 and -180.0 <= lon_deg <= 180.0):
        return None
    import tzfpy  # lazy: loading its polygons costs ~1 s, paid only when a file needs it

    name = tzfpy.get_tz(float(lon_deg), float(lat_deg))
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
