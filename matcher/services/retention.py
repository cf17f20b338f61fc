"""Retention: closed cases are erased RETENTION_DAYS after closing, and stale records go.

``matcher retention run`` runs it once; the app server runs it every
RETENTION_CHECK_MINUTES from a thread in each gunicorn worker, and a claim in the
database (``scheduled_jobs``) makes exactly one worker, of all workers and servers,
do each run.
"""
import datetime as dt
import logging
import threading
import time

from sqlalchemy import update

from ..models import dialect_insert, scheduled_jobs

log = logging.getLogger(__name__)
JOB = "retention"


class RetentionService:
    """Erase closed cases past retention; forget expired sessions."""

    def __init__(self, engine, profiles, accounts, settings):
        self.engine, self.profiles, self.accounts = engine, profiles, accounts
        self.days = settings.get("RETENTION_DAYS", 365)
        self.every = settings.get("RETENTION_CHECK_MINUTES", 60) * 60

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
        now = time.time() if now is None else now
        with self.engine.begin() as conn:
            conn.execute(dialect_insert(self.engine, scheduled_jobs).values(
                name=JOB, next_run_at=0).on_conflict_do_nothing())
            return conn.execute(update(scheduled_jobs).where(
                scheduled_jobs.c.name == JOB, scheduled_jobs.c.next_run_at <= now).values(
                next_run_at=now + self.every)).rowcount == 1

    def run_if_due(self):
        """Run the job if no other worker has run it within the interval."""
        return self.run() if self.claim() else None

    def start(self, stop=None):
        """A daemon thread that runs the job when due; ``stop`` (an Event) ends it."""
        stop = stop or threading.Event()
        tick = max(1.0, min(60.0, self.every / 4))

        def loop():
            while not stop.wait(tick):
                try:
                    self.run_if_due()
                except Exception:  # noqa: BLE001 — keep the schedule; the log says why
                    log.exception("retention run failed")
        thread = threading.Thread(target=loop, name="vungbuoc-retention", daemon=True)
        thread.start()
        return stop
