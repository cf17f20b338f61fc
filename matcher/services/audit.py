"""The audit log: append-only records of who did what to which profile or referral."""
import datetime as dt
import json

from sqlalchemy import func, select

from ..models import audit_log

ACTIONS = ("profile.view", "profile.create", "profile.update", "profile.delete", "match.run",
           "referral.create", "referral.update", "login", "login.failed", "logout")


class AuditService:
    """Write and read the audit log; there is deliberately no update or delete."""

    def __init__(self, engine):
        self.engine = engine

    def record(self, actor, action, target=None, conn=None, **detail):
        """Append one entry for ``actor`` (a user dict, or None)."""
        assert action in ACTIONS, action
        row = {"at": dt.datetime.now(dt.timezone.utc), "action": action, "target": target,
               "officer_id": actor and actor["id"], "username": actor and actor["username"],
               "unit": actor and actor.get("unit"),
               "detail": json.dumps(detail, ensure_ascii=False) if detail else None}
        if conn is not None:
            conn.execute(audit_log.insert().values(**row))
        else:
            with self.engine.begin() as c:
                c.execute(audit_log.insert().values(**row))

    def page(self, page=1, per_page=50, action=None):
        """One page of entries, newest first, and the total count."""
        query = select(audit_log)
        count = select(func.count()).select_from(audit_log)
        if action:
            query, count = query.where(audit_log.c.action == action), count.where(
                audit_log.c.action == action)
        query = query.order_by(audit_log.c.id.desc()).limit(per_page).offset(
            (page - 1) * per_page)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
            total = conn.execute(count).scalar()
        for row in rows:
            row["detail"] = json.loads(row["detail"]) if row["detail"] else {}
        return rows, total
