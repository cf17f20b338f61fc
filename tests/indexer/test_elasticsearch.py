"""What only the Elasticsearch backend has: aliases, external versions, bulk errors, outages."""
import datetime as dt
import json
import threading
from pathlib import Path

import pytest

from indexer.backends import CandidateQuery
from indexer.backends.elasticsearch import ElasticsearchBackend, load_template
from indexer.documents import projection
from indexer.errors import BackendError
from indexer.service import IndexerService
from indexer.settings import load_settings
from indexer.sync import Syncer

from factories import make_partner, make_posting

pytestmark = pytest.mark.elasticsearch
TODAY = dt.date(2026, 11, 27)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def es_service(settings, es_settings):
    """An indexer service on SQLite and the real Elasticsearch, with one partner."""
    svc = IndexerService.from_settings(load_settings({**settings, **es_settings}))
    svc.save("partners", [make_partner()])
    yield svc
    svc.close()


def postings(n, start=0, **overrides):
    """``n`` distinct welding postings."""
    return [make_posting(external_id=f"J-{i}", **overrides) for i in range(start, start + n)]


def live_versions(store, kind="jobs"):
    """{id: version} of the store's live documents of ``kind``."""
    return {row["id"]: row["version"] for row in store.iter_documents(kind)}


def search_ids(backend, **query):
    query.setdefault("kind", "jobs")
    query.setdefault("today", TODAY)
    return [c.id for c in backend.search(CandidateQuery(**query))]


# -- setup and aliases ----------------------------------------------------------------


def test_first_use_creates_template_index_and_alias_once(es_settings, es_cluster):
    prefix = es_settings["ES_INDEX_PREFIX"]
    backends = [ElasticsearchBackend.from_settings(load_settings(es_settings)) for _ in range(4)]
    errors = []

    def first_write(backend):
        try:
            backend.upsert("jobs", [])
            backend._ensure("jobs")
        except Exception as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=first_write, args=(b,)) for b in backends]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with es_cluster.client() as es:
        assert sorted(es.indices.get_alias(name=f"{prefix}-jobs")) == [f"{prefix}-jobs-v3-000001"]
        template = es.indices.get_index_template(name=f"{prefix}-documents")["index_templates"][0]
        assert template["index_template"]["version"] == load_template()["version"]
    health = backends[0].health()
    assert health["status"] in ("green", "yellow") and health["version"].startswith("9.")
    assert health["documents"] == {"jobs": 0, "courses": 0}
    for b in backends:
        b.close()


def test_reindex_swaps_the_alias_without_failed_searches(es_service, es_cluster):
    svc = es_service
    svc.save("jobs", postings(300))
    svc.sync()
    alias = svc.backend.alias("jobs")
    with es_cluster.client() as es:
        before = sorted(es.indices.get_alias(name=alias))
    failures, seen = [], []
    stop = threading.Event()
    reader = ElasticsearchBackend.from_settings(load_settings(
        {"ES_URL": es_cluster.url, "ES_INDEX_PREFIX": svc.backend.prefix}))

    def search_all_the_time():
        while not stop.is_set():
            try:
                seen.append(len(search_ids(reader, text="thợ hàn", limit=500)))
            except Exception as exc:  # noqa: BLE001 — any failure is what the test looks for
                failures.append(exc)

    thread = threading.Thread(target=search_all_the_time)
    thread.start()
    try:
        for _ in range(2):
            assert svc.reindex() == {"jobs": 300, "courses": 0}
    finally:
        stop.set()
        thread.join()
        reader.close()
    assert not failures
    assert seen and set(seen) == {300}
    with es_cluster.client() as es:
        after = sorted(es.indices.get_alias(name=alias))
        assert after == [f"{alias}-v3-000003"] and after != before
        assert not es.indices.exists(index=before[0])
        assert not es.indices.exists_alias(name=f"{alias}-rebuild")
    assert svc.backend.ids("jobs") == live_versions(svc.store)


