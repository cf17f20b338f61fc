"""The embedded backend: an in-process sparse index, persisted under the data directory.

Layout of ``<path>/<kind>/``: ``CURRENT`` names the generation; the directory
``snap-<gen>/`` holds a snapshot (one ``.npy`` file per array, the projections as JSON
in ``sources.bin``, ``meta.json``); ``log-<gen>.jsonl`` appends every upsert and
delete since. Writers serialise on ``LOCK`` (flock); readers — every gunicorn worker —
check ``CURRENT`` and the log's size before each search and replay what they have not
seen, so all workers and the CLI agree without a server. When the log grows, the
writer compacts it into a new snapshot.

A snapshot is memory-mapped, not read: the posting lists (CSC matrices as raw arrays)
and the projections stay in the page cache, shared by all workers, and a search
touches only the columns of its terms and the rows it returns. Projections are
decoded on first use into a bounded cache. Rows written since the snapshot (the
delta) live in memory.

Scoring is BM25 over hashed terms (folded syllables and syllable bigrams) plus skill
IDs weighted by their inverse document frequency, computed only on the columns of
the query's terms. The BM25 term weights are stored in the snapshot (the average
document length is frozen when it is written), so a query slices columns and
multiplies by the IDFs.
"""
import ctypes
import datetime as dt
import fcntl
import functools
import itertools
import json
import os
import shutil
import sys
import threading
from pathlib import Path

import mmh3
import numpy as np
import orjson
import scipy.sparse as sp

from ..text import terms
from ..vocab import codes
from ..errors import IndexOutdated
from .base import EARTH_RADIUS_KM, KINDS, BackendError, Candidate, SearchBackend

FORMAT = 3
N_FEATURES = 2 ** 20
SKILL_WEIGHT = 2.0
PREFERRED_WEIGHT = 0.5
K1, B = 1.2, 0.75
_DAY0 = dt.date(1970, 1, 1)
_NO_START, _NO_END = np.iinfo(np.int32).min, np.iinfo(np.int32).max
# Per-row arrays (kept in memory: filters read them whole, and ``live`` changes).
_ARRAYS = ("ids", "versions", "live", "open", "vfrom", "vthrough", "prov", "ward", "lat", "lon",
           "offences", "doclen")
# Decoded projections kept per process; beyond this, the oldest half is dropped.
SOURCE_CACHE = 50_000


@functools.lru_cache(maxsize=1_000_000)
def _column(feature):
    """The column of a feature: its signed 32-bit MurmurHash3 (seed 0), absolute, modulo
    ``N_FEATURES`` — the hashing trick as scikit-learn's ``HashingVectorizer`` does it
    (tested to agree), without importing scikit-learn (seconds at every start)."""
    return abs(mmh3.hash(feature, 0)) % N_FEATURES


def _columns(features):
    """The distinct columns of a query's features."""
    return np.unique(np.fromiter(map(_column, features), np.int64))


def _hashed(rows):
    """A CSR matrix counting each row's features (lists of strings) in their columns."""
    lengths = [len(r) for r in rows]
    indptr = np.zeros(len(rows) + 1, np.int64)
    np.cumsum(lengths, out=indptr[1:])
    indices = np.fromiter(map(_column, itertools.chain.from_iterable(rows)), np.int32,
                          count=int(indptr[-1]))
    matrix = sp.csr_matrix((np.ones(len(indices), np.float32), indices, indptr),
                           shape=(len(rows), N_FEATURES))
    matrix.sum_duplicates()
    return matrix


def _days(iso):
    return (dt.date.fromisoformat(iso) - _DAY0).days if iso else None


def _offence_bit(code):
    codes_ = codes("offence_categories")
    return 1 << codes_.index(code) if code in codes_ else 0


def _doc_terms(doc):
    return terms(doc.get("title", "")) + terms(doc.get("search_text", ""))


def _skill_features(doc):
    return ([f"sk:{s}" for s in doc.get("skills", [])],
            [f"sk:{s}" for s in doc.get("preferred_skills", [])])


def _unit(lat, lon):
    """Unit vectors of points on the sphere (NaN where the coordinates are)."""
    p, q = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(p) * np.cos(q), np.cos(p) * np.sin(q), np.sin(p)])


