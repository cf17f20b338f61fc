"""The embedded index across processes: persistence, replay, compaction, concurrent writers."""
import datetime as dt
import multiprocessing
import shutil
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from indexer.backends import CandidateQuery
from indexer.backends.embedded import features
from indexer.backends.base import haversine_km
from indexer.backends.embedded import EmbeddedBackend
from indexer.errors import IndexOutdated

from factories import job_projection, make_posting

TODAY = dt.date(2026, 11, 27)


doc = job_projection


def found(backend, text="hàn"):
    return sorted(c.id for c in backend.search(CandidateQuery(kind="jobs", text=text, today=TODAY,
                                                              limit=10_000)))


def test_a_second_instance_sees_writes_and_deletes(tmp_path):
    writer, reader = EmbeddedBackend(tmp_path), EmbeddedBackend(tmp_path)
    assert found(reader) == []
    writer.upsert("jobs", [doc(1), doc(2)])
    assert found(reader) == [1, 2]
    writer.delete("jobs", [(1, 2)])
    writer.upsert("jobs", [doc(2, 2, title="Thợ sơn", description="Sơn nhà.", required_skills=[])])
    assert found(reader) == []
    assert found(reader, "sơn") == [2]


def test_index_persists_and_reloads(tmp_path):
    EmbeddedBackend(tmp_path).upsert("jobs", [doc(i) for i in range(1, 6)])
    assert found(EmbeddedBackend(tmp_path)) == [1, 2, 3, 4, 5]


def test_compaction_swaps_generations_under_readers(tmp_path):
    writer = EmbeddedBackend(tmp_path, compact_min_ops=3, compact_ratio=0)
    reader = EmbeddedBackend(tmp_path)
    writer.upsert("jobs", [doc(1)])
    assert found(reader) == [1]
    for version in range(2, 6):
        writer.upsert("jobs", [doc(1, version), doc(version + 10)])
    files = sorted(p.name for p in (tmp_path / "jobs").iterdir())
    assert [f for f in files if f.startswith("snap-")] == ["snap-3"]
    assert found(reader) == [1, 12, 13, 14, 15]
    assert reader.ids("jobs")[1] == 5


def _write_many(path, start):
    backend = EmbeddedBackend(path, compact_min_ops=50, compact_ratio=0)
    for i in range(start, start + 100, 10):
        backend.upsert("jobs", [doc(j) for j in range(i, i + 10)])


def test_concurrent_writer_processes_lose_nothing(tmp_path):
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_write_many, args=(tmp_path, start)) for start in (1, 1001)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert found(EmbeddedBackend(tmp_path)) == list(range(1, 101)) + list(range(1001, 1101))


def test_features_hash_to_the_columns_of_scikit_learns_hashing_vectorizer():
    from sklearn.feature_extraction.text import HashingVectorizer
    rows = [["tho", "han", "tho_han", "han", "điện"], [], ["sk:welding", "x" * 300, ""]]
    reference = HashingVectorizer(analyzer=lambda ts: ts, n_features=features.N_FEATURES,
                                  alternate_sign=False, norm=None).transform(rows)
    assert (features.hashed(rows) != reference).nnz == 0
    assert features.hashed(rows)[0, features.column("han")] == 2
    assert features.columns(rows[0]).tolist() == sorted(set(reference[0].indices.tolist()))


def test_radius_filter_agrees_with_haversine(tmp_path):
    backend = EmbeddedBackend(tmp_path)
    home = (19.80, 105.78)
    points = [(19.80 + dlat, 105.78 + dlon) for dlat in (-0.3, -0.09, 0, 0.05, 0.2)
              for dlon in (-0.3, -0.1, 0, 0.09, 0.25)]
    backend.upsert("jobs", [doc(i + 1, location={"province": "Thanh Hóa", "lat": lat, "lon": lon})
                            for i, (lat, lon) in enumerate(points)])
    got = sorted(c.id for c in backend.search(CandidateQuery(
        kind="jobs", text="hàn", today=TODAY, lat=home[0], lon=home[1], radius_km=15,
        limit=100)))
    want = [i + 1 for i, p in enumerate(points) if haversine_km(*home, *p) <= 15]
    assert got == want and 0 < len(want) < len(points)


def test_threads_of_one_process_replay_the_log_once(tmp_path):
    writer, reader = EmbeddedBackend(tmp_path), EmbeddedBackend(tmp_path)
    reader.count("jobs")
    writer.upsert("jobs", [doc(i) for i in range(1, 201)])
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: found(reader), range(16)))
    assert all(r == list(range(1, 201)) for r in results)
    writer.upsert("jobs", [doc(300)])
    assert found(reader) == list(range(1, 201)) + [300]
    assert reader.count("jobs") == 201


def test_an_index_of_an_older_format_is_rebuilt_from_the_store(service):
    service.save("jobs", [make_posting(external_id="J-1")])
    service.sync()
    jobs = service.backend.path / "jobs"
    for old in jobs.iterdir():  # what format 1 left: one .npz and one .pkl per generation
        if old.name.startswith("snap-"):
            shutil.rmtree(old)
    (jobs / "CURRENT").write_text("7")
    (jobs / "snap-7.npz").write_bytes(b"old")
    (jobs / "snap-7.pkl").write_bytes(b"old")
    reader = EmbeddedBackend(service.backend.path)
    with pytest.raises(IndexOutdated, match="indexer reindex"):
        reader.count("jobs")
    service.save("jobs", [make_posting(external_id="J-2")])
    assert service.sync() == 1  # rebuilt from the store, then the outbox applied
    assert reader.count("jobs") == 2
    assert sorted(p.name for p in jobs.iterdir() if p.name.startswith("snap-")) == ["snap-8"]


def test_an_index_of_format_3_lacks_the_eligibility_columns_and_is_rebuilt(service):
    """Format 3 had no licence, education or partner columns: it is outdated, not served."""
    import json
    from indexer.backends.embedded import files
    service.save("jobs", [make_posting(external_id="J-1", licences_required=["car_b"])])
    service.sync()
    jobs = service.backend.path / "jobs"
    snap = next(p for p in jobs.iterdir() if p.name.startswith("snap-"))
    outer = json.loads((snap / files.MANIFEST).read_text())
    manifest = outer["manifest"]
    assert manifest["format"] == files.FORMAT == 4
    for name in ("licences.npy", "edu.npy", "partner.npy"):
        assert name in manifest["files"]
    manifest["format"] = 3  # as the previous release wrote it, checksum and all
    for name in ("licences.npy", "edu.npy", "partner.npy"):
        del manifest["files"][name]
        (snap / name).unlink()
    body = json.dumps(manifest, ensure_ascii=False, sort_keys=True)
    (snap / files.MANIFEST).write_text(json.dumps(
        {"manifest": manifest, "crc32": zlib.crc32(body.encode())}, ensure_ascii=False))
    service.backend.close()  # as after an upgrade: the new release opens the old files
    reader = EmbeddedBackend(service.backend.path)
    with pytest.raises(IndexOutdated):
        reader.count("jobs")
    service.save("jobs", [make_posting(external_id="J-2")])
    assert service.sync() == 1
    assert reader.count("jobs") == 2
    assert reader.search(CandidateQuery(kind="jobs", text="hàn", licences=[])) != []
