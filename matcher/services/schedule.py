"""Periodic jobs of the app server (retention, the e-mail digest): each gunicorn worker
runs a timer thread, and a claim in the database (``scheduled_jobs``) lets exactly one
worker, of all workers and servers, do each run."""
import logging
import threading
import time

from sqlalchemy import update

from ..models import dialect_insert, scheduled_jobs

log = logging.getLogger(__name__)


class PeriodicJob:
    """``run()`` every ``every`` seconds, once across every worker sharing ``engine``."""

    def __init__(self, engine, name, every, run):
        self.engine, self.name, self.every, self.run = engine, name, every, run

    def claim(self, now=None):
        """True for the one caller that may run the job now (the next run moves ahead)."""
        now = time.time() if now is None else now
        with self.engine.begin() as conn:
            conn.execute(dialect_insert(self.engine, scheduled_jobs).values(
                name=self.name, next_run_at=0).on_conflict_do_nothing())
            return conn.execute(update(scheduled_jobs).where(
                scheduled_jobs.c.name == self.name, scheduled_jobs.c.next_run_at <= now).values(
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
                    log.exception("%s run failed", self.name)
        thread = threading.Thread(target=loop, name=f"vungbuoc-{self.name}", daemon=True)
        thread.start()
        return stop
