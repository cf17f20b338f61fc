"""Eligibility: the hard filters a profile puts on jobs, and why a job was hidden.

The filters (offence categories, licences, minimum education, the commute area, and
the fair-chance filter an officer may ask for) run inside the backend
(``CandidateQuery``); the backend also counts what each one hid among the jobs that
match the profile (``SearchBackend.search_explained``). This module turns a profile
into those filters and the backend's report into the answer's ``hidden`` section
(matcher.schemas.HiddenSchema): what an officer can tell the person ("3 jobs need a
car licence B") and what one licence would open.
"""
from indexer.backends.base import missing_licences
from indexer.vocab import codes, label

from .practical import LOCATION_FIELDS, _distances


def job_filters(data, fair_chance_partners=None):
    """CandidateQuery keyword arguments of the eligibility filters of a loaded profile.

    An expunged conviction (xóa án tích) lifts the offence exclusions. Licences always
    filter (a profile without licences gets no job that requires one); education
    filters when it is given. ``fair_chance_partners``: IDs of the partners with
    fair-chance commitments, when only their jobs are wanted.
    """
    offences = list(data.get("offence_categories") or [])
    if data.get("offence_category") and data["offence_category"] not in offences:
        offences.append(data["offence_category"])  # a profile not loaded by ProfileSchema
    if data.get("expunged"):
        offences = []
    out = {"offences": offences, "licences": list(data.get("licences") or []),
           "education": data.get("education") or None}
    if fair_chance_partners is not None:
        out["partner_ids"] = sorted(fair_chance_partners)
    return out


def hidden_section(report, query, profile, lang="vi"):
    """The ``hidden`` section of a match answer from a backend's HiddenReport."""
    reasons = [{"reason": r, "count": report.counts.get(r, 0), "only": report.only.get(r, 0)}
               for r in query.active_reasons() if report.counts.get(r)]
    order = codes("licences")
    licences = [{"licence": c, "label": label("licences", c, lang), "count": n}
                for c, n in sorted(report.licences.items(),
                                   key=lambda kv: (-kv[1], order.index(kv[0])
                                                   if kv[0] in order else 99))]
    out = {"total": report.total, "reasons": reasons, "licences": licences}
    if report.items:
        docs = [h.source for h in report.items]
        distances = _distances(profile, docs)
        out["jobs"] = [_hidden_job(h, query, km, lang) for h, km in zip(report.items, distances)]
    return out


def _hidden_job(hidden, query, km, lang):
    doc = hidden.source
    edu = doc.get("min_education")
    return {"id": hidden.id, "title": doc.get("title"), "partner": doc.get("partner_name"),
            "partner_id": doc.get("partner_id"),
            "location": {k: doc.get(k) for k in LOCATION_FIELDS},
            "reasons": list(hidden.reasons),
            "missing_licences": [{"id": c, "label": label("licences", c, lang)}
                                 for c in missing_licences(query, doc)]
            if "licence" in hidden.reasons else [],
            "min_education": {"id": edu, "label": label("education_levels", edu, lang)}
            if "education" in hidden.reasons and edu else None,
            "distance_km": km}


def partners_of(store):
    """{partner ID: partner data} of every partner in the store (shared: read only)."""
    return store.partners_map()


def fair_chance(partners, ids=None):
    """{partner ID: its fair-chance commitments} of the partners (``partners`` maps ID to
    partner data) that made any, among ``ids`` when given."""
    return {pid: list(p.get("fair_chance_commitments") or []) for pid, p in partners.items()
            if p.get("fair_chance_commitments") and (ids is None or pid in ids)}
