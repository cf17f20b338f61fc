"""Officer and admin accounts: argon2id password hashes, login throttling and locks."""
import datetime as dt

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from indexer import places
from indexer.places import PlaceError, parse_unit

from ..models import dialect_insert, login_throttle, users
from . import passwords
from .errors import AuthError, Conflict, InvalidDocument, NotFound
from .sessions import SessionService

ROLES = ("officer", "province", "admin")
# argon2id with the library's recommended parameters; tests use the cheapest ones.
HASHERS = {"default": PasswordHasher(),
           "testing": PasswordHasher.from_parameters(profiles.CHEAPEST)}


def _now():
    return dt.datetime.now(dt.timezone.utc)


def _aware(value):
    # SQLite returns naive datetimes; they were stored in UTC.
    return value if value is None or value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _clean_name(name):
    """An officer's full name, spaces tidied (None when empty); at most 100 characters."""
    name = " ".join((name or "").split()) or None
    if name is not None and len(name) > 100:
        raise InvalidDocument([{"field": "name", "messages": [
            "Longer than maximum length 100."]}])
    return name


def _public(row):
    user = dict(row._mapping)
    user.pop("password_hash", None)
    return user


class AccountService:
    """Create, disable and authenticate accounts."""

    def __init__(self, engine, settings):
        self.engine = engine
        self.sessions = SessionService(engine, settings)
        self.min_password = settings.get("PASSWORD_MIN_LENGTH", passwords.MIN_LENGTH)
        self.hasher = HASHERS["testing" if settings.get("TESTING") else "default"]
        # Verified against when the user is unknown, so both paths take the same time.
        self._dummy_hash = self.hasher.hash("not a password of anyone")
        self.delay_after = settings.get("LOGIN_DELAY_AFTER", 3)
        self.lock_after = settings.get("LOGIN_LOCK_AFTER", 10)
        self.lock_minutes = settings.get("LOGIN_LOCK_MINUTES", 15)

    def _check_password(self, password, username):
        passwords.check(password, username, self.min_password)

    def create(self, username, password, role="officer", unit=None, name=None):
        """Create an account; officers need a unit: a current ward (see
        ``indexer.places.parse_unit``: a code, 'province / ward' or an old unit name),
        stored by its official code. ``name``: the full name printed on slips."""
        name = _clean_name(name)
        username = (username or "").strip().lower()
        if not username or len(username) > 64 or not username.replace(".", "").replace(
                "_", "").replace("-", "").isalnum():
            raise InvalidDocument([{"field": "username", "messages": [
                "Use 1-64 letters, digits, '.', '_' or '-'."]}])
        if role not in ROLES:
            raise InvalidDocument([{"field": "role", "messages": [
                "Use officer, province or admin."]}])
        if role == "province":
            # A province account oversees the wards of one province: its unit is the
            # province's code (a code or a name).
            found = places.province(unit) if unit and str(unit).strip().isdigit() \
                else places.find_province(unit or "")
            if found is None:
                raise InvalidDocument([{"field": "unit", "messages": [
                    "A province account needs a current province or city."]}])
            unit = found.code
        elif unit:
            try:
                unit = parse_unit(unit)[0].code
            except PlaceError as exc:
                raise InvalidDocument([{"field": "unit", "messages": [exc.message]}]) from None
        elif role == "officer":
            raise InvalidDocument([{"field": "unit", "messages": ["An officer needs a unit."]}])
        self._check_password(password, username)
        with self.engine.begin() as conn:
            if conn.execute(select(users.c.id).where(users.c.username == username)).first():
                raise Conflict(f"user {username} exists")
            user_id = conn.execute(users.insert().values(
                username=username, password_hash=self.hasher.hash(password), role=role, unit=unit,
                display_name=name, active=True, session_version=1,
                created_at=_now())).inserted_primary_key[0]
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

    def session_user(self, token):
        """The active account of a live session token, or None."""
        user_id = self.sessions.resolve(token)
        if user_id is None:
            return None
        try:
            user = self.get(user_id)
        except NotFound:
            return None
        return user if user["active"] else None

    def set_active(self, username, active):
        """Disable (or re-enable) an account; its sessions end."""
        user = self.by_username(username)
        with self.engine.begin() as conn:
            conn.execute(users.update().where(users.c.id == user["id"]).values(
                active=active, session_version=user["session_version"] + 1))
            self.sessions.end_all(user["id"], conn)

    def set_name(self, username, name):
        """Set (or, empty, clear) the full name printed on an officer's referral slips."""
        user = self.by_username(username)
        with self.engine.begin() as conn:
            conn.execute(users.update().where(users.c.id == user["id"]).values(
                display_name=_clean_name(name)))

    def reset_password(self, username, password):
        """Set a new password, end the account's sessions and clear any lock."""
        user = self.by_username(username)
        self._check_password(password, user["username"])
        self._set_password(user, password)

    def change_password(self, user, current, new):
        """The user's own change: the current password (throttled like a login), then the
        new one; every session of the account ends (the caller starts a new one)."""
        self.authenticate(user["username"], current)
        if new == current:
            raise InvalidDocument([{"field": "new_password", "messages": [
                "Choose a password different from the current one."]}])
        passwords.check(new, user["username"], self.min_password, field="new_password")
        self._set_password(user, new)

    def _set_password(self, user, password):
        with self.engine.begin() as conn:
            conn.execute(users.update().where(users.c.id == user["id"]).values(
                password_hash=self.hasher.hash(password),
                session_version=user["session_version"] + 1))
            conn.execute(login_throttle.delete().where(
                login_throttle.c.username == user["username"]))
            self.sessions.end_all(user["id"], conn)

    def authenticate(self, username, password):
        """The account if the credentials are right; raises AuthError otherwise.

        After ``delay_after`` failures each further attempt must wait a doubling delay;
        after ``lock_after`` failures the name is locked for ``lock_minutes``. Attempts
        during a wait are refused without checking the password. Each attempt is counted
        as a failure atomically *before* the password is checked (and forgiven if it was
        right), so parallel attempts cannot slip between the check and the count.
        """
        key = (username or "").strip().lower()[:64]
        wait = self._claim_attempt(key)
        if wait:
            raise AuthError("throttled", wait=wait)
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.username == key)).first()
        try:
            self.hasher.verify(row.password_hash if row else self._dummy_hash, password or "")
            ok = row is not None and row.active
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            raise AuthError("invalid")
        with self.engine.begin() as conn:
            conn.execute(login_throttle.delete().where(login_throttle.c.username == key))
            if self.hasher.check_needs_rehash(row.password_hash):
                conn.execute(users.update().where(users.c.id == row.id).values(
                    password_hash=self.hasher.hash(password)))
        return _public(row)

    def _claim_attempt(self, key):
        """Seconds to wait if ``key`` is throttled (nothing counted); else count the
        attempt as a failure, set the wait it brings, and return 0.

        One transaction whose first statement writes, so concurrent attempts queue: on
        SQLite behind the database's write lock, on PostgreSQL behind the row lock.
        """
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(dialect_insert(self.engine, login_throttle).values(
                username=key, failures=0, retry_after=None).on_conflict_do_nothing())
            row = conn.execute(select(login_throttle).where(
                login_throttle.c.username == key).with_for_update()).one()
            retry_after = _aware(row.retry_after)
            if retry_after and retry_after > now:
                return int((retry_after - now).total_seconds()) + 1
            failures = row.failures + 1
            if failures >= self.lock_after:
                wait = self.lock_minutes * 60
            elif failures >= self.delay_after:
                wait = min(2 ** (failures - self.delay_after), 60)
            else:
                wait = 0
            conn.execute(login_throttle.update().where(login_throttle.c.username == key).values(
                failures=failures, retry_after=now + dt.timedelta(seconds=wait) if wait else None))
        return 0

