"""The app server sends the daily digest by itself (as it runs retention): a real gunicorn
with two workers, a real SMTP server on 127.0.0.1, one e-mail per new posting however many
workers wake up."""
import datetime as dt
import json
import time
import urllib.request

import pytest
from sqlalchemy import create_engine, update

from matcher.models import users

from appserver import LiveServer, free_port
from factories import make_posting

pytestmark = pytest.mark.slow
PASSWORD = "mật khẩu thử nghiệm"


@pytest.fixture
def inbox():
    """A real SMTP server (aiosmtpd) on 127.0.0.1; yields (port, messages)."""
    from aiosmtpd.controller import Controller

    class Handler:
        messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8",
                                                                            "replace")))
            return "250 OK"
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, handler.messages
    controller.stop()


def test_the_server_sends_each_digest_once(tmp_path, inbox):
    port, messages = inbox
    srv = LiveServer(tmp_path / "var", workers=2, threads=1, SMTP_HOST="127.0.0.1",
                     SMTP_PORT=port, SMTP_SECURITY="none", DIGEST_EVERY_HOURS="0.001")
    srv.cli("users", "create", "lan", "--unit", "16531", "--password-stdin",
            stdin=PASSWORD + "\n")
    key = srv.cli("partners", "create", "cty-test", "--name", "Công ty TNHH Thử Nghiệm",
                  "--kind", "employer").strip().splitlines()[-1]
    engine = create_engine(f"sqlite:///{srv.data_dir / 'vungbuoc.db'}")
    # Postings the workers' corpus models are fitted on (as in any deployment).
    from indexer.cli import sample_feeds
    from indexer.service import IndexerService
    from indexer.settings import load_settings
    svc = IndexerService.from_settings(load_settings({"DATA_DIR": str(srv.data_dir)}))
    assert svc.load_files(sample_feeds()).index_error is None
    svc.close()
    srv.start()
    try:
        from matcher import create_app
        app = create_app({"DATA_DIR": str(srv.data_dir), "TESTING": True})
        officers = app.extensions["officers"]
        lan = officers.accounts.by_username("lan")
        from matcher.schemas import ProfileSchema
        profile = ProfileSchema().load({"case_code": "DG-1", "skills": ["welding_smaw"],
                                        "location": {"province": "Thanh Hóa",
                                                     "ward": "Phường Sầm Sơn"}})
        officers.profiles.create(lan, profile, {"given_on": dt.date(2026, 1, 5),
                                                "purpose": "employment",
                                                "scope": ["matching"]})
        app.extensions["vungbuoc"].close()
        with engine.begin() as conn:
            conn.execute(update(users).values(email="lan@example.vn", digest_opt_in=True))
        job = make_posting(external_id="DG-J1", title="Thợ hàn cổng sắt")
        job.pop("partner_id")
        request = urllib.request.Request(
            srv.url + "/api/v1/partner/jobs", data=json.dumps(job).encode(), method="POST",
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 201
        deadline = time.monotonic() + 40
        while not messages and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(8)  # two more intervals: nothing new, no second e-mail from any worker
    finally:
        srv.stop()
    assert len(messages) == 1, srv.log_text()[-2000:]
    rcpt, raw = messages[0]
    from email import message_from_string, policy
    body = message_from_string(raw, policy=policy.default).get_content()
    assert rcpt == ["lan@example.vn"] and "DG-1: 1 việc mới" in body
    assert "Thợ hàn cổng sắt" in body
