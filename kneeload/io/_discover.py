"""Discovery: which inputs lie below the paths given, each claimed by an input kind
(:mod:`kneeload.io.kinds`)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from .exports import walk_folder
from .kinds import claim

__all__ = ["find_inputs", "find_activity_files"]


def find_inputs(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
                recursive: bool = True) -> list[tuple[str, str]]:  # noqa: FBT001, FBT002
    """``(kind, path)`` of every input below ``paths``, as :func:`ingest` takes them.

    ``kind`` is the name of the registered input kind that claimed it (``'file'``, ``'zip'``,
    ``'strava'``, ``'garmin'``, ``'apple'``, ``'csv'``, ``'json'``, ... see
    :mod:`kneeload.io.kinds`), or ``'unlisted'`` (a folder that could not be listed) or
    ``'linked:<first path>'`` (a folder reached again through a symbolic link: read once),
    which are reported, never passed over. Symbolic links to folders are followed once.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: list[tuple[str, str]] = []
    for p in paths:
        p = os.fspath(p)
        if not os.path.isdir(p):
            hit = claim(p, explicit=True)
            if hit is not None:
                out.append(hit)
            continue
        top = claim(p, explicit=True)
        if top is not None:  # the folder is an export
            out.append(top)
            continue
        claimed: dict[str, tuple[str, str]] = {}

        def is_export(folder: str, claimed: dict[str, tuple[str, str]] = claimed) -> bool:
            hit = claim(folder, explicit=False)
            if hit is not None:
                claimed[folder] = hit
            return hit is not None

        for w in walk_folder(p, recursive=recursive, prune=is_export):
            if w.what == "unlisted":
                out.append(("unlisted", w.path))
            elif w.what == "linked":
                out.append((f"linked:{w.first}", w.path))
            elif w.what == "file":
                if w.path in claimed:
                    out.append(claimed[w.path])
                elif not os.path.basename(w.path).startswith("."):
                    hit = claim(w.path, explicit=False)
                    if hit is not None:
                        out.append(hit)
    return out


def find_activity_files(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
                        *, recursive: bool = True) -> list[str]:
    """The inputs below ``paths``: FIT/GPX/TCX (and .gz) files, .zip exports, Strava, Garmin
    and Apple export folders and manual-log CSVs, sorted by folder.

    Files named explicitly are kept whatever their extension (so an unsupported one is
    reported, not ignored); inside folders, other files (README, other CSVs, hidden files)
    are not activity inputs and are passed over.
    """
    return [p for k, p in find_inputs(paths, recursive) if not k.startswith("linked:")]
