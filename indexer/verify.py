"""The invariant between the store and a search backend, checked exactly, and repaired.

For each kind, the rows a search can return are the store's open documents valid
today, each exactly once, at the store's version. ``indexer verify``, ``indexer stats``
and ``/healthz`` all check it here, from what the backend says a search can return
(``SearchBackend.inventory``), so an ID indexed twice or a stale row is seen, not only a
missing one. Documents with a write still waiting in the outbox are counted as pending,
not as differences: the next sync brings them in.
"""
import collections
import dataclasses
import logging

from . import clock
from .backends.base import KINDS
from .errors import BackendError
from .sync import catch_up, reindex

log = logging.getLogger(__name__)


@dataclasses.dataclass
class KindCheck:
    """How the index of one kind compares with the store."""

    kind: str
    expected: int = 0
    returned: int = 0
    pending: int = 0
    missing: list = dataclasses.field(default_factory=list)  # open in the store, not searchable
    extra: list = dataclasses.field(default_factory=list)  # searchable, not open in the store
    stale: list = dataclasses.field(default_factory=list)  # searchable at another version
    duplicated: list = dataclasses.field(default_factory=list)  # searchable more than once

    @property
    def ok(self):
        """Whether searches return exactly the store's open documents."""
        return not (self.missing or self.extra or self.stale or self.duplicated)

    def differing(self):
        """IDs of every document that differs."""
        return sorted(set(self.missing) | set(self.extra) | set(self.stale)
                      | set(self.duplicated))

    def as_dict(self, limit=20):
        """A JSON-ready summary, listing at most ``limit`` IDs of each difference."""
        return {"ok": self.ok, "expected": self.expected, "returned": self.returned,
                "pending": self.pending,
                **{name: {"count": len(ids), "ids": ids[:limit]} for name, ids in (
                    ("missing", self.missing), ("extra", self.extra), ("stale", self.stale),
                    ("duplicated", self.duplicated))}}


def _check(store, backend, kind, today):
    before = store.pending_ids(kind)
    want = store.searchable(kind, today)
    got = backend.inventory(kind, today)
    pending = before | store.pending_ids(kind)
    report = KindCheck(kind, expected=len(want), returned=len(got), pending=len(pending))
    seen = collections.defaultdict(list)
    for doc_id, version in got:
        seen[doc_id].append(version)
    for doc_id in sorted(set(want) | set(seen)):
        if doc_id in pending:
            continue
        versions = seen.get(doc_id, [])
        if len(versions) > 1:
            report.duplicated.append(doc_id)
        if doc_id not in want:
            report.extra.append(doc_id)
        elif not versions:
            report.missing.append(doc_id)
        elif set(versions) != {want[doc_id]}:
            report.stale.append(doc_id)
    return report


def check(store, backend, today=None, kinds=KINDS):
    """{kind: KindCheck}. A difference must show in two reads in a row to count, so a
    write that lands between reading the store and reading the index is not reported."""
    today = today or clock.today()  # the date searches use: Vietnam's, not the server's
    out = {}
    for kind in kinds:
        first = _check(store, backend, kind, today)
        if not first.ok:
            second = _check(store, backend, kind, today)
            for name in ("missing", "extra", "stale", "duplicated"):
                setattr(second, name, sorted(set(getattr(first, name))
                                             & set(getattr(second, name))))
            first = second
        out[kind] = first
    return out


def repair(service, today=None, kinds=KINDS):
    """Re-index just the differing documents; if that is not enough, rebuild the kind.

    Returns (checks after repair, {kind: "none" | "documents" | "rebuilt"}).
    """
    store, backend = service.store, service.backend
    checks, done = check(store, backend, today, kinds), {}
    for kind, result in checks.items():
        done[kind] = "none"
        if result.ok:
            continue
        ids = result.differing()
        log.warning("re-indexing %d differing %s", len(ids), kind)
        try:
            _reindex_documents(store, backend, kind, ids)
            done[kind] = "documents"
            backend.refresh()
            if check(store, backend, today, [kind])[kind].ok:
                continue
        except BackendError as exc:
            log.warning("re-indexing documents failed (%s); rebuilding %s", exc, kind)
        reindex(store, backend, [kind])
        backend.refresh()
        done[kind] = "rebuilt"
    return check(store, backend, today, kinds), done


def _reindex_documents(store, backend, kind, ids):
    """Apply the store's current state of ``ids`` again; IDs unknown to the store go."""
    rows = store.get_documents(ids)
    unknown = [i for i in ids if i not in rows]
    if unknown:  # the store never held them: remove them for good
        backend.delete(kind, [(i, 2 ** 62) for i in unknown])
    catch_up(store, backend, kind, since=None, rows=[rows[i] for i in ids if i in rows])
