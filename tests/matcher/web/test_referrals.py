"""Referrals, allowed outcome steps, follow-ups, dashboard and the audit log."""
import datetime as dt
import re

import pytest

from indexer import clock
from sqlalchemy import select, text, update
from sqlalchemy.exc import DatabaseError

from matcher.models import audit_log, referral_events, referrals
from matcher.services.referrals import REASONS, TRANSITIONS

from web_helpers import login, post_form


def refer(client, profile_id, kind="job", doc_id=1):
    response = post_form(client, f"/profiles/{profile_id}/referrals",
                         {"kind": kind, "doc_id": str(doc_id)}, form_path=f"/profiles/{profile_id}")
    assert response.status_code == 302, response.status_code
    return int(re.search(r"/referrals/(\d+)", response.location).group(1))


def outcome(client, referral_id, status, on="", reason=None, note=""):
    """Post an outcome; a step that needs a reason gets the first one unless given."""
    if reason is None:
        reason = REASONS[status][0] if status in REASONS else ""
    return post_form(client, f"/referrals/{referral_id}",
                     {"status": status, "on": on, "reason": reason, "note": note})


def backdate(web_app, referral_id, days):
    """Move a referral's history ``days`` into the past (as if recorded back then)."""
    engine = web_app.extensions["vungbuoc"].store.engine
    with engine.begin() as conn:
        for row in conn.execute(select(referral_events).where(
                referral_events.c.referral_id == referral_id)).all():
            conn.execute(update(referral_events).where(referral_events.c.id == row.id).values(
                on=row.on - dt.timedelta(days=days)))
        ref = conn.execute(select(referrals).where(referrals.c.id == referral_id)).one()
        conn.execute(update(referrals).where(referrals.c.id == referral_id).values(
            hired_on=ref.hired_on and ref.hired_on - dt.timedelta(days=days),
            next_check_on=ref.next_check_on and ref.next_check_on - dt.timedelta(days=days)))


def test_job_referral_through_hiring(web_app, officer, profile_id):
    referral_id = refer(officer, profile_id)
    html = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "Đã giới thiệu" in html and "Thợ hàn điện" in html
    assert outcome(officer, referral_id, "interviewed").status_code == 302
    assert outcome(officer, referral_id, "hired").status_code == 302
    html = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert '<strong class="status">Được tuyển</strong>' in html
    assert "Còn làm việc sau 3 tháng" in html  # the next allowed step


@pytest.mark.parametrize("path,status", [
    (["interviewed"], "interviewed"), (["interviewed"], "referred"), ([], "hired"),
    ([], "enrolled"), (["not_hired"], "interviewed"), (["interviewed", "hired"], "employed_6m"),
    ([], "bogus")])
def test_disallowed_transitions_are_refused(web_app, officer, profile_id, path, status):
    referral_id = refer(officer, profile_id)
    for step in path:
        assert outcome(officer, referral_id, step).status_code == 302
    response = outcome(officer, referral_id, status)
    assert response.status_code in (409, 422)
    with web_app.extensions["vungbuoc"].store.engine.connect() as conn:
        assert conn.execute(select(referrals.c.status)).scalar() == (path or ["referred"])[-1]


def test_retention_cannot_be_recorded_early_or_in_the_future(officer, profile_id):
    referral_id = refer(officer, profile_id)
    outcome(officer, referral_id, "interviewed")
    outcome(officer, referral_id, "hired")
    response = outcome(officer, referral_id, "employed_3m")
    assert response.status_code == 409 and "3 hoặc 6 tháng" in response.get_data(as_text=True)
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    response = outcome(officer, referral_id, "employed_3m", tomorrow)
    assert response.status_code == 409


def test_course_referral_to_completion(web_app, officer, profile_id):
    course_id = web_app.extensions["vungbuoc"].store.get_documents([4])[4]["id"]
    referral_id = refer(officer, profile_id, "course", course_id)
    assert outcome(officer, referral_id, "enrolled").status_code == 302
    assert outcome(officer, referral_id, "completed").status_code == 302
    html = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "Lượt giới thiệu này đã kết thúc" in html
    assert TRANSITIONS["course"]["enrolled"] == ("completed", "dropped")


def test_follow_ups_and_dashboard_retention(web_app, officer, profile_id):
    referral_id = refer(officer, profile_id)
    assert "TS-2026-01" not in officer.get("/followups").get_data(as_text=True)
    outcome(officer, referral_id, "interviewed")
    outcome(officer, referral_id, "hired")
    backdate(web_app, referral_id, 100)
    html = officer.get("/followups").get_data(as_text=True)
    assert "TS-2026-01" in html and "Được tuyển" in html
    assert outcome(officer, referral_id, "employed_3m").status_code == 302
    html = officer.get("/dashboard").get_data(as_text=True)
    assert re.search(r'id="fig-hired">1<', html)
    assert re.search(r'id="fig-ret3">100\s*%<', html)
    assert re.search(r'id="fig-ret6">—<', html)
    assert "<svg" in html and "Hàn và gia công kim loại" in html  # open jobs by sector


def test_other_unit_cannot_see_or_change_a_referral(officer, other_officer, profile_id):
    referral_id = refer(officer, profile_id)
    assert other_officer.get(f"/referrals/{referral_id}").status_code == 404
    response = post_form(other_officer, f"/referrals/{referral_id}", {"status": "interviewed"},
                         form_path="/")
    assert response.status_code == 404
    assert "Thợ hàn điện" not in other_officer.get("/followups").get_data(as_text=True)


def test_every_action_is_audited_and_admin_can_read(web_app, officer, profile_id):
    officer.get(f"/profiles/{profile_id}")
    officer.get(f"/profiles/{profile_id}/matches")
    referral_id = refer(officer, profile_id)
    outcome(officer, referral_id, "interviewed")
    post_form(officer, f"/profiles/{profile_id}/delete", {}, form_path="/")
    with web_app.extensions["vungbuoc"].store.engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.action, audit_log.c.username,
                                   audit_log.c.unit)).all()
    actions = [r.action for r in rows]
    for action in ("profile.create", "profile.view", "match.run", "referral.create",
                   "referral.update", "profile.delete"):
        assert action in actions
    assert all(r.unit == "16531" for r in rows if r.action != "login.failed")  # Phường Sầm Sơn
    admin = web_app.test_client()
    login(admin, "boss")
    html = admin.get("/admin/audit").get_data(as_text=True)
    assert "Xóa hồ sơ" in html and "lan" in html
    html = admin.get("/admin/audit?action=match.run").get_data(as_text=True)
    assert "Tìm việc" in html and "Xóa hồ sơ</td>" not in html


def test_audit_log_is_append_only(web_app, officer, profile_id):
    engine = web_app.extensions["vungbuoc"].store.engine
    with pytest.raises(DatabaseError):
        with engine.begin() as conn:
            conn.execute(text("UPDATE audit_log SET action = 'x'"))
    with pytest.raises(DatabaseError):
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))
    services = web_app.extensions["officers"].audit
    assert not any(hasattr(services, name) for name in ("update", "delete", "remove"))
