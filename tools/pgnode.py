"""Provision and run a throwaway PostgreSQL server for tests and local runs, without Docker.

The server binaries come from Debian's ``postgresql`` package (``/usr/lib/postgresql/*/bin``);
when they are missing and we run as root, the package is installed with apt-get.  Each node
is a fresh cluster (``initdb``) in its own directory, run by an unprivileged user when we are
root (PostgreSQL refuses root), listening on 127.0.0.1 only, on a free port, with trust
authentication and durability switched off (fsync, synchronous_commit, full_page_writes)
because the data is disposable.  Debian's own cluster (``main`` on 5432) is left alone.
Standard library only.

Python API::

    from tools.pgnode import PostgresNode, ProvisionError, find_bindir

    with PostgresNode() as node:           # start() on enter, stop() + cleanup on exit
        url = node.url                     # "postgresql+psycopg://postgres@127.0.0.1:PORT/vungbuoc"
        node.admin_url                     # the same, on the ``postgres`` maintenance database

Command line::

    python -m tools.pgnode start [--port N] [--dir D]   # detached; prints DATABASE_URL=...
    python -m tools.pgnode status [--dir D]
    python -m tools.pgnode stop [--dir D]

The command-line node keeps its directory (default: <cache>/run/default), so its data
survives ``stop`` and the next ``start``.

Environment:

    VUNGBUOC_PG_BINDIR         directory holding initdb, pg_ctl and postgres (otherwise the
                               newest /usr/lib/postgresql/*/bin, then pg_config --bindir)
    VUNGBUOC_PG_USER           user to run as when root (default: vungbuoc-pg)
    VUNGBUOC_PG_CACHE          state directory of the CLI node (default:
                               /var/cache/vungbuoc/postgres when root,
                               else ~/.cache/vungbuoc/postgres)
    VUNGBUOC_PG_NODE_BASE      parent directory for temporary node dirs (default: $TMPDIR)
    VUNGBUOC_PG_START_TIMEOUT  seconds to wait for the server to accept connections (default: 60)
    VUNGBUOC_PG_NO_INSTALL     set to 1 to never run apt-get
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import fcntl
import glob
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path
from . import _local
from ._local import ManagedServer, ProvisionError, cli_dir, read_state
from ._local import as_user_prefix as _as_user_prefix
from ._local import chown_tree as _chown_tree
from ._local import ensure_user as _ensure_user
from ._local import free_port as _free_port
from ._local import is_root as _is_root
from ._local import port_free as _port_free
from ._local import version_key as _vkey

__all__ = ["ProvisionError", "PostgresNode", "find_bindir", "provision", "cache_root"]

DEFAULT_USER = "vungbuoc-pg"
SUPERUSER = "postgres"
DEFAULT_DB = "vungbuoc"
_BINARIES = ("initdb", "pg_ctl", "postgres")




# --------------------------------------------------------------------------- helpers

_log = _local.make_log("pgnode", "VUNGBUOC_PG_QUIET")




def cache_root() -> Path:
    """State directory of the command-line node (created on demand)."""
    return _local.cache_root("postgres", "VUNGBUOC_PG_CACHE")


def _has_binaries(d: Path) -> bool:
    return all(os.access(d / b, os.X_OK) for b in _BINARIES)


def find_bindir() -> Path | None:
    """The directory of the PostgreSQL server binaries, or None."""
    env = os.environ.get("VUNGBUOC_PG_BINDIR")
    if env:
        return Path(env) if _has_binaries(Path(env)) else None
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_vkey, reverse=True):
        if _has_binaries(Path(d)):
            return Path(d)
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                 timeout=10, stdin=subprocess.DEVNULL).stdout.strip()
            if out and _has_binaries(Path(out)):
                return Path(out)
    return None


@contextlib.contextmanager
def _install_lock():
    """Serialise apt-get runs of parallel test processes (apt has its own lock too)."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / ".install.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _online_clusters() -> set[str]:
    """Debian clusters ("15/main") that are running, per pg_lsclusters."""
    tool = shutil.which("pg_lsclusters")
    if not tool:
        return set()
    try:
        out = subprocess.run([tool, "--no-header"], capture_output=True, text=True, timeout=30,
                             stdin=subprocess.DEVNULL).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    return {f"{f[0]}/{f[1]}" for f in (ln.split() for ln in out.splitlines())
            if len(f) >= 4 and f[3].startswith("online")}


