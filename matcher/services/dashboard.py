"""Dashboard figures over a date range: one ward, a province's wards, or every ward.

Only counts leave this module: a province account or an admin sees how many profiles,
match runs, referrals and outcomes each ward has, never a case. Days are Vietnam's
(Asia/Ho_Chi_Minh); stored times are UTC, so a day's bounds are converted before they
are compared with ``created_at`` or ``at``. Referrals are counted by the day they were
made (a cohort): the funnel follows the referrals of the range to whatever they reached
since, and the retention rates count only those hired long enough ago.
"""
import collections
import dataclasses
import datetime as dt

from sqlalchemy import func, select

from indexer import clock, places
from indexer.taxonomy import default_taxonomy

from ..models import match_runs, profiles, referral_events, referrals
from .errors import NotFound
from .referrals import RETENTION_DAYS

# The steps of a job referral the funnel follows, in order.
FUNNEL = ("referred", "interviewed", "hired", "employed_3m", "employed_6m")
# Columns of the per-ward table (and of the exports' ward sheet).
WARD_COLUMNS = ("profiles", "matches", "referrals", "hired", "employed_3m", "employed_6m")
# Titles of jobs and courses listed by how many referrals they had.
TOP_TITLES = 50
# Longest range a report may cover, in days (a few years: the programme's horizon).
MAX_RANGE_DAYS = 3 * 366


@dataclasses.dataclass(frozen=True)
class Scope:
    """What a report covers: one ward, a province's wards, or all (``kind``, ``code``)."""

    kind: str  # ward | province | all
    code: str | None = None

    @property
    def units(self):
        """The ward codes covered, or None for every ward."""
        if self.kind == "ward":
            return [self.code]
        if self.kind == "province":
            return [w.code for w in places.wards(self.code)]
        return None

    @property
    def province_code(self):
        """The province of the scope (None for all)."""
        if self.kind == "ward":
            ward = places.ward(self.code)
            return ward.province_code if ward else None
        return self.code if self.kind == "province" else None

    @property
    def key(self):
        """The scope as a request parameter: a ward or province code, or 'all'."""
        return self.code or "all"


def day_bounds(start, end):
    """The UTC instants [from, until) of Vietnam's days ``start`` to ``end`` inclusive."""
    def midnight(day):
        return dt.datetime.combine(day, dt.time(), tzinfo=clock.PEOPLE_TZ).astimezone(
            dt.timezone.utc)
    return midnight(start), midnight(end + dt.timedelta(days=1))


def default_range(today=None):
    """The current quarter up to today (what a steering committee meets about)."""
    today = today or clock.today()
    return dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today


def unit_label(code):
    """A ward's label, a province's full name, or the code as it is."""
    if code and not places.ward(code) and places.province(code):
        return places.province(code).full_name
    return places.unit_label(code)


