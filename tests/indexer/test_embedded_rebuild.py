"""The embedded index's streaming rebuild (``indexer.backends.embedded.build``).

A rebuild must write what compacting a ``Segment`` of the same rows writes (the files
of the rebuild before it streamed), whether it runs in this process or in a pool of
workers over many chunks, and keep the rules of versions and tombstones.
"""
import datetime as dt
import filecmp
import os
import subprocess

import pytest

from indexer.backends import CandidateQuery
from indexer.backends.embedded import EmbeddedBackend, build
from indexer.backends.embedded.segment import Segment
from indexer.cli import sample_feeds
from indexer.documents import projection
from indexer.service import IndexerService
from indexer.settings import load_settings

from factories import job_projection as doc

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def sample_projections(tmp_path_factory):
    """The projections of the bundled sample feeds (real postings and courses), by kind."""
    settings = {"DATA_DIR": str(tmp_path_factory.mktemp("samples") / "var"),
                "SEARCH_BACKEND": "embedded"}
    svc = IndexerService.from_settings(load_settings(settings))
    try:
        svc.load_files(sample_feeds())
        names = svc.store.partner_names()
        return {kind: [projection(kind, r, names.get(r["partner_id"]))
                       for r in svc.store.iter_documents(kind)] for kind in ("jobs", "courses")}
    finally:
        svc.close()


def segment_snapshot(directory, docs, batch, deleted=()):
    """What the rebuild wrote before it streamed: every document applied to a Segment in
    batches, the tombstones with the last batch, then the Segment written."""
    seg = Segment()
    ops = [{"op": "upsert", "id": d["id"], "version": d["version"], "doc": d} for d in docs]
    for start in range(0, max(len(ops), 1), batch):
        tail = [{"op": "delete", "id": i, "version": v} for i, v in deleted] \
            if start + batch >= len(ops) else []
        seg.apply(ops[start:start + batch] + tail)
    seg.write(directory)


def assert_same_files(a, b):
    names = sorted(os.listdir(a))
    assert names == sorted(os.listdir(b))
    assert [n for n in names if not filecmp.cmp(a / n, b / n, shallow=False)] == []


@pytest.mark.parametrize("kind", ["jobs", "courses"])
@pytest.mark.parametrize("chunk,processes", [(build.CHUNK, None), (7, 2), (7, 1)])
def test_a_streamed_rebuild_writes_the_files_of_a_compacted_segment(
        tmp_path, sample_projections, kind, chunk, processes):
    docs = sample_projections[kind]
    assert len(docs) > 3 * 7
    deleted = [(10 ** 6, 3), (10 ** 6 + 1, 1)]  # tombstones of documents gone from the store
    segment_snapshot(tmp_path / "segment", docs, min(chunk, build.BATCH), deleted)
    rows = build.write_snapshot(tmp_path / "streamed", iter(docs), deleted, chunk=chunk,
                                processes=processes)
    assert rows == len(docs)
    assert_same_files(tmp_path / "segment", tmp_path / "streamed")
    assert not (tmp_path / "streamed.pieces").exists()


def test_an_empty_rebuild_writes_the_files_of_an_empty_segment(tmp_path):
    segment_snapshot(tmp_path / "segment", [], build.BATCH, [(5, 2)])
    assert build.write_snapshot(tmp_path / "streamed", iter([]), [(5, 2)]) == 0
    assert_same_files(tmp_path / "segment", tmp_path / "streamed")


def _hits(backend, text):
    return [(c.id, round(c.score, 5), c.source["title"]) for c in backend.search(
        CandidateQuery(kind="jobs", text=text, today=TODAY, limit=100))]


