"""Support measures of a case: what the law provides a returnee, its status, and which
measures a profile qualifies for (suggested until the officer records otherwise).

The measures (labels and legal notes in matcher/web/messages.py, SUPPORT_LABELS):

- ``job_placement``: job counselling and introduction (tư vấn, giới thiệu việc làm) —
  reintegration support under Decree 49/2020/NĐ-CP, free at the public employment
  service centres.
- ``vocational_training``: support to learn a trade (hỗ trợ học nghề) — Decree
  49/2020/NĐ-CP.
- ``training_allowance``: meals and travel allowances while on an elementary or short
  vocational course, for those the support policy of vocational training (Decision
  46/2015/QĐ-TTg, to which Decree 49/2020 refers) covers.
- ``preferential_loan``: a preferential loan for production, business or a job of one's
  own, for people who have served their sentence (Decision 22/2023/QĐ-TTg), through the
  Social Policy Bank (Ngân hàng Chính sách xã hội).
- ``identity_papers``: help with residence registration and the citizen ID card, which
  employers and the bank ask for (Decree 49/2020/NĐ-CP) — recorded by the officer only.

Suggestion rules (``qualifies``), chosen to be checkable from what the profile holds; the
officer confirms the legal conditions (age, residence, the time since release) before
applying:

- job_placement: every case that is not in work now (no job referral in hired or later,
  short of having left).
- vocational_training: fewer than two skills recognised in the taxonomy (stated, learned
  in detention, or named in the experience), or a course referral.
- training_allowance: a course referral (enrolled or waiting), or vocational training
  applied for or granted.
- preferential_loan: every case not in work now (the loan is for setting up on one's
  own; Decision 22/2023 asks the borrower to apply within three years of release, which
  the officer checks).
- identity_papers: never suggested (nothing in a profile tells).
"""
import collections
import datetime as dt

from sqlalchemy import select

from indexer import clock
from indexer.taxonomy import default_taxonomy

from ..models import profiles, referrals, support_measures, users
from .errors import InvalidDocument, NotFound
from .referrals import NOTE_MAX, officer_name

MEASURES = ("job_placement", "vocational_training", "training_allowance",
            "preferential_loan", "identity_papers")
STATUSES = ("suggested", "applied", "granted", "refused")
# A job referral in one of these means the person is in work.
IN_WORK = ("hired", "employed_3m", "employed_6m")


def _now():
    return dt.datetime.now(dt.timezone.utc)


def recognised_skills(data):
    """The taxonomy skills of a stored profile (stated, from detention, or in the text)."""
    taxonomy = default_taxonomy()
    listed = list(data.get("skills") or []) + list(data.get("skills_learned_in_detention") or [])
    ids, _ = taxonomy.resolve_many(listed)
    ids = set(ids)
    ids.update(taxonomy.extract(data.get("experience") or ""))
    return ids


def qualifies(data, refs, recorded=None):
    """The measures a profile qualifies for (see the module's rules).

    ``data``: the stored profile; ``refs``: its referrals as (kind, status) pairs;
    ``recorded``: {measure: status} the officer has recorded."""
    recorded = recorded or {}
    in_work = any(kind == "job" and status in IN_WORK for kind, status in refs)
    course = any(kind == "course" and status in ("referred", "enrolled", "completed")
                 for kind, status in refs)
    out = set()
    if not in_work:
        out.update(("job_placement", "preferential_loan"))
    if len(recognised_skills(data)) < 2 or course:
        out.add("vocational_training")
    if course or recorded.get("vocational_training") in ("applied", "granted"):
        out.add("training_allowance")
    return out


def check_entry(status, on, note, today=None):
    """(status, on, note) cleaned, or InvalidDocument with field errors."""
    today = today or clock.today()
    note = (note or "").strip() or None
    errors = []
    if status not in STATUSES:
        errors.append({"field": "status", "messages": ["Choose one of the listed values."]})
    if on is not None and on > today:
        errors.append({"field": "on", "messages": ["The date cannot be in the future."]})
    if note is not None and len(note) > NOTE_MAX:
        errors.append({"field": "note", "messages": [f"Longer than maximum length {NOTE_MAX}."]})
    if status == "refused" and note is None:
        errors.append({"field": "note", "messages": ["Say why it was refused."]})
    if errors:
        raise InvalidDocument(errors)
    return status, on or today, note


