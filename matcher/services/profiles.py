"""Returnee profiles, scoped to the officer's unit, and the match runs on them."""
import datetime as dt

from sqlalchemy import func, select

from .. import ranking
from ..ranker import ranker_for
from ..models import match_runs, profiles, referrals
from ..schemas import ProfileSchema
from .errors import Conflict, NotFound

# Keys ProfileSchema adds after loading; the stored profile is its input, re-loaded on use.
DERIVED = ("skill_ids", "skills_text", "warnings")


def _now():
    return dt.datetime.now(dt.timezone.utc)


def stored_form(data):
    """The JSON-ready input form of a loaded profile (derived keys dropped)."""
    return {k: v for k, v in data.items() if k not in DERIVED}


class ProfileService:
    """Create, read, update and delete profiles inside one unit, and run matches."""

    def __init__(self, engine, indexer, audit, settings):
        self.engine, self.indexer, self.audit = engine, indexer, audit
        self.candidates = settings.get("MATCH_CANDIDATES", 200)
        self.limit = settings.get("MATCH_MAX_LIMIT", 50)
        self.ranker = ranker_for(settings)

    def list(self, actor):
        """The profiles of the actor's unit, newest first (no audit: codes only)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(profiles.c.id, profiles.c.case_code, profiles.c.updated_at)
                                .where(profiles.c.unit == actor["unit"])
                                .order_by(profiles.c.updated_at.desc())).all()
        return [dict(r._mapping) for r in rows]

    def _row(self, conn, actor, profile_id):
        row = conn.execute(select(profiles).where(
            profiles.c.id == profile_id, profiles.c.unit == actor["unit"])).first()
        if row is None:
            # Another unit's profile is indistinguishable from a missing one.
            raise NotFound(f"profile {profile_id}")
        return dict(row._mapping)

    def get(self, actor, profile_id, audit=True):
        """One profile of the actor's unit (NotFound otherwise); the view is audited."""
        with self.engine.begin() as conn:
            row = self._row(conn, actor, profile_id)
            if audit:
                self.audit.record(actor, "profile.view", f"profile:{profile_id}", conn,
                                  case_code=row["case_code"])
        return row

    def create(self, actor, data):
        """Save a loaded profile under its case code in the actor's unit."""
        now = _now()
        with self.engine.begin() as conn:
            self._unique(conn, actor, data["case_code"])
            profile_id = conn.execute(profiles.insert().values(
                unit=actor["unit"], case_code=data["case_code"], data=stored_form(data),
                created_by=actor["id"], created_at=now, updated_at=now)).inserted_primary_key[0]
            self.audit.record(actor, "profile.create", f"profile:{profile_id}", conn,
                              case_code=data["case_code"])
        return profile_id

    def update(self, actor, profile_id, data):
        """Replace a profile's data (and maybe its case code)."""
        with self.engine.begin() as conn:
            row = self._row(conn, actor, profile_id)
            if data["case_code"] != row["case_code"]:
                self._unique(conn, actor, data["case_code"])
                conn.execute(referrals.update().where(referrals.c.profile_id == profile_id)
                             .values(case_code=data["case_code"]))
            conn.execute(profiles.update().where(profiles.c.id == profile_id).values(
                case_code=data["case_code"], data=stored_form(data), updated_at=_now()))
            self.audit.record(actor, "profile.update", f"profile:{profile_id}", conn,
                              case_code=data["case_code"])

    def delete(self, actor, profile_id):
        """Delete a profile and its personal data; its referrals stay, anonymised."""
        with self.engine.begin() as conn:
            row = self._row(conn, actor, profile_id)
            conn.execute(referrals.update().where(referrals.c.profile_id == profile_id)
                         .values(profile_id=None, case_code=None))
            conn.execute(profiles.delete().where(profiles.c.id == profile_id))
            self.audit.record(actor, "profile.delete", f"profile:{profile_id}", conn,
                              case_code=row["case_code"])

    @staticmethod
    def _unique(conn, actor, case_code):
        if conn.execute(select(func.count()).select_from(profiles).where(
                profiles.c.unit == actor["unit"], profiles.c.case_code == case_code)).scalar():
            raise Conflict("case_code")

    def match(self, actor, profile, lang="vi", employment_type=None, max_km=None, limit=20):
        """Ranked, explained jobs and courses for a stored profile, filtered; audited."""
        data = ProfileSchema().load(profile["data"])
        result = ranking.match(data, self.indexer.backend, limit=self.limit,
                               candidates=self.candidates, lang=lang,
                               corpus=self.indexer.corpus.get, ranker=self.ranker)
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
            conn.execute(match_runs.insert().values(
                unit=actor["unit"], officer_id=actor["id"], jobs=len(result["jobs"]),
                courses=len(result["courses"]), at=_now()))
            self.audit.record(actor, "match.run", f"profile:{profile['id']}", conn,
                              jobs=len(result["jobs"]), courses=len(result["courses"]))
        return result
