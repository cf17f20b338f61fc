"""Training courses for a profile: ranked by the skills its best jobs miss."""
import datetime as dt

import numpy as np

from indexer.taxonomy import default_taxonomy
from indexer.vocab import education_rank

from .features import field_scores
from .practical import (LOCATION_FIELDS, _distance_scores, _distances, _education_gaps,
                        _labelled, _occupation_scores)

COURSE_WEIGHTS = {"teaches": 0.45, "related": 0.10, "occupation": 0.10, "text": 0.05,
                  "distance": 0.10, "cost": 0.10, "start": 0.10}
# A course that teaches no missing skill is shown only if at least this related.
MIN_COURSE_TEXT = 0.3
PENALTY_EDUCATION = 0.10
# Top jobs whose missing skills the courses should teach.
GAP_JOBS = 10



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
    avg_title, avg_body = (8.0, 60.0) if model is None else (model.avgdl_title_,
                                                             model.avgdl_body_)
    fields = field_scores(query, all_docs, {"title": avg_title, "body": avg_body})
    text = np.minimum(1.0, fields["title"] + fields["body"])
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
            "location": {k: doc.get(k) for k in LOCATION_FIELDS},
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
