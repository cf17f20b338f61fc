"""The embedded backend: an in-process sparse index, persisted under the data directory.

Layout of ``<path>/<kind>/``: ``CURRENT`` names the generation; ``snap-<gen>.npz`` and
``snap-<gen>.pkl`` hold a snapshot; ``log-<gen>.jsonl`` appends every upsert and delete
since. Writers serialise on ``LOCK`` (flock); readers — every gunicorn worker — check
``CURRENT`` and the log's size before each search and replay what they have not seen,
so all workers and the CLI agree without a server. When the log grows, the writer
compacts it into a new snapshot.

Scoring is BM25 over hashed terms (folded syllables and syllable bigrams) plus skill
IDs weighted by their inverse document frequency, computed only on the columns of
the query's terms.
"""
import datetime as dt
import fcntl
import json
import os
import pickle
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from ..text import key, terms
from ..vocab import codes
from .base import EARTH_RADIUS_KM, KINDS, BackendError, Candidate, SearchBackend

N_FEATURES = 2 ** 20
SKILL_WEIGHT = 2.0
PREFERRED_WEIGHT = 0.5
_DAY0 = dt.date(1970, 1, 1)
_NO_START, _NO_END = np.iinfo(np.int32).min, np.iinfo(np.int32).max
_ARRAYS = ("ids", "versions", "live", "open", "vfrom", "vthrough", "prov", "dist", "lat", "lon",
           "offences", "doclen")
DELTA_MERGE_ROWS = 20_000


def _hasher():
    return HashingVectorizer(analyzer=lambda ts: ts, n_features=N_FEATURES,
                             alternate_sign=False, norm=None, dtype=np.float32)


_HASH = _hasher()


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


