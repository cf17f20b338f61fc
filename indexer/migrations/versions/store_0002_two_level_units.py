"""Locations of documents and partners in the two-level units of 2025-07-01.

Every document's location (province / district / ward of before) is loaded again
through today's LocationSchema, as if its partner re-sent it: converted to the current
province and ward with their codes, the old address kept in ``address``, the ward's
centre when there were no coordinates. A changed document gets a new version and an
outbox entry (the index follows). A location that cannot be placed keeps its province
when possible and its old text in the address; no row is dropped.

Revision ID: store_0002
Revises: store_0001
"""
import datetime as dt
import hashlib
import json
import logging

import sqlalchemy as sa
from alembic import op

revision = "store_0002"
down_revision = "store_0001"
branch_labels = None
depends_on = None
log = logging.getLogger("alembic.runtime.migration")

partners = sa.table("partners", sa.column("id", sa.String), sa.column("data", sa.JSON),
                    sa.column("content_hash", sa.String),
                    sa.column("updated_at", sa.DateTime(timezone=True)))
documents = sa.table("documents", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                     sa.column("data", sa.JSON), sa.column("content_hash", sa.String),
                     sa.column("version", sa.Integer),
                     sa.column("updated_at", sa.DateTime(timezone=True)))
outbox = sa.table("outbox", sa.column("kind", sa.String), sa.column("doc_id", sa.Integer),
                  sa.column("version", sa.Integer),
                  sa.column("created_at", sa.DateTime(timezone=True)))


def _hash(data):
    raw = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def convert_location(old):
    """(new location, problem or None) for a stored location of release 0.1."""
    from marshmallow import ValidationError

    from indexer.schemas import LocationSchema, pop_warnings
    old = dict(old or {})
    try:
        new = LocationSchema().load({k: v for k, v in old.items()
                                     if k in ("province", "district", "ward", "address",
                                              "lat", "lon", "province_code", "ward_code")})
        pop_warnings(new)
        return new, None
    except ValidationError as exc:
        problem = json.dumps(exc.messages, ensure_ascii=False)
    text = ", ".join(str(old[k]) for k in ("address", "ward", "district", "province")
                     if old.get(k))
    try:
        new = LocationSchema().load({"province": old.get("province"), "address": text[:600],
                                     "lat": old.get("lat"), "lon": old.get("lon")})
        pop_warnings(new)
        return new, problem
    except ValidationError:
        return {k: v for k, v in old.items() if k != "district"}, problem


def convert_partner(data):
    """A partner's data with its place in the current units (name, code)."""
    from indexer import places
    out = {k: v for k, v in data.items() if k not in ("district",)}
    try:
        placed = places.resolve(province=data.get("province"), ward=data.get("ward"),
                                district=data.get("district"))
        out.update(placed.as_location())
    except places.PlaceError:
        out.update(province_code=None, ward=None, ward_code=None)
    return out


def upgrade():
    conn = op.get_bind()
    now = dt.datetime.now(dt.timezone.utc)
    for row in conn.execute(sa.select(partners.c.id, partners.c.data)).all():
        data = convert_partner(row.data)
        if data != row.data:
            conn.execute(partners.update().where(partners.c.id == row.id).values(
                data=data, content_hash=_hash(data), updated_at=now))
    changed = problems = 0
    rows = [r for r in conn.execute(sa.select(
        documents.c.id, documents.c.kind, documents.c.data, documents.c.version)
        .order_by(documents.c.id)).all() if r.data is not None]  # tombstones: JSON null
    for row in rows:
        location, problem = convert_location(row.data.get("location"))
        if problem:
            problems += 1
            log.warning("document %s: location kept as text, cannot be placed: %s",
                        row.id, problem)
        data = {**row.data, "location": location}
        if data == row.data:
            continue
        changed += 1
        conn.execute(documents.update().where(documents.c.id == row.id).values(
            data=data, content_hash=_hash(data), version=row.version + 1, updated_at=now))
        conn.execute(outbox.insert().values(kind=row.kind, doc_id=row.id,
                                            version=row.version + 1, created_at=now))
    log.info("documents: %d of %d converted to the current units (%d not placed)",
             changed, len(rows), problems)


def downgrade():
    raise NotImplementedError("the old units cannot be restored; restore the backup")
