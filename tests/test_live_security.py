"""Findings 1 and 4 against a real gunicorn with several workers on 127.0.0.1: the login
lockout holds under parallel attempts, rate limits hold across workers, and retention
runs once per interval whichever worker wakes first."""
import concurrent.futures
import datetime as dt
import json
import re
import threading
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import create_engine, select, update

from matcher.models import audit_log, login_throttle, profiles

from appserver import LiveServer

pytestmark = pytest.mark.slow
UNIT = "Thanh Hóa / Phường Sầm Sơn"
PASSWORD = "mật khẩu thử nghiệm"


def _engine(server):
    return create_engine(f"sqlite:///{server.data_dir / 'vungbuoc.db'}")


def _opener():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def _status(opener, request):
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _login_form(server):
    """An opener holding a login page's cookie, and that page's CSRF token."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()),
                                         _NoRedirect())
    with opener.open(server.url + "/login", timeout=30) as response:
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode()).group(1)
    return opener, token


def _post_login(server, opener, token, password, username="lan"):
    body = urllib.parse.urlencode({"username": username, "password": password,
                                   "csrf_token": token}).encode()
    return _status(opener, urllib.request.Request(server.url + "/login", data=body))[0]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for the module; each test uses accounts and keys of its own."""
    srv = LiveServer(tmp_path_factory.mktemp("live") / "var", workers=2, threads=2,
                     LOGIN_IP_RATE_LIMIT="1000/minute", PARTNER_RATE_LIMIT="40 per minute",
                     MATCH_RATE_LIMIT="30 per minute", RETENTION_CHECK_MINUTES="0.05")
    for name in ("lan", "hoa"):
        srv.cli("users", "create", name, "--unit", UNIT, "--password-stdin",
                stdin=PASSWORD + "\n")
    srv.start()
    yield srv
    srv.stop()


def test_parallel_wrong_passwords_cannot_slip_past_the_lockout(server):
    """Finding 1: 25 parallel wrong passwords, then the right one."""
    forms = [_login_form(server) for _ in range(25)]
    barrier = threading.Barrier(len(forms))

    def attempt(form):
        barrier.wait()
        return _post_login(server, *form, "sai mật khẩu rồi nhé")
    with concurrent.futures.ThreadPoolExecutor(len(forms)) as pool:
        codes = list(pool.map(attempt, forms))
    checked = codes.count(401)
    assert set(codes) <= {401, 429} and codes.count(429) >= 10, codes
    with _engine(server).connect() as conn:
        recorded = conn.execute(select(login_throttle.c.failures).where(
            login_throttle.c.username == "lan")).scalar()
    # Every password that was checked was counted; none slipped between check and count.
    assert recorded == checked
    assert checked < 10  # fewer than LOGIN_LOCK_AFTER got as far as the password check
    assert _post_login(server, *_login_form(server), PASSWORD) == 429


def _parallel(n, request_for):
    opener = urllib.request.build_opener()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda i: _status(opener, request_for(i))[0], range(n)))


def test_partner_rate_limit_holds_across_workers(server):
    """Finding 4: 100 requests with one key, 2 workers x 2 threads, 40 per minute."""
    key = server.cli("partners", "create", "cty-a", "--name", "Công ty A", "--kind",
                     "employer").strip().splitlines()[-1]
    codes = _parallel(100, lambda i: urllib.request.Request(
        server.url + "/api/v1/partner/jobs", headers={"Authorization": f"Bearer {key}"}))
    assert codes.count(200) == 40 and codes.count(429) == 60


def test_match_rate_limit_holds_across_workers(server):
    key = server.cli("clients", "create", "ward-tool").strip().splitlines()[-1]
    body = json.dumps({"profile": {"skills": ["hàn que"]}}).encode()
    codes = _parallel(60, lambda i: urllib.request.Request(
        server.url + "/api/v1/matches", data=body, headers={
            "Authorization": f"Bearer {key}", "Content-Type": "application/json"}))
    assert codes.count(200) == 30 and codes.count(429) == 30
    with _engine(server).connect() as conn:
        audited = conn.execute(select(audit_log).where(audit_log.c.action == "match.api")).all()
    assert len(audited) == 30


def test_retention_runs_in_one_worker_per_interval(server):
    """The server erases closed cases past retention by itself, exactly once."""
    engine = _engine(server)
    opener, token = _login_form(server)
    assert _post_login(server, opener, token, PASSWORD, "hoa") == 302
    with opener.open(server.url + "/profiles/new", timeout=30) as response:
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode()).group(1)
    form = urllib.parse.urlencode({
        "csrf_token": token, "case_code": "RET-1", "skills": "welding_smaw",
        "consent_given": "y", "consent_given_on": "2026-01-05", "consent_purpose": "employment",
        "consent_scope": "matching"}).encode()
    assert _status(opener, urllib.request.Request(server.url + "/profiles/new", data=form))[0] \
        == 302
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=400)
    with engine.begin() as conn:
        conn.execute(update(profiles).values(closed_at=old))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if not conn.execute(select(profiles)).all():
                break
        time.sleep(0.5)
    time.sleep(4)  # more intervals pass: nothing more to erase, no second erasure
    with engine.connect() as conn:
        assert conn.execute(select(profiles)).all() == []
        erased = conn.execute(select(audit_log).where(
            audit_log.c.action == "retention.erase")).all()
    assert len(erased) == 1 and erased[0].case_code.startswith("psn:")
