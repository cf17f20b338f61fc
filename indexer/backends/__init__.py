"""Search backends behind one interface; ``make_backend`` picks one from the settings."""
from pathlib import Path

from .base import (REASONS, Candidate, CandidateQuery, Hidden, HiddenReport, SearchBackend,
                   hidden_reasons)

__all__ = ["REASONS", "Candidate", "CandidateQuery", "Hidden", "HiddenReport", "SearchBackend",
           "hidden_reasons", "make_backend"]


def make_backend(settings):
    """The backend named by SEARCH_BACKEND, built from the settings (no connection yet)."""
    name = settings["SEARCH_BACKEND"]
    if name == "embedded":
        from .embedded import EmbeddedBackend
        return EmbeddedBackend(Path(settings["DATA_DIR"]) / "index",
                               compact_ratio=float(settings.get("EMBEDDED_COMPACT_RATIO", 0.25)),
                               compact_min_ops=int(settings.get("EMBEDDED_COMPACT_MIN_OPS", 5000)))
    if name == "elasticsearch":
        from .elasticsearch import ElasticsearchBackend
        return ElasticsearchBackend.from_settings(settings)
    raise ValueError(f"SEARCH_BACKEND must be 'embedded' or 'elasticsearch', not {name!r}")