class _Segmented:
    """Rows of one kind: a compact main matrix plus a small delta of recent rows."""

    def __init__(self):
        self.gen, self.log_offset, self.log_ops = 0, 0, 0
        self.codes = {}
        self.sources = []
        self.row_of = {}
        n = 0
        self.a = {
            "ids": np.zeros(n, np.int64), "versions": np.zeros(n, np.int64),
            "live": np.zeros(n, bool), "open": np.zeros(n, bool),
            "vfrom": np.zeros(n, np.int32), "vthrough": np.zeros(n, np.int32),
            "prov": np.zeros(n, np.int32), "dist": np.zeros(n, np.int32),
            "lat": np.zeros(n, np.float64), "lon": np.zeros(n, np.float64),
            "offences": np.zeros(n, np.int32), "doclen": np.zeros(n, np.float32),
        }
        self.X = sp.csc_matrix((0, N_FEATURES), dtype=np.float32)
        self.S = sp.csc_matrix((0, N_FEATURES), dtype=np.float32)
        self.delta_X, self.delta_S = [], []
        self._delta = None
        # Bumped by every change of the rows; keys the per-state caches.
        self.rev = 0
        self._stats_key = self._stats_val = None
        self._w_main_key = self._w_delta_key = None
        self._w_main = self._w_delta = None
        self._avgdl = 1.0

    # -- building ---------------------------------------------------------------------

    def _code(self, value):
        if not value:
            return 0
        return self.codes.setdefault(value, len(self.codes) + 1)

    def append(self, docs):
        """Add rows for ``docs``; rows for IDs already present are marked dead first."""
        if not docs:
            return
        self.rev += 1
        for doc in docs:
            old = self.row_of.pop(doc["id"], None)
            if old is not None:
                self.a["live"][old] = False
                self.sources[old] = None
        text = _HASH.transform(_doc_terms(d) for d in docs).tocsr()
        req, pref = zip(*(_skill_features(d) for d in docs))
        skills = _HASH.transform(req) + PREFERRED_WEIGHT * _HASH.transform(pref)
        skills.data = np.minimum(skills.data, 1.0)
        start = len(self.sources)
        new = {
            "ids": np.array([d["id"] for d in docs], np.int64),
            "versions": np.array([d["version"] for d in docs], np.int64),
            "live": np.ones(len(docs), bool),
            "open": np.array([d.get("status") == "open" for d in docs], bool),
            "vfrom": np.array([_days(d.get("valid_from")) or _NO_START for d in docs], np.int32),
            "vthrough": np.array([_days(d.get("valid_through")) or _NO_END for d in docs], np.int32),
            "prov": np.array([self._code(d.get("province_key")) for d in docs], np.int32),
            "dist": np.array([self._code(d.get("district_key")) for d in docs], np.int32),
            "lat": np.array([np.nan if d.get("lat") is None else d["lat"] for d in docs]),
            "lon": np.array([np.nan if d.get("lon") is None else d["lon"] for d in docs]),
            "offences": np.array([sum(_offence_bit(c) for c in d.get("excluded_offences", []))
                                  for d in docs], np.int32),
            "doclen": np.asarray(text.sum(axis=1)).ravel().astype(np.float32),
        }
        for name in _ARRAYS:
            self.a[name] = np.concatenate([self.a[name], new[name]])
        for i, doc in enumerate(docs):
            self.row_of[doc["id"]] = start + i
            self.sources.append({sys.intern(k): _shared(v) for k, v in doc.items()
                                 if k != "search_text"})
        self.delta_X.append(text)
        self.delta_S.append(skills.tocsr())
        self._delta = None
        if sum(m.shape[0] for m in self.delta_X) >= DELTA_MERGE_ROWS:
            self.merge()

    def remove(self, doc_id):
        """Mark the row of ``doc_id`` dead."""
        self.rev += 1
        row = self.row_of.pop(doc_id, None)
        if row is not None:
            self.a["live"][row] = False
            self.sources[row] = None

    def merge(self):
        """Fold the delta rows into the main matrices."""
        if self.delta_X:
            self.X = sp.vstack([self.X, *self.delta_X]).tocsc()
            self.S = sp.vstack([self.S, *self.delta_S]).tocsc()
            self.delta_X, self.delta_S, self._delta = [], [], None

    def compacted(self):
        """A copy without dead rows, merged (what a snapshot stores)."""
        self.merge()
        keep = np.flatnonzero(self.a["live"])
        out = _Segmented()
        out.codes = dict(self.codes)
        out.a = {name: arr[keep] for name, arr in self.a.items()}
        out.X = self.X[keep].tocsc() if len(keep) else out.X
        out.S = self.S[keep].tocsc() if len(keep) else out.S
        out.sources = [self.sources[i] for i in keep]
        out.row_of = {int(doc_id): i for i, doc_id in enumerate(out.a["ids"])}
        return out

    def segments(self):
        """(offset, X, S) of the main matrices and of the delta."""
        out = [(0, self.X, self.S)]
        if self.delta_X:
            if self._delta is None:
                self._delta = (sp.vstack(self.delta_X).tocsc(), sp.vstack(self.delta_S).tocsc())
            out.append((self.X.shape[0], *self._delta))
        return out

    # -- searching --------------------------------------------------------------------

    def _stats(self):
        """(live rows, all rows live?), cached until a write."""
        key = (self.rev, len(self.sources))
        if self._stats_key != key:
            live = self.a["live"]
            self._stats_val = (max(int(live.sum()), 1), bool(live.all()))
            self._stats_key = key
        return self._stats_val

    def _weighted(self, k1, b):
        """Segments as (offset, BM25-weighted text matrix, skill matrix).

        The BM25 term weights are computed once per matrix, with the average document
        length frozen when the main matrix was built (it changes on merge, compaction
        and load), so a query only slices columns and multiplies by the IDFs.
        """
        segs = self.segments()
        main_key = (id(self.X), self.X.shape, self.X.nnz, k1, b)
        if self._w_main_key != main_key or self.X.shape[0] == 0:
            live = self.a["live"]
            self._avgdl = float(self.a["doclen"][live].mean()) if live.any() else 1.0
            self._w_main = _bm25(self.X, self.a["doclen"], 0, self._avgdl, k1, b)
            self._w_main_key = main_key
        out = [(0, self._w_main, self.S)]
        if len(segs) > 1:
            off, delta_x, delta_s = segs[1]
            delta_key = (id(delta_x), delta_x.shape, delta_x.nnz, main_key, self._avgdl)
            if self._w_delta_key != delta_key:
                self._w_delta = _bm25(delta_x, self.a["doclen"], off, self._avgdl, k1, b)
                self._w_delta_key = delta_key
            out.append((off, self._w_delta, delta_s))
        return out

    def score(self, text_cols, skill_cols, eligible, k1=1.2, b=0.75):
        """BM25 over ``text_cols`` plus weighted skill matches, as (rows, scores).

        Only rows where ``eligible`` is true keep a score; document frequencies count
        every live row, so scores do not depend on the filters.
        """
        n_rows = len(self.sources)
        live = self.a["live"]
        n_live, all_live = self._stats()
        scores = np.zeros(n_rows, np.float64)
        segs = self._weighted(k1, b)
        for cols, which, weight in ((text_cols, 1, 1.0), (skill_cols, 2, SKILL_WEIGHT)):
            if len(cols) == 0:
                continue
            subs = [(seg[0], seg[which][:, cols]) for seg in segs]
            # Document frequency over live rows only: dead rows wait for compaction.
            if all_live:
                df = sum(np.diff(sub.indptr) for _, sub in subs)
            else:
                df = sum(np.bincount(np.repeat(np.arange(len(cols)), np.diff(sub.indptr)),
                                     weights=live[sub.indices + off], minlength=len(cols))
                         for off, sub in subs)
            idf = np.log1p((n_live - df + 0.5) / (df + 0.5))
            for off, sub in subs:
                scores[off:off + sub.shape[0]] += weight * (sub @ idf)
        scores[~eligible] = 0.0
        rows = np.flatnonzero(scores > 0)
        return rows, scores[rows]

    def eligible(self, query):
        """A mask over all rows: live and passing the hard filters of ``query``."""
        a = self.a
        today = (query.today - _DAY0).days
        mask = a["live"] & a["open"] & (a["vfrom"] <= today) & (a["vthrough"] >= today)
        if query.province:
            mask &= a["prov"] == (self.codes.get(key(query.province)) or -1)
        if query.district:
            mask &= a["dist"] == (self.codes.get(key(query.district)) or -1)
        if query.offence:
            mask &= (a["offences"] & _offence_bit(query.offence)) == 0
        if query.radius_km is not None and query.lat is not None and query.lon is not None:
            lat, lon = a["lat"], a["lon"]
            home = self.codes.get(key(query.home_province)) if query.home_province else None
            no_coords = np.isnan(lat)
            near = (a["prov"] == home) & no_coords if home else np.zeros(len(lat), bool)
            # A bounding box first (1% wider than the circle), the exact distance inside it.
            dlat = query.radius_km / 111.0 * 1.01
            dlon = dlat / max(np.cos(np.radians(query.lat)), 0.01)
            box = np.flatnonzero(mask & (np.abs(lat - query.lat) <= dlat)
                                 & (np.abs(lon - query.lon) <= dlon))
            near[box] = _within(query.lat, query.lon, lat[box], lon[box], query.radius_km)
            mask &= near
        return mask


