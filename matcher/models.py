"""Officer-side tables: accounts, sessions, profiles and consents, referrals, support
measures, audit log.

They live in the store's database (same engine) under their own MetaData: created by
``create_app`` in a fresh database, changed only by migrations (``matcher/migrations``,
``matcher db upgrade``). The audit log is append-only: the services never update or
delete it, and the database refuses to (triggers on SQLite and PostgreSQL).
"""
from sqlalchemy import (DDL, JSON, Boolean, Column, Date, DateTime, Float, ForeignKey, Index,
                        Integer, MetaData, String, Table, Text, UniqueConstraint, event, false,
                        select)

metadata = MetaData()

users = Table(
    "officer_users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),  # officer | province | admin
    # The unit is a current ward (commune-level unit) by its official code, e.g. "16531"
    # (indexer.places). Profiles, match runs and referrals carry their unit's code too.
    # A "province" account oversees the wards of a province: its unit is the province's
    # code (e.g. "38") and it sees only counts per ward (the dashboard), never a profile.
    Column("unit", String(300)),
    # The officer's name as printed on referral slips ("Nguyễn Thị Lan"); the user name
    # is shown when it is not set.
    Column("display_name", String(100)),
    Column("active", Boolean, nullable=False, default=True),
    # Bumped by a password reset or a disable, so old sessions stop working.
    Column("session_version", Integer, nullable=False, default=1),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Alerts (matcher.services.alerts): the address of the daily digest, whether the
    # officer wants it, when it last went, and when the officer last saw the new postings
    # on the follow-ups page.
    Column("email", String(254)),
    Column("digest_opt_in", Boolean, nullable=False, default=False, server_default=false()),
    Column("digest_sent_at", DateTime(timezone=True)),
    Column("alerts_seen_at", DateTime(timezone=True)),
)

