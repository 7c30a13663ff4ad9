"""kneeload's exceptions and error policies.

Every error kneeload raises derives from :class:`KneeloadError`. Problems with
an input file derive from :class:`InputError` and carry the file's path and,
where known, the location (line, point, record or byte offset), so a message
reads like::

    runs/0412.fit: truncated after 1,391 records (unexpected end of file at byte 60000)
"""

from __future__ import annotations

import enum
from typing import Any


class KneeloadError(Exception):
    """Root of every error raised by kneeload."""


class UsageError(KneeloadError):
    """A call or command line that cannot be carried out as given."""


class ConfigError(KneeloadError):
    """A configuration file or value that is not valid."""


class InputError(KneeloadError):
    """A problem with one input file.

    Parameters
    ----------
    path : str
        The file the problem is in.
    reason : str
        What is wrong and, where it helps, what to do.
    location : str, optional
        Where in the file: ``"line 12"``, ``"byte 7471"``, ``"point 212"``.
    """

    def __init__(self, path: str, reason: str, location: str | None = None):
        self.path = str(path)
        self.reason = reason
        self.location = location
        where = f"{location}: " if location else ""
        super().__init__(f"{self.path}: {where}{reason}")

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:  # survive pickling (workers)
        return (self.__class__, (self.path, self.reason, self.location))


class InvalidFileError(InputError):
    """A user-written file (CSV, TOML) with one or more problems, every one listed.

    ``problems`` holds ``(location, reason)`` pairs, in file order; the message names the
    file and each problem's line.
    """

    #: At most this many problems are spelled out in the message; the rest are counted.
    SHOWN = 20

    def __init__(self, path: str, problems: list[tuple[str | None, str]]):
        self.problems = list(problems)
        if len(self.problems) == 1:
            location, reason = self.problems[0]
            super().__init__(path, reason, location)
            return
        lines = [f"{loc}: {why}" if loc else why for loc, why in self.problems[:self.SHOWN]]
        more = len(self.problems) - self.SHOWN
        if more > 0:
            lines.append(f"... and {more} more")
        reason = f"{len(self.problems)} problems:\n  " + "\n  ".join(lines)
        super().__init__(path, reason)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (self.__class__, (self.path, self.problems))


class OutputError(KneeloadError):
    """An output that could not be written (a report, a log, standard output).

    The message names the file and says what stayed as it was.
    """

    def __init__(self, path: str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (self.__class__, (self.path, self.reason))


class UnsupportedFormatError(InputError):
    """The file is not FIT, GPX or TCX (plain or gzip)."""


class CorruptFileError(InputError):
    """The file cannot be decoded at all (bad header, not well-formed XML, ...)."""


class NotAnActivityError(InputError):
    """A valid file that holds no recorded activity (settings, course, empty track)."""


class InvalidTimeError(InputError):
    """The file's time stamps cannot place the activity on a date."""


class UnsafeInputError(InputError):
    """Input refused for safety: XML entities or DTDs, oversized data."""


class OnError(str, enum.Enum):
    """What a reader does with a file it cannot ingest.

    ``raise``: raise the :class:`InputError`. ``skip``: leave the file out of
    the activities table and list it, with its reason, in ``skipped``.
    """

    RAISE = "raise"
    SKIP = "skip"

    @classmethod
    def coerce(cls, value: OnError | str) -> OnError:
        try:
            return cls(value)
        except ValueError:
            choices = ", ".join(repr(m.value) for m in cls)
            raise UsageError(f"on_error must be one of {choices}, not {value!r}") from None
