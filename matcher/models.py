"""Officer-side tables: accounts, returnee profiles, match runs, referrals, audit log.

They live in the store's database (same engine) under their own MetaData, created by
``create_app``. The audit log is append-only: the services never update or delete it,
and the database refuses to (triggers on SQLite and PostgreSQL).
"""
from sqlalchemy import (DDL, JSON, Boolean, Column, Date, DateTime, ForeignKey, Integer,
                        MetaData, String, Table, Text, UniqueConstraint, event)

metadata = MetaData()

users = Table(
    "officer_users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),  # officer | admin
    # The unit is a current ward (commune-level unit) by its official code, e.g. "16531"
    # (indexer.places). Profiles, match runs and referrals carry their unit's code too.
    Column("unit", String(300)),
    Column("active", Boolean, nullable=False, default=True),
    # Bumped by a password reset or a disable, so old sessions stop working.
    Column("session_version", Integer, nullable=False, default=1),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

login_throttle = Table(
    "officer_login_throttle", metadata,
    Column("username", String(64), primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("retry_after", DateTime(timezone=True)),
)

profiles = Table(
    "returnee_profiles", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit", String(300), nullable=False, index=True),
    Column("case_code", String(40), nullable=False),
    # The profile as entered (ProfileSchema input, JSON-ready); removed with the row.
    Column("data", JSON, nullable=False),
    Column("created_by", Integer, ForeignKey("officer_users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("unit", "case_code", name="uq_profiles_unit_case"),
)

match_runs = Table(
    "match_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit", String(300), nullable=False, index=True),
    Column("officer_id", Integer, ForeignKey("officer_users.id"), nullable=False),
    Column("jobs", Integer, nullable=False),
    Column("courses", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
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
    Column("hired_on", Date),
    Column("next_check_on", Date),
    Column("created_by", Integer, ForeignKey("officer_users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

referral_events = Table(
    "referral_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("referral_id", Integer, ForeignKey("referrals.id"), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("on", Date, nullable=False),
    Column("officer_id", Integer, ForeignKey("officer_users.id"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("officer_id", Integer),
    Column("username", String(64)),
    Column("unit", String(300)),
    Column("action", String(32), nullable=False),
    Column("target", String(100)),
    Column("detail", Text),
)

for _op in ("UPDATE", "DELETE"):
    event.listen(audit_log, "after_create", DDL(
        f"CREATE TRIGGER audit_log_no_{_op.lower()} BEFORE {_op} ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END").execute_if(dialect="sqlite"))
# PostgreSQL: a trigger that raises, like SQLite's (a rule would fail silently), and
# TRUNCATE refused as well.
event.listen(audit_log, "after_create", DDL(
    "CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$").execute_if(
        dialect="postgresql"))
event.listen(audit_log, "after_create", DDL(
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()").execute_if(dialect="postgresql"))
event.listen(audit_log, "after_create", DDL(
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse()").execute_if(dialect="postgresql"))


def create_all(engine):
    """Create a fresh database's officer tables, or check that they are current
    (raises ``indexer.migrate.SchemaOutdated`` if they need ``matcher db upgrade``)."""
    from indexer.migrate import ensure

    from .migrations import OFFICERS
    ensure(engine, OFFICERS)
