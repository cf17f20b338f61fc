"""Casework in Chromium, Vietnamese and English: the slip printed on A4 and A5 with a QR
code that decodes to its number, notes and reasons on referral steps, the support
checklist, confirmations; axe-core finds no violation on these pages."""
import re
import struct
import zlib

import numpy as np
import pytest

from browser_pages import officer_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# PDF page sizes in points (1/72 inch), as Chromium writes them (ISO 216).
A4 = (595.92, 842.88)
A5 = (419.76, 595.92)

TEXT = {
    "vi": {"login": "Đăng nhập", "save": "Lưu và tìm việc", "saved": "Đã lưu hồ sơ E2E-CW-vi.",
           "record": "Ghi nhận giới thiệu và cấp số phiếu", "recorded": "Đã ghi nhận giới thiệu",
           "back": "Quay lại lượt giới thiệu", "interviewed": "Đã phỏng vấn",
           "not_hired": "Không được tuyển", "save_outcome": "Lưu kết quả",
           "reason_needed": "Hãy chọn một lý do.", "reason": "Không đến phỏng vấn",
           "outcome_saved": "Đã lưu kết quả: Không được tuyển.", "support": "Chính sách hỗ trợ",
           "suggested": "Đề xuất", "applied": "Đã nộp hồ sơ", "loan": "Vay vốn ưu đãi",
           "refused": "Bị từ chối", "why_refused": "Hãy ghi lý do bị từ chối.",
           "support_saved": "Đã lưu: Vay vốn ưu đãi (Ngân hàng Chính sách xã hội) — Đã nộp hồ sơ.",
           "slip_title": "PHIẾU GIỚI THIỆU", "contact": "Liên hệ"},
    "en": {"login": "Log in", "save": "Save and find matches", "saved": "Profile E2E-CW-en saved.",
           "record": "Record the referral and number the slip", "recorded": "Referral recorded",
           "back": "Back to the referral", "interviewed": "Interviewed",
           "not_hired": "Not hired", "save_outcome": "Save outcome",
           "reason_needed": "Choose a reason.", "reason": "Did not go to the interview",
           "outcome_saved": "Outcome saved: Not hired.", "support": "Support measures",
           "suggested": "Suggested", "applied": "Applied for", "loan": "Preferential loan",
           "refused": "Refused", "why_refused": "Say why it was refused.",
           "support_saved": "Saved: Preferential loan (Social Policy Bank) — Applied for.",
           "slip_title": "Referral slip", "contact": "Contact"},
}


