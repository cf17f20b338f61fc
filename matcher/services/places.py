"""The gazetteer (config/places.json): provinces, districts, wards with coordinates."""
from functools import lru_cache
import json

from indexer.settings import config_path

SEP = " / "


@lru_cache(maxsize=1)
def places():
    """Provinces with their districts and wards, as in config/places.json."""
    with config_path("places.json").open(encoding="utf-8") as fh:
        return json.load(fh)["provinces"]


def find(province, district=None, ward=None):
    """The deepest place named (a dict with name, lat, lon), or None if a name is unknown."""
    prov = next((p for p in places() if p["name"] == province), None)
    if prov is None or not district:
        return prov
    dist = next((d for d in prov.get("districts", []) if d["name"] == district), None)
    if dist is None or not ward:
        return dist
    return next((w for w in dist.get("wards", []) if w["name"] == ward), None)


def unit_key(province, district, ward):
    """The unit name of a ward: 'province / district / ward'."""
    return SEP.join((province, district, ward))


def parse_unit(unit):
    """(province, district, ward) of a unit name; raises ValueError if not a known ward."""
    parts = [p.strip() for p in (unit or "").split("/")]
    if len(parts) != 3 or find(*parts) is None:
        raise ValueError(f"not a ward of config/places.json: {unit!r} "
                         "(use 'province / district / ward')")
    return tuple(parts)
