"""Alembic environment of every Schema (see indexer.migrate): always given a connection."""
from alembic import context

config = context.config
context.configure(connection=config.attributes["connection"],
                  version_table=config.attributes["version_table"],
                  render_as_batch=True, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
