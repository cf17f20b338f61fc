"""Vietnamese text normalisation shared by indexing and querying.

Every backend and the ranking use these functions, so that a word folds the same
way wherever it is compared.

Matching is diacritic-tolerant, not diacritic-blind. ``tokens`` gives the folded
syllables (thợ máy → tho, may), which text typed without marks still matches; text
written with marks is also indexed in its exact form (NFC, canonical tone placement,
lower case), each exact syllable or bigram prefixed by ``EXACT`` (_thợ, _máy, _thợ_máy),
so that a query with marks prefers it: máy (machine) is not may (sew). The prefix is
one that Elasticsearch's standard tokenizer keeps inside the token.
"""
import json
import re
import unicodedata
from functools import lru_cache
from itertools import chain

from .memo import Memo

# The five Vietnamese tone marks, as combining characters after NFD.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_WORD = re.compile(r"\w+", re.UNICODE)
# Open syllables whose tone mark is placed differently by the "old" (hòa, thủy)
# and "new" (hoà, thuỷ) conventions. We canonicalise to the old one, the more
# common in place names (Thanh Hóa).
_OLD_STYLE = re.compile(r"^([^aeiouy]*)(o)(a|e)$|^([^aeiouy]*[^q])(u)(y)$|^()(u)(y)$")


