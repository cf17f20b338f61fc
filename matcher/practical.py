"""A profile prepared for matching, and the practical fit of a document to it.

Distance, pay, shifts, desired occupation and education: what the labelled set does
not teach, shared by job and course ranking (matcher.ranking, matcher.courses).
"""
import dataclasses
import functools
import math

import numpy as np

from indexer.backends import CandidateQuery
from indexer.backends.base import EARTH_RADIUS_KM
from indexer.taxonomy import default_taxonomy
from indexer.text import keywords
from indexer.vocab import education_rank, occupation_label

from .features import Query

# The place fields of a document that answers carry.
LOCATION_FIELDS = ("province", "province_code", "ward", "ward_code", "lat", "lon")

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
                "home_province_code": loc.get("province_code")}
    if loc.get("ward_code"):
        return {"province_code": loc.get("province_code"), "ward_code": loc["ward_code"]}
    if loc.get("province_code"):
        return {"province_code": loc["province_code"]}
    return {}


def _query(profile, kind, skills, limit, today, offence=None, **eligibility):
    """The stage-1 query; ``eligibility``: more hard filters (matcher.eligibility)."""
    return CandidateQuery(kind=kind, text=profile.query_text(), skills=sorted(skills),
                          today=today, offence=offence, limit=limit, **eligibility,
                          **_area_filters(profile))


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


def _pay_fit(min_pay, doc):
    pay_max = doc.get("pay_max_month") or doc.get("pay_min_month")
    return round(min(1.0, pay_max / min_pay), 2) if min_pay and pay_max else None


def _shift_fit(want, doc):
    shifts = doc.get("shifts")
    if not (want and shifts):
        return None
    return "flexible" in want or "flexible" in shifts or not want.isdisjoint(shifts)
