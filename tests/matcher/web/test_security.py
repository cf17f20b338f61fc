"""Findings 3-6 of the outside test: match API credentials, rate-limit keys, headers, files.

Concurrency across gunicorn workers is in tests/test_live_security.py.
"""
import json
import os
import re
import stat

import pytest
from sqlalchemy import select

from matcher import create_app
from matcher.models import audit_log
from matcher.security import CSP

from factories import make_partner, make_posting, match_headers

PROFILE = {"profile": {"skills": ["hàn que"], "offence_category": "property",
                       "location": {"province": "Thanh Hóa"}}}


@pytest.fixture
def app(settings):
    """An app with one partner, a posting, a partner key and low limits."""
    app = create_app({**settings, "TESTING": True, "MATCH_RATE_LIMIT": "5 per minute",
                      "PARTNER_RATE_LIMIT": "5 per minute",
                      "AUTH_FAILURE_RATE_LIMIT": "8 per minute",
                      "LOGIN_IP_RATE_LIMIT": "6 per minute"})
    svc = app.extensions["vungbuoc"]
    svc.save("partners", [make_partner(), make_partner(id="cty-other", name="Khác")])
    svc.save("jobs", [make_posting()])
    svc.sync()
    app.config["PARTNER_KEY"] = app.extensions["vungbuoc_partners"].keys.issue("cty-test")
    yield app
    svc.close()


def _match(client, headers=None):
    return client.post("/api/v1/matches", json=PROFILE, headers=headers or {})


# -- finding 3: the match API -------------------------------------------------------------

def test_match_api_without_credentials_is_401(app):
    response = _match(app.test_client())
    assert response.status_code == 401 and "jobs" not in response.get_json()
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_partner_keys_cannot_match(app):
    key = app.config["PARTNER_KEY"]
    response = _match(app.test_client(), {"Authorization": f"Bearer {key}"})
    assert response.status_code == 403 and "Partner keys" in response.get_json()["detail"]


def test_client_key_with_match_scope_matches_and_is_audited(app):
    headers = {**match_headers(app, "ward-tool"), "User-Agent": "ward-tool/1.0"}
    response = _match(app.test_client(), headers)
    assert response.status_code == 200 and response.get_json()["jobs"]
    with app.extensions["vungbuoc"].store.engine.connect() as conn:
        row = conn.execute(select(audit_log).where(audit_log.c.action == "match.api")).one()
    assert row.username == "client:ward-tool" and row.ip == "127.0.0.1"
    assert row.user_agent == "ward-tool/1.0" and json.loads(row.detail)["jobs"] >= 1
    # The profile itself is never stored: no skills, no offence category.
    text = json.dumps(dict(row._mapping), default=str)
    assert "property" not in text and "hàn" not in text and "welding" not in text


def test_revoked_client_key_is_403(app):
    headers = match_headers(app, "old-tool")
    app.extensions["officers"].clients.revoke("old-tool")
    assert _match(app.test_client(), headers).status_code == 403


def test_officer_session_can_match(app):
    from web_helpers import PASSWORD, SAM_SON_UNIT, login
    app.extensions["officers"].accounts.create("lan", PASSWORD, unit=SAM_SON_UNIT)
    client = app.test_client()
    login(client, "lan")
    assert _match(client).status_code == 200


