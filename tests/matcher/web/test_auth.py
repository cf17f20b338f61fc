"""Login, sessions, throttling, CSRF and cookie flags."""
import datetime as dt

import pytest
from sqlalchemy import select, update

from matcher import create_app
from matcher.models import login_throttle

from web_helpers import PASSWORD, csrf_token, login


@pytest.mark.parametrize("path", ["/", "/profiles/new", "/dashboard", "/followups",
                                  "/profiles/1", "/admin/audit"])
def test_logged_out_user_is_sent_to_login(web_app, path):
    response = web_app.test_client().get(path)
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_login_then_next_page_and_logout(web_app):
    client = web_app.test_client()
    token = csrf_token(client)
    response = client.post("/login", data={"username": "LAN", "password": PASSWORD,
                                           "next": "/dashboard", "csrf_token": token})
    assert response.status_code == 302 and response.location == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_login_refuses_offsite_next(web_app):
    client = web_app.test_client()
    response = client.post("/login", data={"username": "lan", "password": PASSWORD,
                                           "next": "//evil.example/", "csrf_token": csrf_token(client)})
    assert response.location == "/"


def test_wrong_password_is_refused_in_vietnamese(web_app):
    response = login(web_app.test_client(), "lan", "wrong password!")
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.get_data(as_text=True)


def test_repeated_failures_bring_delays_then_a_lock(web_app):
    client = web_app.test_client()
    for _ in range(2):
        assert login(client, "lan", "nope nope nope").status_code == 401
    engine = web_app.extensions["vungbuoc"].store.engine
    with engine.connect() as conn:
        assert conn.execute(select(login_throttle.c.retry_after)).scalar() is None
    login(client, "lan", "nope nope nope")  # the third failure sets a delay for the next try
    with engine.begin() as conn:
        row = conn.execute(select(login_throttle)).one()
        assert row.failures == 3 and row.retry_after is not None
        # Hashing is slow enough that the 1-second delay may be over: stretch it.
        conn.execute(update(login_throttle).values(
            retry_after=dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=30)))
    # During the delay even the right password is refused without being checked.
    response = login(client, "lan")
    assert response.status_code == 429 and "Thử lại sau" in response.get_data(as_text=True)
    assert 0 < int(response.headers["Retry-After"]) <= 30
    with engine.begin() as conn:  # let the delay pass
        conn.execute(update(login_throttle).values(retry_after=None))
    login(client, "lan", "nope nope nope")
    with engine.begin() as conn:
        conn.execute(update(login_throttle).values(retry_after=None))
    login(client, "lan", "nope nope nope")  # fifth failure: locked for 15 minutes
    response = login(client, "lan")
    assert response.status_code == 429 and "900" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "900"
    web_app.extensions["officers"].accounts.reset_password("lan", PASSWORD)
    assert login(client, "lan").status_code == 302


def test_success_resets_the_failure_count(web_app):
    client = web_app.test_client()
    for _ in range(2):
        login(client, "lan", "nope nope nope")
    assert login(client, "lan").status_code == 302
    for _ in range(2):
        assert "Thử lại" not in login(client, "lan", "nope nope nope").get_data(as_text=True)


def test_disabling_an_account_ends_its_sessions(web_app, officer):
    web_app.extensions["officers"].accounts.set_active("lan", False)
    assert officer.get("/").status_code == 302
    assert login(web_app.test_client(), "lan").status_code == 401


def test_form_without_csrf_token_is_refused(officer):
    response = officer.post("/profiles/new", data={"case_code": "X-1", "skills": ["welding_smaw"]})
    assert response.status_code == 400
    assert "text/html" in response.content_type
    assert "tải lại trang" in response.get_data(as_text=True)


def test_login_form_without_csrf_token_is_refused(web_app):
    response = web_app.test_client().post("/login", data={"username": "lan", "password": PASSWORD})
    assert response.status_code == 400


def test_json_api_needs_no_csrf_token(officer):
    response = officer.post("/api/v1/matches", json={"profile": {"skills": ["welding_smaw"]}})
    assert response.status_code == 200


def test_session_cookie_flags(settings):
    app = create_app({**settings, "ENVIRONMENT": "production"})
    app.extensions["officers"].accounts.create("lan", PASSWORD, unit=
                                               "Thanh Hóa / Thành phố Sầm Sơn / Phường Trường Sơn")
    client = app.test_client()
    response = client.post("/login", base_url="https://localhost",
                           headers={"Referer": "https://localhost/login"}, data={
        "username": "lan", "password": PASSWORD,
        "csrf_token": csrf_token(client, "https://localhost/login")})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    app.extensions["vungbuoc"].close()


def test_cookie_is_not_secure_in_testing(web_app):
    response = login(web_app.test_client(), "lan")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_officer_cannot_read_the_audit_log(officer):
    assert officer.get("/admin/audit").status_code == 403


def test_admin_without_unit_lands_on_the_audit_log(web_app):
    web_app.extensions["officers"].accounts.create("root", PASSWORD, role="admin")
    client = web_app.test_client()
    assert login(client, "root").status_code == 302
    assert client.get("/").location == "/admin/audit"
    assert client.get("/admin/audit").status_code == 200
