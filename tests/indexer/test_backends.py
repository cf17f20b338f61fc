"""The backend contract: one suite, run against every backend."""
import datetime as dt

from indexer.backends import CandidateQuery
from indexer.documents import projection

from factories import NGHI_SON, SAM_SON, make_course, make_partner, make_posting

TODAY = dt.date(2026, 11, 27)


def put(svc, kind, *records):
    """Write records through the store and sync them; returns their IDs."""
    results, errors = svc.save(kind, list(records))
    assert not errors, errors
    svc.sync()
    return [r[1][1] for r in results]


def ids(svc, **query):
    query.setdefault("kind", "jobs")
    query.setdefault("today", TODAY)
    return [c.id for c in svc.backend.search(CandidateQuery(**query))]


def test_text_search_is_diacritic_insensitive(backend_service):
    svc = backend_service
    welder, cook = put(svc, "jobs", make_posting(), make_posting(
        external_id="J-2", title="Phụ bếp nhà hàng", description="Sơ chế rau, rửa bát.",
        required_skills=["kitchen_helper"], occupation_code="9412"))
    assert ids(svc, text="tho han") == [welder]
    assert ids(svc, text="thợ hàn") == [welder]
    assert ids(svc, text="PHU BEP") == [cook]


def test_skill_ids_retrieve_documents(backend_service):
    welder, = put(backend_service, "jobs", make_posting(description="Công việc ở xưởng."))
    assert ids(backend_service, skills=["welding_smaw"]) == [welder]
    assert ids(backend_service, skills=["kitchen_helper"]) == []


def test_hard_filters(backend_service):
    svc = backend_service
    near, far, closed, expired, future, excluding = put(
        svc, "jobs", make_posting(), make_posting(external_id="J-far", location=dict(NGHI_SON)),
        make_posting(external_id="J-closed", status="closed"),
        make_posting(external_id="J-old", valid_from="2026-01-01", valid_through="2026-06-30"),
        make_posting(external_id="J-future", valid_from="2027-01-01"),
        make_posting(external_id="J-excl", excluded_offences=["property", "drug"]))
    assert sorted(ids(svc, text="hàn")) == sorted([near, far, excluding])
    assert sorted(ids(svc, text="hàn", offence="property")) == sorted([near, far])
    assert sorted(ids(svc, text="hàn", offence="traffic")) == sorted([near, far, excluding])
    radius = dict(lat=SAM_SON["lat"], lon=SAM_SON["lon"], radius_km=15)
    assert sorted(ids(svc, text="hàn", **radius)) == sorted([near, excluding])
    assert sorted(ids(svc, text="hàn", lat=SAM_SON["lat"], lon=SAM_SON["lon"], radius_km=50)) \
        == sorted([near, far, excluding])
    assert ids(svc, text="hàn", ward_code="16561") == [far]  # Phường Tĩnh Gia
    assert sorted(ids(svc, text="hàn", province_code="38")) == sorted([near, far, excluding])
    assert ids(svc, text="hàn", province_code="40") == []  # Nghệ An
    assert ids(svc, text="hàn", province_code="38", ward_code="16531") \
        == sorted([near, excluding])  # Phường Sầm Sơn


def test_documents_without_coordinates_get_their_wards_centre(backend_service):
    no_coords = {k: v for k, v in SAM_SON.items() if k not in ("lat", "lon")}
    doc_id, = put(backend_service, "jobs", make_posting(location=no_coords))
    assert backend_service.store.get_document("jobs", doc_id)["data"]["location"]["lat"] \
        == 19.7551
    near_ward = dict(lat=19.76, lon=105.89, radius_km=3)
    assert ids(backend_service, text="hàn", **near_ward) == [doc_id]
    assert ids(backend_service, text="hàn", lat=19.43, lon=105.77, radius_km=3) == []


def test_documents_with_a_province_only_pass_radius_only_in_home_province(backend_service):
    doc_id, = put(backend_service, "jobs", make_posting(location={"province": "Thanh Hoá"}))
    radius = dict(lat=SAM_SON["lat"], lon=SAM_SON["lon"], radius_km=10)
    assert ids(backend_service, text="hàn", home_province_code="38", **radius) == [doc_id]
    assert ids(backend_service, text="hàn", home_province_code="40", **radius) == []


def test_updates_and_deletes_are_visible(backend_service):
    svc = backend_service
    doc_id, = put(svc, "jobs", make_posting())
    put(svc, "jobs", make_posting(title="Phụ bếp", description="Rửa bát.",
                                  required_skills=["kitchen_helper"]))
    assert ids(svc, text="tho han") == []
    assert ids(svc, text="phu bep") == [doc_id]
    svc.delete("jobs", doc_id)
    assert ids(svc, text="phu bep") == []
    assert svc.backend.count("jobs") == 0


def test_stale_versions_never_overwrite_newer_ones(backend_service):
    svc = backend_service
    doc_id, = put(svc, "jobs", make_posting())
    put(svc, "jobs", make_posting(title="Thợ sơn nhà", description="Sơn tường."))
    row = svc.store.get_document("jobs", doc_id)
    stale = projection("jobs", {**row, "version": 1,
                                "data": {**row["data"], "title": "Thợ hàn cũ"}})
    svc.backend.upsert("jobs", [stale])
    svc.backend.refresh()
    assert svc.backend.ids("jobs") == {doc_id: 2}
    assert ids(svc, text="tho son") == [doc_id]


