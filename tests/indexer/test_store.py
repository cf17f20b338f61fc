"""The store: upserts by key, versions, tombstones and the outbox."""
import pytest

from indexer.errors import NotFound
from indexer.store import Store

from factories import make_partner, make_posting


def _store(url):
    s = Store(url).create_all()
    s.upsert_partners([make_partner()])
    return s


@pytest.fixture
def sqlite_store(tmp_path):
    s = _store(f"sqlite:///{tmp_path / 'store.db'}")
    yield s
    s.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    """The store on SQLite, then on a real PostgreSQL (a fresh database per test)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_store")
        return
    s = _store(request.getfixturevalue("pg_database"))
    yield s
    s.close()


def doc(**overrides):
    return {**make_posting(**overrides), "required_skills": ["welding_smaw"]}


def test_insert_update_unchanged_by_partner_key(store):
    (status, doc_id, version), = store.upsert_documents("jobs", [doc()])
    assert (status, version) == ("inserted", 1)
    assert store.upsert_documents("jobs", [doc()]) == [("unchanged", doc_id, 1)]
    assert store.upsert_documents("jobs", [doc(title="Thợ hàn bậc 3")]) == [("updated", doc_id, 2)]
    assert store.get_document("jobs", doc_id)["data"]["title"] == "Thợ hàn bậc 3"


def test_every_change_leaves_one_outbox_entry(store):
    (_, doc_id, _), = store.upsert_documents("jobs", [doc()])
    store.upsert_documents("jobs", [doc()])
    store.upsert_documents("jobs", [doc(title="Khác")])
    assert [(k, i, v) for _, k, i, v in store.pending()] == [("jobs", doc_id, 1), ("jobs", doc_id, 2)]
    store.ack(store.pending())
    assert store.pending() == []


def test_delete_keeps_a_tombstone_and_versions_keep_growing(store):
    (_, doc_id, _), = store.upsert_documents("jobs", [doc()])
    assert store.delete_document("jobs", doc_id) == 2
    with pytest.raises(NotFound):
        store.get_document("jobs", doc_id)
    with pytest.raises(NotFound):
        store.delete_document("jobs", doc_id)
    assert store.upsert_documents("jobs", [doc()]) == [("inserted", doc_id, 3)]


def test_same_external_id_of_another_partner_is_another_document(store):
    store.upsert_partners([make_partner(id="cty-khac", name="Công ty Khác")])
    a = store.upsert_documents("jobs", [doc()])[0][1]
    b = store.upsert_documents("jobs", [doc(partner_id="cty-khac")])[0][1]
    assert a != b


def test_counts_and_iteration(store):
    store.upsert_documents("jobs", [doc(external_id=f"J-{i}") for i in range(5)])
    store.delete_document("jobs", 1)
    assert store.counts()["jobs"] == {"open": 4}
    assert [d["external_id"] for d in store.iter_documents("jobs", batch=2)] == [
        "J-1", "J-2", "J-3", "J-4"]


def test_sqlite_runs_in_wal_mode(sqlite_store):
    with sqlite_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_expected_version_mismatch_writes_nothing(store):
    from indexer.errors import StaleVersion
    (_, doc_id, _), = store.upsert_documents("jobs", [doc()])
    before = store.pending()
    with pytest.raises(StaleVersion):
        store.upsert_documents("jobs", [doc(title="Mới")], {("cty-test", "J-1"): 7})
    with pytest.raises(StaleVersion):
        store.upsert_documents("jobs", [doc(external_id="J-new")], {("cty-test", "J-new"): 1})
    with pytest.raises(StaleVersion):
        store.delete_document("jobs", doc_id, expected_version=3)
    assert store.pending() == before
    assert store.get_document("jobs", doc_id)["data"]["title"] == "Thợ hàn điện"
    assert store.upsert_documents("jobs", [doc(title="Mới")], {("cty-test", "J-1"): 1}) == [
        ("updated", doc_id, 2)]


def test_concurrent_writers_never_share_a_version(store):
    import threading

    from indexer.errors import StaleVersion
    store.upsert_documents("jobs", [doc()])
    versions, conflicts = [], []

    def writer(n):
        for i in range(15):
            try:
                versions.append(store.upsert_documents("jobs", [doc(title=f"T{n}-{i}")])[0][2])
            except StaleVersion:
                conflicts.append(1)
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(versions) == len(set(versions))
    assert store.get_document("jobs", 1)["version"] == 1 + len(versions)
    assert len(store.pending()) == 1 + len(versions)


def test_rows_carry_aware_utc_times_and_filters_take_any_zone(store):
    import datetime as dt
    if store.engine.dialect.name == "postgresql":  # a server whose sessions are not in UTC
        with store.engine.begin() as conn:
            conn.exec_driver_sql(f"ALTER DATABASE {store.engine.url.database} "
                                 "SET timezone = 'Asia/Ho_Chi_Minh'")
        store.engine.dispose()
    store.upsert_documents("jobs", [doc()])
    updated = store.find_document("jobs", "cty-test", "J-1")["updated_at"]
    assert updated.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.timezone.utc) - updated) < dt.timedelta(minutes=5)
    hanoi = dt.timezone(dt.timedelta(hours=7))
    second = dt.timedelta(seconds=1)
    for before, after in [(updated - second, updated + second),
                          ((updated - second).astimezone(hanoi), (updated + second).astimezone(hanoi)),
                          ((updated - second).replace(tzinfo=None),
                           (updated + second).replace(tzinfo=None))]:
        listed = store.list_documents("jobs", "cty-test", updated_since=before)
        assert [d["external_id"] for d in listed] == ["J-1"]
        assert store.list_documents("jobs", "cty-test", updated_since=after) == []
        assert store.list_documents("jobs", "cty-test", updated_before=before) == []
        assert len(store.list_documents("jobs", "cty-test", updated_before=after)) == 1


def test_the_same_key_twice_in_one_batch_inserts_then_updates(store):
    results = store.upsert_documents("jobs", [doc(), doc(external_id="J-2"), doc(title="Mới")])
    assert [r[0] for r in results] == ["inserted", "inserted", "updated"]
    assert results[0][1] == results[2][1] and results[2][2] == 2
    assert store.get_document("jobs", results[0][1])["data"]["title"] == "Mới"


def test_a_forked_process_opens_connections_of_its_own(tmp_path):
    """A gunicorn worker, a load's background drain and a rebuild's workers are forked
    from a process that may hold pooled connections: the child never uses or closes
    those (two processes on one SQLite connection corrupt each other's transactions, and
    a child closing an inherited one can remove the WAL under the parent)."""
    import gc
    import multiprocessing
    from sqlalchemy import event, text
    store = Store(f"sqlite:///{tmp_path / 'fork.db'}").create_all()
    store.upsert_partners([make_partner(id=f"p{i}") for i in range(50)])  # in the WAL
    with store.engine.connect() as conn:  # the parent now holds a pooled connection
        parent_conn = conn.connection.dbapi_connection
        conn.execute(text("SELECT 1"))
    opened = []
    event.listen(store.engine, "connect", lambda *_: opened.append(1))
    ctx = multiprocessing.get_context("fork")
    result = ctx.Queue()

    def child():
        with store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            mine = conn.connection.dbapi_connection
        gc.collect()
        result.put((len(opened), mine is parent_conn, len(store.partner_names())))
    proc = ctx.Process(target=child)
    proc.start()
    proc.join(30)
    assert proc.exitcode == 0
    assert result.get(timeout=5) == (1, False, 50)  # a connection of its own, newly opened
    store.upsert_partners([make_partner(id="after")])
    with store.engine.connect() as conn:  # the parent's database is whole
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    assert len(store.partner_names()) == 51
    store.close()


def test_the_partners_map_follows_every_change_made_through_any_store(store):
    other = Store(store.url)  # another process's store over the same database
    try:
        assert list(store.partners_map()) == ["cty-test"]
        store.upsert_partners([make_partner(id="cty-a", name="A"), make_partner(id="cty-b", name="B")])
        first = store.partners_map()
        assert {pid: p["name"] for pid, p in first.items() if pid != "cty-test"} == {
            "cty-a": "A", "cty-b": "B"}
        assert list(first) == ["cty-a", "cty-b", "cty-test"]
        # Unchanged partners are not decoded again: the same objects come back.
        assert store.partners_map() is first
        other.upsert_partners([make_partner(id="cty-b", name="B2",
                                            fair_chance_commitments=["no_record_question"]),
                               make_partner(id="cty-0", name="Zero")])
        second = store.partners_map()
        assert {pid: p["name"] for pid, p in second.items() if pid != "cty-test"} == {
            "cty-0": "Zero", "cty-a": "A", "cty-b": "B2"}
        assert list(second) == ["cty-0", "cty-a", "cty-b", "cty-test"]
        assert second["cty-b"]["fair_chance_commitments"] == ["no_record_question"]
        assert second["cty-a"] is first["cty-a"]
        assert {p["id"]: p for p in store.list_partners()} == second
    finally:
        other.close()
