"""The indexer service: validated writes to the store, then sync to the backend.

Feed loads, the partner API and the CLI all write through here, so every document
takes the same path: schema → store (with outbox) → sync.
"""
import functools
import logging
import time
from pathlib import Path

from marshmallow import ValidationError

from .backends import make_backend
from .backends.base import KINDS
from .corpus import CorpusModels, collecting
from .errors import (BackendError, IndexUnusable, InvalidDocument, NotFound, StaleVersion,
                     flatten_errors)
from .loader import LoadReport, load_files
from .rawinput import problems
from .schemas import dump, pop_warnings, schema_for
from .settings import ensure_data_dir
from .store import Store
from .sync import Syncer, reindex
from .verify import check, repair

log = logging.getLogger(__name__)


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
        self._last_check = None
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

    def validate(self, kind, record, partial=False, warnings=None):
        """Load ``record`` through the schema of ``kind``; raises InvalidDocument.

        Warnings (old administrative units converted) are appended to ``warnings`` as
        {field, message}.
        """
        if not isinstance(record, dict):
            raise InvalidDocument([{"field": "_schema", "messages": ["Expected an object."]}])
        odd = problems(record)
        if odd:
            raise InvalidDocument(odd)
        try:
            data = schema_for(kind, partial=partial).load(record)
        except ValidationError as exc:
            raise InvalidDocument(flatten_errors(exc.messages)) from None
        found = pop_warnings(data)
        if warnings is not None:
            warnings.extend(found)
        return data

    def _jsonable(self, kind, data):
        doc = dump(kind, data)
        if "skills_text" in data:
            doc["skills_text"] = data["skills_text"]
        return doc

    def save(self, kind, records, known_partners=None, expected=None, warnings=None):
        """Validate and upsert ``records`` (already-validated dicts are not accepted).

        Returns (results, errors): results per valid record as (index, (status, id,
        version), data), errors per invalid one as (index, [{field, messages}]).
        ``expected`` is passed to the store (compare-and-set by version). The warnings
        of each valid record are put in the dict ``warnings`` (index → [{field,
        message}]) when given.
        """
        valid, errors = [], []
        partners = known_partners if known_partners is not None else None
        for i, record in enumerate(records):
            try:
                notes = []
                data = self.validate(kind, record, warnings=notes)
                if kind != "partners":
                    if partners is None:
                        partners = set(self.store.partner_names())
                    if data["partner_id"] not in partners:
                        raise InvalidDocument([{"field": "partner_id",
                                                "messages": ["Unknown partner."]}])
                valid.append((i, self._jsonable(kind, data)))
                if notes and warnings is not None:
                    warnings[i] = notes
            except InvalidDocument as exc:
                errors.append((i, exc.errors))
        if kind == "partners":
            results = self.store.upsert_partners([d for _, d in valid])
        else:
            results = self._upsert(kind, [d for _, d in valid], expected)
        return list(zip((i for i, _ in valid), results, (d for _, d in valid))), errors

    def _upsert(self, kind, docs, expected, attempts=3):
        """Upsert into the store; without a compare-and-set, a document that another
        writer created at the same moment is retried (read again, then updated)."""
        for attempt in range(attempts):
            try:
                return self.store.upsert_documents(kind, docs, expected)
            except StaleVersion:
                if expected or attempt == attempts - 1:
                    raise
                time.sleep(0.05 * 2 ** attempt)

    def sync(self, retries=0):
        """Drain the outbox into the backend; returns the entries this call acknowledged.

        An index that cannot be served (damaged, or in a format this version cannot
        read) is rebuilt from the store first.
        """
        try:
            count = self.syncer.drain(retries=retries)
            self.backend.refresh()
        except IndexUnusable as exc:
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
        """Load feed files; valid records are committed, invalid ones reported
        (``indexer.loader.load_files``). The re-ranking statistics are then fitted again
        if the corpus changed much, rather than in the first match after the load, by
        this process, from the term fields of the projections the load's sync has just
        made (``indexer.corpus.collecting``)."""
        with collecting():
            return load_files(self, paths, kind, batch, progress,
                              refit=self.corpus is not None)

    def refit_corpus(self):
        """Fit the re-ranking statistics of each kind again if the store changed much."""
        if self.corpus is None:
            return
        for kind in ("jobs", "courses"):
            self.corpus.refresh(kind)
            self.corpus.get(kind)

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

    def stats(self, today=None):
        """Counts in the store and in the index, and whether they agree (``verify``)."""
        out = {"store": self.store.counts(), "backend": self.backend.name}
        try:
            out["index"] = {k: self.backend.count(k) for k in ("jobs", "courses")}
            checks = self.verify(today)
            out["agrees"] = all(c.ok for c in checks.values())
            out["check"] = {kind: c.as_dict(limit=5) for kind, c in checks.items()}
        except BackendError as exc:
            out["index_error"] = str(exc)
        return out

    def verify(self, today=None, deep=False, max_age=0):
        """{kind: KindCheck}: what searches can return against the store's open documents.

        With ``deep``, every stored index file is read and its checksums checked first.
        With ``max_age`` (seconds), a result that recent is reused (``/healthz``, which
        load balancers ask often). Raises BackendError when the index cannot be read.
        """
        if deep:
            self.backend.verify_storage()
        if max_age and today is None and self._last_check \
                and time.monotonic() - self._last_check[0] < max_age:
            self.backend.refresh()  # a damaged or unreadable index still fails at once
            return self._last_check[1]
        checks = check(self.store, self.backend, today)
        self._last_check = (time.monotonic(), checks)
        return checks

    def repair(self, today=None):
        """Re-index the documents that differ (or rebuild a kind; all of the index when a
        stored file fails its checksums); returns (checks, done)."""
        try:
            self.backend.verify_storage()
            return repair(self, today)
        except IndexUnusable as exc:
            log.warning("%s; rebuilding it from the store", exc)
            reindex(self.store, self.backend)
            self.backend.refresh()
            return check(self.store, self.backend, today), {k: "rebuilt" for k in KINDS}

    def close(self):
        """Release the store and the backend."""
        self.backend.close()
        self.store.close()


__all__ = ["IndexerService", "LoadReport", "NotFound"]
