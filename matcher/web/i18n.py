"""Languages: Vietnamese by default, English switchable; labels and number formats."""
import datetime as dt
import re

from flask import session
from flask_babel import Babel, format_currency, format_date, format_decimal, format_time
from flask_babel import format_percent, get_locale, gettext

from indexer import clock, places, vocab
from indexer.taxonomy import default_taxonomy
from indexer.text import tokens

from .messages import ACTION_LABELS, KIND_LABELS, STATUS_LABELS, N_

LANGS = ("vi", "en")
babel = Babel()
_RANGE = re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$")
_MIN = re.compile(r"^Must be greater than or equal to (\S+)\.$")
_LENGTH = re.compile(r"^Length must be between (\d+) and (\d+)\.$")
_MAXLEN = re.compile(r"^Longer than maximum length (\d+)\.$")


def select_locale():
    """The language chosen in this session, Vietnamese otherwise."""
    lang = session.get("lang")
    return lang if lang in LANGS else "vi"


def lang():
    """The current language code."""
    return str(get_locale() or "vi")[:2]


def translate_message(message):
    """A validation message in the current language (messages with numbers included)."""
    for pattern, text in ((_RANGE, N_("Must be between %(a)s and %(b)s.")),
                          (_LENGTH, N_("Must have between %(a)s and %(b)s items or characters."))):
        match = pattern.match(message)
        if match:
            return gettext(text, a=_num(match.group(1)), b=_num(match.group(2)))
    match = _MIN.match(message)
    if match:
        return gettext("Must be at least %(a)s.", a=_num(match.group(1)))
    match = _MAXLEN.match(message)
    if match:
        return gettext("At most %(a)s characters.", a=match.group(1))
    if message.startswith("Must be one of:"):
        return gettext("Choose one of the listed values.")
    return gettext(message)


def _num(raw):
    try:
        return format_decimal(float(raw))
    except ValueError:
        return raw


def vnd(amount):
    """An amount in VND formatted for the current language."""
    return "" if amount is None else format_currency(amount, "VND")


def fmt_date(value):
    """A date (or an ISO date string) in the current language's medium format."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return format_date(value, "medium")


def fmt_datetime(value):
    """A stored (UTC) time in Vietnam's time zone: the language's date format, then HH:mm."""
    if value is None:
        return ""
    value = clock.local(value)
    return f"{format_date(value.date(), 'medium')} {format_time(value, 'HH:mm', rebase=False)}"


def label(vocabulary, code):
    """The label of a vocabulary code in the current language."""
    return vocab.label(vocabulary, code, lang()) if code else ""


def skill_label(skill_id):
    """The label of a skill ID in the current language."""
    return default_taxonomy().label(skill_id, lang())


def sector_label(code):
    """The label of a taxonomy sector in the current language."""
    sector = default_taxonomy().sectors.get(code)
    return sector.get(lang(), code) if sector else gettext("Other")


def _unit_label(code):
    """A ward's label, or a province's name for a province account's unit."""
    from ..services.dashboard import unit_label
    return unit_label(code)


def init_app(app):
    """Install Flask-Babel and the formatting filters."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "vi")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(
        vnd=vnd, num=lambda v: "" if v is None else format_decimal(v),
        pct=lambda v: "—" if v is None else format_percent(v),
        date=fmt_date,
        datetime=fmt_datetime,
        skill=skill_label, sector=sector_label, msg=translate_message,
        unit=_unit_label, folded=lambda v: " ".join(tokens(v or "")))
    app.jinja_env.globals.update(label=label, lang=lang, LANGS=LANGS, status_label=status_label,
                                 action_label=lambda a: gettext(ACTION_LABELS.get(a, a)))


def status_label(code, table="status"):
    """A referral status (or kind, with ``table='kind'``) in the current language."""
    labels = KIND_LABELS if table == "kind" else STATUS_LABELS
    return gettext(labels.get(code, code))
