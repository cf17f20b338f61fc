"""Places: Vietnam's administrative units as they are since 2025-07-01, and the old ones.

The one module that wraps the gazetteer. Since 2025-07-01 Vietnam has two levels of
local government: 34 provinces and cities, and 3,321 communes, wards and special zones
(xã, phường, đặc khu) under them; districts are gone. The data comes from the
``vietnamadminunits`` package (official codes of the National Statistics Office, as in
Decision 19/2025/QĐ-TTg, and the centre of every unit; the same codes as the
``vietnam-provinces`` package), which also converts the old three-level addresses.

A location is a province and a ward (this module says "ward" for every commune-level
unit), each by official code and name. ``resolve`` places what a partner, a feed or an
officer sends: current names or codes as they are; old names, or a district, converted
to the current unit with a note saying so; anything else a ``PlaceError`` that names the
field. Names are compared folded (without diacritics, either tone placement), with or
without the type ("Phường", "Xã", "Tỉnh", "Thành phố").
"""
import dataclasses
import importlib.util
import sqlite3
import threading
from functools import lru_cache
from pathlib import Path

from ..text import normalize, tokens

REFORM_DATE = "2025-07-01"
_LOCK = threading.Lock()
# Abbreviations people write for the unit types: "P. Sầm Sơn", "TP Sầm Sơn", "TX Nghi Sơn".
_ABBREVIATIONS = {"p": "phuong", "x": "xa", "tt": "thitran", "tp": "thanhpho", "tx": "thixa",
                  "q": "quan", "h": "huyen"}
_WARD_KINDS = ("Phường", "Xã", "Đặc khu")
_TYPES = ("thanh pho", "tinh", "phuong", "xa", "dac khu", "thi tran", "thi xa", "quan",
          "huyen")


class PlaceError(ValueError):
    """A place that cannot be placed; ``field`` is province, ward or district."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field, self.message = field, message


@dataclasses.dataclass(frozen=True)
class Province:
    """A province or centrally-run city (one of 34)."""

    code: str   # two digits, e.g. "38"
    name: str   # short, as people write it: "Thanh Hóa", "Hà Nội"
    full_name: str  # "Tỉnh Thanh Hóa", "Thành phố Hà Nội"
    lat: float
    lon: float


@dataclasses.dataclass(frozen=True)
class Ward:
    """A commune, ward or special zone (one of 3,321)."""

    code: str   # five digits, e.g. "16531"
    name: str   # "Phường Sầm Sơn"
    kind: str   # "Phường", "Xã" or "Đặc khu"
    province_code: str
    lat: float
    lon: float

    @property
    def province(self):
        """The province the ward belongs to."""
        return province(self.province_code)

    @property
    def label(self):
        """'Phường Sầm Sơn, Thanh Hóa'."""
        return f"{self.name}, {self.province.name}"


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where ``resolve`` placed an input: a province, maybe a ward, and why."""

    province: Province
    ward: Ward | None = None
    lat: float | None = None  # the coordinates to use when the input gave none
    lon: float | None = None
    legacy: str | None = None  # the old address as given, when it was converted
    note: str | None = None    # what was converted (a warning, not an error)

    def as_location(self):
        """The stored form: names and codes of the province and ward."""
        return {"province": self.province.name, "province_code": self.province.code,
                "ward": self.ward.name if self.ward else None,
                "ward_code": self.ward.code if self.ward else None}


def fold(text):
    """A comparison key: folded, lower-case, without spaces or punctuation; the type's
    abbreviation written out ("P. Sầm Sơn" and "phuong sam son" → "phuongsamson")."""
    words = tokens(text or "")
    if len(words) > 1 and words[0] in _ABBREVIATIONS:
        words[0] = _ABBREVIATIONS[words[0]]
    return "".join(words)


def _bare(name, kind):
    """The folded key of an official name without its type ('Phường Sầm Sơn' → 'samson')."""
    return fold(name[len(kind):]) if kind and name.startswith(kind) else fold(name)


def _accented(text):
    """Lower-case NFC with canonical tones, without the type: to break folded ties."""
    words = normalize(text or "").lower().split()
    folded = tokens(text or "")
    for prefix in _TYPES:
        parts = prefix.split()
        if folded[:len(parts)] == parts and len(words) > len(parts):
            return " ".join(words[len(parts):])
    return " ".join(words)


# -- the data ---------------------------------------------------------------------------

