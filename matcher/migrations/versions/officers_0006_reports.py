"""Reports and alerts (issue #14, part C): match runs per profile version, officers'
e-mail digest settings and the time they last saw new postings.

match_runs gains profile_id and profile_version (a reload or a filter change of the
results is no new run; older rows keep NULL and still count once each); officer_users
gains email, digest_opt_in, digest_sent_at and alerts_seen_at. The role "province" needs
no schema change (role is a string; its unit is a province code).

Written after officers_0003 on the reports branch; merged over main it follows
officers_0005 (casework), which follows officers_0004 (eligibility).

Revision ID: officers_0006
Revises: officers_0005
"""
import sqlalchemy as sa
from alembic import op

revision = "officers_0006"
down_revision = "officers_0005"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (SQLite and PostgreSQL alike): recreating officer_users, as a batch
    # would on SQLite, is refused while other tables point at it.
    op.add_column("match_runs", sa.Column("profile_id", sa.Integer))
    op.add_column("match_runs", sa.Column("profile_version", sa.DateTime(timezone=True)))
    op.create_index("uq_match_runs_profile_version", "match_runs",
                    ["profile_id", "profile_version"], unique=True)
    op.add_column("officer_users", sa.Column("email", sa.String(254)))
    op.add_column("officer_users", sa.Column("digest_opt_in", sa.Boolean, nullable=False,
                                             server_default=sa.false()))
    op.add_column("officer_users", sa.Column("digest_sent_at", sa.DateTime(timezone=True)))
    op.add_column("officer_users", sa.Column("alerts_seen_at", sa.DateTime(timezone=True)))


def downgrade():
    raise NotImplementedError("restore the backup taken before upgrading")
