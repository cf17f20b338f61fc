"""Officer-side services: accounts, profiles and match runs, referrals, audit, dashboard.

Views call these; business rules (unit scoping, allowed transitions, login throttling,
auditing) live here, not in the views.
"""
from .accounts import AccountService
from .audit import AuditService
from .dashboard import DashboardService
from .profiles import ProfileService
from .referrals import ReferralService


class OfficerServices:
    """Every officer-side service over one engine and the indexer service."""

    def __init__(self, engine, indexer, settings):
        self.audit = AuditService(engine)
        self.accounts = AccountService(engine, settings)
        self.profiles = ProfileService(engine, indexer, self.audit, settings)
        self.referrals = ReferralService(engine, indexer, self.audit)
        self.dashboard = DashboardService(engine, indexer)


__all__ = ["OfficerServices", "AccountService", "AuditService", "DashboardService",
           "ProfileService", "ReferralService"]
