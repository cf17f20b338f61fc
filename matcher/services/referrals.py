"""Referrals of a profile to a job or course, their outcomes through allowed steps (each
with the officer's note, and a reason code where the step ends the referral), and the
slip an employer is given, under a reference number of the unit's year."""
import datetime as dt

from sqlalchemy import func, select, update

from indexer import clock, places

from ..models import (dialect_insert, profiles, referral_counters, referral_events, referrals,
                      users)
from .errors import InvalidDocument, NotFound, TransitionError

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
# Why a referral ended: a code is required for these steps, and only for them ("other"
# needs a note). Labels in matcher/web/messages.py (REASON_LABELS).
REASONS = {
    "not_hired": ("no_show", "skills", "record", "pay", "distance", "shift", "other"),
    "left": ("pay", "conditions", "health", "family", "moved", "relapse_risk",
             "dismissed", "other"),
    "dropped": ("health", "family", "moved", "cost", "schedule", "work", "other"),
}
NOTE_MAX = 500


def check_step(status, reason, note):
    """The (reason, note) of a step to ``status``, cleaned; InvalidDocument with field
    errors when the reason is missing, not one of the step's, or "other" without a note."""
    reason = (reason or "").strip() or None
    note = (note or "").strip() or None
    errors = []
    if status in REASONS:
        if reason is None:
            errors.append({"field": "reason", "messages": ["Choose a reason."]})
        elif reason not in REASONS[status]:
            errors.append({"field": "reason", "messages": ["Choose one of the listed values."]})
        elif reason == "other" and note is None:
            errors.append({"field": "note", "messages": ["Say what the other reason is."]})
    elif reason is not None:
        errors.append({"field": "reason", "messages": ["This step takes no reason."]})
    if note is not None and len(note) > NOTE_MAX:
        errors.append({"field": "note", "messages": [f"Longer than maximum length {NOTE_MAX}."]})
    if errors:
        raise InvalidDocument(errors)
    return reason, note


def merged_contact(doc, partner):
    """The contact of a posting, completed by its partner's (an address, say)."""
    out = {k: v for k, v in (partner.get("contact") or {}).items() if v}
    out.update({k: v for k, v in (doc.get("contact") or {}).items() if v})
    return out