def test_ranking_is_best_first_and_limited(backend_service):
    svc = backend_service
    put(svc, "jobs", *[make_posting(external_id=f"J-{i}", title="Thợ hàn" if i % 2 else "Thợ xây",
                                    description="Làm việc tại công trình.",
                                    required_skills=["welding_smaw"] if i % 2 else [])
                       for i in range(10)])
    found = svc.backend.search(CandidateQuery(kind="jobs", text="thợ hàn", skills=["welding_smaw"],
                                              today=TODAY, limit=3))
    assert len(found) == 3
    assert all(c.source["title"] == "Thợ hàn" for c in found)
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)


def test_courses_are_a_separate_kind(backend_service):
    course, = put(backend_service, "courses", make_course())
    assert ids(backend_service, kind="courses", text="hàn mig") == [course]
    assert ids(backend_service, kind="jobs", text="hàn mig") == []


def test_rebuild_from_the_store_matches_incremental_state(backend_service):
    svc = backend_service
    put(svc, "jobs", *[make_posting(external_id=f"J-{i}") for i in range(4)])
    svc.delete("jobs", 2)
    before = svc.backend.ids("jobs")
    svc.reindex()
    assert svc.backend.ids("jobs") == before
    assert svc.backend.count("jobs") == 3


def _feed(tmp_path, n, bad_every=0):
    """A JSON Lines feed of ``n`` postings; every ``bad_every``-th one invalid."""
    import json
    lines = []
    for i in range(n):
        record = make_posting(external_id=f"F-{i}", title=f"Thợ hàn số {i}")
        if bad_every and i % bad_every == 0:
            record["pay_min_vnd"] = -1
        lines.append(json.dumps(record, ensure_ascii=False))
    path = tmp_path / "jobs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _index_matches_store(svc):
    store = {r["id"]: r["version"] for r in svc.store.iter_documents("jobs")}
    assert svc.backend.ids("jobs") == store
    assert svc.store.counts()["outbox"] == 0
    return len(store)


def test_a_long_feed_is_indexed_by_a_second_process_alike(backend_service, tmp_path):
    """Past one batch, a second process drains the outbox while the feed is stored:
    the report, the store and the index end up as with one process."""
    svc = backend_service
    assert svc.concurrent_sync
    feed = _feed(tmp_path, 2_345, bad_every=500)
    report = svc.load_files([feed], batch=400)
    assert (report.read, report.inserted, report.rejected) == (2_345, 2_340, 5)
    assert report.indexed == 2_340 and report.index_error is None
    assert [r["where"] for r in report.rejects] == [f"line {i + 1}" for i in range(0, 2_345, 500)]
    assert _index_matches_store(svc) == 2_340
    assert ids(svc, text="thợ hàn số 2344")[0] == svc.store.find_document(
        "jobs", "cty-test", "F-2344")["id"]
    again = svc.load_files([feed], batch=400)
    assert (again.unchanged, again.indexed, again.rejected) == (2_340, 0, 5)


def test_a_failing_second_process_leaves_the_outbox_to_the_first(backend_service, tmp_path):
    """When the background drain fails, the load drains what is left itself."""
    from indexer.errors import BackendError
    svc = backend_service
    real = svc.factory

    def failing():
        child = real()
        def broken(*args, **kwargs):
            raise BackendError("index down (test)")
        child.backend.upsert = broken
        return child
    svc.factory = failing
    report = svc.load_files([_feed(tmp_path, 1_200)], batch=300)
    assert report.inserted == report.indexed == 1_200 and report.index_error is None
    assert _index_matches_store(svc) == 1_200


# -- eligibility filters and what they hide (issue #14) ---------------------------------


def explained(svc, hidden_limit=0, **query):
    query.setdefault("kind", "jobs")
    query.setdefault("today", TODAY)
    found, report = svc.backend.search_explained(CandidateQuery(**query), hidden_limit)
    assert [c.id for c in found] == [c.id for c in svc.backend.search(CandidateQuery(**query))]
    return [c.id for c in found], report


def test_licences_and_minimum_education_are_hard_filters(backend_service):
    svc = backend_service
    plain, truck, two, school = put(
        svc, "jobs", make_posting(),
        make_posting(external_id="J-truck", licences_required=["truck_c"]),
        make_posting(external_id="J-two", licences_required=["truck_c", "forklift"]),
        make_posting(external_id="J-school", min_education="upper_secondary"))
    everyone = sorted([plain, truck, two, school])
    assert sorted(ids(svc, text="hàn")) == everyone  # no filter asked for
    assert sorted(ids(svc, text="hàn", licences=[])) == sorted([plain, school])
    assert sorted(ids(svc, text="hàn", licences=["truck_c"])) == sorted([plain, truck, school])
    assert sorted(ids(svc, text="hàn", licences=["forklift", "truck_c", "car_b"])) == everyone
    assert sorted(ids(svc, text="hàn", education="lower_secondary")) \
        == sorted([plain, truck, two])
    assert sorted(ids(svc, text="hàn", education="upper_secondary")) == everyone
    assert sorted(ids(svc, text="hàn", education="university")) == everyone


