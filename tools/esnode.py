"""Provision and run a real Elasticsearch 9.x node for tests and local runs, without Docker.

The node is the official ``integ-test-zip`` distribution of Elasticsearch, fetched from
Maven Central with ``mvn dependency:copy`` into a cache outside the repository, unpacked
once, and run on a JDK 21+ found on the machine.  Standard library only.

Python API::

    from tools.esnode import ElasticsearchNode, provision, ProvisionError

    with ElasticsearchNode() as node:      # start() on enter, stop() + cleanup on exit
        url = node.url                     # "http://127.0.0.1:PORT"
        node.restart()                     # same port, same data dir: data survives

    home = provision()                     # fetch + unpack only; returns ES_HOME

Command line::

    python -m tools.esnode fetch                       # prefetch only
    python -m tools.esnode start [--port N] [--pidfile F] [--dir D]   # detached; prints ES_URL=...
    python -m tools.esnode status [--dir D]
    python -m tools.esnode stop [--dir D]

Environment:

    VUNGBUOC_ES_VERSION      pin the version (e.g. 9.5.4); otherwise the newest that resolves
    VUNGBUOC_ES_CACHE        cache directory (default: /var/cache/vungbuoc/elasticsearch when
                             root, else ~/.cache/vungbuoc/elasticsearch)
    VUNGBUOC_ES_JAVA_HOME    JDK to use (otherwise ES_JAVA_HOME, JAVA_HOME, /usr/lib/jvm/*)
    VUNGBUOC_ES_USER         user to run as when root (default: vungbuoc-es)
    VUNGBUOC_ES_HEAP         heap size (default: 512m)
    VUNGBUOC_ES_JAVA_OPTS    extra JVM options appended to ES_JAVA_OPTS
    VUNGBUOC_ES_NODE_BASE    parent directory for temporary node dirs (default: $TMPDIR)
    VUNGBUOC_ES_START_TIMEOUT  seconds to wait for a yellow cluster (default: 180)
    VUNGBUOC_MAVEN_REPO      Maven repository base used to probe versions
                             (default: https://repo.maven.apache.org/maven2)

What the integ-test-zip is NOT: it ships only the modules apm, transport-netty4,
x-pack-core and x-pack-security (checked on 9.5.4).  Core search, mappings (text, keyword,
numbers, dates, completion, dense_vector...), bulk, aliases, terms aggregations, highlighting,
fuzziness and the standard/simple/whitespace/keyword analyzers with the ``lowercase`` and
``stop`` filters work.  Missing: ``GET /`` (so the Python client's ``info()`` raises 405 and
``ping()`` returns False: use ``cluster.health()`` instead), analysis-common filters such as
``asciifolding``/``edge_ngram``/``icu_*`` (fold Vietnamese diacritics in Python before
indexing), painless scripts, ``_reindex``/``_update_by_query``/``_delete_by_query``,
``search_as_you_type``, ingest pipelines.  No full 9.x distribution is on Maven Central.

Why the cache lives in /var/cache when running as root: Elasticsearch refuses to run as
root, so the node runs as an unprivileged system user, which must be able to read the
distribution.  /root is mode 700, so a cache under ~/.cache would be unreadable to that
user; rather than loosening /root, the root default is a world-traversable system cache.
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
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import weakref
import xml.etree.ElementTree as ET
import zipfile
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

__all__ = [
    "ProvisionError",
    "ElasticsearchNode",
    "provision",
    "resolve_version",
    "find_java_home",
    "cache_root",
    "GROUP_ID",
    "ARTIFACT_ID",
    "CANDIDATE_VERSIONS",
]

GROUP_ID = "org.elasticsearch.distribution.integ-test-zip"
ARTIFACT_ID = "elasticsearch"
DEFAULT_REPO = "https://repo.maven.apache.org/maven2"
DEFAULT_USER = "vungbuoc-es"
CLUSTER_NAME = "vungbuoc-es"
MIN_JAVA = 21

# Versions of the integ-test-zip seen on Maven Central (the artifact is published sparsely:
# many patch releases are missing, and maven-metadata.xml lists no 9.x at all).  Newest
# first.  The speculative ones are only tried by a cheap HTTPS HEAD probe; the known ones
# are also tried one by one with mvn when the probe cannot reach the repository.
_SPECULATIVE_VERSIONS = ["9.6.2", "9.6.1", "9.6.0", "9.5.8", "9.5.7", "9.5.6", "9.5.5"]
_KNOWN_VERSIONS = ["9.5.4", "9.5.3", "9.5.2", "9.3.2", "9.2.4", "9.2.0",
                   "9.1.5", "9.1.0", "9.0.8", "9.0.1", "9.0.0"]
CANDIDATE_VERSIONS = _SPECULATIVE_VERSIONS + _KNOWN_VERSIONS




# --------------------------------------------------------------------------- helpers

_log = _local.make_log("esnode", "VUNGBUOC_ES_QUIET")




def cache_root() -> Path:
    """The cache directory (created on demand)."""
    return _local.cache_root("elasticsearch", "VUNGBUOC_ES_CACHE")


def _ensure_dir(p: Path, mode: int = 0o755) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):
        p.chmod(mode)
    return p


@contextlib.contextmanager
def _locked(root: Path):
    """Serialise provisioning across processes (e.g. parallel test workers)."""
    try:
        _ensure_dir(root)
        fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    except PermissionError:
        try:  # a read-only shared cache: flock works on a read-only descriptor too
            fd = os.open(root / ".lock", os.O_RDONLY)
        except OSError as exc:
            raise ProvisionError(f"cache directory {root} is not usable: {exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _repo_base() -> str:
    return os.environ.get("VUNGBUOC_MAVEN_REPO", DEFAULT_REPO).rstrip("/")


def _artifact_url(version: str) -> str:
    return (f"{_repo_base()}/{GROUP_ID.replace('.', '/')}/{ARTIFACT_ID}/{version}/"
            f"{ARTIFACT_ID}-{version}.zip")


def _probe(version: str) -> bool | None:
    """HEAD the zip on the repository: True/False, or None when the repo is unreachable."""
    req = urllib.request.Request(_artifact_url(version), method="HEAD")
    try:
        with urllib.request.urlopen(req, timeout=15) as resp:
            return resp.status == 200
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return False
        return None
    except (urllib.error.URLError, OSError):
        return None


def _metadata_versions() -> list[str]:
    """9.x versions listed in maven-metadata.xml (currently none, but it may catch up)."""
    url = f"{_repo_base()}/{GROUP_ID.replace('.', '/')}/{ARTIFACT_ID}/maven-metadata.xml"
    try:
        with urllib.request.urlopen(url, timeout=15) as resp:
            root = ET.fromstring(resp.read())
    except Exception:
        return []
    return [v.text.strip() for v in root.iter("version")
            if v.text and re.fullmatch(r"9\.\d+\.\d+", v.text.strip())]


def _mvn_copy(version: str, dest: Path) -> Path:
    """Download the zip with mvn into dest; return its path or raise ProvisionError."""
    mvn = shutil.which("mvn")
    if not mvn:
        raise ProvisionError("mvn not found on PATH: cannot fetch Elasticsearch from Maven Central")
    _ensure_dir(dest)
    target = dest / f"{ARTIFACT_ID}-{version}.zip"
    if target.is_file() and zipfile.is_zipfile(target):
        return target
    cmd = [mvn, "-q", "-B", "-U", "dependency:copy",
           f"-Dartifact={GROUP_ID}:{ARTIFACT_ID}:{version}:zip",
           f"-DoutputDirectory={dest}"]
    # cwd must not contain a pom.xml, or mvn would build that project instead.
    try:
        proc = subprocess.run(cmd, cwd=dest, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=1800)
    except subprocess.TimeoutExpired:
        raise ProvisionError(f"mvn timed out fetching Elasticsearch {version}") from None
    if proc.returncode != 0 or not target.is_file():
        out = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
        errs = [ln.replace("[ERROR]", "").strip() for ln in out.splitlines() if "[ERROR]" in ln]
        reason = next((e for e in errs if e), out.strip()[-300:] or f"exit {proc.returncode}")
        raise ProvisionError(f"mvn could not fetch Elasticsearch {version}: {reason[:400]}")
    return target


def resolve_version(version: str | None = None, *, refresh: bool = False) -> str:
    """Pick the Elasticsearch version: explicit > $VUNGBUOC_ES_VERSION > cached choice >
    newest unpacked in the cache > newest candidate that exists on Maven Central."""
    version = version or os.environ.get("VUNGBUOC_ES_VERSION")
    if version:
        return version.strip()
    root = cache_root()
    marker = root / "resolved-version"
    if not refresh and marker.is_file():
        v = marker.read_text().strip()
        if v:
            return v
    if not refresh:
        homes = sorted((p.name.split("-", 1)[1] for p in root.glob("elasticsearch-9.*")
                        if (p / ".vungbuoc-unpacked").exists()), key=_vkey, reverse=True)
        if homes:
            _ensure_dir(root)
            marker.write_text(homes[0] + "\n")
            return homes[0]
    candidates = sorted(set(CANDIDATE_VERSIONS) | set(_metadata_versions()), key=_vkey, reverse=True)
    found = None
    reachable = False
    for v in candidates:
        ok = _probe(v)
        if ok is None:
            break
        reachable = True
        if ok:
            found = v
            break
    if found is None and not reachable:
        # No direct HTTPS (proxy/mirror setups): let mvn try the known versions one by one.
        _log("repository not reachable over HTTPS; trying versions with mvn (slow)")
        for v in _KNOWN_VERSIONS:
            try:
                _mvn_copy(v, _ensure_dir(root / "dist"))
                found = v
                break
            except ProvisionError as exc:
                if "mvn not found" in str(exc):
                    raise
                _log(f"{v}: {exc}")
    if found is None:
        raise ProvisionError("no Elasticsearch 9.x integ-test-zip could be resolved from Maven Central")
    _ensure_dir(root)
    marker.write_text(found + "\n")
    return found


def _unpack(zip_path: Path, root: Path, version: str) -> Path:
    home = root / f"elasticsearch-{version}"
    tmp = Path(tempfile.mkdtemp(prefix=".unpack-", dir=root))
    try:
        with zipfile.ZipFile(zip_path) as zf:
            for info in zf.infolist():
                out = zf.extract(info, tmp)
                mode = (info.external_attr >> 16) & 0o777
                if mode and not info.is_dir():
                    os.chmod(out, mode | 0o444)  # keep exec bits, make readable to all
        inner = tmp / f"elasticsearch-{version}"
        if not (inner / "bin" / "elasticsearch").is_file():
            raise ProvisionError(f"unexpected layout in {zip_path.name}: no bin/elasticsearch")
        for d, _dirs, files in os.walk(inner):
            os.chmod(d, 0o755)
            for f in files:
                p = os.path.join(d, f)
                os.chmod(p, os.stat(p).st_mode | 0o444)
        for f in (inner / "bin").iterdir():
            f.chmod(0o755)
        if home.exists():
            shutil.rmtree(home)
        inner.rename(home)
        (home / ".vungbuoc-unpacked").write_text(version + "\n")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return home


def _ready(home: Path) -> bool:
    return (home / ".vungbuoc-unpacked").exists() and (home / "bin" / "elasticsearch").is_file()


def provision(version: str | None = None) -> Path:
    """Fetch (via mvn) and unpack Elasticsearch once; return its home directory."""
    root = cache_root()
    pinned = version or os.environ.get("VUNGBUOC_ES_VERSION")
    marker = root / "resolved-version"
    known = pinned or (marker.read_text().strip() if marker.is_file() else "")
    if known and _ready(root / f"elasticsearch-{known.strip()}"):
        return root / f"elasticsearch-{known.strip()}"  # fast path, no lock, works read-only
    with _locked(root):
        v = resolve_version(version)
        home = root / f"elasticsearch-{v}"
        if _ready(home):
            return home
        t0 = time.monotonic()
        _log(f"fetching Elasticsearch {v} with mvn into {root}")
        zip_path = _mvn_copy(v, _ensure_dir(root / "dist"))
        _log(f"unpacking {zip_path.name}")
        home = _unpack(zip_path, root, v)
        zip_path.unlink(missing_ok=True)  # mvn keeps its own copy in ~/.m2
        _log(f"Elasticsearch {v} ready at {home} ({time.monotonic() - t0:.1f}s)")
        return home


# --------------------------------------------------------------------------- JDK

def _java_major(java: Path) -> int | None:
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True,
                             timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major


def find_java_home(min_major: int = MIN_JAVA) -> Path:
    """A JDK home whose bin/java is >= min_major (newest wins unless one is set explicitly)."""
    explicit = [os.environ.get(k) for k in ("VUNGBUOC_ES_JAVA_HOME", "ES_JAVA_HOME", "JAVA_HOME")]
    for h in filter(None, explicit):
        java = Path(h) / "bin" / "java"
        major = _java_major(java) if java.is_file() else None
        if major and major >= min_major:
            return Path(h).resolve()
    seen: dict[Path, int] = {}
    cands = [Path(p) for p in glob.glob("/usr/lib/jvm/*")] + [Path(p) for p in glob.glob("/opt/java/*")]
    on_path = shutil.which("java")
    if on_path:
        cands.append(Path(os.path.realpath(on_path)).parent.parent)
    for h in cands:
        h = h.resolve()
        java = h / "bin" / "java"
        if h in seen or not java.is_file():
            continue
        major = _java_major(java)
        if major:
            seen[h] = major
    good = sorted(((m, str(h)) for h, m in seen.items() if m >= min_major), reverse=True)
    if not good:
        found = ", ".join(f"{h} ({m})" for h, m in seen.items()) or "none"
        raise ProvisionError(f"no JDK {min_major}+ found (searched $JAVA_HOME and /usr/lib/jvm; found: {found})")
    return Path(good[0][1])


# --------------------------------------------------------------------------- user




def _check_readable_by(prefix: list[str], paths: list[Path]) -> None:
    for p in paths:
        test = ["test", "-x" if p.name in ("java", "elasticsearch") else "-r", str(p)]
        if subprocess.run(prefix + test, stdin=subprocess.DEVNULL).returncode != 0:
            raise ProvisionError(
                f"{p} is not readable by the unprivileged Elasticsearch user; put the cache in a "
                f"world-traversable place (unset VUNGBUOC_ES_CACHE to use /var/cache/vungbuoc/elasticsearch)")


# --------------------------------------------------------------------------- node



def _group_alive(pgid: int) -> bool:
    """True while any non-zombie process of the process group exists."""
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            data = Path(stat).read_text()
        except OSError:
            continue
        fields = data[data.rfind(")") + 2:].split()
        # fields[0]=state, fields[1]=ppid, fields[2]=pgrp
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def _is_es_process(pid: int) -> bool:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"elasticsearch" in cmd


def _kill_group(pgid: int, timeout: float, proc: subprocess.Popen | None = None) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None:
            proc.poll()
        if not _group_alive(pgid):
            break
        time.sleep(0.2)
    else:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
        end = time.monotonic() + 15
        while _group_alive(pgid) and time.monotonic() < end:
            if proc is not None:
                proc.poll()
            time.sleep(0.1)
    if proc is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


_LIVE_NODES: "weakref.WeakSet[ElasticsearchNode]" = weakref.WeakSet()


@atexit.register
def _stop_live_nodes() -> None:
    for node in list(_LIVE_NODES):
        with contextlib.suppress(Exception):
            if not node._detached:
                node.stop(timeout=10)


class ElasticsearchNode(ManagedServer):
    """A single-node Elasticsearch cluster bound to 127.0.0.1.

    ``node_dir`` holds ``config/``, ``data/``, ``logs/`` and ``tmp/``; when not given a
    fresh temporary directory is used and removed on close() unless ``keep=True``.
    """

    def __init__(self, version: str | None = None, *, port: int | None = None,
                 transport_port: int | None = None, node_dir: str | os.PathLike | None = None,
                 keep: bool = False, heap: str | None = None, start_timeout: float | None = None,
                 stop_timeout: float = 30.0, settings: dict | None = None,
                 user: str | None = None) -> None:
        self.requested_version = version
        self.version: str | None = None
        self.home: Path | None = None
        self.java_home: Path | None = None
        self.port = port
        self.transport_port = transport_port
        self.keep = keep
        self.heap = heap or os.environ.get("VUNGBUOC_ES_HEAP", "512m")
        self.start_timeout = float(start_timeout or os.environ.get("VUNGBUOC_ES_START_TIMEOUT", 180))
        self.stop_timeout = stop_timeout
        self.extra_settings = dict(settings or {})
        self.user = user or os.environ.get("VUNGBUOC_ES_USER", DEFAULT_USER)
        self._own_dir = node_dir is None
        self.node_dir = Path(node_dir).resolve() if node_dir else None
        self._proc: subprocess.Popen | None = None
        self._pid: int | None = None
        self._detached = False
        self._closed = False

    # -- paths / properties
    @property
    def url(self) -> str:
        if self.port is None:
            raise ProvisionError("node has no port yet: call start() first")
        return f"http://127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self._dir() / "data"

    @property
    def log_dir(self) -> Path:
        return self._dir() / "logs"

    @property
    def config_dir(self) -> Path:
        return self._dir() / "config"

    @property
    def pid(self) -> int | None:
        return self._pid

    def _dir(self) -> Path:
        if self.node_dir is None:
            raise ProvisionError("node directory not created yet: call start() first")
        return self.node_dir

    # -- lifecycle
    def is_running(self) -> bool:
        if self._pid is None:
            return False
        if self._proc is not None:
            self._proc.poll()  # reap the launcher if it exited
        return _group_alive(self._pid)

    def start(self) -> str:
        """Start the node (provisioning first if needed) and wait for yellow; return the URL."""
        if self._closed:
            raise ProvisionError("node was closed")
        if self.is_running():
            return self.url
        self.home = provision(self.requested_version)
        self.version = self.home.name.split("-", 1)[1]
        self.java_home = find_java_home()
        prefix: list[str] = []
        pw = None
        if _is_root():
            pw = _ensure_user(self.user)
            prefix = _as_user_prefix(pw)
            _check_readable_by(prefix, [self.home / "bin" / "elasticsearch",
                                        self.home / "lib" / f"elasticsearch-{self.version}.jar",
                                        self.java_home / "bin" / "java"])
        self._prepare_dir(pw)
        if self.port is None:
            self.port = _free_port()
        elif not _port_free(self.port):
            raise ProvisionError(f"HTTP port {self.port} is already in use")
        if self.transport_port is None:
            self.transport_port = _free_port({self.port})
        self._write_config()

        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ES_", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"))}
        env.update({
            "ES_JAVA_HOME": str(self.java_home),
            "ES_PATH_CONF": str(self.config_dir),
            "ES_TMPDIR": str(self._dir() / "tmp"),
            "ES_JAVA_OPTS": " ".join(filter(None, [f"-Xms{self.heap} -Xmx{self.heap}",
                                                   os.environ.get("VUNGBUOC_ES_JAVA_OPTS", "")])),
            "HOME": str(self._dir()),
            "LC_ALL": "C.UTF-8",
        })
        env.pop("JAVA_HOME", None)
        cmd = prefix + [str(self.home / "bin" / "elasticsearch"),
                        "-p", str(self._dir() / "elasticsearch.pid")]
        console = open(self.log_dir / "console.log", "ab")
        try:
            self._proc = subprocess.Popen(cmd, cwd=self._dir(), env=env, stdin=subprocess.DEVNULL,
                                          stdout=console, stderr=subprocess.STDOUT,
                                          start_new_session=True, close_fds=True)
        except OSError as exc:
            raise ProvisionError(f"cannot launch Elasticsearch: {exc}") from None
        finally:
            console.close()
        self._pid = self._proc.pid
        _LIVE_NODES.add(self)
        self._write_state()
        try:
            self._wait_ready()
        except BaseException:
            self.stop(timeout=10)
            raise
        return self.url

    def _prepare_dir(self, pw) -> None:
        if self.node_dir is None:
            base = os.environ.get("VUNGBUOC_ES_NODE_BASE") or None
            self.node_dir = Path(tempfile.mkdtemp(prefix="vungbuoc-es-", dir=base))
        _ensure_dir(self.node_dir, 0o755)
        for sub in ("data", "logs", "tmp"):
            (self.node_dir / sub).mkdir(exist_ok=True)
        if not (self.config_dir / "jvm.options").is_file():
            shutil.copytree(self.home / "config", self.config_dir, dirs_exist_ok=True)
        if pw is not None:
            _chown_tree(self.node_dir, pw.pw_uid, pw.pw_gid)

    def _write_config(self) -> None:
        modules = self.home / "modules"
        s: dict[str, object] = {
            "cluster.name": CLUSTER_NAME,
            "node.name": "vungbuoc-es-node",
            "path.data": str(self.data_dir),
            "path.logs": str(self.log_dir),
            "network.host": "127.0.0.1",
            "http.port": self.port,
            "transport.port": self.transport_port,
            "discovery.type": "single-node",
            "cluster.routing.allocation.disk.threshold_enabled": False,
            "action.destructive_requires_name": False,
        }
        # Only settings whose module ships in this distribution: unknown settings are fatal.
        if (modules / "x-pack-core").is_dir():
            s["xpack.security.enabled"] = False
        if (modules / "x-pack-ml").is_dir():
            s["xpack.ml.enabled"] = False
        if (modules / "ingest-geoip").is_dir():
            s["ingest.geoip.downloader.enabled"] = False
        if (modules / "x-pack-monitoring").is_dir():
            s["xpack.monitoring.collection.enabled"] = False
        s.update(self.extra_settings)
        lines = ["# written by tools/esnode.py"] + [f"{k}: {json.dumps(v)}" for k, v in s.items()]
        path = self.config_dir / "elasticsearch.yml"
        path.write_text("\n".join(lines) + "\n")
        if _is_root():
            pw = pwd.getpwnam(self.user)
            os.chown(path, pw.pw_uid, pw.pw_gid)

    def _write_state(self) -> None:
        state = {"pid": self._pid, "url": self.url, "port": self.port,
                 "transport_port": self.transport_port, "version": self.version,
                 "home": str(self.home), "java_home": str(self.java_home),
                 "node_dir": str(self._dir()), "started": time.time()}
        (self._dir() / "esnode.json").write_text(json.dumps(state, indent=2) + "\n")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        health = f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=5s"
        last = "no answer"
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise ProvisionError(
                    f"Elasticsearch exited with code {self._proc.returncode} during startup\n"
                    + self.log_tail())
            try:
                with urllib.request.urlopen(health, timeout=10) as resp:
                    body = json.loads(resp.read())
                if body.get("status") in ("yellow", "green") and not body.get("timed_out"):
                    return
                last = f"status {body.get('status')}"
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
            except (urllib.error.URLError, OSError, ValueError) as exc:
                last = str(getattr(exc, "reason", exc))
            time.sleep(0.5)
        raise ProvisionError(f"Elasticsearch did not become yellow within {self.start_timeout:.0f}s "
                             f"({last})\n" + self.log_tail())

    def log_tail(self, lines: int = 60) -> str:
        """The last lines of the node's server log and console output."""
        out = []
        for name in (f"{CLUSTER_NAME}.log", "console.log"):
            p = self.log_dir / name if self.node_dir else None
            if p and p.is_file():
                text = p.read_text(errors="replace").splitlines()[-lines:]
                out.append(f"--- {p} (last {len(text)} lines) ---\n" + "\n".join(text))
        return "\n".join(out) or "(no log output)"

    def stop(self, timeout: float | None = None) -> None:
        """SIGTERM the node's process group, SIGKILL after `timeout`, wait until it is gone."""
        if self._pid is None:
            return
        _kill_group(self._pid, self.stop_timeout if timeout is None else timeout, self._proc)
        self._proc = None
        self._pid = None
        _LIVE_NODES.discard(self)
        if self.node_dir is not None:
            _mark_stopped(self.node_dir)

    def restart(self) -> str:
        """Stop, then start again on the same HTTP/transport ports and the same data dir."""
        self.stop()
        deadline = time.monotonic() + 30
        while not _port_free(self.port) and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.start()

    def close(self) -> None:
        """Stop and remove the node directory (or only its data when the dir was given)."""
        self.stop()
        if not self.keep and self.node_dir is not None and not self._closed:
            if self._own_dir:
                shutil.rmtree(self.node_dir, ignore_errors=True)
            else:
                shutil.rmtree(self.data_dir, ignore_errors=True)
        self._closed = True


