"""A damaged index is noticed and healed (issue #10, observations 4 and 5): searches and
/healthz answer 503, the CLI exits non-zero, the next sync rebuilds from the store, and
`indexer verify` sees exactly which documents differ."""
import json

import pytest
from click.testing import CliRunner

from indexer.backends import CandidateQuery
from indexer.backends.embedded import EmbeddedBackend
from indexer.cli import main as indexer_cli
from indexer.documents import projection
from indexer.errors import IndexDamaged

from factories import make_partner, make_posting, match_client
from invariant import TODAY, assert_index_matches_store

QUERY = CandidateQuery(kind="jobs", text="thợ hàn", today=TODAY, limit=100)
PROFILE = {"profile": {"skills": ["hàn que"]}}


@pytest.fixture
def loaded(app):
    """The app with 30 postings, compacted into a snapshot, plus one write in the log."""
    svc = app.extensions["vungbuoc"]
    svc.save("partners", [make_partner()])
    svc.save("jobs", [make_posting(external_id=f"J-{i}") for i in range(30)])
    svc.sync()
    svc.backend.compact("jobs")
    svc.save("jobs", [make_posting(external_id="J-log")])
    svc.sync()
    return app


def snapshot(svc):
    jobs = svc.backend.path / "jobs"
    return next(p for p in jobs.iterdir() if p.name.startswith("snap-") and p.is_dir())


def cli(svc, monkeypatch, *args):
    monkeypatch.setenv("VUNGBUOC_DATA_DIR", str(svc.backend.path.parent))
    result = CliRunner().invoke(indexer_cli, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("name", ["x_indices.npy", "x_weights.npy", "sources.bin", "ids.npy",
                                  "manifest.json"])
def test_a_truncated_snapshot_file_is_noticed_and_rebuilt(loaded, monkeypatch, name):
    svc, client = loaded.extensions["vungbuoc"], match_client(loaded)
    assert client.post("/api/v1/matches", json=PROFILE).status_code == 200
    path = snapshot(svc) / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["status"] == "degraded"
    if name.startswith(("x_", "sources")):  # read per query: this process notices at once
        answer = client.post("/api/v1/matches", json=PROFILE)
        assert answer.status_code == 503 and answer.mimetype == "application/problem+json"
    with pytest.raises(IndexDamaged):  # a process opening the index now
        EmbeddedBackend(svc.backend.path).search(QUERY)
    code, out = cli(svc, monkeypatch, "stats")
    assert code == 1 and "index_error" in json.loads(out)
    code, out = cli(svc, monkeypatch, "verify")
    assert code == 1 and "cannot be read" in out
    code, out = cli(svc, monkeypatch, "sync")
    assert code == 0, out
    assert client.get("/healthz").status_code == 200
    assert client.post("/api/v1/matches", json=PROFILE).status_code == 200
    assert_index_matches_store(svc.store, EmbeddedBackend(svc.backend.path))
    assert cli(svc, monkeypatch, "verify")[0] == 0


def test_a_damaged_log_line_is_noticed_and_rebuilt(loaded, monkeypatch):
    svc = loaded.extensions["vungbuoc"]
    log = next(p for p in (svc.backend.path / "jobs").iterdir() if p.suffix == ".log")
    raw = bytearray(log.read_bytes())
    raw[len(raw) - 40] ^= 0x01  # one bit of the last batch
    log.write_bytes(bytes(raw))
    with pytest.raises(IndexDamaged, match="checksum"):
        EmbeddedBackend(svc.backend.path).search(QUERY)
    assert cli(svc, monkeypatch, "verify", "--deep")[0] == 1
    assert cli(svc, monkeypatch, "sync")[0] == 0  # a new process reads the log, rebuilds
    assert_index_matches_store(svc.store, EmbeddedBackend(svc.backend.path))
    assert cli(svc, monkeypatch, "verify", "--deep")[0] == 0


def test_verify_names_missing_extra_and_stale_documents_and_repairs_them(loaded, monkeypatch):
    svc = loaded.extensions["vungbuoc"]
    stranger = projection("jobs", {"id": 9999, "version": 1,
                                   "data": {**svc.store.get_document("jobs", 1)["data"]}})
    svc.backend.upsert("jobs", [stranger])  # in the index, never in the store
    svc.save("jobs", [make_posting(external_id="J-new"),  # written, lost on the way
                      make_posting(external_id="J-3", title="Thợ hàn bậc 3")])
    svc.store.ack(svc.store.pending())
    code, out = cli(svc, monkeypatch, "verify", "--json")
    assert code == 1
    jobs = json.loads(out)["jobs"]
    new_id = svc.store.find_document("jobs", "cty-test", "J-new")["id"]
    stale_id = svc.store.find_document("jobs", "cty-test", "J-3")["id"]
    assert (jobs["missing"]["ids"], jobs["extra"]["ids"], jobs["stale"]["ids"]) == (
        [new_id], [9999], [stale_id])
    assert loaded.test_client().get("/healthz").status_code == 503
    code, out = cli(svc, monkeypatch, "verify", "--repair")
    assert code == 0, out
    assert "repaired (documents)" in out
    assert_index_matches_store(svc.store, svc.backend)
    assert loaded.test_client().get("/healthz").status_code == 200


def test_writes_waiting_in_the_outbox_are_pending_not_differences(loaded, monkeypatch):
    svc = loaded.extensions["vungbuoc"]
    svc.save("jobs", [make_posting(external_id="J-later")])
    code, out = cli(svc, monkeypatch, "verify")
    assert code == 0 and "pending 1" in out
