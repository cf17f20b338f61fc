"""Index integrity: every acknowledged write reaches searches once, at its latest version.

Each test here is an observation from issue #10 that the suite could not see before.
"""
import pytest

from indexer.service import IndexerService
from indexer.settings import load_settings
from indexer.sync import Syncer

from factories import make_partner, make_posting
from invariant import TODAY, assert_index_matches_store, returned


def reopen(svc, settings):
    """The same data directory in a new service: what a restarted process sees."""
    svc.close()
    fresh = IndexerService.from_settings(load_settings(settings))
    return fresh


def put(svc, *records):
    results, errors = svc.save("jobs", list(records))
    assert not errors, errors
    svc.sync()
    return [r[1][1] for r in results]


def titles(svc):
    from indexer.backends import CandidateQuery
    return sorted(c.source["title"] for c in svc.backend.search(
        CandidateQuery(kind="jobs", text="thợ hàn", today=TODAY, limit=100)))


def test_edits_never_list_a_posting_twice_even_after_a_restart(backend_service, backend_settings):
    svc = backend_service
    for title in ("Thợ hàn A", "Thợ hàn B", "Thợ hàn C"):
        put(svc, make_posting(external_id="R1", title=title))
    assert titles(svc) == ["Thợ hàn C"]
    assert_index_matches_store(svc.store, svc.backend)
    svc = reopen(svc, backend_settings)
    try:
        assert titles(svc) == ["Thợ hàn C"]
        assert_index_matches_store(svc.store, svc.backend)
    finally:
        svc.close()


def test_a_closed_posting_stays_hidden_after_a_restart(backend_service, backend_settings):
    svc = backend_service
    put(svc, make_posting(external_id="R1"))
    put(svc, make_posting(external_id="R2", title="Thợ hàn R2"))
    put(svc, make_posting(external_id="R2", title="Thợ hàn R2", status="closed"))
    assert titles(svc) == ["Thợ hàn điện"]
    svc = reopen(svc, backend_settings)
    try:
        assert titles(svc) == ["Thợ hàn điện"]
        assert_index_matches_store(svc.store, svc.backend)
    finally:
        svc.close()


def test_acknowledging_old_entries_never_drops_a_newer_write(service):
    """Two drainers read the same entries; the slower one acknowledges after the outbox
    emptied and a new write took the same entry ID (SQLite reuses the largest rowid)."""
    svc = service
    svc.save("jobs", [make_posting(external_id="X1")])
    slow = svc.store.pending()  # what a slower drainer read
    Syncer(svc.store, svc.backend).drain()  # a faster one indexed and acknowledged it
    svc.save("jobs", [make_posting(external_id="X2", title="Thợ hàn X2")])
    svc.store.ack(slow)  # the slower drainer acknowledges what it read
    svc.sync()
    assert_index_matches_store(svc.store, svc.backend)
    assert "Thợ hàn X2" in titles(svc)
