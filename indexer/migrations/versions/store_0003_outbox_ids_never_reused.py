"""Outbox IDs are never reused (SQLite AUTOINCREMENT).

Without AUTOINCREMENT, SQLite gives a new row the largest ID plus one, so once the outbox
was drained empty a new entry got an ID an older, already acknowledged entry had:
"oldest first" no longer held. Acknowledging matches the document and version as well
(``Store.ack``), so this is about order, not loss. PostgreSQL sequences never reuse IDs:
nothing to do there. Pending entries are kept.

Revision ID: store_0003
Revises: store_0002
"""
from alembic import op

revision = "store_0003"
down_revision = "store_0002"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("outbox", recreate="always",
                              table_kwargs={"sqlite_autoincrement": True}):
        pass


def downgrade():
    raise NotImplementedError("restore the backup taken before upgrading")
