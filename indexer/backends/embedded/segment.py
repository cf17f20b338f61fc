"""The rows of one kind in memory: a snapshot plus the delta written since, and their ops.

Every change arrives as ops (``{"op": "upsert", "id", "version", "doc"}`` or
``{"op": "delete", "id", "version"}``) and goes through ``net``, which keeps per ID only
the newest op that beats what is indexed. Applying ops live and replaying them from the
log after a restart run the same code, so both give the same rows, and each ID has at
most one live row by construction. Deletes leave a tombstone (ID → version), so a late
replay of an older version never brings a deleted document back.
"""
import sys

import numpy as np
import orjson
import scipy.sparse as sp

from ...errors import IndexDamaged
from ...vocab import education_rank
from . import features as F
from .files import StoredArray, finish_snapshot, load_array, read_manifest
from .postings import Postings, StoredPostings, accumulate

# Per-row arrays (kept in memory: filters read them whole, and ``live`` changes).
ARRAYS = ("ids", "versions", "live", "open", "vfrom", "vthrough", "prov", "ward", "lat", "lon",
          "offences", "licences", "edu", "partner", "doclen")
_DTYPES = {"ids": np.int64, "versions": np.int64, "live": bool, "open": bool,
           "vfrom": np.int32, "vthrough": np.int32, "prov": np.int32, "ward": np.int32,
           "lat": np.float64, "lon": np.float64, "offences": np.int32, "licences": np.int32,
           "edu": np.int8, "partner": np.int32, "doclen": np.float32}
# Partner IDs share the code table with place codes, under this prefix.
PARTNER = "partner:"
# The per-row columns that hold codes from the segment's code table, numbered in this
# order for each batch of documents.
CODED = ("prov", "ward", "partner")
# Decoded projections kept per process; beyond this, the oldest half is dropped.
SOURCE_CACHE = 50_000


def wins(delete, version, current, live):
    """Whether an upsert (or a delete) at ``version`` changes a document indexed at
    version ``current`` (``live``, or a tombstone or nothing): newer versions win, and a
    delete also removes a live row of its own version."""
    return version > current or (delete and live and version >= current)


