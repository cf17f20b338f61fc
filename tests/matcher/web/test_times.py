"""Times for people: Asia/Ho_Chi_Minh on every page, one date format per language."""
import datetime as dt
from zoneinfo import ZoneInfo

from flask_babel import force_locale

from indexer import clock
from matcher.web.i18n import fmt_date, fmt_datetime

LATE_UTC = dt.datetime(2026, 12, 1, 20, 30, tzinfo=dt.timezone.utc)  # 03:30 on 2 Dec in Vietnam


def test_stored_utc_times_are_shown_in_vietnam_with_the_date_format_of_the_language(web_app):
    with web_app.test_request_context():
        with force_locale("vi"):
            assert fmt_datetime(LATE_UTC) == f"{fmt_date(dt.date(2026, 12, 2))} 03:30"
            assert fmt_datetime(LATE_UTC.replace(tzinfo=None)) == fmt_datetime(LATE_UTC)
        with force_locale("en"):
            assert fmt_datetime(LATE_UTC) == f"{fmt_date(dt.date(2026, 12, 2))} 03:30"
            assert fmt_date(dt.date(2026, 12, 2)) == "Dec 2, 2026"
            # A stored time shown as a date (a case closed at 03:30 in Vietnam) is Vietnam's day.
            assert fmt_date(LATE_UTC) == fmt_date(LATE_UTC.replace(tzinfo=None)) == "Dec 2, 2026"


def test_today_is_vietnams():
    assert clock.today() == dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    assert clock.local(LATE_UTC).date() == dt.date(2026, 12, 2)
