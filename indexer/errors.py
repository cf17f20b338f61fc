"""Domain exceptions of the indexer; the matcher maps them to HTTP in one table."""


class VungBuocError(Exception):
    """Base class of every domain error."""


class InvalidDocument(VungBuocError):
    """Input failed validation; ``errors`` is a list of {field, messages}."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{e['field']}: {' '.join(e['messages'])}" for e in errors))
        self.errors = errors


class NotFound(VungBuocError):
    """The document does not exist (or is not visible to the caller)."""


class Conflict(VungBuocError):
    """The write conflicts with the current state (stale version, duplicate)."""


class StaleVersion(Conflict):
    """The document changed since the caller read it (compare-and-set failed)."""


class StoreError(VungBuocError):
    """The store could not be written (a full disk, a lost database connection)."""


class BackendError(VungBuocError):
    """The search backend failed; the store is unaffected."""


class IndexUnusable(BackendError):
    """The index cannot be served as it is; the next sync rebuilds it from the store."""


class IndexOutdated(IndexUnusable):
    """The index was written in a format this version cannot read: rebuild it."""


class IndexDamaged(IndexUnusable):
    """A file of the index fails its checksum, size or format check: rebuild it."""


def flatten_errors(messages, prefix=""):
    """Turn marshmallow's nested error dict into [{field: 'dotted.path', messages: [...]}]."""
    out = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = "" if key == "_schema" else str(key)
            path = ".".join(p for p in (prefix, name) if p) or "_schema"
            if isinstance(value, dict):
                out.extend(flatten_errors(value, path if name else prefix))
            else:
                out.append({"field": path, "messages": [str(m) for m in value]})
    else:
        out.append({"field": prefix or "_schema", "messages": [str(m) for m in messages]})
    return out
