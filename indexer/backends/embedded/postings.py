"""Posting lists (rows × hashed features, CSC): the delta's in memory, a snapshot's on disk."""
from collections import OrderedDict

import numpy as np
import scipy.sparse as sp
from scipy.sparse._sparsetools import csc_matvec


from .features import N_FEATURES
from .files import StoredArray, load_array


class Postings:
    """Posting lists of the delta, in memory: ``tf`` holds the term frequencies (skill
    strengths for the skill matrix) and ``weights`` the BM25 term weights (text only)."""

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

    def spans(self, cols, weighted):
        """(row indices, values) of each column of ``cols``, views into the matrix."""
        m = self.weights if weighted else self.tf
        ptr = m.indptr
        return [(m.indices[ptr[c]:ptr[c + 1]], m.data[ptr[c]:ptr[c + 1]])
                for c in np.asarray(cols).tolist()]

    def check(self):
        """Nothing on disk to check."""

    def stored(self):
        """No files."""
        return []


# Bytes of snapshot columns a process keeps once read, per posting-list file set (the
# most recently used first). Queries repeat the common syllables (làm, công, nhân), whose
# columns are the long ones: reading each again cost one pread per column and array, 40%
# of stage 1 at 10k (bench/results/profile-stage1-10k.txt). A snapshot never changes, so
# what is kept never goes stale; at most 4 sets per process (text and skills, two kinds;
# the skill columns are small). 128 MB instead of 32: the 244 bench profiles read about
# 95 MB of distinct text columns at 100k, and the match took 0.8 ms less CPU (8.6 → 7.8 and
# 9.1 → 8.4 ms p50, interleaved in one process); a 1M-posting worker stays under 2 GB.
COLUMN_CACHE_BYTES = 128 << 20


class StoredPostings:
    """Posting lists of a snapshot: the column pointers in memory, the rest read per
    query (only the query's columns), so they cost no memory in the process beyond the
    recently used columns (``COLUMN_CACHE_BYTES``)."""

    def __init__(self, directory, manifest, prefix, n_rows, weighted):
        self._cache, self._cached_bytes = OrderedDict(), 0
        self.indptr = load_array(directory, manifest, f"{prefix}_indptr")
        self.indices = StoredArray(directory, manifest, f"{prefix}_indices.npy")
        self.data = StoredArray(directory, manifest, f"{prefix}_data.npy")
        self.weights = (StoredArray(directory, manifest, f"{prefix}_weights.npy")
                        if weighted else None)
        self.shape = (n_rows, N_FEATURES)

    def stored(self):
        """The files read per query."""
        return [f for f in (self.indices, self.data, self.weights) if f is not None]

    def check(self):
        """Raise IndexDamaged when a file changed size since it was opened."""
        for f in self.stored():
            f.check()

    def matrix(self):
        """The term frequencies, read into memory and checksummed (for compaction)."""
        return sp.csc_matrix((self.data.load(), self.indices.load(), self.indptr),
                             shape=self.shape)

    def spans(self, cols, weighted):
        """(row indices, values) of each column of ``cols`` (BM25 weights or term
        frequencies), from the cache or read into it."""
        cols = np.asarray(cols).tolist()
        cache, missing = self._cache, []
        for c in cols:
            if (c, weighted) in cache:
                cache.move_to_end((c, weighted))
            else:
                missing.append(c)
        if missing:
            self._read(list(dict.fromkeys(missing)), weighted, keep=len(cols))
        return [cache[(c, weighted)] for c in cols]

    def columns(self, cols, weighted):
        """The columns ``cols`` (BM25 weights or term frequencies) as a CSC matrix."""
        got = self.spans(cols, weighted)
        indptr = np.zeros(len(got) + 1, self.indptr.dtype)
        np.cumsum([len(i) for i, _ in got], out=indptr[1:])
        if got:
            indices = np.concatenate([i for i, _ in got])
            values = np.concatenate([v for _, v in got])
        else:
            indices = np.zeros(0, self.indices.dtype)
            values = np.zeros(0, (self.weights if weighted else self.data).dtype)
        return sp.csc_matrix((values, indices, indptr), shape=(self.shape[0], len(got)))

    def _read(self, cols, weighted, keep):
        """Read ``cols`` from the files into the cache; beyond the budget the least
        recently used columns go, never the ``keep`` most recent (the query's own)."""
        starts, ends = self.indptr[cols].tolist(), self.indptr[np.add(cols, 1)].tolist()
        values = (self.weights if weighted else self.data).spans(starts, ends)
        indices = self.indices.spans(starts, ends)
        pos = 0
        for col, start, end in zip(cols, starts, ends):
            n = end - start
            entry = (indices[pos:pos + n].copy(), values[pos:pos + n].copy())
            pos += n
            self._cache[(col, weighted)] = entry
            self._cached_bytes += entry[0].nbytes + entry[1].nbytes
        while self._cached_bytes > COLUMN_CACHE_BYTES and len(self._cache) > keep:
            _, (i, v) = self._cache.popitem(last=False)
            self._cached_bytes -= i.nbytes + v.nbytes


def accumulate(spans, x, out):
    """``out += A @ x`` for the columns ``spans`` ((row indices, values) each) of A, in
    float32, column after column: for every row the same sums in the same order as
    scipy's ``A @ x`` (csc_matvec, which this calls per column), so without copying the
    columns into one matrix first."""
    n = len(out)
    for (indices, values), weight in zip(spans, x.tolist()):
        if len(indices):
            csc_matvec(n, 1, np.array([0, len(indices)], indices.dtype), indices, values,
                       np.array([weight], values.dtype), out)
