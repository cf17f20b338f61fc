"""Matching: stage 1 asks the backend for candidates, stage 2 ranks and explains them.

Stage 2 is plain Python over the candidates' projections, identical for every
backend, so both backends rank alike.
"""
import dataclasses
import datetime as dt
import math

from indexer.backends import CandidateQuery
from indexer.backends.base import haversine_km
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
# Syllables too common to say anything about relevance.
STOPWORDS = set("va cua co cac nhung mot la o tai cho voi tu den duoc khong nam toi lam viec "
                "nguoi the nay do da se thi ma neu khi ve tren duoi trong ngoai".split())


@dataclasses.dataclass
class Profile:
    """A validated profile (matcher.schemas.ProfileSchema output) prepared for matching."""

    data: dict

    @property
    def skills(self):
        return set(self.data.get("skill_ids", []))

    @property
    def location(self):
        return self.data.get("location") or {}

    def query_text(self):
        """Free text for retrieval: experience, unresolved skills and skill labels."""
        taxonomy = default_taxonomy()
        parts = [self.data.get("experience") or "", *self.data.get("skills_text", []),
                 *(taxonomy.label(s) for s in self.data.get("skill_ids", []))]
        return " ".join(p for p in parts if p)

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
        return {t for t in tokens(text) if t not in STOPWORDS and len(t) > 1}

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


def _distance(profile, doc):
    geo = profile.geo()
    if not geo or doc.get("lat") is None:
        return None
    return round(haversine_km(geo[0], geo[1], doc["lat"], doc["lon"]), 1)


def _distance_score(distance, radius):
    if distance is None:
        return 0.5
    if radius:
        return max(0.0, 1.0 - distance / radius)
    return math.exp(-distance / 30.0)


