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


def test_every_marked_string_is_in_the_catalog():
    """Strings added to templates or messages.py reach the catalog (pybabel extract/update)."""
    from babel.messages.extract import extract_from_dir
    root = Path(matcher.__file__).parent.parent
    method_map = [("matcher/web/**.py", "python"), ("matcher/templates/**.html", "jinja2")]
    found = {msg[2] if isinstance(msg[2], str) else msg[2][0]
             for msg in extract_from_dir(str(root), method_map, keywords={
                 "_": None, "gettext": None, "ngettext": (1, 2), "N_": None})}
    with open(CATALOG / "messages.po", "rb") as fh:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    assert sorted(found - known) == []
