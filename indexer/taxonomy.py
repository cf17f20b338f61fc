"""The skills taxonomy (config/skills.json): free text to stable skill IDs.

Resolution is tone-aware: a name is looked up by its folded syllables, and a
candidate counts only if every syllable typed with marks is the candidate's syllable
as written. "thợ máy" (mechanic) therefore never resolves to "thợ may" (tailor), while
"tho may", typed without marks, keeps both readings when the taxonomy has both.
"""
import json
from functools import lru_cache

from .settings import config_path
from .text import exact_tokens, tokens

# Longest alias, in syllables, looked for inside free text.
_MAX_NGRAM = 5


class Taxonomy:
    """Canonical skills with Vietnamese and English labels and aliases."""

    def __init__(self, skills, sectors=None):
        self.skills = {s["id"]: s for s in skills}
        self.sectors = sectors or {}
        # Folded name → [(skill ID, the name's syllables as written)], in taxonomy order.
        self._by_key = {}
        for skill in skills:
            names = [skill["id"], skill["label_vi"], skill["label_en"], *skill.get("aliases", [])]
            for name in names:
                readings = self._by_key.setdefault(" ".join(tokens(name)), [])
                entry = (skill["id"], tuple(exact_tokens(name)))
                if entry not in readings:
                    readings.append(entry)

    def __contains__(self, skill_id):
        return skill_id in self.skills

    def __len__(self):
        return len(self.skills)

    def _readings(self, syllables, written):
        """Skill IDs whose name folds to ``syllables`` and agrees with the ``written`` ones.

        A syllable typed without marks agrees with any reading; one typed with marks only
        with itself. A name matched exactly as written is the only reading.
        """
        exact, agreeing = [], []
        for skill_id, name in self._by_key.get(" ".join(syllables), ()):
            if tuple(written) == name:
                exact.append(skill_id)
            elif len(name) == len(written) and all(
                    w == n or w == f for w, n, f in zip(written, name, syllables)):
                agreeing.append(skill_id)
        return exact[:1] if exact else list(dict.fromkeys(agreeing))

    def resolve_all(self, text):
        """Every skill ID that ``text`` may name: one, none, or several for a name typed
        without marks that has several readings ("tho may": tailor, mechanic)."""
        if text in self.skills:
            return [text]
        folded, written = tokens(text), exact_tokens(text)
        if len(folded) != len(written):
            written = folded
        return self._readings(folded, written)

    def resolve(self, text):
        """The skill ID that ``text`` names (an ID, a label or an alias), or None; with
        several readings, the first in the taxonomy."""
        found = self.resolve_all(text)
        return found[0] if found else None

    def resolve_many(self, items):
        """Split ``items`` into resolved IDs (deduplicated, in order; every reading of an
        ambiguous name) and unresolved texts."""
        ids, unresolved = [], []
        for item in items or []:
            found = self.resolve_all(item)
            if not found:
                if item not in unresolved:
                    unresolved.append(item)
            for skill_id in found:
                if skill_id not in ids:
                    ids.append(skill_id)
        return ids, unresolved

    def extract(self, text):
        """Skill IDs whose names occur in free ``text`` (longest match first)."""
        syl, written = tokens(text), exact_tokens(text)
        if len(syl) != len(written):
            written = syl
        found, i = [], 0
        while i < len(syl):
            # Single syllables are too ambiguous in Vietnamese ("hàn", "may").
            for n in range(min(_MAX_NGRAM, len(syl) - i), 1, -1):
                readings = self._readings(syl[i:i + n], written[i:i + n])
                if readings:
                    found += [s for s in readings if s not in found]
                    i += n - 1
                    break
            i += 1
        return found

    def label(self, skill_id, lang="vi"):
        """The label of a skill in ``lang``; unknown IDs are returned as they are."""
        skill = self.skills.get(skill_id)
        return skill[f"label_{lang}"] if skill else skill_id

    def search(self, query, limit=20):
        """Skills whose labels or aliases contain ``query``, diacritic-insensitive."""
        q = " ".join(tokens(query))
        if not q:
            return []
        hits = []
        for key, readings in self._by_key.items():
            if (" " + key).find(" " + q) >= 0:
                hits += [s for s, _ in readings if s not in hits]
        hits.sort(key=lambda s: (not " ".join(tokens(self.label(s))).startswith(q), self.label(s)))
        return hits[:limit]


@lru_cache(maxsize=1)
def default_taxonomy():
    """The taxonomy shipped in config/skills.json."""
    with config_path("skills.json").open(encoding="utf-8") as fh:
        data = json.load(fh)
    return Taxonomy(data["skills"], data.get("_sectors"))


class Occupations:
    """Occupation codes (config/occupations.json) found by their names, typed in Vietnamese
    or English, with or without diacritics ("tho han" finds "Thợ hàn ..."); the codes stay
    internal to the officer's form."""

    def __init__(self, entries):
        self.entries = dict(entries)
        # code → folded names (vi, en) and the Vietnamese name's syllables as written
        self._names = {code: ([" ".join(tokens(e.get("vi", ""))), " ".join(tokens(e.get("en", "")))],
                              exact_tokens(e.get("vi", "")))
                       for code, e in self.entries.items()}

    def __contains__(self, code):
        return code in self.entries

    def label(self, code, lang="vi"):
        """The name of ``code`` in ``lang``, or the code itself when unknown."""
        entry = self.entries.get(code)
        return entry.get(lang, code) if entry else code

    def search(self, query, limit=20):
        """Codes whose names contain every word of ``query`` (folded; the last word may be
        the start of one), names that start with the query first. A query typed with
        marks must be in the Vietnamese name as written (or match the English name)."""
        words = tokens(query)
        if not words:
            return []
        written = exact_tokens(query)
        # Typed with marks, the words mean what they say ("thợ may" is not "thợ máy"):
        # the Vietnamese name must then hold them as written.
        marked = len(written) == len(words) and written != words
        hits = []
        for code, (names, vi_written) in self._names.items():
            vi = " ".join(vi_written) if marked else names[0]
            query_vi = written if marked else words
            if self._contains(vi, query_vi) or self._contains(names[1], words):
                phrase = " ".join(words)
                starts = any(n.startswith(phrase) for n in names)
                whole = any(self._contains(n, words, prefix=False) for n in names)
                hits.append((not starts, not whole, self.label(code), code))
        return [hit[-1] for hit in sorted(hits)][:limit]

    @staticmethod
    def _contains(name, words, prefix=True):
        """Every word is a word of ``name``; the last may be the start of one (still typing)."""
        have = name.split()
        last = any(h.startswith(words[-1]) for h in have) if prefix else words[-1] in have
        return all(w in have for w in words[:-1]) and last

    def resolve(self, text):
        """The code ``text`` names: a known code, a name (folded) exactly, or the one name
        that contains all its words (else the one that matches it at all); None when
        none or several do."""
        text = (text or "").strip()
        if text in self.entries:
            return text
        folded = " ".join(tokens(text))
        if not folded:
            return None
        exact = [c for c, (names, _) in self._names.items() if folded in names]
        if len(exact) == 1:
            return exact[0]
        words = tokens(text)
        found = self.search(text, limit=len(self.entries))
        whole = [c for c in found
                 if any(self._contains(n, words, prefix=False) for n in self._names[c][0])]
        if len(whole) == 1 or (not whole and len(found) == 1):
            return (whole or found)[0]
        return None


@lru_cache(maxsize=1)
def default_occupations():
    """The occupation codes shipped in config/occupations.json."""
    with config_path("occupations.json").open(encoding="utf-8") as fh:
        return Occupations(json.load(fh)["occupations"])
