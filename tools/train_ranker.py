"""Fit the stage-2 weights of job ranking (config/ranker-v3.json) with scikit-learn.

    python -m tools.train_ranker                      # on the dev set's fit split
    python -m tools.train_ranker --check-only         # figures of the shipped model
    python -m tools.train_ranker --from-referrals URL # refit from a deployment's outcomes

On the labelled set: the set is loaded through the feed loader (bench.quality), every
fit-split profile's candidates are retrieved as ``match`` does, their features computed
by ``matcher.ranking.job_features``, and a pairwise logistic regression (RankNet-style:
the difference of two candidates' features predicts which is more relevant, pairs
weighted by their difference in gain) learns the weights, none negative (a feature whose
weight comes out negative is left out and the rest refitted). Weights are scaled so that
they sum to RELEVANCE_SHARE. This is done twice: on the set loaded with its postings'
occupation codes (``weights``) and without them (``weights_clusters``: the corpus then
finds its occupations as clusters of the postings, indexer.corpus). The model is written
only if it beats the current one (the file itself, else the previous version:
ranker-v2.json) on the held-out split (bench.evalset.split_of) of both loads taken
together, and the figures go into the file. (ranker-v1 had a first pass too, whose best
candidates voted for the occupation; v2 infers it from the corpus's occupation
centroids instead: matcher.features.)

From referrals (a deployment's own outcomes, once there are MIN_OUTCOMES of them): every
job referral with an outcome is a labelled pair of (profile, posting): hired, or still
employed at 3 or 6 months, counts as a success (retention more), not hired or left as
a failure. Their features are recomputed from the stored profile and posting, a
logistic regression over every feature (the practical ones too: distance, pay, shifts)
is fitted on 70% of the profiles, and the result is written as a new model version
only when it orders the other 30% better (pairwise accuracy) than the shipped weights.
"""
import argparse
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "config" / "ranker-v3.json"
PREVIOUS = ROOT / "config" / "ranker-v2.json"
VERSION = 3
MAX_PAIRS = 300
MIN_OUTCOMES = 200
MIN_SUCCESSES = 30
OUTCOME_GAIN = {"hired": 1.0, "employed_3m": 1.5, "employed_6m": 2.0,
                "not_hired": 0.0, "left": 0.25}


def _pairs(feats, labels, rng):
    """Feature differences of candidate pairs with different labels, and their weights."""
    idx = np.arange(len(labels))
    diffs, weights = [], []
    pairs = [(i, j) for i in idx for j in idx if labels[i] > labels[j]]
    if len(pairs) > MAX_PAIRS:
        pairs = [pairs[k] for k in rng.choice(len(pairs), MAX_PAIRS, replace=False)]
    for i, j in pairs:
        diffs.append(feats[i] - feats[j])
        weights.append(2.0 ** labels[i] - 2.0 ** labels[j])
    return diffs, weights


def fit_pairwise(groups, names, seed=0):
    """Weights over ``names`` from [(feature matrix, labels)] per query (pairwise logistic)."""
    from sklearn.linear_model import LogisticRegression
    rng = np.random.default_rng(seed)
    xs, ws = [], []
    for feats, labels in groups:
        d, w = _pairs(feats, labels, rng)
        xs += d
        ws += w
    x = np.array(xs)
    x = np.vstack([x, -x])
    y = np.r_[np.ones(len(xs)), np.zeros(len(xs))]
    model = LogisticRegression(fit_intercept=False, C=1.0, max_iter=2000)
    model.fit(x, y, sample_weight=np.r_[ws, ws])
    return dict(zip(names, model.coef_[0].tolist()))


def scaled(weights, share):
    """``weights`` scaled so that the positive ones sum to ``share``, rounded."""
    positive = sum(w for w in weights.values() if w > 0) or 1.0
    return {k: round(w * share / positive, 4) for k, w in weights.items()}


def _candidates(service, data, profiles):
    """[(profile, candidate docs, labels)] for each profile, retrieved as ``match`` does."""
    from bench import evalset, quality
    from matcher import ranking
    from matcher.schemas import ProfileSchema
    names = quality.external_ids(service)
    isco = {p["id"]: p["isco"] for p in data["postings"]}
    today = dt.date.fromisoformat(quality.TODAY)
    out = []
    for p in profiles:
        body = ProfileSchema().load(evalset.profile_request(p, quality.PLACE))
        profile = ranking.Profile(body)
        query = ranking._query(profile, "jobs", profile.skills, 200, today)
        docs = [c.source for c in service.backend.search(query)]
        labels = np.array([evalset.relevance(p["isco"], isco[names[d["id"]]]) for d in docs])
        out.append((profile, docs, labels))
    return out


def _matrix(feats, names):
    return np.column_stack([feats[n] for n in names])