def _text_score(terms, doc):
    if not terms:
        return 0.0
    title = terms.intersection(doc.get("title_terms", []))
    body = terms.intersection(doc.get("body_terms", []))
    return (2 * len(title) + len(body)) / (3 * len(terms))


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

    With ``limit``, only the best ``limit`` are explained and returned (the same as
    slicing the full list, without building explanations that would be dropped).
    """
    data, have, terms = profile.data, profile.skills, profile.query_terms()
    radius, min_pay = data.get("max_commute_km"), data.get("min_monthly_pay_vnd")
    want_shifts = set(data.get("shifts") or [])
    edu = education_rank(data.get("education")) if data.get("education") else None
    licences = set(data.get("licences") or [])
    desired = data.get("desired_occupations", [])
    occupation_of = {}
    scored = []
    for cand in candidates:
        doc = cand.source
        required, preferred = doc.get("skills", []), doc.get("preferred_skills", [])
        matched = [s for s in required if s in have]
        missing = [s for s in required if s not in have]
        coverage = len(matched) / len(required) if required else 0.5
        pref = (sum(s in have for s in preferred) / len(preferred)) if preferred else 0.0
        distance = _distance(profile, doc)
        pay_max = doc.get("pay_max_month") or doc.get("pay_min_month")
        if min_pay and pay_max:
            pay_fit = round(min(1.0, pay_max / min_pay), 2)
        else:
            pay_fit = None
        shifts = set(doc.get("shifts") or [])
        if want_shifts and shifts:
            shift_fit = bool(want_shifts & shifts or "flexible" in shifts | want_shifts)
        else:
            shift_fit = None
        missing_licences = [c for c in doc.get("licences_required", []) if c not in licences]
        edu_gap = edu is not None and education_rank(doc.get("min_education")) > edu
        code = doc.get("occupation_code")
        if code not in occupation_of:
            occupation_of[code] = _occupation_match(desired, code)
        parts = {
            "coverage": coverage, "preferred": pref, "text": _text_score(terms, doc),
            "occupation": occupation_of[code],
            "distance": _distance_score(distance, radius),
            "pay": 0.5 if pay_fit is None else pay_fit ** 2,
            "shift": 0.5 if shift_fit is None else float(shift_fit),
        }
        score = sum(JOB_WEIGHTS[k] * v for k, v in parts.items())
        score -= PENALTY_LICENCE * len(missing_licences) + PENALTY_EDUCATION * edu_gap
        scored.append((round(max(score, 0.0), 4), doc["id"], doc, matched, missing, distance,
                       pay_fit, shift_fit, missing_licences, edu_gap, parts["occupation"]))
    scored.sort(key=lambda r: (-r[0], r[1]))
    out = []
    for (score, _id, doc, matched, missing, distance, pay_fit, shift_fit, missing_licences,
         edu_gap, occupation) in scored[:limit]:
        preferred = doc.get("preferred_skills", [])
        out.append({
            "id": doc["id"], "title": doc["title"], "partner": doc.get("partner_name"),
            "partner_id": doc.get("partner_id"), "score": score,
            "employment_type": doc.get("employment_type"),
            "occupation_code": doc.get("occupation_code"),
            "location": {k: doc.get(k) for k in ("province", "district", "ward", "lat", "lon")},
            "monthly_pay_vnd": [doc.get("pay_min_month"), doc.get("pay_max_month")],
            "reasons": {
                "matched_skills": _labelled(matched, lang),
                "missing_skills": _labelled(missing, lang),
                "matched_preferred_skills": _labelled([s for s in preferred if s in have], lang),
                "distance_km": distance,
                "pay_fit": pay_fit,
                "shift_fit": shift_fit,
                "missing_licences": missing_licences,
                "education_below_requirement": edu_gap,
                "occupation_match": occupation > 0,
            },
        })
    return out


def rank_courses(profile, candidates, gaps, today, occupations=(), lang="vi", limit=None):
    """Score and explain course candidates against the skill ``gaps`` ({skill: weight}).

    ``occupations`` are the codes the person aims at (desired, and those of the best
    jobs); a course for one of them, or deepening a skill the person has, is related.
    With ``limit``, only the best ``limit`` are explained and returned.
    """
    data, terms, have = profile.data, profile.query_terms(), profile.skills
    radius = data.get("max_commute_km")
    edu = education_rank(data.get("education")) if data.get("education") else None
    total = sum(gaps.values()) or 1
    iso = today.isoformat()
    occupation_of = {}
    scored = []
    for cand in candidates:
        doc = cand.source
        teaches = [s for s in doc.get("skills", []) if s in gaps]
        deepens = [s for s in doc.get("skills", []) if s in have]
        code = doc.get("occupation_code")
        if code not in occupation_of:
            occupation_of[code] = _occupation_match(occupations, code)
        occupation = occupation_of[code]
        text_score = _text_score(terms, doc)
        if not (teaches or deepens or occupation or text_score >= MIN_COURSE_TEXT):
            continue
        distance = _distance(profile, doc)
        upcoming = [d for d in doc.get("start_dates", []) if d >= iso]
        next_start = upcoming[0] if upcoming else None
        if next_start:
            wait = (dt.date.fromisoformat(next_start) - today).days
            start_score = max(0.0, 1.0 - wait / 180)
        else:
            start_score = 0.3
        funding, cost = doc.get("funding"), doc.get("cost_vnd") or 0
        cost_score = 1.0 if funding == "free" or not cost else (
            0.8 if funding == "state_supported" else max(0.0, 1.0 - cost / 15_000_000))
        edu_gap = edu is not None and education_rank(doc.get("min_education")) > edu
        parts = {"teaches": sum(gaps[s] for s in teaches) / total if gaps else 0.0,
                 "related": min(1.0, len(deepens) / 2), "occupation": occupation,
                 "text": text_score, "distance": _distance_score(distance, radius),
                 "cost": cost_score, "start": start_score}
        score = sum(COURSE_WEIGHTS[k] * v for k, v in parts.items()) - PENALTY_EDUCATION * edu_gap
        scored.append((round(max(score, 0.0), 4), doc["id"], doc, teaches, deepens, occupation,
                       distance, cost, funding, next_start, edu_gap))
    scored.sort(key=lambda r: (-r[0], r[1]))
    out = []
    for (score, _id, doc, teaches, deepens, occupation, distance, cost, funding, next_start,
         edu_gap) in scored[:limit]:
        out.append({
            "id": doc["id"], "title": doc["title"], "partner": doc.get("partner_name"),
            "partner_id": doc.get("partner_id"), "score": score,
            "level": doc.get("level"),
            "location": {k: doc.get(k) for k in ("province", "district", "ward", "lat", "lon")},
            "reasons": {
                "teaches_missing_skills": _labelled(teaches, lang),
                "builds_on_skills": _labelled(deepens, lang),
                "occupation_match": occupation > 0,
                "distance_km": distance,
                "cost_vnd": cost, "funding": funding,
                "next_start": next_start, "duration_weeks": doc.get("duration_weeks"),
                "education_below_requirement": edu_gap,
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
    today = today or dt.date.today()
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
