"""Law 91/2025/QH15 duties for returnee data: consent, encryption, retention, export."""
import datetime as dt
import json
import re

from click.testing import CliRunner
from sqlalchemy import select, text, update

from matcher.cli import main as matcher_cli
from matcher import models
from matcher.models import audit_log, profiles, referrals

from web_helpers import PROFILE_FORM, post_form


def _engine(web_app):
    return web_app.extensions["vungbuoc"].store.engine


def _profile_rows(web_app):
    with _engine(web_app).connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(profiles))]


def test_no_profile_is_saved_without_consent(web_app, officer):
    form = {k: v for k, v in PROFILE_FORM.items() if not k.startswith("consent")}
    response = post_form(officer, "/profiles/new", form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="consent_given-error"' in html and "đồng ý" in html
    assert _profile_rows(web_app) == []
    future = {**PROFILE_FORM, "consent_given_on": "2999-01-01"}
    assert post_form(officer, "/profiles/new", future).status_code == 422
    only_referral = {**PROFILE_FORM, "consent_scope": ["referral"]}
    assert post_form(officer, "/profiles/new", only_referral).status_code == 422
    assert _profile_rows(web_app) == []


def test_consent_is_recorded_with_date_officer_purpose_and_scope(web_app, officer, profile_id):
    with _engine(web_app).connect() as conn:
        row = conn.execute(select(models.consents)).one()
    user = web_app.extensions["officers"].accounts.by_username("lan")
    assert (row.profile_id, row.given_on, row.officer_id, row.purpose, row.scope) == (
        profile_id, dt.date(2026, 1, 5), user["id"], "employment", ["matching", "referral"])
    page = officer.get(f"/profiles/{profile_id}").get_data(as_text=True)
    assert "5 thg 1, 2026" in page and "Tìm việc làm và học nghề" in page


def test_withdrawing_consent_deletes_the_profile(web_app, officer, profile_id):
    response = post_form(officer, f"/profiles/{profile_id}/withdraw", {}, f"/profiles/{profile_id}")
    assert response.status_code == 302
    assert _profile_rows(web_app) == []
    with _engine(web_app).connect() as conn:
        assert conn.execute(select(models.consents)).all() == []
        actions = [r.action for r in conn.execute(select(audit_log.c.action))]
    assert "consent.withdraw" in actions


def test_a_profile_saved_before_consent_records_gets_one(web_app, officer, profile_id):
    """A profile of release 0.1 (migrated, no consent record) says so on its page, and
    the officer records the person's consent there; nothing is recorded without it."""
    with _engine(web_app).begin() as conn:  # as officers_0003 leaves a release-0.1 profile
        conn.execute(models.consents.delete())
    page = officer.get(f"/profiles/{profile_id}").get_data(as_text=True)
    assert "chưa ghi nhận" in page and 'id="consent_given"' in page
    path, view = f"/profiles/{profile_id}/consent", f"/profiles/{profile_id}"
    consent = {k: v for k, v in PROFILE_FORM.items() if k.startswith("consent")}
    refused = post_form(officer, path, {**consent, "consent_given": ""}, view)
    assert refused.status_code == 422
    assert 'id="consent_given-error"' in refused.get_data(as_text=True)
    assert post_form(officer, path, {**consent, "consent_scope": ["referral"]},
                     view).status_code == 422
    with _engine(web_app).connect() as conn:
        assert conn.execute(select(models.consents)).all() == []
    assert post_form(officer, path, consent, view).status_code == 302
    with _engine(web_app).connect() as conn:
        row = conn.execute(select(models.consents)).one()
        audited = conn.execute(select(audit_log).where(
            audit_log.c.action == "consent.record")).one()
    assert (row.profile_id, row.given_on, row.scope) == (
        profile_id, dt.date(2026, 1, 5), ["matching", "referral"])
    assert audited.case_code == PROFILE_FORM["case_code"]
    page = officer.get(view).get_data(as_text=True)
    assert "chưa ghi nhận" not in page and 'id="consent_given"' not in page
    assert post_form(officer, path, consent, view).status_code == 302  # once only
    with _engine(web_app).connect() as conn:
        assert len(conn.execute(select(models.consents)).all()) == 1


def test_the_offence_categories_are_encrypted_at_rest(web_app, officer):
    post_form(officer, "/profiles/new", {**PROFILE_FORM, "offence_categories": ["drug", "fraud"],
                                         "expunged": "y"})
    [row] = _profile_rows(web_app)
    assert not {"offence_category", "offence_categories", "expunged"} & set(row["data"])
    assert row["offence_enc"] and "drug" not in row["offence_enc"]
    with _engine(web_app).connect() as conn:
        raw = " ".join(str(v) for table in ("returnee_profiles", "audit_log")
                       for r in conn.execute(text(f"SELECT * FROM {table}")) for v in r)
    assert "drug" not in raw and "fraud" not in raw and "expunged" not in raw
    cipher = web_app.extensions["officers"].profiles.cipher
    assert json.loads(cipher.decrypt(row["offence_enc"])) == {
        "categories": ["drug", "fraud"], "expunged": True}
    # Still used for eligibility, and the edit form gets them back.
    edit = officer.get(f"/profiles/{row['id']}/edit").get_data(as_text=True)
    for code in ("drug", "fraud"):
        assert re.search(rf'name="offence_categories" value="{code}" checked', edit)
    assert re.search(r'name="expunged" value="y" checked', edit)


def test_the_offence_category_still_filters_jobs(web_app, officer):
    svc = web_app.extensions["vungbuoc"]
    from factories import make_posting
    svc.save("jobs", [make_posting(external_id="J-nodrugs", title="Bảo vệ kho",
                                   excluded_offences=["drug"])])
    svc.sync()
    with_offence = post_form(officer, "/profiles/new", {**PROFILE_FORM, "case_code": "A-1",
                                                       "offence_category": "drug"})
    without = post_form(officer, "/profiles/new", {**PROFILE_FORM, "case_code": "A-2"})
    assert "Bảo vệ kho" not in officer.get(with_offence.location).get_data(as_text=True)
    assert "Bảo vệ kho" in officer.get(without.location).get_data(as_text=True)


def test_the_data_key_comes_from_the_environment_when_set(settings):
    from cryptography.fernet import Fernet
    from matcher import create_app
    key = Fernet.generate_key().decode()
    app = create_app({**settings, "TESTING": True, "DATA_KEY": key})
    try:
        token = app.extensions["officers"].profiles.cipher.encrypt("property")
        assert Fernet(key).decrypt(token.encode()) == b"property"
    finally:
        app.extensions["vungbuoc"].close()


def test_the_data_key_can_be_rotated(web_app, officer, settings, monkeypatch):
    from cryptography.fernet import Fernet
    post_form(officer, "/profiles/new", {**PROFILE_FORM, "offence_category": "drug"})
    old = (web_app.config.get("DATA_KEY") or
           open(f"{settings['DATA_DIR']}/data_key").read().strip())
    new = Fernet.generate_key().decode()
    monkeypatch.setenv("VUNGBUOC_DATA_DIR", settings["DATA_DIR"])
    monkeypatch.setenv("VUNGBUOC_DATA_KEY", f"{new},{old}")
    result = CliRunner().invoke(matcher_cli, ["reencrypt"])
    assert result.exit_code == 0 and "re-encrypted 1" in result.output
    [row] = _profile_rows(web_app)
    assert json.loads(Fernet(new).decrypt(row["offence_enc"].encode())) == {
        "categories": ["drug"], "expunged": False}


def _close_case(web_app, officer, profile_id, days_ago):
    post_form(officer, f"/profiles/{profile_id}/close", {}, f"/profiles/{profile_id}")
    with _engine(web_app).begin() as conn:
        conn.execute(update(profiles).values(
            closed_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days_ago)))


