"""A real Elasticsearch for the test session: ES_URL if given, else a node from tools.esnode.

``EsCluster.start()`` provisions once per session; ``settings()`` gives each test its own
ES_INDEX_PREFIX so tests never see each other's data; ``cleanup(prefix)`` deletes what a
test created. The node can be stopped and restarted (same port, same data) only when we
provisioned it, for the outage tests.
"""
import itertools
import os
import uuid

from elasticsearch import Elasticsearch

HOW_TO = ("set ES_URL to a running Elasticsearch 9, or install mvn and a JDK 21+ so "
          "tools/esnode.py can provision one")


class EsUnavailable(Exception):
    """No Elasticsearch could be found or started; the message says why and what to do."""


class EsCluster:
    """The Elasticsearch the tests run against."""

    def __init__(self):
        self.url = None
        self.node = None
        self._run = uuid.uuid4().hex[:6]
        self._counter = itertools.count(1)

    @property
    def external(self):
        """True when ES_URL pointed at a cluster we must not stop."""
        return self.node is None

    def start(self):
        """Use ES_URL, or provision a node (small heap, free port); returns the URL."""
        url = os.environ.get("ES_URL") or os.environ.get("VUNGBUOC_ES_URL")
        if url:
            self.url = url
            return url
        try:
            from tools.esnode import ElasticsearchNode, ProvisionError
        except ImportError as exc:  # the provisioning tool itself is missing
            raise EsUnavailable(f"tools.esnode not importable ({exc}); {HOW_TO}") from exc
        node = ElasticsearchNode(heap=os.environ.get("VUNGBUOC_ES_HEAP", "512m"))
        try:
            self.url = node.start()
        except (ProvisionError, OSError) as exc:
            node.close()
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise EsUnavailable(f"cannot provision Elasticsearch: {first}; {HOW_TO}") from exc
        self.node = node
        return self.url

    def client(self):
        """A client of the cluster (for assertions and cleanup)."""
        return Elasticsearch(self.url, request_timeout=30)

    def new_prefix(self):
        """A prefix of index names no other test uses."""
        return f"vbt-{self._run}-{next(self._counter)}"

    def settings(self, prefix=None):
        """Settings overrides pointing a service at the cluster, under a fresh prefix."""
        return {"SEARCH_BACKEND": "elasticsearch", "ES_URL": self.url,
                "ES_INDEX_PREFIX": prefix or self.new_prefix(), "ES_TIMEOUT": 10}

    def cleanup(self, prefix):
        """Delete the indices and templates of ``prefix`` (best effort: the node may be down)."""
        with self.client() as es:
            try:
                es.options(ignore_status=404).indices.delete(index=f"{prefix}-*",
                                                             expand_wildcards="all")
                es.options(ignore_status=404).indices.delete_index_template(
                    name=f"{prefix}-documents")
            except Exception:  # noqa: BLE001 — cleanup must not mask the test's own outcome
                pass

    def stop_node(self):
        """Stop the provisioned node (its data stays)."""
        self.node.stop()

    def restart_node(self):
        """Start the provisioned node again on the same port and data."""
        return self.node.restart()

    def close(self):
        """Stop and remove a node we provisioned."""
        if self.node is not None:
            self.node.close()
            self.node = None
