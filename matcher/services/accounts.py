"""Officer and admin accounts: argon2id password hashes, login throttling and locks."""
import datetime as dt

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from ..models import login_throttle, users
from .errors import AuthError, Conflict, InvalidDocument, NotFound
from indexer.places import PlaceError, parse_unit

ROLES = ("officer", "admin")
MIN_PASSWORD = 10
# argon2id with the library's recommended parameters; tests use the cheapest ones.
HASHERS = {"default": PasswordHasher(),
           "testing": PasswordHasher.from_parameters(profiles.CHEAPEST)}


def _now():
    return dt.datetime.now(dt.timezone.utc)


def _aware(value):
    # SQLite returns naive datetimes; they were stored in UTC.
    return value if value is None or value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _public(row):
    user = dict(row._mapping)
    user.pop("password_hash", None)
    return user


class AccountService:
    """Create, disable and authenticate accounts."""

    def __init__(self, engine, settings):
        self.engine = engine
        self.hasher = HASHERS["testing" if settings.get("TESTING") else "default"]
        # Verified against when the user is unknown, so both paths take the same time.
        self._dummy_hash = self.hasher.hash("not a password of anyone")
        self.delay_after = settings.get("LOGIN_DELAY_AFTER", 3)
        self.lock_after = settings.get("LOGIN_LOCK_AFTER", 10)
        self.lock_minutes = settings.get("LOGIN_LOCK_MINUTES", 15)

    @staticmethod
    def _check_password(password):
        if len(password or "") < MIN_PASSWORD:
            raise InvalidDocument([{"field": "password", "messages": [
                f"Use at least {MIN_PASSWORD} characters."]}])

    def create(self, username, password, role="officer", unit=None):
        """Create an account; officers need a unit: a current ward (see
        ``indexer.places.parse_unit``: a code, 'province / ward' or an old unit name),
        stored by its official code."""
        username = (username or "").strip().lower()
        if not username or len(username) > 64 or not username.replace(".", "").replace(
                "_", "").replace("-", "").isalnum():
            raise InvalidDocument([{"field": "username", "messages": [
                "Use 1-64 letters, digits, '.', '_' or '-'."]}])
        if role not in ROLES:
            raise InvalidDocument([{"field": "role", "messages": ["Use officer or admin."]}])
        if unit:
            try:
                unit = parse_unit(unit)[0].code
            except PlaceError as exc:
                raise InvalidDocument([{"field": "unit", "messages": [exc.message]}]) from None
        elif role == "officer":
            raise InvalidDocument([{"field": "unit", "messages": ["An officer needs a unit."]}])
        self._check_password(password)
        with self.engine.begin() as conn:
            if conn.execute(select(users.c.id).where(users.c.username == username)).first():
                raise Conflict(f"user {username} exists")
            user_id = conn.execute(users.insert().values(
                username=username, password_hash=self.hasher.hash(password), role=role, unit=unit,
                active=True, session_version=1, created_at=_now())).inserted_primary_key[0]
        return self.get(user_id)

    def get(self, user_id):
        """The account (without its hash), or raise NotFound."""
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
        if row is None:
            raise NotFound(f"user {user_id}")
        return _public(row)

    def by_username(self, username):
        """The account named ``username``, or raise NotFound."""
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(
                users.c.username == (username or "").strip().lower())).first()
        if row is None:
            raise NotFound(f"user {username}")
        return _public(row)

    def session_user(self, user_id, version):
        """The active account a session points to, or None if it is stale."""
        try:
            user = self.get(user_id)
        except NotFound:
            return None
        return user if user["active"] and user["session_version"] == version else None

    def set_active(self, username, active):
        """Disable (or re-enable) an account; its sessions end."""
        user = self.by_username(username)
        with self.engine.begin() as conn:
            conn.execute(users.update().where(users.c.id == user["id"]).values(
                active=active, session_version=user["session_version"] + 1))

    def reset_password(self, username, password):
        """Set a new password, end the account's sessions and clear any lock."""
        self._check_password(password)
        user = self.by_username(username)
        with self.engine.begin() as conn:
            conn.execute(users.update().where(users.c.id == user["id"]).values(
                password_hash=self.hasher.hash(password),
                session_version=user["session_version"] + 1))
            conn.execute(login_throttle.delete().where(
                login_throttle.c.username == user["username"]))

    def authenticate(self, username, password):
        """The account if the credentials are right; raises AuthError otherwise.

        After ``delay_after`` failures each further attempt must wait a doubling delay;
        after ``lock_after`` failures the name is locked for ``lock_minutes``. Attempts
        during a wait are refused without checking the password.
        """
        key = (username or "").strip().lower()[:64]
        now = _now()
        with self.engine.connect() as conn:
            throttle = conn.execute(select(login_throttle).where(
                login_throttle.c.username == key)).first()
            row = conn.execute(select(users).where(users.c.username == key)).first()
        retry_after = _aware(throttle.retry_after) if throttle else None
        if retry_after and retry_after > now:
            raise AuthError("throttled", wait=int((retry_after - now).total_seconds()) + 1)
        try:
            self.hasher.verify(row.password_hash if row else self._dummy_hash, password or "")
            ok = row is not None and row.active
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            wait = self._fail(key, throttle.failures if throttle else 0, now)
            raise AuthError("invalid", wait=wait)
        with self.engine.begin() as conn:
            conn.execute(login_throttle.delete().where(login_throttle.c.username == key))
            if self.hasher.check_needs_rehash(row.password_hash):
                conn.execute(users.update().where(users.c.id == row.id).values(
                    password_hash=self.hasher.hash(password)))
        return _public(row)

    def _fail(self, key, failures, now):
        failures += 1
        if failures >= self.lock_after:
            wait = self.lock_minutes * 60
        elif failures >= self.delay_after:
            wait = min(2 ** (failures - self.delay_after), 60)
        else:
            wait = 0
        values = {"failures": failures,
                  "retry_after": now + dt.timedelta(seconds=wait) if wait else None}
        with self.engine.begin() as conn:
            done = conn.execute(login_throttle.update().where(
                login_throttle.c.username == key).values(**values)).rowcount
            if not done:
                conn.execute(login_throttle.insert().values(username=key, **values))
        return wait