def test_writes_during_a_rebuild_reach_the_new_index(es_service):
    svc = es_service
    svc.save("jobs", postings(3))
    svc.sync()
    rows = list(svc.store.iter_documents("jobs"))
    old = [projection("jobs", r) for r in rows]
    newer = projection("jobs", {**rows[0], "version": 5,
                                "data": {**rows[0]["data"], "title": "Thợ sơn"}})

    def docs():
        yield old[0]
        # A sync lands while the rebuild is half-way: it must not be lost by the swap.
        svc.backend.upsert("jobs", [newer])
        yield from old[1:]

    assert svc.backend.rebuild("jobs", docs()) == 3
    svc.backend.refresh()
    assert svc.backend.ids("jobs")[rows[0]["id"]] == 5
    assert search_ids(svc.backend, text="thợ sơn")[0] == rows[0]["id"]


def test_the_client_decodes_with_orjson(es_settings):
    """A 200-hit answer is ~300 KB of JSON: the stdlib decoder took about twice as long."""
    from elasticsearch.serializer import OrjsonSerializer
    backend = ElasticsearchBackend.from_settings(load_settings(es_settings))
    serializers = backend.client.transport.serializers
    for mimetype in ("application/json", "application/vnd.elasticsearch+json"):
        assert isinstance(serializers.get_serializer(mimetype), OrjsonSerializer)
    backend.close()


# -- stored source --------------------------------------------------------------------

_INDEX_ONLY = {"search_text", "terms", "location"}
SAM_SON_GEO = {"lat": 19.7354, "lon": 105.9051, "radius_km": 20, "home_province_code": "38"}


def test_indices_store_the_projection_and_index_the_rest(es_service, es_cluster):
    """Retrieval-only fields are indexed but not stored, so searches return the source as is."""
    svc = es_service
    results, _ = svc.save("jobs", postings(2))
    svc.sync()
    job_id = results[0][1][1]
    backend = svc.backend
    for generation in ("first index", "rebuilt index"):
        with es_cluster.client() as es:
            stored = es.get(index=backend.alias("jobs"), id=str(job_id))["_source"]
        assert not _INDEX_ONLY & set(stored), generation
        # Still searchable by the folded terms and by distance (the geo_point).
        assert job_id in search_ids(backend, text="tho han", **SAM_SON_GEO), generation
        found = backend.search(CandidateQuery(kind="jobs", text="thợ hàn", today=TODAY))
        assert not backend._needs_source_filter("jobs")
        assert stored == next(c.source for c in found if c.id == job_id)
        assert {"title_hashes", "body_hashes", "skills", "lat", "lon"} <= set(stored)
        svc.reindex()


def test_an_index_that_stores_everything_is_still_filtered(es_service, es_cluster):
    """An index made before sources were trimmed (no _source excludes) until its reindex."""
    backend = es_service.backend
    backend._ensure_template()
    alias = backend.alias("jobs")
    with es_cluster.client() as es:
        es.indices.create(index=f"{alias}-v3-000001", aliases={alias: {"is_write_index": True}})
    results, _ = es_service.save("jobs", postings(1))
    es_service.sync()
    job_id = results[0][1][1]
    with es_cluster.client() as es:
        assert _INDEX_ONLY <= set(es.get(index=alias, id=str(job_id))["_source"])
    found = backend.search(CandidateQuery(kind="jobs", text="thợ hàn", today=TODAY,
                                          **SAM_SON_GEO))
    assert [c.id for c in found] == [job_id]
    assert backend._needs_source_filter("jobs")
    assert not _INDEX_ONLY & set(found[0].source)
    es_service.reindex()
    found = backend.search(CandidateQuery(kind="jobs", text="thợ hàn", today=TODAY))
    assert not backend._needs_source_filter("jobs")
    assert [c.id for c in found] == [job_id] and not _INDEX_ONLY & set(found[0].source)