class SupportService:
    """The support checklist of the cases of one unit, and its counts."""

    def __init__(self, engine, audit):
        self.engine, self.audit = engine, audit

    def _profile(self, conn, actor, profile_id):
        row = conn.execute(select(profiles.c.id, profiles.c.case_code, profiles.c.data).where(
            profiles.c.id == profile_id, profiles.c.unit == actor["unit"])).first()
        if row is None:
            raise NotFound(f"profile {profile_id}")
        return row

    @staticmethod
    def _refs(conn, profile_ids):
        out = collections.defaultdict(list)
        for row in conn.execute(select(referrals.c.profile_id, referrals.c.kind,
                                       referrals.c.status).where(
                referrals.c.profile_id.in_(list(profile_ids)))):
            out[row.profile_id].append((row.kind, row.status))
        return out

    def checklist(self, actor, profile_id):
        """Every measure for one profile of the actor's unit, in MEASURES order:
        {measure, status (None: not suggested, nothing recorded), suggested (bool),
        recorded (bool), on, note (of the newest step), history (the steps, oldest
        first: status, on, note, at, officer)}."""
        with self.engine.connect() as conn:
            profile = self._profile(conn, actor, profile_id)
            steps = collections.defaultdict(list)
            for row in conn.execute(
                    select(support_measures, users.c.username, users.c.display_name)
                    .join(users, users.c.id == support_measures.c.officer_id, isouter=True)
                    .where(support_measures.c.profile_id == profile_id)
                    .order_by(support_measures.c.id)):
                step = dict(row._mapping)
                step["officer"] = officer_name(step)
                steps[row.measure].append(step)
            refs = self._refs(conn, [profile_id])[profile_id]
        suggested = qualifies(profile.data, refs, {m: h[-1]["status"] for m, h in steps.items()})
        out = []
        for measure in MEASURES:
            history = steps.get(measure, [])
            last = history[-1] if history else None
            out.append({"measure": measure, "recorded": last is not None,
                        "suggested": measure in suggested,
                        "status": last["status"] if last else (
                            "suggested" if measure in suggested else None),
                        "on": last and last["on"], "note": last and last["note"],
                        "history": history})
        return out

    def record(self, actor, profile_id, measure, status, on=None, note=None, today=None):
        """Record a step of a measure (its status, date and a note) for a profile; the
        newest step is the measure's status. Audited."""
        if measure not in MEASURES:
            raise InvalidDocument([{"field": "measure", "messages": [
                "Choose one of the listed values."]}])
        status, on, note = check_entry(status, on, note, today)
        with self.engine.begin() as conn:
            profile = self._profile(conn, actor, profile_id)
            conn.execute(support_measures.insert().values(
                profile_id=profile_id, unit=actor["unit"], measure=measure, status=status,
                on=on, note=note, officer_id=actor["id"], at=_now()))
            self.audit.record(actor, "support.update", f"profile:{profile_id}", conn,
                              case_code=profile.case_code, measure=measure, status=status,
                              on=on.isoformat())

    def counts(self, units, start=None, end=None):
        """{measure: {status: number of cases}} for the cases of a unit, or of several
        (a unit code, or a list of them for a roll-up), for the dashboard.

        A case counts under each status its record of a measure reached (applied, then
        granted: once under each), on a date within [start, end] when given; a measure
        a case qualifies for and has no record of counts as suggested (it is suggested
        now, whatever the range). Every measure and status is present, zeros included."""
        units = [units] if isinstance(units, str) else list(units)
        out = {m: {s: 0 for s in STATUSES} for m in MEASURES}
        with self.engine.connect() as conn:
            cases = {r.id: r.data for r in conn.execute(
                select(profiles.c.id, profiles.c.data).where(profiles.c.unit.in_(units)))}
            latest, reached = collections.defaultdict(dict), collections.defaultdict(set)
            for row in conn.execute(select(support_measures).where(
                    support_measures.c.unit.in_(units)).order_by(support_measures.c.id)):
                latest[row.profile_id][row.measure] = row.status
                if (start is None or row.on >= start) and (end is None or row.on <= end):
                    reached[row.profile_id, row.measure].add(row.status)
            refs = self._refs(conn, cases)
        for (_, measure), statuses in reached.items():
            for status in statuses:
                out[measure][status] += 1
        for profile_id, data in cases.items():
            recorded = latest.get(profile_id, {})
            for measure in qualifies(data, refs.get(profile_id, []), recorded) - set(recorded):
                out[measure]["suggested"] += 1
        return out
