"""The labelled ranking set (ESCO, see ../shared/eval/README.md): load it, split it, score it.

A set has ``postings`` (title, description, skills as text, a 4-digit ISCO code) and
``profiles`` (skills as text, the ISCO code of the occupation they were drawn from, a
``variant`` easy/hard and ``k`` skills). The relevance of a posting to a profile is
3 for the same 4-digit unit group, 2 for the same 3 digits, 1 for the same 2, else 0;
rankings are scored by graded NDCG@10 (gain 2^rel - 1, ideal DCG over all postings).
"""
import hashlib
import json
import math
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = "shared/eval/esco-dev.json"
CUTOFF = 10
# Share of the dev set's occupations (ISCO unit groups) kept for fitting; the rest is
# the internal held-out split on which a fitted model is checked.
FIT_SHARE = 0.7


def find_dev_set():
    """The dev set: $VUNGBUOC_EVAL_SET, else shared/eval/ beside the repository (or above)."""
    explicit = os.environ.get("VUNGBUOC_EVAL_SET")
    if explicit:
        return Path(explicit)
    for parent in ROOT.parents:
        candidate = parent / DEV_SET
        if candidate.exists():
            return candidate
    return None


def load(path):
    """The set in ``path`` as a dict."""
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def relevance(profile_isco, posting_isco):
    """Graded relevance by shared ISCO digits: 3, 2, 1 or 0."""
    for digits, grade in ((4, 3), (3, 2), (2, 1)):
        if profile_isco[:digits] == posting_isco[:digits]:
            return grade
    return 0


def ndcg(ranked_iscos, profile_isco, all_iscos, cutoff=CUTOFF):
    """Graded NDCG@cutoff of a ranking (the ISCO codes of the ranked postings)."""
    def dcg(grades):
        return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:cutoff]))
    ideal = dcg(sorted((relevance(profile_isco, c) for c in all_iscos), reverse=True))
    if not ideal:
        return 0.0
    return dcg([relevance(profile_isco, c) for c in ranked_iscos]) / ideal


def split_of(profile):
    """"fit" or "check": by a hash of the profile's unit group, so that no occupation is
    in both (a model checked on occupations it was fitted on would look better than it is)."""
    digest = hashlib.sha256(profile["isco"].encode()).digest()
    return "fit" if digest[0] / 256 < FIT_SHARE else "check"


def profile_request(profile, place):
    """The match-request profile for an eval profile: its skills, at ``place``, far commute."""
    return {"skills": list(profile["skills"]), "location": dict(place), "max_commute_km": 300}


def summarise(scores, profiles):
    """Mean NDCG by (split, variant, k) and by (split, variant), with counts.

    ``scores`` maps profile ID to NDCG; ``split`` is "all", "fit" or "check".
    """
    groups = {}
    for p in profiles:
        if p["id"] not in scores:
            continue
        for split in ("all", split_of(p)):
            for k in ("all", str(p["k"])):
                groups.setdefault((split, p["variant"], k), []).append(scores[p["id"]])
    return {key: (sum(v) / len(v), len(v)) for key, v in sorted(groups.items())}
