"""The parse cache: what each input file gave, kept in one index file so an unchanged file is never
parsed twice. A cache can only save time: it never stops the analysis and is never trusted
when damaged.

Layout (``cache_dir`` below; default ``$KNEELOAD_CACHE``, else ``$XDG_CACHE_HOME/kneeload``,
else ``~/.cache/kneeload``)::

    v4/index.npz                 one row per activity or skipped entry, with the input's key
                                 (NumPy arrays, read without pickle: see encode_index)

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
import json
import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..clock import now as clock_now
from ..errors import KneeloadError
from ..safeio import atomic_write, display_path, locked_folder
from ..schema import ACTIVITY_COLUMN_NAMES, conform_activities

#: v3: the FIT fast path's fixes (a session without records, a second empty 'distance');
#: v4: the index is an .npz file, not Parquet (no pyarrow)
CACHE_VERSION = "v5"
_OLD_VERSIONS = ("v1", "v2", "v3", "v4")
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
    """A column's values in a form that survives the index file's round trip unchanged."""
    if isinstance(col.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(col):
        return np.asarray(col.to_numpy(dtype="datetime64[ns]")).view("int64").astype("float64")
    if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
        return pd.to_numeric(col, errors="coerce").astype("float64").to_numpy()
    if isinstance(col.dtype, pd.StringDtype):  # text: missing values as NUL, vectorised
        return col.to_numpy(dtype=object, na_value="\x00")
    return np.array(["\x00" if v is None or (isinstance(v, float) and v != v) else str(v)
                     for v in col.astype(object)], dtype=object)


def entry_sums(index: pd.DataFrame) -> pd.Series:
    """The checksum of each entry (all rows of one ``_key``, every column but ``_sum``),
    as a Series of 16 hex digits aligned with ``index``'s rows.

    Vectorised: each column's values are hashed (pandas' ``hash_array``), a row's hashes are
    mixed column after column (the column names too: a renamed column is damage), each row's
    hash is mixed with its place in its entry (a reordering is damage), and an entry's sum
    is the wrapping sum of its rows' mixed hashes. It detects damage, not tampering.
    """
    if index.empty:
        return pd.Series([], dtype=object, index=index.index)
    cols = sorted(c for c in index.columns if c != "_sum")
    names = hashlib.sha1("|".join(cols).encode("utf-8", "surrogateescape")).digest()
    acc = np.full(len(index), int.from_bytes(names[:8], "little"), dtype=np.uint64)
    for c in cols:  # uint64 arithmetic wraps around
        acc = acc * np.uint64(0x100000001B3) ^ pd.util.hash_array(_canonical(index[c]))
    keys = index["_key"].astype(object).to_numpy()
    codes, uniques = pd.factorize(keys)
    place = pd.Series(codes).groupby(codes).cumcount().to_numpy().astype(np.uint64)
    mixed = pd.util.hash_array(acc ^ (place * np.uint64(0x9E3779B97F4A7C15)))
    total = np.zeros(len(uniques), dtype=np.uint64)
    np.add.at(total, codes, mixed)
    return pd.Series([f"{v:016x}" for v in total[codes].tolist()], index=index.index,
                     dtype=object)


# --- the index file -----------------------------------------------------------------------
# One uncompressed NumPy ``.npz`` (a zip of ``.npy`` arrays) read with ``allow_pickle=False``,
# so a foreign or damaged file can give wrong values (caught by the checksums) but never run
# code. Columns by kind: numbers and booleans as their arrays; time stamps as int64 ns (and
# the zone); text as one UTF-8 buffer with offsets and a missing mask; an object column of
# booleans and None as int8 (-1 = missing); a column of None only as its kind. It needs no
# Parquet (pyarrow's import alone was ~0.05-0.08 s of a daily check).

def _encode_text(values: list[object]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    missing = np.array([v is None or (isinstance(v, float) and v != v) for v in values],
                       dtype=bool)
    texts = ["" if m else str(v) for v, m in zip(values, missing, strict=True)]
    blob = "".join(texts).encode("utf-8", "surrogatepass")
    ends = np.cumsum([len(t) for t in texts], dtype=np.int64)
    return np.frombuffer(blob, dtype=np.uint8), ends, missing


def _decode_text(blob: np.ndarray, ends: np.ndarray, missing: np.ndarray) -> list[str | None]:
    text = blob.tobytes().decode("utf-8", "surrogatepass")
    starts = np.r_[0, ends[:-1]].tolist()
    return [None if m else text[a:b]
            for a, b, m in zip(starts, ends.tolist(), missing.tolist(), strict=True)]


def encode_index(index: pd.DataFrame) -> bytes:
    """The index frame as the bytes of its file (see the comment above)."""
    arrays: dict[str, np.ndarray] = {}
    columns = []
    for i, name in enumerate(index.columns):
        col = index[name]
        if col.dtype == object:  # entries of several kinds side by side: settle the type
            kind = pd.api.types.infer_dtype(col, skipna=True)
            if kind in ("datetime", "datetime64"):
                zones = {getattr(v, "tzinfo", None) is not None for v in col.dropna()}
                col = pd.to_datetime(col, utc=zones == {True})
            elif kind in ("floating", "integer", "mixed-integer-float", "decimal"):
                col = pd.to_numeric(col).astype("float64")
        dtype = col.dtype
        if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
            zone = str(dtype.tz) if isinstance(dtype, pd.DatetimeTZDtype) else None
            naive = col.dt.tz_convert("UTC").dt.tz_localize(None) if zone else col
            arrays[f"c{i}"] = naive.to_numpy(dtype="datetime64[ns]").view(np.int64)
            columns.append({"name": name, "kind": "time", "tz": zone})
        elif pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            if col.hasnans and not pd.api.types.is_float_dtype(dtype):
                col = col.astype("float64")  # a nullable integer with gaps
            arrays[f"c{i}"] = col.to_numpy()
            columns.append({"name": name, "kind": "number", "dtype": str(arrays[f"c{i}"].dtype)})
        else:
            values = col.astype(object).tolist()
            present = [v for v in values if v is not None and not (isinstance(v, float) and v != v)]
            if not present:  # nothing in it (a column only other entries fill)
                columns.append({"name": name, "kind": "none"})
            elif all(isinstance(v, (bool, np.bool_)) for v in present):
                arrays[f"c{i}"] = np.array([-1 if v is None or (isinstance(v, float) and v != v)
                                            else int(v) for v in values], dtype=np.int8)
                columns.append({"name": name, "kind": "flag"})
            else:
                blob, ends, missing = _encode_text(values)
                arrays[f"c{i}"], arrays[f"e{i}"], arrays[f"m{i}"] = blob, ends, missing
                columns.append({"name": name, "kind": "text"})
    meta = json.dumps({"rows": len(index), "columns": columns}).encode()
    buf = io.BytesIO()
    arrays["meta"] = np.frombuffer(meta, dtype=np.uint8)
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def decode_index(blob: bytes) -> pd.DataFrame:
    """The index frame from the bytes of its file; ``ValueError`` (or another exception,
    for a damaged file) when they are not one."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
        meta = json.loads(npz["meta"].tobytes())
        data: dict[str, object] = {}
        for i, c in enumerate(meta["columns"]):
            if c["kind"] == "none":
                data[c["name"]] = np.full(meta["rows"], None, dtype=object)
                continue
            a = npz[f"c{i}"]
            if c["kind"] == "time":
                times = pd.DatetimeIndex(a.view("datetime64[ns]"))
                data[c["name"]] = times.tz_localize("UTC").tz_convert(c["tz"]) if c["tz"] \
                    else times
            elif c["kind"] == "number":
                data[c["name"]] = a.astype(c["dtype"], copy=False)
            elif c["kind"] == "flag":
                data[c["name"]] = pd.array([None if v < 0 else bool(v) for v in a.tolist()],
                                           dtype=object)
            else:
                # pandas' own inference: its text dtype (pandas 3), else object (pandas 2)
                data[c["name"]] = pd.Series(_decode_text(a, npz[f"e{i}"], npz[f"m{i}"]))
            if len(data[c["name"]]) != meta["rows"]:  # type: ignore[arg-type]
                raise ValueError(f"column {c['name']} has the wrong length")
    return pd.DataFrame(data)


