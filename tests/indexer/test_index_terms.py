"""The embedded index takes a projection's text terms from the tokens the projection made
(indexer.documents.Projection) instead of tokenising its title and search text again:
the same terms, in the same order, as tokenising them."""
import json
import os
from pathlib import Path

import pytest

from indexer.backends.embedded.features import doc_terms
from indexer.cli import sample_feeds
from indexer.documents import Projection, projection
from indexer.feeds import read_feed
from indexer.text import _WORD, EXACT, bigrams, exact_tokens, fold, has_marks, tokens


def _terms_as_before(text):
    """indexer.text.terms as it was written before the projection kept its tokens (and
    before tokens and has_marks folded a text once, piece by piece)."""
    syl = _WORD.findall(fold(text))
    assert tokens(text) == syl
    out = syl + bigrams(syl)
    marked = bool(text) and not text.isascii() and fold(text) != text.lower()
    assert has_marks(text) == marked
    if marked:
        exact = exact_tokens(text)
        out += [EXACT + t for t in exact] + [EXACT + b for b in bigrams(exact)]
    return out


def _check(kind, records):
    n = 0
    for i, data in enumerate(records):
        doc = projection(kind, {"id": i + 1, "version": 1, "data": data})
        assert isinstance(doc, Projection) and doc.parts is not None
        expected = _terms_as_before(doc["title"]) + _terms_as_before(doc["search_text"])
        assert doc_terms(doc) == expected, data.get("external_id")
        assert doc_terms(dict(doc)) == expected  # a plain dict (read back): made again
        other = {**doc, "search_text": doc["search_text"] + " " + doc["title"]}
        assert doc_terms(other) == expected[:len(_terms_as_before(doc["title"]))] + \
            _terms_as_before(other["search_text"])  # not led by the title: made whole
        n += 1
    return n


def test_index_terms_of_the_sample_feeds_are_those_of_tokenising_again():
    n = 0
    for path in sample_feeds():
        kind = {"jobs.jsonl": "jobs", "courses.json": "courses"}.get(path.name)
        if kind:
            n += _check(kind, [r for _, r in read_feed(path, kind) if isinstance(r, dict)])
    assert n > 300


def test_the_join_of_title_and_body_marked_either_side():
    base = {"location": {"province": "Thanh Hóa"}, "required_skills": [], "partner_id": "p"}
    for title, description in [("Tho han", "Hàn điện, máy"), ("Thợ hàn", "tho may"),
                               ("Thợ hàn", ""), ("ASCII only", "plain text"),
                               ("Thuỷ sản", "x" * 70 + " cá ca"), ("Σ", "ς ΣΑ")]:
        _check("jobs", [{**base, "title": title, "description": description}])


_BENCH = Path(os.environ.get("VUNGBUOC_BENCH_CACHE",
                             Path.home() / ".cache" / "vungbuoc" / "bench")) / "corpus-v1-10000"


@pytest.mark.skipif(not (_BENCH / "DONE").exists(), reason="no 10k bench corpus here")
def test_index_terms_of_the_bench_corpus_are_those_of_tokenising_again():
    for kind in ("jobs", "courses"):
        with open(_BENCH / f"{kind}.jsonl", encoding="utf-8") as fh:
            assert _check(kind, (json.loads(line) for line in fh)) >= 1000
