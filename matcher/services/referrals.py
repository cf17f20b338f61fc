"""Referrals of a profile to a job or course, and their outcomes through allowed steps."""
import datetime as dt

from sqlalchemy import func, select

from indexer import clock

from ..models import profiles, referral_events, referrals
from .errors import NotFound, TransitionError

# status → the statuses it may move to.
TRANSITIONS = {
    "job": {"referred": ("interviewed", "not_hired"),
            "interviewed": ("hired", "not_hired"),
            "hired": ("employed_3m", "left"),
            "employed_3m": ("employed_6m", "left")},
    "course": {"referred": ("enrolled", "dropped"),
               "enrolled": ("completed", "dropped")},
}
STATUSES = ("referred", "interviewed", "hired", "not_hired", "employed_3m", "employed_6m",
            "left", "enrolled", "completed", "dropped")
# Days after hiring before the 3- and 6-month retention can be recorded (and is due).
RETENTION_DAYS = {"employed_3m": 90, "employed_6m": 182}
# Days until the next check of a referral waiting for an interview or an enrolment.
CHECK_DAYS = 14
STORE_KIND = {"job": "jobs", "course": "courses"}


def _now():
    return dt.datetime.now(dt.timezone.utc)


def next_check(kind, status, on, hired_on=None, duration_weeks=None):
    """When a referral in ``status`` (reached ``on``) should next be checked; None if done."""
    if status not in TRANSITIONS[kind]:
        return None
    if status == "hired":
        return hired_on + dt.timedelta(days=RETENTION_DAYS["employed_3m"])
    if status == "employed_3m":
        return hired_on + dt.timedelta(days=RETENTION_DAYS["employed_6m"])
    if status == "enrolled":
        return on + dt.timedelta(weeks=duration_weeks or 12)
    return on + dt.timedelta(days=CHECK_DAYS)


class ReferralService:
    """Record referrals and their outcomes inside the officer's unit."""

    def __init__(self, engine, indexer, audit):
        self.engine, self.indexer, self.audit = engine, indexer, audit

    def create(self, actor, profile_id, kind, doc_id, today=None):
        """Refer a profile of the actor's unit to a live job or course."""
        today = today or clock.today()
        if kind not in TRANSITIONS:
            raise NotFound(kind)
        doc = self.indexer.store.get_document(STORE_KIND[kind], doc_id)
        partner = self.indexer.store.partner_names([doc["partner_id"]]).get(doc["partner_id"])
        now = _now()
        with self.engine.begin() as conn:
            profile = conn.execute(select(profiles.c.id, profiles.c.case_code).where(
                profiles.c.id == profile_id, profiles.c.unit == actor["unit"])).first()
            if profile is None:
                raise NotFound(f"profile {profile_id}")
            referral_id = conn.execute(referrals.insert().values(
                unit=actor["unit"], profile_id=profile_id, case_code=profile.case_code,
                kind=kind, doc_id=doc_id, title=doc["data"]["title"][:200], partner=partner,
                status="referred", next_check_on=next_check(kind, "referred", today),
                created_by=actor["id"], created_at=now, updated_at=now)).inserted_primary_key[0]
            conn.execute(referral_events.insert().values(
                referral_id=referral_id, status="referred", on=today, officer_id=actor["id"],
                at=now))
            self.audit.record(actor, "referral.create", f"referral:{referral_id}", conn,
                              profile=profile_id, kind=kind, doc_id=doc_id)
        return referral_id

    def get(self, actor, referral_id):
        """One referral of the actor's unit with its events, or NotFound."""
        with self.engine.connect() as conn:
            row = conn.execute(select(referrals).where(
                referrals.c.id == referral_id, referrals.c.unit == actor["unit"])).first()
            if row is None:
                raise NotFound(f"referral {referral_id}")
            events = conn.execute(select(referral_events).where(
                referral_events.c.referral_id == referral_id).order_by(referral_events.c.id))
            out = dict(row._mapping)
            out["events"] = [dict(e._mapping) for e in events]
        out["allowed"] = TRANSITIONS[out["kind"]].get(out["status"], ())
        return out

    def for_profile(self, actor, profile_id):
        """The referrals of one profile, newest first."""
        return self._list(actor, referrals.c.profile_id == profile_id,
                          referrals.c.id.desc())

    def due(self, actor, today=None):
        """Referrals of the unit whose next check is due, oldest due first."""
        today = today or clock.today()
        return self._list(actor, referrals.c.next_check_on <= today,
                          referrals.c.next_check_on)

    def count(self, actor):
        """How many referrals the actor's unit has (any status)."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(referrals).where(
                referrals.c.unit == actor["unit"])).scalar()

    def _list(self, actor, where, order):
        with self.engine.connect() as conn:
            rows = conn.execute(select(referrals).where(
                referrals.c.unit == actor["unit"], where).order_by(order)).all()
        return [dict(r._mapping) for r in rows]

    def update(self, actor, referral_id, status, on=None, today=None):
        """Move a referral to ``status`` as of ``on``; only allowed steps, never back."""
        today = today or clock.today()
        on = on or today
        ref = self.get(actor, referral_id)
        if status not in ref["allowed"]:
            raise TransitionError("not_allowed")
        if on > today:
            raise TransitionError("future")
        if on < ref["events"][-1]["on"]:
            raise TransitionError("before_previous")
        hired_on = on if status == "hired" else ref["hired_on"]
        if status in RETENTION_DAYS and on < hired_on + dt.timedelta(days=RETENTION_DAYS[status]):
            raise TransitionError("too_early")
        duration = None
        if status == "enrolled":
            try:
                doc = self.indexer.store.get_document("courses", ref["doc_id"])
                duration = doc["data"].get("duration_weeks")
            except NotFound:
                pass
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(referrals.update().where(referrals.c.id == referral_id).values(
                status=status, hired_on=hired_on, updated_at=now,
                next_check_on=next_check(ref["kind"], status, on, hired_on, duration)))
            conn.execute(referral_events.insert().values(
                referral_id=referral_id, status=status, on=on, officer_id=actor["id"], at=now))
            self.audit.record(actor, "referral.update", f"referral:{referral_id}", conn,
                              status_from=ref["status"], status_to=status, on=on.isoformat())
