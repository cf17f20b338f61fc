"""The gunicorn worker class of config/gunicorn.conf.py: gthread that accepts connections
freely only while one of its threads is free.

All workers listen on one socket, and a kept-alive connection stays with the worker that
accepted it. Stock gthread accepts while it holds fewer than ``worker_connections``
(1,000) connections, so when many clients connect at once, the first worker to wake
takes nearly all of them and the others idle: with 16 clients on 2 workers, one worker
held 14 to 16 of the connections in 7 runs of 12, and matches/s halved. This
worker accepts at once while one of its threads is free; with every thread busy, it
leaves a new connection in the listen backlog for a worker that has one, and takes one
itself only every ``FULL_ACCEPT_INTERVAL`` seconds (so that when all workers are busy,
a waiting client is still taken in soon).
"""
import time

from gunicorn.workers.gthread import ThreadWorker

FULL_ACCEPT_INTERVAL = 0.1


class BalancedThreadWorker(ThreadWorker):
    """gthread that accepts freely only while fewer requests are in flight than it has
    threads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.in_flight = 0  # requests handed to the thread pool, not finished yet
        self.accepted_at = 0.0

    def _may_accept(self):
        return (self.in_flight < self.cfg.threads
                or time.monotonic() - self.accepted_at >= FULL_ACCEPT_INTERVAL)

    def set_accept_enabled(self, enabled):
        # gthread's loop asks for accepting on or off at each turn; only the main
        # thread changes ``in_flight``, and a finished request ends a turn.
        super().set_accept_enabled(enabled and self._may_accept())

    def wait_for_and_dispatch_events(self, timeout):
        if not self._accepting and self.alive and self.nr_conns < self.worker_connections:
            # all threads busy: wake up when it may take a connection again
            wait = FULL_ACCEPT_INTERVAL - (time.monotonic() - self.accepted_at)
            timeout = min(timeout, max(wait, 0.0) + 0.001)
        super().wait_for_and_dispatch_events(timeout)

    def accept(self, listener):
        self.accepted_at = time.monotonic()
        super().accept(listener)

    def enqueue_req(self, conn):
        self.in_flight += 1
        if self._accepting and not self._may_accept():
            self.set_accept_enabled(False)
        super().enqueue_req(conn)

    def finish_request(self, conn, fs):
        self.in_flight -= 1
        super().finish_request(conn, fs)
