"""Keys of the officer side: the offence-category cipher and the audit key.

Both come from the environment (``DATA_KEY``, ``AUDIT_KEY``) or are generated once into
the data directory (0600), like the Flask secret key. Several app servers must share
them. ``DATA_KEY`` may list several Fernet keys separated by commas: the first encrypts,
all decrypt, so a key can be rotated (``matcher keys rotate-data`` re-encrypts).
"""
import base64
import hashlib
import hmac
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from indexer.settings import generated_secret

from ..models import PSEUDONYM_PREFIX


class DataKeyError(Exception):
    """A stored value cannot be decrypted with the configured DATA_KEY."""


class Cipher:
    """Fernet (AES-128-CBC + HMAC-SHA256, authenticated) over short sensitive values."""

    def __init__(self, keys):
        self.fernet = MultiFernet([Fernet(k.strip()) for k in keys.split(",") if k.strip()])

    def encrypt(self, value):
        """The token of ``value`` (a str), or None for None."""
        return None if value is None else self.fernet.encrypt(value.encode()).decode()

    def decrypt(self, token):
        """The value of a token made by ``encrypt``; None for None."""
        if token is None:
            return None
        try:
            return self.fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise DataKeyError("a stored value does not decrypt with DATA_KEY") from None

    def rotate(self, token):
        """The token re-encrypted with the first key."""
        return None if token is None else self.fernet.rotate(token.encode()).decode()


def data_cipher(settings):
    """The cipher of sensitive profile fields (DATA_KEY, or DATA_DIR/data_key)."""
    return Cipher(generated_secret(settings, "DATA_KEY", "data_key",
                                   lambda: Fernet.generate_key().decode()))


def audit_key(settings):
    """The HMAC key of the audit chain and pseudonyms (AUDIT_KEY, or DATA_DIR/audit_key)."""
    return generated_secret(settings, "AUDIT_KEY", "audit_key",
                            lambda: base64.urlsafe_b64encode(os.urandom(32)).decode()).encode()


def pseudonym(key, target, case_code):
    """A keyed pseudonym of a case code: stable for one profile, not reversible."""
    digest = hmac.new(key, f"{target}\0{case_code}".encode(), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:32]
