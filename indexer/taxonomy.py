"""The skills taxonomy (config/skills.json): free text to stable skill IDs."""
import json
from functools import lru_cache

from .settings import config_path
from .text import tokens

# Longest alias, in syllables, looked for inside free text.
_MAX_NGRAM = 5


class Taxonomy:
    """Canonical skills with Vietnamese and English labels and aliases."""

    def __init__(self, skills, sectors=None):
        self.skills = {s["id"]: s for s in skills}
        self.sectors = sectors or {}
        self._by_key = {}
        for skill in skills:
            names = [skill["id"], skill["label_vi"], skill["label_en"], *skill.get("aliases", [])]
            for name in names:
                self._by_key.setdefault(" ".join(tokens(name)), skill["id"])

    def __contains__(self, skill_id):
        return skill_id in self.skills

    def __len__(self):
        return len(self.skills)

    def resolve(self, text):
        """The skill ID that ``text`` names (an ID, a label or an alias), or None."""
        if text in self.skills:
            return text
        return self._by_key.get(" ".join(tokens(text)))

    def resolve_many(self, items):
        """Split ``items`` into resolved IDs (deduplicated, in order) and unresolved texts."""
        ids, unresolved = [], []
        for item in items or []:
            skill_id = self.resolve(item)
            if skill_id is None:
                if item not in unresolved:
                    unresolved.append(item)
            elif skill_id not in ids:
                ids.append(skill_id)
        return ids, unresolved

    def extract(self, text):
        """Skill IDs whose names occur in free ``text`` (longest match first)."""
        syl = tokens(text)
        found, i = [], 0
        while i < len(syl):
            for n in range(min(_MAX_NGRAM, len(syl) - i), 0, -1):
                skill_id = self._by_key.get(" ".join(syl[i:i + n]))
                # Single syllables are too ambiguous in Vietnamese ("hàn", "may").
                if skill_id and n > 1:
                    if skill_id not in found:
                        found.append(skill_id)
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
        for key, skill_id in self._by_key.items():
            if (" " + key).find(" " + q) >= 0 and skill_id not in hits:
                hits.append(skill_id)
        hits.sort(key=lambda s: (not " ".join(tokens(self.label(s))).startswith(q), self.label(s)))
        return hits[:limit]


@lru_cache(maxsize=1)
def default_taxonomy():
    """The taxonomy shipped in config/skills.json."""
    with config_path("skills.json").open(encoding="utf-8") as fh:
        data = json.load(fh)
    return Taxonomy(data["skills"], data.get("_sectors"))
