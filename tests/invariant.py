"""The index invariant, checked through ``search`` itself (not through the backend's own report).

For each kind, the rows a search can return are the store's open documents valid on
``today``, each exactly once, at the store's version.
"""
import collections
import datetime as dt

from indexer.backends import CandidateQuery
from indexer.documents import is_current

TODAY = dt.date(2026, 11, 27)
# Steps run by the model-based tests, reported at the end of the run (tests/conftest.py).
STEPS = collections.Counter()
KINDS = ("jobs", "courses")


def returned(backend, kind, today=TODAY, limit=10_000):
    """Counter of (id, version) over every row a search with no relevance terms returns
    (at most ``limit``: more than the rows expected, so a duplicate still shows)."""
    found = backend.search(CandidateQuery(kind=kind, today=today, limit=limit))
    return collections.Counter((c.id, int(c.source["version"])) for c in found)


def expected(store, kind, today=TODAY):
    """Counter of (id, version) of the store's open documents valid on ``today``."""
    return collections.Counter((row["id"], row["version"]) for row in store.iter_documents(kind)
                               if is_current({**row["data"], "status": row["status"]}, today))


def differences(store, backend, today=TODAY, kinds=KINDS):
    """{kind: (missing, extra)} where searches and the store disagree (empty when they agree)."""
    out = {}
    for kind in kinds:
        want = expected(store, kind, today)
        # A write burst stores more than 10,000 rows once writes are fast: ask for them all.
        got = returned(backend, kind, today, limit=max(10_000, 2 * sum(want.values()) + 1))
        if want != got:
            out[kind] = (sorted((want - got).elements()), sorted((got - want).elements()))
    return out


def assert_index_matches_store(store, backend, today=TODAY, kinds=KINDS):
    """Fail with the differing rows unless every search agrees with the store."""
    diff = differences(store, backend, today, kinds)
    assert not diff, f"index differs from the store (missing, extra): {diff}"
