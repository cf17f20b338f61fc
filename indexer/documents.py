"""From stored documents to what the search backends index (the projection).

Both backends index the same projection, so candidate retrieval and re-ranking see
the same fields whichever backend is in use.
"""
import datetime as dt

from .taxonomy import default_taxonomy
from .termhash import pack
from .text import TermParts
from .vocab import monthly

# Fields of a stored document that re-ranking and explanations never need.
_DROP = ("description", "contact")


def skills_of(kind, data):
    """The skills a document is about: required skills of a job, skills taught by a course."""
    return data.get("required_skills" if kind == "jobs" else "skills_taught") or []


def texts(kind, data):
    """(body, search text) of a stored document's data: the description, the labels of
    its skills and its skills kept as text; the search text is the title and the body."""
    taxonomy = default_taxonomy()
    labels = " ".join(taxonomy.label(s)
                      for s in skills_of(kind, data) + data.get("preferred_skills", []))
    body = " ".join([data.get("description") or "", labels, *data.get("skills_text", [])])
    return body, " ".join([data["title"], body])


class Projection(dict):
    """A projection: a plain dict to every reader and writer, which also carries the
    tokens of its title and body for the embedded index (``index_terms``); a copy or a
    projection read back from JSON is a plain dict, whose terms are made again."""

    __slots__ = ("parts",)

    def index_terms(self):
        """``terms(title) + terms(search_text)``, from the projection's own tokens."""
        title, body = self.parts
        return title.terms() + TermParts.joined(title, body)


def projection(kind, row, partner_name=None):
    """The index document for a stored row (see indexer.store.documents)."""
    data = row["data"]
    skills = skills_of(kind, data)
    body, search_text = texts(kind, data)
    title_parts, body_parts = TermParts(data["title"]), TermParts(body)
    loc = data["location"]
    out = Projection((k, v) for k, v in data.items() if k not in _DROP and k != "location")
    out.parts = (title_parts, body_parts)
    out.update({
        "id": row["id"],
        "version": row["version"],
        "kind": kind,
        "partner_name": partner_name or data["partner_id"],
        "skills": skills,
        "province": loc.get("province"),
        "province_code": loc.get("province_code"),
        "ward": loc.get("ward"),
        "ward_code": loc.get("ward_code"),
        "lat": loc.get("lat"),
        "lon": loc.get("lon"),
        # Term sets (indexer.text.terms: folded and exact unigrams and bigrams) for stage-2
        # text relevance, the same on every backend, packed as hashes (indexer.termhash),
        # and whether each field is written with marks; skills kept as text beside the IDs.
        "title_hashes": pack(title_parts.terms()),
        "body_hashes": pack(body_parts.terms()),
        "title_marked": title_parts.marked,
        "body_marked": body_parts.marked,
        "skills_text": list(data.get("skills_text", [])),
        # Full text for stage-1 retrieval; backends need not keep it.
        "search_text": search_text,
    })
    if kind == "jobs":
        out["pay_min_month"] = monthly(data.get("pay_min_vnd"), data.get("pay_period"))
        out["pay_max_month"] = monthly(data.get("pay_max_vnd"), data.get("pay_period"))
    return out


def is_current(doc, today):
    """Open, and valid on ``today`` (ISO date strings compare as dates)."""
    iso = today.isoformat() if isinstance(today, dt.date) else today
    return (doc.get("status") == "open"
            and (not doc.get("valid_from") or doc["valid_from"] <= iso)
            and (not doc.get("valid_through") or doc["valid_through"] >= iso))
