# gunicorn settings for the matcher (gunicorn -c config/gunicorn.conf.py matcher.wsgi:app).
# Each can be overridden on the command line or with GUNICORN_CMD_ARGS.
import os

bind = os.environ.get("VUNGBUOC_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("VUNGBUOC_WORKERS", "2"))
threads = int(os.environ.get("VUNGBUOC_THREADS", "2"))
# gthread that accepts a connection only while a thread is free, so that clients
# connecting together spread over the workers (matcher/gunicorn_worker.py).
worker_class = "matcher.gunicorn_worker.BalancedThreadWorker"
timeout = 60
# Build the app (and create missing tables) once in the master, before forking, so
# workers never race to create the SQLite schema.
preload_app = True
# gunicorn's control socket lives at one path per user: off, so several servers
# (tests, benchmarks, a second checkout) can run side by side.
control_socket_disable = True
accesslog = "-"
# Never log query strings or bodies: requests can carry case data.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


def post_worker_init(worker):
    """Each worker schedules retention and the e-mail digest; a claim in the database lets
    one of them run each."""
    app = worker.wsgi  # the loaded matcher app
    officers = getattr(app, "extensions", {}).get("officers")
    if officers is not None:
        officers.retention.start()
        officers.digest.start()
