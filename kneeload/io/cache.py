"""The parse cache: what each input file gave, kept as Parquet so an unchanged file is never
parsed twice. A cache can only save time: it never stops the analysis and is never trusted
when damaged.

Layout (``cache_dir`` below; default ``$KNEELOAD_CACHE``, else ``$XDG_CACHE_HOME/kneeload``,
else ``~/.cache/kneeload``)::

    v2/index.parquet             one row per activity or skipped entry, with the input's key

An input's key hashes its absolute path, size and modification time (so a changed, moved or
replaced file is parsed again) and the settings that change its rows (time zone, default
sport, FIT backend, cache version). Entries of one file under several settings live side by
side (``_stamp`` records the file's size and time): alternating time zones or configs reads
from the cache each time; only a changed file replaces its entries.

Safety:

- **Checksums.** Every entry (the rows of one input) carries a checksum of its values
  (``_sum``). On reading, an entry whose values no longer match (a flipped bit, a cut
  file, a foreign write) is dropped and its input parsed again; an index that cannot be
  read at all is rebuilt. Damage is reported once, never used.
- **Atomic writes.** The index is written whole to a temporary file, synced and renamed
  (:func:`kneeload.safeio.atomic_write`) under a lock on the cache folder, so two runs can
  share a cache and a run killed mid-write leaves the previous index.
- **Written as it goes.** ``read_activities`` stores results every few seconds during a
  long ingest, so a killed run keeps the work done.
- **Bounded.** Entries of inputs that no longer exist are dropped, and the oldest entries
  go when the index passes ``max_bytes`` (``$KNEELOAD_CACHE_MAX_MB``, default 256 MB).
  Folders of older cache versions are removed.
- **Unusable cache.** A cache folder that cannot be made, read or written (read-only, a file
  or a device where the folder should be, a full disk) is reported once and kneeload works
  without it.

Per-sample data is not cached: nothing reads it back (``read_samples`` parses the file on
demand), so it is not written.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import KneeloadError
from ..safeio import atomic_write, display_path, locked_folder
from ..schema import ACTIVITY_COLUMN_NAMES, conform_activities

#: v3: the FIT fast path's fixes (a session without records, a second empty 'distance')
CACHE_VERSION = "v3"
_OLD_VERSIONS = ("v1", "v2")
_SKIP_COLS = ("skip_path", "skip_kind", "skip_reason")
#: Default size bound of the index [bytes]; ~2 KB per activity: 100,000+ activities.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
#: After pruning, the index is at most this share of the bound (so pruning is rare).
PRUNE_TO = 0.8
_SAID: set[str] = set()  # cache problems already reported in this process


def default_cache_dir() -> Path:
    env = os.environ.get("KNEELOAD_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kneeload"


def _default_max_bytes() -> int:
    try:
        mb = float(os.environ.get("KNEELOAD_CACHE_MAX_MB", ""))
    except ValueError:
        return DEFAULT_MAX_BYTES
    return int(mb * 2**20) if mb > 0 else DEFAULT_MAX_BYTES


def input_key(path: str, settings: str) -> str | None:
    """The cache key of an input (file or folder), or None when it cannot be stat'ed."""
    stamp = input_stamp(path)
    if stamp is None:
        return None
    text = f"{os.path.abspath(path)}|{stamp}|{settings}|{CACHE_VERSION}"
    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()