def _shared(value):
    """``value`` with its strings interned: projections repeat the same terms, skill IDs
    and place names, and sharing them cuts the memory of the sources about fourfold."""
    if isinstance(value, str):
        return sys.intern(value)
    if isinstance(value, list):
        return [sys.intern(v) if isinstance(v, str) else v for v in value]
    return value


def _bm25(matrix, doclen, offset, avgdl, k1, b):
    """A copy of the term-frequency ``matrix`` (CSC) holding BM25 term weights instead."""
    tf = matrix.data.astype(np.float32)
    norm = (k1 * (1 - b + b * doclen[offset:offset + matrix.shape[0]] / avgdl)).astype(np.float32)
    weights = tf * np.float32(k1 + 1) / (tf + norm[matrix.indices])
    return sp.csc_matrix((weights, matrix.indices, matrix.indptr), shape=matrix.shape)


def _within(lat1, lon1, lat2, lon2, radius_km):
    """Haversine test ``distance <= radius_km`` without the arcsine and square root."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (np.sin((p2 - p1) / 2) ** 2
         + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2)
    return h <= np.sin(min(radius_km / (2 * EARTH_RADIUS_KM), np.pi / 2)) ** 2


class EmbeddedBackend(SearchBackend):
    """In-process sparse index under ``path``, shared safely between processes."""

    name = "embedded"

    def __init__(self, path, compact_ratio=0.25, compact_min_ops=5000):
        self.path = Path(path)
        self.compact_ratio = compact_ratio
        self.compact_min_ops = compact_min_ops
        self._kinds = {}

    # -- files ------------------------------------------------------------------------

    def _dir(self, kind):
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        path = self.path / kind
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _current_gen(self, kind):
        try:
            return int((self._dir(kind) / "CURRENT").read_text())
        except FileNotFoundError:
            return 0

    def _lock(self, kind):
        fh = open(self._dir(kind) / "LOCK", "a+")
        fcntl.flock(fh, fcntl.LOCK_EX)
        return fh

    def _load_snapshot(self, kind, gen):
        seg = _Segmented()
        if gen == 0:
            return seg
        d = self._dir(kind)
        with np.load(d / f"snap-{gen}.npz") as z:
            seg.a = {name: z[name] for name in _ARRAYS}
            seg.X = sp.csc_matrix((z["X_data"], z["X_indices"], z["X_indptr"]),
                                  shape=tuple(z["X_shape"]))
            seg.S = sp.csc_matrix((z["S_data"], z["S_indices"], z["S_indptr"]),
                                  shape=tuple(z["S_shape"]))
        with open(d / f"snap-{gen}.pkl", "rb") as fh:
            meta = pickle.load(fh)
        seg.sources, seg.codes = meta["sources"], meta["codes"]
        seg.row_of = {int(doc_id): i for i, doc_id in enumerate(seg.a["ids"])}
        seg.gen = gen
        return seg

    def _write_snapshot(self, kind, seg, gen):
        d = self._dir(kind)
        tmp = d / f"snap-{gen}.tmp.npz"
        np.savez(tmp, **seg.a,
                 X_data=seg.X.data, X_indices=seg.X.indices, X_indptr=seg.X.indptr,
                 X_shape=np.array(seg.X.shape), S_data=seg.S.data, S_indices=seg.S.indices,
                 S_indptr=seg.S.indptr, S_shape=np.array(seg.S.shape))
        os.replace(tmp, d / f"snap-{gen}.npz")
        with open(d / f"snap-{gen}.pkl.tmp", "wb") as fh:
            pickle.dump({"sources": seg.sources, "codes": seg.codes}, fh, protocol=5)
        os.replace(d / f"snap-{gen}.pkl.tmp", d / f"snap-{gen}.pkl")
        (d / f"log-{gen}.jsonl").touch()
        (d / "CURRENT.tmp").write_text(str(gen))
        os.replace(d / "CURRENT.tmp", d / "CURRENT")
        for old in d.iterdir():
            name = old.name
            if name.startswith(("snap-", "log-")) and not name.startswith(
                    (f"snap-{gen}.", f"log-{gen}.")):
                old.unlink(missing_ok=True)
        seg.gen, seg.log_offset, seg.log_ops = gen, 0, 0

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
        except (OSError, ValueError, pickle.UnpicklingError) as exc:
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
        upserts = []
        for line in chunk[:end].splitlines():
            op = json.loads(line)
            seg.log_ops += 1
            if op["op"] == "upsert":
                upserts.append(op["doc"])
            else:
                if upserts:
                    seg.append(upserts)
                    upserts = []
                seg.remove(op["id"])
        seg.append(upserts)
        seg.log_offset += end

    # -- writes -----------------------------------------------------------------------

    def _write(self, kind, ops):
        """Append ``ops`` (already version-checked under the lock) and apply them."""
        lock = self._lock(kind)
        try:
            seg = self._state(kind)
            if seg.gen == 0:
                self._write_snapshot(kind, seg, 1)
            fresh = []
            for op in ops:
                current = seg.row_of.get(op["id"])
                indexed = int(seg.a["versions"][current]) if current is not None else 0
                if op["version"] > indexed or (op["op"] == "delete" and current is not None
                                               and op["version"] >= indexed):
                    fresh.append(op)
            if fresh:
                lines = [json.dumps({"op": o["op"], "id": o["id"], "doc": o.get("doc")},
                                    ensure_ascii=False, separators=(",", ":")) for o in fresh]
                with open(self._dir(kind) / f"log-{seg.gen}.jsonl", "ab") as fh:
                    fh.write(("\n".join(lines) + "\n").encode())
                self._replay(kind, seg)
            if seg.log_ops > max(self.compact_min_ops, self.compact_ratio * len(seg.row_of)):
                compact = seg.compacted()
                self._write_snapshot(kind, compact, seg.gen + 1)
                self._kinds[kind] = compact
            return len(fresh)
        except OSError as exc:
            raise BackendError(f"embedded index of {kind} not writable: {exc}") from exc
        finally:
            lock.close()

    def upsert(self, kind, docs):
        """Index projections; stale versions are ignored."""
        self._write(kind, [{"op": "upsert", "id": d["id"], "version": d["version"], "doc": d}
                           for d in docs])
        return []

    def delete(self, kind, items):
        """Remove (id, version) pairs."""
        self._write(kind, [{"op": "delete", "id": i, "version": v} for i, v in items])

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
        seg = seg.compacted()
        lock = self._lock(kind)
        try:
            self._write_snapshot(kind, seg, self._current_gen(kind) + 1)
            self._kinds[kind] = seg
        finally:
            lock.close()
        return len(seg.row_of)

    # -- reads ------------------------------------------------------------------------

    def search(self, query):
        """Top candidates by BM25 + skill relevance among documents passing the filters."""
        seg = self._state(query.kind)
        if not seg.row_of:
            return []
        text_cols = np.unique(_HASH.transform([terms(query.text)]).indices) if query.text else []
        skill_cols = (np.unique(_HASH.transform([[f"sk:{s}" for s in query.skills]]).indices)
                      if query.skills else [])
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
        return [Candidate(int(ids[i]), float(scores[i]), seg.sources[rows[i]]) for i in order]

    def count(self, kind):
        """Live documents of ``kind``."""
        return len(self._state(kind).row_of)

    def ids(self, kind):
        """{id: version} of the indexed documents."""
        seg = self._state(kind)
        return {doc_id: int(seg.a["versions"][row]) for doc_id, row in seg.row_of.items()}

    def health(self):
        """Document counts per kind."""
        return {"backend": self.name, "path": str(self.path),
                "documents": {kind: self.count(kind) for kind in KINDS}}
