"""Loading feed files: valid records committed in batches, every reject reported.

Bad input never loses good input: a record that cannot be read or validated is one
reject with its position, and a store that refuses writes (a full disk) ends the load
with a clear message and the counts of what was committed before.
"""
import dataclasses
import os

from .errors import BackendError, StoreError
from .feeds import FeedError, kind_of, read_feed
from .corpus import prepare_fit
from .sync import BackgroundDrain
from .taxonomy import default_taxonomy


@dataclasses.dataclass
class LoadReport:
    """What a load did: counts, rejects with their reasons, skills kept as text, and the
    records whose old administrative units were converted (``conversions``: file, where,
    field, message)."""

    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    converted: int = 0
    indexed: int = 0
    index_error: str | None = None
    # Why the load stopped before the end (the store refused writes), if it did.
    stopped: str | None = None
    rejects: list = dataclasses.field(default_factory=list)
    conversions: list = dataclasses.field(default_factory=list)
    unresolved_skills: dict = dataclasses.field(default_factory=dict)
    # Requirement sentences and the taxonomy skills found in them.
    resolved_in_text: dict = dataclasses.field(default_factory=dict)

    def summary(self):
        """The counts as a dict."""
        return {k: getattr(self, k) for k in
                ("read", "inserted", "updated", "unchanged", "rejected", "converted",
                 "indexed")}

    def reject(self, path, where, field, message):
        """Count and record one rejected record (or one error of it)."""
        self.rejects.append({"file": str(path), "where": where, "field": field,
                             "message": message})


class _Batch:
    """Records of one file waiting to be validated and stored together."""

    def __init__(self, service, report, path, kind, changes):
        self.service, self.report, self.path, self.kind = service, report, path, kind
        self.partners = set(service.store.partner_names())
        self.changes, self.items = changes, []

    def add(self, where, record):
        self.items.append((where, record))

    def flush(self):
        """Validate and store the waiting records (raises StoreError when it cannot)."""
        if not self.items:
            return
        report, taxonomy = self.report, default_taxonomy()
        notes = {}
        results, errors = self.service.save(self.kind, [r for _, r in self.items],
                                            self.partners, warnings=notes)
        for i, found in sorted(notes.items()):
            report.converted += 1
            report.conversions += [{"file": str(self.path), "where": self.items[i][0],
                                    "field": w["field"], "message": w["message"]}
                                   for w in found]
        for _, status, data in results:
            status, doc_id, version = status if isinstance(status, tuple) else (status, None, None)
            setattr(report, status, getattr(report, status) + 1)
            if self.kind == "partners":
                self.partners.add(data["id"])
            elif status != "unchanged":
                self.changes.append((doc_id, version))
            for text in data.get("skills_text", []):
                found = taxonomy.extract(text)
                if found:
                    report.resolved_in_text[text] = found
                else:
                    report.unresolved_skills[text] = report.unresolved_skills.get(text, 0) + 1
        for i, errs in errors:
            report.rejected += 1
            for err in errs:
                report.reject(self.path, self.items[i][0], err["field"], " ".join(err["messages"]))
        self.items.clear()


def load_files(service, paths, kind=None, batch=1000, progress=None, refit=False):
    """Load feed files through ``service``; returns a LoadReport.

    ``indexed`` counts the records this load inserted or changed that have reached the
    index (by this process or any other draining at the same time). With
    ``service.concurrent_sync`` (and two CPUs or more), a feed longer than one batch is
    indexed by a second process while the rest is validated and stored.

    With ``refit``, the re-ranking statistics are then fitted again if the corpus changed
    much (``service.refit_corpus``), once the index has caught up, by this process: the
    fit reads the store, and the term fields of the projections just made (by this
    process's sync, or sent back by the second process: ``indexer.corpus.remember``)
    instead of tokenising every document again. When a fit looks due as the second
    process starts, this one imports what fitting needs while that one indexes.
    """
    report, changes, drain, stored, drained = LoadReport(), [], None, False, False
    preparing = None
    ordered = sorted(paths, key=lambda p: {"partners": 0}.get(kind or kind_of(p), 1))
    try:
        try:
            for path in ordered:
                file_kind = kind or kind_of(path)
                if file_kind is None:
                    report.rejected += 1
                    report.reject(path, "file", "_file", "cannot tell the kind from the name; "
                                                         "use --kind partners|jobs|courses")
                    continue
                pending = _Batch(service, report, path, file_kind, changes)
                for where, record in read_feed(path, file_kind):
                    report.read += 1
                    if progress:
                        progress(1)
                    if isinstance(record, FeedError):
                        report.rejected += 1
                        report.reject(path, where, "_record", str(record))
                        continue
                    pending.add(where, record)
                    if len(pending.items) >= batch:
                        pending.flush()
                        if drain is None and _can_drain_concurrently(service):
                            drain = BackgroundDrain(service.factory)
                            if refit and service.corpus.would_fit(file_kind):
                                preparing = prepare_fit()
                pending.flush()
        except StoreError as exc:
            report.stopped = str(exc)
        stored = True
    finally:
        if drain is not None:
            drain.finish(collect=refit and stored)
            drained = drain.error is None
    try:
        # A child that drained to the end has indexed (and checked) everything this load
        # committed; this process, which does not search, then need not read the index
        # back (the embedded one would replay the whole load's log to do so).
        if not (drained and service.store.count_pending(changes) == 0):
            service.sync()
    except BackendError as exc:
        report.index_error = str(exc)
    except StoreError as exc:
        report.index_error = str(exc)
    try:
        report.indexed = len(changes) - service.store.count_pending(changes)
    except StoreError as exc:
        report.index_error = report.index_error or str(exc)
    if refit:
        service.refit_corpus()
    if preparing is not None:  # imported by now, or about to be: let it end
        preparing.join()
    return report


def _can_drain_concurrently(service):
    return (service.concurrent_sync and service.factory is not None
            and len(os.sched_getaffinity(0)) >= 2)
