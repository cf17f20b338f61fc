"""Drain the outbox into the search backend: retried, idempotent and versioned."""
import ctypes
import datetime as dt
import logging
import multiprocessing
import os
import signal
import time

from .backends.base import ChunkedDocs
from .corpus import remember, remember_fields, remembered
from .documents import projection
from .errors import BackendError
from .store import DELETED, Store

log = logging.getLogger(__name__)


# Writes committed this long before a rebuild started are caught up again after it, for
# transactions still open when it started and clocks of several app servers.
CATCH_UP_SECONDS = 60


class Syncer:
    """Moves outbox entries of the store into the backend, oldest first."""

    def __init__(self, store, backend, batch=1000):
        self.store, self.backend, self.batch = store, backend, batch

    def drain_once(self):
        """Apply one batch; returns (entries this call acknowledged, entries it applied).

        Several processes may drain at once: each applies the store's current state at its
        current version (so replays are harmless) and acknowledges an entry only if it is
        still the same entry, so the first count may be lower than the second.
        """
        pending = self.store.pending(self.batch)
        if not pending:
            return 0, 0
        rows = self.store.get_documents({doc_id for _, _, doc_id, _ in pending})
        names = self.store.partner_names({r["partner_id"] for r in rows.values()})
        failed = set()
        for kind in sorted({k for _, k, _, _ in pending}):
            ids = {doc_id for _, k, doc_id, _ in pending if k == kind}
            live = [rows[i] for i in ids if rows[i]["status"] != DELETED]
            dead = [(i, rows[i]["version"]) for i in sorted(ids) if rows[i]["status"] == DELETED]
            docs = []
            for row in sorted(live, key=lambda r: r["id"]):
                docs.append(projection(kind, row, names.get(row["partner_id"])))
                remember(kind, row, docs[-1])  # for a refit right after a load
            errors = self.backend.upsert(kind, docs)
            for error in errors:
                log.error("indexing %s %s failed: %s", kind, error["id"], error["error"])
                failed.add(error["id"])
            if dead:
                self.backend.delete(kind, dead)
        done = [entry for entry in pending if entry[2] not in failed]
        return self.store.ack(done), len(done)

    def drain(self, retries=0, backoff=0.5):
        """Apply batches until the outbox is empty; returns entries this call acknowledged.

        On a backend failure, retries ``retries`` times with exponential backoff, then
        raises BackendError; what was not acknowledged stays in the outbox.
        """
        total, attempt = 0, 0
        while True:
            try:
                acked, applied = self.drain_once()
            except BackendError:
                if attempt >= retries:
                    raise
                time.sleep(backoff * 2 ** attempt)
                attempt += 1
                continue
            if applied == 0:
                return total
            total += acked
            attempt = 0


def reindex(store, backend, kinds=("jobs", "courses")):
    """Rebuild the backend's index of each kind from the store; returns counts.

    Writes made while a kind is rebuilt may reach the old index only, which the swap
    then drops: every document changed since shortly before the rebuild started is
    applied again afterwards (versions make that harmless), so none is lost.
    """
    names = store.partner_names()
    out = {}
    for kind in kinds:
        since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=CATCH_UP_SECONDS)
        out[kind] = backend.rebuild(kind, StoreProjections(store, kind, names),
                                    deleted=store.tombstones(kind))
        catch_up(store, backend, kind, since)
    return out


class StoreProjections(ChunkedDocs):
    """The projections of the live documents of ``kind`` in ``store``, by ranges of IDs
    (``names``: partner names by ID). A forked worker opens a store of its own."""

    def __init__(self, store, kind, names):
        self.store, self.kind, self.names = store, kind, names
        self._pid = os.getpid()

    def tasks(self, size):
        ids = self.store.live_ids(self.kind)
        return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]

    def load(self, task):
        if os.getpid() != self._pid:  # never use the parent's connections
            self.store, self._pid = Store(self.store.url), os.getpid()
        return [projection(self.kind, r, self.names.get(r["partner_id"]))
                for r in self.store.documents_between(self.kind, *task)]


def catch_up(store, backend, kind, since, rows=None):
    """Apply every document of ``kind`` changed since ``since`` (or the store ``rows``
    given) again, at their current versions; returns how many."""
    rows = store.changed_since(kind, since) if rows is None else rows
    names = store.partner_names({r["partner_id"] for r in rows})
    live = [r for r in rows if r["status"] != DELETED]
    backend.upsert(kind, [projection(kind, r, names.get(r["partner_id"])) for r in live])
    backend.delete(kind, [(r["id"], r["version"]) for r in rows if r["status"] == DELETED])
    return len(rows)


class BackgroundDrain:
    """Drain the outbox in a second process while this one keeps writing to the store.

    The child builds its own store and backend from ``factory`` (nothing is shared
    with the parent but the database and the index files, which are safe to share) and
    drains until ``finish`` is called, then once more, so that every entry committed
    before ``finish`` has been tried. A backend failure in the child stops it and is
    logged: the entries stay in the outbox for the parent's own final drain.
    ``finish(collect=True)`` has the child send back the term fields of the projections
    it made (``indexer.corpus.remembered``), which this process then remembers too, so
    that its refit reads them instead of tokenising every row again; it refits here
    because this process has time to spare while the child indexes (it imports what
    fitting needs meanwhile, ``indexer.corpus.prepare_fit``).
    """

    def __init__(self, factory, poll=0.05):
        ctx = multiprocessing.get_context("fork")
        self._stop, self._collect = ctx.Event(), ctx.Event()
        self._result, child_end = ctx.Pipe(duplex=False)
        # Why the child stopped early, once finished (None: it drained to the end).
        self.error = None
        self._proc = ctx.Process(target=_drain_until_stopped,
                                 args=(factory, self._stop, child_end, poll, os.getpid(),
                                       self._collect),
                                 name="vungbuoc-drain", daemon=True)
        self._proc.start()
        child_end.close()

    def finish(self, collect=False):
        """Stop after a last drain (and take the child's term fields, with ``collect``);
        returns the entries the child acknowledged."""
        if collect:
            self._collect.set()
        self._stop.set()
        try:
            total, error, fields = self._result.recv()
        except EOFError:  # the child died without a word; the parent drains what is left
            total, error, fields = 0, f"exit code {self._proc.exitcode}", {}
        self._proc.join()
        self._result.close()
        if error:
            log.warning("background sync stopped (outbox kept): %s", error)
        self.error = error
        remember_fields(fields)
        return total


def _die_with_parent():
    """Ask Linux to kill this process when its parent dies (a ``kill -9`` of the load)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the loop below checks the parent
        pass


def _drain_until_stopped(factory, stop, result, poll, parent, collect):
    total, error, fields = 0, None, {}
    service = None
    _die_with_parent()
    try:
        if os.getppid() != parent:  # the parent died before the request took effect
            return
        service = factory()
        while True:
            if os.getppid() != parent:
                error = "the load that started this drain is gone"
                break
            stopping = stop.is_set()
            n = service.sync()  # drains, and refreshes the backend for searches
            total += n
            if stopping:
                if collect.is_set():
                    fields = remembered()
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
        try:
            result.send((total, error, fields))
            result.close()
        except OSError:  # nobody is listening any more
            pass
