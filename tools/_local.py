"""What the local test servers (tools.esnode, tools.pgnode) share: ports, users, lifecycle.

Both start a real server on 127.0.0.1 for tests and local runs, as an unprivileged system
user when we are root (Elasticsearch and PostgreSQL both refuse to run as root).
"""
import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path


def make_log(tag: str, quiet_env: str):
    """A progress logger to stderr, ``[tag] message``, silenced by ``quiet_env=1``."""
    def log(msg: str) -> None:
        if os.environ.get(quiet_env) != "1":
            print(f"[{tag}] {msg}", file=sys.stderr, flush=True)
    return log


def cache_root(name: str, env: str) -> Path:
    """A tool's cache/state directory: ``$env`` if set, else /var/cache/vungbuoc/<name>
    as root (world-traversable, so an unprivileged server user can reach it), else the
    user's XDG cache."""
    if os.environ.get(env):
        return Path(os.environ[env]).expanduser().resolve()
    if is_root():
        return Path("/var/cache/vungbuoc") / name
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "vungbuoc" / name


class ProvisionError(RuntimeError):
    """A server could not be provisioned or started; the first line says why."""


def is_root() -> bool:
    """True when running as root."""
    return os.geteuid() == 0


def version_key(text: str) -> tuple:
    """A sortable key of a version string or a path holding one ("9.5.4", ".../15/bin")."""
    return tuple(int(p) if p.isdigit() else 0 for p in re.split(r"[.\-/]", text) if p)


def ensure_user(name: str) -> pwd.struct_passwd:
    """The system user ``name``, created (no home, no login shell) if missing."""
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(name)
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    proc = subprocess.run([useradd, "--system", "--user-group", "--no-create-home", "--home-dir",
                           "/nonexistent", "--shell", "/usr/sbin/nologin", name],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if proc.returncode not in (0, 9):  # 9: already exists (race with another process)
        raise ProvisionError(f"cannot create system user {name!r}: "
                             f"{proc.stderr.strip() or proc.returncode}")
    return pwd.getpwnam(name)


def as_user_prefix(pw: pwd.struct_passwd) -> list[str]:
    """A command prefix that runs the rest as ``pw`` (exec'd directly, so the pid is the server's)."""
    setpriv = shutil.which("setpriv")
    if setpriv:
        return [setpriv, f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--init-groups", "--"]
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", pw.pw_name, "--"]
    raise ProvisionError("running as root but neither setpriv nor runuser is available to "
                         "drop privileges")


def chown_tree(path: Path, uid: int, gid: int) -> None:
    """chown ``path`` and everything below it."""
    os.chown(path, uid, gid)
    for d, dirs, files in os.walk(path):
        for n in dirs + files:
            with contextlib.suppress(FileNotFoundError):
                os.lchown(os.path.join(d, n), uid, gid)


def free_port(exclude=frozenset()) -> int:
    """A TCP port free on 127.0.0.1 right now (and not in ``exclude``)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in exclude:
            return port
    raise ProvisionError("could not find a free TCP port")


def port_free(port: int) -> bool:
    """True when ``port`` can be bound on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


class ManagedServer:
    """Context-manager protocol for a server with start() and close()."""

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        version = getattr(self, "version", None) or getattr(self, "requested_version", None)
        node_dir = getattr(self, "node_dir", None)
        return (f"{type(self).__name__}(version={version!r}, port={self.port}, "
                f"node_dir={str(node_dir) if node_dir else None!r}, "
                f"running={self.is_running()})")


def read_state(path: Path):
    """The JSON state file a detached server left (None when missing or unreadable)."""
    import json
    with contextlib.suppress(OSError, ValueError):
        return json.loads(path.read_text())
    return None


def cli_dir(arg, default: Path) -> Path:
    """The node directory a CLI command works on: ``--dir`` or the default."""
    return Path(arg).resolve() if arg else default