def test_an_index_of_an_older_template_is_rebuilt_not_served(es_service, es_cluster):
    """An index of template v1 (province_key, district_key) cannot serve the ward filters:
    searches fail with IndexOutdated (503) and the next sync rebuilds it by alias swap."""
    from indexer.errors import IndexOutdated
    backend = es_service.backend
    alias = backend.alias("jobs")
    with es_cluster.client() as es:
        es.indices.put_index_template(name=f"{backend.prefix}-documents",
                                      index_patterns=[f"{alias}-*"], version=1, priority=500,
                                      template={"mappings": {"properties": {
                                          "district_key": {"type": "keyword"}}}})
        es.indices.create(index=f"{alias}-v1-000001", aliases={alias: {"is_write_index": True}})
    fresh = type(backend).from_settings({"ES_URL": es_cluster.url,
                                         "ES_INDEX_PREFIX": backend.prefix})
    with pytest.raises(IndexOutdated):
        fresh.search(CandidateQuery(kind="jobs", text="thợ hàn", today=TODAY))
    es_service.backend = es_service.syncer.backend = fresh
    results, _ = es_service.save("jobs", postings(2))
    es_service.sync()
    with es_cluster.client() as es:
        assert sorted(es.indices.get_alias(name=alias)) == [f"{alias}-v3-000002"]
        mapping = es.indices.get_mapping(index=alias)[f"{alias}-v3-000002"]["mappings"]
    assert "ward_code" in mapping["properties"] and "district_key" not in mapping["properties"]
    found = fresh.search(CandidateQuery(kind="jobs", text="thợ hàn", today=TODAY,
                                        ward_code="16531"))
    assert sorted(c.id for c in found) == sorted(r[1][1] for r in results)


# -- projections: ids and versions from the search, sources from a cache --------------


class Requests:
    """What a backend's client sends and gets back: its real requests to the cluster,
    recorded on the way (method, target, body, response body)."""

    def __init__(self, backend):
        self.seen = []
        transport = backend.client.transport
        real = transport.perform_request

        def recorded(method, target, **kwargs):
            resp = real(method, target, **kwargs)
            self.seen.append((method, target, kwargs.get("body"), resp.body))
            return resp
        transport.perform_request = recorded

    def to(self, endpoint):
        return [r for r in self.seen if r[1].split("?")[0].endswith(endpoint)]


def _job(doc_id, version, **data):
    row = {"id": doc_id, "version": version, "partner_id": "cty-test",
           "data": make_posting(external_id=f"J-{doc_id}", **data)}
    return projection("jobs", row)


WELDER = CandidateQuery(kind="jobs", text="thợ hàn", today=TODAY)


def test_a_search_fetches_no_source_and_reads_projections_once(es_service):
    backend = es_service.backend
    docs = [_job(i, 1) for i in (1, 2, 3)]
    assert backend.upsert("jobs", docs) == []
    backend.refresh()
    requests = Requests(backend)
    first = backend.search(WELDER)
    (_, target, body, answer), = requests.to("/_search")
    assert body["_source"] is False and body["version"] is True
    assert "filter_path=" in target
    hits = answer["hits"]["hits"]
    assert len(hits) == 3 and all(set(h) == {"_index", "_id", "_version", "_score"} for h in hits)
    (_, _, mget, _), = requests.to("/_mget")  # the projections, fetched once for all three
    assert sorted(d["_id"] for d in mget["docs"]) == ["1", "2", "3"]
    expected = {d["id"]: {k: v for k, v in d.items() if k not in _INDEX_ONLY} for d in docs}
    assert {c.id: c.source for c in first} == expected
    again = backend.search(WELDER)
    assert len(requests.to("/_search")) == 2 and len(requests.to("/_mget")) == 1
    assert [(c.id, c.score, c.source) for c in again] == [(c.id, c.score, c.source)
                                                          for c in first]