class DashboardService:
    """Read-only figures for the units an account may see."""

    def __init__(self, engine, indexer, support=None):
        self.engine, self.indexer, self.support = engine, indexer, support

    # -- who sees what ------------------------------------------------------------------

    def scopes(self, actor):
        """The scopes ``actor`` may ask for, the default first."""
        role, unit = actor["role"], actor.get("unit")
        if role == "province":
            return [Scope("province", unit)]
        if role == "admin":
            ward = places.ward(unit) if unit else None
            out = [Scope("ward", unit), Scope("province", ward.province_code)] if ward else []
            out.append(Scope("all"))
            return out + [Scope("province", p.code) for p in places.provinces()
                          if Scope("province", p.code) not in out]
        return [Scope("ward", unit)]

    def scope_for(self, actor, requested=None):
        """The scope ``requested`` (a ward or province code, 'all') if ``actor`` may see
        it, the default one if nothing is requested; NotFound otherwise."""
        allowed = self.scopes(actor)
        if not requested:
            return allowed[0]
        requested = str(requested).strip()
        for scope in allowed:
            if scope.key == requested:
                return scope
        ward = places.ward(requested) if requested.isdigit() and len(requested) == 5 else None
        province = places.province(requested) if requested.isdigit() and len(
            requested) <= 2 else None
        if actor["role"] == "admin" and (ward or province):
            return Scope("ward", ward.code) if ward else Scope("province", province.code)
        if actor["role"] == "province" and ward and ward.province_code == actor["unit"]:
            return Scope("ward", ward.code)
        raise NotFound(f"scope {requested}")

    # -- figures ------------------------------------------------------------------------

    def figures(self, scope, start=None, end=None, today=None):
        """Counts, rates, the funnel and (for several wards) a row per ward, for the
        referrals, profiles and match runs of Vietnam's days ``start``..``end``."""
        today = today or clock.today()
        if start is None or end is None:
            start, end = default_range(today)
        since, until = day_bounds(start, end)
        units = scope.units

        def where(table, column):
            conds = [column >= since, column < until]
            if units is not None:
                conds.append(table.c.unit.in_(units))
            return conds

        per_ward = collections.defaultdict(lambda: dict.fromkeys(WARD_COLUMNS, 0))
        with self.engine.connect() as conn:
            for table, column, name in ((profiles, profiles.c.created_at, "profiles"),
                                        (match_runs, match_runs.c.at, "matches")):
                for unit, n in conn.execute(select(table.c.unit, func.count()).where(
                        *where(table, column)).group_by(table.c.unit)):
                    per_ward[unit][name] = n
            refs = {r.id: r for r in conn.execute(
                select(referrals.c.id, referrals.c.unit, referrals.c.kind,
                       referrals.c.hired_on, referrals.c.title, referrals.c.partner).where(
                    *where(referrals, referrals.c.created_at)))}
            reached = collections.defaultdict(set)
            ids = list(refs)
            for chunk in range(0, len(ids), 500):
                for rid, status in conn.execute(select(
                        referral_events.c.referral_id, referral_events.c.status).where(
                        referral_events.c.referral_id.in_(ids[chunk:chunk + 500]))):
                    reached[status].add(rid)
        for ref in refs.values():
            per_ward[ref.unit]["referrals"] += 1
        for status in ("hired", "employed_3m", "employed_6m"):
            for rid in reached[status]:
                per_ward[refs[rid].unit][status] += 1
        jobs = {r for r, ref in refs.items() if ref.kind == "job"}
        out = {"start": start, "end": end, "scope": scope,
               "profiles": sum(w["profiles"] for w in per_ward.values()),
               "matches": sum(w["matches"] for w in per_ward.values()),
               "referrals": len(refs), "job_referrals": len(jobs),
               "course_referrals": len(refs) - len(jobs)}
        for status in ("interviewed", "hired", "enrolled", "completed"):
            out[status] = len(reached[status])
        for status, days in RETENTION_DAYS.items():
            eligible = [r for r in reached["hired"] if refs[r].hired_on
                        and refs[r].hired_on + dt.timedelta(days=days) <= today]
            kept = [r for r in eligible if r in reached[status]]
            out[f"retention_{status[-2:]}"] = (len(kept) / len(eligible)) if eligible else None
            out[f"retention_{status[-2:]}_counts"] = (len(kept), len(eligible))
        out["funnel"] = [(step, len(jobs) if step == "referred" else len(reached[step] & jobs))
                         for step in FUNNEL]
        # What people were referred to (partners' titles: escaped in the exports).
        out["titles"] = collections.Counter(
            (ref.kind, ref.title, ref.partner or "") for ref in refs.values()
        ).most_common(TOP_TITLES)
        out["wards"] = sorted(((unit, row) for unit, row in per_ward.items()),
                              key=lambda item: places.fold(unit_label(item[0])))
        out["open_jobs_by_sector"] = self.open_jobs_by_sector(scope.province_code, today)
        # Support measures (matcher.services.support): per measure, the cases that reached
        # each status on a day of the range (and those suggested now).
        out["support"] = None
        if self.support is not None:
            counts = self.support.counts(
                units if units is not None else [w.code for w in places.wards()], start, end)
            out["support"] = [(measure, [(status, n) for status, n in statuses.items()])
                              for measure, statuses in counts.items()]
        return out

    def open_jobs_by_sector(self, province, today):
        """[(sector code, open jobs)] in ``province`` (or everywhere), most first."""
        taxonomy = default_taxonomy()
        counts = collections.Counter()
        iso = today.isoformat()
        for doc in self.indexer.store.iter_documents("jobs"):
            data = doc["data"]
            if doc["status"] != "open" or (data.get("valid_through") or "9999") < iso:
                continue
            if province and (data.get("location") or {}).get("province_code") != province:
                continue
            sectors = collections.Counter(
                taxonomy.skills[s].get("sector") for s in data.get("required_skills", [])
                if s in taxonomy.skills)
            counts[sectors.most_common(1)[0][0] if sectors else "other"] += 1
        return counts.most_common()