def _apt_install() -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    before = _online_clusters()
    for cmd, timeout in ((["apt-get", "update"], 600),
                         (["apt-get", "install", "-y", "--no-install-recommends", "postgresql"], 1200)):
        _log(" ".join(cmd))
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise ProvisionError(f"{' '.join(cmd)} timed out") from None
        except OSError as exc:
            raise ProvisionError(f"cannot run apt-get: {exc}") from None
        if proc.returncode != 0:
            errs = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.startswith("E:")]
            reason = errs[0] if errs else f"exit {proc.returncode}"
            raise ProvisionError(f"{' '.join(cmd[:2])} failed: {reason}")
    # The package may have created and started Debian's default cluster: we do not use it,
    # so stop what the install started (it is not removed or disabled).
    ctl = shutil.which("pg_ctlcluster")
    for cluster in sorted(_online_clusters() - before):
        if ctl:
            _log(f"stopping Debian's cluster {cluster} started by the install")
            subprocess.run([ctl, *cluster.split("/"), "stop"], capture_output=True,
                           stdin=subprocess.DEVNULL, timeout=60)


def provision() -> Path:
    """The server binaries' directory, installing Debian's postgresql package if needed."""
    found = find_bindir()
    if found:
        return found
    if os.environ.get("VUNGBUOC_PG_BINDIR"):
        raise ProvisionError(f"VUNGBUOC_PG_BINDIR={os.environ['VUNGBUOC_PG_BINDIR']} lacks "
                             f"{', '.join(_BINARIES)}")
    if not _is_root() or os.environ.get("VUNGBUOC_PG_NO_INSTALL") == "1" or not shutil.which("apt-get"):
        raise ProvisionError("PostgreSQL server binaries not found (install Debian's postgresql "
                             "package, or set VUNGBUOC_PG_BINDIR)")
    with _install_lock():
        found = find_bindir()
        if found:
            return found
        _apt_install()
    found = find_bindir()
    if not found:
        raise ProvisionError("apt-get installed postgresql but no /usr/lib/postgresql/*/bin/initdb appeared")
    return found







def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rfind(")") + 2:].split()[0] not in ("Z", "X")


_LIVE_NODES: "weakref.WeakSet[PostgresNode]" = weakref.WeakSet()


@atexit.register
def _stop_live_nodes() -> None:
    for node in list(_LIVE_NODES):
        with contextlib.suppress(Exception):
            if not node._detached:
                node.stop(timeout=10)


# --------------------------------------------------------------------------- node

