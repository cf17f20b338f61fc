"""Baselines computed in the same run as the project's figures: TF-IDF and BM25.

The same definitions as ../shared/eval/README.md: each posting is its title, description
and skills as one text; a profile's query is its skills joined. TF-IDF: scikit-learn,
1-2-grams, sublinear tf, cosine. BM25: rank_bm25's Okapi BM25, k1 1.5, b 0.75,
scikit-learn's English stop words, optionally Snowball-stemmed (PyStemmer). Both
libraries come with the bench extra (setup.py).
"""
import re

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

_WORD = re.compile(r"(?u)\b\w\w+\b")


def posting_text(posting):
    """The text a baseline indexes for a posting."""
    return " ".join([posting["title"], posting["description"], *posting["required_skills"],
                     *posting["preferred_skills"]])


def query_text(profile):
    """The text a baseline searches with for a profile."""
    return " ".join(profile["skills"])


def _top(scores, cutoff):
    # Best first; ties by posting order (deterministic).
    return np.lexsort((np.arange(len(scores)), -scores))[:cutoff].tolist()


def tfidf(postings, profiles, cutoff=10):
    """{profile id: indices of the top postings} by TF-IDF cosine."""
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    docs = vec.fit_transform([posting_text(p) for p in postings])
    queries = vec.transform([query_text(p) for p in profiles])
    sims = (queries @ docs.T).toarray()
    return {p["id"]: _top(sims[i], cutoff) for i, p in enumerate(profiles)}


def _analyzer(stem):
    stemmer = None
    if stem:
        import Stemmer  # PyStemmer: the Snowball algorithms, in C
        stemmer = Stemmer.Stemmer("english")

    def analyse(text):
        words = [w for w in _WORD.findall(text.lower()) if w not in ENGLISH_STOP_WORDS]
        return stemmer.stemWords(words) if stemmer else words
    return analyse


def bm25(postings, profiles, cutoff=10, k1=1.5, b=0.75, stem=False):
    """{profile id: indices of the top postings} by Okapi BM25 (rank_bm25's BM25Okapi)."""
    from rank_bm25 import BM25Okapi
    analyse = _analyzer(stem)
    index = BM25Okapi([analyse(posting_text(p)) for p in postings], k1=k1, b=b)
    return {p["id"]: _top(index.get_scores(analyse(query_text(p))), cutoff) for p in profiles}


def all_baselines(postings, profiles, cutoff=10):
    """{name: rankings} of every baseline (BM25 + stemming only when PyStemmer is there)."""
    out = {"TF-IDF": tfidf(postings, profiles, cutoff), "BM25": bm25(postings, profiles, cutoff)}
    try:
        out["BM25 + stemming"] = bm25(postings, profiles, cutoff, stem=True)
    except ImportError:
        pass
    return out
