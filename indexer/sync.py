"""Drain the outbox into the search backend: retried, idempotent and versioned."""
import logging
import time

from .documents import projection
from .errors import BackendError
from .store import DELETED

log = logging.getLogger(__name__)


class Syncer:
    """Moves outbox entries of the store into the backend, oldest first."""

    def __init__(self, store, backend, batch=1000):
        self.store, self.backend, self.batch = store, backend, batch

    def drain_once(self):
        """Apply one batch; returns how many outbox entries were acknowledged."""
        pending = self.store.pending(self.batch)
        if not pending:
            return 0
        rows = self.store.get_documents({doc_id for _, _, doc_id, _ in pending})
        names = self.store.partner_names({r["partner_id"] for r in rows.values()})
        done, failed = [], set()
        for kind in {k for _, k, _, _ in pending}:
            ids = {doc_id for _, k, doc_id, _ in pending if k == kind}
            live = [rows[i] for i in ids if rows[i]["status"] != DELETED]
            dead = [(i, rows[i]["version"]) for i in ids if rows[i]["status"] == DELETED]
            # The store's current state at its current version: replays are harmless.
            errors = self.backend.upsert(kind, [projection(kind, r, names.get(r["partner_id"]))
                                                for r in sorted(live, key=lambda r: r["id"])])
            for error in errors:
                log.error("indexing %s %s failed: %s", kind, error["id"], error["error"])
                failed.add(error["id"])
            if dead:
                self.backend.delete(kind, dead)
        done = [oid for oid, _, doc_id, _ in pending if doc_id not in failed]
        self.store.ack(done)
        return len(done) if done else 0

    def drain(self, retries=0, backoff=0.5):
        """Apply batches until the outbox is empty; returns entries acknowledged.

        On a backend failure, retries ``retries`` times with exponential backoff, then
        raises BackendError; what was not acknowledged stays in the outbox.
        """
        total, attempt = 0, 0
        while True:
            try:
                n = self.drain_once()
            except BackendError:
                if attempt >= retries:
                    raise
                time.sleep(backoff * 2 ** attempt)
                attempt += 1
                continue
            if n == 0:
                return total
            total += n
            attempt = 0


def reindex(store, backend, kinds=("jobs", "courses")):
    """Rebuild the backend's index of each kind from the store; returns counts."""
    names = store.partner_names()
    out = {}
    for kind in kinds:
        out[kind] = backend.rebuild(kind, (projection(kind, r, names.get(r["partner_id"]))
                                           for r in store.iter_documents(kind)))
    return out
