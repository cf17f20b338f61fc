"""The search backend interface: one contract, two implementations side by side.

A backend holds a derived copy of the store (the index can always be rebuilt from it)
and does candidate retrieval only: hard filters plus text and skill relevance. Ranking
lives in ``matcher.ranking``. A backend never fails silently: every failure raises
``BackendError``.
"""
import dataclasses
import datetime as dt
import math

from .. import clock
from ..vocab import education_rank
from ..errors import BackendError  # noqa: F401  (re-exported for implementations)

KINDS = ("jobs", "courses")
EARTH_RADIUS_KM = 6371.0088


@dataclasses.dataclass
class CandidateQuery:
    """What stage 1 of matching asks a backend for.

    ``text`` is free text (folded and split by the backend); ``skills`` are taxonomy
    IDs. Hard filters: the document is open and valid on ``today``; in the province
    ``province_code`` and the ward ``ward_code`` when given (official codes, see
    ``indexer.places``); within ``radius_km`` of (``lat``, ``lon``) when all three are
    given — documents without coordinates then pass only when they lie in the province
    ``home_province_code``; not excluding any of ``offences`` (or ``offence``); when
    ``licences`` is a list (the person's), requiring no licence outside it; when
    ``education`` is given (the person's level), asking no higher minimum education;
    when ``partner_ids`` is a list, offered by one of those partners (the fair-chance
    filter). Each eligibility filter is a reason a document can be hidden
    (``hidden_reasons``, ``SearchBackend.search_explained``).
    """

    kind: str
    text: str = ""
    skills: list = dataclasses.field(default_factory=list)
    today: dt.date = dataclasses.field(default_factory=clock.today)
    province_code: str | None = None
    ward_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    home_province_code: str | None = None
    offence: str | None = None
    offences: list = dataclasses.field(default_factory=list)
    licences: list | None = None
    education: str | None = None
    partner_ids: list | None = None
    limit: int = 200

    def excluded_offences(self):
        """The offence categories a document must not exclude (``offences`` + ``offence``)."""
        out = list(dict.fromkeys(self.offences or []))
        if self.offence and self.offence not in out:
            out.append(self.offence)
        return out

    def active_reasons(self):
        """The eligibility filters this query applies, in REASONS order."""
        active = {
            "offence": bool(self.excluded_offences()),
            "licence": self.licences is not None,
            "education": self.education is not None,
            "distance": (self.radius_km is not None and self.lat is not None
                         and self.lon is not None),
            "area": bool(self.province_code or self.ward_code),
            "fair_chance": self.partner_ids is not None,
        }
        return [r for r in REASONS if active[r]]


# Why a document that matches what was asked can be hidden: the eligibility filters.
REASONS = ("offence", "licence", "education", "distance", "area", "fair_chance")


@dataclasses.dataclass
class Hidden:
    """One document the eligibility filters hid: ID, relevance, projection, its reasons."""

    id: int
    score: float
    source: dict
    reasons: list


@dataclasses.dataclass
class HiddenReport:
    """What the eligibility filters hid from a search, among the documents that match it
    (current, and relevant to the text and skills asked for, like any candidate).

    ``counts``: per active reason, the documents that fail it (whatever else they fail);
    ``only``: the documents it alone hides (they would show if it alone changed);
    ``licences``: per licence code, the documents that this one missing licence alone
    hides (what one licence would open); ``total``: documents hidden by any reason;
    ``items``: the most relevant hidden documents (as many as asked for), best first.
    """

    counts: dict = dataclasses.field(default_factory=dict)
    only: dict = dataclasses.field(default_factory=dict)
    licences: dict = dataclasses.field(default_factory=dict)
    total: int = 0
    items: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Candidate:
    """One retrieved document: its ID, the backend's relevance and the projection."""

    id: int
    score: float
    source: dict


class ChunkedDocs:
    """Projections to index that can be read chunk by chunk, where they are needed.

    Iterating yields them all, in order, in this process. A backend that indexes in
    parallel (the embedded ``rebuild``) forks worker processes that inherit the object
    and has each call ``load(task)`` for some of ``tasks(size)`` (about ``size``
    documents each, picklable, in order), so the reading and projecting is parallel too.
    """

    CHUNK = 5000

    def tasks(self, size):
        raise NotImplementedError

    def load(self, task):
        """The projections of one task (called in this process or in a forked worker)."""
        raise NotImplementedError

    def __iter__(self):
        for task in self.tasks(self.CHUNK):
            yield from self.load(task)


