"""Ranking quality on a deterministic slice of the labelled dev set (bench/quality.py).

The whole set is measured by `make quality`; this slice (every 8th profile) only guards
against the project falling below plain BM25 on the same postings.
"""
import os

import pytest

from bench import evalset, quality, quality_baselines


@pytest.fixture(scope="module")
def dev_set():
    path = evalset.find_dev_set()
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the dev set (../shared/eval/esco-dev.json) is required in CI")
        pytest.skip("no dev set: set VUNGBUOC_EVAL_SET or put shared/eval/ beside the repo")
    return evalset.load(path)


def _mean(scores, profiles, variant):
    values = [scores[p["id"]] for p in profiles if p["variant"] == variant]
    return sum(values) / len(values)


def test_the_project_ranks_at_least_as_well_as_bm25_on_a_slice(dev_set):
    profiles = dev_set["profiles"][::8]
    with quality.loaded(dev_set) as service:
        ours = quality.scores_of(quality.project_rankings(service, profiles), dev_set)
    postings = dev_set["postings"]
    bm25 = quality.scores_of({pid: [postings[i]["id"] for i in idx] for pid, idx in
                              quality_baselines.bm25(postings, profiles).items()}, dev_set)
    for variant in ("easy", "hard"):
        assert _mean(ours, profiles, variant) >= _mean(bm25, profiles, variant), variant
