"""Upgrading a database made by release 0.1 (tests/fixtures/release-0.1.db) keeps every row.

The fixture was made by the code of commit e4f80f6 (tests/fixtures/make_release_db.py):
the sample feeds, a district-only posting, a deleted one, partner keys, officers in old
units (two of them now merged into Phường Sầm Sơn, one in Xã Quảng Hùng, now Phường
Nam Sầm Sơn), profiles with old locations (TS-001 in two merged wards), match runs,
referrals with events, and the audit log. On PostgreSQL the same rows are copied into a
database made by the baseline migrations, then upgraded.

Release 0.1 kept a profile's offence category in clear in its data; none of the
fixture's profiles has one, so the copy gets one the way that release stored it
(``OLD_OFFENCE``) before upgrading: officers_0003 must encrypt it, and matching must
still leave out the jobs that exclude it.
"""
import json
import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, func, inspect, select, text

from indexer import keys, store  # noqa: F401  (keys' tables are in the store's metadata)
from indexer.migrate import STORE, SchemaOutdated, current, ensure, upgrade
from indexer.service import IndexerService
from indexer.settings import load_settings
from matcher import models, ranking
from matcher.migrations import OFFICERS
from matcher.schemas import ProfileSchema
from matcher.services.audit import AuditService
from matcher.services.vault import audit_key, data_cipher

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "release-0.1.db"
TABLES = ("partners", "documents", "outbox", "api_keys", "idempotency_keys", "officer_users",
          "officer_login_throttle", "returnee_profiles", "match_runs", "referrals",
          "referral_events", "audit_log")
# Tables of officers_0003 (issue #13); an upgraded release-0.1 database has their rows.
NEW_TABLES = {"officer_sessions": 0, "api_clients": 0, "rate_limits": 0, "scheduled_jobs": 0,
              "profile_consents": 0, "audit_head": 1}
# (profile id, offence category): TS-001 of lan, a welder; job HC_VL_001 (welding, Sầm
# Sơn) excludes "property" offences.
OLD_OFFENCE = (1, "property")


def counts(engine, tables=TABLES):
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in tables}


def release_copy(path):
    """A copy of the fixture at ``path``, one profile with an offence category as release
    0.1 stored it (in clear, in the profile's data); returns its URL."""
    shutil.copy(FIXTURE, path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE returnee_profiles SET data = json_set(data, "
                          "'$.offence_category', :offence) WHERE id = :id"),
                     {"id": OLD_OFFENCE[0], "offence": OLD_OFFENCE[1]})
    engine.dispose()
    return f"sqlite:///{path}"


@pytest.fixture
def old_db(tmp_path):
    return release_copy(tmp_path / "vungbuoc.db")


def settings_for(url, tmp_path):
    """Settings of an app over ``url`` whose generated keys live in ``tmp_path/var``."""
    return load_settings({"DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": url,
                          "SEARCH_BACKEND": "embedded", "TESTING": True})


def upgrade_to(engine, schema, revision, settings=None):
    """Run ``schema``'s migrations up to ``revision`` only (an older release's schema)."""
    from alembic import command

    from indexer.migrate import alembic_config
    with engine.begin() as conn:
        cfg = alembic_config(schema, conn, settings)
        if current(conn, schema) is None and inspect(conn).has_table(schema.marker):
            command.stamp(cfg, schema.baseline)  # release 0.1: made before migrations
        command.upgrade(cfg, revision)


def upgrade_all(url, settings=None):
    engine = store.Store(url).engine
    for schema in (STORE, OFFICERS):
        upgrade(engine, schema, settings)
    return engine


def check_upgraded(engine, before):
    after = counts(engine)
    assert counts(engine, NEW_TABLES) == NEW_TABLES
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


def check_security(engine, settings, audit_rows):
    """officers_0003's data steps: the audit chain verifies over every old row, case
    codes moved out of the details (pseudonyms where the profile is gone or renamed),
    and the old offence category is encrypted and still filters the matches."""
    audit = AuditService(engine, audit_key(settings))
    checked, head, problems = audit.verify()
    assert (checked, problems) == (audit_rows, [])
    with engine.connect() as conn:
        rows = conn.execute(select(models.audit_log).order_by(models.audit_log.c.seq)).all()
        assert [r.seq for r in rows] == list(range(1, audit_rows + 1))
        assert tuple(conn.execute(select(models.audit_head)).one()) == (1, audit_rows, head)
        assert not any("case_code" in (r.detail or "") for r in rows)
        codes = {(r.target, r.case_code) for r in rows if r.case_code}
        assert ("profile:1", "TS-001") in codes and ("profile:5", "QH-01") in codes
        gone = [c for t, c in codes if t in ("profile:3", "profile:4")]  # renamed, deleted
        assert gone and all(c.startswith("psn:") for c in gone)
        assert not any(c in ("TS-001", "BS-007") for t, c in codes if t in (
            "profile:3", "profile:4"))
        profile = conn.execute(select(models.profiles).where(
            models.profiles.c.id == OLD_OFFENCE[0])).one()
        others = conn.execute(select(models.profiles.c.offence_enc).where(
            models.profiles.c.id != OLD_OFFENCE[0])).scalars().all()
        jobs = {r.id: r.data for r in conn.execute(select(store.documents).where(
            store.documents.c.kind == "jobs")) if r.data}
    assert "offence_category" not in profile.data and set(others) == {None}
    assert OLD_OFFENCE[1] not in profile.offence_enc
    # officers_0004 (issue #14) made it a one-item list of categories, not expunged.
    assert json.loads(data_cipher(settings).decrypt(profile.offence_enc)) == {
        "categories": [OLD_OFFENCE[1]], "expunged": False}
    return profile, jobs


