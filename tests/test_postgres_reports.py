"""Reports and alerts on a real PostgreSQL (aware timestamps, not SQLite's naive ones):
Vietnam's days, one match run per profile version, new postings since a visit."""
import datetime as dt

import pytest

from indexer import clock
from sqlalchemy import select, update

from factories import make_partner, make_posting
from matcher import create_app
from matcher.models import match_runs, profiles, referrals
from matcher.schemas import ProfileSchema

pytestmark = pytest.mark.postgres
CONSENT = {"given_on": dt.date(2026, 1, 5), "purpose": "employment", "scope": ["matching"]}


@pytest.fixture
def pg_app(tmp_path, pg_database):
    app = create_app({"DATA_DIR": str(tmp_path / "var"), "SEARCH_BACKEND": "embedded",
                      "DATABASE_URL": pg_database, "TESTING": True})
    svc = app.extensions["vungbuoc"]
    svc.save("partners", [make_partner()])
    svc.save("jobs", [make_posting()])
    svc.sync()
    yield app
    svc.close()


def test_reports_and_alerts_on_postgres(pg_app):
    officers, svc = pg_app.extensions["officers"], pg_app.extensions["vungbuoc"]
    lan = officers.accounts.create("lan", "correct horse battery", unit="16531")
    data = ProfileSchema().load({"case_code": "PG-1", "skills": ["welding_smaw"], "location": {
        "province": "Thanh Hóa", "ward": "Phường Sầm Sơn"}})
    profile_id = officers.profiles.create(lan, data, CONSENT)
    profile = officers.profiles.get(lan, profile_id, audit=False)
    for _ in range(3):
        officers.profiles.match(lan, profile)
    officers.profiles.match(lan, profile, max_km=5)
    engine = svc.store.engine
    with engine.connect() as conn:
        assert len(conn.execute(select(match_runs)).all()) == 1
    job_id = svc.store.find_document("jobs", "cty-test", "J-1")["id"]
    referral_id = officers.referrals.create(lan, profile_id, "job", job_id)
    with engine.begin() as conn:  # 00:30 on 1 February in Vietnam
        conn.execute(update(referrals).where(referrals.c.id == referral_id).values(
            created_at=dt.datetime(2026, 1, 31, 17, 30, tzinfo=dt.timezone.utc)))
    dash = officers.dashboard
    scope = dash.scope_for(lan)
    assert dash.figures(scope, dt.date(2026, 2, 1), dt.date(2026, 2, 1))["referrals"] == 1
    assert dash.figures(scope, dt.date(2026, 1, 31), dt.date(2026, 1, 31))["referrals"] == 0
    province = dash.scope_for({"role": "admin", "unit": None}, "38")
    assert dash.figures(province, dt.date(2026, 1, 1), clock.today())["wards"][0][0] == "16531"

    user = officers.accounts.get(lan["id"])
    since, alerts = officers.alerts.for_followups(user)
    assert alerts == []
    with engine.begin() as conn:  # the profile was saved a while ago
        conn.execute(update(profiles).values(
            created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2)))
    svc.save("jobs", [make_posting(external_id="J-2", title="Thợ hàn mới")])
    svc.sync()
    since, alerts = officers.alerts.for_followups(officers.accounts.get(lan["id"]))
    assert [(a["case_code"], [j["title"] for j in a["jobs"]]) for a in alerts] == [
        ("PG-1", ["Thợ hàn mới"])]
    assert officers.alerts.for_followups(officers.accounts.get(lan["id"]))[1] == []