def test_a_document_changed_by_another_process_is_served_at_its_new_version(
        es_service, es_settings):
    reader = es_service.backend
    writer = ElasticsearchBackend.from_settings(load_settings(es_settings))
    writer.upsert("jobs", [_job(1, 1, title="Thợ hàn điện"), _job(2, 1)])
    writer.refresh()
    assert {c.id: c.source["title"] for c in reader.search(WELDER)}[1] == "Thợ hàn điện"
    writer.upsert("jobs", [_job(1, 2, title="Thợ hàn TIG")])
    writer.delete("jobs", [(2, 2)])
    writer.refresh()
    found = {c.id: c.source for c in reader.search(WELDER)}
    assert list(found) == [1]  # the deleted one is not served
    assert found[1]["title"] == "Thợ hàn TIG" and found[1]["version"] == 2
    writer.close()


def test_a_hit_deleted_before_its_projection_is_read_is_left_out(es_service):
    backend = es_service.backend
    backend.upsert("jobs", [_job(1, 1), _job(2, 1)])
    backend.refresh()
    raw = [{"_index": backend._indices_of(backend.alias("jobs"))[0], "_id": str(i),
            "_version": 1, "_score": 1.0} for i in (1, 2)]
    backend.delete("jobs", [(2, 2)])  # deleted, not yet refreshed: a search still finds it
    hits, lost = backend._resolve("jobs", raw)
    assert [c.id for c in hits] == [1] and not lost


def test_the_projection_cache_is_bounded_and_a_rebuild_does_not_reuse_it(es_service):
    backend = es_service.backend
    backend.projections.limit = 2
    backend.upsert("jobs", [_job(i, 1) for i in (1, 2, 3)])
    backend.refresh()
    assert sorted(c.id for c in backend.search(WELDER)) == [1, 2, 3]
    assert len(backend.projections) == 2
    # A rebuild writes the same versions into a new index, projected anew.
    backend.rebuild("jobs", [_job(i, 1, title="Thợ hàn mới") for i in (1, 2, 3)])
    assert {c.source["title"] for c in backend.search(WELDER)} == {"Thợ hàn mới"}


def test_searches_reuse_one_connection(es_service):
    backend = es_service.backend
    backend.upsert("jobs", [_job(1, 1)])
    backend.refresh()
    for _ in range(20):
        backend.search(WELDER)
    pools = [node.pool for node in backend.client.transport.node_pool.all()]
    assert sum(pool.num_connections for pool in pools) == 1


# -- versions and errors --------------------------------------------------------------


def test_version_conflicts_count_as_done(es_service):
    backend = es_service.backend
    row = {"id": 7, "version": 3, "partner_id": "cty-test", "data": make_posting()}
    v3 = projection("jobs", row)
    assert backend.upsert("jobs", [v3]) == []
    assert backend.upsert("jobs", [v3]) == []  # a replay
    assert backend.upsert("jobs", [projection("jobs", {**row, "version": 2})]) == []  # late
    backend.delete("jobs", [(7, 2)])  # an older delete loses
    backend.refresh()
    assert backend.ids("jobs") == {7: 3}
    backend.delete("jobs", [(7, 4), (8, 1)])  # a newer one wins; a missing doc is fine
    backend.refresh()
    assert backend.ids("jobs") == {}
    assert backend.upsert("jobs", [v3]) == []  # older than the delete: stays deleted
    backend.refresh()
    assert backend.ids("jobs") == {}


def test_a_failing_document_is_reported_and_the_others_go_in(es_service):
    backend = es_service.backend
    good = [projection("jobs", {"id": i, "version": 1, "data": make_posting()}) for i in (1, 2)]
    bad = {**projection("jobs", {"id": 3, "version": 1, "data": make_posting()}),
           "valid_from": "not a date"}
    errors = backend.upsert("jobs", [good[0], bad, good[1]])
    assert [e["id"] for e in errors] == [3]
    assert "valid_from" in errors[0]["error"] or "date" in errors[0]["error"]
    backend.refresh()
    assert backend.ids("jobs") == {1: 1, 2: 1}


