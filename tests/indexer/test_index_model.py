"""Model-based test of the index invariant (issue #10): random sequences of partner writes,
feed loads, compactions, rebuilds, restarts and ``kill -9`` of a writer, from two
processes at once, on both backends.

The system: one data directory (store + index) used by this process and by a second
process, each with its own services (``PartnerService`` over ``IndexerService``, as the
partner API uses them). The model: for each external ID, the title and status the store
must hold. After every step, searches from both processes must return exactly the
store's open documents, each once, at the store's version (``invariant``), and the store
must equal the model. A failing run shrinks to the shortest sequence that breaks it.
"""
import json
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
import traceback

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from indexer.errors import Conflict, NotFound
from indexer.service import IndexerService
from indexer.settings import load_settings
from matcher.partners import PartnerService

from factories import make_partner, make_posting
import invariant as inv

KEYS = [f"R{i}" for i in range(6)]
TITLES = ["Thợ hàn điện", "Thợ xây dựng", "Phụ bếp nhà hàng", "Thợ may công nghiệp"]
PARTNER = "cty-test"
CI = os.environ.get("CI", "").lower() == "true"


def body(key, title, status="open"):
    """A job body as a partner sends it."""
    record = make_posting(external_id=key, title=title, status=status)
    record.pop("partner_id")
    return record


class Side:
    """One process's view of the data directory: its services, and the operations."""

    def __init__(self, config):
        self.config = config
        self.indexer = IndexerService.from_settings(load_settings(config))
        self.partners = PartnerService(self.indexer)

    def run(self, op, *args):
        """Perform ``op``; returns a plain result (what the model needs)."""
        ps = self.partners
        if op == "create":
            return ps.create("jobs", PARTNER, body(*args))[0]["version"]
        if op == "put":
            return ps.put("jobs", PARTNER, args[0], body(*args))[0]["version"]
        if op == "patch":
            key, patch = args
            return ps.patch("jobs", PARTNER, key, patch)[0]["version"]
        if op == "close":
            return ps.close("jobs", PARTNER, args[0])["version"]
        if op == "delete":
            return ps.delete("jobs", PARTNER, args[0])
        if op == "bulk":
            return [r["status"] for r in ps.bulk("jobs", PARTNER, [body(*i) for i in args[0]])]
        if op == "load":
            path = os.path.join(self.config["DATA_DIR"], f"feed-{os.getpid()}-jobs.jsonl")
            with open(path, "w", encoding="utf-8") as fh:
                for key, title in args[0]:
                    fh.write(json.dumps({**body(key, title), "partner_id": PARTNER},
                                        ensure_ascii=False) + "\n")
            report = self.indexer.load_files([path])
            return report.summary()
        if op == "compact":
            compact = getattr(self.indexer.backend, "compact", None)
            return compact("jobs") if compact else None
        if op == "reindex":
            return self.indexer.reindex()
        if op == "returned":
            return sorted(inv.returned(self.indexer.backend, "jobs").elements())
        raise ValueError(op)

    def close(self):
        self.indexer.close()


def _serve(config, conn):
    """The second process: run commands from ``conn`` until told to stop."""
    side = Side(config)
    while True:
        msg = conn.recv()
        if msg is None:
            break
        try:
            conn.send(("ok", side.run(*msg)))
        except (Conflict, NotFound) as exc:
            conn.send(("domain", type(exc).__name__))
        except Exception:  # noqa: BLE001 - reported to the test, which fails with it
            conn.send(("error", traceback.format_exc()))
    side.close()
    conn.close()
    os._exit(0)  # skip the parent's cleanup handlers inherited by fork


