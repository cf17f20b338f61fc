"""Term sets packed as hashes: how a projection carries its terms to stage 2.

A posting's body has hundreds of terms (folded and exact unigrams and bigrams). Stage 2
compares a profile's few dozen terms with those of ~200 candidates per match; as packed
sorted 32-bit hashes (MurmurHash3, the same in every process) they decode in microseconds
and compare with numpy for all candidates at once, where splitting and hashing the
strings again cost more than the whole match used to. (Two terms share a 32-bit hash
with a chance of one in four billion: a rare extra match, never a missed one.)

A packed field is base64 of little-endian int32:
``[n_words, n_folded, words..., folded bigrams..., exact forms...]``, each part sorted and
unique: words are the folded unigrams (what the latent space is over), the first
``n_folded`` hashes the folded terms, the rest the exact forms (text written with marks). Decoded fields are kept for the most
recently used documents.
"""
import base64

import mmh3
import numpy as np

from .memo import Memo
from .text import EXACT


HASH = np.dtype("<i4")


def _term_hash(term):
    """A stable 32-bit hash of a term (the same in every process, unlike ``hash``)."""
    return mmh3.hash(term, 0, signed=True)


term_hash = Memo(_term_hash, 500_000).__getitem__


def hashes(terms):
    """The hashes of ``terms`` as an int32 array (in order, duplicates kept)."""
    return np.fromiter(map(term_hash, terms), HASH, count=len(terms))


def is_word(term):
    """A folded unigram: not a bigram, not an exact form."""
    return "_" not in term and not term.startswith(EXACT)


# A term's sort key in a packed field: its part (0 words, 1 folded bigrams, 2 exact forms)
# above its hash shifted to unsigned, so one sort orders the parts and, within each, the
# signed hashes, as sorting each part by itself does.
_SHIFT = 1 << 31


def _sort_key(term):
    part = 2 if term.startswith(EXACT) else (0 if "_" not in term else 1)
    return (part << 32) | (term_hash(term) + _SHIFT)


_key = Memo(_sort_key, 500_000).__getitem__


def pack(terms):
    """The packed field of ``terms`` (a list of strings)."""
    keys = np.unique(np.fromiter(map(_key, terms), np.int64, count=len(terms)))
    parts = keys >> 32
    head = np.array([np.searchsorted(parts, 1), np.searchsorted(parts, 2)], HASH)
    raw = np.concatenate([head, ((keys & 0xFFFFFFFF) - _SHIFT).astype(HASH)])
    return base64.b64encode(raw.tobytes()).decode("ascii")


_EMPTY = (np.zeros(0, HASH), 0, 0)
_DECODED = {}
DECODED_CACHE = 20_000


def unpack(packed):
    """(all hashes, how many words start them, how many folded terms) of a packed field."""
    if not packed:
        return _EMPTY
    hit = _DECODED.get(packed)
    if hit is None:
        raw = np.frombuffer(base64.b64decode(packed), HASH)
        if len(_DECODED) >= DECODED_CACHE:
            for old in list(_DECODED)[:DECODED_CACHE // 2]:
                del _DECODED[old]
        hit = _DECODED[packed] = (raw[2:], int(raw[0]), int(raw[1]))
    return hit
