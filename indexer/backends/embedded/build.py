"""A rebuild's snapshot, written in one streaming pass, in parallel over chunks.

``EmbeddedBackend.rebuild`` writes the same files as compacting a ``Segment`` that
holds the same rows (tested byte for byte), without holding the rows in memory:

1. Worker processes turn chunks of projections into what the index keeps of them
   (``segment.features_of``: hashed term counts, skill features, per-row values) and
   write each chunk's posting lists, column by column, as a *piece* beside the build.
   The parent keeps the per-row values and each ID's row, numbers the codes, and
   appends the projections to ``sources.bin`` as the chunks come back, in order.
2. The deletes (tombstones) apply, by the rule of ``Segment.net``.
3. The pieces merge into the posting files one band of columns at a time, each band in
   order of columns and, within a column, of rows, as the CSC arrays of the whole
   would be; the BM25 weights are computed band by band with the final average length.

Peak memory is a chunk per worker plus one band (bounded by ``BAND_ENTRIES``) plus
the per-row arrays and the ID → row table (about 150 bytes per row), whatever the
size of the corpus; the posting files themselves are only ever written, not held.
"""
import bisect
import collections
import itertools
import logging
import multiprocessing
import os
import shutil
import time
from pathlib import Path

import numpy as np
import orjson

from ..base import ChunkedDocs
from . import features as F
from .files import ChecksummedFile, finish_snapshot
from .segment import _DTYPES, ARRAYS, CODED, features_of, number_codes, wins

log = logging.getLogger(__name__)

# Documents per worker task; a multiple of ``BATCH`` (see ``_number_codes``).
CHUNK = 5000
# The rebuild of a Segment numbers codes per batch of this many documents.
BATCH = 5000
# Entries of the posting lists merged at once (about 24 bytes each while merging).
BAND_ENTRIES = 8 << 20
# Posting sets: (prefix, weighted).
POSTINGS = (("x", True), ("s", False))


def write_snapshot(directory, docs, deleted=(), chunk=CHUNK, processes=None):
    """Write the snapshot of ``docs`` (projections, or ``ChunkedDocs``) and tombstones
    ``deleted`` ((id, version) pairs) into ``directory`` (made here); returns the number
    of rows.

    Up to one chunk of documents is indexed in this process; beyond, a pool of
    ``processes`` workers (default: the CPUs) indexes the chunks (and reads and projects
    them, for ``ChunkedDocs``).
    """
    directory = Path(directory)
    directory.mkdir(parents=True)
    pieces = directory.parent / f"{directory.name}.pieces"
    shutil.rmtree(pieces, ignore_errors=True)
    pieces.mkdir()
    try:
        build = _Build(directory, pieces)
        if isinstance(docs, ChunkedDocs):
            tasks = list(enumerate(docs.tasks(chunk)))
            parallel = len(tasks) > 1
        else:  # fork the workers while this process holds one chunk only
            chunks = _chunks(docs, chunk)
            first = next(chunks, [])
            parallel = len(first) == chunk
            tasks = enumerate(itertools.chain([first] if first else [], chunks))
            docs = None
        if parallel and processes != 1:
            results = _parallel(tasks, pieces, processes or os.cpu_count() or 1, docs)
        else:
            results = (_index_chunk((n, docs.load(t) if docs else t, str(pieces)))
                       for n, t in tasks)
        started = time.perf_counter()
        for result in results:
            build.add(result)
        indexed = time.perf_counter()
        build.delete(deleted)
        rows = build.finish()
        log.info("rebuilt %s: %d rows; indexing %.1f s, merging and writing %.1f s, "
                 "flushing %.1f s", directory, rows, indexed - started, build.merge_seconds,
                 build.flush_seconds)
        return rows
    finally:
        shutil.rmtree(pieces, ignore_errors=True)


def _chunks(docs, size):
    docs = iter(docs)
    while part := list(itertools.islice(docs, size)):
        yield part


def _parallel(tasks, pieces, processes, source=None):
    """The results of ``_index_chunk`` over ``tasks`` ((number, documents, or a task of
    ``source``)), in order, with at most two tasks per worker in flight (so the input is
    read only as fast as it is indexed)."""
    # fork, as the background drain does: spawn and forkserver would run the parent's
    # main module again in each worker. The workers only index their chunks.
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes, initializer=_use_source, initargs=(source,)) as pool:
        pending = collections.deque()
        for number, payload in tasks:
            pending.append(pool.apply_async(_load_and_index, ((number, payload, str(pieces)),)))
            del payload
            while len(pending) >= 2 * processes:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


_SOURCE = None


def _use_source(source):
    global _SOURCE
    _SOURCE = source


def _load_and_index(task):
    number, payload, pieces = task
    return _index_chunk((number, _SOURCE.load(payload) if _SOURCE else payload, pieces))