class Segment:
    """Rows of one kind: a snapshot (read from disk on demand) plus the delta in memory."""

    def __init__(self):
        self.gen, self.uid, self.log_offset, self.log_ops = 0, None, 0, 0
        self.directory = None
        self.codes = {}
        self.row_of = {}
        self.tomb = {}  # deleted ID → the version of its deletion
        self.a = {name: np.zeros(0, dtype) for name, dtype in _DTYPES.items()}
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

    def __len__(self):
        return len(self.a["ids"])

    # -- ops --------------------------------------------------------------------------

    def indexed(self, doc_id):
        """(version, live) of ``doc_id``: its live row's, its tombstone's, or (0, False)."""
        row = self.row_of.get(doc_id)
        if row is not None:
            return int(self.a["versions"][row]), True
        return self.tomb.get(doc_id, 0), False

    def net(self, ops):
        """The ops that change something, at most one per ID (the newest that wins)."""
        latest = {}
        for op in ops:
            doc_id, version = op["id"], op["version"]
            if doc_id in latest:
                current, live = latest[doc_id]["version"], latest[doc_id]["op"] == "upsert"
            else:
                current, live = self.indexed(doc_id)
            if wins(op["op"] == "delete", version, current, live):
                latest[doc_id] = op
        return list(latest.values())

    def apply(self, ops):
        """Apply ops (from a writer or the log): the newest per ID, if newer than indexed."""
        ops = self.net(ops)
        upserts = [op["doc"] for op in ops if op["op"] == "upsert"]
        for op in ops:
            if op["op"] == "delete":
                self._remove(op["id"])
                self.tomb[op["id"]] = op["version"]
            else:
                self.tomb.pop(op["id"], None)
        self._append(upserts)
        return ops

    # -- rows -------------------------------------------------------------------------

    def _append(self, docs):
        """Add rows for ``docs`` (distinct IDs); rows for IDs already present die first."""
        if not docs:
            return
        self.rev += 1
        for doc in docs:
            old = self.row_of.pop(doc["id"], None)
            if old is not None:
                self._kill(old)
        text, skills, new = features_of(docs)
        number_codes(self.codes, new)
        start = len(self)
        for name in ARRAYS:
            self.a[name] = np.concatenate([self.a[name], np.asarray(new[name], _DTYPES[name])])
        self.xyz = np.concatenate([self.xyz, F.unit(self.a["lat"][start:],
                                                    self.a["lon"][start:])], axis=1)
        for i, doc in enumerate(docs):
            self.row_of[doc["id"]] = start + i
            self.delta_docs[start + i] = shared(doc)
        self.delta_x.append(text)
        self.delta_s.append(skills)

    def _kill(self, row):
        self.a["live"][row] = False
        self.delta_docs.pop(row, None)
        self._cache.pop(row, None)

    def _remove(self, doc_id):
        self.rev += 1
        row = self.row_of.pop(doc_id, None)
        if row is not None:
            self._kill(row)

    def source(self, row):
        """The projection of ``row`` (decoded from the snapshot on first use)."""
        doc = self.delta_docs.get(row) or self._cache.get(row)
        if doc is None:
            raw = self.blob.bytes(self.offsets[row], self.offsets[row + 1])
            try:
                doc = shared(orjson.loads(raw))
            except orjson.JSONDecodeError as exc:
                raise IndexDamaged(f"{self.blob.path}: row {row} unreadable ({exc})") from None
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
            self._delta = (Postings(text, F.bm25(text, doclen, avgdl)),
                           Postings(sp.vstack(self.delta_s)))
            self._delta_key = self.rev
        return self._delta

    def parts(self):
        """(row offset, text postings, skill postings) of the snapshot and of the delta."""
        out = [(0, self.main_x, self.main_s)] if self.n_main else []
        delta = self._delta_parts()
        if delta:
            out.append((self.n_main, *delta))
        return out

    def stored(self):
        """The snapshot files this segment reads on demand."""
        if not self.n_main:
            return []
        return self.main_x.stored() + self.main_s.stored() + [self.blob]

    def check(self):
        """Raise IndexDamaged when a file read per query changed size since it was opened."""
        for f in self.stored():
            f.check()

    def check_files(self):
        """Raise IndexDamaged unless every file of the snapshot is still there, whole."""
        if self.directory is not None:
            read_manifest(self.directory)

    # -- snapshots --------------------------------------------------------------------

    def write(self, directory):
        """Write the live rows, compacted, and the tombstones as a snapshot into ``directory``."""
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
        empty = sp.csr_matrix((0, F.N_FEATURES), dtype=np.float32)
        text = sp.vstack(blocks_x or [empty]).tocsc()
        skills = sp.vstack(blocks_s or [empty]).tocsc()
        del blocks_x, blocks_s
        rows = {name: arr[keep] for name, arr in self.a.items()}
        avgdl = float(rows["doclen"].mean()) if len(keep) else 1.0
        directory.mkdir(parents=True)
        xt, st = F.index_dtype(text.nnz), F.index_dtype(skills.nnz)
        tomb = sorted(self.tomb.items())
        arrays = {**rows, "x_indptr": text.indptr.astype(xt), "x_indices": text.indices.astype(xt),
                  "x_data": text.data.astype(np.float32),
                  "x_weights": F.bm25(text, rows["doclen"], avgdl),
                  "s_indptr": skills.indptr.astype(st), "s_indices": skills.indices.astype(st),
                  "s_data": skills.data.astype(np.float32),
                  "tomb_ids": np.array([t[0] for t in tomb], np.int64),
                  "tomb_versions": np.array([t[1] for t in tomb], np.int64)}
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
        finish_snapshot(directory, {"rows": int(len(keep)), "avgdl": avgdl, "codes": self.codes})

    @classmethod
    def read(cls, directory):
        """Open the snapshot in ``directory``: manifest and per-row arrays verified, the
        posting lists and projections read on demand."""
        seg = cls()
        seg.directory = directory
        manifest = read_manifest(directory)
        seg.a = {name: load_array(directory, manifest, name) for name in ARRAYS}
        seg.xyz = F.unit(seg.a["lat"], seg.a["lon"])
        seg.n_main = n = manifest["rows"]
        if any(len(arr) != n for arr in seg.a.values()):
            raise IndexDamaged(f"{directory}: per-row arrays disagree with the manifest")
        seg.avgdl, seg.codes = manifest["avgdl"], manifest["codes"]
        seg.main_x = StoredPostings(directory, manifest, "x", n, weighted=True)
        seg.main_s = StoredPostings(directory, manifest, "s", n, weighted=False)
        seg.offsets = load_array(directory, manifest, "offsets")
        seg.blob = StoredArray(directory, manifest, "sources.bin", raw=True)
        if len(seg.offsets) != n + 1 or seg.offsets[-1] != seg.blob.size:
            raise IndexDamaged(f"{directory}: projections disagree with the manifest")
        seg.row_of = dict(zip(seg.a["ids"].tolist(), range(n)))
        seg.tomb = dict(zip(load_array(directory, manifest, "tomb_ids").tolist(),
                            load_array(directory, manifest, "tomb_versions").tolist()))
        if len(seg.row_of) != n:
            raise IndexDamaged(f"{directory}: a document has more than one row")
        return seg

    def verify(self):
        """Read every snapshot file whole and check its CRC-32."""
        for f in self.stored():
            f.verify()

    # -- searching --------------------------------------------------------------------

    def scores(self, text_cols, skill_cols):
        """BM25 over ``text_cols`` plus weighted skill matches, for every row (float32).

        Document frequencies count every live row, so scores do not depend on the
        filters. The text and the skill scores are each summed column after column in
        float32 (postings.accumulate), then added: the sums scipy's ``A @ idf`` gives.
        A row scores more than 0 exactly when one of the columns holds it.
        """
        n_live = self.mask("n_live", lambda: max(int(self.a["live"].sum()), 1))
        out = None
        for cols, which, weight in ((text_cols, 1, 1.0), (skill_cols, 2, F.SKILL_WEIGHT)):
            if len(cols) == 0:
                continue
            spans = [(part[0], part[which].spans(cols, weighted=which == 1))
                     for part in self.parts()]
            df = self._df(cols, which, spans, n_live)
            idf = (weight * np.log1p((n_live - df + 0.5) / (df + 0.5))).astype(np.float32)
            acc = np.zeros(len(self), np.float32)
            for off, part_spans in spans:
                n = (self.n_main if off == 0 and self.n_main else len(self) - off)
                accumulate(part_spans, idf, acc[off:off + n])
            out = acc if out is None else np.add(out, acc, out=out)
        return np.zeros(len(self), np.float32) if out is None else out

    def _df(self, cols, which, spans, n_live):
        """Document frequencies of ``cols`` over the live rows (the posting lengths when
        every row lives; else counted once per column and state of the rows)."""
        if n_live == len(self):
            return sum(np.array([len(i) for i, _ in part_spans], np.int64)
                       for _, part_spans in spans)
        cache = self.mask(("df", which), dict)
        live, out = self.a["live"], np.zeros(len(cols), np.int64)
        for j, c in enumerate(np.asarray(cols).tolist()):
            hit = cache.get(c)
            if hit is None:
                hit = cache[c] = sum(int(np.count_nonzero(live[i + off]))
                                     for off, part_spans in spans for i in [part_spans[j][0]])
            out[j] = hit
        return out

    def mask(self, name, compute):
        """A filter mask over all rows, cached until the rows change."""
        hit = self._masks.get(name)
        if hit is None or hit[0] != self.rev:
            if len(self._masks) > 64:
                self._masks.clear()
            hit = self._masks[name] = (self.rev, compute())
        return hit[1]

    def current(self, today):
        """A mask over all rows: live, open and valid on ``today``."""
        a, day = self.a, (today - F.DAY0).days
        return self.mask(("current", day), lambda: a["live"] & a["open"]
                         & (a["vfrom"] <= day) & (a["vthrough"] >= day))

    def eligible(self, query):
        """A mask over all rows: current and passing the hard filters of ``query``."""
        mask = self.current(query.today).copy()
        for passing in self.filters(query).values():
            mask &= passing
        return mask

    def filters(self, query):
        """{reason: mask of the rows passing that eligibility filter} for the active
        reasons of ``query`` (indexer.backends.base.REASONS)."""
        a, out = self.a, {}
        for reason in query.active_reasons():
            if reason == "area":
                passing = np.ones(len(self), bool)
                if query.province_code:
                    passing &= a["prov"] == (self.codes.get(query.province_code) or -1)
                if query.ward_code:
                    passing &= a["ward"] == (self.codes.get(query.ward_code) or -1)
            elif reason == "offence":
                bits = sum(F.offence_bit(c) for c in query.excluded_offences())
                passing = self.mask(("offence", bits), lambda: (a["offences"] & bits) == 0)
            elif reason == "licence":
                lacking = ~F.licence_bits(query.licences)
                passing = self.mask(("licence", lacking), lambda: (a["licences"] & lacking) == 0)
            elif reason == "education":
                rank = education_rank(query.education)
                passing = self.mask(("education", rank), lambda: a["edu"] <= rank)
            elif reason == "fair_chance":
                wanted = [self.codes[PARTNER + p] for p in query.partner_ids or ()
                          if PARTNER + p in self.codes]
                passing = np.isin(a["partner"], np.array(wanted, np.int32))
            else:
                passing = self._near(query)
            out[reason] = passing
        return out

    def _near(self, query):
        a = self.a
        home = (self.codes.get(query.home_province_code) if query.home_province_code else None)
        near = (a["prov"] == home) & np.isnan(a["lat"]) if home else np.zeros(len(self), bool)
        # The great-circle distance is at most the radius exactly when the angle
        # between the unit vectors is: a dot product instead of trigonometry per row.
        centre = F.unit(np.array([query.lat]), np.array([query.lon]))[:, 0]
        angle = min(query.radius_km / F.EARTH_RADIUS_KM, np.pi)
        near |= centre @ self.xyz >= np.cos(angle)
        return near