def check_offence_filters(officers, indexer):
    """The matches of the profile with the old offence category leave out the jobs that
    exclude it, which the same profile without it is offered."""
    lan = officers.accounts.by_username("lan")
    profile = officers.profiles.get(lan, OLD_OFFENCE[0])
    assert profile["offence_recorded"]
    matched = {j["id"] for j in officers.profiles.match(lan, profile)["jobs"]}
    plain = ranking.match(ProfileSchema().load(profile["data"]), indexer.backend, limit=50)
    unfiltered = {j["id"] for j in plain["jobs"]}
    excluded = {i for i in unfiltered - matched
                if OLD_OFFENCE[1] in (indexer.store.get_document("jobs", i)["data"]
                                      .get("excluded_offences") or [])}
    assert matched and excluded, (matched, unfiltered)
    assert not any(OLD_OFFENCE[1] in (indexer.store.get_document("jobs", i)["data"]
                                      .get("excluded_offences") or []) for i in matched)


def test_release_database_is_refused_until_upgraded(old_db, tmp_path):
    settings = load_settings({"DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": old_db})
    with pytest.raises(SchemaOutdated, match="matcher db upgrade"):
        IndexerService.from_settings(settings)


def test_app_started_before_the_upgrade_does_not_block_it(old_db, tmp_path):
    """Starting this version on a database of the release before it (store current,
    officer tables at officers_0002) is refused, and leaves no table behind that the
    migration then trips over."""
    from matcher import create_app
    settings = settings_for(old_db, tmp_path)
    engine = store.Store(old_db).engine
    upgrade(engine, STORE)
    upgrade_to(engine, OFFICERS, "officers_0002")
    with pytest.raises(SchemaOutdated, match="officers_0002"):
        create_app(settings)
    assert "rate_limits" not in inspect(engine).get_table_names()
    upgrade(engine, OFFICERS, settings)
    assert counts(engine, NEW_TABLES) == NEW_TABLES


def test_upgrade_keeps_every_row_and_converts_units(old_db, tmp_path):
    before = counts(create_engine(old_db))
    settings = settings_for(old_db, tmp_path)
    engine = upgrade_all(old_db, settings)
    check_upgraded(engine, before)
    check_security(engine, settings, before["audit_log"])
    assert upgrade(engine, STORE)[0] == upgrade(engine, STORE)[1]  # idempotent
    assert upgrade(engine, OFFICERS)[0] == upgrade(engine, OFFICERS)[1]
    # The upgraded database serves: the index is rebuilt from the store, and an officer of
    # Phường Sầm Sơn sees the profiles of the merged wards and matches them.
    from matcher import create_app
    app = create_app(settings)
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
    check_offence_filters(officers, svc)
    # The chain goes on from the migrated rows: new entries, a deletion's pseudonyms.
    officers.profiles.delete(lan, next(p["id"] for p in officers.profiles.list(lan)
                                       if p["case_code"] == "TS-002"))
    checked, _, problems = officers.audit.verify()
    assert problems == [] and checked > before["audit_log"]
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET detail = 'forged' WHERE seq = 1"))
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
    fresh = store.Store(f"sqlite:///{tmp_path / 'fresh.db'}").engine
    ensure(fresh, STORE)
    ensure(fresh, OFFICERS)
    assert triggers_sql(engine) == triggers_sql(fresh)  # the same bodies, not only names
    assert counts(engine, ["audit_head"]) == counts(fresh, ["audit_head"]) == {"audit_head": 1}


def triggers_sql(engine):
    with engine.connect() as conn:
        return dict(conn.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all())


def test_fresh_database_is_created_at_the_newest_revision(tmp_path):
    engine = store.Store(f"sqlite:///{tmp_path / 'fresh.db'}").engine
    ensure(engine, STORE)
    ensure(engine, OFFICERS)
    assert upgrade(engine, STORE) == ("store_0004", "store_0004")
    assert upgrade(engine, OFFICERS) == ("officers_0006", "officers_0006")
    assert set(TABLES) <= set(inspect(engine).get_table_names())


