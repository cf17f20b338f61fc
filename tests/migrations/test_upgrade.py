"""Upgrading a database made by release 0.1 (tests/fixtures/release-0.1.db) keeps every row.

The fixture was made by the code of commit e4f80f6 (tests/fixtures/make_release_db.py):
the sample feeds, a district-only posting, a deleted one, partner keys, officers in old
units (two of them now merged into Phường Sầm Sơn, one in Xã Quảng Hùng, now Phường
Nam Sầm Sơn), profiles with old locations (TS-001 in two merged wards), match runs,
referrals with events, and the audit log. On PostgreSQL the same rows are copied into a
database made by the baseline migrations, then upgraded.
"""
import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, func, inspect, select, text

from indexer import keys, store  # noqa: F401  (keys' tables are in the store's metadata)
from indexer.migrate import STORE, SchemaOutdated, ensure, upgrade
from indexer.service import IndexerService
from indexer.settings import load_settings
from matcher import models
from matcher.migrations import OFFICERS

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "release-0.1.db"
TABLES = ("partners", "documents", "outbox", "api_keys", "idempotency_keys", "officer_users",
          "officer_login_throttle", "returnee_profiles", "match_runs", "referrals",
          "referral_events", "audit_log")


def counts(engine, tables=TABLES):
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in tables}


@pytest.fixture
def old_db(tmp_path):
    path = tmp_path / "vungbuoc.db"
    shutil.copy(FIXTURE, path)
    return f"sqlite:///{path}"


def upgrade_all(url):
    engine = store.Store(url).engine
    for schema in (STORE, OFFICERS):
        upgrade(engine, schema)
    return engine


def check_upgraded(engine, before):
    after = counts(engine)
    # Every row kept; each converted document got a new version and an outbox entry.
    assert {t: n for t, n in after.items() if t != "outbox"} == \
        {t: n for t, n in before.items() if t != "outbox"}
    live = before["documents"] - 1  # one tombstone
    assert after["outbox"] == before["outbox"] + live
    with engine.connect() as conn:
        units = dict(conn.execute(select(models.users.c.username, models.users.c.unit)).all())
        assert units == {"lan": "16531", "minh": "16531", "hoa": "16516", "vinh": "16681",
                         "root": None}
        profiles = {(r.unit, r.case_code): r.data for r in conn.execute(
            select(models.profiles))}
        assert set(profiles) == {("16531", "TS-001"), ("16531", "TS-002"),
                                 ("16531", "TS-001-BACSON"), ("16516", "QH-01"),
                                 ("16681", "LL-1")}
        location = profiles[("16531", "TS-002")]["location"]
        assert (location["ward_code"], location["lat"]) == ("16531", 19.723)  # kept
        assert profiles[("16516", "QH-01")]["location"]["lat"] == 19.7169  # ward centre
        assert profiles[("16531", "TS-001-BACSON")]["case_code"] == "TS-001-BACSON"
        refs = sorted((r.unit, r.case_code or "") for r in conn.execute(
            select(models.referrals)))
        assert ("16531", "TS-001-BACSON") in refs and ("16531", "") in refs  # deleted profile
        assert {u for u, _ in refs} == {"16531", "16516", "16681"}
        runs = {r.unit for r in conn.execute(select(models.match_runs))}
        assert runs == {"16531", "16516", "16681"}
        docs = [r.data for r in conn.execute(select(store.documents)) if r.data is not None]
        assert all("district" not in d["location"] for d in docs)
        assert all(d["location"]["province_code"] for d in docs)
        old = next(d for d in docs if d["external_id"] == "OLD-DISTRICT-ONLY")["location"]
        assert old["ward"] is None and old["lat"] is not None  # the old district's centre
        assert "Thành phố Sầm Sơn" in old["address"]
        partners = [r.data for r in conn.execute(select(store.partners))]
        assert all("district" not in p and p["province_code"] for p in partners)


def test_release_database_is_refused_until_upgraded(old_db, tmp_path):
    settings = load_settings({"DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": old_db})
    with pytest.raises(SchemaOutdated, match="matcher db upgrade"):
        IndexerService.from_settings(settings)