def read_index_file(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The index in ``path`` (tests and tools; the cache reads through :class:`ParseCache`)."""
    with open(path, "rb") as fh:
        return decode_index(fh.read())


#: What may follow an input's path in a path of one of its rows: a folder's file, an
#: archive's member, a log's line or a JSON file's record.
_PATH_ENDS = frozenset({"/", os.sep, "!", "#"})


def restamp(value: object, old: str, new: str) -> object:
    """``value`` (a path in a row of an input) with the input's path ``old`` at its start
    replaced by ``new``; any other value unchanged.

    A cache entry keeps its rows' paths under the input's absolute path (``_path``); a
    lookup gives them under the path of the current call, so a folder read from another
    working directory, or named absolutely, shows paths that exist as given (not those of
    the run that filled the cache). A trailing separator on either path does not matter.

    >>> restamp("/tmp/x/sample_data/runs/a.fit", "/tmp/x/sample_data/", "sample_data")
    'sample_data/runs/a.fit'
    >>> restamp("/tmp/x/log.csv#line 3", "/tmp/x/log.csv", "log.csv")
    'log.csv#line 3'
    >>> restamp("/tmp/x/sample_data2/a.fit", "/tmp/x/sample_data", "s")
    '/tmp/x/sample_data2/a.fit'
    """
    if not isinstance(value, str) or old == new:
        return value
    seps = "/" + os.sep
    base = old.rstrip(seps) or old
    if not value.startswith(base):
        return value
    rest = value[len(base):]
    if rest and rest[0] not in _PATH_ENDS:
        return value
    return (new.rstrip(seps) or new) + rest


def _no_rows() -> pd.DataFrame:
    """An activities table with no rows."""
    return conform_activities(pd.DataFrame())


class ParseCache:
    """Read and write cached results for input keys; never raises for the cache's sake."""

    def __init__(self, directory: str | os.PathLike[str] | None = None, *,
                 max_bytes: int | None = None):
        self.root = Path(directory) if directory is not None else default_cache_dir()
        self.dir = self.root / CACHE_VERSION
        self.index_path = self.dir / "index.npz"
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
            index = decode_index(blob)
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

    def lookup(self, keys: list[str]
               ) -> tuple[pd.DataFrame, dict[str, list[dict]], set[str], dict[str, str]]:
        """Cached results for ``keys``: the activity rows (conformed, with a ``_key`` column),
        the skipped entries by key, the set of keys found (an input may have given nothing
        at all) and, by key, the input path the entry's paths (``source_path``, skipped
        paths) start with: give them under the current call's path with :func:`restamp`.
        Damaged entries are not returned."""
        index = self._read_index()
        if index is None or index.empty:
            return _no_rows().assign(_key=pd.Series(dtype=object)), {}, set(), {}
        hit = index[index["_key"].isin(set(keys))]
        origins = {k: p for k, p in zip(hit["_key"], hit["_path"], strict=True)
                   if isinstance(p, str)}
        acts = hit[hit["_entry"] == "row"]
        rows = conform_activities(acts) if len(acts) else _no_rows()  # one conform, not two
        rows["_key"] = acts["_key"].to_numpy()
        skips = hit[hit["_entry"] == "skip"]
        skipped: dict[str, list[dict]] = {}
        for key, path, kind, reason in zip(skips["_key"], skips["skip_path"], skips["skip_kind"],
                                           skips["skip_reason"], strict=True):
            skipped.setdefault(key, []).append({"path": path, "kind": kind, "reason": reason})
        return rows, skipped, set(hit["_key"]), origins

    # --- writing -------------------------------------------------------------------------

    def store(self, entries: dict[str, tuple[str, list[dict], list[dict]]]) -> None:
        """Add ``{key: (path, activity rows, skipped rows)}`` to the index; entries of the same
        paths with another ``_stamp`` (the file changed) are dropped, those under other
        settings kept. A cache that cannot be written is reported once and left alone; the
        call never fails for it.

        An entry is kept under the input's absolute path (``_path``), its rows' paths too
        (``source_path``, skipped paths: see :func:`restamp`), so the paths a lookup gives
        never depend on the working directory of the run that stored them."""
        if not entries or not self.usable:
            return
        now = clock_now().timestamp()
        act_rows: list[dict] = []
        act_meta: list[tuple[str, str]] = []
        other: list[dict] = []
        stamps: dict[str, str | None] = {}  # shown path -> the input's stamp now
        for key, (path, rows, skips) in entries.items():
            given = display_path(path)
            shown = display_path(os.path.abspath(path))
            stamps[shown] = input_stamp(path)
            act_rows.extend(dict(r, source_path=restamp(r["source_path"], given, shown))
                            if "source_path" in r else r for r in rows)
            act_meta.extend([(key, shown)] * len(rows))
            for s in skips:
                other.append({"skip_path": restamp(s["path"], given, shown),
                              "skip_kind": s["kind"],
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
                # checksums of the values as they will be read back (the file settles the
                # column types), so reading compares like with like
                new = decode_index(encode_index(new))
                new["_sum"] = entry_sums(new).to_numpy()
                blob = encode_index(new)
                atomic_write(self.index_path, lambda fh: fh.write(blob))
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