class _Stored:
    """One array of a snapshot (an ``.npy`` file), read in pieces with ``pread``.

    Neither the posting lists nor the projections are mapped into the process: they
    stay in the page cache, shared by every worker, and a worker's memory holds only
    what it reads (a mapping would fault in 64 KB around every small column it touches).
    """

    def __init__(self, path, raw=False):
        """``path`` is an ``.npy`` file, or with ``raw`` a file of bytes."""
        self.offset, self.dtype = 0, np.dtype(np.uint8)
        if not raw:
            with open(path, "rb") as fh:
                version = np.lib.format.read_magic(fh)
                _, _, dtype = np.lib.format.read_array_header_1_0(fh) if version == (1, 0) \
                    else np.lib.format.read_array_header_2_0(fh)
                self.offset, self.dtype = fh.tell(), np.dtype(dtype)
        self.path, self.raw = path, raw
        self.fd = os.open(path, os.O_RDONLY)

    def bytes(self, start, end):
        """Raw bytes ``start:end`` (in bytes) of the array's data."""
        return os.pread(self.fd, int(end - start), self.offset + int(start)) if end > start else b""

    def spans(self, starts, ends):
        """The elements of every span ``start:end`` (in elements), one after another."""
        size = self.dtype.itemsize
        out = np.empty(int(np.sum(ends) - np.sum(starts)), self.dtype)
        view, pos = memoryview(out).cast("B"), 0
        for start, end in zip(starts, ends):
            n = (end - start) * size
            if n:
                os.preadv(self.fd, [view[pos:pos + n]], self.offset + start * size)
                pos += n
        return out

    def load(self):
        """The whole array, in memory."""
        return np.fromfile(self.path, np.uint8) if self.raw else np.load(self.path)

    def __del__(self):
        os.close(self.fd)


class _Postings:
    """Posting lists (rows × hashed features, CSC) of the delta, in memory: ``tf`` holds
    the term frequencies (skill strengths for the skill matrix) and ``weights`` the BM25
    term weights (text only)."""

    def __init__(self, matrix, weights=None):
        self.tf = matrix.tocsc()
        self.weights = (None if weights is None else sp.csc_matrix(
            (weights, self.tf.indices, self.tf.indptr), shape=self.tf.shape))

    def matrix(self):
        """The term frequencies."""
        return self.tf

    def columns(self, cols, weighted):
        """The columns ``cols`` (BM25 weights or term frequencies) as a CSC matrix."""
        return (self.weights if weighted else self.tf)[:, cols]


class _StoredPostings:
    """Posting lists of a snapshot: the column pointers in memory, the rest read per
    query (only the query's columns), so they cost no memory in the process."""

    def __init__(self, directory, prefix, n_rows, weighted):
        self.indptr = np.load(directory / f"{prefix}_indptr.npy")
        self.indices = _Stored(directory / f"{prefix}_indices.npy")
        self.data = _Stored(directory / f"{prefix}_data.npy")
        self.weights = _Stored(directory / f"{prefix}_weights.npy") if weighted else None
        self.shape = (n_rows, N_FEATURES)

    def matrix(self):
        """The term frequencies, read into memory (for compaction)."""
        return sp.csc_matrix((self.data.load(), self.indices.load(), self.indptr),
                             shape=self.shape)

    def columns(self, cols, weighted):
        """The columns ``cols`` (BM25 weights or term frequencies) as a CSC matrix."""
        starts, ends = self.indptr[cols].tolist(), self.indptr[np.add(cols, 1)].tolist()
        indptr = np.zeros(len(cols) + 1, self.indptr.dtype)
        np.cumsum(np.subtract(ends, starts), out=indptr[1:])
        values = (self.weights if weighted else self.data).spans(starts, ends)
        return sp.csc_matrix((values, self.indices.spans(starts, ends), indptr),
                             shape=(self.shape[0], len(cols)))


def _index_dtype(nnz):
    """The index dtype scipy uses for a matrix with ``nnz`` entries (so it copies nothing)."""
    return np.int32 if nnz < np.iinfo(np.int32).max else np.int64


def _bm25(tf, doclen, avgdl):
    """BM25 term weights of the term-frequency matrix ``tf`` (CSC) for these lengths."""
    tf = tf.tocsc()
    norm = (K1 * (1 - B + B * doclen / avgdl)).astype(np.float32)
    data = tf.data.astype(np.float32)
    return data * np.float32(K1 + 1) / (data + norm[tf.indices])


