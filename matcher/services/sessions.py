"""Server-side sessions of the web app: a random token in the cookie, its hash here.

A session ends at logout, when its user changes or resets the password or is disabled,
after ``SESSION_IDLE_MINUTES`` without a request, and ``SESSION_MAX_HOURS`` after login
whatever the activity. A new login always starts a new session (a new token).
"""
import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, or_, select, update

from ..models import sessions

# Seconds between two updates of a session's last-seen time (one write per minute, not
# one per request).
TOUCH_EVERY = 60


def _now():
    return dt.datetime.now(dt.timezone.utc)


def _aware(value):
    return value if value is None or value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _id(token):
    return hashlib.sha256(token.encode()).hexdigest()


class SessionService:
    """Start, resolve and end sessions."""

    def __init__(self, engine, settings):
        self.engine = engine
        self.idle = dt.timedelta(minutes=settings.get("SESSION_IDLE_MINUTES", 30))
        self.absolute = dt.timedelta(hours=settings.get("SESSION_MAX_HOURS", 12))

    def start(self, user_id, ip=None, user_agent=None, conn=None):
        """A new session of ``user_id``; returns the token to put in the cookie."""
        token, now = secrets.token_urlsafe(32), _now()
        values = dict(id=_id(token), user_id=user_id, created_at=now, last_seen_at=now,
                      ip=ip, user_agent=(user_agent or "")[:300])
        if conn is not None:
            conn.execute(sessions.insert().values(**values))
        else:
            with self.engine.begin() as c:
                c.execute(sessions.insert().values(**values))
        return token

    def resolve(self, token):
        """The user ID of a live session, or None (an expired session is removed)."""
        if not token or not isinstance(token, str):
            return None
        now, sid = _now(), _id(token)
        with self.engine.connect() as conn:
            row = conn.execute(select(sessions).where(sessions.c.id == sid)).first()
        if row is None:
            return None
        if now - _aware(row.last_seen_at) > self.idle or now - _aware(row.created_at) > self.absolute:
            self.end(token)
            return None
        if (now - _aware(row.last_seen_at)).total_seconds() > TOUCH_EVERY:
            with self.engine.begin() as conn:
                conn.execute(update(sessions).where(sessions.c.id == sid).values(last_seen_at=now))
        return row.user_id

    def end(self, token):
        """End one session."""
        if token:
            with self.engine.begin() as conn:
                conn.execute(delete(sessions).where(sessions.c.id == _id(token)))

    def end_all(self, user_id, conn):
        """End every session of ``user_id`` (inside the caller's transaction)."""
        conn.execute(delete(sessions).where(sessions.c.user_id == user_id))

    def purge(self):
        """Remove expired sessions; returns how many."""
        now = _now()
        with self.engine.begin() as conn:
            return conn.execute(delete(sessions).where(or_(
                sessions.c.last_seen_at < now - self.idle,
                sessions.c.created_at < now - self.absolute))).rowcount
