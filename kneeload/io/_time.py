"""Time zones and the runner's local date."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
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