class SearchBackend:
    """Base class: the contract every backend honours."""

    name = "base"

    def upsert(self, kind, docs):
        """Index projections (``indexer.documents.projection``), each with ``id`` and ``version``.

        A document whose version is not newer than the indexed one is ignored, so a
        replayed or late write never overwrites newer data. Returns a list of
        per-document errors (empty when all went in); raises BackendError when the
        backend cannot be reached.
        """
        raise NotImplementedError

    def delete(self, kind, items):
        """Remove documents given as (id, version) pairs; older versions win nothing."""
        raise NotImplementedError

    def rebuild(self, kind, docs, deleted=()):
        """Replace the whole index of ``kind`` with ``docs`` (an iterable of projections,
        or ``ChunkedDocs``).

        ``deleted`` are (id, version) pairs of deleted documents: older versions of them
        are refused afterwards, as after ``delete``. Searches keep answering from the old
        index until the new one is complete. Returns the number of documents indexed.
        """
        raise NotImplementedError

    def compact(self, kind):
        """Reorganise the stored index of ``kind`` without changing what searches return.

        The embedded backend writes a new snapshot generation (as a long log makes it do
        by itself); Elasticsearch merges segments itself, so there it does nothing.
        """

    def search(self, query):
        """Top ``query.limit`` candidates passing the hard filters, best first."""
        raise NotImplementedError

    def search_explained(self, query, hidden_limit=0):
        """(``search(query)``, a HiddenReport of what its eligibility filters hid).

        The report lists up to ``hidden_limit`` hidden documents, each with its reasons
        (``hidden_reasons``); its counts cover every matching document, not only those.
        """
        raise NotImplementedError

    def count(self, kind):
        """Documents in the index of ``kind``."""
        raise NotImplementedError

    def ids(self, kind):
        """{id: version} of every indexed document of ``kind`` (diagnostics)."""
        raise NotImplementedError

    def inventory(self, kind, today):
        """What a search on ``today`` can return, whatever it asks for: a list of
        (id, version), one entry per row or hit (an ID indexed twice appears twice).

        This is what ``indexer verify`` and ``/healthz`` compare with the store.
        """
        raise NotImplementedError

    def verify_storage(self):
        """Check stored data end to end (checksums of every file); raises IndexDamaged.

        Backends whose storage checks itself (Elasticsearch) only report their health.
        """
        self.health()

    def health(self):
        """A dict describing the backend; raises BackendError when it is unusable."""
        raise NotImplementedError

    def refresh(self):
        """Make every acknowledged write visible to searches."""

    def close(self):
        """Release resources."""


def hidden_reasons(query, doc):
    """The active eligibility filters of ``query`` that projection ``doc`` fails, in REASONS
    order (the reference the backends' own filters agree with)."""
    out = []
    for reason in query.active_reasons():
        if not _passes(reason, query, doc):
            out.append(reason)
    return out


def missing_licences(query, doc):
    """The licences ``doc`` requires that the person of ``query`` lacks."""
    have = set(query.licences or [])
    return [c for c in doc.get("licences_required") or [] if c not in have]


def _passes(reason, query, doc):
    if reason == "offence":
        return not set(query.excluded_offences()) & set(doc.get("excluded_offences") or [])
    if reason == "licence":
        return not missing_licences(query, doc)
    if reason == "education":
        return education_rank(doc.get("min_education")) <= education_rank(query.education)
    if reason == "distance":
        if doc.get("lat") is None or doc.get("lon") is None:
            return bool(query.home_province_code) and \
                doc.get("province_code") == query.home_province_code
        return haversine_km(query.lat, query.lon, doc["lat"], doc["lon"]) <= query.radius_km
    if reason == "area":
        return ((not query.province_code or doc.get("province_code") == query.province_code)
                and (not query.ward_code or doc.get("ward_code") == query.ward_code))
    if reason == "fair_chance":
        return doc.get("partner_id") in set(query.partner_ids or [])
    raise ValueError(reason)


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km between two points (scalars)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