class PostgresNode(ManagedServer):
    """A throwaway PostgreSQL server bound to 127.0.0.1, with one database created.

    ``node_dir`` holds ``data/`` (the cluster), ``run/`` (the unix socket) and
    ``postgres.log``; when not given, a fresh temporary directory is used and removed
    on close() unless ``keep=True``.
    """

    def __init__(self, *, port: int | None = None, node_dir: str | os.PathLike | None = None,
                 keep: bool = False, dbname: str = DEFAULT_DB, user: str | None = None,
                 start_timeout: float | None = None, settings: dict | None = None) -> None:
        self.port = port
        self.keep = keep
        self.dbname = dbname
        self.user = user or os.environ.get("VUNGBUOC_PG_USER", DEFAULT_USER)
        self.start_timeout = float(start_timeout or os.environ.get("VUNGBUOC_PG_START_TIMEOUT", 60))
        self.extra_settings = dict(settings or {})
        self._own_dir = node_dir is None
        self.node_dir = Path(node_dir).resolve() if node_dir else None
        self.bindir: Path | None = None
        self.version: str | None = None
        self._prefix: list[str] = []
        self._pid: int | None = None
        self._detached = False
        self._closed = False

    # -- paths / properties
    def _dir(self) -> Path:
        if self.node_dir is None:
            raise ProvisionError("node directory not created yet: call start() first")
        return self.node_dir

    @property
    def data_dir(self) -> Path:
        return self._dir() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._dir() / "run"

    @property
    def log_file(self) -> Path:
        return self._dir() / "postgres.log"

    @property
    def pid(self) -> int | None:
        return self._pid

    def url_for(self, dbname: str) -> str:
        """The SQLAlchemy URL of database ``dbname`` on this server."""
        if self.port is None:
            raise ProvisionError("node has no port yet: call start() first")
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    @property
    def url(self) -> str:
        return self.url_for(self.dbname)

    @property
    def admin_url(self) -> str:
        """The URL of the ``postgres`` maintenance database (for CREATE/DROP DATABASE)."""
        return self.url_for("postgres")

    # -- lifecycle
    def is_running(self) -> bool:
        return _pid_alive(self._pid)

    def start(self) -> str:
        """Provision if needed, initdb (first time), start, create the database; return its URL."""
        if self._closed:
            raise ProvisionError("node was closed")
        if self.is_running():
            return self.url
        self.bindir = provision()
        self.version = self.bindir.parent.name
        pw = None
        if _is_root():
            pw = _ensure_user(self.user)
            self._prefix = _as_user_prefix(pw)
        self._prepare_dir(pw)
        if not (self.data_dir / "PG_VERSION").is_file():
            self._initdb()
        self._write_config()
        own_port = self.port is None
        for attempt in range(3):  # a free port can be taken between choosing and binding it
            if own_port:
                self.port = _free_port()
            elif not _port_free(self.port):
                raise ProvisionError(f"port {self.port} is already in use")
            try:
                self._pg_ctl_start()
                break
            except ProvisionError as exc:
                if not own_port or "already in use" not in str(exc) or attempt == 2:
                    raise
        _LIVE_NODES.add(self)
        try:
            self._create_database(self.dbname)
        except BaseException:
            self.stop(timeout=10)
            raise
        self._write_state()
        return self.url

    def _run(self, cmd: list[str], timeout: float = 120, what: str = "") -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update({"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "HOME": str(self._dir()),
                    "TZ": "UTC"})
        try:
            return subprocess.run(self._prefix + cmd, env=env, cwd=self._dir(), capture_output=True,
                                  text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                                  start_new_session=True)
        except subprocess.TimeoutExpired:
            raise ProvisionError(f"{what or cmd[0]} timed out after {timeout:.0f}s") from None
        except OSError as exc:
            raise ProvisionError(f"cannot run {cmd[0]}: {exc}") from None

    def _prepare_dir(self, pw) -> None:
        if self.node_dir is None:
            base = os.environ.get("VUNGBUOC_PG_NODE_BASE") or None
            self.node_dir = Path(tempfile.mkdtemp(prefix="vungbuoc-pg-", dir=base))
        self.node_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.node_dir, 0o700)
        self.socket_dir.mkdir(exist_ok=True)
        if pw is not None:
            _chown_tree(self.node_dir, pw.pw_uid, pw.pw_gid)
            if self._run(["test", "-w", str(self.node_dir)]).returncode != 0:
                raise ProvisionError(f"{self.node_dir} is not reachable by user {self.user}; set "
                                     f"VUNGBUOC_PG_NODE_BASE (or --dir) to a world-traversable directory")

    def _initdb(self) -> None:
        proc = self._run([str(self.bindir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
                          "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"],
                         what="initdb")
        if proc.returncode != 0:
            lines = [ln for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
            raise ProvisionError(f"initdb failed: {lines[-1] if lines else proc.returncode}")

    def _write_config(self) -> None:
        conf = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.socket_dir),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": 200,
            "shared_buffers": "64MB",
            "timezone": "UTC",
            "log_timezone": "UTC",
            "logging_collector": "off",
            **self.extra_settings,
        }
        lines = ["# written by tools/pgnode.py; the port is passed on the command line"]
        for key, value in conf.items():
            if isinstance(value, str):
                value = "'" + value.replace("'", "''") + "'"
            lines.append(f"{key} = {value}")
        (self.data_dir / "vungbuoc.conf").write_text("\n".join(lines) + "\n")
        main = self.data_dir / "postgresql.conf"
        text = main.read_text()
        if "include_if_exists = 'vungbuoc.conf'" not in text:
            main.write_text(text + "\ninclude_if_exists = 'vungbuoc.conf'\n")
        (self.data_dir / "pg_hba.conf").write_text(
            "# written by tools/pgnode.py: a disposable test server, trust on loopback only\n"
            "local all all trust\n"
            "host  all all 127.0.0.1/32 trust\n")
        if _is_root():
            pw = pwd.getpwnam(self.user)
            for name in ("vungbuoc.conf", "postgresql.conf", "pg_hba.conf"):
                os.chown(self.data_dir / name, pw.pw_uid, pw.pw_gid)

    def _pg_ctl_start(self) -> None:
        proc = self._run([str(self.bindir / "pg_ctl"), "start", "-D", str(self.data_dir),
                          "-l", str(self.log_file), "-w", "-t", str(int(self.start_timeout)),
                          "-o", f"-p {self.port}"], timeout=self.start_timeout + 30, what="pg_ctl start")
        pid = self._read_pid()
        if proc.returncode != 0 or not _pid_alive(pid):
            tail = self.log_tail(20)
            if "Address already in use" in tail or "could not bind" in tail:
                raise ProvisionError(f"port {self.port} already in use\n{tail}")
            first = next((ln for ln in tail.splitlines() if "FATAL" in ln or "ERROR" in ln),
                         (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"])
            first = first if isinstance(first, str) else first[0]
            raise ProvisionError(f"PostgreSQL did not start: {first.strip()}\n{tail}")
        self._pid = pid

    def _read_pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])
        return None

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run one SQL command with psql over the unix socket; return its output."""
        proc = self._run([str(self.bindir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                          "-h", str(self.socket_dir), "-p", str(self.port), "-U", SUPERUSER,
                          "-d", dbname, "-c", sql], timeout=60, what="psql")
        if proc.returncode != 0:
            raise ProvisionError(f"psql failed: {proc.stderr.strip().splitlines()[-1:] or proc.returncode}")
        return proc.stdout

    def _create_database(self, name: str) -> None:
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip()
        if not exists:
            self.psql(f'CREATE DATABASE "{name}"')

    def _write_state(self) -> None:
        state = {"pid": self._pid, "url": self.url, "port": self.port, "version": self.version,
                 "bindir": str(self.bindir), "node_dir": str(self._dir()), "started": time.time()}
        (self._dir() / "pgnode.json").write_text(json.dumps(state, indent=2) + "\n")

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server log."""
        if self.node_dir is None or not self.log_file.is_file():
            return "(no log output)"
        text = self.log_file.read_text(errors="replace").splitlines()[-lines:]
        return f"--- {self.log_file} (last {len(text)} lines) ---\n" + "\n".join(text)

    def stop(self, timeout: float = 30.0) -> None:
        """Fast shutdown with pg_ctl; SIGKILL the postmaster if it is still there after ``timeout``."""
        pid = self._pid or (self._read_pid() if self.node_dir else None)
        if not _pid_alive(pid):
            self._pid = None
            _LIVE_NODES.discard(self)
            return
        with contextlib.suppress(ProvisionError):
            bindir = self.bindir or find_bindir() or Path("/nonexistent")
            self._run([str(bindir / "pg_ctl"), "stop", "-D",
                       str(self.data_dir), "-m", "fast", "-w", "-t", str(int(timeout))],
                      timeout=timeout + 10, what="pg_ctl stop")
        deadline = time.monotonic() + 5
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _pid_alive(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        self._pid = None
        _LIVE_NODES.discard(self)

    def close(self) -> None:
        """Stop and remove the node directory (unless ``keep`` or the directory was given)."""
        self.stop()
        if not self.keep and self._own_dir and self.node_dir is not None and not self._closed:
            shutil.rmtree(self.node_dir, ignore_errors=True)
        self._closed = True


# --------------------------------------------------------------------------- CLI

def _default_cli_dir() -> Path:
    return cache_root() / "run" / "default"


def _read_state(d: Path) -> dict | None:
    return read_state(d / "pgnode.json")


def _cli_node(d: Path, port: int | None = None) -> PostgresNode:
    node = PostgresNode(port=port, node_dir=d, keep=True)
    node._detached = True
    return node


def _cmd_start(args) -> int:
    d = cli_dir(args.dir, _default_cli_dir())
    state = _read_state(d)
    node = _cli_node(d, args.port or (state or {}).get("port"))
    pid = node._read_pid() if (d / "data").is_dir() else None
    if state and _pid_alive(pid):
        print(f"DATABASE_URL={state['url']}")
        _log(f"already running (pid {pid}, dir {d})")
        return 0
    if node.port and not args.port and not _port_free(int(node.port)):
        node.port = None  # the previous port is taken by something else: pick a new one
    t0 = time.monotonic()
    url = node.start()
    _log(f"PostgreSQL {node.version} up in {time.monotonic() - t0:.1f}s; dir {d}; "
         f"stop with: python -m tools.pgnode stop" + (f" --dir {d}" if args.dir else ""))
    print(f"DATABASE_URL={url}", flush=True)
    return 0


def _cmd_stop(args) -> int:
    d = cli_dir(args.dir, _default_cli_dir())
    node = _cli_node(d)
    pid = node._read_pid() if (d / "data").is_dir() else None
    if not _pid_alive(pid):
        _log(f"no running server in {d}")
        return 0
    if _is_root():
        node._prefix = _as_user_prefix(pwd.getpwnam(node.user))
    node.bindir = find_bindir()
    node.stop(timeout=args.timeout)
    _log(f"stopped server pid {pid}")
    return 0


def _cmd_status(args) -> int:
    d = cli_dir(args.dir, _default_cli_dir())
    state = _read_state(d)
    pid = _cli_node(d)._read_pid() if (d / "data").is_dir() else None
    if state and _pid_alive(pid):
        print(f"DATABASE_URL={state['url']}")
        return 0
    _log(f"no running server in {d}")
    return 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.pgnode",
                                 description="Provision and run a local throwaway PostgreSQL server.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("start", help="start a detached server; prints DATABASE_URL=...")
    p.add_argument("--port", type=int)
    p.add_argument("--dir", help=f"node directory (default {_default_cli_dir()})")
    p = sub.add_parser("stop", help="stop the server started with `start`")
    p.add_argument("--dir")
    p.add_argument("--timeout", type=float, default=30.0)
    p = sub.add_parser("status", help="print DATABASE_URL if running (exit 1 otherwise)")
    p.add_argument("--dir")
    args = ap.parse_args(argv)
    try:
        return {"start": _cmd_start, "stop": _cmd_stop, "status": _cmd_status}[args.cmd](args)
    except (ProvisionError, OSError) as exc:
        print(f"pgnode: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
