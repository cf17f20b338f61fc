"""A real app under gunicorn, with the sample feeds and a CLI-made officer, and Chromium.

Debian's Chromium (/usr/bin/chromium, see tools/install_browser.sh) is driven by
Playwright's Python package; Playwright's own browsers are never downloaded. Without
the browser the tests skip, except under CI=true, where they fail.
"""
import os
import shutil
from pathlib import Path

import pytest

from indexer.cli import sample_feeds
from indexer.service import IndexerService
from indexer.settings import load_settings

from appserver import LiveServer

CHROMIUM = os.environ.get("VUNGBUOC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
OFFICER = ("lan", "mật khẩu thử nghiệm", "Thanh Hóa / Phường Sầm Sơn")
OFFICER_NAME = "Nguyễn Thị Lan"  # printed on referral slips


def _missing(reason):
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def officer_account():
    """(user name, password, unit) of the officer the live server knows."""
    return OFFICER


@pytest.fixture(scope="session")
def live_server(live_app):
    """Base URL of gunicorn serving the app over the sample feeds, with one officer."""
    return live_app.url


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The LiveServer behind ``live_server`` (its ``cli`` runs `matcher` on its data)."""
    data_dir = tmp_path_factory.mktemp("browser") / "var"
    svc = IndexerService.from_settings(load_settings({"DATA_DIR": str(data_dir),
                                                      "SEARCH_BACKEND": "embedded"}))
    report = svc.load_files(sample_feeds())
    svc.close()
    assert report.inserted and report.index_error is None
    server = LiveServer(data_dir, ENVIRONMENT="production")
    username, password, unit = OFFICER
    server.cli("users", "create", username, "--unit", unit, "--name", OFFICER_NAME,
               "--password-stdin", stdin=password + "\n")
    try:
        server.start()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(f"{CHROMIUM} not found (run tools/install_browser.sh as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[test]')")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under test-output/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shoot(page, name):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    return shoot
