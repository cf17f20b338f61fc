"""Every UI string has a Vietnamese translation, and the compiled catalog is current."""
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import matcher

CATALOG = Path(matcher.__file__).parent / "translations" / "vi" / "LC_MESSAGES"


def test_every_message_is_translated():
    with open(CATALOG / "messages.po", "rb") as fh:
        catalog = read_po(fh)
    untranslated = [m.id for m in catalog if m.id and (
        not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy)]
    assert untranslated == []


def _pairs(catalog):
    def key(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value
    return {key(m.id): key(m.string) for m in catalog if m.id}


def test_compiled_catalog_matches_the_po_file():
    with open(CATALOG / "messages.po", "rb") as fh:
        po = _pairs(read_po(fh))
    with open(CATALOG / "messages.mo", "rb") as fh:
        mo = _pairs(read_mo(fh))
    assert po == mo, "run: pybabel compile -d matcher/translations"