@pytest.mark.postgres
def test_upgrade_on_postgresql_keeps_every_row(pg_database, tmp_path):
    """Release 0.1's tables made by the baseline migrations, filled with the fixture's
    rows, then upgraded."""
    pg = store.Store(pg_database).engine
    for schema in (STORE, OFFICERS):
        upgrade_to(pg, schema, schema.baseline)
    old = create_engine(release_copy(tmp_path / "release.db"))
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
    settings = settings_for(pg_database, tmp_path)
    engine = upgrade_all(pg_database, settings)
    check_upgraded(engine, before)
    check_security(engine, settings, before["audit_log"])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(store.documents)).scalar() \
            == before["documents"]
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET detail = 'forged' WHERE seq = 1"))
    from matcher import create_app
    app = create_app(settings)
    app.extensions["vungbuoc"].sync()
    check_offence_filters(app.extensions["officers"], app.extensions["vungbuoc"])
    app.extensions["vungbuoc"].close()


@pytest.mark.postgres
def test_migrations_from_empty_make_the_current_schema_on_postgresql(pg_database):
    engine = upgrade_all(pg_database)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn),
                                [store.metadata, models.metadata])
        triggers = {r[0] for r in conn.execute(text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass"))}
        refuse = conn.execute(text(
            "SELECT prosrc FROM pg_proc WHERE proname = 'audit_log_refuse'")).scalar()
    assert [d for d in diff if not (d[0] == "remove_table"
                                    and d[1].name.startswith("alembic_version"))] == []
    assert triggers == set(models.AUDIT_TRIGGERS["postgresql"])
    assert "psn:%" in refuse


def test_casework_upgrade_numbers_old_referrals_and_counts_on(old_db, tmp_path):
    """officers_0005 (issue #14): every old referral gets a reference, numbered in order
    within its unit and Vietnam's year, and new referrals continue the count."""
    settings = settings_for(old_db, tmp_path)
    engine = upgrade_all(old_db, settings)
    with engine.connect() as conn:
        rows = conn.execute(select(models.referrals.c.id, models.referrals.c.unit,
                                   models.referrals.c.reference)
                            .order_by(models.referrals.c.id)).all()
        counters = {(r.unit, r.year): r.last for r in conn.execute(
            select(models.referral_counters))}
    assert rows and all(r.reference for r in rows)
    assert len({r.reference for r in rows}) == len(rows)
    for (unit, year), last in counters.items():
        mine = [r.reference for r in rows if r.unit == unit and f"-{year}-" in r.reference]
        assert mine == [f"{unit}-{year}-{n:04d}" for n in range(1, last + 1)]
    from matcher import create_app
    app = create_app(settings)
    svc = app.extensions["vungbuoc"]
    officers = app.extensions["officers"]
    lan = officers.accounts.by_username("lan")
    profile = next(p for p in officers.profiles.list(lan) if p["case_code"] == "TS-001")
    job = next(svc.store.iter_documents("jobs"))
    from indexer import clock
    new = officers.referrals.get(lan, officers.referrals.create(lan, profile["id"], "job",
                                                                job["id"]))
    year = clock.today().year
    assert new["reference"] == f"16531-{year}-{counters.get(('16531', year), 0) + 1:04d}"
    svc.close()


def test_the_single_offence_category_becomes_a_one_item_list_and_back(old_db, tmp_path):
    """officers_0004: the category officers_0003 encrypted as plain text is sealed again as
    {"categories": [it], "expunged": false}; a downgrade gives the first category back."""
    from alembic import command

    from indexer.migrate import alembic_config
    settings = settings_for(old_db, tmp_path)
    engine = store.Store(old_db).engine
    upgrade(engine, STORE, settings)
    upgrade_to(engine, OFFICERS, "officers_0003", settings)
    cipher = data_cipher(settings)

    def token():
        with engine.connect() as conn:
            return conn.execute(select(models.profiles.c.offence_enc).where(
                models.profiles.c.id == OLD_OFFENCE[0])).scalar()
    assert cipher.decrypt(token()) == OLD_OFFENCE[1]
    upgrade_to(engine, OFFICERS, "officers_0004", settings)  # later steps keep no downgrade
    assert OLD_OFFENCE[1] not in token()
    assert json.loads(cipher.decrypt(token())) == {"categories": [OLD_OFFENCE[1]],
                                                   "expunged": False}
    with engine.begin() as conn:
        command.downgrade(alembic_config(OFFICERS, conn, settings), "officers_0003")
    assert cipher.decrypt(token()) == OLD_OFFENCE[1]
