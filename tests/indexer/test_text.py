"""Vietnamese normalisation: NFC, tone placement, folding, bigrams."""
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
    assert terms("tho han") == terms("thợ hàn")


def test_key_compares_place_names_loosely():
    assert key("Thành phố  Sầm Sơn") == key("thanh pho sam son")