class _Segmented:
    """Rows of one kind: a memory-mapped snapshot plus the delta of rows written since."""

    def __init__(self):
        self.gen, self.log_offset, self.log_ops = 0, 0, 0
        self.codes = {}
        self.row_of = {}
        self.a = {
            "ids": np.zeros(0, np.int64), "versions": np.zeros(0, np.int64),
            "live": np.zeros(0, bool), "open": np.zeros(0, bool),
            "vfrom": np.zeros(0, np.int32), "vthrough": np.zeros(0, np.int32),
            "prov": np.zeros(0, np.int32), "ward": np.zeros(0, np.int32),
            "lat": np.zeros(0, np.float64), "lon": np.zeros(0, np.float64),
            "offences": np.zeros(0, np.int32), "doclen": np.zeros(0, np.float32),
        }
        self.xyz = np.zeros((3, 0))
        # The snapshot: postings, projections (JSON, by offsets) and the frozen avgdl.
        self.n_main = 0
        self.main_x = self.main_s = None
        self.blob, self.offsets = None, np.zeros(1, np.int64)
        self.avgdl = None
        self._cache = {}
        # The delta: hashed rows and projections appended since the snapshot.
        self.delta_x, self.delta_s, self.delta_docs = [], [], {}
        self._delta = self._delta_key = None
        # Bumped by every change of the rows; keys the per-state caches.
        self.rev = 0
        self._masks = {}

    # -- building ---------------------------------------------------------------------

    def _code(self, value):
        if not value:
            return 0
        return self.codes.setdefault(value, len(self.codes) + 1)

    def __len__(self):
        return len(self.a["ids"])

    def append(self, docs):
        """Add rows for ``docs``; rows for IDs already present are marked dead first."""
        if not docs:
            return
        self.rev += 1
        for doc in docs:
            old = self.row_of.pop(doc["id"], None)
            if old is not None:
                self._kill(old)
        text = _hashed([_doc_terms(d) for d in docs])
        req, pref = zip(*(_skill_features(d) for d in docs))
        skills = _hashed(req) + PREFERRED_WEIGHT * _hashed(pref)
        skills.data = np.minimum(skills.data, 1.0)
        start = len(self)
        new = {
            "ids": np.array([d["id"] for d in docs], np.int64),
            "versions": np.array([d["version"] for d in docs], np.int64),
            "live": np.ones(len(docs), bool),
            "open": np.array([d.get("status") == "open" for d in docs], bool),
            "vfrom": np.array([_days(d.get("valid_from")) or _NO_START for d in docs], np.int32),
            "vthrough": np.array([_days(d.get("valid_through")) or _NO_END for d in docs], np.int32),
            "prov": np.array([self._code(d.get("province_code")) for d in docs], np.int32),
            "ward": np.array([self._code(d.get("ward_code")) for d in docs], np.int32),
            "lat": np.array([np.nan if d.get("lat") is None else d["lat"] for d in docs]),
            "lon": np.array([np.nan if d.get("lon") is None else d["lon"] for d in docs]),
            "offences": np.array([sum(_offence_bit(c) for c in d.get("excluded_offences", []))
                                  for d in docs], np.int32),
            "doclen": np.asarray(text.sum(axis=1)).ravel().astype(np.float32),
        }
        for name in _ARRAYS:
            self.a[name] = np.concatenate([self.a[name], new[name]])
        self.xyz = np.concatenate([self.xyz, _unit(new["lat"], new["lon"])], axis=1)
        for i, doc in enumerate(docs):
            self.row_of[doc["id"]] = start + i
            self.delta_docs[start + i] = _shared(doc)
        self.delta_x.append(text)
        self.delta_s.append(skills.tocsr())

    def apply(self, ops):
        """Apply logged ops ({"op": "upsert", "doc": ...} or {"op": "delete", "id": ...})."""
        upserts = []
        for op in ops:
            self.log_ops += 1
            if op["op"] == "upsert":
                upserts.append(op["doc"])
            else:
                self.append(upserts)
                upserts = []
                self.remove(op["id"])
        self.append(upserts)

    def _kill(self, row):
        self.a["live"][row] = False
        self.delta_docs.pop(row, None)
        self._cache.pop(row, None)

    def remove(self, doc_id):
        """Mark the row of ``doc_id`` dead."""
        self.rev += 1
        row = self.row_of.pop(doc_id, None)
        if row is not None:
            self._kill(row)

    def source(self, row):
        """The projection of ``row`` (decoded from the snapshot on first use)."""
        doc = self.delta_docs.get(row) or self._cache.get(row)
        if doc is None:
            doc = _shared(orjson.loads(self.blob.bytes(self.offsets[row], self.offsets[row + 1])))
            if len(self._cache) >= SOURCE_CACHE:
                for old in list(self._cache)[:SOURCE_CACHE // 2]:
                    del self._cache[old]
            self._cache[row] = doc
        return doc

    def _delta_parts(self):
        """The delta as (text postings with BM25 weights, skill postings), cached per write."""
        if not self.delta_x:
            return None
        if self._delta_key != self.rev:
            text = sp.vstack(self.delta_x).tocsc()
            doclen = self.a["doclen"][self.n_main:]
            avgdl = self.avgdl or float(doclen.mean()) or 1.0
            self._delta = (_Postings(text, _bm25(text, doclen, avgdl)),
                           _Postings(sp.vstack(self.delta_s)))
            self._delta_key = self.rev
        return self._delta

    def parts(self):
        """(row offset, text postings, skill postings) of the snapshot and of the delta."""
        out = [(0, self.main_x, self.main_s)] if self.n_main else []
        delta = self._delta_parts()
        if delta:
            out.append((self.n_main, *delta))
        return out

    # -- snapshots --------------------------------------------------------------------

    def write(self, directory):
        """Write the live rows, compacted, as a snapshot into ``directory``."""
        keep = np.flatnonzero(self.a["live"])
        main, delta = keep[keep < self.n_main], keep[keep >= self.n_main]
        blocks_x, blocks_s = [], []

        def rows_of(matrix, wanted, total):  # no copy when every row stays
            return matrix if len(wanted) == total else matrix.tocsr()[wanted]
        if len(main):
            blocks_x.append(rows_of(self.main_x.matrix(), main, self.n_main))
            blocks_s.append(rows_of(self.main_s.matrix(), main, self.n_main))
        if len(delta):
            n_delta = len(self) - self.n_main
            blocks_x.append(rows_of(sp.vstack(self.delta_x), delta - self.n_main, n_delta))
            blocks_s.append(rows_of(sp.vstack(self.delta_s), delta - self.n_main, n_delta))
            if len(delta) == n_delta:  # the same rows, in one piece: free the small ones
                self.delta_x, self.delta_s = [blocks_x[-1]], [blocks_s[-1]]
        empty = sp.csr_matrix((0, N_FEATURES), dtype=np.float32)
        text = sp.vstack(blocks_x or [empty]).tocsc()
        skills = sp.vstack(blocks_s or [empty]).tocsc()
        del blocks_x, blocks_s
        rows = {name: arr[keep] for name, arr in self.a.items()}
        avgdl = float(rows["doclen"].mean()) if len(keep) else 1.0
        directory.mkdir(parents=True)
        xt, st = _index_dtype(text.nnz), _index_dtype(skills.nnz)
        arrays = {**rows, "x_indptr": text.indptr.astype(xt), "x_indices": text.indices.astype(xt),
                  "x_data": text.data.astype(np.float32),
                  "x_weights": _bm25(text, rows["doclen"], avgdl),
                  "s_indptr": skills.indptr.astype(st), "s_indices": skills.indices.astype(st),
                  "s_data": skills.data.astype(np.float32)}
        for name, arr in arrays.items():
            np.save(directory / f"{name}.npy", arr)
        offsets = [0]
        with open(directory / "sources.bin", "wb") as fh:
            for row in keep.tolist():
                if row < self.n_main:
                    raw = self.blob.bytes(self.offsets[row], self.offsets[row + 1])
                else:
                    raw = orjson.dumps(self.delta_docs[row])
                fh.write(raw)
                offsets.append(offsets[-1] + len(raw))
        np.save(directory / "offsets.npy", np.array(offsets, np.int64))
        meta = {"format": FORMAT, "rows": int(len(keep)), "avgdl": avgdl, "codes": self.codes}
        (directory / "meta.json").write_text(json.dumps(meta, ensure_ascii=False))

    @classmethod
    def read(cls, directory):
        """Open the snapshot in ``directory`` (per-row arrays read, the rest on demand)."""
        seg = cls()
        meta = json.loads((directory / "meta.json").read_text())
        if meta.get("format") != FORMAT:
            raise ValueError(f"snapshot format {meta.get('format')}, expected {FORMAT}")

        seg.a = {name: np.load(directory / f"{name}.npy") for name in _ARRAYS}
        seg.xyz = _unit(seg.a["lat"], seg.a["lon"])
        seg.n_main = n = meta["rows"]
        seg.avgdl, seg.codes = meta["avgdl"], meta["codes"]
        seg.main_x = _StoredPostings(directory, "x", n, weighted=True)
        seg.main_s = _StoredPostings(directory, "s", n, weighted=False)
        seg.offsets = np.load(directory / "offsets.npy")
        seg.blob = _Stored(directory / "sources.bin", raw=True)
        seg.row_of = dict(zip(seg.a["ids"].tolist(), range(n)))
        return seg

    # -- searching --------------------------------------------------------------------

    def score(self, text_cols, skill_cols, eligible):
        """BM25 over ``text_cols`` plus weighted skill matches, as (rows, scores).

        Only rows where ``eligible`` is true keep a score; document frequencies count
        every live row, so scores do not depend on the filters.
        """
        live = self.a["live"]
        n_live = self._mask("n_live", lambda: max(int(live.sum()), 1))
        all_live = n_live == len(self)
        # float32 throughout: a float64 vector would make scipy copy the sliced columns.
        scores = np.zeros(len(self), np.float32)
        for cols, which, weight in ((text_cols, 1, 1.0), (skill_cols, 2, SKILL_WEIGHT)):
            if len(cols) == 0:
                continue
            subs = [(part[0], part[which].columns(cols, weighted=which == 1))
                    for part in self.parts()]
            # Document frequency over live rows only: dead rows wait for compaction.
            if all_live:
                df = sum(np.diff(sub.indptr) for _, sub in subs)
            else:
                df = sum(np.bincount(np.repeat(np.arange(len(cols)), np.diff(sub.indptr)),
                                     weights=live[sub.indices + off], minlength=len(cols))
                         for off, sub in subs)
            idf = (weight * np.log1p((n_live - df + 0.5) / (df + 0.5))).astype(np.float32)
            for off, sub in subs:
                scores[off:off + sub.shape[0]] += sub @ idf
        scores[~eligible] = 0.0
        rows = np.flatnonzero(scores > 0)
        return rows, scores[rows]

    def _mask(self, name, compute):
        """A filter mask over all rows, cached until the rows change."""
        hit = self._masks.get(name)
        if hit is None or hit[0] != self.rev:
            if len(self._masks) > 64:
                self._masks.clear()
            hit = self._masks[name] = (self.rev, compute())
        return hit[1]

    def eligible(self, query):
        """A mask over all rows: live and passing the hard filters of ``query``."""
        a = self.a
        today = (query.today - _DAY0).days
        mask = self._mask(("current", today), lambda: a["live"] & a["open"]
                          & (a["vfrom"] <= today) & (a["vthrough"] >= today)).copy()
        if query.province_code:
            mask &= a["prov"] == (self.codes.get(query.province_code) or -1)
        if query.ward_code:
            mask &= a["ward"] == (self.codes.get(query.ward_code) or -1)
        if query.offence:
            bit = _offence_bit(query.offence)
            mask &= self._mask(("offence", bit), lambda: (a["offences"] & bit) == 0)
        if query.radius_km is not None and query.lat is not None and query.lon is not None:
            home = self.codes.get(query.home_province_code) if query.home_province_code else None
            near = (a["prov"] == home) & np.isnan(a["lat"]) if home else np.zeros(len(mask), bool)
            # The great-circle distance is at most the radius exactly when the angle
            # between the unit vectors is: a dot product instead of trigonometry per row.
            centre = _unit(np.array([query.lat]), np.array([query.lon]))[:, 0]
            angle = min(query.radius_km / EARTH_RADIUS_KM, np.pi)
            near |= centre @ self.xyz >= np.cos(angle)
            mask &= near
        return mask


def _shared(doc):
    """A projection with its strings interned: projections repeat the same terms, skill
    IDs and place names, and sharing them cuts their memory about fourfold. (Lists in a
    projection hold one type; keys are shared by the JSON decoder already.)"""
    out = {}
    for k, v in doc.items():
        kind = type(v)
        if kind is str:
            v = sys.intern(v)
        elif kind is list and v and type(v[0]) is str:
            v = list(map(sys.intern, v))
        out[k] = v
    out.pop("search_text", None)
    return out


@functools.cache
def _keep_freed_memory():
    """Ask glibc to keep freed memory for reuse instead of returning it to the system.

    A search allocates a few arrays as long as the index (scores, masks); by default
    glibc maps each from the system and unmaps it when freed, and touching fresh pages
    again on every search cost about a quarter of a 1M-posting search. Without glibc
    (musl, macOS) this does nothing.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
    mallopt(m_mmap_threshold, 256 << 20)
    mallopt(m_trim_threshold, 1 << 30)
    mallopt(m_top_pad, 64 << 20)


def _serialised(method):
    """Run ``method`` holding the backend's lock: threads of one process (gunicorn's
    gthread workers) share the in-memory index, and replaying the log mutates it."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._mutex:
            return method(self, *args, **kwargs)
    return wrapper


