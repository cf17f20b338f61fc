"""API clients of the match API: keys with scopes, issued with ``matcher clients``.

A client key looks like a partner key (``vb_<prefix>_<secret>``, stored as a SHA-256)
but lives in its own table: a partner key is never a client key, whatever its scope.
"""
import datetime as dt
import re

from sqlalchemy import select, update

from indexer.keys import hash_key, key_matches, new_key, parse_key

from ..models import api_clients
from .errors import InvalidDocument, NotFound

SCOPES = ("match",)
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def _now():
    return dt.datetime.now(dt.timezone.utc)


class ClientService:
    """Issue, check, list and revoke API client keys."""

    def __init__(self, engine):
        self.engine = engine

    def issue(self, name, scopes=("match",)):
        """A new key for client ``name``; the plain key is returned once, never stored."""
        if not NAME_RE.match(name or ""):
            raise InvalidDocument([{"field": "name", "messages": [
                "Use 1-64 lower-case letters, digits, '.', '_' or '-'."]}])
        unknown = [s for s in scopes if s not in SCOPES]
        if unknown or not scopes:
            raise InvalidDocument([{"field": "scope", "messages": [
                f"Use one or more of: {', '.join(SCOPES)}."]}])
        prefix, raw = new_key()
        with self.engine.begin() as conn:
            conn.execute(api_clients.insert().values(
                name=name, prefix=prefix, key_hash=hash_key(raw), scopes=" ".join(scopes),
                created_at=_now()))
        return raw

    def check(self, raw):
        """The client (name, prefix, scopes, revoked) of a valid key, or None."""
        prefix = parse_key(raw)
        if prefix is None:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(api_clients).where(api_clients.c.prefix == prefix)).first()
        if row is None or not key_matches(raw, row.key_hash):
            return None
        return {"name": row.name, "prefix": row.prefix, "scopes": row.scopes.split(),
                "revoked": row.revoked_at is not None, "username": f"client:{row.name}"}

    def list(self):
        """Every key (name, prefix, scopes, created, revoked), never a secret."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(
                api_clients.c.name, api_clients.c.prefix, api_clients.c.scopes,
                api_clients.c.created_at, api_clients.c.revoked_at).order_by(
                api_clients.c.name, api_clients.c.id))
            return [dict(r._mapping) for r in rows]

    def revoke(self, name, prefix=None):
        """Revoke the live keys of client ``name`` (or one by prefix); returns how many."""
        query = update(api_clients).where(api_clients.c.name == name,
                                          api_clients.c.revoked_at.is_(None))
        if prefix:
            query = query.where(api_clients.c.prefix == prefix)
        with self.engine.begin() as conn:
            count = conn.execute(query.values(revoked_at=_now())).rowcount
        if not count:
            raise NotFound(f"live key of client {name}")
        return count
