"""Password rules and the change-password page (finding 8)."""
import pytest
from click.testing import CliRunner

from indexer.errors import InvalidDocument
from matcher.cli import main as matcher_cli

from web_helpers import PASSWORD, SAM_SON_UNIT, post_form

NEW = "bốn con mèo nhảy qua rào"


@pytest.mark.parametrize("password,rule", [
    ("aaaaaaaaaa", "guessable"), ("short", "short"), ("password123", "common"),
    ("qwertyuiop", "common"), ("1234567890", "common"), ("iloveyou2026", "common"),
    ("tuan-the-officer", "username"), ("x" * 201, "long"),
])
def test_weak_passwords_are_refused(web_app, password, rule):
    with pytest.raises(InvalidDocument):
        web_app.extensions["officers"].accounts.create("tuan", password, unit=SAM_SON_UNIT)
    from matcher.services import passwords
    assert [r for r, _ in passwords.problems(password, "tuan")] == [rule]


@pytest.mark.parametrize("password", [PASSWORD, NEW, "Thanhhoa-ven-bien-2026"])
def test_good_passwords_are_accepted(password):
    from matcher.services import passwords
    assert passwords.problems(password, "lan") == []


def test_the_cli_refuses_a_weak_password(settings, monkeypatch):
    monkeypatch.setenv("VUNGBUOC_DATA_DIR", settings["DATA_DIR"])
    result = CliRunner().invoke(matcher_cli, ["users", "create", "hoa", "--unit", SAM_SON_UNIT,
                                              "--password-stdin"], input="aaaaaaaaaa\n")
    assert result.exit_code == 1 and "easy to guess" in result.output


def test_change_password_page_in_vietnamese(officer):
    page = officer.get("/account/password").get_data(as_text=True)
    assert "Đổi mật khẩu" in page and 'autocomplete="new-password"' in page
    weak = post_form(officer, "/account/password", {
        "current": PASSWORD, "new_password": "aaaaaaaaaa", "confirm": "aaaaaaaaaa"})
    assert weak.status_code == 422 and "quá dễ đoán" in weak.get_data(as_text=True)
    wrong = post_form(officer, "/account/password", {
        "current": "not my password", "new_password": NEW, "confirm": NEW})
    assert wrong.status_code == 401 and "không phải mật khẩu hiện tại" in wrong.get_data(
        as_text=True)
    differ = post_form(officer, "/account/password", {
        "current": PASSWORD, "new_password": NEW, "confirm": NEW + "!"})
    assert differ.status_code == 422
    done = post_form(officer, "/account/password", {
        "current": PASSWORD, "new_password": NEW, "confirm": NEW})
    assert done.status_code == 302
    assert "Đã đổi mật khẩu" in officer.get(done.location).get_data(as_text=True)


def test_change_password_page_in_english(officer):
    post_form(officer, "/language", {"lang": "en", "next": "/account/password"}, "/")
    page = officer.get("/account/password").get_data(as_text=True)
    assert "Change password" in page
    weak = post_form(officer, "/account/password", {
        "current": PASSWORD, "new_password": "password123", "confirm": "password123"})
    assert "too common" in weak.get_data(as_text=True)
