"""Steps the browser tests share: logging in, and a logged-in page in a fresh context."""


def log_in(page, base, username, password, lang="vi", lands="/"):
    """Log in through the form (switching to English first for ``lang`` "en") and wait
    for the page the account lands on."""
    page.goto(base + "/login")
    if lang == "en":
        page.get_by_role("button", name="English").click()
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("form button[type=submit]").last.click()  # the others switch language
    page.wait_for_url(base + lands)


def officer_page(browser, base, officer_account, lang="vi", timeout=15000, **context):
    """A page of a new browser context (``context``: Playwright's options), logged in as
    the officer; close it with ``page.context.close()``."""
    page = browser.new_context(**context).new_page()
    page.set_default_timeout(timeout)
    username, password, _ = officer_account
    log_in(page, base, username, password, lang)
    return page
