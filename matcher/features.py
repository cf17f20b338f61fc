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

from indexer.corpus import field_terms, is_word
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
        self.total_folded = sum(self.idf[u] for u in self.folded) or 1.0
        self.total_exact = sum(self.idf[u] for u in self.exact) or 1.0
        words = [f for f in self.folded if is_word(f)]
        self.vector = (model.vectors([words])[0] if model is not None and words else None)


def _field_score(query, field, marked, avgdl):
    """BM25 of the query over one field's term set, divided by the query's total IDF
    (binary term frequencies: a projection keeps each field's terms as a set)."""
    if not field:
        return 0.0
    exact = query.marked and marked
    matched = field.intersection(query.exact if exact else query.folded)
    if not matched:
        return 0.0
    idf = query.idf
    norm = K1 * (1 - B + B * len(field) / avgdl)
    total = query.total_exact if exact else query.total_folded
    return sum(idf[u] for u in matched) * (K1 + 1) / (1 + norm) / total


class DocView:
    """What stage 2 reads of a projection, prepared once: its fields as sets, whether
    each is written with marks, its folded words and its skills."""

    __slots__ = ("title", "body", "title_marked", "body_marked", "words", "required",
                 "preferred")

    def __init__(self, doc):
        title, body = field_terms(doc, "title_terms"), field_terms(doc, "body_terms")
        self.title, self.body = frozenset(title), frozenset(body)
        self.title_marked = any(t.startswith(EXACT) for t in title)
        self.body_marked = any(t.startswith(EXACT) for t in body)
        self.words = [t for t in self.title | self.body if "_" not in t]
        self.required, self.preferred = posting_skills(doc)


_VIEWS = {}
VIEW_CACHE = 50_000


def view(doc):
    """The DocView of a projection, cached by (id, version)."""
    key = (doc["id"], doc.get("version"))
    hit = _VIEWS.get(key)
    if hit is None:
        if len(_VIEWS) >= VIEW_CACHE:
            _VIEWS.clear()
        hit = _VIEWS[key] = DocView(doc)
    return hit


class SkillMatcher:
    """Soft matching of skills written as IDs or text (IDF-weighted cosine of words)."""

    def __init__(self, model):
        self.model, self._units = model, {}

    def units(self, phrase):
        """({folded word: idf}, {exact word: idf} or None when written without marks, norm)."""
        hit = self._units.get(phrase)
        if hit is None:
            folded, exact = phrase_units(phrase)
            folded = [u for u in folded if "_" not in u]
            idf = (self.model.idf(folded) if self.model is not None
                   else np.ones(len(folded), np.float32)).tolist()
            exact_w = None
            if exact is not None:
                exact_w = dict(zip([u for u in exact if "_" not in u[1:]], idf))
            norm = float(np.sqrt(sum(w * w for w in idf))) or 1.0
            hit = self._units[phrase] = (dict(zip(folded, idf)), exact_w, norm)
            if len(self._units) > 50_000:
                self._units.clear()
        return hit

    def similarity(self, a, b):
        """Cosine of two skill phrases' IDF-weighted words: in exact forms when both are
        written with marks, else folded."""
        fa, ea, na = self.units(a)
        fb, eb, nb = self.units(b)
        wa, wb = (ea, eb) if ea is not None and eb is not None else (fa, fb)
        common = wa.keys() & wb.keys()
        if not common:
            return 0.0
        return min(1.0, sum(wa[u] * wb[u] for u in common) / (na * nb))


def _skill_pairs(profile_skills, posting_skills, matcher, keys):
    """Matrix of similarities: profile skills (rows) × posting skills (cols).

    ``keys`` are the IDs and words of all the profile's skills: a posting skill sharing
    none of them scores 0 without comparing it with each.
    """
    out = np.zeros((len(profile_skills), len(posting_skills)))
    for j, (did, dtext) in enumerate(posting_skills):
        if did not in keys and keys.isdisjoint(matcher.units(dtext)[0]):  # folded words
            continue
        for i, (pid, ptext) in enumerate(profile_skills):
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

    ``profile_skills`` are (ID or None, phrase) pairs; ``vectors(docs, views)`` gives the
    docs' latent vectors (or None without a corpus model).
    """
    model = query.model
    avg_title = model.avgdl_title_ if model is not None else 8.0
    avg_body = model.avgdl_body_ if model is not None else 80.0
    n = len(docs)
    out = {name: np.zeros(n) for name in RELEVANCE}
    views = [view(d) for d in docs]
    keys = {pid for pid, _ in profile_skills if pid is not None}
    for _, phrase in profile_skills:
        keys.update(matcher.units(phrase)[0])
    for i, v in enumerate(views):
        out["title"][i] = _field_score(query, v.title, v.title_marked, avg_title)
        out["body"][i] = _field_score(query, v.body, v.body_marked, avg_body)
        everything = v.required + v.preferred
        if profile_skills and everything:
            sims = _skill_pairs(profile_skills, everything, matcher, keys)
            if sims.any():
                out["skills"][i] = sims.max(axis=1).mean()
                if v.required:
                    out["coverage"][i] = sims[:, :len(v.required)].max(axis=0).mean()
    if query.vector is not None:
        docvecs = vectors(docs, views)
        if docvecs is not None:
            out["latent"] = np.maximum(docvecs @ query.vector, 0.0)
    return out


class LatentCache:
    """Latent vectors of projections, by (id, version), for one corpus model."""

    def __init__(self, size=50_000):
        self.size, self._model, self._vecs = size, None, {}

    def __call__(self, model, docs, views=None):
        """(len(docs), dims) unit vectors of ``docs`` (their DocViews if at hand)."""
        if model is None:
            return None
        if model is not self._model:
            self._model, self._vecs = model, {}
        keys = [(d["id"], d.get("version")) for d in docs]
        missing = [i for i, k in enumerate(keys) if k not in self._vecs]
        if missing:
            words = [(views[i] if views else view(docs[i])).words for i in missing]
            if len(self._vecs) + len(missing) > self.size:
                self._vecs = {}
            for i, vec in zip(missing, model.vectors(words)):
                self._vecs[keys[i]] = vec
        return np.array([self._vecs[k] for k in keys])