# --------------------------------------------------------------------------- CLI

def _default_cli_dir() -> Path:
    return cache_root() / "run" / "default"


def _read_state(d: Path) -> dict | None:
    return read_state(d / "esnode.json")


def _mark_stopped(d: Path) -> None:
    """Keep the state file (so the next `start` reuses the port) but clear the pid."""
    state = _read_state(d)
    if state is not None:
        state["pid"] = None
        with contextlib.suppress(OSError):
            (d / "esnode.json").write_text(json.dumps(state, indent=2) + "\n")


def _state_alive(state: dict | None) -> bool:
    if not state or not state.get("pid"):
        return False
    pid = int(state["pid"])
    return _group_alive(pid) and any(
        _is_es_process(int(p.split("/")[2])) for p in glob.glob("/proc/[0-9]*/stat")
        if _pgrp_of(p) == pid)


def _pgrp_of(stat_path: str) -> int | None:
    try:
        data = Path(stat_path).read_text()
        return int(data[data.rfind(")") + 2:].split()[2])
    except (OSError, ValueError, IndexError):
        return None


def _cmd_fetch(args) -> int:
    t0 = time.monotonic()
    home = provision(args.version)
    print(f"ES_HOME={home}")
    print(f"ES_VERSION={home.name.split('-', 1)[1]}")
    _log(f"done in {time.monotonic() - t0:.1f}s")
    return 0