def test_upgrade_keeps_every_row_and_converts_units(old_db, tmp_path):
    before = counts(create_engine(old_db))
    engine = upgrade_all(old_db)
    check_upgraded(engine, before)
    assert upgrade(engine, STORE)[0] == upgrade(engine, STORE)[1]  # idempotent
    # The upgraded database serves: the index is rebuilt from the store, and an officer of
    # Phường Sầm Sơn sees the profiles of the merged wards and matches them.
    from matcher import create_app
    app = create_app({"DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": old_db,
                      "SEARCH_BACKEND": "embedded", "TESTING": True})
    svc = app.extensions["vungbuoc"]
    svc.sync()
    assert svc.backend.count("jobs") == sum(svc.store.counts()["jobs"].values())
    # the validity dates copied into columns by store_0004 agree with the index
    checks = svc.verify()
    assert all(c.ok and c.expected for c in checks.values()), checks
    assert app.test_client().get("/healthz").status_code == 200
    officers = app.extensions["officers"]
    lan = officers.accounts.by_username("lan")
    listed = {p["case_code"] for p in officers.profiles.list(lan)}
    assert listed == {"TS-001", "TS-002", "TS-001-BACSON"}
    profile = next(p for p in officers.profiles.list(lan) if p["case_code"] == "TS-001")
    result = officers.profiles.match(lan, officers.profiles.get(lan, profile["id"]))
    assert result["jobs"] and result["jobs"][0]["location"]["ward_code"]
    svc.close()


def test_migrations_from_empty_make_the_current_schema(tmp_path):
    """The migrations, run on an empty database, give exactly what create_all makes."""
    engine = upgrade_all(f"sqlite:///{tmp_path / 'empty.db'}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn),
                                [store.metadata, models.metadata])
    assert [d for d in diff if not (d[0] == "remove_table"
                                    and d[1].name.startswith("alembic_version"))] == []
    with engine.connect() as conn:
        triggers = {r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
    assert triggers == {"audit_log_no_update", "audit_log_no_delete"}
    with engine.connect() as conn:  # compare_metadata cannot see AUTOINCREMENT
        ddl = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'outbox'")).scalar()
    assert "AUTOINCREMENT" in ddl


def test_fresh_database_is_created_at_the_newest_revision(tmp_path):
    engine = store.Store(f"sqlite:///{tmp_path / 'fresh.db'}").engine
    ensure(engine, STORE)
    ensure(engine, OFFICERS)
    assert upgrade(engine, STORE) == ("store_0004", "store_0004")
    assert upgrade(engine, OFFICERS) == ("officers_0002", "officers_0002")
    assert set(TABLES) <= set(inspect(engine).get_table_names())


@pytest.mark.postgres
def test_upgrade_on_postgresql_keeps_every_row(pg_database):
    """Release 0.1's tables made by the baseline migrations, filled with the fixture's
    rows, then upgraded."""
    from alembic import command
    from alembic.config import Config

    from indexer.migrate import HERE
    pg = store.Store(pg_database).engine
    for schema in (STORE, OFFICERS):
        cfg = Config()
        cfg.set_main_option("script_location", str(HERE))
        cfg.set_main_option("path_separator", "os")
        cfg.set_main_option("version_locations", str(schema.versions))
        with pg.begin() as conn:
            cfg.attributes.update(connection=conn, version_table=schema.version_table)
            command.upgrade(cfg, schema.baseline)
    old = create_engine(f"sqlite:///{FIXTURE}")
    reflected = MetaData()
    reflected.reflect(old)
    with old.connect() as src, pg.begin() as dst:
        for name in TABLES:
            table = reflected.tables[name]
            rows = [dict(r._mapping) for r in src.execute(select(table))]
            if rows:
                dst.execute(reflected.tables[name].insert(), rows)
        for name in TABLES:  # serial sequences past the copied IDs
            if "id" in reflected.tables[name].c and name != "partners":
                dst.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                 f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))
    before = counts(old)
    assert counts(pg) == before
    engine = upgrade_all(pg_database)
    check_upgraded(engine, before)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(store.documents)).scalar() \
            == before["documents"]
