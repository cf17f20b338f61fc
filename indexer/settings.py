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


def ensure_data_dir(settings):
    """Create the data directory if missing and return it."""
    path = Path(settings["DATA_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(settings):
    """The configured secret key, or one generated once into the data directory."""
    if settings.get("SECRET_KEY"):
        return settings["SECRET_KEY"]
    path = ensure_data_dir(settings) / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()