def png_grey(data):
    """A PNG (8-bit RGB or RGBA, not interlaced: Chromium's screenshots) as a numpy
    array of grey levels, for the QR decoder; no imaging library needed."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows = np.zeros((height, stride), dtype=np.int32)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], np.frombuffer(raw[start + 1:start + 1 + stride], np.uint8)
        line = line.astype(np.int32)
        if kind == 0:
            out = line
        elif kind == 2:
            out = (line + prev) & 255
        else:  # sub (1), average (3), Paeth (4): byte by byte
            out = np.zeros(stride, dtype=np.int32)
            for x in range(stride):
                a = out[x - channels] if x >= channels else 0
                b, c = prev[x], (prev[x - channels] if x >= channels else 0)
                if kind == 1:
                    pred = a
                elif kind == 3:
                    pred = (a + b) // 2
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                out[x] = (line[x] + pred) & 255
        rows[y], prev = out, out
    pixels = rows.reshape(height, width, channels)[:, :, :3]
    return pixels.mean(axis=2).astype(np.uint8)


def page_sizes(pdf):
    """The (width, height) in points of each page of a PDF that Chromium printed."""
    return [(float(w), float(h)) for w, h in re.findall(
        rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)]


def printed(page, name):
    """The page printed to PDF by Chromium at the paper size its CSS asks for; kept
    beside the screenshots (test-output/) for people to look at."""
    from pathlib import Path
    out = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
    pdf = page.pdf(prefer_css_page_size=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.pdf").write_bytes(pdf)
    return pdf


def same_size(found, expected):
    return abs(found[0] - expected[0]) < 2 and abs(found[1] - expected[1]) < 2


def assert_printed_qr(page, reference, mm):
    """The QR code as printed: ``mm`` millimetres wide, whole (it decodes), the number."""
    import zxingcpp
    qr = page.locator("svg.qr")
    box = qr.bounding_box()
    assert abs(box["width"] - mm * 96 / 25.4) < 1.5, box  # CSS px: 96 an inch
    assert [d.text for d in zxingcpp.read_barcodes(png_grey(qr.screenshot()))] == [reference]


def axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page)
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in
            results.response["violations"]]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_slip_outcomes_and_support(live_server, browser, screenshot, officer_account, lang):
    import zxingcpp
    t = TEXT[lang]
    # Twice the pixels: the QR code printed 20 mm wide still has whole pixels a module.
    page = officer_page(browser, live_server, officer_account, lang,
                        viewport={"width": 1100, "height": 900}, device_scale_factor=2)

    # A profile, saved with a confirmation.
    page.goto(live_server + "/profiles/new")
    page.locator("#case_code").fill(f"E2E-CW-{lang}")
    page.locator("#experience").fill("Làm thợ hàn que 3 năm, hàn cửa sắt")
    page.locator("#province_code").select_option(label="Thanh Hóa")
    page.locator("#ward").fill("Phường Sầm Sơn")
    page.locator("#consent_given").check()
    page.get_by_role("button", name=t["save"]).click()
    page.wait_for_url(re.compile(r".*/profiles/(\d+)/matches$"))
    profile_id = re.search(r"/profiles/(\d+)/", page.url).group(1)
    assert page.get_by_role("status").first.inner_text() == t["saved"]

    # The slip of the first job: a preview first, then numbered once the referral is made.
    first_job = page.locator("li.card[id^=job-]").first
    first_job.locator("a[href*='/slip/']").first.click()
    assert page.locator("#slip-ref").count() == 0 and page.locator("svg.qr").count() == 0
    page.locator("#note").fill("Đã hẹn phỏng vấn thứ Hai")
    page.get_by_role("button", name=t["record"]).click()
    page.wait_for_url(re.compile(r".*/referrals/\d+/slip$"))
    assert t["recorded"] in page.get_by_role("status").first.inner_text()
    reference = page.locator("#slip-ref").inner_text()
    assert re.fullmatch(r"16531-20\d\d-\d{4}", reference)
    slip = page.locator("article.slip")
    text = slip.inner_text()
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "ỦY BAN NHÂN DÂN\nPHƯỜNG SẦM SƠN", t["slip_title"], f"E2E-CW-{lang}",
                     t["contact"], "Nguyễn Thị Lan"):
        assert expected in text, expected
    assert "Đã hẹn phỏng vấn" not in text  # the note stays in the file, not on paper
    # The QR code, as the browser draws it, decodes to the slip's number.
    qr = page.locator("svg.qr")
    assert qr.get_attribute("role") == "img"
    decoded = zxingcpp.read_barcodes(png_grey(qr.screenshot()))
    assert [d.text for d in decoded] == [reference]
    assert axe_violations(page) == []
    screenshot(page, f"{lang}-slip-screen")

    # Printed: A4 by default, one page, nothing of the app's chrome.
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()
    assert not page.locator(".slip-tools").is_visible()
    assert page.locator("article.slip").is_visible()
    assert_printed_qr(page, reference, 30)
    screenshot(page, f"{lang}-slip-print-a4")
    sizes = page_sizes(printed(page, f"{lang}-slip-a4"))
    assert len(sizes) == 1 and same_size(sizes[0], A4), sizes
    page.emulate_media(media="screen")
    # A5 chosen on the page, without JavaScript's help.
    page.get_by_role("link", name="A5").click()
    page.wait_for_url(re.compile(r".*/slip\?size=a5$"))
    assert page.locator("article.slip-a5").count() == 1
    page.emulate_media(media="print")
    assert_printed_qr(page, reference, 20)
    screenshot(page, f"{lang}-slip-print-a5")
    sizes = page_sizes(printed(page, f"{lang}-slip-a5"))
    assert len(sizes) == 1 and same_size(sizes[0], A5), sizes
    page.emulate_media(media="screen")
    decoded = zxingcpp.read_barcodes(png_grey(page.locator("svg.qr").screenshot()))
    assert [d.text for d in decoded] == [reference]

    # Outcomes: a step that ends the referral needs its reason; the note typed is kept.
    page.get_by_role("link", name=t["back"]).click()
    page.get_by_role("radio", name=t["interviewed"]).check()
    page.locator("#note").fill("Phỏng vấn lúc 8 giờ")
    page.get_by_role("button", name=t["save_outcome"]).click()
    page.get_by_role("radio", name=t["not_hired"]).check()
    page.locator("#note").fill("Anh ấy ốm, hẹn lại không được")
    page.get_by_role("button", name=t["save_outcome"]).click()
    assert page.locator("#reason-error").inner_text().strip() == t["reason_needed"]
    assert page.locator("#reason").get_attribute("aria-invalid") == "true"
    assert page.locator("#note").input_value() == "Anh ấy ốm, hẹn lại không được"
    assert page.get_by_role("radio", name=t["not_hired"]).is_checked()
    assert axe_violations(page) == []
    screenshot(page, f"{lang}-referral-reason-error")
    page.locator("#reason").select_option(label=t["reason"])
    page.get_by_role("button", name=t["save_outcome"]).click()
    assert page.get_by_role("status").first.inner_text() == t["outcome_saved"]
    history = page.locator("table.history tbody tr")
    assert history.count() == 3
    last = history.nth(2).inner_text()
    assert t["reason"] in last and "Anh ấy ốm" in last and "Nguyễn Thị Lan" in last
    assert "Phỏng vấn lúc 8 giờ" in history.nth(1).inner_text()
    assert "Đã hẹn phỏng vấn thứ Hai" in history.nth(0).inner_text()
    screenshot(page, f"{lang}-referral-history")

    # Support measures: suggested from the profile, recorded with a confirmation.
    page.goto(f"{live_server}/profiles/{profile_id}/support")
    loan = page.locator("#measure-preferential_loan")
    assert t["suggested"] in loan.locator(".badge").inner_text()
    assert not loan.locator("form").is_visible()  # folded until asked for
    loan.locator("summary").click()
    loan.get_by_label(t["refused"]).check()
    loan.get_by_role("button").click()
    loan = page.locator("#measure-preferential_loan")
    assert loan.locator("#preferential_loan-note-error").inner_text().strip() == t["why_refused"]
    assert loan.get_by_label(t["refused"]).is_checked()  # unfolded with the error
    assert axe_violations(page) == []
    loan.get_by_label(t["applied"]).check()
    loan.locator("textarea").fill("Nộp hồ sơ tại phòng giao dịch NHCSXH")
    loan.get_by_role("button").click()
    assert page.get_by_role("status").first.inner_text() == t["support_saved"]
    loan = page.locator("#measure-preferential_loan")
    assert t["applied"] in loan.locator(".badge").inner_text()
    assert "Nộp hồ sơ tại phòng giao dịch NHCSXH" in loan.inner_text()
    assert axe_violations(page) == []
    screenshot(page, f"{lang}-support-checklist")
    page.context.close()


def test_slip_choice_and_outcome_without_javascript(live_server, browser, officer_account):
    """The paper size is a link and the forms post: nothing needs JavaScript."""
    page = officer_page(browser, live_server, officer_account, java_script_enabled=False)
    page.goto(live_server + "/profiles/new")
    page.locator("#case_code").fill("E2E-CW-nojs")
    page.locator("#experience").fill("Phụ hồ, hàn que")
    page.locator("#province_code").select_option(label="Thanh Hóa")
    page.locator("#ward").fill("Phường Sầm Sơn")
    page.locator("#consent_given").check()
    page.locator("form.profile > button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/matches$"))
    page.locator("li.card[id^=job-] a[href*='/slip/']").first.click()
    page.get_by_role("button", name=TEXT["vi"]["record"]).click()
    page.wait_for_url(re.compile(r".*/slip$"))
    assert not page.locator("#print-slip").is_visible()  # the print button needs JavaScript
    page.get_by_role("link", name="A5").click()
    assert page.locator("article.slip-a5 svg.qr").count() == 1
    page.context.close()