def _cmd_start(args) -> int:
    d = cli_dir(args.dir, _default_cli_dir())
    state = _read_state(d)
    if _state_alive(state):
        print(f"ES_URL={state['url']}")
        _log(f"already running (pid {state['pid']}, dir {d})")
        return 0
    port = args.port or (state or {}).get("port")
    if port and not args.port and not _port_free(int(port)):
        port = None  # previous port taken by something else: pick a new one
    node = ElasticsearchNode(args.version, port=port, node_dir=d, keep=True,
                             start_timeout=args.timeout)
    node._detached = True
    t0 = time.monotonic()
    url = node.start()
    if args.pidfile:
        Path(args.pidfile).write_text(f"{node.pid}\n")
    _log(f"Elasticsearch {node.version} up in {time.monotonic() - t0:.1f}s; dir {d}; "
         f"stop with: python -m tools.esnode stop" + (f" --dir {d}" if args.dir else ""))
    print(f"ES_URL={url}", flush=True)
    return 0


def _cmd_stop(args) -> int:
    d = cli_dir(args.dir, _default_cli_dir())
    state = _read_state(d)
    if not _state_alive(state):
        _mark_stopped(d)
        _log(f"no running node in {d}")
        return 0
    _kill_group(int(state["pid"]), args.timeout)
    _mark_stopped(d)
    _log(f"stopped node pid {state['pid']} ({state.get('url')})")
    return 0


