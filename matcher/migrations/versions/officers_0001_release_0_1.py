"""The officer tables as release 0.1 (before migrations) made them, with the audit log's
append-only triggers.

Revision ID: officers_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "officers_0001"
down_revision = None
branch_labels = ("officers",)
depends_on = None


def upgrade():
    op.create_table(
        "officer_users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),  # officer | admin
        # The unit is a ward: "province / district / ward" from config/places.json.
        sa.Column("unit", sa.String(300)),
        sa.Column("active", sa.Boolean, nullable=False, default=True),
        # Bumped by a password reset or a disable, so old sessions stop working.
        sa.Column("session_version", sa.Integer, nullable=False, default=1),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )

    op.create_table(
        "officer_login_throttle",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, default=0),
        sa.Column("retry_after", sa.DateTime(timezone=True)),
    )

    op.create_table(
        "returnee_profiles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(300), nullable=False, index=True),
        sa.Column("case_code", sa.String(40), nullable=False),
        # The profile as entered (ProfileSchema input, JSON-ready); removed with the row.
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("officer_users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("unit", "case_code", name="uq_profiles_unit_case"),
    )

    op.create_table(
        "match_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(300), nullable=False, index=True),
        sa.Column("officer_id", sa.Integer, sa.ForeignKey("officer_users.id"), nullable=False),
        sa.Column("jobs", sa.Integer, nullable=False),
        sa.Column("courses", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )

    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(300), nullable=False, index=True),
        # NULL once the profile is deleted: the outcome still counts, the person is gone.
        sa.Column("profile_id", sa.Integer, sa.ForeignKey("returnee_profiles.id", ondelete="SET NULL")),
        sa.Column("case_code", sa.String(40)),
        sa.Column("kind", sa.String(8), nullable=False),  # job | course
        sa.Column("doc_id", sa.Integer, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("partner", sa.String(200)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("hired_on", sa.Date),
        sa.Column("next_check_on", sa.Date),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("officer_users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )

    op.create_table(
        "referral_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("referral_id", sa.Integer, sa.ForeignKey("referrals.id"), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("officer_id", sa.Integer, sa.ForeignKey("officer_users.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("officer_id", sa.Integer),
        sa.Column("username", sa.String(64)),
        sa.Column("unit", sa.String(300)),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(100)),
        sa.Column("detail", sa.Text),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                       "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")
    elif dialect == "postgresql":
        op.execute("CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$")
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()")
        op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse()")


def downgrade():
    for table in ("audit_log", "referral_events", "referrals", "match_runs",
                  "returnee_profiles", "officer_login_throttle", "officer_users"):
        op.drop_table(table)
