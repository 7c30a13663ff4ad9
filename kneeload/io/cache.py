"""The parse cache: what each input file gave, kept as Parquet so an unchanged file is never
parsed twice.

Layout (``cache_dir`` below; default ``$KNEELOAD_CACHE``, else ``$XDG_CACHE_HOME/kneeload``,
else ``~/.cache/kneeload``)::

    v1/index.parquet             one row per activity or skipped entry, with the input's key
    v1/samples/<key>.parquet     the samples of that input's sessions (column ``session``)
    v1/lock                      taken while the index is rewritten

An input's key hashes its absolute path, size and modification time (so a changed, moved or
replaced file is parsed again) and the settings that change its rows (time zone, default
sport, FIT backend, cache version). Writes go to a temporary file renamed over the old one,
under a lock, so two runs can share a cache and a run killed mid-write leaves the previous
index. A damaged index or samples file is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from ..schema import ACTIVITY_COLUMN_NAMES, conform_activities, conform_samples

CACHE_VERSION = "v1"
_SKIP_COLS = ("skip_path", "skip_kind", "skip_reason")


def default_cache_dir() -> Path:
    env = os.environ.get("KNEELOAD_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kneeload"


def input_key(path: str, settings: str) -> str | None:
    """The cache key of an input (file or folder), or None when it cannot be stat'ed."""
    try:
        if os.path.isdir(path):
            parts = []
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for f in sorted(files):
                    st = os.stat(os.path.join(root, f))
                    parts.append(f"{os.path.relpath(os.path.join(root, f), path)}:"
                                 f"{st.st_size}:{st.st_mtime_ns}")
            stamp = hashlib.sha1("|".join(parts).encode()).hexdigest()
        else:
            st = os.stat(path)
            stamp = f"{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        return None
    text = f"{os.path.abspath(path)}|{stamp}|{settings}|{CACHE_VERSION}"
    return hashlib.sha1(text.encode()).hexdigest()


class ParseCache:
    """Read and write cached results for input keys."""

    def __init__(self, directory: str | os.PathLike[str] | None = None):
        self.root = Path(directory) if directory is not None else default_cache_dir()
        self.dir = self.root / CACHE_VERSION
        self.index_path = self.dir / "index.parquet"
        self.samples_dir = self.dir / "samples"
        self.damaged: list[str] = []

    # --- reading -------------------------------------------------------------------------

    def _read_index(self) -> pd.DataFrame | None:
        if not self.index_path.exists():
            return None
        try:
            return pd.read_parquet(self.index_path)
        except Exception as exc:  # noqa: BLE001 - any damage means: rebuild, never trust
            self.damaged.append(f"{self.index_path}: {type(exc).__name__}")
            warnings.warn(f"kneeload cache index {self.index_path} is damaged "
                          f"({type(exc).__name__}); it will be rebuilt", stacklevel=3)
            return None

    def lookup(self, keys: list[str]) -> tuple[pd.DataFrame, dict[str, list[dict]], set[str]]:
        """Cached results for ``keys``: the activity rows (conformed, with a ``_key`` column),
        the skipped entries by key, and the set of keys found (an input may have given
        nothing at all)."""
        empty = conform_activities(pd.DataFrame()).assign(_key=pd.Series(dtype=object))
        index = self._read_index()
        if index is None or index.empty:
            return empty, {}, set()
        hit = index[index["_key"].isin(set(keys))]
        acts = hit[hit["_entry"] == "row"]
        rows = conform_activities(acts) if len(acts) else empty.drop(columns="_key")
        rows["_key"] = acts["_key"].to_numpy()
        skips = hit[hit["_entry"] == "skip"]
        skipped: dict[str, list[dict]] = {}
        for key, path, kind, reason in zip(skips["_key"], skips["skip_path"], skips["skip_kind"],
                                           skips["skip_reason"], strict=True):
            skipped.setdefault(key, []).append({"path": path, "kind": kind, "reason": reason})
        return rows, skipped, set(hit["_key"])

    def samples(self, key: str, session: int) -> pd.DataFrame | None:
        path = self.samples_dir / f"{key}.parquet"
        if not path.exists():
            return None
        try:
            df = pd.read_parquet(path)
        except Exception:  # noqa: BLE001
            self.damaged.append(str(path))
            return None
        part = df[df["session"] == session]
        return conform_samples(part) if len(part) else None

    # --- writing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: atomic rename only
            yield
            return
        with open(self.dir / "lock", "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _atomic_parquet(self, df: pd.DataFrame, target: Path, durable: bool = True) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".parquet", dir=target.parent)
        os.close(fd)
        try:
            df.to_parquet(tmp, index=False)
            if durable:
                with open(tmp, "rb") as fh:
                    os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def store(self, entries: dict[str, tuple[str, list[dict], list[dict]]]) -> None:
        """Add ``{key: (path, activity rows, skipped rows)}`` to the index; entries of the same
        paths under other keys (the file changed) are dropped."""
        if not entries:
            return
        frames = []
        for key, (path, rows, skips) in entries.items():
            if rows:
                a = conform_activities(pd.DataFrame(rows))
                a["_key"], a["_path"], a["_entry"] = key, path, "row"
                frames.append(a)
            s = pd.DataFrame(skips or [{"path": None, "kind": None, "reason": None}])
            s = s.rename(columns={"path": "skip_path", "kind": "skip_kind",
                                  "reason": "skip_reason"})
            s["_key"], s["_path"] = key, path
            s["_entry"] = "skip" if skips else "empty"
            if skips or not rows:
                frames.append(s)
        new = pd.concat(frames, ignore_index=True)
        for col in (*ACTIVITY_COLUMN_NAMES, *_SKIP_COLS):
            if col not in new:
                new[col] = None
        new["skip_path"] = new["skip_path"].astype(object)
        with self._lock():
            old = self._read_index()
            if old is not None and len(old):
                stale = old["_path"].isin(new["_path"]) | old["_key"].isin(new["_key"])
                new = pd.concat([old[~stale], new], ignore_index=True)
            for col in ("skip_path", "skip_kind", "skip_reason", "tz_source", "note", "gear"):
                new[col] = new[col].astype(object).where(new[col].notna(), None)
            self._atomic_parquet(new, self.index_path)

    def store_samples(self, key: str, samples: list[pd.DataFrame]) -> None:
        parts = [conform_samples(s).assign(session=i) for i, s in enumerate(samples)]
        if parts:
            # no fsync: a samples file lost in a crash is simply parsed again
            self._atomic_parquet(pd.concat(parts, ignore_index=True),
                                 self.samples_dir / f"{key}.parquet", durable=False)

    def clear(self) -> None:
        import shutil
        shutil.rmtree(self.dir, ignore_errors=True)
