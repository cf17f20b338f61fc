"""Corpus statistics for re-ranking, fitted on the store's documents of one kind.

A ``CorpusModel`` holds what stage 2 of matching needs to know about the whole corpus
rather than the ~200 candidates in front of it: the document frequency of every term
(``indexer.text.terms``: folded and exact unigrams and bigrams) for BM25 weights, and
a latent semantic space (scikit-learn's TruncatedSVD over TF-IDF of the folded words)
in which a profile and a posting that share no word can still be close, and a centroid
per occupation (``occupation_code``, and per 3-digit group of codes) of the postings'
character n-gram TF-IDF vectors (``char_grams``), against which a profile's skills tell
which trades they belong to even when no posting uses their words (welding, welder).
When fewer than CODED_SHARE of the postings carry a code (partners may leave the
optional field out), the trades are found instead: the postings' n-gram vectors are
clustered (k-means, about √n clusters, the clusters' centroids clustered again into
groups) and each cluster stands for an occupation, with a pseudo-code (``cluster_code``)
whose first GROUP_DIGITS characters name its group.

It is fitted from the store, never from a backend, so that the embedded and the
Elasticsearch backends re-rank with the same numbers; on a large corpus from an
evenly spread, deterministic sample. ``CorpusModels`` keeps one per kind in the data
directory and refits it when the corpus has changed by more than a tenth. Fitting
imports scikit-learn; using a fitted model needs only numpy.
"""
import fcntl
import json
import logging
import os
import threading
import time
from pathlib import Path

from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from .documents import texts
from .termhash import HASH, hashes, pack, unpack
from .text import EXACT, keywords, terms

log = logging.getLogger(__name__)

FORMAT = 6
DIMENSIONS = 64
# Character n-grams of the occupation centroids: 3 to 5 characters within a word.
GRAM_SIZES = (3, 4, 5)
# Digits of an occupation code that make its group (ISCO: the 3-digit minor group).
GROUP_DIGITS = 3
# Postings per occupation code its centroid is fitted on at most (evenly spread): a
# centroid of 60 postings is as good as of 600, and the n-grams cost time to count.
OCCUPATION_DOCS = 60
MAX_FIT_DOCS = 20_000
# Below this share of coded postings the occupations are clusters of the postings.
CODED_SHARE = 0.5
# Postings the clusters are fitted on at most (evenly spread).
CLUSTER_DOCS = 5_000
# Postings the k-means++ seeds are drawn from at most (evenly spread).
SEED_DOCS = 1_000
# Clusterings (k-means from different seeds) whose features are averaged.
CLUSTER_RUNS = 5
# Refit when the number of documents differs by more than this share from the fit.
REFIT_CHANGE = 0.10
# Seconds between two looks at the store's counts (per process and kind).
CHECK_EVERY = 60.0


def field_hashes(doc, field):
    """(all term hashes, word hashes) of a projection's packed ``field`` (indexer.termhash)."""
    everything, n_words, _ = unpack(doc.get(field))
    return everything, everything[:n_words]


def _count(arrays):
    """(sorted unique values, in how many of ``arrays`` each occurs)."""
    if not arrays:
        return np.zeros(0, HASH), np.zeros(0, np.int64)
    return np.unique(np.concatenate([np.unique(a) for a in arrays]), return_counts=True)


@lru_cache(maxsize=200_000)
def _word_grams(word, exact):
    """Hashes of the character n-grams of one keyword, padded with spaces (as
    scikit-learn's char_wb analyzer); an exact form's n-grams are told apart by EXACT."""
    padded = f" {word} "
    grams = [padded[i:i + n] for n in GRAM_SIZES for i in range(max(1, len(padded) - n + 1))]
    return hashes([EXACT + g for g in grams] if exact else grams)


