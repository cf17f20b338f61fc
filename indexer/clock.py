"""Time for people: one time zone, Asia/Ho_Chi_Minh, for every date shown or reasoned
about (pages, slips, reports, "today" for validity and follow-ups); UTC in storage."""
import datetime as dt
from zoneinfo import ZoneInfo

PEOPLE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def today():
    """Today's date in Vietnam (7 hours ahead of UTC: not the server's date at night)."""
    return dt.datetime.now(PEOPLE_TZ).date()


def local(value):
    """A stored datetime (aware, or naive UTC as SQLite returns it) in Vietnam's time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(PEOPLE_TZ)
