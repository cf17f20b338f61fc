"""Acknowledged writes are never lost (issue #10, observation 3): four clients send bulk
requests of 50 new jobs for several seconds to gunicorn with 2 workers × 2 threads, while
the embedded index compacts; every acknowledged item must be in the index."""
import json
import threading
import time
import urllib.request

import pytest

from indexer.backends.embedded import EmbeddedBackend
from indexer.service import IndexerService
from indexer.settings import load_settings
from matcher.partners import PartnerService

from appserver import serve
from factories import make_partner, make_posting
from invariant import assert_index_matches_store

CLIENTS, ITEMS, SECONDS = 4, 50, 8


def _bulk(base, key, client, n):
    items = []
    for i in range(ITEMS):
        item = make_posting(external_id=f"B{client}-{n}-{i}", title=f"Thợ hàn {client}-{n}-{i}")
        item.pop("partner_id")
        items.append(item)
    request = urllib.request.Request(
        f"{base}/api/v1/partner/jobs/bulk", data=json.dumps({"items": items}).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, json.loads(response.read())


@pytest.mark.slow
def test_a_burst_of_bulk_writes_reaches_the_index_whole(tmp_path):
    data_dir = tmp_path / "var"
    config = {"DATA_DIR": str(data_dir), "SEARCH_BACKEND": "embedded"}
    svc = IndexerService.from_settings(load_settings(config))
    svc.save("partners", [make_partner()])
    key = PartnerService(svc).keys.issue("cty-test")
    svc.close()
    acknowledged, failures = [], []
    env = {"VUNGBUOC_WORKERS": "2", "VUNGBUOC_THREADS": "2",
           "VUNGBUOC_PARTNER_RATE_LIMIT": "100000 per minute",
           # compact every few hundred writes, so generations swap during the burst
           "VUNGBUOC_EMBEDDED_COMPACT_MIN_OPS": "300", "VUNGBUOC_EMBEDDED_COMPACT_RATIO": "0.2"}
    with serve(data_dir, env) as base:
        stop = time.monotonic() + SECONDS

        def client(number):
            n = 0
            while time.monotonic() < stop:
                try:
                    status, body = _bulk(base, key, number, n)
                except OSError as exc:
                    failures.append(repr(exc))
                    return
                if status != 200 or body["summary"]["inserted"] != ITEMS:
                    failures.append(body)
                acknowledged.extend(f"B{number}-{n}-{i}" for i in range(ITEMS))
                n += 1
        threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    log = (data_dir / "gunicorn.log").read_text()
    assert not failures, log[log.find("Traceback"):][:6000]
    assert len(acknowledged) >= 8 * ITEMS
    svc = IndexerService.from_settings(load_settings(config))
    try:
        gen = max(int(p.name.split("-")[1].split(".")[0])
                  for p in (svc.backend.path / "jobs").glob("snap-*"))
        assert gen >= 3, "no compaction ran during the burst"
        assert svc.store.counts()["outbox"] == 0
        assert svc.store.counts()["jobs"]["open"] == len(acknowledged)
        assert_index_matches_store(svc.store, EmbeddedBackend(svc.backend.path))
    finally:
        svc.close()