def officer_name(row):
    """How an officer is named on slips and in histories: their name, else the user name."""
    return (row.get("display_name") or row.get("username") or "").strip() or None


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

    @staticmethod
    def _next_reference(conn, unit, year):
        """The next reference of ``unit``'s ``year``: "unit-year-NNNN". The UPDATE takes
        the counter's row lock (PostgreSQL) or the write lock (SQLite) until commit, so
        two referrals never get one number."""
        conn.execute(dialect_insert(conn.engine, referral_counters).values(
            unit=unit, year=year, last=0).on_conflict_do_nothing())
        conn.execute(update(referral_counters).where(
            referral_counters.c.unit == unit, referral_counters.c.year == year).values(
            last=referral_counters.c.last + 1))
        last = conn.execute(select(referral_counters.c.last).where(
            referral_counters.c.unit == unit, referral_counters.c.year == year)).scalar()
        return f"{unit}-{year}-{last:04d}"

    def create(self, actor, profile_id, kind, doc_id, note=None, today=None):
        """Refer a profile of the actor's unit to a live job or course (with a note)."""
        today = today or clock.today()
        if kind not in TRANSITIONS:
            raise NotFound(kind)
        _, note = check_step("referred", None, note)
        doc = self.indexer.store.get_document(STORE_KIND[kind], doc_id)
        partner = self.indexer.store.partner_names([doc["partner_id"]]).get(doc["partner_id"])
        now = _now()
        with self.engine.begin() as conn:
            profile = conn.execute(select(profiles.c.id, profiles.c.case_code).where(
                profiles.c.id == profile_id, profiles.c.unit == actor["unit"])).first()
            if profile is None:
                raise NotFound(f"profile {profile_id}")
            reference = self._next_reference(conn, actor["unit"], today.year)
            referral_id = conn.execute(referrals.insert().values(
                unit=actor["unit"], profile_id=profile_id, case_code=profile.case_code,
                kind=kind, doc_id=doc_id, title=doc["data"]["title"][:200], partner=partner,
                status="referred", next_check_on=next_check(kind, "referred", today),
                reference=reference, created_by=actor["id"], created_at=now,
                updated_at=now)).inserted_primary_key[0]
            conn.execute(referral_events.insert().values(
                referral_id=referral_id, status="referred", on=today, officer_id=actor["id"],
                at=now, note=note))
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
            events = conn.execute(
                select(referral_events, users.c.username, users.c.display_name)
                .join(users, users.c.id == referral_events.c.officer_id, isouter=True)
                .where(referral_events.c.referral_id == referral_id)
                .order_by(referral_events.c.id))
            out = dict(row._mapping)
            out["events"] = [dict(e._mapping) for e in events]
            for event in out["events"]:
                event["officer"] = officer_name(event)
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

    def update(self, actor, referral_id, status, on=None, reason=None, note=None, today=None):
        """Move a referral to ``status`` as of ``on``; only allowed steps, never back. The
        steps that end a referral need a reason code (REASONS); any step takes a note."""
        today = today or clock.today()
        on = on or today
        ref = self.get(actor, referral_id)
        if status not in ref["allowed"]:
            raise TransitionError("not_allowed")
        reason, note = check_step(status, reason, note)
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
                referral_id=referral_id, status=status, on=on, officer_id=actor["id"], at=now,
                reason=reason, note=note))
            # The note is not copied into the append-only log: it may name people.
            self.audit.record(actor, "referral.update", f"referral:{referral_id}", conn,
                              status_from=ref["status"], status_to=status, on=on.isoformat(),
                              reason=reason)

    def reason_counts(self, units, start=None, end=None):
        """{step: {reason: n}} of the steps with reasons (REASONS) recorded in a unit, or
        several (a roll-up), dated within [start, end] when given (for the dashboard);
        every step and reason is present, zeros included."""
        units = [units] if isinstance(units, str) else list(units)
        out = {step: {reason: 0 for reason in codes} for step, codes in REASONS.items()}
        query = (select(referral_events.c.status, referral_events.c.reason)
                 .join(referrals, referrals.c.id == referral_events.c.referral_id)
                 .where(referrals.c.unit.in_(units),
                        referral_events.c.status.in_(list(REASONS))))
        if start is not None:
            query = query.where(referral_events.c.on >= start)
        if end is not None:
            query = query.where(referral_events.c.on <= end)
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                if row.reason in out[row.status]:
                    out[row.status][row.reason] += 1
        return out

    def latest_for(self, actor, profile_id, kind, doc_id):
        """The newest referral of a profile to one job or course, or None."""
        with self.engine.connect() as conn:
            return conn.execute(select(referrals.c.id).where(
                referrals.c.unit == actor["unit"], referrals.c.profile_id == profile_id,
                referrals.c.kind == kind, referrals.c.doc_id == doc_id)
                .order_by(referrals.c.id.desc())).scalar()

    def slip(self, actor, referral_id):
        """What the referral slip shows, and the audit of its view.

        Only what the employer needs: the case code (never the offence or the profile),
        the job or course and its partner's contact, the referring officer and unit."""
        ref = self.get(actor, referral_id)
        if ref["profile_id"] is None:  # the person's data is gone: no slip to show
            raise NotFound(f"referral {referral_id}")
        store = self.indexer.store
        # The posting as it was referred, even if the partner has removed it since.
        doc = store.get_documents([ref["doc_id"]]).get(ref["doc_id"])
        data = doc["data"] if doc and doc["kind"] == STORE_KIND[ref["kind"]] else {}
        try:
            partner = store.get_partner(doc["partner_id"]) if doc else {}
        except NotFound:
            partner = {}
        with self.engine.begin() as conn:
            officer = conn.execute(select(users.c.username, users.c.display_name).where(
                users.c.id == ref["created_by"])).first()
            # About the profile (as before), so its deletion pseudonymises the entry too.
            self.audit.record(actor, "slip.view", f"profile:{ref['profile_id']}", conn,
                              case_code=ref["case_code"], kind=ref["kind"],
                              doc_id=ref["doc_id"], referral=referral_id)
        ward = places.ward(ref["unit"])
        return {"referral": ref, "doc": data, "partner": partner,
                "contact": merged_contact(data, partner),
                "fair_chance": partner.get("fair_chance_commitments") or [],
                "officer": officer_name(dict(officer._mapping)) if officer else None,
                "ward": ward, "referred_on": ref["events"][0]["on"]}
