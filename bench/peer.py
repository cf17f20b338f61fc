"""Stage 1 side by side with a peer: bm25s over the same corpus and the same hard filters.

The peer indexes, in the embedded index's own row order, the same terms of every job
projection (``indexer.backends.embedded.features.doc_terms``) plus its required skills as
``sk:`` tokens, with bm25s (BM25 over scipy sparse matrices; its defaults k1=1.5, b=0.75,
Lucene's idf). Each query asks both for the top 200 among the rows passing the query's
hard filters: the mask comes from the embedded index's own filter code and is computed
inside the peer's timed call too (``weight_mask``), so both pay for the filters. The two
are timed interleaved, query by query, so that a load spike of this shared machine hits
both alike: the ratio of the medians is the figure to quote, not the absolute times.

What differs, and is not timed in the peer's favour: the embedded search also returns each
hit's projection (cached after the first pass) and adds weighted skill scores; bm25s
returns row numbers and scores only.
"""
import time

import numpy as np

from .stats import summary

LIMIT = 200


def _tokens(doc):
    from indexer.backends.embedded import features as F
    return F.doc_terms(doc) + F.skill_features(doc)[0]


def _query_tokens(query):
    from indexer.text import terms
    return (terms(query.text) if query.text else []) + [f"sk:{s}" for s in query.skills]


class Bm25sPeer:
    """A bm25s index of the jobs rows of an embedded backend, with its filters."""

    def __init__(self, backend, kind="jobs"):
        import bm25s
        self.backend, self.kind = backend, kind
        seg = backend._state(kind)
        start = time.perf_counter()
        live = seg.a["live"]
        # Dead rows get no tokens (and the filter mask excludes them anyway).
        corpus = [_tokens(seg.source(row)) if live[row] else [] for row in range(len(seg))]
        self.ids = seg.a["ids"]
        self.retriever = bm25s.BM25()
        self.retriever.index(corpus, show_progress=False)
        self.build_seconds = time.perf_counter() - start

    def search(self, query):
        """(ids, scores) of the top rows passing the filters of ``query``."""
        seg = self.backend._state(self.kind)
        mask = seg.eligible(query).astype(np.float32)
        tokens = _query_tokens(query)
        k = min(query.limit, len(self.ids))
        docs, scores = self.retriever.retrieve([tokens], k=k, weight_mask=mask,
                                               show_progress=False, n_threads=0)
        keep = scores[0] > 0
        return self.ids[docs[0][keep]], scores[0][keep]


def side_by_side(backend, queries, rounds=1):
    """Interleaved stage-1 latencies (ms) of the embedded backend and bm25s.

    Returns medians, QPS and the ratio embedded QPS / bm25s QPS, plus the overlap of
    the two top-200 sets (how much the peer's notion of relevance agrees with ours).
    """
    peer = Bm25sPeer(backend)
    for q in queries:  # warm both (the embedded index decodes projections on first use)
        backend.search(q)
        peer.search(q)
    ours, theirs, overlap = [], [], []
    for r in range(rounds):
        for i, q in enumerate(queries):
            # Alternate who goes first, so neither always runs in the other's cache wake.
            order = (0, 1) if (i + r) % 2 == 0 else (1, 0)
            for who in order:
                start = time.perf_counter()
                if who == 0:
                    got = backend.search(q)
                    ours.append((time.perf_counter() - start) * 1000)
                else:
                    ids, _ = peer.search(q)
                    theirs.append((time.perf_counter() - start) * 1000)
            mine = {c.id for c in got}
            if mine or len(ids):
                overlap.append(len(mine & set(ids.tolist())) / max(len(mine), len(ids)))
    a, b = summary(ours), summary(theirs)
    return {"embedded_ms": a, "bm25s_ms": b,
            "embedded_qps": round(1000 / a["median"], 1) if a["median"] else None,
            "bm25s_qps": round(1000 / b["median"], 1) if b["median"] else None,
            "ratio_embedded_to_bm25s": round(b["median"] / a["median"], 2) if a["median"] else None,
            "top200_overlap": round(float(np.median(overlap)), 3) if overlap else None,
            "bm25s_index_seconds": round(peer.build_seconds, 2), "queries": len(ours)}
