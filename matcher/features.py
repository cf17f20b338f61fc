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
- ``occupation_fit``: cosine of the profile's character n-grams (indexer.corpus.char_grams)
  with the centroid of the postings of the posting's occupation in the corpus; a trade
  whose postings, taken together, speak of the profile's skills fits even when this
  posting does not name them.
- ``occupation_group_fit``: the same with the centroid of its 3-digit group of codes.
- ``occupation_nearest``: the occupation inferred from the skills: the OCCUPATION_TOP
  occupations whose centroids are nearest vote (squared cosines) for every posting by
  the digits its code shares with theirs (OCCUPATION_SHARE).

A posting sent without an occupation code (partners often leave it out) is given, for
these three features, the occupation whose centroid is nearest to its own title and
skills (``inferred_occupation``), so that it is not ranked below the coded postings of
its own trade. In a corpus whose postings mostly carry no code, the occupations are
clusters of the postings (indexer.corpus: pseudo-codes, several clusterings), and
every posting, coded or not, is given its nearest cluster in each clustering; its three
features are their means over the clusterings.
"""
import numpy as np

from indexer.corpus import GROUP_DIGITS, field_hashes
from indexer.taxonomy import default_taxonomy
from indexer.termhash import hashes, is_word, unpack
from indexer.text import EXACT, bigrams, has_marks, keywords

RELEVANCE = ("title", "body", "skills", "coverage", "latent", "occupation_fit",
             "occupation_group_fit", "occupation_nearest")
K1, B = 1.2, 0.75
OCCUPATION_TOP = 3
OCCUPATION_SHARE = {4: 1.0, 3: 0.5, 2: 0.2}


def phrase_units(text):
    """(folded units, exact units or None): keywords and adjacent-keyword bigrams."""
    kw = keywords(text)
    folded = [f for f, _ in kw]
    units = folded + bigrams(folded)
    if not has_marks(text):
        return units, None
    exact = [e for _, e in kw]
    return units, [EXACT + t for t in exact + bigrams(exact)]


class _Units:
    """Query units as sorted hashes with their IDFs (for numpy lookups) and their total."""

    def __init__(self, units, model):
        h = hashes(units)
        idf = model.idf(h) if model is not None else np.ones(len(h), np.float32)
        order = np.argsort(h, kind="stable")
        self.hashes, self.idf = h[order], idf[order].astype(np.float64)
        self.total = float(self.idf.sum()) or 1.0
        # Whether any unit's hash has these low 16 bits: a cheap first test that lets
        # only a few percent of a candidate's hashes through to the binary search.
        self.low = np.zeros(1 << 16, bool)
        self.low[self.hashes.view(np.uint16)[::2]] = True

    def matched_idf(self, flat, rows, n):
        """Σ IDF of the units found, per row, for the concatenated hashes ``flat``
        (int32, little-endian as packed)."""
        if not len(self.hashes) or not len(flat):
            return np.zeros(n)
        maybe = np.flatnonzero(np.take(self.low, flat.view(np.uint16)[::2]))
        flat, rows = flat[maybe], rows[maybe]
        pos = np.minimum(np.searchsorted(self.hashes, flat), len(self.hashes) - 1)
        hit = self.hashes[pos] == flat
        return np.bincount(rows[hit], weights=self.idf[pos[hit]], minlength=n)


class Query:
    """What the profile asks for, prepared once per match against a corpus model."""

    def __init__(self, phrases, model):
        self.model = model
        folded, exact = [], []
        for phrase in phrases:
            f, e = phrase_units(phrase)
            folded += f
            exact += e if e is not None else f  # unmarked words compare folded everywhere
        folded, exact = list(dict.fromkeys(folded)), list(dict.fromkeys(exact))
        self.marked = exact != folded
        self.folded, self.exact = _Units(folded, model), _Units(exact, model)
        words = hashes([f for f in folded if is_word(f)])
        self.vector = model.vector(words) if model is not None and len(words) else None
        self.occupations = self.clusters = None
        if model is not None and len(getattr(model, "occupations_", ())):
            sims = model.occupation_similarity(phrases)
            if getattr(model, "occupation_clusters_", False):
                self.clusters = _cluster_fits(model, sims)
            else:
                self.occupations = _occupation_fits(model, sims)


def _shared_digits(a, b):
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _run(model, code):
    """The clustering a pseudo-code belongs to (its first character), '' for real codes."""
    return code[:1] if getattr(model, "occupation_clusters_", False) else ""


def _occupation_fits(model, sims):
    """fits(code) -> (fit, group fit, nearest) of an occupation code, from the query's
    cosines ``sims`` with the model's occupation centroids; memoised per code. The
    nearest occupations vote within the code's own clustering (one, for real codes)."""
    index = model.occupation_index_
    full, names, runs = _full_codes(model)
    values = sims.tolist()
    order = sorted(range(len(full)), key=lambda j: (-round(values[full[j]], 6), names[j]))
    votes = {}
    for j in order:
        run = votes.setdefault(runs[j], [])
        if len(run) < OCCUPATION_TOP and values[full[j]] > 0:
            run.append((names[j], values[full[j]] ** 2))
    memo = {}

    def fits(code):
        hit = memo.get(code)
        if hit is None:
            if not code:
                hit = (0.0, 0.0, 0.0)
            else:
                i, g = index.get(code), index.get(code[:GROUP_DIGITS])
                mine = votes.get(_run(model, code), ())
                total = sum(v for _, v in mine)
                nearest = (sum(v * OCCUPATION_SHARE.get(_shared_digits(c, code), 0.0)
                               for c, v in mine) / total) if total else 0.0
                hit = (float(sims[i]) if i is not None else 0.0,
                       float(sims[g]) if g is not None else 0.0, nearest)
            memo[code] = hit
        return hit
    return fits