def test_several_offence_categories_exclude_together(backend_service):
    svc = backend_service
    plain, theft, drugs = put(svc, "jobs", make_posting(),
                              make_posting(external_id="J-p", excluded_offences=["property"]),
                              make_posting(external_id="J-d", excluded_offences=["drug"]))
    assert ids(svc, text="hàn", offences=["property", "drug"]) == [plain]
    assert sorted(ids(svc, text="hàn", offences=["drug"], offence="traffic")) \
        == sorted([plain, theft])


def test_fair_chance_filter_keeps_the_partners_given(backend_service):
    svc = backend_service
    svc.save("partners", [make_partner(id="cty-fair", name="Công ty Cơ Hội",
                                       fair_chance_commitments=["Tuyển người đã chấp hành án"])])
    mine, fair = put(svc, "jobs", make_posting(),
                     make_posting(external_id="J-f", partner_id="cty-fair"))
    assert ids(svc, text="hàn", partner_ids=["cty-fair"]) == [fair]
    assert ids(svc, text="hàn", partner_ids=[]) == []
    _, report = explained(svc, text="hàn", partner_ids=["cty-fair"])
    assert report.counts == {"fair_chance": 1} and report.total == 1


def test_what_the_filters_hid_is_counted_per_reason(backend_service):
    """Counts cover matching documents only: a posting that matches nothing asked for,
    or is closed, is not 'hidden'; one hidden for two reasons counts under both."""
    svc = backend_service
    near, b2, far_b2, school, theft, two, cook, closed = put(
        svc, "jobs", make_posting(),
        make_posting(external_id="J-b", licences_required=["car_b"]),
        make_posting(external_id="J-fb", licences_required=["car_b"], location=dict(NGHI_SON)),
        make_posting(external_id="J-s", min_education="upper_secondary"),
        make_posting(external_id="J-p", excluded_offences=["property"]),
        make_posting(external_id="J-2", licences_required=["car_b", "forklift"]),
        make_posting(external_id="J-cook", title="Phụ bếp", description="Rửa bát.",
                     required_skills=["kitchen_helper"], licences_required=["car_b"]),
        make_posting(external_id="J-closed", status="closed", licences_required=["car_b"]))
    query = dict(text="hàn", lat=SAM_SON["lat"], lon=SAM_SON["lon"], radius_km=15,
                 licences=["motorbike_a1"], education="lower_secondary", offences=["property"])
    shown, report = explained(svc, hidden_limit=10, **query)
    assert shown == [near]
    assert report.counts == {"offence": 1, "licence": 3, "education": 1, "distance": 1}
    assert report.only == {"offence": 1, "licence": 2, "education": 1, "distance": 0}
    assert report.licences == {"car_b": 1}  # J-2 needs two licences; far_b2 is far too
    assert report.total == 5
    assert sorted(h.id for h in report.items) == sorted([b2, far_b2, school, theft, two])
    reasons = {h.id: h.reasons for h in report.items}
    assert reasons[far_b2] == ["licence", "distance"] and reasons[school] == ["education"]
    assert reasons[theft] == ["offence"] and reasons[two] == ["licence"]
    assert all("title" in h.source for h in report.items)
    _, few = explained(svc, hidden_limit=2, **query)
    assert len(few.items) == 2 and few.counts == report.counts
    _, none = explained(svc, **query)
    assert none.items == [] and none.total == 5
    _, nothing = explained(svc, text="hàn")
    assert (nothing.counts, nothing.total, nothing.licences) == ({}, 0, {})


def test_hidden_reasons_agree_with_the_reference(backend_service):
    """Every backend's filters agree with indexer.backends.hidden_reasons, document by
    document, for the area filters too."""
    from indexer.backends import hidden_reasons
    svc = backend_service
    put(svc, "jobs", make_posting(), make_posting(external_id="J-far", location=dict(NGHI_SON)),
        make_posting(external_id="J-b", licences_required=["car_b"], min_education="college"))
    for query in (dict(ward_code="16531", licences=[]), dict(province_code="40"),
                  dict(lat=SAM_SON["lat"], lon=SAM_SON["lon"], radius_km=5,
                       home_province_code="38", education="none")):
        q = CandidateQuery(kind="jobs", today=TODAY, text="hàn", **query)
        shown, report = svc.backend.search_explained(q, hidden_limit=10)
        everything = svc.backend.search(CandidateQuery(kind="jobs", today=TODAY, text="hàn"))
        want = {c.id: hidden_reasons(q, c.source) for c in everything}
        assert sorted(c.id for c in shown) == sorted(i for i, r in want.items() if not r)
        assert {h.id: h.reasons for h in report.items} == {i: r for i, r in want.items() if r}
        for reason in q.active_reasons():
            assert report.counts[reason] == sum(reason in r for r in want.values())
