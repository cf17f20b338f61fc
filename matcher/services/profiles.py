"""Returnee profiles, scoped to the officer's unit: consent, match runs, closing, erasure.

Law 91/2025/QH15 duties live here: a profile is saved only with the person's consent
(date, officer, purpose, scope); the offence categories and whether the conviction is
expunged, sensitive data, are encrypted at rest (one token: ``seal_offences``) and
decrypted only to filter jobs (and for the person's own export); withdrawing
consent or deleting a profile erases it and turns its case code into a pseudonym in the
audit log; a closed case is erased RETENTION_DAYS after closing (RetentionService).
"""
import datetime as dt
import json

from sqlalchemy import func, select

from indexer import clock

from .. import eligibility, ranking
from ..models import (consents, dialect_insert, match_runs, profiles, referral_events,
                      referrals, support_measures)
from ..ranker import ranker_for
from ..schemas import ProfileSchema
from .errors import Conflict, InvalidDocument, NotFound

# Keys ProfileSchema adds after loading; the stored profile is its input, re-loaded on use.
DERIVED = ("skill_ids", "skills_text", "warnings")
# Keys kept out of ``data``: encrypted into offence_enc instead.
SENSITIVE = ("offence_category", "offence_categories", "expunged")
# Consent purposes and scopes (labels in matcher/web/messages.py).
PURPOSES = ("employment",)
SCOPES = ("matching", "referral", "statistics")


def _now():
    return dt.datetime.now(dt.timezone.utc)


def stored_form(data):
    """The JSON-ready input form of a loaded profile (derived and sensitive keys dropped)."""
    return {k: v for k, v in data.items() if k not in DERIVED and k not in SENSITIVE}


def seal_offences(cipher, data):
    """The offence_enc token of a loaded profile: its offence categories and expunged flag
    as one encrypted JSON object, or None when neither is recorded."""
    categories = list(data.get("offence_categories") or [])
    if data.get("offence_category") and data["offence_category"] not in categories:
        categories.append(data["offence_category"])
    if not categories and not data.get("expunged"):
        return None
    return cipher.encrypt(json.dumps({"categories": categories,
                                      "expunged": bool(data.get("expunged"))}))


def open_offences(cipher, token):
    """{"offence_categories": [...], "expunged": bool} from an offence_enc token.

    A token of the release before officers_0004 holds one category as plain text; the
    migration rewrites those, and this still reads one (a row written by an older app
    server during a rolling upgrade)."""
    value = cipher.decrypt(token)
    if value is None:
        return {"offence_categories": [], "expunged": False}
    if value.startswith("{"):
        sealed = json.loads(value)
        return {"offence_categories": list(sealed.get("categories") or []),
                "expunged": bool(sealed.get("expunged"))}
    return {"offence_categories": [value], "expunged": False}


def _target(profile_id):
    return f"profile:{profile_id}"