class Remote:
    """The second process, forked, driven through a pipe."""

    def __init__(self, config):
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(config, child), daemon=True)
        self.proc.start()
        child.close()

    def run(self, *msg):
        self.conn.send(msg)
        return self.answer()

    def answer(self, timeout=120):
        if not self.conn.poll(timeout):
            raise AssertionError(f"the second process did not answer {timeout} s")
        status, value = self.conn.recv()
        if status == "domain":
            raise {"Conflict": Conflict, "NotFound": NotFound}[value](value)
        if status == "error":
            raise AssertionError(f"the second process failed:\n{value}")
        return value

    def kill(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.join()
        self.conn.close()

    def close(self):
        try:
            self.conn.send(None)
            self.proc.join(30)
        finally:
            if self.proc.is_alive():
                self.kill()


keys = st.sampled_from(KEYS)
titles = st.sampled_from(TITLES)
sides = st.sampled_from(["here", "there"])
items = st.lists(st.tuples(keys, titles), min_size=1, max_size=5)


class IndexModel(RuleBasedStateMachine):
    """Partner writes from two processes against a model of what the store holds."""

    backend_settings = None  # set per backend by the test below

    def __init__(self):
        super().__init__()
        self.tmp = tempfile.mkdtemp(prefix="index-model-")
        self.config = {**self.backend_settings(), "DATA_DIR": os.path.join(self.tmp, "var"),
                       # small thresholds, so that writes compact by themselves too
                       "EMBEDDED_COMPACT_MIN_OPS": 8, "EMBEDDED_COMPACT_RATIO": 0.5,
                       "LOAD_CONCURRENT_SYNC": False}
        self.here = Side(self.config)
        self.here.indexer.save("partners", [make_partner()])
        self.there = Remote(self.config)
        self.model = {}  # external ID → (title, status)
        self.killed = False

    def side(self, name):
        return self.here if name == "here" else self.there

    def run(self, name, *msg):
        side = self.side(name)
        return side.run(*msg)

    # -- writes -----------------------------------------------------------------------

    @rule(side=sides, key=keys, title=titles)
    def create(self, side, key, title):
        try:
            self.run(side, "create", key, title)
        except Conflict:
            assert key in self.model
            return
        assert key not in self.model
        self.model[key] = (title, "open")

    @rule(side=sides, key=keys, title=titles, status=st.sampled_from(["open", "closed"]))
    def put(self, side, key, title, status):
        self.run(side, "put", key, title, status)
        self.model[key] = (title, status)

    @rule(side=sides, key=keys, title=titles)
    def patch_title(self, side, key, title):
        self._existing(side, "patch", key, {"title": title},
                       lambda old: (title, old[1]))

    @rule(side=sides, key=keys)
    def close(self, side, key):
        self._existing(side, "close", key, lambda old: (old[0], "closed"))

    @rule(side=sides, key=keys)
    def reopen(self, side, key):
        self._existing(side, "patch", key, {"status": "open"}, lambda old: (old[0], "open"))

    @rule(side=sides, key=keys)
    def delete(self, side, key):
        try:
            self.run(side, "delete", key)
        except NotFound:
            assert key not in self.model
            return
        del self.model[key]

    def _existing(self, side, op, key, *args):
        *args, change = args
        try:
            self.run(side, op, key, *args)
        except NotFound:
            assert key not in self.model
            return
        self.model[key] = change(self.model[key])

    @rule(side=sides, batch=items)
    def bulk(self, side, batch):
        statuses = self.run(side, "bulk", batch)
        seen = set()
        for (key, title), status in zip(batch, statuses):
            if key in seen:
                assert status == "error"  # repeated in one request
                continue
            seen.add(key)
            assert status != "error"
            self.model[key] = (title, "open")

    @rule(side=sides, batch=items)
    def load_feed(self, side, batch):
        summary = self.run(side, "load", batch)
        assert summary["rejected"] == 0
        for key, title in batch:  # the same key twice in a feed: the later one wins
            self.model[key] = (title, "open")
        assert summary["indexed"] == summary["inserted"] + summary["updated"]

    # -- the index and the processes --------------------------------------------------

    @rule(side=sides)
    def compact(self, side):
        self.run(side, "compact")

    @rule(side=sides)
    def reindex(self, side):
        self.run(side, "reindex")

    @rule()
    def restart_here(self):
        self.here.close()
        self.here = Side(self.config)

    @rule()
    def restart_there(self):
        self.there.close()
        self.there = Remote(self.config)

    @rule(batch=items, delay=st.floats(0, 0.05))
    def kill_a_writer(self, batch, delay):
        """``kill -9`` of the second process while it writes a bulk request."""
        before = dict(self.model)
        self.there.conn.send(("bulk", [(k, t) for k, t in dict(batch).items()]))
        time.sleep(delay)
        self.there.kill()
        self.there = Remote(self.config)
        after = {**before, **{k: (t, "open") for k, t in dict(batch).items()}}
        stored = self._stored()
        assert stored in (before, after), "a bulk request was applied in part"
        self.model = stored
        self.killed = True

    # -- checks -----------------------------------------------------------------------

    def _stored(self):
        out = {}
        for row in self.here.indexer.store.iter_documents("jobs"):
            out[row["external_id"]] = (row["data"]["title"], row["status"])
        return out

    @invariant()
    def store_equals_model(self):
        assert self._stored() == self.model

    @invariant()
    def searches_return_the_store(self):
        inv.STEPS[f"model-based steps ({self.config['SEARCH_BACKEND']})"] += 1
        store = self.here.indexer.store
        if self.killed:  # what the killed process committed but did not index: sync it
            self.here.indexer.sync()
            self.killed = False
        assert store.counts()["outbox"] == 0, "an acknowledged write is not indexed"
        expected = sorted(inv.expected(store, "jobs").elements())
        assert sorted(inv.returned(self.here.indexer.backend, "jobs").elements()) == expected
        assert self.there.run("returned") == expected

    def teardown(self):
        try:
            self.there.close()
        finally:
            self.here.close()
            cleanup = getattr(self, "cleanup", None)
            if cleanup:
                cleanup(self.config)
            shutil.rmtree(self.tmp, ignore_errors=True)


def _run(backend_settings, cleanup, examples, steps):
    class Machine(IndexModel):
        pass
    Machine.backend_settings = staticmethod(backend_settings)
    Machine.cleanup = staticmethod(cleanup) if cleanup else None
    Machine.TestCase.settings = settings(
        max_examples=examples, stateful_step_count=steps, deadline=None,
        derandomize=CI, database=None if CI else settings.default.database,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    Machine.TestCase().runTest()


@pytest.mark.slow
def test_the_embedded_index_always_returns_the_store():
    _run(lambda: {"SEARCH_BACKEND": "embedded"}, None, examples=30, steps=25)


@pytest.mark.slow
@pytest.mark.elasticsearch
def test_elasticsearch_always_returns_the_store(es_cluster):
    _run(es_cluster.settings, lambda config: es_cluster.cleanup(config["ES_INDEX_PREFIX"]),
         examples=8, steps=15)