def _dataset():
    """Path of the package's SQLite dataset, found without importing the package (its
    import loads the address parsers, ~0.4 s, needed only to convert old addresses)."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the vietnamadminunits package is not installed")
    return Path(spec.submodule_search_locations[0]) / "data" / "dataset.db"


def _query(sql):
    with sqlite3.connect(f"file:{_dataset()}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql)]


@dataclasses.dataclass
class _Tables:
    provinces: dict    # code → Province
    wards: dict        # code → Ward
    by_province: dict  # province code → [Ward] in name order
    province_keys: dict  # folded keyword → province code
    ward_keys: dict    # (province code, folded keyword) → [ward codes]


@lru_cache(maxsize=1)
def _tables():
    rows = _query("SELECT provinceCode, province, provinceShort, provinceLat, provinceLon, "
                  "provinceKeywords, wardCode, ward, wardType, wardLat, wardLon, wardKeywords "
                  "FROM admin_units")
    provinces, wards, by_province, province_keys, ward_keys = {}, {}, {}, {}, {}
    for r in rows:
        pcode = r["provinceCode"]
        if pcode not in provinces:
            provinces[pcode] = Province(pcode, r["provinceShort"], r["province"],
                                        r["provinceLat"], r["provinceLon"])
            for name in (r["province"], r["provinceShort"]):
                province_keys[fold(name)] = pcode
        name = normalize(r["ward"])
        # The type from the name (the dataset's wardType is wrong for a few units).
        kind = next((k for k in _WARD_KINDS if name.startswith(k + " ")), r["wardType"])
        ward = Ward(r["wardCode"], name, kind, pcode, r["wardLat"], r["wardLon"])
        wards[ward.code] = ward
        by_province.setdefault(pcode, []).append(ward)
        for k in {fold(ward.name), _bare(ward.name, ward.kind)}:
            ward_keys.setdefault((pcode, k), []).append(ward.code)
    for items in by_province.values():
        items.sort(key=lambda w: (fold(w.name[len(w.kind):]), w.kind))
    return _Tables(provinces, wards, by_province, province_keys, ward_keys)


def provinces():
    """The 34 provinces and cities, in alphabetical order (folded)."""
    return sorted(_tables().provinces.values(), key=lambda p: fold(p.name))


def province(code):
    """The province of an official code ("38" or 38), or None."""
    return _tables().provinces.get(_code(code, 2))


def wards(province_code=None):
    """The wards of one province (or of all), in alphabetical order."""
    t = _tables()
    if province_code is None:
        return [w for p in provinces() for w in t.by_province[p.code]]
    return list(t.by_province.get(_code(province_code, 2), []))


def ward(code):
    """The ward of an official code ("16531" or 16531), or None."""
    return _tables().wards.get(_code(code, 5))


def _code(code, width):
    if code is None:
        return None
    text = str(code).strip()
    return text.zfill(width) if text.isdigit() else text


def find_province(name):
    """The current province named ``name`` (folded, with or without its type), or None."""
    code = _tables().province_keys.get(fold(name))
    return province(code) if code else None


def find_wards(name, province_code):
    """The current wards of a province named ``name``; several only when ambiguous."""
    t = _tables()
    codes = t.ward_keys.get((province_code, fold(name))) or []
    found = [t.wards[c] for c in dict.fromkeys(codes)]
    if len(found) > 1:  # folded names collide: the marks, then the type decide
        exact = [w for w in found if _accented(w.name) == _accented(name)]
        typed = [w for w in exact or found if fold(w.name) == fold(name)]
        found = typed or exact or found
    return found


def search(query, province_code=None, limit=20):
    """Wards whose folded name contains every word of ``query``, best first.

    For pickers: "sam son" finds Phường Sầm Sơn and Phường Nam Sầm Sơn; a name that
    starts with the query comes first.
    """
    words = tokens(query or "")
    if not words:
        return []
    hits = []
    for w in wards(province_code):
        name = " ".join(tokens(w.name))
        bare = " ".join(tokens(w.name[len(w.kind):]))
        if all(word in name.split() or any(p.startswith(word) for p in name.split())
               for word in words):
            hits.append((not bare.startswith(" ".join(words)), len(bare), bare, w))
    hits.sort(key=lambda h: h[:3])
    return [h[3] for h in hits[:limit]]


# -- placing input ----------------------------------------------------------------------

def resolve(province=None, ward=None, district=None, province_code=None, ward_code=None):
    """Place an input location; returns a Placement, raises PlaceError.

    Codes win over names (a name given with a code must name the same unit). Current
    names are taken as they are. A district, an old province or an old ward is
    converted to the current unit, with a note; the old address is in ``legacy``.
    """
    args = tuple(None if v is None else str(v).strip() or None
                 for v in (province, ward, district, province_code, ward_code))
    return _resolve(*args)


@lru_cache(maxsize=65536)
def _resolve(province_name, ward_name, district, province_code, ward_code):
    if ward_code or province_code:
        return _by_code(province_name, ward_name, district, province_code, ward_code)
    if not province_name:
        if ward_name or district:
            raise PlaceError("province", "Give the province (or the ward_code).")
        raise PlaceError("province", "Missing data for required field.")
    current = find_province(province_name)
    if current and not district:
        if not ward_name:
            return Placement(current)
        found = find_wards(ward_name, current.code)
        if len(found) == 1:
            return Placement(current, found[0], found[0].lat, found[0].lon)
        if len(found) > 1:
            raise PlaceError("ward", f"{ward_name!r} is ambiguous in {current.name}: "
                                     + "; ".join(f"{w.name} ({w.code})" for w in found)
                                     + ". Give the ward_code.")
    from . import legacy
    return legacy.convert(province_name, ward_name, district, current)


def _by_code(province_name, ward_name, district, province_code, ward_code):
    unit = ward(ward_code) if ward_code else None
    if ward_code and unit is None:
        raise PlaceError("ward_code", f"Not the code of a current commune or ward: "
                                      f"{ward_code!r}.")
    prov = province(province_code) if province_code else unit.province
    if prov is None:
        raise PlaceError("province_code", f"Not the code of a current province: "
                                          f"{province_code!r}.")
    if unit is not None and unit.province_code != prov.code:
        raise PlaceError("ward_code", f"{unit.name} ({unit.code}) is not in {prov.name}.")
    if province_name and find_province(province_name) != prov:
        raise PlaceError("province", f"Does not match province_code {prov.code} "
                                     f"({prov.name}).")
    if unit is None and ward_name:
        found = find_wards(ward_name, prov.code)
        if len(found) != 1:
            raise PlaceError("ward", f"Not a current commune or ward of {prov.name}: "
                                     f"{ward_name!r}; give the ward_code.")
        unit = found[0]
    elif ward_name and unit not in find_wards(ward_name, prov.code):
        raise PlaceError("ward", f"Does not match ward_code {unit.code} ({unit.name}).")
    if district:
        raise PlaceError("district", "Districts no longer exist (since 2025-07-01); "
                                     "leave district out when you give codes.")
    return Placement(prov, unit, unit.lat if unit else None, unit.lon if unit else None)


def parse_unit(text):
    """The ward of an officer's unit: a ward code, 'province / ward', or an old
    'province / district / ward'. Returns (Ward, note or None); raises PlaceError."""
    raw = (text or "").strip()
    if raw.isdigit():
        found = ward(raw)
        if found is None:
            raise PlaceError("unit", f"Not the code of a current commune or ward: {raw!r}.")
        return found, None
    parts = [p.strip() for p in raw.replace(",", "/").split("/") if p.strip()]
    if len(parts) == 2:  # both orders: "Thanh Hóa / Phường Sầm Sơn", "Phường Sầm Sơn, Thanh Hóa"
        first_is_province = find_province(parts[0]) is not None and len(
            find_wards(parts[1], find_province(parts[0]).code)) > 0
        prov, name, district = (parts if first_is_province else parts[::-1]) + [None]
    elif len(parts) == 3:
        prov, district, name = parts
        if find_province(prov) is None and find_province(parts[2]) is not None:
            name, district, prov = parts  # "ward, district, province"
    else:
        raise PlaceError("unit", "Give a ward code (e.g. 16531) or 'province / ward' "
                                 "(e.g. 'Thanh Hóa / Phường Sầm Sơn').")
    try:
        placed = resolve(province=prov, ward=name, district=district)
    except PlaceError as exc:
        raise PlaceError("unit", exc.message) from None
    if placed.ward is None:
        raise PlaceError("unit", f"{raw!r} is not a commune or ward"
                                 + (f" ({placed.note})" if placed.note else "."))
    return placed.ward, placed.note


def unit_label(code):
    """'Phường Sầm Sơn, Thanh Hóa' for a unit code; anything else is shown as it is."""
    found = ward(code) if code else None
    return found.label if found else (code or "")


__all__ = ["PlaceError", "Placement", "Province", "Ward", "REFORM_DATE", "fold", "find_province",
           "find_wards", "parse_unit", "province", "provinces", "resolve", "search",
           "unit_label", "ward", "wards"]
