"""Finding kneeload's own files the same way for every command and for ``Season.from_paths``.

``kneeload.toml`` (settings), ``pain.csv`` (the knee-pain log), ``shoes.csv`` (the pairs)
and ``shoe_assignments.csv`` are looked for, in order:

1. the path given (``--config``, ``--pain``, ``--shoes``, ``--assign`` or the matching
   ``Season.from_paths`` argument); for the pain log, next the one the settings file used
   names (``[pain] log = "pain.csv"``, relative to the settings file's folder);
2. beside the data: in each folder given, or the folder of each file given, in the order
   given;
3. the user's config folder (``platformdirs.user_config_dir("kneeload")``: for example
   ``~/.config/kneeload`` on Linux, ``~/Library/Application Support/kneeload`` on macOS,
   ``%LOCALAPPDATA%\\kneeload`` on Windows); ``$KNEELOAD_CONFIG_DIR`` replaces it.

A ``shoes.csv`` without kneeload's ``shoe`` column is Strava's gear list (Strava writes one
into every export): it is never taken as kneeload's shoes file, and :attr:`Found.passed_over`
says so. Every command prints :meth:`Found.describe` on stderr, so a runner sees which files
were used and from where.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from .config import CONFIG_NAME
from .errors import UsageError

CONFIG_FILE = CONFIG_NAME
PAIN_FILE = "pain.csv"
SHOES_FILE = "shoes.csv"
ASSIGNMENTS_FILE = "shoe_assignments.csv"
#: Origins of a found file, in the order they are searched.
GIVEN, BESIDE, USER_CONFIG = "given", "beside the data", "user config folder"
#: The origin of a pain log the settings name: "[pain] log in <settings file>".
PAIN_NAMED_IN = "[pain] log in"


def user_config_dir() -> str:
    """kneeload's folder in the user's config area (``$KNEELOAD_CONFIG_DIR`` overrides).

    An unusable value (``HOME`` or ``XDG_CONFIG_HOME`` unset, relative, far too long or
    holding a NUL) gives ``""``, with a one-line note: no config folder is searched, and
    never a relative folder that would be the current one by accident."""
    env = os.environ.get("KNEELOAD_CONFIG_DIR")
    if env:
        return env if _usable_folder(env, "KNEELOAD_CONFIG_DIR") else ""
    import platformdirs
    home = os.environ.get("HOME")
    if home and not _usable_folder(home, "HOME", "no user config folder is searched"):
        return ""
    xdg = os.environ.get("XDG_CONFIG_HOME")
    bad_xdg = bool(xdg) and not _usable_folder(xdg or "", "XDG_CONFIG_HOME",
                                              "it is ignored (XDG: ~/.config instead)")
    try:
        if bad_xdg:  # XDG's rule: a relative value is ignored; restored right after
            del os.environ["XDG_CONFIG_HOME"]
        folder = platformdirs.user_config_dir("kneeload", appauthor=False)
    except (OSError, RuntimeError, KeyError, ValueError) as exc:
        _note(f"no user config folder ({exc}); only the data's folders are searched")
        return ""
    finally:
        if bad_xdg and xdg is not None:
            os.environ["XDG_CONFIG_HOME"] = xdg
    return folder if _usable_folder(folder, "the user config folder") else ""


def _note(text: str) -> None:
    import warnings

    warnings.warn(text, stacklevel=3)


def _usable_folder(value: str, what: str,
                   then: str = "no user config folder is searched") -> bool:
    """Whether ``value`` can name a folder: absolute, under 4096 bytes, without NUL; else a
    one-line note naming ``what``."""
    problem = ("holds a NUL character" if "\0" in value else "is too long"
               if len(value) > 4096 else "is not an absolute path"
               if not os.path.isabs(value) else None)
    if problem is None:
        return True
    shown = (value if len(value) <= 60 else value[:57] + "...").encode(
        "unicode_escape").decode("ascii")
    _note(f"{what}={shown!r} {problem}; {then}")
    return False


def _configured_pain_log(config: str, may_be_missing: bool) -> str | None:  # noqa: FBT001
    """The pain log the settings file ``config`` names (``[pain] log``), or None; a named
    log that does not exist is a UsageError unless ``may_be_missing``."""
    from .config import load_config

    named = load_config(config).pain_log
    if named is None or may_be_missing or os.path.isfile(named):
        return named
    raise UsageError(f"{config}: [pain] log names {named}, which is not a file; fix the "
                     "path (relative to the settings file's folder) or give --pain")


def _folders(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    out: list[str] = []
    for p in paths:
        p = os.fspath(p)
        folder = p if os.path.isdir(p) else (os.path.dirname(p) or ".")
        if folder not in out:
            out.append(folder)
    return out


def _is_kneeload_shoes(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(2000)
    except OSError:
        return True  # let the reader report it
    from .io.strava import is_kneeload_shoes_header
    return is_kneeload_shoes_header(head)


@dataclass
class Found:
    """The files found: each a path or None, with where it was found."""

    config: str | None = None
    pain: str | None = None
    shoes: str | None = None
    shoe_assignments: str | None = None
    origin: dict[str, str] = field(default_factory=dict)
    passed_over: list[str] = field(default_factory=list)

    def describe(self) -> list[str]:
        """One line per file found (not those given: the runner named them) and per file
        passed over, for stderr."""
        lines = []
        for key, what in (("config", "settings"), ("pain", "pain log"),
                          ("shoes", "shoes file"), ("shoe_assignments", "shoe assignments")):
            path = getattr(self, key)
            if path is not None and self.origin[key] != GIVEN:
                lines.append(f"{what}: {path} ({self.origin[key]})")
        lines.extend(self.passed_over)
        return lines

    def as_dict(self) -> dict[str, str | None]:
        return {"config": self.config, "pain": self.pain, "shoes": self.shoes,
                "shoe_assignments": self.shoe_assignments}


def discover(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], *,
             config: str | os.PathLike[str] | None = None,
             pain: str | os.PathLike[str] | None = None,
             shoes: str | os.PathLike[str] | None = None,
             shoe_assignments: str | os.PathLike[str] | None = None,
             user_config: bool = True, read_config: bool = True,
             pain_may_be_missing: bool = False) -> Found:
    """Find kneeload.toml, pain.csv, shoes.csv and shoe_assignments.csv for ``paths``.

    Parameters
    ----------
    paths : path or iterable of paths
        The data (files and folders) the command reads.
    config, pain, shoes, shoe_assignments : path, optional
        Given explicitly: used as they are (an error when missing).
    user_config : bool
        Also look in :func:`user_config_dir` after the data's folders.
    read_config : bool
        Take the pain log the settings file found names (``[pain] log``) when ``pain`` is
        not given (False: the caller's settings are not that file's).
    pain_may_be_missing : bool
        A pain log the settings name may not exist yet (``pain add`` creates it).

    Raises
    ------
    UsageError
        A file given explicitly, or the pain log the settings name, does not exist.
    ConfigError
        The settings file found is not valid (read for its ``[pain] log``).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    folders = _folders(paths)
    user_dir = user_config_dir() if user_config else ""
    if user_dir:
        folders_and_origin = [(f, BESIDE) for f in folders] + [(user_dir, USER_CONFIG)]
    else:
        folders_and_origin = [(f, BESIDE) for f in folders]
    found = Found()
    for key, given, name in (("config", config, CONFIG_FILE), ("pain", pain, PAIN_FILE),
                             ("shoes", shoes, SHOES_FILE),
                             ("shoe_assignments", shoe_assignments, ASSIGNMENTS_FILE)):
        if given is not None:
            given = os.fspath(given)
            if not os.path.isfile(given):
                raise UsageError(f"no such file: {given}")
            setattr(found, key, given)
            found.origin[key] = GIVEN
            continue
        if key == "pain" and read_config and found.config is not None:
            named = _configured_pain_log(found.config, pain_may_be_missing)
            if named is not None:
                found.pain = named
                found.origin["pain"] = f"{PAIN_NAMED_IN} {found.config}"
                continue
        for folder, origin in folders_and_origin:
            candidate = os.path.join(folder, name)
            if not os.path.isfile(candidate):
                continue
            if key == "shoes" and not _is_kneeload_shoes(candidate):
                found.passed_over.append(
                    f"{candidate}: Strava's gear list (no 'shoe' column), read as the "
                    "export's gear, not as kneeload's shoes file")
                continue
            setattr(found, key, candidate)
            found.origin[key] = origin
            break
    return found
