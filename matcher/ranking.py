"""Matching: stage 1 asks the backend for candidates, stage 2 ranks and explains them.

Stage 2 is plain Python over the candidates' projections, identical for every
backend, so both backends rank alike. Job scores are sums of feature contributions
(matcher.features, weights from matcher.ranker); courses are in matcher.courses, the
profile and the practical fit (distance, pay, shifts) in matcher.practical.
"""
import numpy as np

from indexer import clock
from indexer.vocab import education_rank

from . import eligibility
from .courses import rank_courses, skill_gaps
from .features import (OCCUPATION_SHARE, RELEVANCE, LatentCache, relevance_features,
                       skill_matcher)
from .practical import (LOCATION_FIELDS, Profile, _common_prefix, _distance_scores,
                        _distances, _education_gaps, _labelled, _occupation_scores, _pay_fit,
                        _query, _shift_fit)
from .ranker import default_ranker

__all__ = ["Profile", "match", "rank_jobs", "rank_courses", "skill_gaps", "job_features",
           "job_weights", "top_reasons", "_query"]

# Hand-set weights of what the labelled set cannot teach (it has no places, pay or
# shifts): added to the fitted relevance weights (config/ranker-v3.json), which sum to
# RELEVANCE_SHARE, so that a job's score stays about 0..1.
JOB_PRACTICAL = {"occupation": 0.10, "distance": 0.10, "pay": 0.10, "shift": 0.05,
                 "missing_licences": -0.10, "education_gap": -0.10}
RELEVANCE_SHARE = 0.65
# What the profile asked for, as opposed to practical fit: the relevance floor and ties.
RELEVANCE_PARTS = (*RELEVANCE, "occupation_inferred")
# Features worth naming as a reason (the practical ones have their own fields).
REASON_FEATURES = ("title", "body", "skills", "coverage", "latent", "occupation_fit",
                   "occupation_group_fit", "occupation_nearest", "occupation_inferred",
                   "occupation", "distance", "pay", "shift")
# The relevance floor: a job is returned only with evidence that it matches what was
# asked (see _evidence) and a learned relevance of at least this share of the best's.
FLOOR_SHARE = 0.35
MIN_TEXT = 0.05
# Best candidates whose occupations vote for the occupation inferred from the skills
# (ranker-v1; ranker-v2 infers it from the occupation centroids: occupation_nearest).
INFER_TOP = 3
_LATENT = LatentCache()


def _inferred_occupation(first, docs, top=INFER_TOP):
    """How close each doc's occupation is to those of the ``top`` best by ``first``.

    The occupation the profile's skills point at, when no one said: a vote of the best
    candidates' occupation codes, weighted by their squared first-pass scores, with
    4 shared digits counting 1, 3 digits 0.5 and 2 digits 0.2.
    """
    codes = [d.get("occupation_code") or "" for d in docs]
    ids = np.array([d["id"] for d in docs])
    best = [i for i in np.lexsort((ids, -np.round(first, 6)))[:top] if first[i] > 0]
    votes = {}
    for i in best:
        if codes[i]:
            votes[codes[i]] = votes.get(codes[i], 0.0) + float(first[i]) ** 2
    total = sum(votes.values())
    if not total:
        return np.zeros(len(docs))
    memo = {}
    out = np.zeros(len(docs))
    for j, code in enumerate(codes):
        if code and code not in memo:
            memo[code] = sum(v * OCCUPATION_SHARE.get(len(_common_prefix(c, code)), 0.0)
                             for c, v in votes.items()) / total
        out[j] = memo.get(code, 0.0)
    return out


