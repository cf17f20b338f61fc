"""Term sets packed as hashes: how a projection carries its terms to stage 2.

A posting's body has hundreds of terms (folded and exact unigrams and bigrams). Stage 2
compares a profile's few dozen terms with those of ~200 candidates per match; as packed
sorted 64-bit hashes (MurmurHash3, the same in every process) they decode in microseconds
and compare with numpy for all candidates at once, where splitting and hashing the
strings again cost more than the whole match used to.

A packed field is base64 of little-endian int64: ``[n_words, words..., others...]``,
each part sorted and unique, where words are the folded unigrams (what the latent space
is over) and others the bigrams and exact forms.
"""
import base64
from functools import lru_cache

import mmh3
import numpy as np

from .text import EXACT


@lru_cache(maxsize=500_000)
def term_hash(term):
    """A stable 64-bit hash of a term (the same in every process, unlike ``hash``)."""
    return mmh3.hash64(term, 0, signed=True)[0]


def hashes(terms):
    """The hashes of ``terms`` as an int64 array (in order, duplicates kept)."""
    return np.fromiter(map(term_hash, terms), np.int64, count=len(terms))


def is_word(term):
    """A folded unigram: not a bigram, not an exact form."""
    return "_" not in term and not term.startswith(EXACT)


def pack(terms):
    """The packed field of ``terms`` (a list of strings)."""
    words = np.unique(hashes([t for t in terms if is_word(t)]))
    others = np.unique(hashes([t for t in terms if not is_word(t)]))
    raw = np.concatenate([[len(words)], words, others]).astype("<i8")
    return base64.b64encode(raw.tobytes()).decode("ascii")


def unpack(packed):
    """(all hashes, the number of words at their start) of a packed field."""
    if not packed:
        return np.zeros(0, np.int64), 0
    raw = np.frombuffer(base64.b64decode(packed), "<i8")
    return raw[1:], int(raw[0])
