"""A real PostgreSQL for the test session, and a database of its own for each test.

The server: VUNGBUOC_TEST_DATABASE_URL, or DATABASE_URL when it names PostgreSQL, else a
throwaway server provisioned by tools/pgnode.py. ``new_database`` gives a test a fresh
database (CREATE DATABASE test_<uuid>; a fresh schema when the role may not create
databases) and ``drop_database`` removes it.
"""
import os
import uuid

HOW_TO = ("set VUNGBUOC_TEST_DATABASE_URL to a PostgreSQL URL, or install Debian's postgresql "
          "package (tools/pgnode.py installs it when run as root)")


class PgUnavailable(Exception):
    """No PostgreSQL could be found or started; the message says why and what to do."""


def _first_line(exc):
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _normalise(url):
    """Use the psycopg (3) driver whatever the URL names."""
    from sqlalchemy.engine import make_url
    url = make_url(url.replace("postgres://", "postgresql://", 1))
    return url.set(drivername="postgresql+psycopg")


def _admin_engine(url):
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool
    return create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")


class PgServer:
    """The PostgreSQL server the tests run against."""

    def __init__(self):
        self.url = None   # sqlalchemy URL object of the server's own database
        self.node = None  # the PostgresNode when we provisioned it

    def start(self):
        """Use the given URL or provision a server; check it answers; return the URL string."""
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:
            raise PgUnavailable(f"psycopg is not installed ({exc}); pip install -e '.[postgres]'") \
                from exc
        given = os.environ.get("VUNGBUOC_TEST_DATABASE_URL") or ""
        if not given and os.environ.get("DATABASE_URL", "").startswith("postgres"):
            given = os.environ["DATABASE_URL"]
        if given:
            self.url = _normalise(given)
        else:
            try:
                from tools.pgnode import PostgresNode, ProvisionError
            except ImportError as exc:
                raise PgUnavailable(f"tools.pgnode not importable ({exc}); {HOW_TO}") from exc
            node = PostgresNode()
            try:
                node.start()
            except (ProvisionError, OSError) as exc:
                node.close()
                raise PgUnavailable(f"cannot provision PostgreSQL: {_first_line(exc)}; {HOW_TO}") \
                    from exc
            self.node, self.url = node, _normalise(node.url)
        engine = _admin_engine(self.url)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception as exc:  # noqa: BLE001 — any failure means "unavailable", with why
            self.close()
            raise PgUnavailable(f"cannot connect to PostgreSQL at "
                                f"{self.url.render_as_string(hide_password=True)}: "
                                f"{_first_line(exc)}") from exc
        finally:
            engine.dispose()
        return self.url.render_as_string(hide_password=False)

    def close(self):
        """Stop the server if we provisioned it."""
        if self.node is not None:
            self.node.close()
            self.node = None


def new_database(server_url):
    """A fresh, empty database on the server; returns its SQLAlchemy URL (a string)."""
    base = _normalise(server_url)
    name = f"test_{uuid.uuid4().hex[:16]}"
    engine = _admin_engine(base)
    try:
        with engine.connect() as conn:
            try:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
                url = base.set(database=name)
            except Exception as exc:  # noqa: BLE001
                if "permission denied" not in str(exc):
                    raise
                # No CREATEDB: a schema of our own in the given database instead.
                conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
                url = base.update_query_dict({"options": f"-csearch_path={name}"})
    finally:
        engine.dispose()
    return url.render_as_string(hide_password=False)


def drop_database(server_url, url):
    """Remove what ``new_database`` created (closing its leftover connections)."""
    from sqlalchemy.engine import make_url
    url = make_url(url)
    engine = _admin_engine(_normalise(server_url))
    try:
        with engine.connect() as conn:
            options = url.query.get("options", "")
            if options.startswith("-csearch_path="):
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{options.split("=", 1)[1]}" CASCADE')
            else:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    finally:
        engine.dispose()