def char_grams(phrases):
    """Character n-gram hashes (duplicates kept) of the keywords of ``phrases``.

    Tone-aware like the terms: every keyword gives the n-grams of its folded form, and
    a keyword written with marks also those of its exact form, so that "thợ máy" is
    closer to "máy" (machine) than to "may" (sew) and "tho may" still finds both.
    """
    grams, counts = gram_counts(phrases)
    return np.repeat(grams, counts)


def gram_counts(phrases):
    """(unique character n-gram hashes, how often each occurs) of ``phrases``: see
    ``char_grams``. Each distinct keyword's n-grams are looked up once."""
    words = {}
    for phrase in phrases:
        for folded, exact in keywords(phrase):
            words[(folded, False)] = words.get((folded, False), 0) + 1
            if exact != folded:
                words[(exact, True)] = words.get((exact, True), 0) + 1
    if not words:
        return np.zeros(0, HASH), np.zeros(0, np.int64)
    parts = [_word_grams(w, e) for w, e in words]
    flat = np.concatenate(parts)
    weights = np.repeat(np.fromiter(words.values(), np.int64, len(words)),
                        [len(p) for p in parts])
    grams, inverse = np.unique(flat, return_inverse=True)
    return grams, np.bincount(inverse, weights=weights).astype(np.int64)


def cluster_code(run, group, cluster):
    """The pseudo-code of a cluster: its clustering (run), its group, "~", the cluster,
    as characters, so that two codes share their first GROUP_DIGITS characters (and 2)
    only in one group of one clustering."""
    return f"{chr(0x4E00 + run)}{chr(0x4E00 + group)}~{chr(0x4E00 + cluster)}"


