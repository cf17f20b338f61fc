"""Vietnamese normalisation: NFC, tone placement, folding, bigrams."""
import functools
import unicodedata

import pytest

from indexer.text import bigrams, fold, key, normalize, terms, tokens


@pytest.mark.parametrize("old,new", [("hòa", "hoà"), ("thủy", "thuỷ"), ("Thanh Hóa", "Thanh Hoá"),
                                     ("khỏe", "khoẻ"), ("Hòe", "Hoè")])
def test_both_tone_placements_are_the_same_word(old, new):
    assert normalize(old) == normalize(new)
    assert fold(old) == fold(new)


def test_normalize_composes_decomposed_input():
    decomposed = unicodedata.normalize("NFD", "Thợ hàn điện")
    assert decomposed != "Thợ hàn điện"
    assert normalize(decomposed) == "Thợ hàn điện"


def test_normalize_keeps_other_words_and_tidies_spaces():
    assert normalize("  quý   khách  hoàng ") == "quý khách hoàng"


@pytest.mark.parametrize("text,folded", [("thợ hàn", "tho han"), ("Đà Nẵng", "da nang"),
                                         ("ĐƯỜNG", "duong"), ("Sầm Sơn", "sam son")])
def test_fold_strips_diacritics_and_maps_d_bar(text, folded):
    assert fold(text) == folded


def test_tokens_and_bigrams_catch_compounds():
    assert tokens("Thợ hàn, điện!") == ["tho", "han", "dien"]
    assert bigrams(["tho", "han", "dien"]) == ["tho_han", "han_dien"]
    assert "tho_han" in terms("thợ hàn")
    # Typed without marks, the folded terms; with marks, the exact forms beside them.
    assert terms("tho han") == ["tho", "han", "tho_han"]
    assert terms("thợ hàn") == ["tho", "han", "tho_han", "_thợ", "_hàn", "_thợ_hàn"]


def test_key_compares_place_names_loosely():
    assert key("Thành phố  Sầm Sơn") == key("thanh pho sam son")


def _canonical_everywhere(text):
    """normalize() as first written: every word through _canonical_tone."""
    import re

    from indexer.text import _canonical_tone
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"\w+", lambda m: _canonical_tone(m.group(0)), text)
    return " ".join(text.split())


def test_only_oa_oe_uy_words_can_move_a_tone():
    """The fast path (only words ending in oa/oe/uy go to _canonical_tone) changes nothing."""
    import random
    rnd = random.Random(6)
    letters = ("aăâeêioôơuưyđqkhngtr OAUYQ_-\u0300\u0301\u0303\u0309\u0323\u0302"
               + "".join(chr(c) for c in range(0x00C0, 0x0250))
               + "".join(chr(c) for c in range(0x1E00, 0x1F00)))
    texts = ["".join(rnd.choice(letters) for _ in range(rnd.randint(1, 12)))
             for _ in range(20_000)]
    for first in "oOuUòóỏõọÒÓỎÕỌùúủũụÙÚỦŨỤ":
        for second in "aeyAEYàáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ":
            for onset in ("", "h", "kh", "q", "Th", "ư", "ừ"):
                texts.append(f"{onset}{first}{second} x{onset}{first}{second}")
    texts += [unicodedata.normalize("NFD", t) for t in texts]
    texts.append("Thanh Hoá " * 100)  # a long text, past the small memo
    assert [normalize(t) for t in texts] == [_canonical_everywhere(t) for t in texts]


def _fold_by_dict(text):
    """fold() as first written: a dict translate table over U+00C0..U+1FFF."""
    return text.lower().translate(_old_fold_table())


@functools.lru_cache(maxsize=1)
def _old_fold_table():
    table = {ord("đ"): "d", ord("Đ"): "d"}
    for code in range(0x00C0, 0x2000):
        base = "".join(c for c in unicodedata.normalize("NFD", chr(code))
                       if not unicodedata.combining(c))
        if base != chr(code) and base.isascii() and base:
            table[code] = base.lower()
    for code in range(0x0300, 0x0370):
        table[code] = None
    return table


def test_fast_fold_and_tokens_agree_with_the_plain_definitions():
    """Folding with a list table, and tokens memoised per space-separated piece, give the
    same result as folding the whole text and splitting it."""
    import random
    import re
    every = "".join(chr(c) for c in range(1, 0x2200) if not 0xD800 <= c < 0xE000)
    assert fold(every) == _fold_by_dict(every)
    rnd = random.Random(7)
    letters = ("aăâeêioôơuưyđĐqkhngtr OAUYQΣσİ_-,.!\n\t\u0300\u0301\u0303\u0309\u0323\u0302"
               + "".join(chr(c) for c in range(0x00C0, 0x0250))
               + "".join(chr(c) for c in range(0x0370, 0x0400))
               + "".join(chr(c) for c in range(0x1E00, 0x1F00)))
    texts = ["".join(rnd.choice(letters) for _ in range(rnd.randint(0, 30)))
             for _ in range(20_000)]
    texts += [unicodedata.normalize("NFD", t) for t in texts]
    texts += ["ΟΔΟΣ ΣΑΣ thợ hàn Σ σ", "x" * 100 + " thợ", "Thợ  hàn\n\nđiện " * 50]
    for text in texts:
        assert tokens(text) == re.findall(r"\w+", _fold_by_dict(text)), text
