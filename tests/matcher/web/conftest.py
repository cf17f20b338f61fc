"""Fixtures of the officer web app: an app with a few documents, officers in two units."""
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from factories import NGHI_SON, make_course, make_partner, make_posting  # noqa: E402
from matcher import create_app  # noqa: E402
from web_helpers import (OTHER_UNIT, PASSWORD, PROFILE_FORM, SAM_SON_UNIT,  # noqa: E402
                         login, post_form)


@pytest.fixture
def web_app(settings):
    """The app with CSRF on, a welding job, a far job, a course and three accounts."""
    app = create_app({**settings, "TESTING": True, "LOGIN_DELAY_AFTER": 3,
                      "LOGIN_LOCK_AFTER": 5})
    svc = app.extensions["vungbuoc"]
    svc.save("partners", [make_partner()])
    svc.save("jobs", [make_posting(),
                      make_posting(external_id="J-mig", title="Thợ hàn MIG",
                                   required_skills=["welding_smaw", "welding_mig"]),
                      make_posting(external_id="J-far", title="Thợ hàn ở xa",
                                   location=dict(NGHI_SON), employment_type="seasonal")])
    svc.save("courses", [make_course()])
    svc.sync()
    accounts = app.extensions["officers"].accounts
    accounts.create("lan", PASSWORD, unit=SAM_SON_UNIT)
    accounts.create("minh", PASSWORD, unit=OTHER_UNIT)
    accounts.create("boss", PASSWORD, role="admin", unit=SAM_SON_UNIT)
    yield app
    svc.close()


@pytest.fixture
def officer(web_app):
    """A test client logged in as an officer of the Trường Sơn unit."""
    client = web_app.test_client()
    assert login(client, "lan").status_code == 302
    return client


@pytest.fixture
def other_officer(web_app):
    """A test client logged in as an officer of another ward."""
    client = web_app.test_client()
    assert login(client, "minh").status_code == 302
    return client


@pytest.fixture
def profile_id(officer):
    """A saved profile of the Trường Sơn unit."""
    response = post_form(officer, "/profiles/new", PROFILE_FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/profiles/(\d+)/", response.location).group(1))
