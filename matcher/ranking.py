"""Matching: stage 1 asks the backend for candidates, stage 2 ranks and explains them.

Stage 2 is plain Python over the candidates' projections, identical for every
backend, so both backends rank alike.
"""
import dataclasses
import datetime as dt
import functools
import math

import numpy as np

from indexer.backends import CandidateQuery
from indexer.backends.base import EARTH_RADIUS_KM
from indexer.taxonomy import default_taxonomy
from indexer.text import keywords
from indexer.vocab import education_rank, occupation_label

from .features import (RELEVANCE, LatentCache, Query, SkillMatcher, _field_score,
                       relevance_features)
from .ranker import default_ranker

# Hand-set weights of what the labelled set cannot teach (it has no places, pay or
# shifts): added to the fitted relevance weights (config/ranker-v1.json), which sum to
# RELEVANCE_SHARE, so that a job's score stays about 0..1.
JOB_PRACTICAL = {"occupation": 0.10, "distance": 0.10, "pay": 0.10, "shift": 0.05,
                 "missing_licences": -0.10, "education_gap": -0.10}
RELEVANCE_SHARE = 0.65
# What the profile asked for, as opposed to practical fit: the relevance floor and ties.
RELEVANCE_PARTS = (*RELEVANCE, "occupation_inferred")
# Features worth naming as a reason (the practical ones have their own fields).
REASON_FEATURES = ("title", "body", "skills", "coverage", "latent", "occupation_inferred",
                   "occupation", "distance", "pay", "shift")
# The relevance floor: a job is returned only with evidence that it matches what was
# asked (see _evidence) and a learned relevance of at least this share of the best's.
FLOOR_SHARE = 0.2
MIN_TEXT = 0.05
# Best candidates whose occupations vote for the occupation inferred from the skills.
INFER_TOP = 3
_OCCUPATION_SHARE = {4: 1.0, 3: 0.5, 2: 0.2}
_LATENT = LatentCache()
COURSE_WEIGHTS = {"teaches": 0.45, "related": 0.10, "occupation": 0.10, "text": 0.05,
                  "distance": 0.10, "cost": 0.10, "start": 0.10}
# A course that teaches no missing skill is shown only if at least this related.
MIN_COURSE_TEXT = 0.3
PENALTY_EDUCATION = 0.10
# Top jobs whose missing skills the courses should teach.
GAP_JOBS = 10


@dataclasses.dataclass(eq=False)
class Profile:
    """A validated profile (matcher.schemas.ProfileSchema output) prepared for matching."""

    data: dict

    @functools.cached_property
    def skills(self):
        return frozenset(self.data.get("skill_ids", []))

    @property
    def location(self):
        return self.data.get("location") or {}

    def phrases(self):
        """What the person looks for, as text: skill labels, unresolved skills and desired
        occupations; the experience text only when they say nothing."""
        taxonomy = default_taxonomy()
        parts = [*(taxonomy.label(s) for s in self.data.get("skill_ids", [])),
                 *self.data.get("skills_text", []),
                 *(occupation_label(c) for c in self.data.get("desired_occupations", []))]
        parts = [p for p in parts if p]
        return parts or [self.data.get("experience") or ""]

    def skill_phrases(self):
        """The profile's skills as (taxonomy ID or None, phrase) pairs."""
        taxonomy = default_taxonomy()
        return ([(s, taxonomy.label(s)) for s in self.data.get("skill_ids", [])]
                + [(None, t) for t in self.data.get("skills_text", [])])

    def query_text(self):
        """Free text for retrieval: the keywords (no stop words) of the experience,
        unresolved skills and skill labels, as written."""
        taxonomy = default_taxonomy()
        parts = [self.data.get("experience") or "", *self.data.get("skills_text", []),
                 *(taxonomy.label(s) for s in self.data.get("skill_ids", []))]
        return " ".join(e for p in parts if p for _, e in keywords(p))

    def query(self, model):
        """The stage-2 query (matcher.features.Query) against corpus ``model``."""
        cached = self.__dict__.setdefault("_queries", {})
        if id(model) not in cached:
            cached[id(model)] = Query(self.phrases(), model)
        return cached[id(model)]

    def geo(self):
        """(lat, lon) or None."""
        loc = self.location
        return (loc["lat"], loc["lon"]) if loc.get("lat") is not None else None