login_throttle = Table(
    "officer_login_throttle", metadata,
    Column("username", String(64), primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("retry_after", DateTime(timezone=True)),
)

# Server-side sessions: the cookie carries a random token, the table its SHA-256. A
# session ends at logout, on a password change or reset, when the account is disabled,
# after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after login.
sessions = Table(
    "officer_sessions", metadata,
    Column("id", String(64), primary_key=True),  # sha256 of the cookie's token
    Column("user_id", Integer, ForeignKey("officer_users.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("ip", String(64)),
    Column("user_agent", String(300)),
)

# Clients of the match API (an officers' tool, a ward's system): a key with scopes.
# Same key format as partner keys (indexer.keys), in a table of its own, so a partner
# key can never be a match key.
api_clients = Table(
    "api_clients", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, index=True),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("key_hash", String(64), nullable=False),
    Column("scopes", String(200), nullable=False),  # space-separated, e.g. "match"
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

# Fixed-window rate-limit counters shared by every worker and app server (a
# Flask-Limiter storage: matcher.ratelimit). ``expires_at`` is in epoch seconds.
rate_limits = Table(
    "rate_limits", metadata,
    Column("key", String(255), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("expires_at", Float, nullable=False),
)

# Periodic jobs (retention): the worker whose UPDATE moves ``next_run_at`` runs it.
scheduled_jobs = Table(
    "scheduled_jobs", metadata,
    Column("name", String(64), primary_key=True),
    Column("next_run_at", Float, nullable=False),
)

profiles = Table(
    "returnee_profiles", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit", String(300), nullable=False, index=True),
    Column("case_code", String(40), nullable=False),
    # The profile as entered (ProfileSchema input, JSON-ready); removed with the row.
    Column("data", JSON, nullable=False),
    # The offence category, encrypted (Fernet, DATA_KEY); never in ``data``.
    Column("offence_enc", Text),
    Column("created_by", Integer, ForeignKey("officer_users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Set when the officer closes the case; RETENTION_DAYS later the profile is erased.
    Column("closed_at", DateTime(timezone=True)),
    UniqueConstraint("unit", "case_code", name="uq_profiles_unit_case"),
)

# The person's consent (Law 91/2025/QH15), recorded before the profile is saved; it
# goes with the profile (a withdrawal deletes both).
consents = Table(
    "profile_consents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("profile_id", Integer, ForeignKey("returnee_profiles.id", ondelete="CASCADE"),
           nullable=False, unique=True),
    Column("given_on", Date, nullable=False),
    Column("officer_id", Integer, ForeignKey("officer_users.id"), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("scope", JSON, nullable=False),  # list of scope codes
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

match_runs = Table(
    "match_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit", String(300), nullable=False, index=True),
    Column("officer_id", Integer, ForeignKey("officer_users.id"), nullable=False),
    Column("jobs", Integer, nullable=False),
    Column("courses", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    # One run per profile version: reloading the results or changing a filter is no new
    # run (the dashboard counts runs, not page views). No foreign key: the count outlives
    # the profile.
    Column("profile_id", Integer),
    Column("profile_version", DateTime(timezone=True)),
    # Concurrent first views of the same results insert one row (older rows: NULLs).
    Index("uq_match_runs_profile_version", "profile_id", "profile_version", unique=True),
)

referrals = Table(
    "referrals", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit", String(300), nullable=False, index=True),
    # NULL once the profile is deleted: the outcome still counts, the person is gone.
    Column("profile_id", Integer, ForeignKey("returnee_profiles.id", ondelete="SET NULL")),
    Column("case_code", String(40)),
    Column("kind", String(8), nullable=False),  # job | course
    Column("doc_id", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    Column("partner", String(200)),
    Column("status", String(16), nullable=False),
    # The slip's reference number: unit code, year, sequence in the unit's year
    # ("16531-2026-0007"); given once, at the referral's creation (referral_counters).
    # Unique by index; NULL-able only because SQLite would have to rebuild this table,
    # which others reference, to add NOT NULL: the service always sets it.
    Column("reference", String(40)),
    Column("hired_on", Date),
    Column("next_check_on", Date),
    Column("created_by", Integer, ForeignKey("officer_users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("uq_referrals_reference", "reference", unique=True),
)

referral_events = Table(
    "referral_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("referral_id", Integer, ForeignKey("referrals.id"), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("on", Date, nullable=False),
    Column("officer_id", Integer, ForeignKey("officer_users.id"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    # A reason code for "not hired", "left" and "dropped" (services.referrals.REASONS),
    # and the officer's note on any step.
    Column("reason", String(24)),
    Column("note", Text),
)

# The last reference sequence number given in a unit's year (Vietnam's calendar year).
referral_counters = Table(
    "referral_counters", metadata,
    Column("unit", String(300), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last", Integer, nullable=False),
)

# Support measures of a case (services.support.MEASURES) as the officer recorded them,
# one row a step (applied on one day, granted on another); a measure's newest row is its
# status. A measure the profile qualifies for but has no row is shown as suggested.
support_measures = Table(
    "support_measures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("profile_id", Integer, ForeignKey("returnee_profiles.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("unit", String(300), nullable=False, index=True),
    Column("measure", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("on", Date, nullable=False),
    Column("note", Text),
    Column("officer_id", Integer, ForeignKey("officer_users.id"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # Position in the hash chain: 1, 2, 3, ... with no gaps (see audit_head).
    Column("seq", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("officer_id", Integer),
    Column("username", String(64)),
    Column("unit", String(300)),
    Column("action", String(32), nullable=False),
    Column("target", String(100), index=True),
    # The case code while the profile exists; its keyed pseudonym ("psn:...") after.
    Column("case_code", String(60)),
    Column("ip", String(64)),
    Column("user_agent", String(300)),
    Column("detail", Text),
    # HMAC (AUDIT_KEY) of the previous row's hash and this row's fields, the case code
    # taken as its pseudonym, so pseudonymising a row keeps the chain valid.
    Column("prev_hash", String(64), nullable=False),
    Column("row_hash", String(64), nullable=False),
    UniqueConstraint("seq", name="uq_audit_log_seq"),
)

# The end of the chain: the last seq and row_hash. Every append updates it first, which
# serialises appends (a row lock on PostgreSQL, the write lock on SQLite).
audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("row_hash", String(64), nullable=False),
)

# The one change allowed to a row: its case code replaced by a pseudonym ("psn:...").
PSEUDONYM_PREFIX = "psn:"
_SQLITE_AUDIT_TRIGGERS = {
    "audit_log_no_delete": "BEFORE DELETE ON audit_log BEGIN "
                           "SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "audit_log_no_update": (
        "BEFORE UPDATE ON audit_log WHEN NEW.id IS NOT OLD.id OR NEW.seq IS NOT OLD.seq "
        "OR NEW.at IS NOT OLD.at OR NEW.officer_id IS NOT OLD.officer_id "
        "OR NEW.username IS NOT OLD.username OR NEW.unit IS NOT OLD.unit "
        "OR NEW.action IS NOT OLD.action OR NEW.target IS NOT OLD.target "
        "OR NEW.ip IS NOT OLD.ip OR NEW.user_agent IS NOT OLD.user_agent "
        "OR NEW.detail IS NOT OLD.detail OR NEW.prev_hash IS NOT OLD.prev_hash "
        "OR NEW.row_hash IS NOT OLD.row_hash "
        f"OR (NEW.case_code IS NOT OLD.case_code AND NEW.case_code NOT LIKE '{PSEUDONYM_PREFIX}%%') "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"),
}
AUDIT_TRIGGERS = {"sqlite": tuple(_SQLITE_AUDIT_TRIGGERS),
                  "postgresql": ("audit_log_append_only", "audit_log_no_truncate")}
for _name, _body in _SQLITE_AUDIT_TRIGGERS.items():
    event.listen(audit_log, "after_create", DDL(
        f"CREATE TRIGGER {_name} {_body}").execute_if(dialect="sqlite"))
# PostgreSQL: a trigger that raises, like SQLite's (a rule would fail silently), and
# TRUNCATE refused as well.
event.listen(audit_log, "after_create", DDL(
    "CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'case_code') = (to_jsonb(OLD) - 'case_code') "
    f"AND NEW.case_code LIKE '{PSEUDONYM_PREFIX}%%' THEN RETURN NEW; END IF; "
    "RAISE EXCEPTION 'audit_log is append-only'; END $$").execute_if(dialect="postgresql"))
event.listen(audit_log, "after_create", DDL(
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()").execute_if(dialect="postgresql"))
event.listen(audit_log, "after_create", DDL(
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse()").execute_if(dialect="postgresql"))


AUDIT_GENESIS = "0" * 64


def dialect_insert(engine, table):
    """INSERT for ``table`` with ``on_conflict_do_*`` (SQLite and PostgreSQL alike)."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def create_all(engine):
    """Create a fresh database's officer tables, or check that they are current
    (raises ``indexer.migrate.SchemaOutdated`` if they need ``matcher db upgrade``)."""
    from indexer.migrate import ensure

    from .migrations import OFFICERS
    ensure(engine, OFFICERS)


def seed(conn):
    """The rows a fresh officer schema starts with: the audit chain's head (genesis)."""
    if conn.execute(select(audit_head.c.id)).first() is None:
        conn.execute(audit_head.insert().values(id=1, seq=0, row_hash=AUDIT_GENESIS))