def _index_chunk(task):
    """In a worker: what the index keeps of one chunk; its posting lists go to files."""
    number, docs, pieces = task
    if not docs:
        return {"n": 0}
    text, skills, values = features_of(docs)
    stored = {}
    for (prefix, _), matrix in zip(POSTINGS, (text, skills)):
        csc = matrix.tocsc()
        base = Path(pieces) / f"{number}-{prefix}"
        csc.indptr.astype(np.int64).tofile(f"{base}.indptr")
        csc.indices.astype(np.int32).tofile(f"{base}.indices")
        csc.data.astype(np.float32).tofile(f"{base}.data")
        stored[prefix] = (str(base), int(csc.nnz))
    values = {name: v if name in CODED else np.asarray(v, _DTYPES[name])
              for name, v in values.items()}
    sources = [orjson.dumps({k: v for k, v in d.items() if k != "search_text"}) for d in docs]
    return {"n": len(docs), "values": values, "postings": stored,
            "lengths": np.fromiter(map(len, sources), np.int64, len(sources)),
            "sources": b"".join(sources)}


class _Build:
    """The parent's side: per-row arrays, IDs, codes and sources, then the merge."""

    def __init__(self, directory, pieces):
        self.directory, self.pieces = directory, pieces
        self.values = collections.defaultdict(list)
        self.lengths, self.chunks, self.starts = [], [], []
        self.row_of, self.codes, self.tomb = {}, {}, {}
        self.dropped = []  # rows superseded by a newer version of their ID, or deleted
        self.n = 0
        self.known = {}  # [size, CRC-32] of the big files, summed as they are written
        self.sources = ChecksummedFile(directory / "sources.bin", self.known)

    def add(self, result):
        n, values, start = result["n"], result["values"], self.n
        if not n:
            return
        self._number_codes(values)
        ids = values["ids"].tolist()
        fresh = dict(zip(ids, range(start, start + n)))
        if len(fresh) == n and self.row_of.keys().isdisjoint(fresh):
            self.row_of.update(fresh)
        else:
            self._adding = values["versions"].tolist()
            self._add_repeated(ids, self._adding, start)
        for name in ARRAYS:
            self.values[name].append(values[name])
        self.lengths.append(result["lengths"])
        self.chunks.append((start, n, result["postings"]))
        self.starts.append(start)
        self.sources.write(result["sources"])
        self.n += n

    def _number_codes(self, values):
        """Codes as a ``Segment`` rebuilt batch by batch numbers them."""
        coded = {name: [] for name in CODED}
        for first in range(0, len(values["ids"]), BATCH):
            batch = {name: values[name][first:first + BATCH] for name in CODED}
            number_codes(self.codes, batch)
            for name in CODED:
                coded[name] += batch[name]
        for name in CODED:
            values[name] = np.asarray(coded[name], _DTYPES[name])

    def _add_repeated(self, ids, versions, start):
        """IDs seen before (or twice in a chunk): the newest version keeps its row."""
        for row, (doc_id, version) in enumerate(zip(ids, versions), start):
            old = self.row_of.get(doc_id)
            if old is None:
                self.row_of[doc_id] = row
            elif wins(False, version, self._version(old), True):
                self.dropped.append(old)
                self.row_of[doc_id] = row
            else:
                self.dropped.append(row)

    def _version(self, row):
        """The version of the document in ``row`` (of a chunk added or being added)."""
        if row >= self.n:
            return self._adding[row - self.n]
        number = bisect.bisect_right(self.starts, row) - 1
        return int(self.values["versions"][number][row - self.starts[number]])

    def delete(self, deleted):
        """Apply the tombstones ``deleted`` as one batch of delete ops."""
        latest = {}
        for doc_id, version in deleted:
            if doc_id in latest:
                current, live = latest[doc_id], False
            elif doc_id in self.row_of:
                current, live = self._version(self.row_of[doc_id]), True
            else:
                current, live = self.tomb.get(doc_id, 0), False
            if wins(True, version, current, live):
                latest[doc_id] = version
        for doc_id, version in latest.items():
            row = self.row_of.pop(doc_id, None)
            if row is not None:
                self.dropped.append(row)
            self.tomb[doc_id] = version

    def finish(self):
        """Write the arrays and posting files, then the manifest; returns the rows."""
        started = time.perf_counter()
        self.sources.close()
        keep = np.ones(self.n, bool)
        keep[self.dropped] = False
        rows = {name: _concat(self.values.pop(name, []), _DTYPES[name])[keep] for name in ARRAYS}
        lengths = _concat(self.lengths, np.int64)
        n = int(keep.sum())
        if n < self.n:
            self._keep_sources(keep, lengths)
            lengths = lengths[keep]
        avgdl = float(rows["doclen"].mean()) if n else 1.0
        renumber = np.cumsum(keep) - 1 if n < self.n else None
        arrays = dict(rows)
        for prefix, weighted in POSTINGS:
            norms = F.bm25_norms(rows["doclen"], avgdl) if weighted else None
            arrays[f"{prefix}_indptr"] = self._merge(prefix, keep, renumber, norms)
        tomb = sorted(self.tomb.items())
        arrays["tomb_ids"] = np.array([t[0] for t in tomb], np.int64)
        arrays["tomb_versions"] = np.array([t[1] for t in tomb], np.int64)
        for name, arr in arrays.items():
            np.save(self.directory / f"{name}.npy", arr)
        offsets = np.zeros(n + 1, np.int64)
        np.cumsum(lengths, out=offsets[1:])
        np.save(self.directory / "offsets.npy", offsets)
        self.merge_seconds = time.perf_counter() - started
        started = time.perf_counter()
        finish_snapshot(self.directory, {"rows": n, "avgdl": avgdl, "codes": self.codes},
                        self.known)
        self.flush_seconds = time.perf_counter() - started
        return n

    def _keep_sources(self, keep, lengths):
        """Rewrite ``sources.bin`` without the projections of dropped rows."""
        path = self.directory / "sources.bin"
        ends = np.cumsum(lengths)
        with open(path, "rb") as src, open(path.with_suffix(".keep"), "wb") as out:
            for row in np.flatnonzero(keep).tolist():
                src.seek(ends[row] - lengths[row])
                out.write(src.read(int(lengths[row])))
        os.replace(path.with_suffix(".keep"), path)
        self.known.pop(path.name, None)

    def _merge(self, prefix, keep, renumber, norms):
        """Merge the pieces of posting set ``prefix`` into its CSC files; returns indptr.

        Rows of ``keep`` only (renumbered by ``renumber`` when rows were dropped);
        ``norms`` (per kept row) also writes the BM25 weights.
        """
        counts = np.zeros(F.N_FEATURES, np.int64)
        pieces = []
        for start, n, postings in self.chunks:
            base, _ = postings[prefix]
            if renumber is not None and not keep[start:start + n].all():
                _filter_piece(base, keep[start:start + n])
            indptr = np.fromfile(f"{base}.indptr", np.int64)
            counts += np.diff(indptr)
            first = int(renumber[start] + 1 - keep[start]) if renumber is not None else start
            pieces.append((base, first))
        indptr = np.zeros(F.N_FEATURES + 1, np.int64)
        np.cumsum(counts, out=indptr[1:])
        nnz = int(indptr[-1])
        itype = F.index_dtype(nnz)
        names = ["indices", "data"] + (["weights"] if norms is not None else [])
        outs = {name: ChecksummedFile(self.directory / f"{prefix}_{name}.npy", self.known)
                for name in names}
        try:
            for name, fh in outs.items():
                dtype = itype if name == "indices" else np.float32
                np.lib.format.write_array_header_1_0(fh, {
                    "descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
                    "fortran_order": False, "shape": (nnz,)})
            for c0, c1 in _bands(indptr):
                rows, data = _band(pieces, c0, c1, indptr)
                outs["indices"].write(rows.astype(itype))
                outs["data"].write(data)
                if norms is not None:
                    outs["weights"].write(F.bm25_weights(data, norms[rows]))
        finally:
            for fh in outs.values():
                fh.close()
        return indptr.astype(itype)


