"""The packed term sets of projections (indexer.termhash): the documented layout."""
import base64

import mmh3
import numpy as np
from hypothesis import given, settings, strategies as st

from indexer.termhash import HASH, Memo, pack, term_hash, unpack
from indexer.text import EXACT, terms


def reference_pack(items):
    """The layout as indexer.termhash documents it, part by part."""
    def part(pred):
        return np.unique(np.array([term_hash(t) for t in items if pred(t)], HASH))
    words = part(lambda t: "_" not in t)
    pairs = part(lambda t: "_" in t and not t.startswith(EXACT))
    exact = part(lambda t: t.startswith(EXACT))
    raw = np.concatenate([np.array([len(words), len(words) + len(pairs)], HASH),
                          words, pairs, exact]).astype(HASH)
    return base64.b64encode(raw.tobytes()).decode("ascii")


# Letters with and without marks, and "_", which marks bigrams and exact forms.
syllable = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạ_", min_size=1,
                   max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(syllable, max_size=40))
def test_pack_matches_the_documented_layout(items):
    assert pack(items) == reference_pack(items)


def test_pack_of_real_text_round_trips_through_unpack():
    text = "Thợ hàn MIG/TIG ở Thanh Hóa, thợ hàn điện; hàn hàn hàn"
    items = terms(text)
    everything, n_words, n_folded = unpack(pack(items))
    assert pack(items) == reference_pack(items)
    words = {term_hash(t) for t in items if "_" not in t}
    folded = {term_hash(t) for t in items if not t.startswith(EXACT)}
    assert set(everything[:n_words].tolist()) == words
    assert set(everything[:n_folded].tolist()) == folded
    assert set(everything.tolist()) == {term_hash(t) for t in items}
    for start, end in ((0, n_words), (n_words, n_folded), (n_folded, len(everything))):
        chunk = everything[start:end]
        assert (np.diff(chunk) > 0).all()  # each part sorted and unique


def test_a_memo_gives_the_functions_values_and_stays_within_its_limit():
    calls = []

    def length(term):
        calls.append(term)
        return len(term)

    memo = Memo(length, 3)
    assert [memo[t] for t in ["a", "bb", "a", "ccc"]] == [1, 2, 1, 3]
    assert calls == ["a", "bb", "ccc"]  # each key computed once
    assert memo["dddd"] == 4 and len(memo) <= 3  # full: emptied, then filled again
    assert [memo[t] for t in ["a", "bb", "ccc", "dddd"]] == [1, 2, 3, 4]
    assert len(memo) <= 3
    # The memoised hashes are MurmurHash3's, in every process.
    assert term_hash("thợ hàn") == mmh3.hash("thợ hàn", 0, signed=True) == term_hash("thợ hàn")
