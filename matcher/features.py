"""Relevance features of job candidates for stage 2 of matching.

Each feature is a number per candidate computed from the candidate's projection and
the corpus model (indexer.corpus), never from a backend's own score, so that both
backends re-rank the same candidates alike (Lucene's BM25 has another scale and
lossy length norms). The features (all about 0..1):

- ``title``, ``body``: BM25 of the profile's keywords (indexer.text.keywords: no stop
  words; folded and exact unigrams and bigrams) over the posting's title and body,
  with the corpus's IDF, divided by the query's total IDF. A query written with marks
  is compared in exact forms with text written with marks (máy is not may), and in
  folded forms only with text typed without them.
- ``skills``: for each of the profile's skills, how well the posting's skills match it
  (the same ID: 1; else IDF-weighted cosine of the skills' words), averaged.
- ``coverage``: the same the other way: how many of the posting's required skills the
  profile has, softly.
- ``latent``: cosine of the profile and the posting in the corpus's latent space.
"""
import numpy as np

from indexer.corpus import doc_terms, is_word
from indexer.taxonomy import default_taxonomy
from indexer.text import EXACT, bigrams, has_marks, keywords

RELEVANCE = ("title", "body", "skills", "coverage", "latent")
K1, B = 1.2, 0.75


def phrase_units(text):
    """(folded units, exact units or None): keywords and adjacent-keyword bigrams."""
    kw = keywords(text)
    folded = [f for f, _ in kw]
    units = folded + bigrams(folded)
    if not has_marks(text):
        return units, None
    exact = [e for _, e in kw]
    return units, [EXACT + t for t in exact + bigrams(exact)]


class Query:
    """What the profile asks for, prepared once per match against a corpus model."""

    def __init__(self, phrases, model):
        self.model = model
        folded, exact = [], []
        for phrase in phrases:
            f, e = phrase_units(phrase)
            folded += f
            exact += e if e is not None else f  # unmarked words compare folded everywhere
        self.folded = list(dict.fromkeys(folded))
        self.exact = list(dict.fromkeys(exact))
        self.marked = self.exact != self.folded
        units = list(dict.fromkeys(self.folded + self.exact))
        idf = model.idf(units) if model is not None else np.ones(len(units), np.float32)
        self.idf = dict(zip(units, idf.tolist()))
        words = [f for f in self.folded if is_word(f)]
        self.vector = (model.vectors([words])[0] if model is not None and words else None)


def _bm25(units, idf, field, length, avgdl):
    matched = [u for u in units if u in field]
    if not matched:
        return 0.0
    norm = K1 * (1 - B + B * length / avgdl)
    return sum(idf[u] for u in matched) * (K1 + 1) / (1 + norm)


def _field_score(query, terms, avgdl):
    """BM25 of the query over one field's term set, divided by the query's total IDF."""
    if not terms:
        return 0.0
    field = set(terms)
    marked_field = any(t.startswith(EXACT) for t in terms)
    units = query.exact if (query.marked and marked_field) else query.folded
    total = sum(query.idf[u] for u in units) or 1.0
    return _bm25(units, query.idf, field, len(field), avgdl) / total


class SkillMatcher:
    """Soft matching of skills written as IDs or text (IDF-weighted cosine of words)."""

    def __init__(self, model):
        self.model, self._units = model, {}

    def units(self, phrase):
        """{unit: idf} of a skill phrase (its keywords, exact forms when written with marks)."""
        hit = self._units.get(phrase)
        if hit is None:
            folded, exact = phrase_units(phrase)
            words = [u for u in (exact or folded) if "_" not in u.lstrip(EXACT)]
            idf = (self.model.idf(words) if self.model is not None
                   else np.ones(len(words), np.float32))
            weights = dict(zip(words, idf.tolist()))
            if exact is not None:  # also match text typed without marks, by its folded words
                weights.update({f: w for f, w in zip(
                    [u for u in folded if "_" not in u], idf.tolist())})
            norm = float(np.sqrt(sum(w * w for w in idf.tolist()))) or 1.0
            hit = self._units[phrase] = (weights, norm, exact is not None)
            if len(self._units) > 50_000:
                self._units.clear()
        return hit

    def similarity(self, a, b):
        """Cosine of two skill phrases' IDF-weighted words (marks respected both sides)."""
        wa, na, ma = self.units(a)
        wb, nb, mb = self.units(b)
        if ma and mb:  # both written with marks: only exact forms count
            common = [u for u in wa if u.startswith(EXACT) and u in wb]
        else:
            common = [u for u in wa if not u.startswith(EXACT) and u in wb]
        if not common:
            return 0.0
        return min(1.0, sum(wa[u] * wb[u] for u in common) / (na * nb))


def _skill_pairs(profile_skills, posting_skills, matcher):
    """Matrix of similarities: profile skills (rows) × posting skills (cols)."""
    out = np.zeros((len(profile_skills), len(posting_skills)))
    for i, (pid, ptext) in enumerate(profile_skills):
        for j, (did, dtext) in enumerate(posting_skills):
            out[i, j] = 1.0 if pid is not None and pid == did else matcher.similarity(ptext, dtext)
    return out


def posting_skills(doc, lang="vi"):
    """(required, preferred) skills of a projection as (ID or None, phrase) pairs."""
    taxonomy = default_taxonomy()
    required = [(s, taxonomy.label(s, lang)) for s in doc.get("skills") or ()]
    required += [(None, t) for t in doc.get("skills_text") or ()]
    preferred = [(s, taxonomy.label(s, lang)) for s in doc.get("preferred_skills") or ()]
    return required, preferred


def relevance_features(query, profile_skills, docs, matcher, vectors):
    """{feature: array over docs} of the RELEVANCE features.

    ``profile_skills`` are (ID or None, phrase) pairs; ``vectors(docs)`` gives the docs'
    latent vectors (or None without a corpus model).
    """
    model = query.model
    avg_title = model.avgdl_title_ if model is not None else 8.0
    avg_body = model.avgdl_body_ if model is not None else 80.0
    n = len(docs)
    out = {name: np.zeros(n) for name in RELEVANCE}
    for i, doc in enumerate(docs):
        out["title"][i] = _field_score(query, doc.get("title_terms"), avg_title)
        out["body"][i] = _field_score(query, doc.get("body_terms"), avg_body)
        required, preferred = posting_skills(doc)
        everything = required + preferred
        if profile_skills and everything:
            sims = _skill_pairs(profile_skills, everything, matcher)
            out["skills"][i] = sims.max(axis=1).mean()
            if required:
                out["coverage"][i] = sims[:, :len(required)].max(axis=0).mean()
    if query.vector is not None:
        docvecs = vectors(docs)
        if docvecs is not None:
            out["latent"] = np.maximum(docvecs @ query.vector, 0.0)
    return out


class LatentCache:
    """Latent vectors of projections, by (id, version), for one corpus model."""

    def __init__(self, size=50_000):
        self.size, self._model, self._vecs = size, None, {}

    def __call__(self, model, docs):
        """(len(docs), dims) unit vectors of ``docs``; None without a model."""
        if model is None:
            return None
        if model is not self._model:
            self._model, self._vecs = model, {}
        keys = [(d["id"], d.get("version")) for d in docs]
        missing = [i for i, k in enumerate(keys) if k not in self._vecs]
        if missing:
            words = [[t for t in doc_terms(docs[i]) if is_word(t)] for i in missing]
            if len(self._vecs) + len(missing) > self.size:
                self._vecs = {}
            for i, vec in zip(missing, model.vectors(words)):
                self._vecs[keys[i]] = vec
        return np.array([self._vecs[k] for k in keys])