def _area_filters(profile):
    loc, geo, radius = profile.location, profile.geo(), profile.data.get("max_commute_km")
    if geo and radius:
        return {"lat": geo[0], "lon": geo[1], "radius_km": radius,
                "home_province": loc.get("province")}
    if loc.get("district"):
        return {"province": loc.get("province"), "district": loc["district"]}
    if loc.get("province"):
        return {"province": loc["province"]}
    return {}


def _query(profile, kind, skills, limit, today, offence=None):
    return CandidateQuery(kind=kind, text=profile.query_text(), skills=sorted(skills),
                          today=today, offence=offence, limit=limit, **_area_filters(profile))


def _distances(profile, docs):
    """Distance in km (rounded to 0.1) from the profile's home to each doc, or None.

    Computed for all candidates at once with the same haversine as ``haversine_km``.
    """
    geo = profile.geo()
    if not geo:
        return [None] * len(docs)
    lat = np.array([np.nan if d.get("lat") is None else d["lat"] for d in docs])
    lon = np.array([np.nan if d.get("lon") is None else d["lon"] for d in docs])
    p1, p2 = math.radians(geo[0]), np.radians(lat)
    a = (np.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * np.cos(p2) * np.sin(np.radians(lon - geo[1]) / 2) ** 2)
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
    return [None if math.isnan(v) else round(v, 1) for v in km.tolist()]


def _distance_scores(distances, radius):
    out = np.full(len(distances), 0.5)
    known = [i for i, v in enumerate(distances) if v is not None]
    if known:
        km = np.array([distances[i] for i in known])
        out[known] = np.maximum(0.0, 1.0 - km / radius) if radius else np.exp(-km / 30.0)
    return out


def _occupation_scores(desired, docs):
    memo = {}
    out = []
    for d in docs:
        code = d.get("occupation_code")
        if code not in memo:
            memo[code] = _occupation_match(desired, code)
        out.append(memo[code])
    return np.array(out)


def _education_gaps(edu, docs):
    if edu is None:
        return np.zeros(len(docs), bool)
    memo = {}
    out = []
    for d in docs:
        code = d.get("min_education")
        if code not in memo:
            memo[code] = education_rank(code) > edu
        out.append(memo[code])
    return np.array(out, bool)


def _occupation_match(desired, code):
    if not code:
        return 0.0
    best = 0.0
    for d in desired:
        shared = len(_common_prefix(d, code))
        best = max(best, {4: 1.0, 3: 0.7, 2: 0.4}.get(min(shared, len(d)), 0.0)
                   if shared >= 2 else 0.0)
    return best


def _common_prefix(a, b):
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _labelled(ids, lang):
    taxonomy = default_taxonomy()
    return [{"id": s, "label": taxonomy.label(s, lang)} for s in ids]


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
            memo[code] = sum(v * _OCCUPATION_SHARE.get(len(_common_prefix(c, code)), 0.0)
                             for c, v in votes.items()) / total
        out[j] = memo.get(code, 0.0)
    return out


def job_features(profile, docs, model=None, ranker=None):
    """{feature: array over docs}: the learned relevance features and the practical ones."""
    ranker = ranker or default_ranker()
    data = profile.data
    feats = relevance_features(profile.query(model), profile.skill_phrases(), docs,
                               SkillMatcher(model), lambda d: _LATENT(model, d))
    feats["occupation_inferred"] = _inferred_occupation(ranker.combine(feats, ranker.first), docs)
    radius, min_pay = data.get("max_commute_km"), data.get("min_monthly_pay_vnd")
    want_shifts = set(data.get("shifts") or [])
    feats["occupation"] = _occupation_scores(data.get("desired_occupations", []), docs)
    feats["distance"] = _distance_scores(_distances(profile, docs), radius)
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


