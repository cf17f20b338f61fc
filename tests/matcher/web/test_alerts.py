"""Alerts: new matching postings on the follow-ups page, the account's digest settings, and
the daily digest sent to a real SMTP server on 127.0.0.1 (aiosmtpd)."""
import datetime as dt
import re
import threading

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from factories import make_posting
from matcher.cli import main
from matcher.models import audit_log, users

from web_helpers import post_form

ADDRESS = "lan.canbo@example.vn"


def _new_job(web_app, external_id="J-new", title="Thợ hàn khung thép", **overrides):
    svc = web_app.extensions["vungbuoc"]
    svc.save("jobs", [make_posting(external_id=external_id, title=title, **overrides)])
    svc.sync()


def test_followups_list_new_matching_jobs_since_the_last_visit(web_app, officer, profile_id):
    html = officer.get("/followups").get_data(as_text=True)
    assert "Không có việc làm mới phù hợp từ lần xem trước." in html
    _new_job(web_app)
    _new_job(web_app, "J-cook", "Phụ bếp nhà hàng", required_skills=["vietnamese_cuisine"],
             description="Sơ chế rau, nấu cơm cho nhà hàng.", occupation_code="9412")
    # new, but no match for a welder
    html = officer.get("/followups").get_data(as_text=True)
    alert = re.search(rf'<li id="alert-{profile_id}">.*?</ul>', html, re.S).group(0)
    assert "TS-2026-01" in alert and "1 việc mới" in alert and "Thợ hàn khung thép" in alert
    assert "Phụ bếp" not in html
    # Seen: the next visit lists only what came after.
    assert "Thợ hàn khung thép" not in officer.get("/followups").get_data(as_text=True)


def test_other_units_profiles_are_not_alerted(web_app, officer, other_officer, profile_id):
    other_officer.get("/followups")
    _new_job(web_app)
    assert "TS-2026-01" not in other_officer.get("/followups").get_data(as_text=True)