def number_codes(table, values):
    """Replace the raw values of the ``CODED`` columns by their codes in ``table`` (0 for
    none), numbering new ones on, column by column."""
    for name in CODED:
        raw = values[name]
        if name == "partner":
            raw = [PARTNER + v if v else None for v in raw]
        values[name] = [table.setdefault(v, len(table) + 1) if v else 0 for v in raw]


def features_of(docs):
    """What the index keeps of ``docs``: (hashed text term counts, weighted skill
    features, both CSR, {array name: per-row values}); the ``CODED`` columns hold the
    raw place codes and partner IDs, which the caller numbers in its code table."""
    text = F.hashed([F.doc_terms(d) for d in docs])
    req, pref = zip(*(F.skill_features(d) for d in docs))
    skills = F.hashed(req) + F.PREFERRED_WEIGHT * F.hashed(pref)
    skills.data = np.minimum(skills.data, 1.0)
    values = {
        "ids": [d["id"] for d in docs],
        "versions": [d["version"] for d in docs],
        "live": np.ones(len(docs), bool),
        "open": [d.get("status") == "open" for d in docs],
        "vfrom": [F.days(d.get("valid_from")) or F.NO_START for d in docs],
        "vthrough": [F.days(d.get("valid_through")) or F.NO_END for d in docs],
        "prov": [d.get("province_code") for d in docs],
        "ward": [d.get("ward_code") for d in docs],
        "lat": [np.nan if d.get("lat") is None else d["lat"] for d in docs],
        "lon": [np.nan if d.get("lon") is None else d["lon"] for d in docs],
        "offences": [sum(F.offence_bit(c) for c in set(d.get("excluded_offences", [])))
                     for d in docs],
        "licences": [F.licence_bits(d.get("licences_required")) for d in docs],
        "edu": [education_rank(d.get("min_education")) for d in docs],
        "partner": [d.get("partner_id") for d in docs],
        "doclen": np.asarray(text.sum(axis=1)).ravel(),
    }
    return text, skills.tocsr(), values


def shared(doc):
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