def _concat(parts, dtype):
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


def _bands(indptr):
    """Column ranges [c0, c1) of at most ``BAND_ENTRIES`` entries (or one column)."""
    c0, n_cols = 0, len(indptr) - 1
    while c0 < n_cols:
        c1 = int(np.searchsorted(indptr, indptr[c0] + BAND_ENTRIES, side="right")) - 1
        c1 = min(max(c1, c0 + 1), n_cols)
        yield c0, c1
        c0 = c1


def _band(pieces, c0, c1, indptr):
    """(rows, data) of columns [c0, c1) of the whole, from every piece, in CSC order."""
    offset = indptr[c0]
    size = int(indptr[c1] - offset)
    rows, data = np.empty(size, np.int64), np.empty(size, np.float32)
    at = indptr[c0:c1] - offset  # where each column's next entry goes
    for base, first in pieces:
        ptr = np.fromfile(f"{base}.indptr", np.int64, c1 - c0 + 1, offset=8 * c0)
        p0, p1 = int(ptr[0]), int(ptr[-1])
        if p0 == p1:
            continue
        cnt = np.diff(ptr)
        pos = np.repeat(at - (ptr[:-1] - p0), cnt) + np.arange(p1 - p0)
        rows[pos] = np.fromfile(f"{base}.indices", np.int32, p1 - p0, offset=4 * p0) + first
        data[pos] = np.fromfile(f"{base}.data", np.float32, p1 - p0, offset=4 * p0)
        at += cnt
    return rows, data


def _filter_piece(base, keep):
    """Rewrite a piece without the entries of dropped rows, its rows renumbered."""
    indptr = np.fromfile(f"{base}.indptr", np.int64)
    indices = np.fromfile(f"{base}.indices", np.int32)
    data = np.fromfile(f"{base}.data", np.float32)
    col = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    kept = keep[indices]
    counts = np.bincount(col[kept], minlength=len(indptr) - 1)
    new_ptr = np.zeros(len(indptr), np.int64)
    np.cumsum(counts, out=new_ptr[1:])
    new_ptr.tofile(f"{base}.indptr")
    (np.cumsum(keep) - 1)[indices[kept]].astype(np.int32).tofile(f"{base}.indices")
    data[kept].tofile(f"{base}.data")