def test_versions_and_tombstones_follow_the_rules_of_live_writes(tmp_path):
    """Repeated IDs (newer, older, equal versions; within a chunk and across chunks) and
    deletes (newer, older than the live row, of absent IDs) give the rows that the same
    ops written one by one give."""
    docs = [doc(i) for i in range(1, 13)]
    docs += [doc(3, 2, title="Thợ sơn"), doc(4, 1, title="Thợ mộc"),  # newer; same version
             doc(5, 3, title="Thợ điện"), doc(5, 2, title="Thợ xây"),  # newer, then older
             doc(20), doc(20, 4, title="Thợ hàn ống")]  # twice in one chunk
    deleted = [(6, 1), (7, 0), (8, 5), (99, 2), (99, 1)]
    streamed = EmbeddedBackend(tmp_path / "streamed", build_chunk=3, build_processes=2)
    assert streamed.rebuild("jobs", iter(docs), deleted) == 11
    written = EmbeddedBackend(tmp_path / "written", compact_min_ops=10 ** 6)
    for d in docs:
        written.upsert("jobs", [d])
    written.delete("jobs", deleted)
    written.compact("jobs")
    assert streamed.ids("jobs") == written.ids("jobs")
    assert streamed.ids("jobs")[5] == 3 and 6 not in streamed.ids("jobs")
    assert streamed._state("jobs").tomb == written._state("jobs").tomb == {6: 1, 8: 5, 99: 2}
    for text in ("hàn", "thợ sơn", "điện", "mộc"):
        assert _hits(streamed, text) == _hits(written, text)
    reopened = EmbeddedBackend(tmp_path / "streamed")
    assert _hits(reopened, "hàn") == _hits(written, "hàn")


def test_a_failed_rebuild_keeps_the_index_and_leaves_nothing_behind(tmp_path):
    backend = EmbeddedBackend(tmp_path, build_chunk=2, build_processes=2)
    backend.rebuild("jobs", [doc(1), doc(2)])

    def failing():
        for i in range(10, 20):
            yield doc(i)
        raise RuntimeError("the store went away")
    with pytest.raises(RuntimeError):
        backend.rebuild("jobs", failing())
    assert sorted(EmbeddedBackend(tmp_path).ids("jobs")) == [1, 2]
    assert [p.name for p in (tmp_path / "jobs").iterdir() if p.name.startswith("build-")] == []


def test_what_a_killed_rebuild_left_is_removed_by_the_next(tmp_path):
    backend = EmbeddedBackend(tmp_path)
    backend.rebuild("jobs", [doc(1)])
    dead = subprocess.Popen(["true"])
    dead.wait()
    left = [tmp_path / "jobs" / f"build-{dead.pid}-abc",
            tmp_path / "jobs" / f"build-{dead.pid}-abc.pieces"]
    alive = tmp_path / "jobs" / f"build-{os.getpid()}-other"  # a rebuild still running
    for path in left + [alive]:
        path.mkdir()
        (path / "x_data.npy").write_bytes(b"partial")
    backend.rebuild("jobs", [doc(1), doc(2)])
    assert [p.exists() for p in left] == [False, False]
    assert alive.exists()
    assert sorted(backend.ids("jobs")) == [1, 2]


def test_a_reindex_reads_and_projects_the_store_in_the_workers(service, tmp_path):
    """``indexer reindex`` hands the rebuild the store by ranges of IDs: forked workers
    read and project them, and the snapshot is the one of the same projections."""
    service.load_files(sample_feeds())
    gone = service.store.iter_documents("jobs").__next__()
    service.delete("jobs", gone["id"])
    service.backend.build_chunk = 7
    counts = service.reindex()
    names = service.store.partner_names()
    for kind in ("jobs", "courses"):
        docs = [projection(kind, r, names.get(r["partner_id"]))
                for r in service.store.iter_documents(kind)]
        assert counts[kind] == len(docs) > 7
        segment_snapshot(tmp_path / kind, docs, 7, service.store.tombstones(kind))
        state = service.backend._state(kind)
        assert_same_files(tmp_path / kind, state.directory)
    assert gone["id"] not in service.backend.ids("jobs")