def test_retention_run_erases_closed_cases_past_retention(web_app, officer, profile_id, settings,
                                                         monkeypatch):
    doc = web_app.extensions["vungbuoc"].store.find_document("jobs", "cty-test", "J-1")
    post_form(officer, f"/profiles/{profile_id}/referrals", {"kind": "job", "doc_id": doc["id"]},
              f"/profiles/{profile_id}/matches")
    monkeypatch.setenv("VUNGBUOC_DATA_DIR", settings["DATA_DIR"])
    _close_case(web_app, officer, profile_id, days_ago=364)
    result = CliRunner().invoke(matcher_cli, ["retention", "run"])
    assert result.exit_code == 0 and "erased 0" in result.output
    assert len(_profile_rows(web_app)) == 1
    _close_case(web_app, officer, profile_id, days_ago=366)
    result = CliRunner().invoke(matcher_cli, ["retention", "run"])
    assert "erased 1" in result.output and _profile_rows(web_app) == []
    with _engine(web_app).connect() as conn:
        ref = conn.execute(select(referrals)).one()  # the outcome stays, anonymous
        erased = conn.execute(select(audit_log).where(
            audit_log.c.action == "retention.erase")).one()
    assert ref.profile_id is None and ref.case_code is None
    assert erased.case_code.startswith("psn:")


def test_an_open_case_is_never_erased(web_app, officer, profile_id):
    with _engine(web_app).begin() as conn:
        conn.execute(update(profiles).values(
            created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=5000)))
    assert web_app.extensions["officers"].retention.run()["erased"] == 0
    assert len(_profile_rows(web_app)) == 1


def test_reopening_a_case_stops_retention(web_app, officer, profile_id):
    _close_case(web_app, officer, profile_id, days_ago=400)
    post_form(officer, f"/profiles/{profile_id}/close", {"reopen": "1"}, f"/profiles/{profile_id}")
    assert web_app.extensions["officers"].retention.run()["erased"] == 0


def test_export_of_one_persons_data(web_app, officer):
    created = post_form(officer, "/profiles/new", {**PROFILE_FORM, "offence_category": "property"})
    profile_id = int(re.search(r"/profiles/(\d+)/", created.location).group(1))
    doc = web_app.extensions["vungbuoc"].store.find_document("jobs", "cty-test", "J-1")
    post_form(officer, f"/profiles/{profile_id}/referrals", {"kind": "job", "doc_id": doc["id"]},
              f"/profiles/{profile_id}/matches")
    response = officer.get(f"/profiles/{profile_id}/export")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["case_code"] == "TS-2026-01"
    assert data["profile"]["offence_categories"] == ["property"]
    assert data["profile"]["expunged"] is False
    assert data["profile"]["skills"] == ["welding_smaw"]
    assert data["consent"]["scope"] == ["matching", "referral"]
    assert data["referrals"][0]["status"] == "referred"
    assert {"profile.create", "match.run"} <= {p["action"] for p in data["processing"]}
