"""Drain the outbox into the search backend: retried, idempotent and versioned."""
import logging
import multiprocessing
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


class BackgroundDrain:
    """Drain the outbox in a second process while this one keeps writing to the store.

    The child builds its own store and backend from ``factory`` (nothing is shared
    with the parent but the database and the index files, which are safe to share) and
    drains until ``finish`` is called, then once more, so that every entry committed
    before ``finish`` has been tried. A backend failure in the child stops it and is
    logged: the entries stay in the outbox for the parent's own final drain.
    """

    def __init__(self, factory, poll=0.05):
        ctx = multiprocessing.get_context("fork")
        self._stop = ctx.Event()
        self._result, child_end = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_drain_until_stopped,
                                 args=(factory, self._stop, child_end, poll),
                                 name="vungbuoc-drain", daemon=True)
        self._proc.start()
        child_end.close()

    def finish(self):
        """Stop after a last drain; returns the entries the child acknowledged."""
        self._stop.set()
        try:
            total, error = self._result.recv()
        except EOFError:  # the child died without a word; the parent drains what is left
            total, error = 0, f"exit code {self._proc.exitcode}"
        self._proc.join()
        self._result.close()
        if error:
            log.warning("background sync stopped (outbox kept): %s", error)
        return total


def _drain_until_stopped(factory, stop, result, poll):
    total, error = 0, None
    service = None
    try:
        service = factory()
        while True:
            stopping = stop.is_set()
            n = service.sync()  # drains, and refreshes the backend for searches
            total += n
            if stopping:
                break
            if n == 0:
                stop.wait(poll)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which drains again
        error = f"{type(exc).__name__}: {exc}"
    finally:
        if service is not None:
            try:
                service.close()
            except Exception:  # noqa: BLE001
                pass
        result.send((total, error))
        result.close()