def _cmd_status(args) -> int:
    d = cli_dir(args.dir, _default_cli_dir())
    state = _read_state(d)
    if _state_alive(state):
        print(f"ES_URL={state['url']}")
        return 0
    _log(f"no running node in {d}")
    return 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.esnode",
                                 description="Provision and run a local Elasticsearch 9.x node.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("fetch", help="download and unpack only")
    p.add_argument("--version")
    p = sub.add_parser("start", help="start a detached node; prints ES_URL=...")
    p.add_argument("--version")
    p.add_argument("--port", type=int)
    p.add_argument("--pidfile")
    p.add_argument("--dir", help=f"node directory (default {_default_cli_dir()})")
    p.add_argument("--timeout", type=float, default=None, help="start timeout in seconds")
    p = sub.add_parser("stop", help="stop the node started with `start`")
    p.add_argument("--dir")
    p.add_argument("--timeout", type=float, default=30.0)
    p = sub.add_parser("status", help="print ES_URL if running (exit 1 otherwise)")
    p.add_argument("--dir")
    args = ap.parse_args(argv)
    try:
        return {"fetch": _cmd_fetch, "start": _cmd_start, "stop": _cmd_stop,
                "status": _cmd_status}[args.cmd](args)
    except (ProvisionError, OSError) as exc:
        print(f"esnode: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
