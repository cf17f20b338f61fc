"""Server-side sessions (finding 2): logout, timeouts, rotation, password change."""
import datetime as dt

from sqlalchemy import select, update

from web_helpers import PASSWORD, csrf_token, login, post_form

NEW_PASSWORD = "bốn con mèo nhảy qua rào"


def _cookie(client):
    return client.get_cookie("session").value


def _replay(web_app, value):
    """A fresh client carrying a captured session cookie."""
    client = web_app.test_client()
    client.set_cookie("session", value)
    return client


def test_a_cookie_captured_before_logout_no_longer_opens_a_profile(web_app, officer, profile_id):
    captured = _cookie(officer)
    assert _replay(web_app, captured).get(f"/profiles/{profile_id}").status_code == 200
    officer.post("/logout", data={"csrf_token": csrf_token(officer, "/")})
    response = _replay(web_app, captured).get(f"/profiles/{profile_id}")
    assert response.status_code == 302 and response.location.startswith("/login")


def _age(web_app, **delta):
    from matcher.models import sessions
    engine = web_app.extensions["vungbuoc"].store.engine
    with engine.begin() as conn:
        for column in ("last_seen_at", "created_at"):
            if column in delta:
                conn.execute(update(sessions).values(
                    {column: dt.datetime.now(dt.timezone.utc) - delta[column]}))


def test_idle_timeout_ends_the_session(web_app, officer):
    assert officer.get("/").status_code == 200
    _age(web_app, last_seen_at=dt.timedelta(minutes=29))
    assert officer.get("/").status_code == 200  # 29 minutes idle: still fine
    _age(web_app, last_seen_at=dt.timedelta(minutes=31))
    assert officer.get("/").status_code == 302


def test_absolute_timeout_ends_an_active_session(web_app, officer):
    _age(web_app, created_at=dt.timedelta(hours=12, minutes=1), last_seen_at=dt.timedelta(0))
    assert officer.get("/").status_code == 302


def test_idle_timeout_is_a_setting(settings):
    from matcher import create_app
    app = create_app({**settings, "TESTING": True, "SESSION_IDLE_MINUTES": 5})
    try:
        assert app.extensions["officers"].accounts.sessions.idle == dt.timedelta(minutes=5)
    finally:
        app.extensions["vungbuoc"].close()


def test_the_session_id_rotates_at_login(web_app):
    client = web_app.test_client()
    login(client, "lan")
    first = _cookie(client)
    login(client, "lan")
    assert _cookie(client) != first
    # The session the browser had before logging in again is over.
    assert _replay(web_app, first).get("/").status_code == 302
    assert client.get("/").status_code == 200
    from matcher.models import sessions
    engine = web_app.extensions["vungbuoc"].store.engine
    with engine.connect() as conn:
        assert len(conn.execute(select(sessions)).all()) == 1


def test_changing_the_password_ends_the_other_sessions(web_app, officer):
    elsewhere = web_app.test_client()
    login(elsewhere, "lan")
    assert elsewhere.get("/").status_code == 200
    response = post_form(officer, "/account/password", {
        "current": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert officer.get("/").status_code == 200      # this browser has a fresh session
    assert elsewhere.get("/").status_code == 302    # the other one is logged out
    assert login(web_app.test_client(), "lan").status_code == 401
    assert login(web_app.test_client(), "lan", NEW_PASSWORD).status_code == 302


def test_a_cli_password_reset_and_disable_end_sessions(web_app, officer):
    accounts = web_app.extensions["officers"].accounts
    accounts.reset_password("lan", NEW_PASSWORD)
    assert officer.get("/").status_code == 302
    login(officer, "lan", NEW_PASSWORD)
    accounts.set_active("lan", False)
    assert officer.get("/").status_code == 302
