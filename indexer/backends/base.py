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
    ``home_province_code``; and not excluding ``offence``.
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
    limit: int = 200


@dataclasses.dataclass
class Candidate:
    """One retrieved document: its ID, the backend's relevance and the projection."""

    id: int
    score: float
    source: dict


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
        """Replace the whole index of ``kind`` with ``docs`` (an iterable of projections).

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


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km between two points (scalars)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
