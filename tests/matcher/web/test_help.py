"""Help: a link on every page, the in-app help page with the guide, and `make help`."""
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
HELP_LINK = '<a href="/help/" id="help-link">'


def test_every_page_links_to_help(web_app, officer, profile_id):
    client = web_app.test_client()
    assert HELP_LINK in client.get("/login").get_data(as_text=True)  # before logging in too
    for path in ("/", "/profiles/new", f"/profiles/{profile_id}",
                 f"/profiles/{profile_id}/matches", "/followups", "/dashboard", "/account",
                 "/account/password", "/help/"):
        response = officer.get(path)
        assert response.status_code == 200, path
        assert HELP_LINK in response.get_data(as_text=True), path


def test_help_page_renders_the_guide_and_its_screenshots(officer):
    html = officer.get("/help/").get_data(as_text=True)
    assert "Các bước chính" in html and '<h1 id="huong-dan-cho-can-bo">' in html
    images = re.findall(r'<img alt="[^"]+" src="(img/[^"]+\.png)"', html)
    assert len(images) >= 5
    for src in images:
        response = officer.get("/help/" + src)
        assert response.status_code == 200 and response.mimetype == "image/png", src
        assert (ROOT / "docs" / src).is_file()
    assert officer.get("/help/img/../huong-dan-can-bo.md").status_code == 404


def test_help_in_english_says_the_guide_is_vietnamese(officer):
    from web_helpers import post_form
    post_form(officer, "/language", {"lang": "en", "next": "/help/"}, "/")
    html = officer.get("/help/").get_data(as_text=True)
    assert "The steps in short" in html and "The full guide is in Vietnamese." in html


def test_the_guide_covers_the_officers_workflow():
    guide = (ROOT / "docs" / "huong-dan-can-bo.md").read_text(encoding="utf-8")
    for step in ("Đăng nhập", "sự đồng ý", "vì sao bị ẩn", "Phiếu giới thiệu", "sáu tháng",
                 "Chính sách hỗ trợ", "Tổng quan", "Excel (XLSX)", "Thư điện tử hằng ngày"):
        assert step in guide, step
    for image in re.findall(r"\]\((img/[^)]+)\)", guide):
        assert (ROOT / "docs" / image).is_file(), image


@pytest.mark.skipif(subprocess.run(["which", "make"], capture_output=True).returncode != 0,
                    reason="make is not installed")
def test_make_help_lists_every_documented_target():
    out = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    makefile = (ROOT / "Makefile").read_text()
    documented = re.findall(r"^## .*\n(?:## .*\n)*([a-z-]+):", makefile, re.M)
    assert {"run", "test", "help", "screenshots", "install"} <= set(documented)
    for target in documented:
        assert re.search(rf"^  make {target}\s+\S", out, re.M), target