def fit_nonnegative(groups, names):
    """Pairwise weights over ``names`` none of which is negative: the most negative
    feature is left out (weight 0) and the rest refitted until none is. A feature that
    only helps against the others' errors on the fit split (a negative weight: more
    words of the profile in the body, lower rank) would not explain a score truly."""
    names, kept = list(names), list(names)
    while True:
        cols = [names.index(n) for n in kept]
        weights = fit_pairwise([(x[:, cols], y) for x, y in groups], kept)
        negative = [n for n in kept if weights[n] <= 0]
        if not negative:
            return {n: weights.get(n, 0.0) for n in names}
        kept.remove(min(negative, key=lambda n: (weights[n], n)))


def fit_on_set(service, data):
    """A Ranker fitted on the fit split of the labelled ``data`` loaded in ``service``:
    non-negative weights over the relevance features (matcher.features.RELEVANCE)."""
    from bench import evalset
    from matcher import features, ranking
    from matcher.ranker import Ranker
    fit = [p for p in data["profiles"] if evalset.split_of(p) == "fit"]
    rows = _candidates(service, data, fit)
    model = service.corpus.get("jobs")
    probe = Ranker({}, {n: 1.0 for n in features.RELEVANCE})
    names = list(features.RELEVANCE)
    groups = [(_matrix(ranking.job_features(p, docs, model, probe), names), labels)
              for p, docs, labels in rows]
    weights = scaled(fit_nonnegative(groups, names), ranking.RELEVANCE_SHARE)
    return Ranker({}, {n: w for n, w in weights.items() if w > 0})


def figures(service, data, ranker):
    """{split/variant: NDCG@10} of ``match`` with ``ranker`` over the set's profiles."""
    import functools

    from bench import evalset, quality
    from matcher import ranking
    match = functools.partial(ranking.match, ranker=ranker)
    scores = quality.scores_of(quality.project_rankings(service, data["profiles"], match=match),
                               data)
    summary = evalset.summarise(scores, data["profiles"])
    return {f"{s}/{v}": round(summary[(s, v, "all")][0], 4)
            for s in ("all", "fit", "check") for v in ("easy", "hard")}


def _held_out(figs):
    """The held-out split's easy and hard figures of both loads, added up."""
    return sum(f["check/easy"] + f["check/hard"] for f in figs.values())


def train_on_set(path, out=MODEL, check_only=False):
    """Fit on ``path``'s fit split (with and without codes), compare with the current
    model, write if better on the held-out split."""
    from bench import evalset, quality
    from matcher.ranker import Ranker
    data = evalset.load(path)
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    current = Ranker.from_file(out if Path(out).exists() else PREVIOUS)
    old, new, fitted = {}, {}, {}
    for variant in ("coded", "uncoded"):
        with quality.loaded(data, coded=variant == "coded") as service:
            old[variant] = figures(service, data, current)
            print(f"current, {variant}:", json.dumps(old[variant]))
            if check_only:
                continue
            fitted[variant] = fit_on_set(service, data).weights
            if variant == "uncoded":
                ranker = Ranker({}, fitted["coded"], {"weights_clusters": fitted["uncoded"]})
                for v in ("coded", "uncoded"):
                    with quality.loaded(data, coded=v == "coded") as again:
                        new[v] = figures(again, data, ranker)
                        print(f"fitted, {v}: ", json.dumps(new[v]))
    if check_only:
        return 0
    if _held_out(new) <= _held_out(old):
        print("the fitted weights do not beat the current ones on the held-out split; "
              f"{out.name} left as it is")
        return 1
    import sklearn
    body = {"version": VERSION, "trained_on": f"{Path(path).name} (sha256 {digest}…), fit split",
            "trainer": "tools/train_ranker.py", "sklearn": sklearn.__version__,
            "date": dt.date.today().isoformat(),
            "first_pass": ranker.first, "weights": ranker.weights,
            "weights_clusters": ranker.clustered,
            "ndcg@10": new["coded"], "ndcg@10_uncoded": new["uncoded"],
            "ndcg@10_before": old["coded"], "ndcg@10_uncoded_before": old["uncoded"]}
    out.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written {out}")
    return 0


def main(argv=None):
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=None, help="labelled set (default: dev)")
    parser.add_argument("--out", type=Path, default=MODEL)
    parser.add_argument("--check-only", action="store_true")
    parser.add_argument("--from-referrals", metavar="DATA_DIR", default=None,
                        help="a deployment's data directory (its settings) to refit from")
    args = parser.parse_args(argv)
    if args.from_referrals:
        from tools.train_from_referrals import main as from_referrals
        return from_referrals(args.from_referrals, args.out)
    from bench import evalset
    path = args.set or evalset.find_dev_set()
    if path is None:
        parser.error("no labelled set: pass --set")
    return train_on_set(path, args.out, args.check_only)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
