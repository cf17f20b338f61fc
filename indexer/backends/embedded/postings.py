"""Posting lists (rows × hashed features, CSC): the delta's in memory, a snapshot's on disk."""
import numpy as np
import scipy.sparse as sp

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

    def check(self):
        """Nothing on disk to check."""

    def stored(self):
        """No files."""
        return []


class StoredPostings:
    """Posting lists of a snapshot: the column pointers in memory, the rest read per
    query (only the query's columns), so they cost no memory in the process."""

    def __init__(self, directory, manifest, prefix, n_rows, weighted):
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

    def columns(self, cols, weighted):
        """The columns ``cols`` (BM25 weights or term frequencies) as a CSC matrix."""
        starts, ends = self.indptr[cols].tolist(), self.indptr[np.add(cols, 1)].tolist()
        indptr = np.zeros(len(cols) + 1, self.indptr.dtype)
        np.cumsum(np.subtract(ends, starts), out=indptr[1:])
        values = (self.weights if weighted else self.data).spans(starts, ends)
        return sp.csc_matrix((values, self.indices.spans(starts, ends), indptr),
                             shape=(self.shape[0], len(cols)))