@pytest.mark.parametrize("form,message", [
    ({"email": "not an address", "digest_opt_in": "y"}, "không hợp lệ"),
    ({"email": "lan@", "digest_opt_in": "y"}, "không hợp lệ"),
    ({"email": "", "digest_opt_in": "y"}, "Hãy nhập địa chỉ thư điện tử"),
])
def test_account_refuses_a_bad_address_and_changes_nothing(web_app, officer, form, message):
    response = post_form(officer, "/account", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(rf'id="email-error"[^>]*>[^<]*{message}', html)
    assert 'aria-invalid="true"' in html and f'value="{form["email"]}"' in html
    with web_app.extensions["vungbuoc"].store.engine.connect() as conn:
        row = conn.execute(select(users.c.email, users.c.digest_opt_in).where(
            users.c.username == "lan")).one()
    assert tuple(row) == (None, False)


class _Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages, self.received = [], threading.Event()

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy
        self.messages.append((envelope.rcpt_tos, message_from_bytes(
            envelope.original_content or envelope.content, policy=policy.default)))
        self.received.set()
        return "250 OK"


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 (a free port); yields (port, inbox)."""
    from aiosmtpd.controller import Controller
    from appserver import free_port
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


def test_digest_goes_to_officers_who_opted_in_without_personal_data(
        web_app, settings, officer, other_officer, profile_id, smtp_server):
    port, inbox = smtp_server
    assert post_form(officer, "/account", {"email": " Lan.CanBo@Example.VN ",
                                           "digest_opt_in": "y"}).status_code == 302
    html = officer.get("/account").get_data(as_text=True)
    assert "Đã lưu cài đặt." in html and 'value="Lan.CanBo@example.vn"' in html
    post_form(other_officer, "/account", {"email": "minh@example.vn"})  # no opt-in
    _new_job(web_app)
    env = {"VUNGBUOC_DATA_DIR": settings["DATA_DIR"], "VUNGBUOC_SMTP_HOST": "127.0.0.1",
           "VUNGBUOC_SMTP_PORT": str(port), "VUNGBUOC_SMTP_SECURITY": "none",
           "VUNGBUOC_SMTP_FROM": "Vững Bước <vungbuoc@example.vn>",
           "VUNGBUOC_PUBLIC_URL": "https://vungbuoc.example.vn"}
    result = CliRunner().invoke(main, ["digest", "send"], env=env)
    assert result.exit_code == 0, result.output
    assert "sent 1 digest(s)" in result.output
    assert len(inbox.messages) == 1
    rcpt, message = inbox.messages[0]
    assert rcpt == ["Lan.CanBo@example.vn"] and message["To"] == "Lan.CanBo@example.vn"
    assert "Vững Bước" in message["Subject"] and "vungbuoc@example.vn" in message["From"]
    body = message.get_content()
    assert "TS-2026-01: 1 việc mới" in body and "Thợ hàn khung thép" in body
    assert "https://vungbuoc.example.vn/followups" in body
    # No data about the person: not their skills, place, pay or commute.
    for private in ("Hàn hồ quang", "welding", "Sầm Sơn", "7.000.000", "7000000", "25 km"):
        assert private not in body
    with web_app.extensions["vungbuoc"].store.engine.connect() as conn:
        sent = conn.execute(select(audit_log.c.username, audit_log.c.detail).where(
            audit_log.c.action == "digest.send")).all()
    assert [s.username for s in sent] == ["lan"] and '"postings": 1' in sent[0].detail
    # Nothing new since: no second e-mail.
    result = CliRunner().invoke(main, ["digest", "send"], env=env)
    assert "sent 0 digest(s)" in result.output and len(inbox.messages) == 1


def test_digest_command_needs_an_smtp_server(settings, web_app):
    result = CliRunner().invoke(main, ["digest", "send"],
                                env={"VUNGBUOC_DATA_DIR": settings["DATA_DIR"]})
    assert result.exit_code == 1 and "SMTP_HOST" in result.output


def test_one_worker_sends_each_daily_digest(web_app):
    digest = web_app.extensions["officers"].digest
    assert digest.every == 24 * 3600
    assert digest._job.claim(now=1000.0) is True
    assert digest._job.claim(now=1001.0) is False  # another worker, the same day
    assert digest._job.claim(now=1000.0 + 24 * 3600) is True


def _self_signed(tmp_path):
    """A certificate for 127.0.0.1 and its key (PEM files), made with `cryptography`."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "smtp.crt", tmp_path / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_digest_over_starttls_with_login(web_app, officer, profile_id, tmp_path):
    """The default: STARTTLS (certificate checked against SMTP_CA_CERTS), then AUTH."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from appserver import free_port
    from matcher.services.alerts import DigestService
    cert, key = _self_signed(tmp_path)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"smtp secret")
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=tls,
                            require_starttls=True, auth_required=True, auth_require_tls=True,
                            authenticator=authenticator)
    controller.start()
    try:
        post_form(officer, "/account", {"email": ADDRESS, "digest_opt_in": "y"})
        _new_job(web_app)
        officers = web_app.extensions["officers"]
        settings = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": controller.port,
                    "SMTP_SECURITY": "starttls", "SMTP_USERNAME": "vungbuoc",
                    "SMTP_PASSWORD": "smtp secret", "SMTP_CA_CERTS": str(cert)}
        digest = DigestService(officers.alerts.engine, officers.alerts, officers.audit,
                               settings)
        assert digest.send_all() == {"sent": 1, "empty": 0, "failed": 0}
        assert logins == [(b"vungbuoc", b"smtp secret")]
        assert inbox.messages[0][0] == [ADDRESS]
        # A certificate the client does not trust: nothing is sent, the run says so.
        _new_job(web_app, "J-new2", "Thợ hàn ống")
        untrusted = DigestService(officers.alerts.engine, officers.alerts, officers.audit,
                                  {**settings, "SMTP_CA_CERTS": ""})
        assert untrusted.send_all()["failed"] == 1 and len(inbox.messages) == 1
    finally:
        controller.stop()


def test_followups_still_show_when_the_search_backend_is_down(settings):
    """Elasticsearch unreachable (a closed port): the referrals due still show, the alerts
    say they wait, and the last visit is not moved (nothing is skipped)."""
    from sqlalchemy import delete

    from appserver import free_port
    from factories import make_partner
    from indexer.store import outbox
    from matcher import create_app
    from matcher.schemas import ProfileSchema

    from web_helpers import PASSWORD, login
    app = create_app({**settings, "TESTING": True, "SEARCH_BACKEND": "elasticsearch",
                      "ES_URL": f"http://127.0.0.1:{free_port()}", "ES_TIMEOUT": 1,
                      "SYNC_AFTER_WRITE": False})
    svc, officers = app.extensions["vungbuoc"], app.extensions["officers"]
    try:
        lan = officers.accounts.create("lan", PASSWORD, unit="16531")
        officers.profiles.create(lan, ProfileSchema().load({
            "case_code": "ES-1", "skills": ["welding_smaw"]}), {
            "given_on": dt.date(2026, 1, 5), "purpose": "employment", "scope": ["matching"]})
        svc.save("partners", [make_partner()])
        svc.save("jobs", [make_posting()])
        with svc.store.engine.begin() as conn:  # drained before the cluster went away
            conn.execute(delete(outbox))
        client = app.test_client()
        login(client, "lan")
        response = client.get("/followups")
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "Chưa có giới thiệu nào" in html
        assert "Hiện chưa liệt kê được việc làm mới" in html
        with svc.store.engine.connect() as conn:
            assert conn.execute(select(users.c.alerts_seen_at)).scalar() is None
    finally:
        svc.close()
