"""Settings: defaults from config/settings.toml, then VUNGBUOC_* environment, then overrides."""
import os
import secrets
import tomllib
from importlib import resources
from pathlib import Path

PREFIX = "VUNGBUOC_"
# Conventional names read without the prefix as well (the prefixed one wins).
_BARE = ("DATABASE_URL", "ES_URL")


def config_path(name):
    """Path of a file shipped in the configuration package."""
    return resources.files("vungbuoc_config").joinpath(name)


def defaults():
    """The documented defaults."""
    with config_path("settings.toml").open("rb") as fh:
        return tomllib.load(fh)


def _coerce(default, raw):
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def load_settings(overrides=None, environ=None):
    """Build the settings dict; relative paths are resolved against the working directory."""
    environ = os.environ if environ is None else environ
    settings = defaults()
    for name, default in list(settings.items()):
        raw = environ.get(PREFIX + name)
        if raw is None and name in _BARE:
            raw = environ.get(name)
        if raw is not None:
            settings[name] = _coerce(default, raw)
    settings.update(overrides or {})
    data_dir = Path(settings["DATA_DIR"]).resolve()
    settings["DATA_DIR"] = str(data_dir)
    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = f"sqlite:///{data_dir / 'vungbuoc.db'}"
    return settings


def _private(path, mode):
    """chmod ``path`` to ``mode`` when it is ours (a shared directory we do not own stays).

    A SQLite WAL or shared-memory file may be gone by the time we look: SQLite removes
    them when another process closes the database's last connection."""
    try:
        if path.stat().st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except (PermissionError, FileNotFoundError):
        pass


def sqlite_path(url):
    """The file of a SQLite URL, or None for other databases and in-memory SQLite."""
    if not url.startswith("sqlite:///") or url in ("sqlite://", "sqlite:///:memory:"):
        return None
    return Path(url.removeprefix("sqlite:///").split("?", 1)[0])


def ensure_data_dir(settings):
    """Create the data directory (0700) if missing and return it.

    It holds the store, the index and the generated secrets, so only its owner may
    enter it; a SQLite store file (and its WAL files, which SQLite creates with the
    same mode) is made 0600 before SQLite first opens it.
    """
    path = Path(settings["DATA_DIR"])
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _private(path, 0o700)
    db = sqlite_path(settings.get("DATABASE_URL") or "")
    if db is not None:
        db.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not db.exists():
            os.close(os.open(db, os.O_WRONLY | os.O_CREAT, 0o600))
        for name in (db.name, db.name + "-wal", db.name + "-shm"):
            if (db.parent / name).exists():
                _private(db.parent / name, 0o600)
    return path


def generated_secret(settings, name, filename, make=lambda: secrets.token_hex(32)):
    """The secret set as ``settings[name]``, or one generated once into DATA_DIR/filename.

    The file is created 0600 (never readable by others); several app servers must be
    given the same value through the environment instead.
    """
    if settings.get(name):
        return settings[name]
    path = ensure_data_dir(settings) / filename
    if not path.exists():
        # Written aside then linked into place, so a concurrent reader never sees it empty.
        tmp = path.with_name(f".{filename}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(make())
        try:
            os.link(tmp, path)
        except FileExistsError:  # another process made it first
            pass
        finally:
            os.unlink(tmp)
    _private(path, 0o600)
    return path.read_text().strip()


def secret_key(settings):
    """The configured secret key, or one generated once into the data directory."""
    return generated_secret(settings, "SECRET_KEY", "secret_key")