class EmbeddedBackend(SearchBackend):
    """In-process sparse index under ``path``, shared safely between processes."""

    name = "embedded"

    def __init__(self, path, compact_ratio=0.25, compact_min_ops=5000):
        self.path = Path(path)
        self.compact_ratio = compact_ratio
        self.compact_min_ops = compact_min_ops
        self._kinds, self._gens, self._made = {}, {}, set()
        self._mutex = threading.RLock()
        _keep_freed_memory()

    # -- files ------------------------------------------------------------------------

    def _dir(self, kind):
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        path = self.path / kind
        if kind not in self._made:
            path.mkdir(parents=True, exist_ok=True)
            self._made.add(kind)
        return path

    def _current_gen(self, kind):
        """The generation named by ``CURRENT`` (re-read only when the file was replaced)."""
        path = self._dir(kind) / "CURRENT"
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return 0
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        cached = self._gens.get(kind)
        if cached and cached[0] == stamp:
            return cached[1]
        try:
            gen = int(path.read_text())
        except FileNotFoundError:
            return 0
        self._gens[kind] = (stamp, gen)
        return gen

    def _lock(self, kind):
        fh = open(self._dir(kind) / "LOCK", "a+")
        fcntl.flock(fh, fcntl.LOCK_EX)
        return fh

    def _load_snapshot(self, kind, gen):
        if gen == 0:
            return _Segmented()
        d = self._dir(kind)
        if not (d / f"snap-{gen}").is_dir() and (d / f"snap-{gen}.npz").exists():
            raise IndexOutdated(f"the embedded index of {kind} was written by an older version "
                                "of Vững Bước (rebuild it: `indexer reindex`)")
        seg = _Segmented.read(d / f"snap-{gen}")
        seg.gen = gen
        return seg

    def _publish(self, kind, seg, gen):
        """Write ``seg`` as generation ``gen``, make it current and open it (under the lock)."""
        d = self._dir(kind)
        tmp = d / f"snap-{gen}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        seg.write(tmp)
        os.replace(tmp, d / f"snap-{gen}")
        (d / f"log-{gen}.jsonl").touch()
        (d / "CURRENT.tmp").write_text(str(gen))
        os.replace(d / "CURRENT.tmp", d / "CURRENT")
        for old in d.iterdir():
            if old.name.startswith(("snap-", "log-")) and old.name not in (
                    f"snap-{gen}", f"log-{gen}.jsonl"):
                # Readers that still map the old files keep them until they move on.
                shutil.rmtree(old) if old.is_dir() else old.unlink(missing_ok=True)
        self._kinds[kind] = fresh = self._load_snapshot(kind, gen)
        return fresh

    def _state(self, kind):
        """The in-memory index of ``kind``, brought up to date with the files."""
        try:
            for _ in range(5):
                seg = self._kinds.get(kind)
                gen = self._current_gen(kind)
                if seg is None or seg.gen != gen:
                    try:
                        seg = self._load_snapshot(kind, gen)
                    except FileNotFoundError:
                        continue  # a writer swapped generations under us: read CURRENT again
                    self._kinds[kind] = seg
                self._replay(kind, seg)
                return seg
        except (OSError, ValueError, KeyError) as exc:
            raise BackendError(f"embedded index of {kind} unreadable: {exc}") from exc
        raise BackendError(f"embedded index of {kind} keeps changing; try again")

    def _replay(self, kind, seg):
        if seg.gen == 0:
            return
        log = self._dir(kind) / f"log-{seg.gen}.jsonl"
        try:
            size = log.stat().st_size
        except FileNotFoundError:
            return
        if size <= seg.log_offset:
            return
        with open(log, "rb") as fh:
            fh.seek(seg.log_offset)
            chunk = fh.read(size - seg.log_offset)
        end = chunk.rfind(b"\n") + 1
        seg.apply([orjson.loads(line) for line in chunk[:end].splitlines()])
        seg.log_offset += end

    # -- writes -----------------------------------------------------------------------

    def _write(self, kind, ops):
        """Append ``ops`` (already version-checked under the lock) and apply them."""
        lock = self._lock(kind)
        try:
            seg = self._state(kind)
            if seg.gen == 0:
                seg = self._publish(kind, seg, 1)
            fresh = []
            for op in ops:
                current = seg.row_of.get(op["id"])
                indexed = int(seg.a["versions"][current]) if current is not None else 0
                if op["version"] > indexed or (op["op"] == "delete" and current is not None
                                               and op["version"] >= indexed):
                    fresh.append(op)
            if fresh:
                lines = [orjson.dumps({"op": o["op"], "id": o["id"], "doc": o.get("doc")})
                         for o in fresh]
                with open(self._dir(kind) / f"log-{seg.gen}.jsonl", "ab") as fh:
                    caught_up = fh.tell() == seg.log_offset
                    fh.write(b"\n".join(lines) + b"\n")
                    end = fh.tell()
                if caught_up:  # nothing but these ops to replay: apply them as they are
                    seg.apply(fresh)
                    seg.log_offset = end
                else:
                    self._replay(kind, seg)
            if seg.log_ops > max(self.compact_min_ops, self.compact_ratio * len(seg.row_of)):
                self._publish(kind, seg, seg.gen + 1)
            return len(fresh)
        except OSError as exc:
            raise BackendError(f"embedded index of {kind} not writable: {exc}") from exc
        finally:
            lock.close()

    @_serialised
    def upsert(self, kind, docs):
        """Index projections; stale versions are ignored."""
        self._write(kind, [{"op": "upsert", "id": d["id"], "version": d["version"], "doc": d}
                           for d in docs])
        return []

    @_serialised
    def delete(self, kind, items):
        """Remove (id, version) pairs."""
        self._write(kind, [{"op": "delete", "id": i, "version": v} for i, v in items])

    @_serialised
    def rebuild(self, kind, docs):
        """Build a new snapshot from ``docs`` and swap it in atomically."""
        seg = _Segmented()
        batch = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= 5000:
                seg.append(batch)
                batch = []
        seg.append(batch)
        lock = self._lock(kind)
        try:
            return len(self._publish(kind, seg, self._current_gen(kind) + 1).row_of)
        finally:
            lock.close()

    # -- reads ------------------------------------------------------------------------

    @_serialised
    def search(self, query):
        """Top candidates by BM25 + skill relevance among documents passing the filters."""
        seg = self._state(query.kind)
        if not seg.row_of:
            return []
        text_cols = _columns(terms(query.text)) if query.text else []
        skill_cols = _columns(f"sk:{s}" for s in query.skills) if query.skills else []
        eligible = seg.eligible(query)
        if len(text_cols) == 0 and len(skill_cols) == 0:
            rows = np.flatnonzero(eligible)
            scores = np.zeros(len(rows))
        else:
            rows, scores = seg.score(text_cols, skill_cols, eligible)
        if len(rows) > query.limit:
            # Everything scoring at least the limit-th best, so ties are cut by ID below.
            kth = np.partition(scores, len(scores) - query.limit)[len(scores) - query.limit]
            top = scores >= kth
            rows, scores = rows[top], scores[top]
        ids = seg.a["ids"][rows]
        order = np.lexsort((ids, -scores))[:query.limit]
        return [Candidate(doc_id, score, seg.source(row)) for doc_id, score, row in
                zip(ids[order].tolist(), scores[order].tolist(), rows[order].tolist())]

    @_serialised
    def count(self, kind):
        """Live documents of ``kind``."""
        return len(self._state(kind).row_of)

    @_serialised
    def ids(self, kind):
        """{id: version} of the indexed documents."""
        seg = self._state(kind)
        return {doc_id: int(seg.a["versions"][row]) for doc_id, row in seg.row_of.items()}

    def health(self):
        """Document counts per kind."""
        return {"backend": self.name, "path": str(self.path),
                "documents": {kind: self.count(kind) for kind in KINDS}}