def job_features(profile, docs, model=None, ranker=None, distances=None):
    """{feature: array over docs}: the learned relevance features and the practical ones.
    ``distances``: those of ``docs`` (``_distances``), when the caller has them."""
    ranker = ranker or default_ranker()
    data = profile.data
    feats = relevance_features(profile.query(model), profile.skill_phrases(), docs,
                               skill_matcher(model), lambda d: _LATENT(model, d))
    feats["occupation_inferred"] = (
        _inferred_occupation(ranker.combine(feats, ranker.first), docs) if ranker.first
        else np.zeros(len(docs)))
    radius, min_pay = data.get("max_commute_km"), data.get("min_monthly_pay_vnd")
    want_shifts = set(data.get("shifts") or [])
    feats["occupation"] = _occupation_scores(data.get("desired_occupations", []), docs)
    if distances is None:
        distances = _distances(profile, docs)
    feats["distance"] = _distance_scores(distances, radius)
    pay, shift = [], []
    for doc in docs:
        fit = _pay_fit(min_pay, doc) if min_pay else None
        pay.append(0.5 if fit is None else fit ** 2)
        fit = _shift_fit(want_shifts, doc) if want_shifts else None
        shift.append(0.5 if fit is None else float(fit))
    feats["pay"], feats["shift"] = np.array(pay), np.array(shift)
    edu = education_rank(data.get("education")) if data.get("education") else None
    licences = set(data.get("licences") or [])
    feats["missing_licences"] = np.array([
        sum(c not in licences for c in doc.get("licences_required") or ()) for doc in docs],
        float)
    feats["education_gap"] = _education_gaps(edu, docs).astype(float)
    return feats


def job_weights(ranker=None, model=None):
    """Every feature's weight: the hand-set practical ones, unless the ranker has its own
    (one refitted from referral outcomes does), and the fitted relevance ones (for the
    corpus ``model``: Ranker.weights_for)."""
    ranker = ranker or default_ranker()
    return {**JOB_PRACTICAL, **ranker.weights_for(model)}


def _evidence(feats):
    """Whether each candidate matches something the profile asked for: a skill (by ID or
    words), words of the skills or desired occupations in the title or body, or a desired
    occupation."""
    return ((feats["skills"] > 0) | (feats["title"] > 0) | (feats["body"] >= MIN_TEXT)
            | (feats["occupation"] > 0))


def rank_jobs(profile, candidates, lang="vi", limit=None, model=None, ranker=None):
    """Score and explain job candidates; returns dicts sorted best first.

    Every candidate is scored (numbers for all of them at once); the score is the sum of
    its features' contributions (weight × value, rounded), listed in ``score_breakdown``.
    Candidates without evidence that they match what the profile asked for, or far
    below the best, are not returned (the relevance floor). Ties go to the more relevant
    (the relevance part of the score), then to the lower ID.
    """
    docs = [c.source for c in candidates]
    if not docs:
        return []
    distances = _distances(profile, docs)
    feats = job_features(profile, docs, model, ranker, distances)
    weights = job_weights(ranker, model)
    parts = {name: np.round(w * feats[name], 4) for name, w in weights.items()}
    scores = np.round(sum(parts.values()), 4)
    learned = sum(parts[name] for name in RELEVANCE_PARTS if name in parts)
    keep = _evidence(feats) & (learned >= FLOOR_SHARE * max(float(learned.max()), 0.0))
    have, data = profile.skills, profile.data
    licences = set(data.get("licences") or [])
    min_pay, want_shifts = data.get("min_monthly_pay_vnd"), set(data.get("shifts") or [])
    ids = np.array([d["id"] for d in docs])
    order = [i for i in np.lexsort((ids, -learned, -scores)) if keep[i]][:limit]
    out = []
    for i in order:
        doc = docs[i]
        required, preferred = doc.get("skills") or [], doc.get("preferred_skills") or []
        breakdown = {name: float(parts[name][i]) for name in weights if parts[name][i]}
        out.append({
            "id": doc["id"], "title": doc["title"], "partner": doc.get("partner_name"),
            "partner_id": doc.get("partner_id"), "score": float(scores[i]),
            "score_breakdown": breakdown,
            "employment_type": doc.get("employment_type"),
            "occupation_code": doc.get("occupation_code"),
            "location": {k: doc.get(k) for k in LOCATION_FIELDS},
            "monthly_pay_vnd": [doc.get("pay_min_month"), doc.get("pay_max_month")],
            "reasons": {
                "top": top_reasons(breakdown),
                "matched_skills": _labelled([s for s in required if s in have], lang),
                "missing_skills": _labelled([s for s in required if s not in have], lang),
                "matched_preferred_skills": _labelled([s for s in preferred if s in have], lang),
                "matched_skill_texts": _matched_texts(profile, doc),
                "distance_km": distances[i],
                "pay_fit": _pay_fit(min_pay, doc),
                "shift_fit": _shift_fit(want_shifts, doc),
                "missing_licences": [c for c in doc.get("licences_required") or []
                                     if c not in licences],
                "education_below_requirement": bool(feats["education_gap"][i]),
                "occupation_match": bool(feats["occupation"][i] > 0),
            },
        })
    return out