def test_match_api_is_rate_limited_per_client(app):
    first, second = match_headers(app, "one"), match_headers(app, "two")
    client = app.test_client()
    codes = [_match(client, first).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    limited = _match(client, first)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert _match(client, second).status_code == 200  # another client: its own bucket


def test_cli_issues_lists_and_revokes_client_keys(settings, monkeypatch):
    from click.testing import CliRunner
    from matcher.cli import main as matcher_cli
    monkeypatch.setenv("VUNGBUOC_DATA_DIR", settings["DATA_DIR"])
    runner = CliRunner()
    created = runner.invoke(matcher_cli, ["clients", "create", "ward-tool", "--scope", "match"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"vb_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", key)
    listed = runner.invoke(matcher_cli, ["clients", "list"]).output
    assert "ward-tool" in listed and "match" in listed and key not in listed
    app = create_app({**settings, "TESTING": True})
    try:
        assert _match(app.test_client(), {"Authorization": f"Bearer {key}"}).status_code == 200
        assert runner.invoke(matcher_cli, ["clients", "revoke", "ward-tool"]).exit_code == 0
        assert _match(app.test_client(), {"Authorization": f"Bearer {key}"}).status_code == 403
    finally:
        app.extensions["vungbuoc"].close()


# -- finding 4: rate limits keyed on the verified key, failures per IP ---------------------

def _jobs(client, key):
    return client.get("/api/v1/partner/jobs", headers={"Authorization": f"Bearer {key}"})


def test_a_wrong_secret_does_not_use_up_the_real_keys_bucket(app):
    key = app.config["PARTNER_KEY"]
    forged = key[:-6] + "AAAAAA"
    client = app.test_client()
    assert [_jobs(client, forged).status_code for _ in range(8)] == [401] * 8
    assert _jobs(client, key).status_code == 200


def test_made_up_keys_are_counted_per_ip(app):
    client = app.test_client()
    codes = [_jobs(client, f"vb_{i:012x}_{'A' * 43}").status_code for i in range(10)]
    assert codes == [401] * 8 + [429] * 2
    # The same failures count on the match API too, and a valid key still works.
    assert _match(client, {"Authorization": "Bearer nonsense"}).status_code == 429
    assert _jobs(client, app.config["PARTNER_KEY"]).status_code == 200


def test_failed_logins_are_limited_per_ip(app):
    from web_helpers import login
    client = app.test_client()
    codes = [login(client, f"user{i}", "wrong password here").status_code for i in range(8)]
    assert codes == [401] * 6 + [429] * 2
    assert "Retry-After" in login(client, "lan", "whatever it is").headers


# -- finding 5: headers -----------------------------------------------------------------

PATHS = ["/", "/login", "/healthz", "/api/v1/openapi.json", "/api/v1/docs",
         "/api/v1/partner/jobs", "/static/app.css", "/profiles/1", "/nope"]


@pytest.mark.parametrize("path", PATHS)
def test_security_headers_on_every_response(app, path):
    response = app.test_client().get(path)
    headers = response.headers
    assert headers["Content-Security-Policy"] == CSP
    assert headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in headers
    if not path.startswith("/static/"):
        assert headers["Cache-Control"] == "no-store"


def test_csp_is_strict():
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
    assert "script-src 'self'" in CSP and "style-src 'self'" in CSP


def test_hsts_behind_the_https_setting(settings):
    app = create_app({**settings, "TESTING": True, "HTTPS": True})
    try:
        assert app.test_client().get("/login").headers["Strict-Transport-Security"] \
            .startswith("max-age=31536000")
    finally:
        app.extensions["vungbuoc"].close()


INLINE = [re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), re.compile(r"\sstyle\s*=", re.I),
          re.compile(r"<style", re.I), re.compile(r"\son[a-z]+\s*=", re.I),
          re.compile(r"javascript:", re.I)]


def test_no_page_has_inline_script_or_style(web_app, officer, profile_id):
    """Every page the officer flow shows (and the API docs) works under the strict CSP."""
    from web_helpers import login
    svc = web_app.extensions["vungbuoc"]
    doc = svc.store.find_document("jobs", "cty-test", "J-1")
    ref = officer.post(f"/profiles/{profile_id}/referrals", data={
        "kind": "job", "doc_id": doc["id"],
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', officer.get(
            f"/profiles/{profile_id}/matches").get_data(as_text=True)).group(1)})
    admin = web_app.test_client()
    login(admin, "boss")
    pages = [(officer, p) for p in (
        "/", "/profiles/new", f"/profiles/{profile_id}", f"/profiles/{profile_id}/edit",
        f"/profiles/{profile_id}/matches", f"/profiles/{profile_id}/slip/job/{doc['id']}",
        ref.location, "/followups", "/dashboard", "/account/password", "/nope")]
    pages += [(admin, "/admin/audit"), (web_app.test_client(), "/login"),
              (web_app.test_client(), "/api/v1/docs")]
    for client, path in pages:
        html = client.get(path).get_data(as_text=True)
        for pattern in INLINE:
            assert not pattern.search(html), (path, pattern.pattern)


# -- finding 6: files -------------------------------------------------------------------

def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_data_directory_and_secrets_are_private(settings, tmp_path):
    app = create_app({**settings, "TESTING": True})
    try:
        data = settings["DATA_DIR"]
        assert _mode(data) == 0o700
        with app.extensions["vungbuoc"].store.engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM audit_log")  # WAL files exist now
            for name in ("vungbuoc.db", "vungbuoc.db-wal", "vungbuoc.db-shm", "secret_key",
                         "data_key", "audit_key"):
                assert _mode(os.path.join(data, name)) == 0o600, name
    finally:
        app.extensions["vungbuoc"].close()


def test_an_existing_world_readable_store_is_made_private(settings):
    os.makedirs(settings["DATA_DIR"])
    db = os.path.join(settings["DATA_DIR"], "vungbuoc.db")
    open(db, "w").close()
    os.chmod(db, 0o644)
    os.chmod(settings["DATA_DIR"], 0o755)
    app = create_app({**settings, "TESTING": True})
    app.extensions["vungbuoc"].close()
    assert _mode(db) == 0o600 and _mode(settings["DATA_DIR"]) == 0o700


def test_a_wal_file_removed_meanwhile_is_no_error(settings, tmp_path):
    """Another process closing the store removes its -wal and -shm files between our
    look and our chmod (seen in the two-process model test): no FileNotFoundError."""
    from indexer.settings import _private
    _private(tmp_path / "vungbuoc.db-shm", 0o600)  # listed a moment ago, gone now

