"""The audit log (finding 7): what is recorded, from where, and its tamper-evident chain."""
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from matcher.cli import main as matcher_cli
from matcher.models import audit_log

from web_helpers import post_form


def _rows(web_app, action=None):
    query = select(audit_log).order_by(audit_log.c.id)
    if action:
        query = query.where(audit_log.c.action == action)
    with web_app.extensions["vungbuoc"].store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def _job(web_app):
    return web_app.extensions["vungbuoc"].store.find_document("jobs", "cty-test", "J-1")["id"]


def test_slip_views_are_audited_with_ip_and_user_agent(web_app, officer, profile_id):
    officer.get(f"/profiles/{profile_id}/slip/job/{_job(web_app)}",
                headers={"User-Agent": "Firefox/140 (can-bo)"})
    [row] = _rows(web_app, "slip.view")
    assert row["case_code"] == "TS-2026-01" and row["username"] == "lan"
    assert row["ip"] == "127.0.0.1" and row["user_agent"] == "Firefox/140 (can-bo)"
    assert json.loads(row["detail"]) == {"kind": "job", "doc_id": _job(web_app)}


def test_exports_are_audited(officer, web_app, profile_id):
    assert officer.get(f"/profiles/{profile_id}/export").status_code == 200
    assert [r["case_code"] for r in _rows(web_app, "profile.export")] == ["TS-2026-01"]


@pytest.mark.parametrize("path", ["/profiles/{id}", "/profiles/{id}/edit",
                                  "/profiles/{id}/matches", "/profiles/{id}/export"])
def test_denied_cross_unit_attempts_are_logged(web_app, other_officer, profile_id, path):
    response = other_officer.get(path.format(id=profile_id))
    assert response.status_code == 404
    [row] = _rows(web_app, "access.denied")
    assert row["username"] == "minh" and row["target"] == f"profile:{profile_id}"
    assert row["case_code"] is None and row["ip"] == "127.0.0.1"  # nothing of the other unit


def test_denied_admin_page_is_logged(web_app, officer):
    assert officer.get("/admin/audit").status_code == 403
    assert [r["target"] for r in _rows(web_app, "access.denied")] == ["/admin/audit"]


def _verify(settings, monkeypatch):
    monkeypatch.setenv("VUNGBUOC_DATA_DIR", settings["DATA_DIR"])
    return CliRunner().invoke(matcher_cli, ["audit", "verify"])


def _sql(web_app, *statements):
    with web_app.extensions["vungbuoc"].store.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def test_audit_verify_passes_on_an_intact_log(web_app, officer, profile_id, settings,
                                              monkeypatch):
    officer.get(f"/profiles/{profile_id}")
    result = _verify(settings, monkeypatch)
    assert result.exit_code == 0 and "audit log ok" in result.output


def test_a_forged_insert_is_detected(web_app, officer, profile_id, settings, monkeypatch):
    last = _rows(web_app)[-1]
    # Triggers allow an INSERT; the forger even links it to the chain, but has no key.
    _sql(web_app, "INSERT INTO audit_log (seq, at, action, target, prev_hash, row_hash) "
                  f"VALUES ({last['seq'] + 1}, '2026-01-01 00:00:00', 'login', 'user:9', "
                  f"'{last['row_hash']}', '{'f' * 64}')")
    result = _verify(settings, monkeypatch)
    assert result.exit_code == 1 and "hash does not match" in result.output


def test_a_changed_row_is_detected_even_with_the_triggers_dropped(web_app, officer, profile_id,
                                                                 settings, monkeypatch):
    _sql(web_app, "DROP TRIGGER audit_log_no_update",
         "UPDATE audit_log SET username = 'someone' WHERE action = 'profile.create'")
    output = _verify(settings, monkeypatch).output
    assert "hash does not match" in output and "trigger audit_log_no_update is missing" in output


def test_a_removed_row_is_detected(web_app, officer, profile_id, settings, monkeypatch):
    officer.get(f"/profiles/{profile_id}")
    _sql(web_app, "DROP TRIGGER audit_log_no_delete",
         "DELETE FROM audit_log WHERE action = 'profile.create'")
    result = _verify(settings, monkeypatch)
    assert result.exit_code == 1 and "removed" in result.output


def test_a_removed_last_row_is_detected(web_app, officer, profile_id, settings, monkeypatch):
    _sql(web_app, "DROP TRIGGER audit_log_no_delete",
         "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)")
    assert "removed from the end" in _verify(settings, monkeypatch).output


def test_a_deleted_profiles_case_code_leaves_the_audit_log(web_app, officer, profile_id,
                                                          settings, monkeypatch):
    officer.get(f"/profiles/{profile_id}")
    officer.get(f"/profiles/{profile_id}/slip/job/{_job(web_app)}")
    post_form(officer, f"/profiles/{profile_id}/delete", {}, f"/profiles/{profile_id}")
    rows = [r for r in _rows(web_app) if r["target"] == f"profile:{profile_id}"]
    assert {r["action"] for r in rows} >= {"profile.create", "profile.view", "slip.view",
                                          "profile.delete"}
    codes = {r["case_code"] for r in rows}
    assert len(codes) == 1 and codes.pop().startswith("psn:")  # one stable pseudonym
    with web_app.extensions["vungbuoc"].store.engine.connect() as conn:
        dump = " ".join(str(v) for r in conn.execute(select(audit_log)) for v in r)
    assert "TS-2026-01" not in dump
    assert _verify(settings, monkeypatch).exit_code == 0  # the chain still holds


def test_pseudonymising_is_the_only_change_allowed(web_app, officer, profile_id):
    from sqlalchemy.exc import DBAPIError
    for statement in ("UPDATE audit_log SET case_code = 'OTHER-1'",
                      "UPDATE audit_log SET action = 'logout'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            _sql(web_app, statement)
    _sql(web_app, "UPDATE audit_log SET case_code = 'psn:0123' WHERE case_code IS NOT NULL")
