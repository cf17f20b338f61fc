"""A real gunicorn serving the app on 127.0.0.1, for the tests that need several workers
(``serve`` for one test, ``LiveServer`` for a module or session, with the CLI beside it)."""
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port():
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(data_dir, env=None, timeout=60):
    """Run gunicorn (config/gunicorn.conf.py) over ``data_dir``; yields the base URL.

    ``env`` adds environment variables (VUNGBUOC_WORKERS, VUNGBUOC_THREADS, settings).
    The server's output goes to ``data_dir/gunicorn.log``; if it does not answer
    /healthz in ``timeout`` seconds, RuntimeError carries that log.
    """
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "VUNGBUOC_DATA_DIR": str(data_dir), **(env or {})}
    port = free_port()
    log_path = data_dir / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{port}", "matcher.wsgi:app"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start:\n" + log_path.read_text())
                time.sleep(0.3)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


class LiveServer:
    """``serve`` as an object for module- or session-wide servers: settings given as
    ``VUNGBUOC_*`` keywords, the ``matcher`` CLI on the same data directory, start/stop."""

    def __init__(self, data_dir, workers=2, threads=2, **settings):
        self.data_dir = Path(data_dir)
        self.env = {**os.environ, "VUNGBUOC_DATA_DIR": str(self.data_dir),
                    "VUNGBUOC_WORKERS": str(workers), "VUNGBUOC_THREADS": str(threads),
                    "VUNGBUOC_SEARCH_BACKEND": "embedded", "VUNGBUOC_ENVIRONMENT": "testing",
                    **{f"VUNGBUOC_{k}": str(v) for k, v in settings.items()}}
        self.url = self._running = None

    def cli(self, *args, stdin=None):
        """Run the ``matcher`` console script on this server's data directory."""
        script = Path(sys.executable).parent / "matcher"
        return subprocess.run([str(script), *args], input=stdin, text=True, env=self.env,
                              check=True, cwd=ROOT, capture_output=True).stdout

    def start(self, timeout=60):
        """Start gunicorn and wait until /healthz answers; returns the base URL."""
        self._running = serve(self.data_dir, self.env, timeout=timeout)
        self.url = self._running.__enter__()
        return self.url

    def log_text(self):
        """What gunicorn printed so far."""
        return (self.data_dir / "gunicorn.log").read_text()

    def stop(self):
        """Stop gunicorn (SIGTERM, then SIGKILL after 15 s)."""
        if self._running is not None:
            self._running.__exit__(None, None, None)
            self._running = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
