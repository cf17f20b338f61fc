"""Rate limits: Flask-Limiter over counters in the store's database, shared by all workers.

``RATELIMIT_STORAGE_URI = "database://"`` (the default) keeps fixed-window counters in
the ``rate_limits`` table; each hit is one atomic ``INSERT ... ON CONFLICT DO UPDATE ...
RETURNING`` on SQLite and PostgreSQL alike, so every gunicorn worker and every app
server sees the same count. ``memory://`` (one worker only) and Redis URLs still work.

What is limited (settings in config/settings.toml):

- API requests with a verified key (or an officer session, for the match API): per key,
  ``PARTNER_RATE_LIMIT`` / ``MATCH_RATE_LIMIT``;
- API requests whose key is missing or wrong: per client IP, ``AUTH_FAILURE_RATE_LIMIT``,
  counted across all API routes, so made-up keys get no buckets of their own;
- failed logins: per client IP, ``LOGIN_IP_RATE_LIMIT`` (per user name, see
  AccountService).
"""
import random
import time

from flask import current_app
from flask_limiter import Limiter
from limits.storage import Storage
from sqlalchemy import case, delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from .models import dialect_insert, rate_limits
from .security import client_ip


class DatabaseStorage(Storage):
    """A ``limits`` storage over a SQLAlchemy engine (fixed-window strategy)."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri=None, wrap_exceptions=False, engine=None, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        if engine is None:
            raise ValueError("DatabaseStorage needs storage_options={'engine': ...}")
        self.engine = engine  # the table is the officer schema's (matcher.migrations)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key, expiry, amount=1):
        """Add ``amount`` to the counter of ``key`` (a new window if it expired)."""
        now = time.time()
        table = rate_limits
        expired = table.c.expires_at <= now
        stmt = dialect_insert(self.engine, table).values(key=key, count=amount, expires_at=now + expiry)
        stmt = stmt.on_conflict_do_update(index_elements=[table.c.key], set_={
            "count": case((expired, amount), else_=table.c.count + amount),
            "expires_at": case((expired, now + expiry), else_=table.c.expires_at),
        }).returning(table.c.count)
        with self.engine.begin() as conn:
            count = conn.execute(stmt).scalar_one()
            if random.random() < 0.01:  # now and then, forget windows long over
                conn.execute(delete(table).where(table.c.expires_at < now - 3600))
        return count

    def get(self, key):
        """The counter of ``key`` in its current window (0 if none)."""
        with self.engine.connect() as conn:
            count = conn.execute(select(rate_limits.c.count).where(
                rate_limits.c.key == key, rate_limits.c.expires_at > time.time())).scalar()
        return count or 0

    def get_expiry(self, key):
        """When the window of ``key`` ends (epoch seconds)."""
        with self.engine.connect() as conn:
            expires = conn.execute(select(rate_limits.c.expires_at).where(
                rate_limits.c.key == key)).scalar()
        return max(expires or 0, time.time())

    def check(self):
        """True when the database answers."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def reset(self):
        """Forget every counter."""
        with self.engine.begin() as conn:
            return conn.execute(delete(rate_limits)).rowcount

    def clear(self, key):
        """Forget the counter of ``key``."""
        with self.engine.begin() as conn:
            conn.execute(delete(rate_limits).where(rate_limits.c.key == key))


def make_limiter(app, engine):
    """The app's Limiter on RATELIMIT_STORAGE_URI (``database://``: ``engine``)."""
    # Flask-Limiter's own headers would put its window's end in Retry-After even on a
    # login refused for a shorter per-user wait; the error handler sets it for 429s.
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    uri = app.config["RATELIMIT_STORAGE_URI"]
    options = {"engine": engine} if uri.startswith("database:") else {}
    limiter = Limiter(key_func=client_ip, app=app, default_limits=[], storage_uri=uri,
                      storage_options=options, strategy="fixed-window")
    app.extensions["vungbuoc_limiter"] = limiter
    return limiter


def retry_after():
    """Seconds until the limit this request broke lets requests through again."""
    limit = current_app.extensions["vungbuoc_limiter"].current_limit
    return max(1, int(limit.reset_at - time.time()) + 1) if limit else 60


def _setting(name):
    return lambda: current_app.config[name]


def limit_api(limiter, bp, setting, identity):
    """Limit ``bp``: ``setting`` per verified identity, failures per client IP.

    ``identity()`` is the verified key's (or session's) rate-limit key, or None when the
    request carries no valid credentials.
    """
    limiter.limit(_setting(setting), key_func=lambda: identity() or "-",
                  exempt_when=lambda: identity() is None)(bp)
    limiter.shared_limit(_setting("AUTH_FAILURE_RATE_LIMIT"), scope="api-auth-failures",
                         key_func=client_ip, exempt_when=lambda: identity() is not None,
                         deduct_when=lambda response: response.status_code in (401, 403))(bp)


def limit_login(limiter, app, endpoint="auth.login"):
    """Limit failed logins per client IP (a successful login redirects: 302)."""
    app.view_functions[endpoint] = limiter.limit(
        _setting("LOGIN_IP_RATE_LIMIT"), key_func=client_ip, methods=["POST"],
        deduct_when=lambda response: response.status_code != 302)(app.view_functions[endpoint])
