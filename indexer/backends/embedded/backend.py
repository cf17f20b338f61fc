"""The embedded backend: an in-process sparse index, persisted under the data directory.

Every gunicorn worker and the CLI open the same files (``files`` describes them):
writers serialise on a lock file and append whole batches to the log of the current
generation; readers take no lock, read ``CURRENT`` before each search and apply the
batches they have not seen. When the log grows, the writer compacts the rows into a new
snapshot generation and publishes it with one atomic rename. Under the lock a writer
always works on the generation ``CURRENT`` names, and a log is only ever opened for
appending, never created, except by the writer that publishes its generation: no write
can land in a generation that was already compacted.

Scoring is BM25 over hashed terms (folded syllables and syllable bigrams) plus skill
IDs weighted by their inverse document frequency, computed only on the columns of
the query's terms.
"""
import contextlib
import ctypes
import fcntl
import functools
import os
import shutil
import threading
import uuid
from pathlib import Path

import numpy as np

from ...errors import IndexDamaged, IndexUnusable
from ...text import terms
from ..base import (KINDS, BackendError, Candidate, Hidden, HiddenReport, SearchBackend,
                    hidden_reasons)
from ...vocab import codes
from . import build, files
from . import features as F
from .features import columns
from .segment import Segment


def _serialised(method):
    """Run ``method`` holding the backend's lock: threads of one process (gunicorn's
    gthread workers) share the in-memory index, and replaying the log mutates it."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._mutex:
            return method(self, *args, **kwargs)
    return wrapper


class EmbeddedBackend(SearchBackend):
    """In-process sparse index under ``path``, shared safely between processes."""

    name = "embedded"

    def __init__(self, path, compact_ratio=0.25, compact_min_ops=5000,
                 build_chunk=build.CHUNK, build_processes=None):
        self.path = Path(path)
        self.compact_ratio = compact_ratio
        self.compact_min_ops = compact_min_ops
        self.build_chunk, self.build_processes = build_chunk, build_processes
        self._kinds, self._made = {}, set()
        self._mutex = threading.RLock()
        _keep_freed_memory()

    # -- state ------------------------------------------------------------------------

    def _dir(self, kind):
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        path = self.path / kind
        if kind not in self._made:
            path.mkdir(parents=True, exist_ok=True)
            self._made.add(kind)
        return path

    @contextlib.contextmanager
    def _locked(self, kind):
        """Hold the writers' lock of ``kind`` (released by the kernel if we die)."""
        with open(self._dir(kind) / "LOCK", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            yield

    def _open(self, kind, gen, uid):
        """The rows of generation ``gen``: its snapshot, and its log replayed whole."""
        if gen == 0:
            return Segment()
        d = self._dir(kind)
        seg = Segment.read(d / f"snap-{gen}")
        seg.gen, seg.uid = gen, uid
        self._replay(kind, seg)
        return seg

    def _replay(self, kind, seg):
        """Apply the whole batches written to the log since ``seg`` last read it."""
        if seg.gen == 0:
            return
        batches, end = files.read_log(files.log_path(self._dir(kind), seg.gen), seg.log_offset,
                                      seg.gen, seg.uid)
        for ops in batches:
            seg.apply(ops)
            seg.log_ops += len(ops)
        seg.log_offset = end

    def _state(self, kind):
        """The in-memory rows of ``kind``, brought up to date with the files.

        A damaged or outdated index raises (IndexDamaged, IndexOutdated) and is not
        served; the next sync rebuilds it from the store.
        """
        try:
            for _ in range(5):
                gen, uid = files.read_current(self._dir(kind))
                seg = self._kinds.get(kind)
                try:
                    if seg is None or (seg.gen, seg.uid) != (gen, uid):
                        self._kinds.pop(kind, None)
                        seg = self._open(kind, gen, uid)
                        self._kinds[kind] = seg
                    else:
                        seg.check()
                        self._replay(kind, seg)
                    return seg
                except FileNotFoundError as exc:
                    if files.read_current(self._dir(kind)) == (gen, uid):
                        raise IndexDamaged(f"embedded index of {kind}: {exc.filename} "
                                           "is missing") from None
                    # a writer published a newer generation meanwhile: read CURRENT again
            raise BackendError(f"embedded index of {kind} keeps changing; try again")
        except IndexUnusable:
            self._kinds.pop(kind, None)
            raise
        except (OSError, ValueError, KeyError) as exc:
            self._kinds.pop(kind, None)
            raise IndexDamaged(f"embedded index of {kind} unreadable: {exc}") from exc

    # -- writes -----------------------------------------------------------------------

    def _publish(self, kind, seg=None, built=None):
        """Write ``seg`` (or take the snapshot ``built`` in a directory of its own) as the
        next generation and make it current (holding the lock).

        The snapshot and the new log are complete and flushed before ``CURRENT`` names
        them; then the older generations are removed (readers that still hold their
        files open keep them until they move on).
        """
        d = self._dir(kind)
        gen = max([files.generation_of(p.name) or 0 for p in d.iterdir()]
                  + [seg.gen if seg else 0]) + 1
        uid = uuid.uuid4().hex
        tmp = d / f"snap-{gen}.tmp"
        try:
            shutil.rmtree(tmp, ignore_errors=True)
            if built is None:
                seg.write(tmp)
            else:
                os.replace(built, tmp)
            os.replace(tmp, d / f"snap-{gen}")
            files.create_log(files.log_path(d, gen), gen, uid)
            files.write_current(d, gen, uid)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        for old in d.iterdir():
            number = files.generation_of(old.name)
            if number is not None and number != gen:
                shutil.rmtree(old) if old.is_dir() else old.unlink(missing_ok=True)
        self._kinds[kind] = fresh = self._open(kind, gen, uid)
        return fresh

    def _write(self, kind, ops):
        """Append the ops that change something as one batch, apply them; maybe compact."""
        try:
            with self._locked(kind):
                seg = self._state(kind)
                if seg.gen == 0:
                    seg = self._publish(kind, seg)
                fresh = seg.net(ops)
                if fresh:
                    end = files.append_log(files.log_path(self._dir(kind), seg.gen),
                                           seg.log_offset, fresh)
                    seg.apply(fresh)
                    seg.log_offset, seg.log_ops = end, seg.log_ops + len(fresh)
                if seg.log_ops > max(self.compact_min_ops, self.compact_ratio * len(seg.row_of)):
                    self._publish(kind, seg)
                return len(fresh)
        except FileNotFoundError as exc:
            self._kinds.pop(kind, None)
            raise IndexDamaged(f"embedded index of {kind}: {exc.filename} is missing") from exc
        except IndexUnusable:
            raise
        except OSError as exc:
            self._kinds.pop(kind, None)
            raise BackendError(f"embedded index of {kind} not writable: {exc}") from exc

    @_serialised
    def upsert(self, kind, docs):
        """Index projections; versions not newer than the indexed one are ignored."""
        self._write(kind, [{"op": "upsert", "id": d["id"], "version": d["version"], "doc": d}
                           for d in docs])
        return []

    @_serialised
    def delete(self, kind, items):
        """Remove (id, version) pairs, leaving tombstones; older versions win nothing."""
        self._write(kind, [{"op": "delete", "id": i, "version": v} for i, v in items])

    @_serialised
    def rebuild(self, kind, docs, deleted=()):
        """Build a new snapshot from ``docs`` (and tombstones ``deleted``), swap it in.

        The snapshot is written beside the index while it keeps serving, streaming and in
        parallel (``build``); only the swap holds the writers' lock.
        """
        d = self._dir(kind)
        _remove_abandoned_builds(d)
        target = d / f"build-{os.getpid()}-{uuid.uuid4().hex}"
        try:
            build.write_snapshot(target, docs, deleted, chunk=self.build_chunk,
                                 processes=self.build_processes)
            with self._locked(kind):
                return len(self._publish(kind, built=target).row_of)
        except OSError as exc:
            raise BackendError(f"embedded index of {kind} not writable: {exc}") from exc
        finally:
            shutil.rmtree(target, ignore_errors=True)

    @_serialised
    def compact(self, kind):
        """Write the current rows as a new generation (what a long log triggers by itself)."""
        try:
            with self._locked(kind):
                self._publish(kind, self._state(kind))
        except OSError as exc:
            raise BackendError(f"embedded index of {kind} not writable: {exc}") from exc

    # -- reads ------------------------------------------------------------------------

    @_serialised
    def search(self, query):
        """Top candidates by BM25 + skill relevance among documents passing the filters."""
        seg = self._state(query.kind)
        if not seg.row_of:
            return []
        scores, relevant = self._relevant(seg, query)
        mask = seg.eligible(query)
        if relevant is not None:
            mask &= relevant
        rows = np.flatnonzero(mask)
        return self._top(seg, rows, scores[rows], query.limit)

    @_serialised
    def search_explained(self, query, hidden_limit=0):
        """The candidates, and what the eligibility filters hid among the relevant rows.

        Counted with masks over all rows (a few vector operations per filter) rather than
        per relevant row: nearly every row is relevant to a query holding common syllables.
        """
        seg = self._state(query.kind)
        report = HiddenReport()
        if not seg.row_of:
            return [], report
        scores, relevant = self._relevant(seg, query)
        current = seg.current(query.today)
        matching = current if relevant is None else current & relevant
        ok = matching.copy()
        fails = {}
        for reason, passing in seg.filters(query).items():
            ok &= passing
            fails[reason] = matching & ~passing
        if fails:
            n_fails = np.zeros(len(seg), np.int8)
            for failing in fails.values():
                n_fails += failing
            alone = n_fails == 1
            for reason, failing in fails.items():
                report.counts[reason] = int(np.count_nonzero(failing))
                report.only[reason] = int(np.count_nonzero(failing & alone))
            if "licence" in fails:
                rows = np.flatnonzero(fails["licence"] & alone)
                lacking = seg.a["licences"][rows] & ~F.licence_bits(query.licences)
                for code in codes("licences"):
                    n = int(np.count_nonzero(lacking == F.licence_bit(code)))
                    if n:
                        report.licences[code] = n
        hidden = matching & ~ok
        report.total = int(np.count_nonzero(hidden))
        if hidden_limit:
            rows = np.flatnonzero(hidden)
            report.items = [Hidden(c.id, c.score, c.source, hidden_reasons(query, c.source))
                            for c in self._top(seg, rows, scores[rows], hidden_limit)]
        rows = np.flatnonzero(ok)
        return self._top(seg, rows, scores[rows], query.limit), report

    @staticmethod
    def _relevant(seg, query):
        """(scores of every row, mask of the rows matching the query's text or skills);
        the mask is None (every row) when the query asks for neither."""
        text_cols = columns(terms(query.text)) if query.text else []
        skill_cols = columns(f"sk:{s}" for s in query.skills) if query.skills else []
        if len(text_cols) == 0 and len(skill_cols) == 0:
            return np.zeros(len(seg), np.float32), None
        scores = seg.scores(text_cols, skill_cols)
        return scores, scores > 0

    @staticmethod
    def _top(seg, rows, scores, limit):
        """The best ``limit`` of (rows, scores) as Candidates, ties cut by ID."""
        if len(rows) > limit:
            # Everything scoring at least the limit-th best, so ties are cut by ID below.
            kth = np.partition(scores, len(scores) - limit)[len(scores) - limit]
            top = scores >= kth
            rows, scores = rows[top], scores[top]
        ids = seg.a["ids"][rows]
        order = np.lexsort((ids, -scores))[:limit]
        return [Candidate(doc_id, score, seg.source(row)) for doc_id, score, row in
                zip(ids[order].tolist(), scores[order].tolist(), rows[order].tolist())]

    @_serialised
    def count(self, kind):
        """Live documents of ``kind``."""
        return len(self._state(kind).row_of)

    @_serialised
    def ids(self, kind):
        """{id: version} of the indexed documents."""
        seg = self._state(kind)
        return {doc_id: int(seg.a["versions"][row]) for doc_id, row in seg.row_of.items()}

    @_serialised
    def inventory(self, kind, today):
        """(id, version) of every row a search on ``today`` can return, one per row."""
        seg = self._state(kind)
        rows = np.flatnonzero(seg.current(today))
        return list(zip(seg.a["ids"][rows].tolist(), seg.a["versions"][rows].tolist()))

    @_serialised
    def verify_storage(self):
        """Read every file of the current generations whole and check its checksums."""
        for kind in KINDS:
            seg = self._state(kind)
            seg.verify()
            if seg.gen:
                files.verify_log(files.log_path(self._dir(kind), seg.gen), seg.gen, seg.uid)

    @_serialised
    def refresh(self):
        """Read what other processes wrote, and check that every file is still whole:
        raises IndexDamaged (which makes a sync rebuild) when one is not."""
        for kind in KINDS:
            seg = self._state(kind)
            try:
                seg.check_files()
            except IndexUnusable:
                self._kinds.pop(kind, None)
                raise

    @_serialised
    def health(self):
        """Document counts per kind; raises BackendError when an index is unusable
        (including a snapshot file damaged since this process read it)."""
        self.refresh()
        return {"backend": self.name, "path": str(self.path),
                "documents": {kind: len(self._state(kind).row_of) for kind in KINDS}}

    def close(self):
        """Close the snapshot files."""
        with self._mutex:
            for seg in self._kinds.values():
                for f in seg.stored():
                    f.close()
            self._kinds.clear()


def _remove_abandoned_builds(directory):
    """Remove what rebuilds by processes that are gone left behind (``build-<pid>-*``)."""
    for path in directory.glob("build-*"):
        pid = path.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


@functools.cache
def _keep_freed_memory():
    """Ask glibc to keep freed memory for reuse instead of returning it to the system.

    A search allocates a few arrays as long as the index (scores, masks); by default
    glibc maps each from the system and unmaps it when freed, and touching fresh pages
    again on every search cost about a quarter of a 1M-posting search. Without glibc
    (musl, macOS) this does nothing.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
    mallopt(m_mmap_threshold, 256 << 20)
    mallopt(m_trim_threshold, 1 << 30)
    mallopt(m_top_pad, 64 << 20)
