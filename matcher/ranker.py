"""The fitted combination of stage-2 features (config/ranker-v<N>.json, tools/train_ranker.py).

The score of a job is linear in its features, so it splits exactly into one
contribution per feature: the learned relevance features (matcher.features and the
occupation inferred from the best candidates) plus hand-set practical ones (desired
occupation, distance, pay, shift) and penalties, which the labelled set cannot teach
(it holds none of them) until a deployment's referral outcomes can.

From ranker-v3 on, a model has a second set of relevance weights, ``weights_clusters``,
fitted the same way on the same split with the postings sent without occupation codes:
it scores candidates whose corpus found its occupations as clusters of the postings
(indexer.corpus), whose occupation features are noisier than a partner's codes.
"""
import json
from functools import lru_cache

from indexer.settings import config_path

MODEL_FILE = "ranker-v3.json"


class Ranker:
    """Feature weights: ``weights`` score (``weights_clusters`` in ``meta``, where there
    are, in a corpus without codes); ``first`` (ranker-v1 only, else empty) ranks the
    candidates whose occupations vote for ``occupation_inferred``."""

    def __init__(self, first, weights, meta=None):
        self.first, self.weights, self.meta = dict(first), dict(weights), dict(meta or {})
        self.clustered = dict(self.meta.get("weights_clusters") or {})

    def weights_for(self, model):
        """The relevance weights for a corpus ``model``: the clusters' when its occupations
        are clusters of the postings and this ranker has them, else ``weights``."""
        if self.clustered and getattr(model, "occupation_clusters_", False):
            return self.clustered
        return self.weights

    @classmethod
    def from_file(cls, path):
        """A ranker written by tools/train_ranker.py."""
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return cls(data.get("first_pass") or {}, data["weights"], data)

    def combine(self, features, weights=None):
        """Σ weight × feature over ``features`` ({name: array}); names without weight add 0."""
        weights = self.weights if weights is None else weights
        total = 0.0
        for name, w in weights.items():
            if name in features:
                total = total + w * features[name]
        return total


@lru_cache(maxsize=4)
def default_ranker(name=MODEL_FILE):
    """The ranker shipped in config/."""
    return Ranker.from_file(config_path(name))


@lru_cache(maxsize=8)
def _ranker_at(path):
    return Ranker.from_file(path)


def ranker_for(settings):
    """The ranker the settings name (RANKER_MODEL), else the shipped one."""
    path = settings.get("RANKER_MODEL") or ""
    return _ranker_at(str(path)) if path else default_ranker()
