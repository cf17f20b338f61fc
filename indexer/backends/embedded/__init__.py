"""The embedded backend (the default): an in-process sparse index under the data directory.

``backend`` holds the backend and its locking, ``segment`` the rows of one kind and
their ops, ``postings`` the posting lists, ``features`` what is computed from a
projection, and ``files`` the checksummed files on disk.
"""
from .backend import EmbeddedBackend
from .features import N_FEATURES
from .files import FORMAT

__all__ = ["EmbeddedBackend", "FORMAT", "N_FEATURES"]