_FULL = {}


def _full_codes(model):
    """(positions, codes, clusterings) of the model's full-length occupation codes, in
    the order of ``occupations_``; kept per model."""
    hit = _FULL.get(id(model))
    if hit is None or hit[0] is not model:
        groups = model.occupations_
        digits = max((len(g) for g in groups), default=0)
        full = [i for i, g in enumerate(groups) if len(g) == digits]
        names = [str(groups[i]) for i in full]
        if len(_FULL) > 4:
            _FULL.clear()
        hit = _FULL[id(model)] = (model, full, names, [_run(model, c) for c in names])
    return hit[1:]


def _cluster_fits(model, sims):
    """(clusters + 1, 3) array: (fit, group fit, nearest) of every cluster of a clustered
    model, as ``_occupation_fits`` gives them for its pseudo-codes, and a last row of
    zeros; in numpy for all clusters at once."""
    pos, group, run = model.cluster_pos_, model.cluster_group_, model.cluster_run_
    fit, near = sims[pos], np.zeros(len(pos))
    names = model.occupations_[pos]
    order = np.lexsort((names, -np.round(fit, 6), run))  # by clustering, best first
    for r in np.unique(run):
        mine = order[run[order] == r]
        top = [i for i in mine[:OCCUPATION_TOP] if fit[i] > 0]
        if not top:
            continue
        votes = fit[top] ** 2
        members = np.flatnonzero(run == r)
        share = np.where(pos[members][:, None] == pos[top][None, :], OCCUPATION_SHARE[4],
                         np.where(group[members][:, None] == group[top][None, :],
                                  OCCUPATION_SHARE[3], 0.0))
        near[members] = share @ votes / votes.sum()
    return np.vstack([np.column_stack([fit, sims[group], near]), np.zeros((1, 3))])


_POSITIONS = {}


def _cluster_positions(model, docs):
    """(len(docs), clusterings) positions in ``model.cluster_pos_`` of each doc's nearest
    cluster in each clustering (-1: none, the zero row of ``_cluster_fits``)."""
    index = _POSITIONS.get(id(model))
    if index is None or index[0] is not model:
        _POSITIONS.clear()
        index = _POSITIONS[id(model)] = (model, {str(model.occupations_[p]): j for j, p in
                                                 enumerate(model.cluster_pos_)})
    lookup = index[1]
    rows = [[lookup.get(c, -1) for c in inferred_occupations(model, d)] for d in docs]
    width = max((len(r) for r in rows), default=1)
    return np.array([r + [-1] * (width - len(r)) for r in rows], np.int64)


