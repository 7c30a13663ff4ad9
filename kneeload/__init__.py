"""kneeload: running training load and knee-injury risk.

Files -> activities table -> rules -> reports. Start with
:func:`read_activities`; see README.md and docs/.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .config import Config, load_config
from .errors import (
    ConfigError,
    CorruptFileError,
    InputError,
    InvalidFileError,
    InvalidTimeError,
    KneeloadError,
    NotAnActivityError,
    OnError,
    OutputError,
    UnsafeInputError,
    UnsupportedFormatError,
    UsageError,
)
from .io import (
    ReadResult,
    deduplicate,
    find_activity_files,
    read_activities,
    read_file,
    read_samples,
)
from .load import (
    acwr,
    check_plan,
    flags,
    monotony,
    next_week_limits,
    session_spikes,
    weekly_table,
)
from .plan import read_plan
from .season import Season

__all__ = [
    "__version__", "read_file", "read_activities", "read_samples", "find_activity_files",
    "deduplicate", "ReadResult", "KneeloadError", "InputError", "UsageError", "ConfigError",
    "CorruptFileError", "NotAnActivityError", "InvalidTimeError", "UnsafeInputError",
    "UnsupportedFormatError", "OnError", "Config", "load_config", "Season", "weekly_table",
    "flags", "acwr", "monotony", "session_spikes", "next_week_limits", "check_plan", "read_plan",
    "InvalidFileError", "OutputError",
]

# advice for the day and the rules registry (issue 12)
from .advice import next_week, this_week, tolerance  # noqa: E402
from .rules import registry  # noqa: E402

__all__ += ["this_week", "next_week", "tolerance", "registry"]
