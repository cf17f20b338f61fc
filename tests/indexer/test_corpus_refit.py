"""The refit after a load (indexer.corpus.fit_from_store) reads the term fields of the
projections the load's sync has just made instead of projecting every row again, and
fits the same model as from every row projected."""
import json
import numpy as np

from indexer import corpus
from indexer.cli import sample_feeds
from indexer.corpus import CorpusModel, collecting, fit_from_store, fit_view, remember
from indexer.documents import projection
from indexer.service import IndexerService
from indexer.settings import load_settings


def _fitted_from_every_projection(store, kind):
    """The model as fitted before: every row of the store projected (this corpus is below
    MAX_FIT_DOCS, so every row is in)."""
    names = store.partner_names()
    docs = [projection(kind, row, names.get(row["partner_id"]))
            for row in store.iter_documents(kind)]
    return CorpusModel().fit(docs, n_docs=len(docs))


def _assert_same(a, b):
    for name in CorpusModel._ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name
    assert (a.n_docs_, a.n_fit_, a.avgdl_title_, a.avgdl_body_, a.occupation_clusters_) == \
        (b.n_docs_, b.n_fit_, b.avgdl_title_, b.avgdl_body_, b.occupation_clusters_)


def _service(settings, **extra):
    return IndexerService.from_settings(load_settings({**settings, **extra}))


def test_the_model_a_load_fits_equals_one_from_every_row_projected(settings):
    svc = _service(settings)
    try:
        report = svc.load_files(sample_feeds())
        assert report.rejected == 0
        for kind in ("jobs", "courses"):
            loaded = CorpusModel.load(svc.corpus._path(kind))
            _assert_same(loaded, _fitted_from_every_projection(svc.store, kind))
    finally:
        svc.close()


def test_a_long_load_refits_in_its_second_process_alike(settings, tmp_path):
    """Past one batch the second process drains the outbox and then refits, with its
    projections at hand: the same model."""
    first = _service(settings)
    first.load_files([p for p in sample_feeds() if p.name == "partners.json"])
    first.close()
    svc = _service(settings)
    try:
        rows = [json.loads(line) for line in
                open([p for p in sample_feeds() if p.name == "jobs.jsonl"][0], encoding="utf-8")]
        feed = tmp_path / "jobs.jsonl"
        feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                        encoding="utf-8")
        assert svc.concurrent_sync
        path = svc.corpus._path("jobs")
        report = svc.load_files([feed], batch=50)
        assert report.inserted == report.indexed == len(rows)
        # The loading process left the indexing to its second process: it has not read
        # the index back (the embedded one would replay the whole load's log)...
        assert "jobs" not in svc.backend._kinds
        # ...which it reads when it does search, every posting there.
        assert svc.backend.count("jobs") == len(rows)
        _assert_same(CorpusModel.load(path), _fitted_from_every_projection(svc.store, "jobs"))
    finally:
        svc.close()


def test_the_fit_reads_the_fields_of_the_projections_made_while_collecting(service):
    from factories import make_posting
    service.save("jobs", [make_posting(external_id=f"J-{i}", title=f"Thợ hàn {i}")
                          for i in range(3)])
    rows = list(service.store.iter_documents("jobs"))
    names = service.store.partner_names()
    made = {}
    with collecting():
        for row in rows:
            made[row["id"]] = doc = projection("jobs", row, names.get(row["partner_id"]))
            remember("jobs", row, doc)
        for row in rows:  # the projection's own strings, not computed again
            assert fit_view("jobs", row)["title_hashes"] is made[row["id"]]["title_hashes"]
            assert fit_view("jobs", row)["body_hashes"] is made[row["id"]]["body_hashes"]
        with_memo = fit_from_store(service.store, "jobs")
    assert not corpus._seen  # emptied once the collecting ends
    remember("jobs", rows[0], made[rows[0]["id"]])
    assert not corpus._seen  # nothing kept outside of it
    for row in rows:
        view = fit_view("jobs", row)
        assert view["title_hashes"] == made[row["id"]]["title_hashes"]
        assert view["title_hashes"] is not made[row["id"]]["title_hashes"]
        assert {k: view[k] for k in ("body_hashes", "occupation_code", "search_text")} == \
            {k: made[row["id"]][k] for k in ("body_hashes", "occupation_code", "search_text")}
    _assert_same(with_memo, fit_from_store(service.store, "jobs"))
    _assert_same(with_memo, _fitted_from_every_projection(service.store, "jobs"))


def test_a_background_drain_sends_back_the_fields_of_what_it_projected(settings):
    """The load's second process indexes, and hands the term fields of its projections
    to the first, which refits: they are those of projecting the rows here."""
    from factories import make_partner, make_posting
    from indexer.sync import BackgroundDrain
    svc = _service(settings)
    try:
        svc.save("partners", [make_partner()])
        with collecting():
            drain = BackgroundDrain(svc.factory)
            svc.save("jobs", [make_posting(external_id=f"J-{i}", title=f"Thợ hàn {i}")
                              for i in range(5)])
            drain.finish(collect=True)
            assert drain.error is None
            rows = list(svc.store.iter_documents("jobs"))
            assert len(rows) == 5 and not svc.store.pending(10)
            for row in rows:  # sent back: nothing left for this process to tokenise
                assert ("jobs", row["content_hash"]) in corpus._seen
                doc = projection("jobs", row, "x")
                assert fit_view("jobs", row)["title_hashes"] == doc["title_hashes"]
                assert fit_view("jobs", row)["body_hashes"] == doc["body_hashes"]
        assert not corpus._seen
    finally:
        svc.close()
