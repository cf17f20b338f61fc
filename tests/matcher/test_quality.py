"""Ranking quality on a deterministic slice of the labelled dev set (bench/quality.py).

The whole set is measured by `make quality`; this slice (every posting, every 8th
profile, committed as tests/fixtures/esco-dev-slice.json so that the test needs nothing
outside the repository) only guards against the project falling below plain BM25 on the
same postings, whether the postings carry their occupation codes or not (partners
often leave the optional field out, and the relevance labels are those codes).
"""
from pathlib import Path

import pytest

from bench import evalset, quality, quality_baselines

SLICE = Path(__file__).resolve().parents[1] / "fixtures" / "esco-dev-slice.json"


@pytest.fixture(scope="module")
def dev_set():
    return evalset.load(SLICE)


def _mean(scores, profiles, variant):
    values = [scores[p["id"]] for p in profiles if p["variant"] == variant]
    return sum(values) / len(values)


@pytest.fixture(scope="module")
def bm25(dev_set):
    postings, profiles = dev_set["postings"], dev_set["profiles"]
    return quality.scores_of({pid: [postings[i]["id"] for i in idx] for pid, idx in
                              quality_baselines.bm25(postings, profiles).items()}, dev_set)


@pytest.mark.parametrize("coded", [True, False], ids=["coded", "uncoded"])
def test_the_project_ranks_at_least_as_well_as_bm25_on_a_slice(dev_set, bm25, coded):
    profiles = dev_set["profiles"]
    with quality.loaded(dev_set, coded=coded) as service:
        if not coded:
            assert not any(d["data"].get("occupation_code")
                           for d in service.store.iter_documents("jobs"))
        ours = quality.scores_of(quality.project_rankings(service, profiles), dev_set)
    for variant in ("easy", "hard"):
        assert _mean(ours, profiles, variant) >= _mean(bm25, profiles, variant), variant


def test_the_shipped_ranker_beats_ranker_v1_on_the_slice(dev_set):
    """The trade fit (occupation centroids, since ranker-v2) is what lifts the hard profiles."""
    import functools

    from indexer.settings import config_path
    from matcher import ranking
    from matcher.ranker import Ranker, default_ranker
    profiles = dev_set["profiles"]
    v1 = Ranker.from_file(config_path("ranker-v1.json"))
    with quality.loaded(dev_set) as service:
        scores = {name: quality.scores_of(quality.project_rankings(
            service, profiles, match=functools.partial(ranking.match, ranker=r)), dev_set)
            for name, r in (("v1", v1), ("shipped", default_ranker()))}
    for variant in ("easy", "hard"):
        assert (_mean(scores["shipped"], profiles, variant)
                > _mean(scores["v1"], profiles, variant)), variant


@pytest.mark.elasticsearch
def test_both_backends_rank_the_uncoded_slice_alike(dev_set, es_settings):
    """The occupations of a corpus without codes are clusters fitted from the store, not
    from a backend: the embedded and the Elasticsearch backends rank alike (the top 10 of
    every other profile; every posting a candidate, as in the coded parity test in
    tests/indexer/test_elasticsearch.py)."""
    import datetime as dt

    from matcher import ranking
    from matcher.schemas import ProfileSchema
    today = dt.date.fromisoformat(quality.TODAY)
    tops = {}
    for name, settings in (("embedded", None), ("elasticsearch", es_settings)):
        with quality.loaded(dev_set, settings, coded=False) as service:
            assert service.corpus.get("jobs").occupation_clusters_
            tops[name] = {p["id"]: [j["id"] for j in ranking.match(
                ProfileSchema().load(evalset.profile_request(p, quality.PLACE)),
                service.backend, limit=10, today=today, candidates=len(dev_set["postings"]),
                corpus=service.corpus.get)["jobs"]] for p in dev_set["profiles"][::2]}
    assert tops["embedded"] == tops["elasticsearch"]
