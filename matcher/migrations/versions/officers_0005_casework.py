"""Casework (issue #14, part B): slip references, notes and reasons on referral steps,
support measures, officers' names.

Tables: referral_counters and support_measures are new; referrals gain reference (unique,
"unit-year-sequence"), referral_events gain reason and note, officer_users gain
display_name.

Data: every existing referral gets its reference, numbered in the order the referrals
were made within their unit and Vietnam's calendar year of their creation, and the
counters continue from there, so a slip printed before the upgrade and one printed after
never share a number.

Written over officers_0003 and re-chained after officers_0004 (eligibility, another part
of issue #14) when both were merged: only ``down_revision`` changed.

Revision ID: officers_0005
Revises: officers_0004
"""
import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "officers_0005"
down_revision = "officers_0004"
branch_labels = None
depends_on = None

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
referrals = sa.table("referrals", sa.column("id", sa.Integer), sa.column("unit", sa.String),
                     sa.column("created_at", sa.DateTime(timezone=True)),
                     sa.column("reference", sa.String))
counters = sa.table("referral_counters", sa.column("unit", sa.String),
                    sa.column("year", sa.Integer), sa.column("last", sa.Integer))


def _year(created_at):
    if created_at.tzinfo is None:  # SQLite: naive UTC
        created_at = created_at.replace(tzinfo=dt.timezone.utc)
    return created_at.astimezone(VIETNAM).year


def _number_referrals(conn):
    last = {}
    for row in conn.execute(sa.select(referrals.c.id, referrals.c.unit, referrals.c.created_at)
                            .order_by(referrals.c.id)).all():
        key = (row.unit, _year(row.created_at))
        last[key] = last.get(key, 0) + 1
        conn.execute(referrals.update().where(referrals.c.id == row.id).values(
            reference=f"{key[0]}-{key[1]}-{last[key]:04d}"))
    for (unit, year), n in last.items():
        conn.execute(counters.insert().values(unit=unit, year=year, last=n))


def upgrade():
    conn = op.get_bind()
    op.create_table(
        "referral_counters",
        sa.Column("unit", sa.String(300), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_table(
        "support_measures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("profile_id", sa.Integer,
                  sa.ForeignKey("returnee_profiles.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("unit", sa.String(300), nullable=False, index=True),
        sa.Column("measure", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("officer_id", sa.Integer, sa.ForeignKey("officer_users.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("officer_users") as batch:
        batch.add_column(sa.Column("display_name", sa.String(100)))
    with op.batch_alter_table("referral_events") as batch:
        batch.add_column(sa.Column("reason", sa.String(24)))
        batch.add_column(sa.Column("note", sa.Text))
    with op.batch_alter_table("referrals") as batch:
        batch.add_column(sa.Column("reference", sa.String(40)))
    _number_referrals(conn)
    # A unique index, not a constraint: SQLite adds an index in place, whereas a
    # constraint (or NOT NULL) would rebuild referrals, which referral_events references.
    op.create_index("uq_referrals_reference", "referrals", ["reference"], unique=True)


def downgrade():
    raise NotImplementedError("restore the backup taken before upgrading")
