"""Closed vocabularies (config/vocab.json): codes and their labels."""
import json
from functools import lru_cache

from .settings import config_path


@lru_cache(maxsize=1)
def vocab():
    """All vocabularies, keyed by name."""
    with config_path("vocab.json").open(encoding="utf-8") as fh:
        data = json.load(fh)
    data.pop("_doc", None)
    return data


def codes(name):
    """The codes of one vocabulary, in file order."""
    return list(vocab()[name])


def label(name, code, lang="vi"):
    """The label of ``code`` in ``lang``, or the code itself when unknown."""
    entry = vocab()[name].get(code)
    return entry.get(lang, code) if entry else code


def education_rank(code):
    """Rank of an education level (0 = none), for prerequisite checks."""
    return vocab()["education_levels"].get(code or "none", {}).get("rank", 0)


def monthly(amount, period):
    """An amount in VND per ``period`` converted to a monthly amount."""
    if amount is None:
        return None
    return int(amount * vocab()["pay_periods"][period or "month"]["to_month"])


@lru_cache(maxsize=1)
def occupations():
    """Occupation codes (ISCO-08 unit groups, VSCO-compatible) and their labels."""
    with config_path("occupations.json").open(encoding="utf-8") as fh:
        return json.load(fh)["occupations"]


def occupation_label(code, lang="vi"):
    """The label of an occupation code, or '' when unknown."""
    entry = occupations().get(code)
    return entry.get(lang, "") if entry else ""
