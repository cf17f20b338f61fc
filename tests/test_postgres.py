"""The whole app on a real PostgreSQL: sample feeds, matches, partner and officer tables, audit.

Each test gets a database of its own (``pg_database``); the server comes from
tools/pgnode.py unless VUNGBUOC_TEST_DATABASE_URL names one.
"""
import json
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from indexer.cli import sample_feeds
from indexer.keys import IdempotencyStore, KeyReused, api_keys, idempotency
from indexer.service import IndexerService
from indexer.settings import load_settings
from indexer.store import metadata as store_metadata
from matcher import create_app
from matcher import models

pytestmark = pytest.mark.postgres

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _load_samples(settings):
    svc = IndexerService.from_settings(load_settings(settings))
    try:
        report = svc.load_files(sample_feeds())
    finally:
        svc.close()
    assert report.inserted > 0 and report.index_error is None
    return report


def _welder_matches(settings):
    app = create_app({**settings, "TESTING": True})
    try:
        body = json.loads((EXAMPLES / "profile-welder.json").read_text(encoding="utf-8"))
        from factories import match_client
        response = match_client(app).post("/api/v1/matches", json=body)
        assert response.status_code == 200, response.get_json()
        return response.get_json()
    finally:
        app.extensions["vungbuoc"].close()


@pytest.fixture
def pg_app(tmp_path, pg_database):
    """The app on a PostgreSQL database of its own (the embedded index in a temp dir)."""
    app = create_app({"DATA_DIR": str(tmp_path / "var"), "SEARCH_BACKEND": "embedded",
                      "DATABASE_URL": pg_database, "TESTING": True})
    yield app
    app.extensions["vungbuoc"].close()


def test_sample_feeds_give_the_same_matches_as_on_sqlite(tmp_path, pg_database):
    on_sqlite = {"DATA_DIR": str(tmp_path / "sqlite"), "SEARCH_BACKEND": "embedded"}
    on_pg = {"DATA_DIR": str(tmp_path / "pg"), "SEARCH_BACKEND": "embedded",
             "DATABASE_URL": pg_database}
    sqlite_report, pg_report = _load_samples(on_sqlite), _load_samples(on_pg)
    assert (pg_report.inserted, pg_report.rejected) == (sqlite_report.inserted,
                                                        sqlite_report.rejected)
    expected, got = _welder_matches(on_sqlite), _welder_matches(on_pg)
    assert got["jobs"], "the welder should get jobs"
    assert [j["id"] for j in got["jobs"]] == [j["id"] for j in expected["jobs"]]
    assert [j["score"] for j in got["jobs"]] == [j["score"] for j in expected["jobs"]]
    assert [c["id"] for c in got["courses"]] == [c["id"] for c in expected["courses"]]


def test_partner_and_officer_tables_are_created_on_postgres(pg_app):
    engine = pg_app.extensions["vungbuoc"].store.engine
    assert engine.dialect.name == "postgresql"
    tables = set(inspect(engine).get_table_names())
    assert set(store_metadata.tables) <= tables  # partners, documents, outbox, keys, idempotency
    assert {api_keys.name, idempotency.name} <= tables
    assert set(models.metadata.tables) <= tables


def test_partner_api_on_postgres(pg_app):
    from factories import make_partner, make_posting
    pg_app.extensions["vungbuoc"].save("partners", [make_partner()])
    key = pg_app.extensions["vungbuoc_partners"].keys.issue("cty-test")
    client, auth = pg_app.test_client(), {"Authorization": f"Bearer {key}"}
    body = make_posting()
    body.pop("partner_id")
    created = client.post("/api/v1/partner/jobs", json=body, headers=auth)
    assert created.status_code == 201, created.get_data(as_text=True)
    job = created.get_json()
    assert job["created_at"].endswith("Z")
    assert client.get("/api/v1/partner/jobs?updated_since=2000-01-01T00:00:00%2B07:00",
                      headers=auth).get_json()["items"][0]["external_id"] == job["external_id"]
    assert client.get("/api/v1/partner/jobs?updated_since=2999-01-01T00:00:00Z",
                      headers=auth).get_json()["items"] == []
    stale = client.put(f"/api/v1/partner/jobs/{job['external_id']}", json=body,
                       headers={**auth, "If-Match": '"v7"'})
    assert stale.status_code == 412


