"""Retention: closed cases are erased RETENTION_DAYS after closing, and stale records go.

``matcher retention run`` runs it once; the app server runs it every
RETENTION_CHECK_MINUTES from a thread in each gunicorn worker, and a claim in the
database (``scheduled_jobs``, matcher.services.schedule) makes exactly one worker, of
all workers and servers, do each run.
"""
import datetime as dt
import logging

from .schedule import PeriodicJob

log = logging.getLogger(__name__)
JOB = "retention"


class RetentionService:
    """Erase closed cases past retention; forget expired sessions."""

    def __init__(self, engine, profiles, accounts, settings):
        self.engine, self.profiles, self.accounts = engine, profiles, accounts
        self.days = settings.get("RETENTION_DAYS", 365)
        self.every = settings.get("RETENTION_CHECK_MINUTES", 60) * 60
        self._job = PeriodicJob(engine, JOB, self.every, lambda: self.run())

    def run(self, now=None):
        """Erase what is due now; returns {"erased": n, "sessions": n}."""
        now = now or dt.datetime.now(dt.timezone.utc)
        erased = self.profiles.erase_closed(now - dt.timedelta(days=self.days))
        expired = self.accounts.sessions.purge()
        if erased:
            log.info("retention: erased %d closed case(s)", erased)
        return {"erased": erased, "sessions": expired}

    def claim(self, now=None):
        """True for the one caller that may run the job now (the next run moves ahead)."""
        return self._job.claim(now)

    def run_if_due(self):
        """Run the job if no other worker has run it within the interval."""
        return self._job.run_if_due()

    def start(self, stop=None):
        """A daemon thread that runs the job when due; ``stop`` (an Event) ends it."""
        return self._job.start(stop)
