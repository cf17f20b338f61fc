"""Partner API keys and idempotency records: tables beside the store, same engine.

A key is ``vb_<prefix>_<secret>``: the prefix is a random lookup ID stored in clear,
the whole key is stored only as its SHA-256 (keys are high-entropy random strings, so
a fast hash is enough), compared in constant time.
"""
import datetime as dt
import hashlib
import hmac
import re
import secrets

from sqlalchemy import (JSON, Column, DateTime, ForeignKey, Integer, String, Table, Text,
                        UniqueConstraint, delete, select, update)
from sqlalchemy.exc import IntegrityError

from .errors import Conflict, NotFound
from .store import metadata

api_keys = Table(
    "api_keys", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("key_hash", String(64), nullable=False),
    Column("partner_id", String(64), ForeignKey("partners.id"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

idempotency = Table(
    "idempotency_keys", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("partner_id", String(64), nullable=False),
    Column("key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),
    # None while the first request is still being processed.
    Column("status_code", Integer),
    Column("body", Text),
    Column("headers", JSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("partner_id", "key", name="uq_idempotency_key"),
)

KEY_RE = re.compile(r"^vb_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


def _now():
    return dt.datetime.now(dt.timezone.utc)


def _hash(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def new_key():
    """A fresh key ``vb_<prefix>_<secret>`` and its lookup prefix, as (prefix, key)."""
    prefix = secrets.token_hex(6)
    return prefix, f"vb_{prefix}_{secrets.token_urlsafe(32)}"


def key_matches(raw, key_hash):
    """True when ``raw`` is the key stored as ``key_hash`` (constant-time)."""
    return hmac.compare_digest(key_hash, _hash(raw))


hash_key = _hash


def create_tables(store):
    """Create the key and idempotency tables if missing."""
    metadata.create_all(store.engine, tables=[api_keys, idempotency])


def parse_key(raw):
    """The lookup prefix of a well-formed key, or None."""
    match = KEY_RE.match(raw or "")
    return match.group(1) if match else None


class KeyStore:
    """Issue, check, list and revoke partner API keys."""

    def __init__(self, store):
        self.store = store

    def issue(self, partner_id):
        """A new key for ``partner_id``; the plain key is returned once and never stored."""
        self.store.get_partner(partner_id)
        prefix, raw = new_key()
        with self.store.engine.begin() as conn:
            conn.execute(api_keys.insert().values(prefix=prefix, key_hash=_hash(raw),
                                                  partner_id=partner_id, created_at=_now()))
        return raw

    def check(self, raw):
        """(partner_id, revoked) for a valid key, or None for an unknown or malformed one."""
        prefix = parse_key(raw)
        if prefix is None:
            return None
        with self.store.engine.connect() as conn:
            row = conn.execute(select(api_keys).where(api_keys.c.prefix == prefix)).first()
        if row is None or not hmac.compare_digest(row.key_hash, _hash(raw)):
            return None
        return row.partner_id, row.revoked_at is not None

    def list(self, partner_id=None):
        """Keys (prefix, partner, created, revoked), never their secrets."""
        query = select(api_keys.c.prefix, api_keys.c.partner_id, api_keys.c.created_at,
                       api_keys.c.revoked_at).order_by(api_keys.c.partner_id, api_keys.c.id)
        if partner_id:
            query = query.where(api_keys.c.partner_id == partner_id)
        with self.store.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def revoke(self, partner_id=None, prefix=None):
        """Revoke every live key of a partner, or one key by prefix; returns how many."""
        query = update(api_keys).where(api_keys.c.revoked_at.is_(None))
        if prefix:
            query = query.where(api_keys.c.prefix == prefix)
        if partner_id:
            query = query.where(api_keys.c.partner_id == partner_id)
        if not (prefix or partner_id):
            raise ValueError("name a partner or a key prefix")
        with self.store.engine.begin() as conn:
            count = conn.execute(query.values(revoked_at=_now())).rowcount
        if not count and prefix:
            raise NotFound(f"live key {prefix}")
        return count

    def rotate(self, partner_id):
        """Issue a new key and revoke the partner's older ones; returns the new key."""
        self.store.get_partner(partner_id)
        old = [k["prefix"] for k in self.list(partner_id) if k["revoked_at"] is None]
        raw = self.issue(partner_id)
        for prefix in old:
            self.revoke(prefix=prefix)
        return raw


class IdempotencyStore:
    """Remember the response to a request sent with an ``Idempotency-Key``."""

    def __init__(self, store, ttl_hours=24):
        self.store, self.ttl = store, dt.timedelta(hours=ttl_hours)

    def begin(self, partner_id, key, request_hash):
        """Claim ``key``: None if new, else the stored (status, body, headers).

        Raises Conflict while the first request with that key is still running, and
        KeyReused when the key was used with a different request.
        """
        now = _now()
        with self.store.engine.begin() as conn:
            conn.execute(delete(idempotency).where(idempotency.c.created_at < now - self.ttl))
        try:
            with self.store.engine.begin() as conn:
                conn.execute(idempotency.insert().values(
                    partner_id=partner_id, key=key, request_hash=request_hash, created_at=now))
            return None
        except IntegrityError:
            pass
        with self.store.engine.connect() as conn:
            row = conn.execute(select(idempotency).where(
                idempotency.c.partner_id == partner_id, idempotency.c.key == key)).first()
        if row is None:  # expired between the two statements: treat as new
            return self.begin(partner_id, key, request_hash)
        if row.request_hash != request_hash:
            raise KeyReused("This Idempotency-Key was used with a different request.")
        if row.status_code is None:
            raise Conflict("A request with this Idempotency-Key is still being processed.")
        return row.status_code, row.body, row.headers or {}

    def finish(self, partner_id, key, status, body, headers):
        """Store the response of a claimed key."""
        with self.store.engine.begin() as conn:
            conn.execute(update(idempotency).where(
                idempotency.c.partner_id == partner_id, idempotency.c.key == key).values(
                status_code=status, body=body, headers=headers))

    def release(self, partner_id, key):
        """Forget a claim whose request failed unexpectedly, so a retry can run."""
        with self.store.engine.begin() as conn:
            conn.execute(delete(idempotency).where(
                idempotency.c.partner_id == partner_id, idempotency.c.key == key))


class KeyReused(Conflict):
    """An Idempotency-Key was sent again with a different request."""
