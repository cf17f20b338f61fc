"""Issue #14 in Chromium, Vietnamese and English: values kept on an error, the occupation
picker (with JavaScript, and without), why jobs are hidden and what one licence would
open, fair-chance commitments; axe-core finds no violation on any of these pages."""
import re

import pytest

from browser_pages import officer_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEXT = {
    "vi": {"save": "Lưu và tìm việc", "find": "Tìm nghề", "number": "Không phải là số hợp lệ.",
           "licence_reason": "việc cần bằng/chứng chỉ người này chưa có",
           "car": "việc cần Bằng lái ô tô hạng B", "show": "Xem các việc bị ẩn và lý do",
           "needs": "Cần: Bằng lái ô tô hạng B", "fair": "Cam kết cơ hội công bằng",
           "filter": "Lọc", "car_driving": "Lái xe ô tô con",
           "occupation": "Lái xe ô tô con, taxi, xe van", "tailor": "Thợ may đo",
           "welder": "Thợ hàn và cắt kim loại", "choices": "Các nghề khớp với"},
    "en": {"save": "Save and find matches", "find": "Find occupation", "number": "Not a valid number.",
           "licence_reason": "jobs need a licence the person lacks",
           "car": "jobs need Car licence B", "show": "Show the hidden jobs and why",
           "needs": "Needs: Car licence B", "fair": "Fair-chance commitments",
           "filter": "Filter", "car_driving": "Car driving",
           "occupation": "Car, taxi and van drivers", "tailor": "Tailors, dressmakers, furriers and hatters",
           "welder": "Welders and flame cutters", "choices": "Occupations matching"},
}


def _axe(page):
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}:\n{results.generate_report()}"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_why_not_picker_and_kept_values(live_server, browser, screenshot, officer_account, lang):
    t = TEXT[lang]
    page = officer_page(browser, live_server, officer_account, lang, locale="vi-VN",
                        viewport={"width": 1100, "height": 900})

    page.goto(live_server + "/profiles/new")
    page.locator("#case_code").fill(f"WN-{lang}")
    # The occupation search lists the choices of a name with several answers.
    page.locator("#occupation_add").fill("tho may")
    page.get_by_role("button", name=t["find"]).click()
    assert t["choices"] in page.locator("#occupation-choices").inner_text()
    _axe(page)
    page.locator("#skill_add").fill("lai xe o to con")  # typed without accents
    page.locator("#occupation_add").fill("lai xe o to con")
    page.locator("#province_code").select_option(label="Thanh Hóa")
    page.locator("#ward").fill("Phường Sầm Sơn")
    page.locator("#max_commute_km").fill("xa lắm")  # the error elsewhere on the form
    page.locator("#consent_given").check()
    page.get_by_role("button", name=t["save"]).click()
    assert page.locator("#max_commute_km-error").inner_text().strip() == t["number"]
    # Nothing typed is lost: the skill and the occupation come back recognised.
    assert page.locator("input[name=skills][value=car_driving]").is_checked()
    chosen = page.locator("#occupations-chosen")
    assert t["occupation"] in chosen.inner_text() and "8322" not in chosen.inner_text()
    _axe(page)
    screenshot(page, f"{lang}-eligibility-1-kept")
    page.locator("#max_commute_km").fill("30")
    page.locator("#consent_given").check()
    page.get_by_role("button", name=t["save"]).click()
    page.wait_for_url(re.compile(r".*/profiles/\d+/matches$"))

    # Why not: counts per reason, and what one licence would open.
    reasons = page.locator("#hidden-reasons").inner_text()
    assert t["licence_reason"] in reasons
    assert re.search(r"\d+ " + re.escape(t["car"]), page.locator("#hidden-licences").inner_text())
    _axe(page)
    page.get_by_role("link", name=t["show"]).click()
    page.wait_for_url(re.compile(r".*why_not=1.*"))
    assert t["needs"] in page.locator("#hidden-list").inner_text()
    _axe(page)
    screenshot(page, f"{lang}-eligibility-2-why-not")

    # Fair chance: the filter keeps the employers that made commitments, shown on cards.
    page.locator("#fair_chance").check()
    page.get_by_role("button", name=t["filter"], exact=True).click()
    page.wait_for_url(re.compile(r".*fair_chance=1.*"))
    cards = page.locator("li.card[id^=job-]")
    assert cards.count() >= 1
    for i in range(cards.count()):
        assert t["fair"] in cards.nth(i).inner_text()
    _axe(page)

    # The profile page shows the skill as recognised, by its label.
    page.get_by_role("link", name=re.compile("Hồ sơ và giới thiệu|Profile and referrals")).click()
    facts = page.locator("dl.facts").inner_text()
    assert t["car_driving"] in facts and "lai xe o to con" not in facts
    assert t["occupation"] in facts
    _axe(page)
    page.context.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_occupation_picker_without_javascript(live_server, browser, screenshot, officer_account,
                                              lang):
    t = TEXT[lang]
    page = officer_page(browser, live_server, officer_account, lang, java_script_enabled=False,
                        viewport={"width": 1000, "height": 900})
    page.goto(live_server + "/profiles/new")
    page.locator("#case_code").fill(f"NJ-{lang}")
    page.locator("#experience").fill("May quần áo 5 năm")
    # A name that resolves: the search shows it chosen at once.
    page.locator("#occupation_add").fill("tho han")
    page.get_by_role("button", name=t["find"]).click()
    assert t["welder"] in page.locator("#occupations-chosen").inner_text()
    assert page.locator("#occupation_add").input_value() == ""
    # A name with several answers: the choices are listed, one is ticked.
    page.locator("#occupation_add").fill("tho may")
    page.get_by_role("button", name=t["find"]).click()
    assert t["choices"] in page.locator("#occupation-choices").inner_text()
    screenshot(page, f"{lang}-eligibility-3-picker-nojs")  # axe needs JavaScript: see above
    page.locator("#occupation-choices").get_by_label(t["tailor"]).check()
    page.locator("#consent_given").check()
    page.get_by_role("button", name=t["save"]).click()
    page.wait_for_load_state()
    assert re.search(r"/profiles/\d+/matches$", page.url)
    page.get_by_role("link", name=re.compile("Hồ sơ và giới thiệu|Profile and referrals")).click()
    facts = page.locator("dl.facts").inner_text()
    assert t["welder"] in facts and t["tailor"] in facts
    page.context.close()
