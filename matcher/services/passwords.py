"""The password rules: long enough, not common, not the user name, not easy to guess.

The common-password list is the one bundled with the maintained ``zxcvbn`` package
(30,000 passwords from leaked-password corpora), and zxcvbn's guessability score turns
away what the list cannot (repeats like "aaaaaaaaaa", keyboard runs, a name plus digits).
"""
from functools import lru_cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from .errors import InvalidDocument

MIN_LENGTH = 10
MAX_LENGTH = 200
# zxcvbn scores 0-4; 2 means "somewhat guessable" (about 10^8 guesses) — enough behind
# argon2id and a login lock.
MIN_SCORE = 2
# Rule → message (the web app translates these; see matcher/web/messages.py).
MESSAGES = {
    "short": "Use at least %(n)s characters.",
    "long": "Use at most %(n)s characters.",
    "common": "This password is too common; choose another.",
    "username": "The password must not contain your user name.",
    "guessable": "This password is too easy to guess; add another word or two.",
}


@lru_cache(maxsize=1)
def common_passwords():
    """The bundled list of common passwords, lower-cased."""
    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def problems(password, username=None, min_length=MIN_LENGTH):
    """The rules ``password`` breaks, as (rule, parameter) pairs; empty when it is fine."""
    password = password or ""
    if len(password) < min_length:
        return [("short", min_length)]
    if len(password) > MAX_LENGTH:
        return [("long", MAX_LENGTH)]
    lowered = password.lower()
    if username and username.lower() in lowered:
        return [("username", None)]
    if lowered in common_passwords() or lowered.strip("0123456789!.") in common_passwords():
        return [("common", None)]
    if zxcvbn(password[:100], user_inputs=[username] if username else [])["score"] < MIN_SCORE:
        return [("guessable", None)]
    return []


def check(password, username=None, min_length=MIN_LENGTH, field="password"):
    """Raise InvalidDocument (on ``field``) when ``password`` breaks a rule."""
    found = problems(password, username, min_length)
    if found:
        raise InvalidDocument([{"field": field, "messages": [
            MESSAGES[rule] % {"n": n} for rule, n in found]}])