class ProfileService:
    """Create, read, update and delete profiles inside one unit, and run matches."""

    def __init__(self, engine, indexer, audit, settings, cipher):
        self.engine, self.indexer, self.audit, self.cipher = engine, indexer, audit, cipher
        self.candidates = settings.get("MATCH_CANDIDATES", 200)
        self.limit = settings.get("MATCH_MAX_LIMIT", 50)
        self.ranker = ranker_for(settings)

    def list(self, actor):
        """The profiles of the actor's unit, newest first (no audit: codes only)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(profiles.c.id, profiles.c.case_code, profiles.c.updated_at,
                                       profiles.c.closed_at)
                                .where(profiles.c.unit == actor["unit"])
                                .order_by(profiles.c.updated_at.desc())).all()
        return [dict(r._mapping) for r in rows]

    def _row(self, conn, actor, profile_id):
        row = conn.execute(select(profiles).where(
            profiles.c.id == profile_id, profiles.c.unit == actor["unit"])).first()
        if row is None:
            if conn.execute(select(profiles.c.id).where(profiles.c.id == profile_id)).first():
                # Another unit's profile: logged (in its own transaction), then answered
                # exactly like a missing one.
                self.audit.record(actor, "access.denied", _target(profile_id),
                                  reason="other unit")
            raise NotFound(f"profile {profile_id}")
        out = dict(row._mapping)
        out["offence_recorded"] = out.pop("offence_enc") is not None
        return out

    def get(self, actor, profile_id, audit=True):
        """One profile of the actor's unit (NotFound otherwise); the view is audited.

        The offence category is not in it: see ``offence``."""
        with self.engine.begin() as conn:
            row = self._row(conn, actor, profile_id)
            if audit:
                self.audit.record(actor, "profile.view", _target(profile_id), conn,
                                  case_code=row["case_code"])
        return row

    def offence(self, actor, profile_id):
        """The decrypted eligibility data of a profile of the actor's unit:
        {"offence_categories": [...], "expunged": bool}."""
        with self.engine.connect() as conn:
            self._row(conn, actor, profile_id)
            token = conn.execute(select(profiles.c.offence_enc).where(
                profiles.c.id == profile_id)).scalar()
        return open_offences(self.cipher, token)

    def create(self, actor, data, consent):
        """Save a loaded profile under its case code in the actor's unit, with the
        person's consent ({given_on, purpose, scope}); no consent, no profile."""
        consent = self._consent(consent)
        now = _now()
        with self.engine.begin() as conn:
            self._unique(conn, actor, data["case_code"])
            profile_id = conn.execute(profiles.insert().values(
                unit=actor["unit"], case_code=data["case_code"], data=stored_form(data),
                offence_enc=seal_offences(self.cipher, data),
                created_by=actor["id"], created_at=now, updated_at=now)).inserted_primary_key[0]
            conn.execute(consents.insert().values(profile_id=profile_id, officer_id=actor["id"],
                                                  recorded_at=now, **consent))
            self.audit.record(actor, "profile.create", _target(profile_id), conn,
                              case_code=data["case_code"], consent_scope=consent["scope"])
        return profile_id

    @staticmethod
    def _consent(consent):
        errors = []
        if not consent or not isinstance(consent.get("given_on"), dt.date):
            errors.append({"field": "consent_given_on", "messages": ["Not a valid date."]})
        elif consent["given_on"] > clock.today():
            errors.append({"field": "consent_given_on", "messages": [
                "The date cannot be in the future."]})
        if not consent or consent.get("purpose") not in PURPOSES:
            errors.append({"field": "consent_purpose", "messages": [
                "Missing data for required field."]})
        scope = list(dict.fromkeys((consent or {}).get("scope") or []))
        if "matching" not in scope or any(s not in SCOPES for s in scope):
            errors.append({"field": "consent_scope", "messages": [
                "The consent must at least cover matching."]})
        if errors:
            raise InvalidDocument(errors)
        return {"given_on": consent["given_on"], "purpose": consent["purpose"], "scope": scope}

    def record_consent(self, actor, profile_id, consent):
        """Record the consent of a profile saved without one (before consent records
        existed: release 0.1); a profile has one consent record at most."""
        consent = self._consent(consent)
        with self.engine.begin() as conn:
            row = self._row(conn, actor, profile_id)
            if conn.execute(select(consents.c.id).where(
                    consents.c.profile_id == profile_id)).first():
                raise Conflict("consent")
            conn.execute(consents.insert().values(profile_id=profile_id, officer_id=actor["id"],
                                                  recorded_at=_now(), **consent))
            self.audit.record(actor, "consent.record", _target(profile_id), conn,
                              case_code=row["case_code"], consent_scope=consent["scope"])

    def consent(self, actor, profile_id):
        """The consent record of a profile of the actor's unit."""
        with self.engine.connect() as conn:
            self._row(conn, actor, profile_id)
            row = conn.execute(select(consents).where(consents.c.profile_id == profile_id)).first()
        return dict(row._mapping) if row else None

    def update(self, actor, profile_id, data):
        """Replace a profile's data (and maybe its case code)."""
        with self.engine.begin() as conn:
            row = self._row(conn, actor, profile_id)
            if data["case_code"] != row["case_code"]:
                self._unique(conn, actor, data["case_code"])
                conn.execute(referrals.update().where(referrals.c.profile_id == profile_id)
                             .values(case_code=data["case_code"]))
                # The old code leaves the audit log as a pseudonym, like a deleted one.
                self.audit.pseudonymise(conn, _target(profile_id), row["case_code"])
            conn.execute(profiles.update().where(profiles.c.id == profile_id).values(
                case_code=data["case_code"], data=stored_form(data),
                offence_enc=seal_offences(self.cipher, data),
                updated_at=_now()))
            self.audit.record(actor, "profile.update", _target(profile_id), conn,
                              case_code=data["case_code"])

    def set_closed(self, actor, profile_id, closed):
        """Close a case (retention starts counting) or reopen it."""
        with self.engine.begin() as conn:
            row = self._row(conn, actor, profile_id)
            conn.execute(profiles.update().where(profiles.c.id == profile_id).values(
                closed_at=_now() if closed else None))
            self.audit.record(actor, "profile.close" if closed else "profile.reopen",
                              _target(profile_id), conn, case_code=row["case_code"])

    def delete(self, actor, profile_id, action="profile.delete"):
        """Delete a profile and its personal data; its referrals stay, anonymised."""
        with self.engine.begin() as conn:
            row = self._row(conn, actor, profile_id)
            self._erase(conn, actor, row, action)

    def _erase(self, conn, actor, row, action, **detail):
        conn.execute(referrals.update().where(referrals.c.profile_id == row["id"])
                     .values(profile_id=None, case_code=None))
        conn.execute(consents.delete().where(consents.c.profile_id == row["id"]))
        conn.execute(profiles.delete().where(profiles.c.id == row["id"]))
        self.audit.record(actor, action, _target(row["id"]), conn, case_code=row["case_code"],
                          **detail)
        self.audit.pseudonymise(conn, _target(row["id"]), row["case_code"])

    def erase_closed(self, before):
        """Erase every profile closed before ``before`` (retention); returns how many."""
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(select(
                profiles.c.id, profiles.c.unit, profiles.c.case_code).where(
                profiles.c.closed_at.is_not(None), profiles.c.closed_at < before))]
        for row in rows:
            with self.engine.begin() as conn:
                system = {"username": "retention", "unit": row["unit"]}
                self._erase(conn, system, row, "retention.erase")
        return len(rows)

    def export(self, actor, profile_id):
        """Everything stored about one person (their right of access): the profile with
        its offence categories, the consent, the referrals with their notes, the support
        measures and who processed the data."""
        row = self.get(actor, profile_id, audit=False)
        profile = {**row["data"], **self.offence(actor, profile_id)}
        with self.engine.begin() as conn:
            refs = conn.execute(select(referrals).where(referrals.c.profile_id == profile_id)
                                .order_by(referrals.c.id)).all()
            out_refs = []
            for ref in refs:
                events = conn.execute(select(referral_events.c.status, referral_events.c.on,
                                             referral_events.c.reason, referral_events.c.note)
                                      .where(referral_events.c.referral_id == ref.id)
                                      .order_by(referral_events.c.id)).all()
                out_refs.append({"kind": ref.kind, "title": ref.title, "partner": ref.partner,
                                 "reference": ref.reference, "status": ref.status,
                                 "created_at": ref.created_at,
                                 "events": [dict(e._mapping) for e in events]})
            support = [dict(r._mapping) for r in conn.execute(
                select(support_measures.c.measure, support_measures.c.status,
                       support_measures.c.on, support_measures.c.note)
                .where(support_measures.c.profile_id == profile_id)
                .order_by(support_measures.c.id))]
            consent = conn.execute(select(consents).where(
                consents.c.profile_id == profile_id)).first()
            self.audit.record(actor, "profile.export", _target(profile_id), conn,
                              case_code=row["case_code"])
        processing = [{"at": a["at"], "action": a["action"], "by": a["username"]}
                      for a in self.audit.about(_target(profile_id))]
        return {"case_code": row["case_code"], "unit": row["unit"],
                "created_at": row["created_at"], "updated_at": row["updated_at"],
                "closed_at": row["closed_at"], "profile": profile,
                "consent": consent and {k: consent._mapping[k] for k in (
                    "given_on", "purpose", "scope", "recorded_at")},
                "referrals": out_refs, "support_measures": support, "processing": processing}

    @staticmethod
    def _unique(conn, actor, case_code):
        if conn.execute(select(func.count()).select_from(profiles).where(
                profiles.c.unit == actor["unit"], profiles.c.case_code == case_code)).scalar():
            raise Conflict("case_code")

    def match(self, actor, profile, lang="vi", employment_type=None, max_km=None, limit=20,
              fair_chance=False, hidden_limit=0):
        """Ranked, explained jobs and courses for a stored profile, filtered; audited.

        The offence categories are decrypted here, for the eligibility filter only.
        ``fair_chance`` keeps the jobs of partners with fair-chance commitments;
        ``hidden_limit`` lists that many of the jobs the eligibility filters hid."""
        data = ProfileSchema().load({**profile["data"], **self.offence(actor, profile["id"])})
        result = ranking.match(data, self.indexer.backend, limit=self.limit,
                               candidates=self.candidates, lang=lang,
                               corpus=self.indexer.corpus.get, ranker=self.ranker,
                               partners=eligibility.partners_of(self.indexer.store),
                               fair_chance_only=fair_chance, hidden_limit=hidden_limit)
        jobs = result["jobs"]
        result["limit"] = self.limit
        if employment_type:
            jobs = [j for j in jobs if j["employment_type"] == employment_type]
        if max_km:
            jobs = [j for j in jobs if j["reasons"]["distance_km"] is not None
                    and j["reasons"]["distance_km"] <= max_km]
            result["courses"] = [c for c in result["courses"]
                                 if c["reasons"]["distance_km"] is not None
                                 and c["reasons"]["distance_km"] <= max_km]
        result["jobs"], result["courses"] = jobs[:limit], result["courses"][:limit]
        with self.engine.begin() as conn:
            # A run per profile version: a reload or another filter is the same run.
            conn.execute(dialect_insert(self.engine, match_runs).values(
                unit=actor["unit"], officer_id=actor["id"], jobs=len(result["jobs"]),
                courses=len(result["courses"]), at=_now(), profile_id=profile["id"],
                profile_version=profile["updated_at"]).on_conflict_do_nothing())
            self.audit.record(actor, "match.run", _target(profile["id"]), conn,
                              jobs=len(result["jobs"]), courses=len(result["courses"]))
        return result

    def reencrypt(self):
        """Re-encrypt every offence category with the first DATA_KEY; returns how many."""
        with self.engine.begin() as conn:
            rows = conn.execute(select(profiles.c.id, profiles.c.offence_enc).where(
                profiles.c.offence_enc.is_not(None))).all()
            for row in rows:
                conn.execute(profiles.update().where(profiles.c.id == row.id).values(
                    offence_enc=self.cipher.rotate(row.offence_enc)))
        return len(rows)

    def record_slip(self, actor, profile, kind, doc_id):
        """Audit the view of a referral slip (it shows the case code to a partner)."""
        self.audit.record(actor, "slip.view", _target(profile["id"]),
                          case_code=profile["case_code"], kind=kind, doc_id=doc_id)
