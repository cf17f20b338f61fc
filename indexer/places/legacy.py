"""Old addresses (before 2025-07-01: 63 provinces, districts, 10,035 communes) to current units.

The old units are looked up by name in the gazetteer's table of former units (their
names, the names they had before the 2023-2025 mergers, folded), so that only a name
that really was a unit is converted; the conversion itself is the gazetteer's
(``vietnamadminunits.convert_address``), given the old unit's full names and no street,
so it never geocodes. An old ward that was split between several new ones goes to the
one the gazetteer names as its main successor, and the note names the others.
"""
import dataclasses
import json
from functools import lru_cache

from . import REFORM_DATE, PlaceError, Placement, _accented, _query, fold, province, ward


@dataclasses.dataclass(frozen=True)
class _Old:
    province_key: str
    district_key: str
    ward_key: str | None
    province: str
    district: str
    ward: str | None
    district_lat: float | None
    district_lon: float | None


@dataclasses.dataclass
class _Legacy:
    provinces: dict   # folded keyword → {old province key}
    districts: dict   # (province key, folded keyword) → {district key}
    wards: dict       # (province key, district key | None, folded keyword) → [_Old]
    districts_of: dict  # (province key, district key) → _Old (district centre)
    new_province: dict  # old province key → current province code
    old_provinces: dict  # current province code → [old province keys]
    names: dict       # old province key → name


def _keywords(raw, *names):
    """The gazetteer's folded keywords of a unit (its names, typed and bare, and former
    names) and ours of its names (the two fold alike but for rare punctuation)."""
    words = set(json.loads(raw) if raw else [])
    return words | {fold(name) for name in names if name}


@lru_cache(maxsize=1)
def _legacy():
    from vietnamadminunits.converter.converter_2025 import DICT_PROVINCE
    current = {r["provinceKey"]: r["provinceCode"] for r in _query(
        "SELECT DISTINCT provinceKey, provinceCode FROM admin_units")}
    new_province, old_provinces = {}, {}
    for new_key, old_keys in DICT_PROVINCE.items():
        for old in old_keys:
            new_province[old] = current[new_key]
            old_provinces.setdefault(current[new_key], []).append(old)
    out = _Legacy({}, {}, {}, {}, new_province, old_provinces, {})
    for r in _query("SELECT * FROM admin_units_legacy"):
        pkey, dkey = r["provinceKey"], r["districtKey"]
        out.names[pkey] = r["provinceShort"] or r["province"]
        for word in _keywords(r["provinceKeywords"], r["province"], r["provinceShort"]):
            out.provinces.setdefault(word, set()).add(pkey)
        if not dkey:
            continue
        for word in _keywords(r["districtKeywords"], r["district"], r["districtShort"]):
            out.districts.setdefault((pkey, word), set()).add(dkey)
        old = _Old(pkey, dkey, r["wardKey"], r["province"], r["district"], r["ward"],
                   r["districtLat"], r["districtLon"])
        out.districts_of.setdefault((pkey, dkey), dataclasses.replace(old, ward_key=None,
                                                                      ward=None))
        if r["wardKey"]:
            for word in _keywords(r["wardKeywords"], r["ward"], r["wardShort"]):
                for where in ((pkey, dkey, word), (pkey, None, word)):
                    found = out.wards.setdefault(where, [])
                    if old not in found:
                        found.append(old)
    return out


def _lookup(table, keys, name):
    hits = []
    for k in keys:
        for item in table.get((*k, fold(name)), ()):
            if item not in hits:
                hits.append(item)
    return hits


def _one(hits, name, field, where):
    if len(hits) > 1:
        exact = [h for h in hits if _accented(h.ward) == _accented(name)]
        hits = exact if len(exact) == 1 else hits
    if len(hits) > 1:
        raise PlaceError(field, f"{name!r} was the name of several communes or wards of "
                                f"{where} before {REFORM_DATE}: "
                                + "; ".join(f"{h.ward} ({h.district})" for h in hits)
                                + ". Give the district, or the current ward.")
    return hits[0] if hits else None


