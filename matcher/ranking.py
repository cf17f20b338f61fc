"""Matching: stage 1 asks the backend for candidates, stage 2 ranks and explains them.

Stage 2 is plain Python over the candidates' projections, identical for every
backend, so both backends rank alike.
"""
import dataclasses
import datetime as dt
import functools
import math

import numpy as np

from indexer import clock
from indexer.backends import CandidateQuery
from indexer.backends.base import EARTH_RADIUS_KM
from indexer.taxonomy import default_taxonomy
from indexer.text import tokens
from indexer.vocab import education_rank, occupation_label

# Weights of the job score; they sum to 1 before penalties.
JOB_WEIGHTS = {"coverage": 0.40, "preferred": 0.10, "text": 0.15, "occupation": 0.10,
               "distance": 0.10, "pay": 0.10, "shift": 0.05}
COURSE_WEIGHTS = {"teaches": 0.45, "related": 0.10, "occupation": 0.10, "text": 0.05,
                  "distance": 0.10, "cost": 0.10, "start": 0.10}
# A course that teaches no missing skill is shown only if at least this related.
MIN_COURSE_TEXT = 0.3
PENALTY_LICENCE = 0.10
PENALTY_EDUCATION = 0.10
# Top jobs whose missing skills the courses should teach.
GAP_JOBS = 10
LOCATION_FIELDS = ("province", "province_code", "ward", "ward_code", "lat", "lon")
# Syllables too common to say anything about relevance.
STOPWORDS = set("va cua co cac nhung mot la o tai cho voi tu den duoc khong nam toi lam viec "
                "nguoi the nay do da se thi ma neu khi ve tren duoi trong ngoai".split())


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

    def query_text(self):
        """Free text for retrieval: experience, unresolved skills and skill labels."""
        taxonomy = default_taxonomy()
        parts = [self.data.get("experience") or "", *self.data.get("skills_text", []),
                 *(taxonomy.label(s) for s in self.data.get("skill_ids", []))]
        return " ".join(p for p in parts if p)

    @functools.cached_property
    def query_terms(self):
        """Folded syllables that carry meaning, for stage-2 text relevance.

        Skill labels, unresolved skills and desired occupations say what the person
        looks for; the experience text is used only when they say nothing.
        """
        taxonomy = default_taxonomy()
        parts = [*self.data.get("skills_text", []),
                 *(taxonomy.label(s) for s in self.data.get("skill_ids", [])),
                 *(occupation_label(c) for c in self.data.get("desired_occupations", []))]
        text = " ".join(p for p in parts if p) or self.data.get("experience") or ""
        return frozenset(t for t in tokens(text) if t not in STOPWORDS and len(t) > 1)

    def geo(self):
        """(lat, lon) or None."""
        loc = self.location
        return (loc["lat"], loc["lon"]) if loc.get("lat") is not None else None


def _area_filters(profile):
    loc, geo, radius = profile.location, profile.geo(), profile.data.get("max_commute_km")
    if geo and radius:
        return {"lat": geo[0], "lon": geo[1], "radius_km": radius,
                "home_province_code": loc.get("province_code")}
    if loc.get("ward_code"):
        return {"province_code": loc.get("province_code"), "ward_code": loc["ward_code"]}
    if loc.get("province_code"):
        return {"province_code": loc["province_code"]}
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


def _text_scores(terms, docs):
    if not terms:
        return np.zeros(len(docs))
    n = 3 * len(terms)
    inter = terms.intersection
    return np.array([(2 * len(inter(d.get("title_terms") or ())) + len(inter(d.get("body_terms") or ()))) / n
                     for d in docs])


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


def _ranked(scores, docs, limit):
    """Indices of ``docs`` by score (rounded to 4 places) then ID, the best ``limit``."""
    scores = np.round(np.maximum(scores, 0.0), 4)
    ids = np.array([d["id"] for d in docs])
    order = np.lexsort((ids, -scores))[:limit]
    return [(int(i), float(scores[i])) for i in order]


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