def test_idempotency_keys_conflict_on_postgres(pg_app):
    from factories import make_partner
    store = pg_app.extensions["vungbuoc"].store
    store.upsert_partners([make_partner()])
    idem = IdempotencyStore(store)
    assert idem.begin("cty-test", "k-1", "h1") is None
    with pytest.raises(KeyReused):  # the unique constraint, caught as IntegrityError
        idem.begin("cty-test", "k-1", "h2")
    idem.finish("cty-test", "k-1", 201, "{}", {"Location": "/x"})
    assert idem.begin("cty-test", "k-1", "h1") == (201, "{}", {"Location": "/x"})


def test_audit_log_refuses_update_and_delete_on_postgres(pg_app):
    engine = pg_app.extensions["vungbuoc"].store.engine
    audit = pg_app.extensions["officers"].audit
    audit.record({"id": 1, "username": "lan", "unit": "u", "role": "officer"}, "login")
    audit.record({"id": 1, "username": "lan", "unit": "u", "role": "officer"}, "profile.view",
                 "profile:1", case_code="TS-1")
    for statement in (models.audit_log.update().values(action="logout"),
                      models.audit_log.update().values(case_code="TS-2"),
                      models.audit_log.delete(), text("TRUNCATE audit_log")):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(statement)
    with engine.connect() as conn:
        rows = conn.execute(select(models.audit_log.c.action, models.audit_log.c.username)).all()
    assert [tuple(r) for r in rows] == [("login", "lan"), ("profile.view", "lan")]
    # The one change allowed, a pseudonym for the case code, keeps the chain valid.
    with engine.begin() as conn:
        audit.pseudonymise(conn, "profile:1", "TS-1")
    assert audit.verify()[2] == []
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        conn.execute(models.audit_log.update().where(models.audit_log.c.seq == 1).values(
            username="someone"))
    assert any("seq 1" in p for p in audit.verify()[2])


def test_casework_on_postgres(pg_app):
    """Referral numbers stay unique when officers refer at once (the counter's row lock);
    notes, reasons and support measures are stored and counted."""
    import datetime as dt
    from concurrent.futures import ThreadPoolExecutor

    from factories import make_partner, make_posting
    from indexer import clock
    svc, officers = pg_app.extensions["vungbuoc"], pg_app.extensions["officers"]
    svc.save("partners", [make_partner()])
    svc.save("jobs", [make_posting()])
    job = svc.store.find_document("jobs", "cty-test", "J-1")["id"]
    lan = officers.accounts.create("lan", "correct horse battery", unit="16531")
    consent = {"given_on": dt.date(2026, 1, 5), "purpose": "employment", "scope": ["matching"]}
    from matcher.schemas import ProfileSchema
    profile_id = officers.profiles.create(lan, ProfileSchema().load(
        {"case_code": "PG-1", "skills": ["welding_smaw"]}), consent)
    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda _: officers.referrals.create(lan, profile_id, "job", job),
                            range(12)))
    numbers = sorted(officers.referrals.get(lan, i)["reference"] for i in ids)
    year = clock.today().year
    assert numbers == [f"16531-{year}-{n:04d}" for n in range(1, 13)]
    officers.referrals.update(lan, ids[0], "not_hired", reason="record", note="Từ chối")
    event = officers.referrals.get(lan, ids[0])["events"][-1]
    assert (event["reason"], event["note"]) == ("record", "Từ chối")
    officers.support.record(lan, profile_id, "preferential_loan", "granted")
    counts = officers.support.counts("16531")
    assert counts["preferential_loan"]["granted"] == 1
    assert counts["vocational_training"]["suggested"] == 1