@lru_cache(maxsize=200_000)
def _canonical_tone(word):
    """Move the tone of an open oa/oe/uy syllable onto its first vowel."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in _TONES]
    if len(tones) != 1:
        return word
    bare = "".join(c for c in decomposed if c not in _TONES)
    plain = unicodedata.normalize("NFC", bare)
    m = _OLD_STYLE.match(plain.lower())
    if not m:
        return word
    groups = [g for g in m.groups() if g is not None]
    onset_len = len(groups[0])
    # Rebuild: onset + first vowel + tone + second vowel (keeping case).
    out = plain[: onset_len + 1] + tones[0] + plain[onset_len + 1:]
    return unicodedata.normalize("NFC", out)


def _bare_lower(char):
    """``char`` without its tone mark, lower-cased (what _OLD_STYLE looks at)."""
    bare = "".join(c for c in unicodedata.normalize("NFD", char) if c not in _TONES)
    return unicodedata.normalize("NFC", bare).lower()


def _ending_class(letters):
    """A regex class of the characters whose toneless lower-case form ends in ``letters``."""
    chars = [chr(code) for code in range(0x2000) if _bare_lower(chr(code))[-1:] in letters]
    return "[" + "".join(re.escape(c) for c in chars) + "]"


# Only a word ending in oa, oe or uy (tones aside) can have its tone moved: these are the
# words worth handing to _canonical_tone; every other word is left as it is anyway.
_TONE_CANDIDATE = re.compile(
    r"(?<!\w)\w*(?:{o}{ae}|{u}{y})(?!\w)".format(
        o=_ending_class("o"), ae=_ending_class("ae"), u=_ending_class("u"),
        y=_ending_class("y")))


def normalize(text):
    """Return ``text`` in NFC with canonical tone placement and tidy spaces."""
    if text is None:
        return None
    text = str(text)
    # Names, titles, skills and places repeat a lot, and a partner's postings often
    # share a description: both are memoised, long texts in a smaller cache.
    if len(text) <= 300:
        return _normalize_short(text)
    if len(text) <= 6000:
        return _normalize_long(text)
    return _normalize(text)


@lru_cache(maxsize=100_000)
def _normalize_short(text):
    return _normalize(text)


@lru_cache(maxsize=1024)
def _normalize_long(text):
    return _normalize(text)


def _normalize(text):
    text = unicodedata.normalize("NFC", text)
    if not text.isascii():  # ASCII has no tone marks to move
        text = _TONE_CANDIDATE.sub(_tone_of_match, text)
    return " ".join(text.split())


def _tone_of_match(match):
    return _canonical_tone(match.group(0))


def _fold_table():
    """str.translate table: every Latin letter with diacritics → its base letter."""
    table = {ord("đ"): "d", ord("Đ"): "d"}
    for code in range(0x00C0, 0x2000):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFD", char)
                       if not unicodedata.combining(c))
        if base != char and base.isascii() and base:
            table[code] = base.lower()
    for code in range(0x0300, 0x0370):  # combining marks of decomposed input
        table[code] = None
    return table


# As a list indexed by code point (str.translate looks it up faster than a dict;
# code points past its end raise IndexError, which leaves them unchanged).
_FOLD = _fold_table()
_FOLD = [_FOLD.get(code, chr(code)) for code in range(0x2000)]


def fold(text):
    """Lower-case and strip diacritics; đ/Đ fold to d explicitly."""
    if not text:
        return ""
    return str(text).lower().translate(_FOLD)


def tokens(text):
    """Folded syllables of ``text``."""
    return _scan(text)[0]


def _scan(text):
    """(folded syllables of ``text``, ``has_marks(text)``), folding the text once."""
    if not text:
        return [], False
    text = str(text)
    if text.isascii():  # nothing to fold but the case
        return _WORD.findall(text.lower()), False
    # Folding and splitting never look across a space (str.lower's only context rule,
    # the final sigma, stops at one), so the text is folded piece by piece, and the
    # pieces, which repeat a lot, are memoised; so is whether folding changed each.
    pieces = text.split(" ")
    if max(map(len, pieces)) > 64:
        lower = text.lower()
        folded = lower.translate(_FOLD)
        return _WORD.findall(folded), folded != lower
    scanned = list(map(_piece_scan, pieces))
    return (list(chain.from_iterable(syl for syl, _ in scanned)),
            any(marked for _, marked in scanned))


def _scan_piece(piece):
    lower = piece.lower()
    folded = lower.translate(_FOLD)
    return tuple(_WORD.findall(folded)), folded != lower


_piece_scan = Memo(_scan_piece, 200_000).__getitem__


def bigrams(syllables):
    """Adjacent syllable pairs, joined by '_' (Vietnamese compounds: thợ hàn → tho_han)."""
    return list(map("_".join, zip(syllables, syllables[1:])))


EXACT = "_"


def has_marks(text):
    """Whether ``text`` is written with diacritics (so its exact forms mean something)."""
    return bool(text) and not str(text).isascii() and fold(text) != str(text).lower()


def exact_tokens(text):
    """Syllables of ``text`` as written: NFC, canonical tone placement, lower case."""
    if not text:
        return []
    return list(chain.from_iterable(map(_exact_piece, str(text).split(" "))))


def _exact_syllables(piece):
    return tuple(_WORD.findall(normalize(piece).lower()))


_exact_piece = Memo(_exact_syllables, 200_000).__getitem__


def terms(text):
    """The units both backends index and search: folded unigrams and bigrams, plus, for
    text written with marks, the exact unigrams and bigrams prefixed with ``EXACT``."""
    return TermParts(text).terms()


class TermParts:
    """The parts ``terms`` is made of, kept so that the terms of two texts joined by a
    space (a title and a body) are made from those of each (``joined``) without
    tokenising again: tokens never cross a space, so only the bigram across the join
    is new."""

    __slots__ = ("text", "syl", "bi", "marked", "_exact")

    def __init__(self, text):
        self.text = text
        self.syl, self.marked = _scan(text)
        self.bi = bigrams(self.syl)
        self._exact = None

    def exact(self):
        """(exact syllables, their EXACT-prefixed unigrams, EXACT-prefixed bigrams)."""
        if self._exact is None:
            ex = exact_tokens(self.text)
            self._exact = (ex, [EXACT + t for t in ex], [EXACT + b for b in bigrams(ex)])
        return self._exact

    def terms(self):
        out = self.syl + self.bi
        if self.marked:
            _, uni, bi = self.exact()
            out += uni + bi
        return out

    @staticmethod
    def joined(first, second):
        """``terms(first.text + " " + second.text)``."""
        out = first.syl + second.syl + first.bi
        if first.syl and second.syl:
            out.append(first.syl[-1] + "_" + second.syl[0])
        out += second.bi
        if first.marked or second.marked:
            (ex1, uni1, bi1), (ex2, uni2, bi2) = first.exact(), second.exact()
            out += uni1 + uni2 + bi1
            if ex1 and ex2:
                out.append(EXACT + ex1[-1] + "_" + ex2[0])
            out += bi2
        return out


# -- stop words -------------------------------------------------------------------------

# A syllable Vietnamese spelling allows, folded: onset, vowels, coda. A word that is not
# one (food, cameras, and) tells that a text typed without marks is not Vietnamese.
_VI_SYLLABLE = re.compile(r"^(ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdghklmnprstvx])?"
                          r"[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$")


@lru_cache(maxsize=1)
def _stopwords():
    from .settings import config_path
    with config_path("stopwords.json").open(encoding="utf-8") as fh:
        data = json.load(fh)
    return (frozenset(data["english"]), frozenset(normalize(w) for w in data["vietnamese"]),
            frozenset(data["vietnamese_unmarked"]))


def reads_as_english(text):
    """Whether text without marks reads as English: a third or more of its words are not
    syllables Vietnamese spelling allows."""
    words = [w for w in tokens(text) if w.isalpha()]
    if not words or has_marks(text):
        return False
    foreign = sum(not _VI_SYLLABLE.match(w) for w in words)
    return 3 * foreign >= len(words)


def keywords(text):
    """The syllables of ``text`` that carry meaning: (folded, exact) pairs without stop words.

    Text with marks loses its Vietnamese stop words, compared exactly (có goes, cơ stays);
    English text loses English ones; Vietnamese typed without marks loses only the folded
    stop words that no content word shares (va, cua, cac...). Single letters go too.
    """
    english, vietnamese, unmarked = _stopwords()
    folded, exact = tokens(text), exact_tokens(text)
    if len(exact) != len(folded):  # a letter that folds into two words (rare): fold only
        exact = folded
    if has_marks(text):
        drop = [e in vietnamese or f in english and _VI_SYLLABLE.match(f) is None
                for f, e in zip(folded, exact)]
    elif reads_as_english(text):
        drop = [f in english for f in folded]
    else:
        drop = [f in unmarked for f in folded]
    return [(f, e) for f, e, d in zip(folded, exact, drop) if not d and len(f) > 1]


def key(text):
    """A comparison key for names (provinces, districts): folded, single-spaced."""
    return " ".join(tokens(text))