def field_scores(query, docs, avgdl, fields=("title", "body")):
    """{field: BM25 of the query over that packed field of every doc, divided by the
    query's total IDF} (binary term frequencies: a field's terms are a set). A doc whose
    field is written with marks is compared in exact forms when the query has marks,
    else in folded ones. ``avgdl`` maps each field to its average length."""
    n, k = len(docs), len(fields)
    keys = [f + "_hashes" for f in fields]
    packed = [unpack(d.get(key)) for d in docs for key in keys]
    lengths = np.fromiter([len(p[0]) for p in packed], np.int64, count=n * k)
    exact = np.zeros(n * k, bool)
    if query.marked:
        marks = [f + "_marked" for f in fields]
        exact = np.fromiter([bool(d.get(m)) for d in docs for m in marks], bool, count=n * k)
    score = np.zeros(n * k)
    for use_exact, units in ((False, query.folded), (True, query.exact)):
        cells = np.flatnonzero(exact == use_exact)
        if not len(cells):
            continue
        if use_exact:
            parts = [packed[c][0][packed[c][2]:] for c in cells.tolist()]
        else:
            parts = [packed[c][0][:packed[c][2]] for c in cells.tolist()]
        flat = np.concatenate(parts)
        rows = np.repeat(cells, [len(p) for p in parts])
        score += units.matched_idf(flat, rows, n * k) / units.total
    avg = np.tile([avgdl[f] for f in fields], n)
    score = score * (K1 + 1) / (1 + K1 * (1 - B + B * lengths / avg))
    return {f: score[j::k] for j, f in enumerate(fields)}


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
            idf = (self.model.idf(hashes(folded)) if self.model is not None
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


_MATCHERS = {}


def skill_matcher(model):
    """The SkillMatcher of ``model``, kept across matches (it caches every phrase's words)."""
    hit = _MATCHERS.get(id(model))
    if hit is None or hit.model is not model:
        if len(_MATCHERS) > 4:
            _MATCHERS.clear()
        hit = _MATCHERS[id(model)] = SkillMatcher(model)
    return hit


def _skill_pairs(profile_skills, posting_skills, matcher, keys, memo):
    """Similarities as rows (profile skills) of columns (posting skills), or None when
    nothing is shared. ``keys`` are the IDs and folded words of all the profile's skills:
    a posting skill sharing none of them scores 0 without comparing it with each.
    ``memo`` keeps each posting skill's column for the match (postings share skills)."""
    cols = []
    for skill in posting_skills:
        col = memo.get(skill, False)
        if col is False:
            did, dtext = skill
            if did not in keys and keys.isdisjoint(matcher.units(dtext)[0]):
                col = None
            else:
                col = [1.0 if pid is not None and pid == did else matcher.similarity(ptext, dtext)
                       for pid, ptext in profile_skills]
            memo[skill] = col
        cols.append(col)
    if all(c is None for c in cols):
        return None
    zero = [0.0] * len(profile_skills)
    cols = [zero if c is None else c for c in cols]
    return [list(row) for row in zip(*cols)]


def _skill_scores(profile_skills, required, preferred, matcher, keys, memo):
    """(skills, coverage) features of a posting with these skills (see the module's doc)."""
    everything = required + preferred
    if profile_skills and everything:
        sims = _skill_pairs(profile_skills, everything, matcher, keys, memo)
        if sims is not None:
            skills = sum(max(row) for row in sims) / len(sims)
            coverage = 0.0
            if required:
                cols = [max(row[j] for row in sims) for j in range(len(required))]
                coverage = sum(cols) / len(cols)
            return skills, coverage
    return 0.0, 0.0


_SKILLS = {}


def posting_skills(doc, lang="vi"):
    """(required, preferred) skills of a projection as (ID or None, phrase) pairs.

    Kept by content (many postings list the same skills), never by document ID: IDs
    and versions repeat across stores (tests, or a store rebuilt from scratch)."""
    key = (tuple(doc.get("skills") or ()), tuple(doc.get("skills_text") or ()),
           tuple(doc.get("preferred_skills") or ()), lang)
    hit = _SKILLS.get(key)
    if hit is None:
        taxonomy = default_taxonomy()
        required = [(s, taxonomy.label(s, lang)) for s in doc.get("skills") or ()]
        required += [(None, t) for t in doc.get("skills_text") or ()]
        preferred = [(s, taxonomy.label(s, lang)) for s in doc.get("preferred_skills") or ()]
        if len(_SKILLS) >= 50_000:
            _SKILLS.clear()
        hit = _SKILLS[key] = (required, preferred)
    return hit


_INFERRED = {}


def inferred_occupations(model, doc):
    """The full occupation codes whose centroids are nearest to a posting's title and
    required skills, one per clustering of a clustered model (one for a coded model;
    '' where none shares an n-gram with it). Kept by content, per corpus model, like
    posting_skills."""
    required, _ = posting_skills(doc)
    phrases = [doc.get("title") or ""] + [phrase for _, phrase in required]
    key = (id(model), tuple(phrases))
    hit = _INFERRED.get(key)
    if hit is None:
        sims = model.occupation_similarity(phrases)
        groups = model.occupations_
        digits = max((len(g) for g in groups), default=0)
        best = {}
        for i, g in enumerate(groups):
            if len(g) == digits:
                run = _run(model, str(g))
                if sims[i] > 0 and (run not in best or sims[i] > sims[best[run]]):
                    best[run] = i
        hit = tuple(str(groups[i]) for _, i in sorted(best.items())) or ("",)
        if len(_INFERRED) >= 50_000:
            _INFERRED.clear()
        _INFERRED[key] = hit
    return hit


def inferred_occupation(model, doc):
    """The full occupation code whose centroid is nearest to an uncoded posting's title
    and required skills ('' when none shares an n-gram with it); of a clustered model,
    that of its first clustering."""
    return inferred_occupations(model, doc)[0]


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
    out.update(field_scores(query, docs, {"title": avg_title, "body": avg_body}))
    keys = {pid for pid, _ in profile_skills if pid is not None}
    for _, phrase in profile_skills:
        keys.update(matcher.units(phrase)[0])
    memo, lists = {}, {}
    skills, coverage = out["skills"], out["coverage"]
    for i, doc in enumerate(docs):
        both = posting_skills(doc)
        # Postings repeat the same skill lists, and posting_skills gives one object per
        # list: computed once per match (the object kept, so that its id stays its own).
        hit = lists.get(id(both))
        if hit is None:
            hit = lists[id(both)] = (both, *_skill_scores(profile_skills, *both, matcher,
                                                          keys, memo))
        skills[i], coverage[i] = hit[1], hit[2]
    if query.occupations is not None or query.clusters is not None:
        if query.clusters is not None:
            positions = _cluster_positions(model, docs)
            fits = query.clusters[positions].mean(axis=1)
        else:
            fits = np.array([query.occupations(d.get("occupation_code")
                                               or inferred_occupation(model, d)) for d in docs])
        for j, name in enumerate(("occupation_fit", "occupation_group_fit",
                                  "occupation_nearest")):
            out[name] = fits[:, j]
    if query.vector is not None:
        docvecs = vectors(docs)
        if docvecs is not None:
            out["latent"] = np.maximum(docvecs @ query.vector, 0.0)
    return out


class LatentCache:
    """Latent vectors of projections, by (id, version), for one corpus model."""

    def __init__(self, size=100_000):
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
            words = [np.concatenate([field_hashes(docs[i], "title_hashes")[1],
                                     field_hashes(docs[i], "body_hashes")[1]])
                     for i in missing]
            if len(self._vecs) + len(missing) > self.size:
                self._vecs = {}
            for i, vec in zip(missing, model.vectors(words)):
                self._vecs[keys[i]] = vec
        return np.array([self._vecs[k] for k in keys])