def top_reasons(breakdown, n=3):
    """The features that added most to a score (positive contributions, largest first)."""
    ranked = sorted(((v, k) for k, v in breakdown.items() if v > 0 and k in REASON_FEATURES),
                    key=lambda p: (-p[0], p[1]))
    return [k for _, k in ranked[:n]]


def _matched_texts(profile, doc):
    """The posting's skills written as text that one of the profile's skills matches."""
    texts = doc.get("skills_text") or []
    if not texts:
        return []
    matcher = skill_matcher(None)
    mine = [p for _, p in profile.skill_phrases()]
    return [t for t in texts if any(matcher.similarity(p, t) >= 0.5 for p in mine)]


def match(profile_data, backend, limit=10, candidates=200, today=None, lang="vi", corpus=None,
          ranker=None, partners=None, fair_chance_only=False, hidden_limit=0):
    """Ranked, explained jobs and courses for a validated profile.

    ``corpus`` gives the corpus model of a kind (indexer.corpus.CorpusModels.get); without
    it, re-ranking uses no corpus statistics (every word weighs the same, no latent space).
    ``partners`` maps partner IDs to their data (for fair-chance commitments, shown on
    each job; ``fair_chance_only`` keeps the jobs of partners who made some). The answer's
    ``hidden`` says what the eligibility filters hid (matcher.eligibility), listing up to
    ``hidden_limit`` of those jobs.
    """
    today = today or clock.today()
    profile = Profile(profile_data)
    models = {kind: corpus(kind) if corpus else None for kind in ("jobs", "courses")}
    committed = eligibility.fair_chance(partners or {})
    jobs_q = _query(profile, "jobs", profile.skills, candidates, today, **eligibility.job_filters(
        profile_data, set(committed) if fair_chance_only else None))
    found, report = backend.search_explained(jobs_q, hidden_limit)
    jobs = rank_jobs(profile, found, lang, limit=limit, model=models["jobs"], ranker=ranker)
    for job in jobs:
        job["fair_chance_commitments"] = committed.get(job.get("partner_id"), [])
    gaps = skill_gaps(profile, jobs)
    courses_q = _query(profile, "courses", set(gaps) | profile.skills, candidates, today)
    occupations = list(profile_data.get("desired_occupations") or [])
    occupations += [j["occupation_code"] for j in jobs[:5] if j.get("occupation_code")]
    courses = rank_courses(profile, backend.search(courses_q), gaps, today, occupations,
                           lang, limit=limit, model=models["courses"])
    teaching = {}
    for course in courses:
        for s in course["reasons"]["teaches_missing_skills"]:
            teaching.setdefault(s["id"], []).append(course["id"])
    for job in jobs:
        ids = []
        for s in job["reasons"]["missing_skills"]:
            ids += [c for c in teaching.get(s["id"], []) if c not in ids]
        job["reasons"]["courses_for_missing_skills"] = ids
    hidden = eligibility.hidden_section(report, jobs_q, profile, lang)
    for job in hidden.get("jobs", []):
        job["fair_chance_commitments"] = committed.get(job.get("partner_id"), [])
    return {"jobs": jobs, "courses": courses, "hidden": hidden,
            "profile": {"skills": _labelled(sorted(profile.skills), lang),
                        "unresolved_skills": profile_data.get("skills_text", [])}}