def _clusters(vectors, runs=CLUSTER_RUNS):
    """[pseudo-code per row] for each of ``runs`` clusterings of the unit rows
    ``vectors``: k-means (seeded by the run) into about √n clusters, whose centroids
    are clustered again into about √k groups. One k-means partition of text is one of
    many about as good; the features average over the clusterings (an ensemble)."""
    from sklearn.cluster import KMeans, kmeans_plusplus
    from sklearn.preprocessing import normalize
    n = vectors.shape[0]
    k = max(1, min(n, round(np.sqrt(n))))
    if k < 2:
        return [[cluster_code(0, 0, 0)] * n]
    # k-means++ seeds from at most SEED_DOCS rows: seeding costs n·k distances per seed
    seeding = vectors[::max(1, -(-n // SEED_DOCS))]
    out = []
    for run in range(runs):
        seeds, _ = kmeans_plusplus(seeding, k, random_state=run)
        fine = KMeans(k, init=seeds, n_init=1, random_state=run).fit(vectors)
        kg = max(1, round(np.sqrt(k)))
        groups = (KMeans(kg, n_init=1, random_state=run).fit(
            normalize(fine.cluster_centers_)).labels_ if kg > 1 else np.zeros(k, int))
        out.append([cluster_code(run, int(groups[c]), int(c)) for c in fine.labels_])
    return out


class CorpusModel:
    """Document frequencies and a latent space fitted on a corpus of projections."""

    def __init__(self, dimensions=DIMENSIONS):
        self.dimensions = dimensions

    def fit(self, docs, n_docs=None):
        """Fit on ``docs`` (projections); ``n_docs`` is the corpus size they stand for."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfTransformer
        titles = [field_hashes(d, "title_hashes") for d in docs]
        bodies = [field_hashes(d, "body_hashes") for d in docs]
        terms, df = _count([np.concatenate([t[0], b[0]]) for t, b in zip(titles, bodies)])
        keep = df >= 2
        self.n_fit_ = len(docs)
        self.n_docs_ = int(n_docs or len(docs))
        self.df_hash_, self.df_ = terms[keep], df[keep].astype(np.float32)
        self.avgdl_title_ = float(np.mean([len(t[0]) for t in titles] or [1])) or 1.0
        self.avgdl_body_ = float(np.mean([len(b[0]) for b in bodies] or [1])) or 1.0
        word_lists = [np.concatenate([t[1], b[1]]) for t, b in zip(titles, bodies)]
        words, wdf = _count(word_lists)
        self.word_hash_ = words[wdf >= 2]
        matrix = self._word_matrix(word_lists)
        dims = max(1, min(self.dimensions, min(matrix.shape) - 1))
        self.word_idf_ = np.zeros(len(self.word_hash_), np.float32)
        self.components_ = np.zeros((len(self.word_hash_), dims), np.float32)
        if matrix.nnz and min(matrix.shape) > 1:
            tfidf = TfidfTransformer(sublinear_tf=True).fit(matrix)
            svd = TruncatedSVD(dims, algorithm="randomized", n_iter=7, random_state=0)
            with np.errstate(divide="ignore", invalid="ignore"):  # explained variance of a
                svd.fit(tfidf.transform(matrix))                # tiny corpus, unused
            self.word_idf_ = tfidf.idf_.astype(np.float32)
            self.components_ = svd.components_.T.astype(np.float32)
        self._fit_occupations(docs)
        return self

    def _fit_occupations(self, docs):
        """Centroids of the docs' character n-gram TF-IDF vectors (sublinear tf, unit
        rows) per occupation code and per group of codes (its first GROUP_DIGITS), kept
        as a gram-by-occupation sparse matrix (CSR arrays) over grams in two docs or more;
        at most OCCUPATION_DOCS docs of a code, evenly spread over its docs. With fewer
        than CODED_SHARE of the docs coded, the codes are those of clusters (``_clusters``)
        of at most CLUSTER_DOCS docs, evenly spread."""
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.preprocessing import normalize
        by_code = {}
        for d in docs:
            if d.get("occupation_code"):
                by_code.setdefault(str(d["occupation_code"]), []).append(d)
        n_coded = sum(len(group) for group in by_code.values())
        self.occupation_clusters_ = bool(docs) and n_coded < CODED_SHARE * len(docs)
        if self.occupation_clusters_:
            coded = docs[::max(1, -(-len(docs) // CLUSTER_DOCS))]
        else:
            coded = [d for group in by_code.values()
                     for d in group[::max(1, -(-len(group) // OCCUPATION_DOCS))]]
        grams = [gram_counts([d.get("search_text") or d.get("title") or ""]) for d in coded]
        flat = np.concatenate([g for g, _ in grams]) if grams else np.zeros(0, HASH)
        vocab, df = np.unique(flat, return_counts=True)  # each doc's grams are unique
        self.gram_hash_ = vocab[df >= 2]
        self.gram_idf_ = np.zeros(len(self.gram_hash_), np.float32)
        self.occupations_ = np.zeros(0, "<U16")
        self.occ_indptr_ = np.zeros(len(self.gram_hash_) + 1, np.int64)
        self.occ_indices_, self.occ_data_ = np.zeros(0, np.int32), np.zeros(0, np.float32)
        if not len(self.gram_hash_):
            self._index_occupations()
            return
        rows = np.repeat(np.arange(len(grams)), [len(g) for g, _ in grams])
        cols, known = _lookup(self.gram_hash_, flat)
        tf = np.concatenate([c for _, c in grams]).astype(np.float32)
        counts = sp.csr_matrix((tf[known], (rows[known], cols[known])),
                               shape=(len(grams), len(self.gram_hash_)))
        tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
        vectors = tfidf.transform(counts)
        if self.occupation_clusters_:
            runs = _clusters(vectors)
        else:
            runs = [[str(d["occupation_code"]) for d in coded]]
        groups = sorted({c for codes in runs for c in codes}
                        | {c[:GROUP_DIGITS] for codes in runs for c in codes})
        index = {g: i for i, g in enumerate(groups)}
        member = []
        for codes in runs:
            member += [(index[c], i) for i, c in enumerate(codes)]
            member += [(index[c[:GROUP_DIGITS]], i) for i, c in enumerate(codes)
                       if c[:GROUP_DIGITS] != c]
        gi, di = zip(*member)
        belongs = sp.csr_matrix((np.ones(len(member), np.float32), (gi, di)),
                                shape=(len(groups), len(coded)))
        centroids = normalize(belongs @ vectors).T.tocsr()
        self.gram_idf_ = tfidf.idf_.astype(np.float32)
        self.occupations_ = np.array(groups, "<U16")
        self.occ_indptr_ = centroids.indptr.astype(np.int64)
        self.occ_indices_ = centroids.indices.astype(np.int32)
        self.occ_data_ = centroids.data.astype(np.float32)
        self._index_occupations()

    def _index_occupations(self):
        self.occupation_index_ = {str(g): i for i, g in enumerate(self.occupations_)}
        # of a clustered model: the clusters (positions in occupations_), and of each its
        # group's position and its clustering
        names = [str(g) for g in self.occupations_]
        digits = max((len(g) for g in names), default=0)
        self.cluster_pos_ = np.array([i for i, g in enumerate(names) if len(g) == digits],
                                     np.int64)
        self.cluster_group_ = np.array([self.occupation_index_.get(names[i][:GROUP_DIGITS], i)
                                        for i in self.cluster_pos_], np.int64)
        self.cluster_run_ = np.array([ord(names[i][0]) for i in self.cluster_pos_], np.int64)

    def occupation_similarity(self, phrases):
        """Cosine of ``phrases``' character n-gram TF-IDF vector with every occupation's
        and group's centroid, as an array aligned with ``occupations_`` (zeros if no
        n-gram is known). Only numpy: the centroids' rows of the query's n-grams."""
        sims = np.zeros(len(self.occupations_))
        grams, tf = gram_counts(phrases)
        pos, known = _lookup(self.gram_hash_, grams)
        pos, tf = pos[known], tf[known]
        weight = (1.0 + np.log(tf)) * self.gram_idf_[pos]
        norm = float(np.linalg.norm(weight))
        if not norm:
            return sims
        starts, ends = self.occ_indptr_[pos], self.occ_indptr_[pos + 1]
        lengths = ends - starts
        if not lengths.sum():
            return sims
        cells = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        contrib = self.occ_data_[cells] * np.repeat(weight / norm, lengths)
        return np.bincount(self.occ_indices_[cells], weights=contrib,
                           minlength=len(self.occupations_))

    def _word_matrix(self, word_lists):
        """Rows of binary word counts over the latent vocabulary (unknown words dropped);
        ``word_lists`` are arrays of word hashes."""
        lengths = [len(w) for w in word_lists]
        flat = np.concatenate(word_lists) if word_lists else np.zeros(0, HASH)
        rows = np.repeat(np.arange(len(word_lists)), np.array(lengths, np.int64))
        cols, known = _lookup(self.word_hash_, flat)
        matrix = sp.csr_matrix((np.ones(int(known.sum()), np.float32),
                                (rows[known], cols[known])),
                               shape=(len(word_lists), len(self.word_hash_)))
        matrix.sum_duplicates()
        matrix.data[:] = 1.0
        return matrix

    def idf(self, hashed):
        """BM25 inverse document frequency of each term hash (unseen: as if in one doc)."""
        hashed = np.asarray(hashed, HASH)
        pos, found = _lookup(self.df_hash_, hashed)
        df = np.where(found, self.df_[pos] if len(self.df_) else 1.0, 1.0)
        df = df * (self.n_docs_ / max(self.n_fit_, 1))
        return np.log1p((self.n_docs_ - df + 0.5) / (df + 0.5)).astype(np.float32)

    def vector(self, words):
        """The unit vector of one array of word hashes (None if no word is known)."""
        pos, known = _lookup(self.word_hash_, np.unique(words))
        if not known.any():
            return None
        pos = pos[known]
        weight = (np.log1p(1.0) + 1.0) * self.word_idf_[pos]
        vec = weight @ self.components_[pos]
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm > 0 else None

    def vectors(self, word_lists):
        """Unit vectors in the latent space for arrays of word hashes (zeros if none known)."""
        matrix = self._word_matrix(word_lists)
        matrix.data = np.log1p(matrix.data) + 1.0  # sublinear tf, as fitted
        matrix = matrix.multiply(self.word_idf_).tocsr()
        vecs = np.asarray(matrix @ self.components_)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return np.divide(vecs, norms, out=np.zeros_like(vecs), where=norms > 0)

    # -- files ------------------------------------------------------------------------

    _ARRAYS = ("df_hash_", "df_", "word_hash_", "word_idf_", "components_", "gram_hash_",
               "gram_idf_", "occupations_", "occ_indptr_", "occ_indices_", "occ_data_")

    def save(self, path):
        """Write the model to ``path`` (.npz), atomically."""
        path = Path(path)
        tmp = path.with_suffix(".tmp.npz")
        meta = {"format": FORMAT, "n_docs": self.n_docs_, "n_fit": self.n_fit_,
                "avgdl_title": self.avgdl_title_, "avgdl_body": self.avgdl_body_,
                "dimensions": self.dimensions,
                "occupation_clusters": bool(self.occupation_clusters_)}
        np.savez(tmp, meta=np.array(json.dumps(meta)),
                 **{name: getattr(self, name) for name in self._ARRAYS})
        os.replace(tmp, path)

    @classmethod
    def load(cls, path):
        """A model written by ``save``; ValueError if its format is not this one."""
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != FORMAT:
                raise ValueError(f"corpus model format {meta.get('format')}, expected {FORMAT}")
            model = cls(meta["dimensions"])
            for name in cls._ARRAYS:
                setattr(model, name, data[name])
        model.n_docs_, model.n_fit_ = meta["n_docs"], meta["n_fit"]
        model.avgdl_title_, model.avgdl_body_ = meta["avgdl_title"], meta["avgdl_body"]
        model.occupation_clusters_ = meta["occupation_clusters"]
        model._index_occupations()
        return model


def _lookup(sorted_values, values):
    """(positions in ``sorted_values``, whether found) of each of ``values``."""
    if not len(sorted_values):
        return np.zeros(len(values), np.int64), np.zeros(len(values), bool)
    pos = np.minimum(np.searchsorted(sorted_values, values), len(sorted_values) - 1)
    return pos, sorted_values[pos] == values


# The packed term fields of the documents this process projected lately, by kind and
# content hash (the store's ``content_hash`` of the data), while ``collecting``: a load
# refits the statistics right after its sync has projected the documents, and the fit
# reads their fields from here instead of tokenising every row again (same data, same
# fields). At most SEEN_DOCS entries; emptied when the collecting ends.
SEEN_DOCS = MAX_FIT_DOCS
_seen = {}
_collecting = [0]


class collecting:
    """Context: remember the projections made meanwhile (``remember``) for a refit."""

    def __enter__(self):
        _collecting[0] += 1
        return self

    def __exit__(self, *exc):
        _collecting[0] -= 1
        if not _collecting[0]:
            _seen.clear()


def remember(kind, row, doc):
    """Keep the packed term fields of ``doc``, the projection of the stored ``row``."""
    if _collecting[0] and row.get("content_hash") and len(_seen) < SEEN_DOCS:
        _seen[(kind, row["content_hash"])] = (doc["title_hashes"], doc["body_hashes"])


def remembered():
    """The term fields remembered so far (to hand to another process: ``remember_fields``)."""
    return dict(_seen)


def remember_fields(fields):
    """Remember the term fields another process remembered (``remembered``), while
    collecting."""
    if _collecting[0]:
        for key, packed in fields.items():
            if len(_seen) >= SEEN_DOCS:
                break
            _seen.setdefault(key, packed)


def prepare_fit():
    """Import what fitting needs (scikit-learn, about a second) in a background thread,
    for a process that will fit soon and has a CPU to spare meanwhile; returns the
    thread. Start it only once the process has forked what it forks: a fork while
    another thread imports can leave the child's import locks held."""
    def work():
        from sklearn.decomposition import TruncatedSVD  # noqa: F401
        from sklearn.feature_extraction.text import TfidfTransformer  # noqa: F401
        from sklearn.preprocessing import normalize  # noqa: F401
    thread = threading.Thread(target=work, name="vungbuoc-prepare-fit", daemon=True)
    thread.start()
    return thread


def fit_view(kind, row):
    """The fields of the projection of ``row`` that a fit reads: the packed title and body
    terms (from ``remember`` if this process projected the same data lately), the
    occupation code and the search text."""
    data = row["data"]
    body, search_text = texts(kind, data)
    packed = _seen.get((kind, row.get("content_hash")))
    if packed is None:
        packed = (pack(terms(data["title"])), pack(terms(body)))
    return {"title_hashes": packed[0], "body_hashes": packed[1],
            "occupation_code": data.get("occupation_code"), "search_text": search_text}


def fit_from_store(store, kind, max_docs=MAX_FIT_DOCS):
    """A CorpusModel fitted on the open documents of ``kind`` (every n-th beyond ``max_docs``)."""
    counts = store.counts().get(kind, {})
    total = sum(counts.values())
    step = max(1, -(-total // max_docs))
    docs = [fit_view(kind, row)
            for i, row in enumerate(store.iter_documents(kind)) if i % step == 0]
    return CorpusModel().fit(docs, n_docs=total)


class CorpusModels:
    """One CorpusModel per kind, kept under ``directory`` and refitted as the store changes."""

    def __init__(self, store, directory):
        self.store, self.directory = store, Path(directory)
        self._models, self._checked = {}, {}
        self._mutex = threading.Lock()

    def _path(self, kind):
        return self.directory / f"{kind}.npz"

    def get(self, kind):
        """The model of ``kind`` for the store as it is now (None when the store has none)."""
        with self._mutex:
            model = self._models.get(kind)
            now = time.monotonic()
            if model is not None and now - self._checked.get(kind, 0) < CHECK_EVERY:
                return model
            self._checked[kind] = now
            total = sum(self.store.counts().get(kind, {}).values())
            if model is not None and not self._stale(model, total):
                return model
            model = self._load_or_fit(kind, total)
            self._models[kind] = model
            return model

    def would_fit(self, kind):
        """Whether ``get(kind)`` would fit a model if asked now: the store has documents
        of ``kind`` and no model, or one fitted when it had a tenth more or fewer."""
        total = sum(self.store.counts().get(kind, {}).values())
        if total == 0:
            return False
        try:
            with np.load(self._path(kind)) as data:
                meta = json.loads(str(data["meta"]))
        except (OSError, ValueError, KeyError):
            return True
        return meta.get("format") != FORMAT or \
            abs(total - meta["n_docs"]) > REFIT_CHANGE * max(meta["n_docs"], 1)

    @staticmethod
    def _stale(model, total):
        return abs(total - model.n_docs_) > REFIT_CHANGE * max(model.n_docs_, 1)

    def _load_or_fit(self, kind, total):
        if total == 0:
            return None
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / f"{kind}.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one process fits; the others read its file
            path = self._path(kind)
            try:
                model = CorpusModel.load(path)
                if not self._stale(model, total):
                    return model
            except (OSError, ValueError, KeyError):
                pass
            started = time.perf_counter()
            model = fit_from_store(self.store, kind)
            model.save(path)
            log.info("corpus model of %s fitted on %d of %d documents in %.1f s", kind,
                     model.n_fit_, total, time.perf_counter() - started)
            return model

    def refresh(self, kind=None):
        """Forget the cached models (of ``kind``), so that the next ``get`` looks again."""
        with self._mutex:
            for k in ([kind] if kind else list(self._models)):
                self._models.pop(k, None)
                self._checked.pop(k, None)
