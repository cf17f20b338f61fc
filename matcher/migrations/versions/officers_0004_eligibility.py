"""Eligibility (issue #14): several offence categories per profile and the expunged flag.

No table changes: a profile's offence data stays in ``returnee_profiles.offence_enc``,
encrypted with DATA_KEY, now as one JSON object ``{"categories": [...], "expunged":
bool}`` (matcher.services.profiles.seal_offences) instead of one category in plain
text. Data: each existing token is decrypted and sealed again with its single category
as a one-item list, not expunged. Downgrade keeps the first category (the older release
cannot hold more; an expunged profile's categories are kept, since that release cannot
lift them).

Revision ID: officers_0004
Revises: officers_0003
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "officers_0004"
down_revision = "officers_0003"
branch_labels = None
depends_on = None

profiles = sa.table("returnee_profiles", sa.column("id", sa.Integer),
                    sa.column("offence_enc", sa.Text))


def _cipher():
    """The app's DATA_KEY cipher (from the environment or generated into DATA_DIR)."""
    settings = op.get_context().config.attributes.get("settings")
    if settings is None:
        from indexer.settings import load_settings
        settings = load_settings()
    from matcher.services.vault import data_cipher
    return data_cipher(settings)


def _rewrite(convert):
    conn = op.get_bind()
    rows = conn.execute(sa.select(profiles).where(profiles.c.offence_enc.is_not(None))
                        .order_by(profiles.c.id)).all()
    cipher = _cipher() if rows else None
    for row in rows:
        old = cipher.decrypt(row.offence_enc)
        new = convert(old)
        if new != old:
            conn.execute(profiles.update().where(profiles.c.id == row.id).values(
                offence_enc=None if new is None else cipher.encrypt(new)))


def _to_sealed(value):
    if value.startswith("{"):
        return value  # already sealed (written by this release): leave it
    return json.dumps({"categories": [value], "expunged": False})


def _to_single(value):
    if not value.startswith("{"):
        return value
    # Expunged without categories: nothing the older release can read.
    categories = json.loads(value).get("categories") or []
    return categories[0] if categories else None


def upgrade():
    _rewrite(_to_sealed)


def downgrade():
    _rewrite(_to_single)
