"""Migrations of the officer tables (matcher.models): their own Alembic version table.

See indexer.migrate for how schemas are created, checked and upgraded.
"""
from pathlib import Path

from indexer.migrate import Schema


def _create(conn):
    from ..models import metadata, seed
    metadata.create_all(conn)
    seed(conn)


OFFICERS = Schema("officers", Path(__file__).resolve().parent / "versions",
                  "alembic_version_officers", "officer_users", "officers_0001", _create)
