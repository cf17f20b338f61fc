"""Officer units and profile locations in the two-level units of 2025-07-01.

An officer's unit was "province / district / ward" of before; it becomes the official
code of the current ward the old one is part of, in officer_users, returnee_profiles,
match_runs and referrals alike, so every officer still sees their unit's profiles and
referrals (now together with those of the old wards merged into the same new one).
Profiles' locations are converted like documents' (the ward's centre when they had no
coordinates). Two profiles of merged wards with the same case code: the later one gets
the old ward's name appended (TS-001 → TS-001-BACSON), in its referrals too. A unit
that cannot be placed is kept as it was (and logged). The audit log is history: its
entries keep the unit names of their time.

Revision ID: officers_0002
Revises: officers_0001
"""
import datetime as dt
import logging
import re

import sqlalchemy as sa
from alembic import op

revision = "officers_0002"
down_revision = "officers_0001"
branch_labels = None
depends_on = None
log = logging.getLogger("alembic.runtime.migration")

users = sa.table("officer_users", sa.column("id", sa.Integer), sa.column("unit", sa.String))
profiles = sa.table("returnee_profiles", sa.column("id", sa.Integer),
                    sa.column("unit", sa.String), sa.column("case_code", sa.String),
                    sa.column("data", sa.JSON),
                    sa.column("updated_at", sa.DateTime(timezone=True)))
match_runs = sa.table("match_runs", sa.column("id", sa.Integer), sa.column("unit", sa.String))
referrals = sa.table("referrals", sa.column("id", sa.Integer), sa.column("unit", sa.String),
                     sa.column("profile_id", sa.Integer), sa.column("case_code", sa.String))


def new_unit(old, cache={}):
    """The current ward code of an old unit name (the name itself if it cannot be placed)."""
    from indexer.places import PlaceError, parse_unit
    if old is None:
        return None
    if old not in cache:
        try:
            cache[old] = parse_unit(old)[0].code
        except PlaceError as exc:
            log.warning("unit %r kept as it is: %s", old, exc.message)
            cache[old] = old
    return cache[old]


def _suffix(old_unit):
    from indexer.text import tokens
    words = tokens(old_unit.split("/")[-1])
    words = words[1:] if words[:1] in (["phuong"], ["xa"]) or words[:2] == ["thi", "tran"] \
        else words
    return "".join(words).upper()[:12] or "OLD"


def convert_profile_location(old):
    from marshmallow import ValidationError

    from indexer.schemas import pop_warnings
    from matcher.schemas import ProfileLocationSchema
    if not old:
        return old
    try:
        new = ProfileLocationSchema().load({k: v for k, v in old.items() if k in (
            "province", "district", "ward", "lat", "lon", "province_code", "ward_code")})
        pop_warnings(new)
        return new
    except ValidationError as exc:
        log.warning("profile location %r: only the province kept (%s)", old, exc.messages)
    try:
        new = ProfileLocationSchema().load({"province": old.get("province"),
                                            "lat": old.get("lat"), "lon": old.get("lon")})
        pop_warnings(new)
        return new
    except ValidationError:
        return {k: v for k, v in old.items() if k != "district"}


def upgrade():
    conn = op.get_bind()
    now = dt.datetime.now(dt.timezone.utc)
    for table in (users, match_runs, referrals):
        for row in conn.execute(sa.select(table.c.id, table.c.unit)).all():
            unit = new_unit(row.unit)
            if unit != row.unit:
                conn.execute(table.update().where(table.c.id == row.id).values(unit=unit))
    rows = conn.execute(sa.select(profiles).order_by(profiles.c.id)).all()
    taken = {(new_unit(r.unit), r.case_code) for r in rows if new_unit(r.unit) == r.unit}
    for row in rows:
        unit, code = new_unit(row.unit), row.case_code
        if unit != row.unit and (unit, code) in taken:
            base = re.sub(r"[^A-Za-z0-9_.-]", "", f"{code}-{_suffix(row.unit)}")[:40]
            code, n = base, 2
            while (unit, code) in taken:
                code, n = f"{base[:37]}-{n}", n + 1
            log.warning("profile %s: case code %s is also used in %s since the merger; "
                        "renamed %s", row.id, row.case_code, unit, code)
            conn.execute(referrals.update().where(referrals.c.profile_id == row.id)
                         .values(case_code=code))
        taken.add((unit, code))
        data = dict(row.data)
        data["location"] = convert_profile_location(data.get("location"))
        data["case_code"] = code if data.get("case_code") else data.get("case_code")
        if (unit, code, data) != (row.unit, row.case_code, row.data):
            conn.execute(profiles.update().where(profiles.c.id == row.id).values(
                unit=unit, case_code=code, data=data, updated_at=now))


def downgrade():
    raise NotImplementedError("the old units cannot be restored; restore the backup")