def convert(province_name, ward_name, district, current):
    """Place an old (or partly old) address; see ``indexer.places.resolve``."""
    data = _legacy()
    legacy = ", ".join(p for p in (ward_name, district, province_name) if p)
    old_keys = sorted(data.provinces.get(fold(province_name), ()))
    if current is not None:
        # A current province's name: look among the provinces merged into it.
        old_keys = sorted(set(old_keys) | set(data.old_provinces.get(current.code, [])))
    if not old_keys:
        raise PlaceError("province", f"Not a province or city of Vietnam: {province_name!r}.")
    new = current or province(data.new_province[old_keys[0]])
    where = " / ".join(dict.fromkeys(data.names[k] for k in old_keys))
    if district:
        dkeys = [(p, d) for p in old_keys
                 for d in sorted(data.districts.get((p, fold(district)), ()))]
        if not dkeys:
            raise PlaceError("district", f"Not a district of {where} before {REFORM_DATE}: "
                                         f"{district!r}. Districts no longer exist; give the "
                                         "current commune or ward instead.")
        if not ward_name:
            centre = data.districts_of[dkeys[0]]
            return Placement(new, None, centre.district_lat, centre.district_lon, legacy,
                             f"Districts no longer exist since {REFORM_DATE}: {legacy!r} is "
                             f"placed in {new.name} at the former district's centre; give "
                             "the commune or ward to place it exactly.")
        old = _one(_lookup(data.wards, dkeys, ward_name), ward_name, "ward",
                   f"{centre_name(data, dkeys[0])}")
        if old is None:
            raise PlaceError("ward", f"Not a commune or ward of {centre_name(data, dkeys[0])}"
                                     f" before {REFORM_DATE}, nor a current one of "
                                     f"{new.name}: {ward_name!r}.")
    elif ward_name:
        old = _one(_lookup(data.wards, [(p, None) for p in old_keys], ward_name), ward_name,
                   "ward", where)
        if old is None:
            raise PlaceError("ward", f"Not a commune or ward of {new.name}, neither a current "
                                     f"one nor a former one (before {REFORM_DATE}): "
                                     f"{ward_name!r}.")
    else:
        return Placement(new, None, None, None, legacy,
                         f"{province_name!r} is part of {new.name} since {REFORM_DATE}.")
    return _converted(old, legacy)


def centre_name(data, dkey):
    """'Thành phố Sầm Sơn, Thanh Hóa' of a (province key, district key)."""
    return f"{data.districts_of[dkey].district}, {data.names[dkey[0]]}"


@lru_cache(maxsize=4096)
def _converted(old, legacy):
    from vietnamadminunits import convert_address
    from vietnamadminunits.converter.converter_2025 import DICT_PROVINCE_WARD_DIVIDED
    new = convert_address(f"{old.ward}, {old.district}, {old.province}")
    unit = ward(new.ward_code) if new.ward_code else None
    if unit is None:
        raise PlaceError("ward", f"{legacy!r} has no current commune or ward in the "
                                 "gazetteer; give the current one.")
    note = (f"Converted to the units in force since {REFORM_DATE}: {legacy!r} is now "
            f"{unit.label} ({unit.code}).")
    key = f"{old.province_key}_{old.district_key}_{old.ward_key}"
    split = DICT_PROVINCE_WARD_DIVIDED.get(new.province_key, {}).get(key, [])
    others = [w["newWardKey"] for w in split if not w["isDefaultNewWard"]]
    if others:
        names = [w.name for w in (_by_key(unit.province_code, k) for k in others) if w]
        note += (f" {old.ward} was split: parts of it are now in {', '.join(names)}; "
                 "check the address.")
    return Placement(unit.province, unit, unit.lat, unit.lon, legacy, note)


def _by_key(province_code, ward_key):
    rows = _query(f"SELECT wardCode FROM admin_units WHERE provinceCode = '{province_code}' "
                  f"AND wardKey = '{ward_key.replace(chr(39), '')}'")
    return ward(rows[0]["wardCode"]) if rows else None
