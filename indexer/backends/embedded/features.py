"""What the embedded index computes from a projection: hashed terms, BM25 weights, filters.

Terms are hashed into ``N_FEATURES`` columns the way scikit-learn's ``HashingVectorizer``
does it (tested to agree), without importing scikit-learn (seconds at every start).
"""
import datetime as dt
import itertools

import mmh3
import numpy as np
import scipy.sparse as sp

from ...memo import Memo
from ...text import TermParts, terms
from ..base import EARTH_RADIUS_KM  # noqa: F401  (used by the radius filter)
from ...vocab import codes

N_FEATURES = 2 ** 20
SKILL_WEIGHT = 2.0
PREFERRED_WEIGHT = 0.5
K1, B = 1.2, 0.75
DAY0 = dt.date(1970, 1, 1)
NO_START, NO_END = np.iinfo(np.int32).min, np.iinfo(np.int32).max


def _column(feature):
    """The column of a feature: its signed 32-bit MurmurHash3 (seed 0), absolute, modulo
    ``N_FEATURES``."""
    return abs(mmh3.hash(feature, 0)) % N_FEATURES


column = Memo(_column, 1_000_000).__getitem__  # _column, memoised


def columns(features):
    """The distinct columns of a query's features."""
    return np.unique(np.fromiter(map(column, features), np.int64))


def hashed(rows):
    """A CSR matrix counting each row's features (lists of strings) in their columns."""
    lengths = [len(r) for r in rows]
    indptr = np.zeros(len(rows) + 1, np.int64)
    np.cumsum(lengths, out=indptr[1:])
    indices = np.fromiter(map(column, itertools.chain.from_iterable(rows)), np.int32,
                          count=int(indptr[-1]))
    matrix = sp.csr_matrix((np.ones(len(indices), np.float32), indices, indptr),
                           shape=(len(rows), N_FEATURES))
    matrix.sum_duplicates()
    return matrix


def bm25(tf, doclen, avgdl):
    """BM25 term weights of the term-frequency matrix ``tf`` (CSC) for these lengths."""
    tf = tf.tocsc()
    return bm25_weights(tf.data, bm25_norms(doclen, avgdl)[tf.indices])


def bm25_norms(doclen, avgdl):
    """The per-row length normalisation of BM25 (float32)."""
    return (K1 * (1 - B + B * doclen / avgdl)).astype(np.float32)


def bm25_weights(tf, norms):
    """BM25 weights of term frequencies ``tf`` in rows whose norms are ``norms``."""
    data = tf.astype(np.float32)
    return data * np.float32(K1 + 1) / (data + norms)


def days(iso):
    """Days since 1970-01-01 of an ISO date, or None."""
    return (dt.date.fromisoformat(iso) - DAY0).days if iso else None


def offence_bit(code):
    """The bit of an offence category in the per-row exclusion mask (0 when unknown)."""
    codes_ = codes("offence_categories")
    return 1 << codes_.index(code) if code in codes_ else 0


def licence_bit(code):
    """The bit of a licence in the per-row mask of required licences (0 when unknown)."""
    codes_ = codes("licences")
    return 1 << codes_.index(code) if code in codes_ else 0


def licence_bits(codes_):
    """The mask of several licences."""
    return sum(licence_bit(c) for c in set(codes_ or ()))


def doc_terms(doc):
    """The indexed text terms of a projection: of its title and of its search text (from
    the tokens the projection made, when it carries them: indexer.documents.Projection)."""
    if getattr(doc, "parts", None) is not None:
        return doc.index_terms()
    title, text = doc.get("title", ""), doc.get("search_text", "")
    head = TermParts(title)
    if text.startswith(title + " "):  # the title and the body (indexer.documents.texts)
        return head.terms() + TermParts.joined(head, TermParts(text[len(title) + 1:]))
    return head.terms() + terms(text)


def skill_features(doc):
    """(required, preferred) skill features of a projection."""
    return ([f"sk:{s}" for s in doc.get("skills", [])],
            [f"sk:{s}" for s in doc.get("preferred_skills", [])])


def unit(lat, lon):
    """Unit vectors of points on the sphere (NaN where the coordinates are)."""
    p, q = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(p) * np.cos(q), np.cos(p) * np.sin(q), np.sin(p)])


def index_dtype(nnz):
    """The index dtype scipy uses for a matrix with ``nnz`` entries (so it copies nothing)."""
    return np.int32 if nnz < np.iinfo(np.int32).max else np.int64