def rank_jobs(profile, candidates, lang="vi", limit=None):
    """Score and explain job candidates; returns dicts sorted best first.

    Every candidate is scored (numbers for all of them at once where they are numbers);
    only the best ``limit`` are explained and returned, the same as slicing the full list.
    """
    docs = [c.source for c in candidates]
    if not docs:
        return []
    data, have, terms = profile.data, profile.skills, profile.query_terms
    radius, min_pay = data.get("max_commute_km"), data.get("min_monthly_pay_vnd")
    want_shifts = set(data.get("shifts") or [])
    edu = education_rank(data.get("education")) if data.get("education") else None
    licences = set(data.get("licences") or [])
    distances = _distances(profile, docs)
    occupation = _occupation_scores(data.get("desired_occupations", []), docs)
    edu_gap = _education_gaps(edu, docs)
    coverage, preferred, pay, shift, n_licences = [], [], [], [], []
    for doc in docs:
        required, pref = doc.get("skills") or (), doc.get("preferred_skills") or ()
        coverage.append(len(have.intersection(required)) / len(required) if required else 0.5)
        preferred.append(len(have.intersection(pref)) / len(pref) if pref else 0.0)
        fit = _pay_fit(min_pay, doc) if min_pay else None
        pay.append(0.5 if fit is None else fit ** 2)
        fit = _shift_fit(want_shifts, doc) if want_shifts else None
        shift.append(0.5 if fit is None else float(fit))
        needed = doc.get("licences_required")
        n_licences.append(sum(c not in licences for c in needed) if needed else 0)
    w = JOB_WEIGHTS
    scores = (w["coverage"] * np.array(coverage) + w["preferred"] * np.array(preferred)
              + w["text"] * _text_scores(terms, docs) + w["occupation"] * occupation
              + w["distance"] * _distance_scores(distances, radius) + w["pay"] * np.array(pay)
              + w["shift"] * np.array(shift)
              - PENALTY_LICENCE * np.array(n_licences) - PENALTY_EDUCATION * edu_gap)
    out = []
    for i, score in _ranked(scores, docs, limit):
        doc = docs[i]
        required, preferred = doc.get("skills") or [], doc.get("preferred_skills") or []
        out.append({
            "id": doc["id"], "title": doc["title"], "partner": doc.get("partner_name"),
            "partner_id": doc.get("partner_id"), "score": score,
            "employment_type": doc.get("employment_type"),
            "occupation_code": doc.get("occupation_code"),
            "location": {k: doc.get(k) for k in LOCATION_FIELDS},
            "monthly_pay_vnd": [doc.get("pay_min_month"), doc.get("pay_max_month")],
            "reasons": {
                "matched_skills": _labelled([s for s in required if s in have], lang),
                "missing_skills": _labelled([s for s in required if s not in have], lang),
                "matched_preferred_skills": _labelled([s for s in preferred if s in have], lang),
                "distance_km": distances[i],
                "pay_fit": _pay_fit(min_pay, doc),
                "shift_fit": _shift_fit(want_shifts, doc),
                "missing_licences": [c for c in doc.get("licences_required") or []
                                     if c not in licences],
                "education_below_requirement": bool(edu_gap[i]),
                "occupation_match": bool(occupation[i] > 0),
            },
        })
    return out


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


def rank_courses(profile, candidates, gaps, today, occupations=(), lang="vi", limit=None):
    """Score and explain course candidates against the skill ``gaps`` ({skill: weight}).

    ``occupations`` are the codes the person aims at (desired, and those of the best
    jobs); a course for one of them, or deepening a skill the person has, is related.
    A course that is none of these, nor close enough in text, is dropped. With
    ``limit``, only the best ``limit`` are explained and returned.
    """
    data, terms, have = profile.data, profile.query_terms, profile.skills
    all_docs = [c.source for c in candidates]
    occupation = _occupation_scores(occupations, all_docs)
    text = _text_scores(terms, all_docs)
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
    w = COURSE_WEIGHTS
    scores = (w["teaches"] * np.array(teaches) + w["related"] * np.array(related)
              + w["occupation"] * occupation + w["text"] * text
              + w["distance"] * _distance_scores(distances, radius)
              + w["cost"] * np.array(cost) + w["start"] * np.array(start)
              - PENALTY_EDUCATION * _education_gaps(edu, docs))
    out = []
    for i, score in _ranked(scores, docs, limit):
        doc = docs[i]
        skills = doc.get("skills") or []
        out.append({
            "id": doc["id"], "title": doc["title"], "partner": doc.get("partner_name"),
            "partner_id": doc.get("partner_id"), "score": score,
            "level": doc.get("level"),
            "location": {k: doc.get(k) for k in LOCATION_FIELDS},
            "reasons": {
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


def match(profile_data, backend, limit=10, candidates=200, today=None, lang="vi"):
    """Ranked, explained jobs and courses for a validated profile."""
    today = today or clock.today()
    profile = Profile(profile_data)
    jobs_q = _query(profile, "jobs", profile.skills, candidates, today,
                    offence=profile_data.get("offence_category"))
    jobs = rank_jobs(profile, backend.search(jobs_q), lang, limit=limit)
    gaps = skill_gaps(profile, jobs)
    courses_q = _query(profile, "courses", set(gaps) | profile.skills, candidates, today)
    occupations = list(profile_data.get("desired_occupations") or [])
    occupations += [j["occupation_code"] for j in jobs[:5] if j.get("occupation_code")]
    courses = rank_courses(profile, backend.search(courses_q), gaps, today, occupations,
                           lang, limit=limit)
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
