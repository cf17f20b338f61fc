"""Security and privacy (issue #13): sessions, API clients, shared rate limits, scheduled
jobs, consents, the encrypted offence category and the audit log's hash chain.

Tables: officer_sessions, api_clients, rate_limits, scheduled_jobs, profile_consents and
audit_head are new; returnee_profiles gains offence_enc and closed_at; audit_log gains
seq, case_code, ip, user_agent, prev_hash and row_hash, and its triggers now allow the
one change the app makes (a case code replaced by its pseudonym).

Data:
- an offence category kept in clear in a profile's data moves, encrypted with DATA_KEY
  (from the environment, or DATA_DIR/data_key, generated as the app would), into
  offence_enc; the profiles made before consent records existed have none (their
  consent was not recorded by the app; the officer's page shows none);
- the audit rows get their places in the chain (seq in the order they were written) and
  their HMACs (AUDIT_KEY, likewise), so ``matcher audit verify`` holds from the first
  row; the case code that release 0.1 wrote into a row's detail moves into case_code, as
  its keyed pseudonym where the profile is gone or has another code since (deleted, or
  renamed by officers_0002), as the app does on deletion; audit_head ends the chain.

Revision ID: officers_0003
Revises: officers_0002
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "officers_0003"
down_revision = "officers_0002"
branch_labels = None
depends_on = None

profiles = sa.table("returnee_profiles", sa.column("id", sa.Integer),
                    sa.column("case_code", sa.String), sa.column("data", sa.JSON),
                    sa.column("offence_enc", sa.Text))
audit_log = sa.table(
    "audit_log", *(sa.column(name, kind) for name, kind in (
        ("id", sa.Integer), ("seq", sa.Integer), ("at", sa.DateTime(timezone=True)),
        ("officer_id", sa.Integer), ("username", sa.String), ("unit", sa.String),
        ("action", sa.String), ("target", sa.String), ("case_code", sa.String),
        ("ip", sa.String), ("user_agent", sa.String), ("detail", sa.Text),
        ("prev_hash", sa.String), ("row_hash", sa.String))))
audit_head = sa.table("audit_head", sa.column("id", sa.Integer), sa.column("seq", sa.Integer),
                      sa.column("row_hash", sa.String))
GENESIS = "0" * 64

SQLITE_TRIGGERS = {
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
        "OR (NEW.case_code IS NOT OLD.case_code AND NEW.case_code NOT LIKE 'psn:%') "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"),
}
PG_REFUSE = (
    "CREATE OR REPLACE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'case_code') = (to_jsonb(OLD) - "
    "'case_code') AND NEW.case_code LIKE 'psn:%' THEN RETURN NEW; END IF; "
    "RAISE EXCEPTION 'audit_log is append-only'; END $$")
PG_APPEND_ONLY = ("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                  "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()")


class _Keys:
    """The app's keys, read (or generated into the data directory) only when needed."""

    def __init__(self):
        self.settings = op.get_context().config.attributes.get("settings")

    def _settings(self):
        if self.settings is None:
            from indexer.settings import load_settings
            self.settings = load_settings()
        return self.settings

    def cipher(self):
        from matcher.services.vault import data_cipher
        return data_cipher(self._settings())

    def audit(self):
        from matcher.services.vault import audit_key
        return audit_key(self._settings())


def _create_tables():
    op.create_table(
        "officer_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("officer_users.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.String(64)),
        sa.Column("user_agent", sa.String(300)),
    )
    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False, index=True),
        sa.Column("prefix", sa.String(16), nullable=False, unique=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_table(
        "scheduled_jobs",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("next_run_at", sa.Float, nullable=False),
    )
    op.create_table(
        "profile_consents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("profile_id", sa.Integer,
                  sa.ForeignKey("returnee_profiles.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("given_on", sa.Date, nullable=False),
        sa.Column("officer_id", sa.Integer, sa.ForeignKey("officer_users.id"), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("scope", sa.JSON, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False),
    )


def _encrypt_offences(conn, keys):
    cipher = None
    for row in conn.execute(sa.select(profiles).order_by(profiles.c.id)).all():
        data = dict(row.data)
        if "offence_category" not in data:
            continue
        offence = data.pop("offence_category")
        values = {"data": data}
        if offence:
            cipher = cipher or keys.cipher()
            values["offence_enc"] = cipher.encrypt(offence)
        conn.execute(profiles.update().where(profiles.c.id == row.id).values(**values))


def _chain_audit_rows(conn, keys):
    from matcher.services.audit import chain_hash
    from matcher.services.vault import pseudonym
    codes = {f"profile:{r.id}": r.case_code
             for r in conn.execute(sa.select(profiles.c.id, profiles.c.case_code))}
    key, prev, seq = None, GENESIS, 0
    rows = conn.execute(sa.select(audit_log).order_by(audit_log.c.id)).all()  # as written
    for r in rows:
        key = key or keys.audit()
        row, seq = dict(r._mapping), seq + 1
        detail = json.loads(row["detail"]) if row["detail"] else None
        if isinstance(detail, dict) and isinstance(detail.get("case_code"), str):
            code = detail.pop("case_code")
            if codes.get(row["target"]) != code:  # deleted, or renamed since
                code = pseudonym(key, row["target"], code)
            row["case_code"] = code
            row["detail"] = json.dumps(detail, ensure_ascii=False, sort_keys=True) \
                if detail else None
        row.update(seq=seq, prev_hash=prev)
        row["row_hash"] = prev = chain_hash(key, prev, row)
        conn.execute(audit_log.update().where(audit_log.c.id == row["id"]).values(
            seq=seq, case_code=row["case_code"], detail=row["detail"], prev_hash=row["prev_hash"],
            row_hash=row["row_hash"]))
    conn.execute(audit_head.insert().values(id=1, seq=seq, row_hash=prev))


def upgrade():
    conn = op.get_bind()
    dialect = conn.dialect.name
    keys = _Keys()
    _create_tables()
    with op.batch_alter_table("returnee_profiles") as batch:
        batch.add_column(sa.Column("offence_enc", sa.Text))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True)))
    _encrypt_offences(conn, keys)

    # The old triggers refuse every UPDATE; the rows are filled in, then the new ones made.
    if dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    with op.batch_alter_table("audit_log") as batch:
        for column in (sa.Column("seq", sa.Integer), sa.Column("case_code", sa.String(60)),
                       sa.Column("ip", sa.String(64)), sa.Column("user_agent", sa.String(300)),
                       sa.Column("prev_hash", sa.String(64)),
                       sa.Column("row_hash", sa.String(64))):
            batch.add_column(column)
    _chain_audit_rows(conn, keys)
    with op.batch_alter_table("audit_log") as batch:
        for name in ("seq", "prev_hash", "row_hash"):
            batch.alter_column(name, nullable=False)
        batch.create_unique_constraint("uq_audit_log_seq", ["seq"])
        batch.create_index("ix_audit_log_target", ["target"])
    if dialect == "sqlite":  # (recreating the table for the changes above dropped them)
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(f"CREATE TRIGGER {name} {body}")
    elif dialect == "postgresql":
        op.execute(PG_REFUSE)
        op.execute(PG_APPEND_ONLY)


def downgrade():
    raise NotImplementedError("restore the backup taken before upgrading")