def input_stamp(path: str) -> str | None:
    """What identifies an input's content: size and modification time (of every file, for a
    folder), or None when it cannot be stat'ed."""
    try:
        if os.path.isdir(path):
            parts = []
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for f in sorted(files):
                    st = os.stat(os.path.join(root, f))
                    parts.append(f"{os.path.relpath(os.path.join(root, f), path)}:"
                                 f"{st.st_size}:{st.st_mtime_ns}")
            stamp = hashlib.sha1("|".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
        else:
            st = os.stat(path)
            stamp = f"{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        return None
    return stamp


def _canonical(col: pd.Series) -> np.ndarray:
    """A column's values in a form that survives the Parquet round trip unchanged."""
    if isinstance(col.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(col):
        return np.asarray(col.to_numpy(dtype="datetime64[ns]")).view("int64").astype("float64")
    if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
        return pd.to_numeric(col, errors="coerce").astype("float64").to_numpy()
    return np.array(["\x00" if v is None or (isinstance(v, float) and v != v) else str(v)
                     for v in col.astype(object)], dtype=object)


def entry_sums(index: pd.DataFrame) -> pd.Series:
    """The checksum of each entry (all rows of one ``_key``, every column but ``_sum``),
    as a Series aligned with ``index``'s rows."""
    if index.empty:
        return pd.Series([], dtype=object, index=index.index)
    cols = sorted(c for c in index.columns if c != "_sum")
    matrix = np.column_stack([pd.util.hash_array(_canonical(index[c])) for c in cols])
    names = "|".join(cols).encode()  # a renamed column is damage too
    keys = index["_key"].astype(object).to_numpy()
    out = np.empty(len(index), dtype=object)
    for key, pos in pd.Series(np.arange(len(index))).groupby(keys, sort=False).groups.items():
        rows = np.asarray(sorted(pos))
        digest = hashlib.sha1(names + str(key).encode("utf-8", "surrogateescape"))
        digest.update(np.ascontiguousarray(matrix[rows]).tobytes())
        out[rows] = digest.hexdigest()[:20]
    return pd.Series(out, index=index.index)


def _no_rows() -> pd.DataFrame:
    """An activities table with no rows."""
    return conform_activities(pd.DataFrame())


class ParseCache:
    """Read and write cached results for input keys; never raises for the cache's sake."""

    def __init__(self, directory: str | os.PathLike[str] | None = None, *,
                 max_bytes: int | None = None):
        self.root = Path(directory) if directory is not None else default_cache_dir()
        self.dir = self.root / CACHE_VERSION
        self.index_path = self.dir / "index.parquet"
        self.max_bytes = max_bytes if max_bytes is not None else _default_max_bytes()
        self.usable = True
        self.damaged: list[str] = []

    def _say(self, message: str) -> None:
        if message not in _SAID:
            _SAID.add(message)
            warnings.warn(message, UserWarning, stacklevel=4)

    def _give_up(self, exc: BaseException) -> None:
        """The cache cannot be used: say so once and carry on without it."""
        self.usable = False
        why = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
        self._say(f"the parse cache in {self.root} cannot be used ({why}); kneeload works "
                  "without it (files are parsed again). Use --cache-dir to choose another "
                  "folder or --no-cache to stop this note.")

    # --- reading -------------------------------------------------------------------------

    def _read_index(self) -> pd.DataFrame | None:
        try:
            if not self.index_path.is_file():
                return None
            with open(self.index_path, "rb") as fh:
                blob = fh.read(max(self.max_bytes, DEFAULT_MAX_BYTES) * 4)  # bounded
        except OSError as exc:
            self._give_up(exc)
            return None
        try:
            index = pd.read_parquet(io.BytesIO(blob))
            if "_sum" not in index or "_key" not in index:
                raise ValueError("no checksums")
            good = entry_sums(index) == index["_sum"]  # decodes every value: damage shows
        except Exception as exc:  # noqa: BLE001 - any damage means: rebuild, never trust
            self.damaged.append(f"{self.index_path}: {type(exc).__name__}")
            self._say(f"kneeload cache index {self.index_path} is damaged "
                      f"({type(exc).__name__}); it will be rebuilt")
            return None
        if not good.all():
            bad = index.loc[~good, "_key"].unique()
            self.damaged.extend(f"{self.index_path}: entry {k}" for k in bad)
            self._say(f"kneeload cache index {self.index_path}: {len(bad)} damaged "
                      f"entr{'y' if len(bad) == 1 else 'ies'} dropped; those files are "
                      "parsed again")
            index = index[~index["_key"].isin(bad)]
        return index

    def lookup(self, keys: list[str]) -> tuple[pd.DataFrame, dict[str, list[dict]], set[str]]:
        """Cached results for ``keys``: the activity rows (conformed, with a ``_key`` column),
        the skipped entries by key, and the set of keys found (an input may have given
        nothing at all). Damaged entries are not returned."""
        index = self._read_index()
        if index is None or index.empty:
            return _no_rows().assign(_key=pd.Series(dtype=object)), {}, set()
        hit = index[index["_key"].isin(set(keys))]
        acts = hit[hit["_entry"] == "row"]
        rows = conform_activities(acts) if len(acts) else _no_rows()  # one conform, not two
        rows["_key"] = acts["_key"].to_numpy()
        skips = hit[hit["_entry"] == "skip"]
        skipped: dict[str, list[dict]] = {}
        for key, path, kind, reason in zip(skips["_key"], skips["skip_path"], skips["skip_kind"],
                                           skips["skip_reason"], strict=True):
            skipped.setdefault(key, []).append({"path": path, "kind": kind, "reason": reason})
        return rows, skipped, set(hit["_key"])

    # --- writing -------------------------------------------------------------------------

    def store(self, entries: dict[str, tuple[str, list[dict], list[dict]]]) -> None:
        """Add ``{key: (path, activity rows, skipped rows)}`` to the index; entries of the same
        paths with another ``_stamp`` (the file changed) are dropped, those under other
        settings kept. A cache that cannot be written is reported once and left alone; the
        call never fails for it."""
        if not entries or not self.usable:
            return
        now = time.time()
        act_rows: list[dict] = []
        act_meta: list[tuple[str, str]] = []
        other: list[dict] = []
        stamps: dict[str, str | None] = {}  # shown path -> the input's stamp now
        for key, (path, rows, skips) in entries.items():
            shown = display_path(path)
            stamps[shown] = input_stamp(path)
            act_rows.extend(rows)
            act_meta.extend([(key, shown)] * len(rows))
            for s in skips:
                other.append({"skip_path": s["path"], "skip_kind": s["kind"],
                              "skip_reason": s["reason"], "_key": key, "_path": shown,
                              "_entry": "skip"})
            if not skips and not rows:
                other.append({"_key": key, "_path": shown, "_entry": "empty"})
        frames = []
        if act_rows:  # one conform for the whole batch
            a = conform_activities(pd.DataFrame(act_rows))
            a["_key"] = [k for k, _ in act_meta]
            a["_path"] = [p for _, p in act_meta]
            a["_entry"] = "row"
            frames.append(a)
        if other:
            frames.append(pd.DataFrame(other))
        new = pd.concat(frames, ignore_index=True)
        new["_stored"] = now
        new["_stamp"] = new["_path"].map(stamps).astype(object)
        for col in (*ACTIVITY_COLUMN_NAMES, *_SKIP_COLS):
            if col not in new:
                new[col] = None
        new["skip_path"] = new["skip_path"].astype(object)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            with locked_folder(self.dir):
                old = self._read_index()
                if not self.usable:
                    return
                if old is not None and len(old):
                    same_path = old["_path"].isin(new["_path"])
                    if "_stamp" in old:  # same file, other settings: kept side by side
                        same_path &= old["_stamp"].astype(object).to_numpy() != \
                            old["_path"].map(stamps).astype(object).to_numpy()
                    stale = same_path | old["_key"].isin(new["_key"])
                    new = pd.concat([old[~stale].drop(columns="_sum"), new],
                                    ignore_index=True)
                for col in ("skip_path", "skip_kind", "skip_reason", "tz_source", "note",
                            "gear", "_path", "_stamp"):
                    new[col] = new[col].astype(object).where(new[col].notna(), None)
                new = self._prune(new, keep=set(entries))
                # checksums of the values as they will be read back (Parquet settles the
                # column types), so reading compares like with like
                buf = io.BytesIO()
                new.to_parquet(buf, index=False)
                new = pd.read_parquet(io.BytesIO(buf.getvalue()))
                new["_sum"] = entry_sums(new).to_numpy()
                atomic_write(self.index_path, lambda fh: new.to_parquet(fh, index=False))
                self._remove_old_versions()
        except (OSError, KneeloadError) as exc:
            self._give_up(exc)

    def _prune(self, index: pd.DataFrame, keep: set[str]) -> pd.DataFrame:
        """Drop entries of inputs that no longer exist, then the oldest entries when the
        index has grown past ``max_bytes``; the entries in ``keep`` (just stored) stay."""
        paths = index["_path"].dropna().unique()
        # a name shown with U+FFFD (not valid UTF-8 on disk) cannot be checked: kept
        gone = [p for p in paths if "\ufffd" not in p and not os.path.exists(p)]
        if gone:
            index = index[~index["_path"].isin(gone)]
        try:
            size = self.index_path.stat().st_size
        except OSError:
            size = 0
        if size and size > self.max_bytes and len(index):
            keep_rows = int(len(index) * PRUNE_TO * self.max_bytes / size)
            newest = index.groupby("_key")["_stored"].max().sort_values(ascending=False)
            counts = index.groupby("_key").size().reindex(newest.index)
            kept = set(newest.index[counts.cumsum().to_numpy() <= keep_rows]) | keep
            index = index[index["_key"].isin(kept)]
        return index.reset_index(drop=True)

    def _remove_old_versions(self) -> None:
        for old in _OLD_VERSIONS:
            if (self.root / old).is_dir():
                shutil.rmtree(self.root / old, ignore_errors=True)

    def clear(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
