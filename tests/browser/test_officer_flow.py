"""End to end in Chromium: log in, match, refer, record outcomes, see the dashboard."""
import re

import pytest

from browser_pages import officer_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEXT = {
    "vi": {"login": "Đăng nhập", "save": "Lưu và tìm việc", "have": "Kỹ năng đã có",
           "courses_for": "Khóa học nghề", "refer": "Giới thiệu việc này",
           "interviewed": "Đã phỏng vấn", "hired": "Được tuyển", "save_outcome": "Lưu kết quả",
           "dashboard": "Tổng quan", "unit_dashboard": "Tổng quan của đơn vị",
           "suggestion": "Hàn hồ quang tay (hàn que)", "error": "Mục này bắt buộc.",
           "missing_km": "km"},
    "en": {"login": "Log in", "save": "Save and find matches", "have": "Skills they have",
           "courses_for": "Training courses", "refer": "Refer to this job",
           "interviewed": "Interviewed", "hired": "Hired", "save_outcome": "Save outcome",
           "dashboard": "Dashboard", "unit_dashboard": "Unit dashboard",
           "suggestion": "Manual metal arc welding (SMAW)", "error": "Missing data for required field.",
           "missing_km": "km"},
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_officer_flow(live_server, browser, screenshot, officer_account, lang):
    t = TEXT[lang]
    context = browser.new_context(locale="vi-VN", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    # The strict CSP (no inline script or style) must not block anything the pages use.
    blocked = []
    page.on("console", lambda msg: blocked.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    page.goto(live_server + "/")
    assert page.url.startswith(live_server + "/login")
    if lang == "en":
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == lang
    username, password, _ = officer_account
    page.get_by_label(re.compile("Tên đăng nhập|User name")).fill(username)
    page.locator("#password").fill(password)
    page.locator("form button[type=submit]", has_text=t["login"]).click()
    page.wait_for_url(live_server + "/")

    page.goto(live_server + "/profiles/new")
    # Submitting without a case code keeps the values and explains beside the field.
    page.locator("#experience").fill("Làm thợ hàn 3 năm")
    page.get_by_role("button", name=t["save"]).click()
    assert page.locator("#case_code-error").inner_text().strip() == t["error"]
    assert page.locator("#experience").input_value() == "Làm thợ hàn 3 năm"

    page.locator("#case_code").fill(f"E2E-{lang}")
    # JavaScript asks the server for diacritic-insensitive suggestions.
    page.locator("#skill_add").press_sequentially("han que", delay=30)
    page.wait_for_function(
        "label => [...document.querySelectorAll('#skill-options option')]"
        ".some(o => o.value === label)", arg=t["suggestion"])
    page.locator("#skill_add").fill(t["suggestion"])
    page.locator("#province_code").select_option(label="Thanh Hóa")
    # The ward list: typed without diacritics, narrowed by the server.
    page.locator("#ward").press_sequentially("sam son", delay=30)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#ward-options option')].map(o => o.value)"
        ".join('|') === 'Phường Sầm Sơn|Phường Nam Sầm Sơn'")
    page.locator("#ward").fill("Phường Sầm Sơn")
    page.locator("#max_commute_km").fill("30")
    page.locator("#min_monthly_pay_vnd").fill("6.000.000")
    page.locator("#consent_given").check()
    screenshot(page, f"{lang}-1-profile-form")
    page.get_by_role("button", name=t["save"]).click()
    page.wait_for_url(re.compile(r".*/profiles/\d+/matches$"))

    first_job = page.locator("li.card[id^=job-]").first
    assert t["have"] in first_job.inner_text()
    assert t["suggestion"] in first_job.inner_text()
    assert re.search(r"\d km", first_job.inner_text())
    assert "₫" in page.locator("#jobs-h ~ ol").inner_text()
    assert page.locator("#courses-h").is_visible()
    screenshot(page, f"{lang}-2-matches")

    slip = first_job.locator("a[href*='/slip/']").first.get_attribute("href")
    page.goto(live_server + slip)
    assert page.locator("#print-slip").is_visible()  # shown by app.js: JavaScript ran
    page.go_back()
    first_job = page.locator("li.card[id^=job-]").first
    first_job.get_by_role("button", name=t["refer"]).click()
    page.wait_for_url(re.compile(r".*/referrals/\d+$"))
    page.get_by_label(t["interviewed"]).check()
    page.get_by_role("button", name=t["save_outcome"]).click()
    page.get_by_label(t["hired"], exact=True).check()
    page.get_by_role("button", name=t["save_outcome"]).click()
    assert page.locator("strong.status").inner_text() == t["hired"]
    screenshot(page, f"{lang}-3-referral")

    page.get_by_role("link", name=t["dashboard"]).click()
    assert page.get_by_role("heading", name=t["unit_dashboard"]).is_visible()
    assert int(page.locator("#fig-hired").inner_text()) >= 1
    assert int(page.locator("#fig-referrals").inner_text()) >= 1
    assert page.locator("svg.funnel rect").count() == 5
    screenshot(page, f"{lang}-4-dashboard")
    assert blocked == []
    context.close()


def test_phone_layout_and_no_javascript(live_server, browser, screenshot, officer_account):
    """The form works without JavaScript and fits a phone screen."""
    page = officer_page(browser, live_server, officer_account, java_script_enabled=False,
                        viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(live_server + "/profiles/new")
    page.locator("#case_code").fill("E2E-nojs")
    page.locator("summary", has_text="Nấu ăn").first.click()
    page.locator("input[name=skills][value=vietnamese_cuisine]").check()
    page.locator("#province_code").select_option(label="Nghệ An")
    # Without JavaScript the ward list follows the province after a round trip.
    page.get_by_role("button", name="Hiện các xã, phường của tỉnh này").click()
    assert page.locator("#ward-options option[value='Phường Cửa Lò']").count() == 1
    page.locator("#province_code").select_option(label="Thanh Hóa")
    page.get_by_role("button", name="Hiện các xã, phường của tỉnh này").click()
    assert page.locator("#ward-options option").count() == 166
    page.locator("#ward").fill("nam sam son")  # resolved by the server, diacritics or not
    page.locator("#consent_given").check()
    screenshot(page, "phone-profile-form")
    page.locator("form.profile > button[type=submit]").click()
    page.wait_for_load_state()
    assert re.search(r"/profiles/\d+/matches$", page.url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"page is {width}px wide on a 390px phone"
    screenshot(page, "phone-matches")
    page.context.close()
