"""Occupation centroids of the corpus (indexer.corpus) and the ranker-v2 features built
on them (matcher.features: occupation_fit, occupation_group_fit, occupation_nearest)."""
import json

import numpy as np
import pytest

from factories import make_posting
from indexer.corpus import CorpusModel
from indexer.documents import projection
from indexer.settings import config_path
from matcher import features
from matcher.ranker import default_ranker

# Machinery mechanics (7233), sewing machinists (7533), a welder and a sheet-metal
# worker of one minor group (721x), and cooks (5120).
POSTINGS = [
    ("7233", "Thợ sửa máy công nghiệp", "Sửa chữa, bảo dưỡng máy móc trong xưởng."),
    ("7233", "Thợ bảo trì máy", "Bảo dưỡng máy bơm, máy nén khí, thay dầu máy."),
    ("7533", "Thợ may công nghiệp", "May quần áo theo mẫu, cắt vải, đính cúc."),
    ("7533", "Thợ may mẫu", "May áo sơ mi, sửa quần áo, vắt sổ."),
    ("7212", "Welder", "Arc welding and gas welding of steel frames."),
    ("7212", "Metal fabricator", "Cut and bend steel sheets, assemble frames."),
    ("7213", "Sheet metal worker", "Cut, bend and rivet sheet metal for roofs."),
    ("5120", "Cook", "Prepare meals, cook rice and soup, keep the kitchen clean."),
    ("5120", "Kitchen cook", "Cook meals for the canteen, clean the kitchen."),
]


def _docs():
    out = []
    for i, (code, title, description) in enumerate(POSTINGS, 1):
        data = make_posting(external_id=f"J-{i}", title=title, description=description,
                            occupation_code=code, required_skills=[])
        out.append(projection("jobs", {"id": i, "version": 1, "data": data}, "Test"))
    return out


@pytest.fixture(scope="module")
def model():
    return CorpusModel().fit(_docs())


def _sims(model, phrases):
    sims = model.occupation_similarity(phrases)
    return {str(g): float(s) for g, s in zip(model.occupations_, sims)}


def test_every_occupation_and_group_has_a_centroid(model):
    assert sorted(model.occupations_) == ["512", "5120", "721", "7212", "7213", "723", "7233",
                                          "753", "7533"]


def test_a_query_with_marks_prefers_the_trade_written_with_the_same_tones(model):
    machine = _sims(model, ["thợ máy"])
    sewing = _sims(model, ["thợ may"])
    assert machine["7233"] > machine["7533"] > 0
    assert sewing["7533"] > sewing["7233"] > 0


def test_a_query_without_marks_finds_both_readings(model):
    sims = _sims(model, ["tho may"])
    assert sims["7233"] > 0 and sims["7533"] > 0
    assert sims["5120"] == 0


def test_character_grams_reach_other_forms_of_a_word(model):
    # "welds" and "fabricating" are words no posting uses.
    sims = _sims(model, ["welds steel", "fabricating"])
    assert max(sims, key=sims.get) == "7212"
    assert sims["721"] > sims["512"]


def test_nothing_known_gives_zeros(model):
    assert not model.occupation_similarity(["xyzzy"]).any()
    assert not model.occupation_similarity([]).any()


def test_the_centroids_survive_saving_and_loading(model, tmp_path):
    path = tmp_path / "jobs.npz"
    model.save(path)
    again = CorpusModel.load(path)
    for phrases in (["thợ máy"], ["arc welding"], ["tho may", "cook rice"]):
        assert np.array_equal(again.occupation_similarity(phrases),
                              model.occupation_similarity(phrases))


def test_a_corpus_without_occupation_codes_has_no_centroids():
    docs = _docs()
    for d in docs:
        d["occupation_code"] = None
    model = CorpusModel().fit(docs)
    assert len(model.occupations_) == 0
    query = features.Query(["arc welding"], model)
    assert query.occupations is None
    feats = features.relevance_features(query, [(None, "arc welding")], docs,
                                        features.skill_matcher(model), lambda d: None)
    assert not feats["occupation_fit"].any() and not feats["occupation_nearest"].any()


