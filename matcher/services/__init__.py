"""Officer-side services: accounts, profiles and match runs, referrals, support measures,
audit, dashboard, alerts and the e-mail digest.

Views call these; business rules (unit scoping, allowed transitions, login throttling,
auditing) live here, not in the views.
"""
from .accounts import AccountService
from .alerts import AlertService, DigestService
from .audit import AuditService
from .clients import ClientService
from .dashboard import DashboardService
from .profiles import ProfileService
from .referrals import ReferralService
from .retention import RetentionService
from .support import SupportService
from .vault import audit_key, data_cipher


class OfficerServices:
    """Every officer-side service over one engine and the indexer service."""

    def __init__(self, engine, indexer, settings):
        self.audit = AuditService(engine, audit_key(settings))
        self.accounts = AccountService(engine, settings)
        self.clients = ClientService(engine)
        self.profiles = ProfileService(engine, indexer, self.audit, settings,
                                       data_cipher(settings))
        self.referrals = ReferralService(engine, indexer, self.audit)
        self.support = SupportService(engine, self.audit)
        self.dashboard = DashboardService(engine, indexer, self.support)
        self.retention = RetentionService(engine, self.profiles, self.accounts, settings)
        self.alerts = AlertService(engine, indexer, self.profiles, self.audit)
        self.digest = DigestService(engine, self.alerts, self.audit, settings)


__all__ = ["OfficerServices", "AccountService", "AlertService", "AuditService", "ClientService",
           "DashboardService", "DigestService", "ProfileService", "ReferralService",
           "RetentionService", "SupportService"]