def job_weights(ranker=None):
    """Every feature's weight: the hand-set practical ones, unless the ranker has its own
    (one refitted from referral outcomes does), and the fitted relevance ones."""
    ranker = ranker or default_ranker()
    return {**JOB_PRACTICAL, **ranker.weights}


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
    feats = job_features(profile, docs, model, ranker)
    weights = job_weights(ranker)
    parts = {name: np.round(w * feats[name], 4) for name, w in weights.items()}
    scores = np.round(sum(parts.values()), 4)
    learned = sum(parts[name] for name in RELEVANCE_PARTS if name in parts)
    keep = _evidence(feats) & (learned >= FLOOR_SHARE * max(float(learned.max()), 0.0))
    have, data = profile.skills, profile.data
    licences = set(data.get("licences") or [])
    min_pay, want_shifts = data.get("min_monthly_pay_vnd"), set(data.get("shifts") or [])
    distances = _distances(profile, docs)
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
            "location": {k: doc.get(k) for k in ("province", "district", "ward", "lat", "lon")},
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
    matcher = SkillMatcher(None)
    mine = [p for _, p in profile.skill_phrases()]
    return [t for t in texts if any(matcher.similarity(p, t) >= 0.5 for p in mine)]


def _pay_fit(min_pay, doc):
    pay_max = doc.get("pay_max_month") or doc.get("pay_min_month")
    return round(min(1.0, pay_max / min_pay), 2) if min_pay and pay_max else None


def _shift_fit(want, doc):
    shifts = doc.get("shifts")
    if not (want and shifts):
        return None
    return "flexible" in want or "flexible" in shifts or not want.isdisjoint(shifts)


def _next_start(doc, iso):
    return next((d for d in doc.get("start_dates") or () if d >= iso), None)


def rank_courses(profile, candidates, gaps, today, occupations=(), lang="vi", limit=None,
                 model=None):
    """Score and explain course candidates against the skill ``gaps`` ({skill: weight}).

    ``occupations`` are the codes the person aims at (desired, and those of the best
    jobs); a course for one of them, or deepening a skill the person has, is related.
    A course that is none of these, nor close enough in text, is dropped. With
    ``limit``, only the best ``limit`` are explained and returned.
    """
    data, have = profile.data, profile.skills
    all_docs = [c.source for c in candidates]
    occupation = _occupation_scores(occupations, all_docs)
    query = profile.query(model)
    text = np.array([min(1.0, 0.5 * (_field_score(query, d.get("title_terms"), 8.0)
                                     + _field_score(query, d.get("body_terms"), 60.0)) * 2)
                     for d in all_docs])
    keep = [i for i, doc in enumerate(all_docs)
            if occupation[i] or text[i] >= MIN_COURSE_TEXT
            or not (gaps.keys() | have).isdisjoint(doc.get("skills") or ())]
    if not keep:
        return []
    docs, occupation, text = [all_docs[i] for i in keep], occupation[keep], text[keep]
    radius = data.get("max_commute_km")
    edu = education_rank(data.get("education")) if data.get("education") else None
    total = sum(gaps.values()) or 1
    iso = today.isoformat()
    distances = _distances(profile, docs)
    teaches, related, cost, start = [], [], [], []
    for doc in docs:
        skills = doc.get("skills") or ()
        teaches.append(sum(gaps.get(s, 0) for s in skills) / total)
        related.append(min(1.0, len(have.intersection(skills)) / 2))
        next_start = _next_start(doc, iso)
        start.append(max(0.0, 1.0 - (dt.date.fromisoformat(next_start) - today).days / 180)
                     if next_start else 0.3)
        funding, price = doc.get("funding"), doc.get("cost_vnd") or 0
        cost.append(1.0 if funding == "free" or not price else (
            0.8 if funding == "state_supported" else max(0.0, 1.0 - price / 15_000_000)))
    feats = {"teaches": np.array(teaches), "related": np.array(related),
             "occupation": occupation, "text": text,
             "distance": _distance_scores(distances, radius), "cost": np.array(cost),
             "start": np.array(start), "education_gap": _education_gaps(edu, docs).astype(float)}
    weights = {**COURSE_WEIGHTS, "education_gap": -PENALTY_EDUCATION}
    parts = {name: np.round(w * feats[name], 4) for name, w in weights.items()}
    scores = np.round(sum(parts.values()), 4)
    ids = np.array([d["id"] for d in docs])
    out = []
    for i in np.lexsort((ids, -scores))[:limit]:
        doc = docs[i]
        skills = doc.get("skills") or []
        breakdown = {name: float(parts[name][i]) for name in weights if parts[name][i]}
        out.append({
            "id": doc["id"], "title": doc["title"], "partner": doc.get("partner_name"),
            "partner_id": doc.get("partner_id"), "score": float(scores[i]),
            "score_breakdown": breakdown,
            "level": doc.get("level"),
            "location": {k: doc.get(k) for k in ("province", "district", "ward", "lat", "lon")},
            "reasons": {
                "top": _top_course_reasons(breakdown),
                "teaches_missing_skills": _labelled([s for s in skills if s in gaps], lang),
                "builds_on_skills": _labelled([s for s in skills if s in have], lang),
                "occupation_match": bool(occupation[i] > 0),
                "distance_km": distances[i],
                "cost_vnd": doc.get("cost_vnd") or 0, "funding": doc.get("funding"),
                "next_start": _next_start(doc, iso), "duration_weeks": doc.get("duration_weeks"),
                "education_below_requirement": bool(
                    edu is not None and education_rank(doc.get("min_education")) > edu),
            },
        })
    return out


