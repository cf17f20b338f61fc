"""The system of record: partners and documents in SQL, each write with an outbox entry.

SQLite (WAL) by default, PostgreSQL through DATABASE_URL. Every change to a document
bumps its version and records an outbox row in the same transaction; ``indexer.sync``
drains the outbox into the search backend.
"""
import datetime as dt
import contextlib
import hashlib
import json
import os
import weakref

from sqlalchemy import (JSON, Column, DateTime, ForeignKey, Index, Integer, MetaData, String,
                        Table, UniqueConstraint, create_engine, event, func, or_, select, tuple_)
from sqlalchemy.exc import IntegrityError, OperationalError

from .errors import NotFound, StaleVersion, StoreError

metadata = MetaData()

partners = Table(
    "partners", metadata,
    Column("id", String(64), primary_key=True),
    Column("data", JSON, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("partner_id", String(64), ForeignKey("partners.id"), nullable=False),
    Column("external_id", String(64), nullable=False),
    # None once deleted: the row stays as a tombstone so versions keep growing.
    Column("data", JSON),
    Column("content_hash", String(64)),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    # Copies of data's valid_from / valid_through (ISO dates), so that what searches may
    # return today is read from an index (``searchable``), not from every row's JSON.
    Column("valid_from", String(10)),
    Column("valid_through", String(10)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("kind", "partner_id", "external_id", name="uq_documents_key"),
    Index("ix_documents_searchable", "kind", "status", "id", "version", "valid_from",
          "valid_through"),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("doc_id", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # IDs never reused (SQLite would reuse the largest after a drain), so "oldest first"
    # holds; acknowledging matches the document and version too, for older databases.
    sqlite_autoincrement=True,
)

DELETED = "deleted"


def content_hash(data):
    """A stable hash of a JSON-ready document."""
    raw = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def store_failure(exc):
    """A sentence saying why the database refused a write."""
    text = str(getattr(exc, "orig", exc))
    if "full" in text.lower() or "no space" in text.lower():
        return f"the disk holding the database is full ({text}); free space and retry"
    return f"the database could not be written ({text})"


def _now():
    return dt.datetime.now(dt.timezone.utc)


def _fresh_pool_after_fork(engine):
    """Have a child forked from this process (a gunicorn worker, a load's background
    drain, a rebuild's worker) start with an empty pool of ``engine``: this process
    closes its idle pooled connections just before it forks, and opens new ones when it
    needs them again. (Forgetting them in the child instead is not enough: a SQLite
    connection the child's garbage collector closes can checkpoint and remove the WAL
    file under the parent, which then finds the database malformed.)"""
    ref = weakref.ref(engine)

    def close_idle():
        alive = ref()
        if alive is not None:
            alive.dispose()
    os.register_at_fork(before=close_idle)


def _sqlite_pragmas(dbapi_conn, _record):
    # SQLAlchemy, not the driver, begins transactions (``_sqlite_begin``).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _sqlite_begin(conn):
    """BEGIN, or BEGIN IMMEDIATE for the store's writes: a write transaction that starts
    by reading (the upsert reads the existing rows) takes the write lock first, so a
    concurrent writer makes it wait (busy_timeout) instead of failing with "database is
    locked" when it tries to write after the other committed."""
    immediate = conn.get_execution_options().get("sqlite_immediate")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _utc(value):
    """An aware UTC datetime: SQLite hands back naive UTC, PostgreSQL the session's zone."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)
    return value


def _row(row):
    if row is None:
        return None
    return {key: _utc(value) for key, value in row._mapping.items()}


class Store:
    """Partners and documents, with the outbox, behind one SQLAlchemy engine."""

    def __init__(self, url, echo=False):
        self.url = url
        # Pooled connections (SQLAlchemy's QueuePool; for a SQLite file it lets a thread
        # use a connection another opened): opening one costs a SQLite file its pragmas,
        # and a request of the app used to open four. A forked process drops what it
        # inherited (``_fresh_pool_after_fork``).
        self.engine = create_engine(url, echo=echo)
        _fresh_pool_after_fork(self.engine)
        self._partners = {}, {}  # partners_map's (ID → (hash, data), ID → data)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)

    def _db_time(self, value):
        """A datetime to compare with a stored one: naive values are taken as UTC.

        SQLite stores UTC wall time without a zone, so it gets naive UTC; PostgreSQL
        would read a naive value in the session's time zone, so it gets an aware one.
        """
        value = _utc(value)
        return value.replace(tzinfo=None) if self.engine.dialect.name == "sqlite" else value

    @contextlib.contextmanager
    def writing(self):
        """A write transaction; a failure of the database itself raises StoreError."""
        try:
            with self.engine.connect().execution_options(sqlite_immediate=True) as conn, \
                    conn.begin():
                yield conn
        except OperationalError as exc:
            raise StoreError(store_failure(exc)) from exc

    def create_all(self):
        """Create a fresh database's tables, or check that an existing one is current
        (raises ``indexer.migrate.SchemaOutdated`` if it needs ``matcher db upgrade``)."""
        from .migrate import STORE, ensure
        ensure(self.engine, STORE)
        return self

    def close(self):
        """Release the connection pool."""
        self.engine.dispose()

    # -- partners ---------------------------------------------------------------------

    def upsert_partners(self, items):
        """Insert or update partners by ID; returns inserted/updated/unchanged per item."""
        results = []
        now = _now()
        with self.writing() as conn:
            ids = [p["id"] for p in items]
            existing = dict(conn.execute(select(partners.c.id, partners.c.content_hash)
                                         .where(partners.c.id.in_(ids))).all()) if ids else {}
            for item in items:
                digest = content_hash(item)
                old = existing.get(item["id"])
                if old is None:
                    conn.execute(partners.insert().values(
                        id=item["id"], data=item, content_hash=digest, created_at=now,
                        updated_at=now))
                    results.append("inserted")
                elif old == digest:
                    results.append("unchanged")
                else:
                    conn.execute(partners.update().where(partners.c.id == item["id"]).values(
                        data=item, content_hash=digest, updated_at=now))
                    results.append("updated")
                existing[item["id"]] = digest
        return results

    def get_partner(self, partner_id):
        """One partner's data, or raise NotFound."""
        with self.engine.connect() as conn:
            row = conn.execute(select(partners.c.data).where(partners.c.id == partner_id)).first()
        if row is None:
            raise NotFound(f"partner {partner_id}")
        return row.data

    def partner_names(self, ids=None):
        """Map partner ID → name (all partners, or those in ``ids``)."""
        query = select(partners.c.id, partners.c.data)
        if ids is not None:
            query = query.where(partners.c.id.in_(list(ids)))
        with self.engine.connect() as conn:
            return {row.id: row.data["name"] for row in conn.execute(query)}

    def list_partners(self):
        """All partners' data, by ID."""
        with self.engine.connect() as conn:
            return [row.data for row in conn.execute(select(partners.c.data).order_by(partners.c.id))]

    def partners_map(self):
        """{partner ID: data} of every partner, as the store has them now.

        The dicts are shared by every caller in this process: read them, never change
        them. Each call reads the partners' content hashes only and decodes just those
        whose hash changed (every match request asks for the partners; decoding all
        their JSON each time cost more than the rest of the read).
        """
        seen, current = self._partners
        with self.engine.connect() as conn:
            hashes = dict(conn.execute(select(partners.c.id, partners.c.content_hash)).all())
            stale = [pid for pid, digest in hashes.items()
                     if pid not in seen or seen[pid][0] != digest]
            fresh = {}
            for start in range(0, len(stale), 500):
                fresh.update((row.id, (row.content_hash, row.data)) for row in conn.execute(
                    select(partners.c.id, partners.c.content_hash, partners.c.data)
                    .where(partners.c.id.in_(stale[start:start + 500]))))
        if stale or len(seen) != len(hashes):
            seen = {pid: fresh.get(pid) or seen[pid] for pid in sorted(hashes)
                    if pid in fresh or pid in seen}
            current = {pid: data for pid, (_, data) in seen.items()}
            self._partners = seen, current  # one assignment: threads see both or neither
        return current

    # -- documents --------------------------------------------------------------------

    def upsert_documents(self, kind, items, expected=None):
        """Insert or update documents by (partner_id, external_id), with outbox entries.

        Returns one (status, id, version) per item; status is inserted, updated or
        unchanged. All items are written in one transaction. ``expected`` maps keys
        (partner_id, external_id) to the version the caller last read (None: must not
        exist); any mismatch, or a concurrent change between read and write, raises
        StaleVersion and writes nothing.
        """
        try:
            return self._upsert_documents(kind, items, expected or {})
        except IntegrityError as exc:  # a concurrent insert of the same key
            raise StaleVersion("the document was created concurrently; read it and retry") \
                from exc

    def _upsert_documents(self, kind, items, expected):
        results = []
        now = _now()
        with self.writing() as conn:
            keys = list({(d["partner_id"], d["external_id"]) for d in items})
            existing = {}
            for start in range(0, len(keys), 400):
                chunk = keys[start:start + 400]
                rows = conn.execute(select(
                    documents.c.id, documents.c.partner_id, documents.c.external_id,
                    documents.c.content_hash, documents.c.version, documents.c.status
                ).where(documents.c.kind == kind,
                        tuple_(documents.c.partner_id, documents.c.external_id).in_(chunk)))
                existing.update({(r.partner_id, r.external_id): r for r in rows})
            changes, inserts = [], []  # inserts: (result index, key, row values)
            pending_keys = set()  # the keys in ``inserts``

            def insert_pending():
                # One multi-row INSERT ... RETURNING for the new documents so far.
                if not inserts:
                    return
                ids = conn.execute(
                    documents.insert().returning(documents.c.id, sort_by_parameter_order=True),
                    [values for _, _, values in inserts]).scalars().all()
                for (i, key, values), doc_id in zip(inserts, ids):
                    results[i] = ("inserted", doc_id, 1)
                    existing[key] = _Existing(doc_id, values["content_hash"], 1, values["status"])
                    changes.append({"kind": kind, "doc_id": doc_id, "version": 1,
                                    "created_at": now})
                inserts.clear()
                pending_keys.clear()

            for item in items:
                key = (item["partner_id"], item["external_id"])
                if key in pending_keys:
                    insert_pending()  # the same key twice in one batch: the second updates
                digest = content_hash(item)
                old = existing.get(key)
                if key in expected:
                    current = old.version if old is not None and old.status != DELETED else None
                    if current != expected[key]:
                        raise StaleVersion(f"{kind} {key[1]} is at version {current}, "
                                           f"not {expected[key]}")
                if old is not None and old.content_hash == digest and old.status != DELETED:
                    results.append(("unchanged", old.id, old.version))
                    continue
                if old is None:
                    results.append(None)
                    pending_keys.add(key)
                    inserts.append((len(results) - 1, key, dict(
                        kind=kind, partner_id=key[0], external_id=key[1], data=item,
                        content_hash=digest, version=1, status=item.get("status", "open"),
                        valid_from=item.get("valid_from"), valid_through=item.get("valid_through"),
                        created_at=now, updated_at=now)))
                    continue
                doc_id, version = old.id, old.version + 1
                # Compare-and-set: a concurrent writer in between makes this match nothing.
                done = conn.execute(documents.update().where(
                    documents.c.id == doc_id, documents.c.version == old.version).values(
                    data=item, content_hash=digest, version=version,
                    status=item.get("status", "open"), valid_from=item.get("valid_from"),
                    valid_through=item.get("valid_through"), updated_at=now))
                if done.rowcount != 1:
                    raise StaleVersion(f"{kind} {key[1]} changed concurrently; retry")
                status = "inserted" if old.status == DELETED else "updated"
                existing[key] = _Existing(doc_id, digest, version, item.get("status", "open"))
                changes.append({"kind": kind, "doc_id": doc_id, "version": version,
                                "created_at": now})
                results.append((status, doc_id, version))
            insert_pending()
            if changes:
                conn.execute(outbox.insert(), changes)
        return results

    def delete_document(self, kind, doc_id, expected_version=None):
        """Delete a document (keeping a tombstone); returns its new version.

        With ``expected_version``, raises StaleVersion unless that is the current one.
        """
        now = _now()
        with self.writing() as conn:
            row = conn.execute(select(documents.c.version, documents.c.status).where(
                documents.c.id == doc_id, documents.c.kind == kind)).first()
            if row is None or row.status == DELETED:
                raise NotFound(f"{kind} {doc_id}")
            if expected_version is not None and row.version != expected_version:
                raise StaleVersion(f"{kind} {doc_id} is at version {row.version}")
            version = row.version + 1
            done = conn.execute(documents.update().where(
                documents.c.id == doc_id, documents.c.version == row.version).values(
                data=None, content_hash=None, version=version, status=DELETED, updated_at=now))
            if done.rowcount != 1:
                raise StaleVersion(f"{kind} {doc_id} changed concurrently; retry")
            conn.execute(outbox.insert().values(kind=kind, doc_id=doc_id, version=version,
                                                created_at=now))
        return version

    def get_document(self, kind, doc_id):
        """One live document as a dict (id, kind, partner_id, external_id, version, data...)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(documents).where(
                documents.c.id == doc_id, documents.c.kind == kind,
                documents.c.status != DELETED)).first()
        if row is None:
            raise NotFound(f"{kind} {doc_id}")
        return _row(row)

    def find_document(self, kind, partner_id, external_id):
        """The row of a partner's document by its external ID (tombstones too), or None."""
        with self.engine.connect() as conn:
            return _row(conn.execute(select(documents).where(
                documents.c.kind == kind, documents.c.partner_id == partner_id,
                documents.c.external_id == external_id)).first())

    def list_documents(self, kind, partner_id, status=None, updated_since=None,
                       updated_before=None, after=None, limit=20):
        """A partner's live documents ordered by external ID, after ``after``."""
        query = select(documents).where(
            documents.c.kind == kind, documents.c.partner_id == partner_id,
            documents.c.status != DELETED)
        if status:
            query = query.where(documents.c.status == status)
        if updated_since:
            query = query.where(documents.c.updated_at >= self._db_time(updated_since))
        if updated_before:
            query = query.where(documents.c.updated_at < self._db_time(updated_before))
        if after:
            query = query.where(documents.c.external_id > after)
        query = query.order_by(documents.c.external_id).limit(limit)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    def get_documents(self, ids):
        """Rows (live or deleted) for ``ids``, keyed by ID."""
        out = {}
        ids = list(ids)
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                rows = conn.execute(select(documents).where(documents.c.id.in_(ids[start:start + 500])))
                out.update({r.id: _row(r) for r in rows})
        return out

    def iter_documents(self, kind, batch=2000):
        """Every live document of ``kind``, in ID order, fetched in batches."""
        last = 0
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(select(documents).where(
                    documents.c.kind == kind, documents.c.status != DELETED,
                    documents.c.id > last).order_by(documents.c.id).limit(batch)).all()
            if not rows:
                return
            for row in rows:
                yield _row(row)
            last = rows[-1].id

    def live_ids(self, kind):
        """IDs of the live documents of ``kind``, in order."""
        c = documents.c
        with self.engine.connect() as conn:
            return list(conn.execute(select(c.id).where(c.kind == kind, c.status != DELETED)
                                     .order_by(c.id)).scalars())

    def documents_between(self, kind, first, last):
        """The live documents of ``kind`` with IDs from ``first`` to ``last``, in order."""
        c = documents.c
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(select(documents).where(
                c.kind == kind, c.status != DELETED, c.id >= first, c.id <= last)
                .order_by(c.id))]

    def searchable(self, kind, today):
        """{id: version} of the open documents of ``kind`` valid on ``today``."""
        day = today.isoformat()
        c = documents.c
        query = select(c.id, c.version).where(
            c.kind == kind, c.status == "open",
            or_(c.valid_from.is_(None), c.valid_from <= day),
            or_(c.valid_through.is_(None), c.valid_through >= day))
        with self.engine.connect() as conn:
            return dict(conn.execute(query).all())

    def count_pending(self, changes):
        """How many of ``changes`` ((doc_id, version) pairs) still wait in the outbox."""
        wanted, found = set(changes), 0
        ids = sorted({doc_id for doc_id, _ in wanted})
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                found += sum(1 for pair in conn.execute(
                    select(outbox.c.doc_id, outbox.c.version).where(
                        outbox.c.doc_id.in_(ids[start:start + 500])).distinct())
                    if tuple(pair) in wanted)
        return found

    def pending_ids(self, kind):
        """IDs of the documents of ``kind`` with an outbox entry waiting."""
        with self.engine.connect() as conn:
            return set(conn.execute(select(outbox.c.doc_id).where(outbox.c.kind == kind)
                                    .distinct()).scalars())

    def tombstones(self, kind):
        """(id, version) of every deleted document of ``kind``."""
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(documents.c.id, documents.c.version)
                                                    .where(documents.c.kind == kind,
                                                           documents.c.status == DELETED)
                                                    .order_by(documents.c.id))]

    def changed_since(self, kind, since):
        """Rows of ``kind`` (tombstones too) changed at or after ``since``."""
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(select(documents).where(
                documents.c.kind == kind, documents.c.updated_at >= self._db_time(since))
                .order_by(documents.c.id))]

    def counts(self):
        """Live documents per kind and status, plus partners and pending outbox entries."""
        with self.engine.connect() as conn:
            out = {"partners": conn.execute(select(func.count()).select_from(partners)).scalar()}
            for kind, status, n in conn.execute(
                    select(documents.c.kind, documents.c.status, func.count())
                    .group_by(documents.c.kind, documents.c.status)):
                if status != DELETED:
                    out.setdefault(kind, {})[status] = n
            out["outbox"] = conn.execute(select(func.count()).select_from(outbox)).scalar()
        return out

    # -- outbox -----------------------------------------------------------------------

    def pending(self, limit=500):
        """The oldest outbox entries: (outbox_id, kind, doc_id, version)."""
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(
                outbox.c.id, outbox.c.kind, outbox.c.doc_id, outbox.c.version
            ).order_by(outbox.c.id).limit(limit))]

    def ack(self, entries):
        """Remove outbox entries that have reached the index; returns how many this removed.

        ``entries`` are tuples as ``pending`` returns them. An entry is removed only if it
        still holds the same document and version: another drainer may have removed it
        already, and SQLite may have given its ID to a newer write since.
        """
        entries = [tuple(e) for e in entries]
        removed = 0
        with self.writing() as conn:
            for start in range(0, len(entries), 300):
                chunk = [(e[0], e[2], e[3]) for e in entries[start:start + 300]]
                removed += conn.execute(outbox.delete().where(
                    tuple_(outbox.c.id, outbox.c.doc_id, outbox.c.version).in_(chunk))).rowcount
        return removed


class _Existing:
    __slots__ = ("id", "content_hash", "version", "status")

    def __init__(self, doc_id, digest, version, status):
        self.id, self.content_hash, self.version, self.status = doc_id, digest, version, status