def test_failed_documents_stay_in_the_outbox(es_service, monkeypatch):
    svc = es_service
    svc.save("jobs", postings(3))
    original = svc.backend.upsert

    def upsert_breaking_one(kind, docs):
        docs = [{**d, "valid_through": "never"} if d["id"] == 2 else d for d in docs]
        return original(kind, docs)

    monkeypatch.setattr(svc.backend, "upsert", upsert_breaking_one)
    svc.sync()
    assert [p[2] for p in svc.store.pending()] == [2]
    monkeypatch.undo()
    svc.sync()
    assert svc.store.pending() == []
    assert svc.backend.ids("jobs") == live_versions(svc.store)


# -- Vietnamese folding ---------------------------------------------------------------


def test_d_stroke_folds_to_d_in_both_directions(es_service):
    svc = es_service
    results, _ = svc.save("jobs", [
        make_posting(external_id="J-dn", title="Điện dân dụng Đà Nẵng", description="Đi làm ngay.",
                     required_skills=[]),
        make_posting(external_id="J-x", title="Phụ bếp", description="Rửa bát.",
                     required_skills=[])])
    svc.sync()
    dien = results[0][1][1]
    for text in ("dien dan dung", "ĐIỆN DÂN DỤNG", "đà nẵng", "Da Nang", "di lam"):
        assert search_ids(svc.backend, text=text) == [dien], text


def test_template_analyzer_folds_vietnamese(es_service, es_cluster):
    backend = es_service.backend
    backend._ensure("jobs")
    if not backend._has_vi_analysis():
        pytest.skip("this Elasticsearch lacks the analysis-common module (the integ-test-zip "
                    "distribution); retrieval folds in Python and is tested above")
    with es_cluster.client() as es:
        index = backend.alias("jobs")
        folded = es.indices.analyze(index=index, analyzer="vi_folded", text="Đào tạo nghề hàn")
        bigrams = es.indices.analyze(index=index, analyzer="vi_bigrams", text="Đào tạo nghề hàn")
    assert {"dao", "tao", "nghe", "han"} <= {t["token"] for t in folded["tokens"]}
    assert [t["token"] for t in bigrams["tokens"]] == ["dao_tao", "tao_nghe", "nghe_han"]


# -- outage ---------------------------------------------------------------------------


def test_nothing_is_lost_when_elasticsearch_stops_during_a_sync(settings, es_settings, es_cluster,
                                                                tmp_path):
    if es_cluster.external:
        pytest.skip("ES_URL points at a cluster these tests must not stop")
    from matcher import create_app
    config = {**settings, **es_settings, "SYNC_AFTER_WRITE": False, "TESTING": True}
    app = create_app(config)
    svc = app.extensions["vungbuoc"]
    svc.save("partners", [make_partner()])
    for start in range(0, 3000, 1000):
        svc.save("jobs", postings(1000, start=start))
    syncer = Syncer(svc.store, svc.backend, batch=100)
    svc.backend.retries, svc.backend.bulk_retries = 1, 1  # give up fast while it is down
    stopper = None
    batches = 0
    original = svc.backend.upsert

    def upsert_and_pull_the_plug(kind, docs):
        nonlocal batches, stopper
        batches += 1
        if batches == 3:
            stopper = threading.Thread(target=es_cluster.stop_node)
            stopper.start()
        return original(kind, docs)

    svc.backend.upsert = upsert_and_pull_the_plug
    try:
        with pytest.raises(BackendError):
            syncer.drain()
    finally:
        svc.backend.upsert = original
        if stopper:
            stopper.join()
    try:
        assert 0 < svc.store.counts()["outbox"] < 3000
        # While it is down: writes and feed loads succeed in the store, matches answer 503.
        feed = tmp_path / "jobs.jsonl"
        feed.write_text("\n".join(json.dumps(p, ensure_ascii=False)
                                  for p in postings(5, start=5000)), encoding="utf-8")
        report = svc.load_files([feed])
        assert report.inserted == 5 and report.index_error
        from factories import match_client
        response = match_client(app).post(
            "/api/v1/matches", content_type="application/json",
            data=json.dumps({"profile": {"skills": ["hàn que"],
                                         "location": {"province": "Thanh Hóa"}}}))
        assert response.status_code == 503
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == 503
    finally:
        es_cluster.restart_node()
    svc.backend.retries, svc.backend.bulk_retries = 2, 3
    Syncer(svc.store, svc.backend, batch=1000).drain(retries=3)
    svc.backend.refresh()
    store = live_versions(svc.store)
    assert len(store) == 3005 and svc.store.counts()["outbox"] == 0
    assert svc.backend.ids("jobs") == store
    assert svc.backend.count("jobs") == 3005
    svc.close()


