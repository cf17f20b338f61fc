"""The officer's guide walked in Chromium, in Vietnamese and English: a profile, its
matches, a referral, new-posting alerts on the follow-ups page, the dashboard's date range
and its XLSX export opened with openpyxl, the account page, the help page; axe-core finds
no violation on any of them.

With VUNGBUOC_SCREENSHOTS=docs/img (``make screenshots``) the Vietnamese run writes the
guide's screenshots (docs/huong-dan-can-bo.md) there; otherwise under test-output/.
"""
import datetime as dt
import json
import os
import re
import urllib.request
from pathlib import Path

import pytest

from indexer import clock

from browser_pages import log_in, officer_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
TEXT = {
    "vi": {"login": "Đăng nhập", "save": "Lưu và tìm việc", "refer": "Giới thiệu việc này",
           "interviewed": "Đã phỏng vấn", "save_outcome": "Lưu kết quả",
           "followups": "Theo dõi", "dashboard": "Tổng quan", "help": "Hướng dẫn",
           "new_jobs": "Việc làm mới phù hợp", "show": "Xem", "unit_dashboard":
           "Tổng quan của đơn vị", "summary": "Tổng hợp", "referrals": "Giới thiệu",
           "account": "Tài khoản", "saved": "Đã lưu cài đặt.", "skill": "welding_smaw",
           "bad_date": "Ngày kết thúc không được trước ngày bắt đầu."},
    "en": {"login": "Log in", "save": "Save and find matches", "refer": "Refer to this job",
           "interviewed": "Interviewed", "save_outcome": "Save outcome",
           "followups": "Follow-ups", "dashboard": "Dashboard", "help": "Help",
           "new_jobs": "New matching jobs", "show": "Show", "unit_dashboard": "Unit dashboard",
           "summary": "Summary", "referrals": "Referrals", "account": "Account",
           "saved": "Your settings have been saved.", "skill": "welding_smaw",
           "bad_date": "The end must not be before the start."},
}


def _axe(page):
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}:\n{results.generate_report()}"


@pytest.fixture
def shoot(screenshot):
    """A screenshot for the guide (docs/img with VUNGBUOC_SCREENSHOTS) and test-output/."""
    target = os.environ.get("VUNGBUOC_SCREENSHOTS")

    def take(page, lang, name, full_page=False):
        screenshot(page, f"guide-{lang}-{name}")
        if target and lang == "vi":
            folder = ROOT / target
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)
    return take


