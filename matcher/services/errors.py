"""Domain errors of the officer services (mapped to pages by matcher.web)."""
from indexer.errors import Conflict, InvalidDocument, NotFound, VungBuocError


class AuthError(VungBuocError):
    """Login refused: wrong credentials, disabled account, or throttled (``wait`` seconds)."""

    def __init__(self, reason, wait=0):
        super().__init__(reason)
        self.reason, self.wait = reason, wait


class TransitionError(Conflict):
    """A referral cannot move to that status from where it is."""


__all__ = ["AuthError", "TransitionError", "Conflict", "InvalidDocument", "NotFound"]
