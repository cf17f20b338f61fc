"""Unit dashboard figures: profiles, matches, referrals, hires, retention, open jobs."""
import collections
import datetime as dt

from sqlalchemy import func, select

from indexer.taxonomy import default_taxonomy

from ..models import match_runs, profiles, referral_events, referrals
from indexer import clock, places
from .referrals import RETENTION_DAYS


class DashboardService:
    """Read-only figures for one unit."""

    def __init__(self, engine, indexer):
        self.engine, self.indexer = engine, indexer

    def figures(self, unit, today=None):
        """Counts and rates for ``unit``; rates are None until someone is eligible."""
        today = today or clock.today()
        with self.engine.connect() as conn:
            def count(table, *where):
                return conn.execute(select(func.count()).select_from(table).where(
                    table.c.unit == unit, *where)).scalar()
            reached = collections.defaultdict(set)
            rows = conn.execute(select(referrals.c.id, referrals.c.kind, referrals.c.hired_on,
                                       referral_events.c.status)
                                .join(referral_events,
                                      referral_events.c.referral_id == referrals.c.id)
                                .where(referrals.c.unit == unit))
            hired_on, kinds = {}, {}
            for row in rows:
                reached[row.status].add(row.id)
                hired_on[row.id], kinds[row.id] = row.hired_on, row.kind
            out = {"profiles": count(profiles), "matches": count(match_runs),
                   "referrals": count(referrals),
                   "job_referrals": count(referrals, referrals.c.kind == "job"),
                   "course_referrals": count(referrals, referrals.c.kind == "course")}
        for status in ("interviewed", "hired", "enrolled", "completed"):
            out[status] = len(reached[status])
        for status, days in RETENTION_DAYS.items():
            eligible = [r for r in reached["hired"]
                        if hired_on[r] and hired_on[r] + dt.timedelta(days=days) <= today]
            kept = [r for r in eligible if r in reached[status]]
            out[f"retention_{status[-2:]}"] = (len(kept) / len(eligible)) if eligible else None
            out[f"retention_{status[-2:]}_counts"] = (len(kept), len(eligible))
        out["funnel"] = [("referred", out["job_referrals"]), ("interviewed", out["interviewed"]),
                         ("hired", out["hired"]), ("employed_3m", len(reached["employed_3m"])),
                         ("employed_6m", len(reached["employed_6m"]))]
        out["open_jobs_by_sector"] = self.open_jobs_by_sector(unit, today)
        return out

    def open_jobs_by_sector(self, unit, today):
        """[(sector code, open jobs)] in the unit's province, most first."""
        ward = places.ward(unit) if unit else None
        province = ward.province_code if ward else None
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
