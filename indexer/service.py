"""The indexer service: validated writes to the store, then sync to the backend.

Feed loads, the partner API and the CLI all write through here, so every document
takes the same path: schema → store (with outbox) → sync.
"""
import dataclasses
import functools
import logging
import os
from pathlib import Path

from marshmallow import ValidationError

from .backends import make_backend
from .corpus import CorpusModels
from .errors import BackendError, IndexOutdated, InvalidDocument, NotFound, flatten_errors
from .feeds import FeedError, kind_of, read_feed
from .schemas import dump, schema_for
from .settings import ensure_data_dir
from .store import Store
from .sync import BackgroundDrain, Syncer, reindex

log = logging.getLogger(__name__)


@dataclasses.dataclass
class LoadReport:
    """What a load did: counts, rejects with their reasons, unresolved skills."""

    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    indexed: int = 0
    index_error: str | None = None
    rejects: list = dataclasses.field(default_factory=list)
    unresolved_skills: dict = dataclasses.field(default_factory=dict)

    def summary(self):
        """The counts as a dict."""
        return {k: getattr(self, k) for k in
                ("read", "inserted", "updated", "unchanged", "rejected", "indexed")}


class IndexerService:
    """Store + backend, and the operations on them."""

    def __init__(self, store, backend, sync_after_write=True):
        self.store, self.backend = store, backend
        self.sync_after_write = sync_after_write
        self.syncer = Syncer(store, backend)
        # Builds another service on the same store and index (for a second process);
        # set by from_settings.
        self.factory = None
        self.concurrent_sync = False
        # Corpus statistics for re-ranking (indexer.corpus); set by from_settings.
        self.corpus = None

    @classmethod
    def from_settings(cls, settings):
        """Build the store and backend the settings name (creating tables if needed)."""
        ensure_data_dir(settings)
        store = Store(settings["DATABASE_URL"]).create_all()
        service = cls(store, make_backend(settings), settings.get("SYNC_AFTER_WRITE", True))
        service.factory = functools.partial(cls.from_settings, settings)
        service.concurrent_sync = bool(settings.get("LOAD_CONCURRENT_SYNC", False))
        service.corpus = CorpusModels(store, Path(settings["DATA_DIR"]) / "corpus")
        return service

    # -- writes -----------------------------------------------------------------------

    def validate(self, kind, record, partial=False):
        """Load ``record`` through the schema of ``kind``; raises InvalidDocument."""
        if not isinstance(record, dict):
            raise InvalidDocument([{"field": "_schema", "messages": ["Expected an object."]}])
        try:
            data = schema_for(kind, partial=partial).load(record)
        except ValidationError as exc:
            raise InvalidDocument(flatten_errors(exc.messages)) from None
        return data

    def _jsonable(self, kind, data):
        doc = dump(kind, data)
        if "skills_text" in data:
            doc["skills_text"] = data["skills_text"]
        return doc

    def save(self, kind, records, known_partners=None, expected=None):
        """Validate and upsert ``records`` (already-validated dicts are not accepted).

        Returns (results, errors): results per valid record as (index, (status, id,
        version), data), errors per invalid one as (index, [{field, messages}]).
        ``expected`` is passed to the store (compare-and-set by version).
        """
        valid, errors = [], []
        partners = known_partners if known_partners is not None else None
        for i, record in enumerate(records):
            try:
                data = self.validate(kind, record)
                if kind != "partners":
                    if partners is None:
                        partners = set(self.store.partner_names())
                    if data["partner_id"] not in partners:
                        raise InvalidDocument([{"field": "partner_id",
                                                "messages": ["Unknown partner."]}])
                valid.append((i, self._jsonable(kind, data)))
            except InvalidDocument as exc:
                errors.append((i, exc.errors))
        if kind == "partners":
            results = self.store.upsert_partners([d for _, d in valid])
        else:
            results = self.store.upsert_documents(kind, [d for _, d in valid], expected)
        return list(zip((i for i, _ in valid), results, (d for _, d in valid))), errors

    def sync(self, retries=0):
        """Drain the outbox into the backend; returns entries applied.

        An index in a format this version cannot read is rebuilt from the store first.
        """
        try:
            count = self.syncer.drain(retries=retries)
        except IndexOutdated as exc:
            log.warning("%s; rebuilding it from the store", exc)
            reindex(self.store, self.backend)
            count = self.syncer.drain(retries=retries)
        self.backend.refresh()
        return count

    def sync_quietly(self):
        """Sync after a write; a backend failure leaves the outbox for later, logged."""
        if not self.sync_after_write:
            return None
        try:
            self.sync()
            return None
        except BackendError as exc:
            log.warning("index not updated yet (outbox kept): %s", exc)
            return str(exc)

    def load_files(self, paths, kind=None, batch=1000, progress=None):
        """Load feed files; valid records are committed, invalid ones reported.

        With ``concurrent_sync`` (and two CPUs or more), a feed longer than one batch
        is indexed by a second process while the rest is validated and stored.
        """
        report = LoadReport()
        drain = None
        ordered = sorted(paths, key=lambda p: {"partners": 0}.get(kind or kind_of(p), 1))
        for path in ordered:
            file_kind = kind or kind_of(path)
            if file_kind is None:
                report.rejects.append({"file": str(path), "where": "file", "field": "_file",
                                       "message": "cannot tell the kind from the name; "
                                                  "use --kind partners|jobs|courses"})
                report.rejected += 1
                continue
            partners = set(self.store.partner_names())
            chunk = []

            def flush():
                results, errors = self.save(file_kind, [r for _, r in chunk], partners)
                for i, status, data in results:
                    status = status[0] if isinstance(status, tuple) else status
                    setattr(report, status, getattr(report, status) + 1)
                    if file_kind == "partners":
                        partners.add(data["id"])
                    for text in data.get("skills_text", []):
                        report.unresolved_skills[text] = report.unresolved_skills.get(text, 0) + 1
                for i, errs in errors:
                    report.rejected += 1
                    for err in errs:
                        report.rejects.append({"file": str(path), "where": chunk[i][0],
                                               "field": err["field"],
                                               "message": " ".join(err["messages"])})
                chunk.clear()

            for where, record in read_feed(path, file_kind):
                report.read += 1
                if progress:
                    progress(1)
                if isinstance(record, FeedError):
                    report.rejected += 1
                    report.rejects.append({"file": str(path), "where": where, "field": "_record",
                                           "message": str(record)})
                    continue
                chunk.append((where, record))
                if len(chunk) >= batch:
                    flush()
                    if drain is None and self._can_drain_concurrently():
                        drain = BackgroundDrain(self.factory)
            if chunk:
                flush()
        if drain is not None:
            report.indexed += drain.finish()
        try:
            report.indexed += self.sync()
        except BackendError as exc:
            report.index_error = str(exc)
        if self.corpus is not None:
            # Fit the re-ranking statistics now if the corpus changed much, rather than
            # in the first match after the load.
            for kind in ("jobs", "courses"):
                self.corpus.refresh(kind)
                self.corpus.get(kind)
        return report

    def _can_drain_concurrently(self):
        return (self.concurrent_sync and self.factory is not None
                and len(os.sched_getaffinity(0)) >= 2)

    def delete(self, kind, doc_id, expected_version=None):
        """Delete a document and sync."""
        version = self.store.delete_document(kind, doc_id, expected_version)
        self.sync_quietly()
        return version

    def reindex(self):
        """Rebuild the index from the store."""
        counts = reindex(self.store, self.backend)
        self.sync()
        return counts

    def stats(self):
        """Counts in the store and in the index."""
        out = {"store": self.store.counts(), "backend": self.backend.name}
        try:
            out["index"] = {k: self.backend.count(k) for k in ("jobs", "courses")}
        except BackendError as exc:
            out["index_error"] = str(exc)
        return out

    def close(self):
        """Release the store and the backend."""
        self.backend.close()
        self.store.close()


__all__ = ["IndexerService", "LoadReport", "NotFound"]
