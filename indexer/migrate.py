"""Schema migrations (Alembic) of the store and of the tables beside it.

Each group of tables is a ``Schema`` with its own Alembic version table and scripts:
the store's (``indexer/migrations/versions``, table ``alembic_version``) here, the
officer tables' in ``matcher.migrations`` (``alembic_version_officers``), so the indexer
never needs to know the matcher's revisions. ``ensure`` runs at start: a fresh database
gets the current tables and is stamped at the head; an older one is refused with the
command that upgrades it (``matcher db upgrade``, which ``make run`` runs). ``upgrade``
applies what is pending; a database made before migrations existed (release 0.1) is
first stamped at the baseline revision, which describes it.

Adding a migration: a file in the schema's versions folder with ``down_revision`` set
to the current head (``alembic revision`` is not needed; copy a neighbour).
"""
import contextlib
import dataclasses
import fcntl
import logging
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from .errors import VungBuocError

HERE = Path(__file__).resolve().parent / "migrations"
log = logging.getLogger(__name__)


class SchemaOutdated(VungBuocError):
    """The database was made by an older version: run the migrations first."""


@dataclasses.dataclass(frozen=True)
class Schema:
    """A group of tables migrated together."""

    name: str
    versions: Path       # folder of the migration scripts
    version_table: str   # where Alembic records the revision
    marker: str          # a table that exists once any version made the schema
    baseline: str        # the revision describing the tables made before migrations
    create: object       # create(engine): the current tables, for a fresh database


def _create_store(engine):
    from . import keys, store  # noqa: F401  (keys' tables share the store's metadata)
    store.metadata.create_all(engine)


STORE = Schema("store", HERE / "versions", "alembic_version", "documents", "store_0001",
               _create_store)


@lru_cache(maxsize=8)
def _script(versions):
    return ScriptDirectory(str(HERE), version_locations=[str(versions)])


def head(schema):
    """The newest revision of ``schema``."""
    return _script(schema.versions).get_current_head()


def current(conn, schema):
    """The revision the database is at, or None (fresh, or made before migrations)."""
    ctx = MigrationContext.configure(conn, opts={"version_table": schema.version_table})
    return ctx.get_current_revision()


@contextlib.contextmanager
def _lock(engine):
    """One migrating process at a time: an advisory lock (PostgreSQL) or a lock file
    beside the SQLite database."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT pg_advisory_lock(72616)")
            conn.commit()
            try:
                yield
            finally:
                conn.exec_driver_sql("SELECT pg_advisory_unlock(72616)")
                conn.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _stamp(conn, schema, revision):
    ctx = MigrationContext.configure(conn, opts={"version_table": schema.version_table})
    ctx.stamp(_script(schema.versions), revision)


def ensure(engine, schema):
    """Create a fresh database's tables (stamped at the head) or check the revision.

    Raises SchemaOutdated when the database needs ``upgrade`` first.
    """
    with engine.connect() as conn:
        at = current(conn, schema)
    if at == head(schema):
        return
    with _lock(engine):
        with engine.begin() as conn:
            at = current(conn, schema)
            if at == head(schema):
                return
            if at is None and not inspect(conn).has_table(schema.marker):
                schema.create(conn)
                _stamp(conn, schema, head(schema))
                return
    raise SchemaOutdated(
        f"the database's {schema.name} tables are at "
        f"{at or 'release 0.1 (before migrations)'}, this version needs {head(schema)}: "
        "back it up, then run 'matcher db upgrade' (make run does)")


def alembic_config(schema, conn, settings=None):
    """Alembic's configuration for running ``schema``'s scripts on ``conn`` (an open
    transaction), with ``settings`` for their data steps."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(schema.versions))
    cfg.attributes.update(connection=conn, version_table=schema.version_table,
                          settings=settings)
    return cfg


def upgrade(engine, schema, settings=None):
    """Apply the pending migrations of ``schema``; returns (from, to) revisions.

    ``settings`` reach the migration scripts (``op.get_context().config.attributes``)
    for data steps that need the app's keys; scripts load them from the environment
    when they are not given.
    """
    with _lock(engine):
        with engine.begin() as conn:
            at = current(conn, schema)
            if at is None and inspect(conn).has_table(schema.marker):
                _stamp(conn, schema, schema.baseline)  # made before migrations existed
                at = schema.baseline
        with engine.begin() as conn:
            command.upgrade(alembic_config(schema, conn, settings), "head")
            to = current(conn, schema)
    if at != to:
        log.info("%s tables upgraded from %s to %s", schema.name, at or "empty", to)
    return at, to
