"""Reading and writing files safely: only regular files read, every read bounded, every write
atomic.

``read_regular_file`` opens a path only when it is a regular file (a FIFO, device or socket
named like an input would hang or never end) and reads at most a given number of bytes.
``atomic_write`` writes a whole file to a temporary file beside the target, syncs it and
renames it over the target, so a kill, a full disk or a second writer never leaves a
half-written file: the previous file stays as it was until the new one is complete.
``locked_folder`` serialises writers that read, change and rewrite a file (the pain log).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from typing import BinaryIO

from .errors import InputError, OutputError, UnsafeInputError

#: Suffix of the temporary files ``atomic_write`` makes beside a target; a file left by a
#: killed writer is removed by the next write to the same target.
TMP_SUFFIX = ".kneeload-tmp"


def display_path(path: str | bytes | os.PathLike) -> str:
    """A path as text for messages: bytes that are not valid in the file system's encoding
    shown as U+FFFD (the replacement character), never an exception."""
    raw = os.fsencode(path)
    return raw.decode("utf-8", errors="replace")


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words (for skip reasons)."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def read_regular_file(path: str | os.PathLike[str], limit: int, what: str = "file") -> bytes:
    """The bytes of ``path`` when it is a regular file of at most ``limit`` bytes.

    Opened without blocking, so a FIFO never hangs the read; checked on the open file, so a
    file swapped for a FIFO between the check and the open is caught too.

    Raises
    ------
    InputError
        When the path cannot be opened, is not a regular file, or is larger than ``limit``.
    """
    name = display_path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(name, f"cannot be opened ({exc.strerror or exc})") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeInputError(name, f"is {file_kind(st.st_mode)}, not a regular file; "
                                   f"not read")
        if st.st_size > limit:
            raise UnsafeInputError(name, f"is {st.st_size:,} bytes, larger than the "
                                   f"{limit:,}-byte limit for a {what}; not read")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputError(name, f"cannot be read ({exc.strerror or exc})") from exc
    finally:
        os.close(fd)
    if len(data) > limit:  # grew while being read
        raise UnsafeInputError(name, f"is larger than the {limit:,}-byte limit for a {what}; "
                               "not read")
    return data


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _sweep_stale(folder: str, base: str) -> None:
    """Remove temporary files of ``base`` left by writers that were killed."""
    prefix = f".{base}."
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for n in names:
        if not (n.startswith(prefix) and n.endswith(TMP_SUFFIX)):
            continue
        pid_text = n[len(prefix):].split("-", 1)[0]
        if pid_text.isdigit() and not _pid_alive(int(pid_text)):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, n))


def _fsync_folder(folder: str) -> None:
    if os.name != "posix":  # pragma: no cover
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def resolve_target(path: str | os.PathLike[str]) -> str:
    """The file a write to ``path`` must replace: symbolic links followed (so a linked log
    or a synced target keeps being the file written), checked to be writable in principle.

    Raises
    ------
    OutputError
        When the folder does not exist or the target is a folder or not a regular file.
    """
    shown = display_path(path)
    target = os.path.realpath(os.fspath(path))
    folder = os.path.dirname(target) or "."
    if os.path.isdir(target):
        raise OutputError(shown, "is a folder; give a file name to write")
    if not os.path.isdir(folder):
        raise OutputError(shown, f"cannot be written: the folder {display_path(folder)} "
                          "does not exist; create it or choose another place")
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise OutputError(shown, f"cannot be written ({exc.strerror})") from exc
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(shown, f"is {file_kind(st.st_mode)}; kneeload writes only regular "
                          "files (for the terminal, leave out -o)")
    return target


def atomic_write(path: str | os.PathLike[str], write: Callable[[BinaryIO], object] | bytes,
                 ) -> str:
    """Write a whole file safely: to a temporary file beside ``path``, synced, then renamed
    over it.

    Parameters
    ----------
    path : path
        The file to write; a symbolic link is followed and its target replaced.
    write : callable or bytes
        ``write(fh)`` writes the content to the binary file object ``fh`` (anything that
        takes a file object works: ``PdfPages(fh)``, ``df.to_parquet(fh)``,
        ``fh.write(text.encode())``), or the bytes themselves.

    Returns
    -------
    str
        The path actually written (the link's target).

    Raises
    ------
    OutputError
        When the file cannot be written (missing folder, read-only place, full disk, a
        folder or device at ``path``). The previous file, if any, is then unchanged, and
        no temporary file is left.

    Notes
    -----
    Two writers to one file each complete their own temporary file; the last rename wins
    and the file is always one complete version, never a mix. A writer killed before the
    rename leaves its temporary file, removed by the next write to the same target.
    """
    target = resolve_target(path)
    shown = display_path(path)
    folder = os.path.dirname(target) or "."
    base = os.path.basename(target)
    _sweep_stale(folder, base)
    existed = os.path.exists(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{base}.{os.getpid()}-", suffix=TMP_SUFFIX,
                                   dir=folder)
    except OSError as exc:
        raise OutputError(shown, f"cannot be written ({exc.strerror}: no temporary file "
                          f"could be made in {display_path(folder)})") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(write, (bytes, bytearray)):
                fh.write(write)
            else:
                write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            mode = os.stat(target).st_mode & 0o7777 if existed else 0o666 & ~_umask()
            os.chmod(tmp, mode)
        except OSError:
            pass
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            kept = "the previous file is unchanged" if existed else "nothing was written"
            why = exc.strerror or str(exc)
            if exc.errno == errno.ENOSPC:
                why = "the disk is full"
            raise OutputError(shown, f"could not be written ({why}); {kept}") from exc
        raise
    _fsync_folder(folder)
    return target


@contextlib.contextmanager
def locked_folder(folder: str | os.PathLike[str]) -> Iterator[None]:
    """An exclusive lock on ``folder`` (POSIX ``flock`` on the folder itself: no lock file
    is left beside the data). Held by the process, so a killed holder releases it. Where
    the platform or file system has no such lock, writers are not serialised, but each
    write is still atomic."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:  # pragma: no cover - a file system without flock
            pass
        yield
    finally:
        os.close(fd)  # releases the lock
