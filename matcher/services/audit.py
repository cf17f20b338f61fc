"""The audit log: append-only, hash-chained records of who did what, from where.

Each row carries ``prev_hash`` (the previous row's hash) and ``row_hash``, an HMAC with
AUDIT_KEY over the previous hash and the row's fields, so ``verify`` finds a changed,
inserted or removed row even if someone with database access dropped the triggers. The
case code is hashed as its keyed pseudonym: when a profile is deleted its rows keep the
pseudonym instead of the code (the one change the triggers allow) and the chain still
holds.
"""
import contextvars
import datetime as dt
import hashlib
import hmac
import json

from sqlalchemy import func, select, text, update

from ..models import AUDIT_GENESIS as GENESIS
from ..models import AUDIT_TRIGGERS, PSEUDONYM_PREFIX, audit_head, audit_log
from .vault import pseudonym

ACTIONS = ("profile.view", "profile.create", "profile.update", "profile.delete",
           "profile.export", "profile.close", "profile.reopen", "consent.record",
           "consent.withdraw",
           "match.run", "match.api", "slip.view", "referral.create", "referral.update",
           "support.update", "access.denied", "login", "login.failed", "logout",
           "password.change", "retention.erase", "report.export", "account.update",
           "digest.send")
# (client IP, user agent) of the request being served; set by the app for each request.
request_info = contextvars.ContextVar("audit_request_info", default=(None, None))


def _utc_iso(value):
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


def chain_hash(key, prev, row):
    """The ``row_hash`` of an audit row (a mapping of its columns) after ``prev``."""
    code = row["case_code"]
    if code is not None and not code.startswith(PSEUDONYM_PREFIX):
        code = pseudonym(key, row["target"], code)
    fields = [row["seq"], _utc_iso(row["at"]), row["officer_id"], row["username"],
              row["unit"], row["action"], row["target"], code, row["ip"],
              row["user_agent"], row["detail"]]
    message = prev.encode() + b"\n" + json.dumps(fields, ensure_ascii=False).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class AuditService:
    """Append to, read and verify the audit log; there is no update or delete."""

    def __init__(self, engine, key):
        self.engine, self.key = engine, key

    # -- writing ----------------------------------------------------------------------

    def record(self, actor, action, target=None, conn=None, case_code=None, **detail):
        """Append one entry for ``actor`` (a user dict, a client dict, or None)."""
        assert action in ACTIONS, action
        ip, agent = request_info.get()
        officer = actor if actor and "role" in actor else None  # clients have no role
        row = {"at": dt.datetime.now(dt.timezone.utc), "action": action, "target": target,
               "officer_id": officer and officer["id"],
               "username": actor and actor.get("username"),
               "unit": actor and actor.get("unit"), "case_code": case_code,
               "ip": ip, "user_agent": agent,
               "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True)
               if detail else None}
        if conn is not None:
            self._append(conn, row)
        else:
            with self.engine.begin() as c:
                self._append(c, row)

    def _append(self, conn, row):
        # Moving the head first takes the lock that orders concurrent appends.
        seq, prev = conn.execute(update(audit_head).where(audit_head.c.id == 1).values(
            seq=audit_head.c.seq + 1).returning(audit_head.c.seq, audit_head.c.row_hash)).one()
        row_hash = self._hash(prev, {**row, "seq": seq})
        conn.execute(update(audit_head).where(audit_head.c.id == 1).values(row_hash=row_hash))
        conn.execute(audit_log.insert().values(seq=seq, prev_hash=prev, row_hash=row_hash, **row))

    def _hash(self, prev, row):
        return chain_hash(self.key, prev, row)

    def pseudonymise(self, conn, target, case_code):
        """Replace ``case_code`` by its pseudonym in the rows about ``target``."""
        conn.execute(update(audit_log).where(
            audit_log.c.target == target, audit_log.c.case_code == case_code).values(
            case_code=pseudonym(self.key, target, case_code)))

    # -- reading ----------------------------------------------------------------------

    def page(self, page=1, per_page=50, action=None):
        """One page of entries, newest first, and the total count."""
        query = select(audit_log)
        count = select(func.count()).select_from(audit_log)
        if action:
            query, count = query.where(audit_log.c.action == action), count.where(
                audit_log.c.action == action)
        query = query.order_by(audit_log.c.seq.desc()).limit(per_page).offset(
            (page - 1) * per_page)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
            total = conn.execute(count).scalar()
        for row in rows:
            row["detail"] = json.loads(row["detail"]) if row["detail"] else {}
        return rows, total

    def about(self, target):
        """Every entry about ``target`` (e.g. ``profile:12``), oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(audit_log).where(audit_log.c.target == target)
                                .order_by(audit_log.c.seq)).all()
        return [dict(r._mapping) for r in rows]

    # -- checking ---------------------------------------------------------------------

    def verify(self):
        """(rows checked, head hash, problems): every problem is one line of text."""
        problems, prev, expected = [], GENESIS, 1
        with self.engine.connect() as conn:
            head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).first()
            rows = conn.execute(select(audit_log).order_by(audit_log.c.seq, audit_log.c.id))
            count = 0
            for r in rows:
                row = dict(r._mapping)
                count += 1
                if row["seq"] != expected:
                    problems.append(f"row {row['id']}: seq {row['seq']} where {expected} was "
                                    f"expected (rows {expected}..{row['seq'] - 1} removed?)")
                if row["prev_hash"] != prev:
                    problems.append(f"row {row['id']} (seq {row['seq']}): does not follow the "
                                    "previous row (a row was removed or inserted before it)")
                if not hmac.compare_digest(self._hash(row["prev_hash"], row), row["row_hash"]):
                    problems.append(f"row {row['id']} (seq {row['seq']}): its hash does not "
                                    "match its fields (changed, or inserted without the key)")
                prev, expected = row["row_hash"], row["seq"] + 1
            missing = self._missing_triggers(conn)
        if head is None:
            problems.append("the chain head (audit_head) is missing")
        elif head.seq != expected - 1 or head.row_hash != prev:
            problems.append(f"the chain head says {head.seq} rows but the log ends at "
                            f"{expected - 1}: rows were removed from the end, or added")
        problems += [f"trigger {name} is missing: the log is not protected against "
                     "changes" for name in missing]
        return count, prev, problems

    def _missing_triggers(self, conn):
        dialect = self.engine.dialect.name
        if dialect == "sqlite":
            have = {r[0] for r in conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
        elif dialect == "postgresql":
            have = {r[0] for r in conn.execute(text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass"))}
        else:
            return []
        return [name for name in AUDIT_TRIGGERS[dialect] if name not in have]