def _post_job(live_app, external_id, title):
    """A new welding job in Sầm Sơn through the partner API (a key made by the CLI)."""
    partner = "ck-hung-cuong-sam-son"
    key = live_app.cli("partners", "create", partner).strip().splitlines()[-1]
    with open(ROOT / "indexer" / "sample_feeds" / "jobs.jsonl", encoding="utf-8") as feed:
        job = next(json.loads(line) for line in feed if f'"{partner}"' in line)
    job.pop("partner_id", None)
    job.update(external_id=external_id, title=title,
               valid_from=clock.today().isoformat(), valid_through="2099-12-31")
    request = urllib.request.Request(
        f"{live_app.url}/api/v1/partner/jobs", data=json.dumps(job).encode(), method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_officer_guide_flow(live_app, browser, shoot, officer_account, lang, tmp_path):
    from openpyxl import load_workbook
    t, base = TEXT[lang], live_app.url
    context = browser.new_context(locale="vi-VN", viewport={"width": 1100, "height": 860},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(base + "/login")
    if lang == "en":
        page.get_by_role("button", name="English").click()
    _axe(page)
    shoot(page, lang, "01-dang-nhap")
    username, password, _ = officer_account
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("form button[type=submit]", has_text=t["login"]).click()
    page.wait_for_url(base + "/")

    # The profile, with consent (no JavaScript needed for the choices used here).
    page.goto(base + "/profiles/new")
    page.locator("#case_code").fill(f"HD-{lang}")
    skill = page.locator(f"input[name=skills][value={t['skill']}]")
    page.locator(f"details:has(input[value={t['skill']}]) > summary").click()
    skill.check()
    page.locator("#province_code").select_option(label="Thanh Hóa")
    page.locator("#ward").fill("Phường Sầm Sơn")
    page.locator("#max_commute_km").fill("30")
    page.locator("#consent_given").check()
    _axe(page)
    shoot(page, lang, "02-ho-so-moi")
    page.get_by_role("button", name=t["save"]).click()
    page.wait_for_url(re.compile(r".*/profiles/\d+/matches$"))
    profile_url = page.url.rsplit("/", 1)[0]
    _axe(page)
    shoot(page, lang, "03-ket-qua")

    page.locator("li.card[id^=job-]").first.get_by_role("button", name=t["refer"]).click()
    page.wait_for_url(re.compile(r".*/referrals/\d+$"))
    page.get_by_label(t["interviewed"]).check()
    page.get_by_role("button", name=t["save_outcome"]).click()
    _axe(page)
    shoot(page, lang, "04-gioi-thieu")
    page.goto(profile_url + "/support")
    _axe(page)
    shoot(page, lang, "09-chinh-sach-ho-tro")

    # Follow-ups: seen once, then a partner posts a matching job: it is listed.
    page.get_by_role("link", name=t["followups"], exact=True).click()
    title = f"Thợ hàn lan can mới ({lang})"
    _post_job(live_app, f"HD-NEW-{lang}", title)
    page.reload()
    alerts = page.locator("#alerts")
    assert t["new_jobs"] in alerts.inner_text()
    assert f"HD-{lang}" in alerts.inner_text() and title in alerts.inner_text()
    _axe(page)
    shoot(page, lang, "05-theo-doi")

    # The dashboard: a bad range is explained beside the field, a good one is shown.
    page.get_by_role("link", name=t["dashboard"]).click()
    assert page.get_by_role("heading", name=t["unit_dashboard"]).is_visible()
    today = clock.today()
    page.locator("#range-from").fill(today.isoformat())
    page.locator("#range-to").fill((today - dt.timedelta(days=3)).isoformat())
    page.get_by_role("button", name=t["show"], exact=True).click()
    assert page.locator("#range-to-error").inner_text().strip() == t["bad_date"]
    _axe(page)
    start = today.replace(day=1)
    page.locator("#range-from").fill(start.isoformat())
    page.locator("#range-to").fill(today.isoformat())
    page.get_by_role("button", name=t["show"], exact=True).click()
    assert f"from={start.isoformat()}" in page.url
    assert int(page.locator("#fig-referrals").inner_text()) >= 1
    assert int(page.locator("#funnel-interviewed").inner_text()) >= 1
    _axe(page)
    shoot(page, lang, "06-tong-quan")
    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.endswith(".xlsx") and start.strftime("%Y%m%d") in path.name
    book = load_workbook(path)
    rows = {r[0]: r[1] for r in book[t["summary"]].iter_rows(values_only=True) if r[0]}
    assert rows[t["referrals"]] >= 1
    assert rows[{"vi": "Từ ngày", "en": "From"}[lang]] == start.isoformat()

    # The account page: the daily e-mail.
    page.get_by_role("link", name=t["account"]).click()
    page.locator("#email").fill(f"{username}@example.vn")
    page.locator("#digest_opt_in").check()
    page.locator("form button[type=submit]", has_text={"vi": "Lưu", "en": "Save"}[lang]).click()
    assert t["saved"] in page.locator("p.notice").inner_text()
    _axe(page)
    shoot(page, lang, "07-tai-khoan")

    # Help: linked from every page, the guide rendered with its screenshots.
    page.get_by_role("link", name=t["help"], exact=True).click()
    assert page.url.endswith("/help/")
    assert page.get_by_role("heading", name="Hướng dẫn cho cán bộ").is_visible()
    assert page.locator(".guide img").count() >= 5
    _axe(page)
    context.close()


def _officer_saves_a_profile(live_app, browser, officer_account, case_code):
    page = officer_page(browser, live_app.url, officer_account, timeout=20000, locale="vi-VN")
    page.goto(live_app.url + "/profiles/new")
    page.locator("#case_code").fill(case_code)
    page.locator("details:has(input[value=welding_smaw]) > summary").click()
    page.locator("input[name=skills][value=welding_smaw]").check()
    page.locator("#province_code").select_option(label="Thanh Hóa")
    page.locator("#ward").fill("Phường Sầm Sơn")
    page.locator("#consent_given").check()
    page.get_by_role("button", name="Lưu và tìm việc").click()
    page.wait_for_url(re.compile(r".*/profiles/\d+/matches$"))
    page.context.close()


def test_province_dashboard(live_app, browser, shoot, officer_account, tmp_path):
    """A province account: counts per ward, a ward's own figures, a CSV, no case anywhere."""
    import csv
    _officer_saves_a_profile(live_app, browser, officer_account, "TINH-1")
    password = "mật khẩu của tỉnh"
    live_app.cli("users", "create", "tinh.th", "--role", "province", "--unit", "Thanh Hóa",
                 "--password-stdin", stdin=password + "\n")
    context = browser.new_context(locale="vi-VN", viewport={"width": 1100, "height": 860},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    log_in(page, live_app.url, "tinh.th", password, lands="/dashboard")
    assert page.get_by_role("heading", name="Tổng quan của tỉnh").is_visible()
    assert page.get_by_role("link", name="Hồ sơ", exact=True).count() == 0
    page.get_by_role("link", name="Quý này").click()
    table = page.locator("#ward-table")
    assert "Phường Sầm Sơn" in table.inner_text()
    _axe(page)
    shoot(page, "vi", "08-tong-quan-tinh", full_page=True)
    with page.expect_download() as download:
        page.locator("#export-csv").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert any(r[:2] == ["Phường Sầm Sơn, Thanh Hóa", "16531"] for r in rows)
    assert not any(code in cell for code in ("TINH-1", "HD-", "E2E-") for r in rows
                   for cell in r)
    assert "TINH-1" not in page.content()
    table.get_by_role("link", name="Phường Sầm Sơn, Thanh Hóa").click()
    assert "scope=16531" in page.url
    assert "Phường Sầm Sơn, Thanh Hóa" in page.locator("#range-summary").inner_text()
    context.close()