# -- parity ---------------------------------------------------------------------------


def test_both_backends_match_the_sample_profiles_alike(tmp_path, es_settings):
    from indexer.cli import sample_feeds
    from matcher import ranking
    from matcher.schemas import ProfileSchema
    feeds = sample_feeds()
    profiles = sorted((ROOT / "examples").glob("*.json"))
    if not all(p.exists() for p in feeds):
        pytest.skip("the bundled sample feeds are not there yet (indexer/sample_feeds/)")
    if not profiles:
        pytest.skip("no example profiles in examples/*.json yet")
    services = {}
    for name, extra in (("embedded", {"SEARCH_BACKEND": "embedded"}), ("elasticsearch", es_settings)):
        svc = IndexerService.from_settings(load_settings(
            {"DATA_DIR": str(tmp_path / name), **extra}))
        report = svc.load_files(feeds)
        assert report.index_error is None and report.inserted > 0
        services[name] = svc
    try:
        checked = 0
        for path in profiles:
            raw = json.loads(path.read_text(encoding="utf-8"))
            raw = raw.get("profile", raw)
            profile = ProfileSchema().load(raw)
            results = {name: ranking.match(profile, svc.backend, limit=10, today=TODAY,
                                           corpus=svc.corpus.get)
                       for name, svc in services.items()}
            for part in ("jobs", "courses"):
                emb, es = ([r["id"] for r in results[n][part]] for n in services)
                # Stage 2 ranks the same sources by the same code; only exact score ties
                # could order differently, and those are broken by ID on both sides.
                assert emb == es, f"{path.name} {part}"
            checked += 1
        assert checked == len(profiles)
    finally:
        for svc in services.values():
            svc.close()


def test_both_backends_rank_the_dev_set_alike(tmp_path, es_settings):
    """The top 10 of a sample of the labelled set's profiles, on the same postings.

    Stage 1 asks for every posting that matches (more candidates than postings): the two
    backends' BM25 differ slightly (Lucene's lossy length norms), which can swap which
    postings make a 200-candidate cut, and that is not what this test is about.
    """
    import datetime as dt

    from bench import evalset, quality
    from matcher import ranking
    from matcher.schemas import ProfileSchema
    # every posting of the dev set and every 8th profile, committed (tests/matcher/test_quality.py)
    data = evalset.load(Path(__file__).resolve().parents[1] / "fixtures" / "esco-dev-slice.json")
    feeds = quality.write_feeds(data, tmp_path)
    services = {}
    for name, extra in (("embedded", {"SEARCH_BACKEND": "embedded"}), ("elasticsearch", es_settings)):
        svc = IndexerService.from_settings(load_settings(
            {"DATA_DIR": str(tmp_path / name), **extra}))
        report = svc.load_files(feeds)
        assert report.index_error is None and report.indexed == len(data["postings"])
        services[name] = svc
    try:
        today = dt.date.fromisoformat(quality.TODAY)
        for p in data["profiles"][::2]:
            body = ProfileSchema().load(evalset.profile_request(p, quality.PLACE))
            tops = {name: [j["id"] for j in ranking.match(
                body, svc.backend, limit=10, today=today, candidates=len(data["postings"]),
                corpus=svc.corpus.get)["jobs"]] for name, svc in services.items()}
            assert tops["embedded"] == tops["elasticsearch"], p["id"]
    finally:
        for svc in services.values():
            svc.close()