def _top_course_reasons(breakdown, n=3):
    ranked = sorted(((v, k) for k, v in breakdown.items() if v > 0), key=lambda p: (-p[0], p[1]))
    return ["course_" + k for _, k in ranked[:n]]


def skill_gaps(profile, jobs):
    """Skills the profile lacks, weighted by how many top jobs and desired occupations need them."""
    taxonomy = default_taxonomy()
    have = profile.skills
    gaps = {}
    relevant = [j for j in jobs if j["reasons"]["matched_skills"]
                or j["reasons"]["occupation_match"]]
    for job in relevant[:GAP_JOBS]:
        for s in job["reasons"]["missing_skills"]:
            gaps[s["id"]] = gaps.get(s["id"], 0) + 1
    desired = profile.data.get("desired_occupations") or []
    if desired:
        for skill_id, skill in taxonomy.skills.items():
            if skill_id not in have and skill.get("isco") and any(
                    skill["isco"].startswith(d) for d in desired):
                gaps[skill_id] = gaps.get(skill_id, 0) + 1
    return gaps


def match(profile_data, backend, limit=10, candidates=200, today=None, lang="vi", corpus=None,
          ranker=None):
    """Ranked, explained jobs and courses for a validated profile.

    ``corpus`` gives the corpus model of a kind (indexer.corpus.CorpusModels.get); without
    it, re-ranking uses no corpus statistics (every word weighs the same, no latent space).
    """
    today = today or dt.date.today()
    profile = Profile(profile_data)
    models = {kind: corpus(kind) if corpus else None for kind in ("jobs", "courses")}
    jobs_q = _query(profile, "jobs", profile.skills, candidates, today,
                    offence=profile_data.get("offence_category"))
    jobs = rank_jobs(profile, backend.search(jobs_q), lang, limit=limit, model=models["jobs"],
                     ranker=ranker)
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
    return {"jobs": jobs, "courses": courses,
            "profile": {"skills": _labelled(sorted(profile.skills), lang),
                        "unresolved_skills": profile_data.get("skills_text", [])}}
