"""A real gunicorn serving the app on 127.0.0.1 for a test (several workers, the project's
config), started by the test that needs it and stopped after it."""
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tools._local import free_port

ROOT = Path(__file__).resolve().parents[1]


class LiveServer:
    """gunicorn -c config/gunicorn.conf.py matcher.wsgi:app on a free port of 127.0.0.1."""

    def __init__(self, data_dir, workers=2, threads=2, **settings):
        self.data_dir = Path(data_dir)
        self.env = {**os.environ, "VUNGBUOC_DATA_DIR": str(self.data_dir),
                    "VUNGBUOC_WORKERS": str(workers), "VUNGBUOC_THREADS": str(threads),
                    "VUNGBUOC_SEARCH_BACKEND": "embedded", "VUNGBUOC_ENVIRONMENT": "testing",
                    **{f"VUNGBUOC_{k}": str(v) for k, v in settings.items()}}
        self.proc = self.url = self.log = None

    def cli(self, *args, stdin=None):
        """Run the ``matcher`` console script on this server's data directory."""
        script = Path(sys.executable).parent / "matcher"
        return subprocess.run([str(script), *args], input=stdin, text=True, env=self.env,
                              check=True, cwd=ROOT, capture_output=True).stdout

    def start(self, timeout=60):
        """Start gunicorn and wait until /healthz answers; returns the base URL."""
        port = free_port()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log = open(self.data_dir / "gunicorn.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{port}", "matcher.wsgi:app"],
            env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self.url
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("gunicorn did not start:\n" + self.log_text())
            time.sleep(0.3)

    def log_text(self):
        """What gunicorn printed so far."""
        return (self.data_dir / "gunicorn.log").read_text()

    def stop(self):
        """Stop gunicorn (SIGTERM, then SIGKILL after 15 s)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log is not None:
            self.log.close()
            self.log = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