def test_a_posting_sharing_no_word_with_the_skills_fits_by_its_trade(model):
    docs = _docs()
    query = features.Query(["arc welding"], model)
    feats = features.relevance_features(query, [(None, "arc welding")], docs,
                                        features.skill_matcher(model), lambda d: None)
    fabricator, sheet, cook = 5, 6, 7  # positions in POSTINGS
    assert feats["title"][fabricator] == 0 and feats["body"][fabricator] == 0
    assert feats["occupation_fit"][fabricator] > feats["occupation_fit"][cook]
    # the same minor group fits a bit, another trade does not
    assert feats["occupation_group_fit"][sheet] > feats["occupation_group_fit"][cook]
    # the nearest occupation is the welders': a full vote for it, less for its group
    assert feats["occupation_nearest"][fabricator] > feats["occupation_nearest"][sheet] > 0
    assert feats["occupation_nearest"][cook] == 0


def test_fit_nonnegative_leaves_out_a_feature_that_would_weigh_against_relevance():
    from tools.train_ranker import fit_nonnegative
    rng = np.random.default_rng(1)
    groups = []
    for _ in range(30):
        labels = rng.integers(0, 4, 40)
        good = labels + rng.normal(0, 0.5, 40)
        noise = rng.normal(0, 1, 40)
        bad = -labels + rng.normal(0, 0.5, 40)
        groups.append((np.column_stack([good, noise, bad]), labels))
    weights = fit_nonnegative(groups, ["good", "noise", "bad"])
    assert weights["bad"] == 0
    assert weights["good"] > 0
    assert all(w >= 0 for w in weights.values())


def test_the_shipped_ranker_is_v2_with_non_negative_weights_that_beat_v1():
    ranker = default_ranker()
    assert ranker.meta["version"] == 2 and not ranker.first
    assert ranker.weights and set(ranker.weights) <= set(features.RELEVANCE)
    assert all(w > 0 for w in ranker.weights.values())
    assert {"occupation_fit", "occupation_group_fit", "occupation_nearest"} & set(ranker.weights)
    v1 = json.loads(config_path("ranker-v1.json").read_text(encoding="utf-8"))["ndcg@10"]
    v2 = ranker.meta["ndcg@10"]
    for figure in ("check/easy", "check/hard", "all/easy", "all/hard"):
        assert v2[figure] >= v1[figure] - 0.005, figure


def test_every_reason_a_job_can_give_is_worded_on_the_match_page():
    import re
    from pathlib import Path

    from matcher import ranking
    page = (Path(ranking.__file__).parent / "templates" / "matches.html").read_text(
        encoding="utf-8")
    block = page[page.index("{% set reason_text"):]
    block = block[:block.index("%}")]
    worded = set(re.findall(r"'(\w+)': _\(", block))
    reasons = set(ranking.REASON_FEATURES) | {
        n for n, w in ranking.job_weights().items() if w > 0}
    assert reasons <= worded, sorted(reasons - worded)


def test_codes_of_fewer_digits_share_the_group_they_name():
    docs = _docs()
    docs[5]["occupation_code"] = "721"  # the fabricator coded to the minor group only
    docs[6]["occupation_code"] = "72"
    model = CorpusModel().fit(docs)
    assert {"72", "721", "7212"} <= set(model.occupations_)
    query = features.Query(["arc welding"], model)
    feats = features.relevance_features(query, [(None, "arc welding")], docs,
                                        features.skill_matcher(model), lambda d: None)
    assert feats["occupation_fit"][5] == feats["occupation_group_fit"][5] > 0
    assert feats["occupation_nearest"][5] > 0  # shares 3 digits with the nearest, 7212


def test_a_posting_without_an_occupation_code_fits_as_its_nearest_trade(model):
    """Partners may leave the code out (the legacy-address feed does): such a posting
    must not rank below the coded postings of its own trade for want of a code."""
    docs = _docs()
    uncoded = make_posting(external_id="J-U", title="Thợ may công nghiệp",
                           description="May quần áo theo mẫu.", required_skills=[],
                           occupation_code=None)
    docs.append(projection("jobs", {"id": 99, "version": 1, "data": uncoded}, "Test"))
    assert features.inferred_occupation(model, docs[-1]) == "7533"
    query = features.Query(["may quần áo"], model)
    feats = features.relevance_features(query, [(None, "may quần áo")], docs,
                                        features.skill_matcher(model), lambda d: None)
    twin = 2  # the coded posting of the same title in POSTINGS
    for name in ("occupation_fit", "occupation_group_fit", "occupation_nearest"):
        assert feats[name][-1] == pytest.approx(feats[name][twin]) and feats[name][-1] > 0, name
