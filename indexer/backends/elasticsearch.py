"""The Elasticsearch backend: versioned index templates, an alias per kind, streaming bulk.

Layout in the cluster (``P`` is ES_INDEX_PREFIX): the index template ``P-documents``
(from ``config/elasticsearch/documents-v<N>.json``) covers ``P-jobs-*`` and
``P-courses-*``; the alias ``P-jobs`` names the one concrete index searched and written,
``P-jobs-v<N>-<generation>``. ``rebuild`` loads generation+1 behind the alias
``P-jobs-rebuild`` (writes made meanwhile go to both), then swaps ``P-jobs`` onto it in
one ``update_aliases`` call and deletes the old index, so searches never fail.

Every write carries the projection's version as an external version: a replayed or late
write is refused by Elasticsearch (409) and counts as done, since the index already
holds something newer.

Relevance mirrors the embedded backend: BM25 over the ``terms`` field, which holds the
folded syllables and syllable bigrams that ``indexer.text.terms`` produces (the same
units, folded by the same code, whatever analysis modules the cluster has), plus skill
IDs as keywords weighted like the embedded backend's.
"""
import collections
import datetime as dt
import json
import logging
import sys
import threading
import time

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers

try:  # orjson is a dependency; without it the client's stdlib json still works, slower
    from elasticsearch.serializer import OrjsonSerializer
except ImportError:  # pragma: no cover
    OrjsonSerializer = None

from ..settings import config_path
from ..text import terms
from ..errors import IndexOutdated
from ..vocab import codes, education_rank
from .base import (KINDS, BackendError, Candidate, Hidden, HiddenReport, SearchBackend,
                   hidden_reasons)

log = logging.getLogger(__name__)

TEMPLATE_VERSION = 3
SKILL_WEIGHT = 2.0
PREFERRED_WEIGHT = 0.5
# Fields stored for retrieval only, never returned as part of the projection.
_INDEX_ONLY = ["search_text", "terms", "location"]
# Indices created here keep those fields out of the stored _source (they are still
# indexed): the stored source is then the projection itself, so a search returns it
# as stored. Filtering the source at search time makes Elasticsearch parse and rewrite
# every hit's source (~a third of the search's time at 200 hits), and the larger stored
# documents cost more to decompress. Indices made before this (template v1 without the
# exclusion) are still filtered at search time until the next reindex.
_MAPPINGS = {"_source": {"excludes": _INDEX_ONLY}}
# HTTP statuses that mean "the cluster is busy or down", worth a retry.
_RETRY_STATUSES = (429, 502, 503, 504)
# How long a deleted document's version is remembered (Elasticsearch's default is 60 s):
# a drainer that read a document before its deletion and writes after it must be refused.
_SETTINGS = {"index": {"gc_deletes": "1d"}}
# What a search returns: per hit its concrete index, ID, version and score, no _source
# (the projections come from ProjectionCache); ``took`` for the benchmarks.
_SEARCH_FIELDS = ["took", "hits.hits._index", "hits.hits._id", "hits.hits._version",
                  "hits.hits._score", "aggregations"]
_MGET_FIELDS = ["docs._index", "docs._id", "docs._version", "docs.found", "docs._source",
                "docs.error.type"]
# Projections kept per process (all kinds together). A decoded projection with its strings
# interned takes ~2.4 KB (bench corpus, jobs), so the default is ~100 MB per worker: the
# embedded backend keeps up to 50,000 per kind decoded alike. A 200-hit search of a
# deployment's common queries then reads its projections from memory instead of decoding
# ~800 KB of _source.
PROJECTION_CACHE = 40_000


def load_template(version=TEMPLATE_VERSION):
    """The index template body of ``version`` from config/elasticsearch/."""
    with config_path(f"elasticsearch/documents-v{version}.json").open("rb") as fh:
        body = json.load(fh)
    body.pop("_comment", None)
    return body


def without_vi_analysis(body):
    """A copy of the template without the analyzers that need the analysis-common module."""
    body = json.loads(json.dumps(body))
    body["template"]["settings"].pop("analysis", None)
    props = body["template"]["mappings"]["properties"]
    for name in [n for n, m in props.items() if str(m.get("analyzer", "")).startswith("vi_")]:
        del props[name]
    return body


def index_terms(doc):
    """The text the ``terms`` field indexes: what the embedded backend hashes, in order."""
    return " ".join(terms(doc.get("title", "")) + terms(doc.get("search_text", "")))


def _unique(items):
    return list(dict.fromkeys(items))


def _describe(exc):
    if isinstance(exc, ApiError):
        return f"HTTP {exc.status_code} {exc.error}: {exc.message or exc.info}"
    return f"{type(exc).__name__}: {exc}"


class ElasticsearchBackend(SearchBackend):
    """Candidate retrieval in an Elasticsearch 9 cluster, one alias per document kind."""

    name = "elasticsearch"

    def __init__(self, client, prefix="vungbuoc", retries=2, backoff=0.25, chunk_size=500,
                 bulk_retries=3, projection_cache=PROJECTION_CACHE):
        self.client = client
        self.projections = ProjectionCache(projection_cache)
        self.prefix = prefix.strip().lower().rstrip("-") or "vungbuoc"
        self.retries, self.backoff = retries, backoff
        self.chunk_size, self.bulk_retries = chunk_size, bulk_retries
        self._ready = set()
        self._current = set()  # kinds whose alias is known to be on this template version
        self._filter_source = {}
        self._template_done = False
        self.vi_analysis_ = None

    @classmethod
    def from_settings(cls, settings):
        """Build the client from ES_* settings; nothing connects until the first request."""
        url = settings.get("ES_URL")
        if not url:
            raise ValueError("SEARCH_BACKEND is 'elasticsearch' but ES_URL is not set")
        options = {"request_timeout": float(settings.get("ES_TIMEOUT") or 10),
                   # Retries are ours (with backoff); the transport's have none.
                   "max_retries": 0, "retry_on_timeout": False}
        if settings.get("ES_API_KEY"):
            options["api_key"] = settings["ES_API_KEY"]
        elif settings.get("ES_USERNAME"):
            options["basic_auth"] = (settings["ES_USERNAME"], settings.get("ES_PASSWORD", ""))
        if settings.get("ES_CA_CERTS"):
            options["ca_certs"] = settings["ES_CA_CERTS"]
        hosts = [u.strip() for u in url.split(",") if u.strip()]
        # orjson decodes a 200-hit search answer (~300 KB) in about half the time of json.
        if OrjsonSerializer is not None:
            options["serializer"] = OrjsonSerializer()
        # One client per backend, so per process: its urllib3 pool keeps the connections
        # open (keep-alive) from one request to the next.
        return cls(Elasticsearch(hosts, **options),
                   prefix=settings.get("ES_INDEX_PREFIX") or "vungbuoc",
                   projection_cache=int(settings.get("ES_PROJECTION_CACHE")
                                        or PROJECTION_CACHE))

    # -- names ------------------------------------------------------------------------

    def alias(self, kind):
        """The read/write alias of ``kind``."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        return f"{self.prefix}-{kind}"

    def _rebuild_alias(self, kind):
        return f"{self.alias(kind)}-rebuild"

    def _index_name(self, kind, generation):
        return f"{self.alias(kind)}-v{TEMPLATE_VERSION}-{generation:06d}"

    @staticmethod
    def _generation(index):
        try:
            return int(index.rsplit("-", 1)[1])
        except (IndexError, ValueError):
            return 0

    # -- plumbing ---------------------------------------------------------------------

    def _call(self, what, fn, *args, **kwargs):
        """Run one request, retrying with backoff when the cluster is unreachable or busy."""
        for attempt in range(self.retries + 1):
            try:
                return fn(*args, **kwargs)
            except TransportError as exc:
                error = exc
            except ApiError as exc:
                if exc.status_code not in _RETRY_STATUSES and exc.status_code < 500:
                    raise
                error = exc
            if attempt < self.retries:
                time.sleep(self.backoff * 2 ** attempt)
        raise BackendError(f"Elasticsearch unavailable ({what}): {_describe(error)}") from error

    def _has_vi_analysis(self):
        """Whether the cluster has the analysis-common filters the vi_* analyzers use."""
        if self.vi_analysis_ is None:
            try:
                self._call("analyze", self.client.indices.analyze, tokenizer="standard",
                           filter=["asciifolding"], char_filter=[
                               {"type": "mapping", "mappings": ["đ => d"]}], text="đ")
                self.vi_analysis_ = True
            except ApiError as exc:
                log.warning("Elasticsearch lacks the analysis-common module (%s); indexing "
                            "without the vi_* analyzers", _describe(exc))
                self.vi_analysis_ = False
        return self.vi_analysis_

    def _ensure_template(self):
        if self._template_done:
            return
        name = f"{self.prefix}-documents"
        try:
            current = self._call("get template", self.client.indices.get_index_template,
                                 name=name)["index_templates"]
        except NotFoundError:
            current = []
        installed = current[0]["index_template"].get("version", 0) if current else 0
        if installed < TEMPLATE_VERSION:
            body = load_template()
            if not self._has_vi_analysis():
                body = without_vi_analysis(body)
            self._call("put template", self.client.indices.put_index_template, name=name,
                       index_patterns=[f"{self.alias(k)}-*" for k in KINDS], **body)
        self._template_done = True

    def _ensure(self, kind):
        """Create the template, the first index and the alias if missing (idempotent)."""
        if kind in self._ready:
            return
        self._ensure_template()
        alias = self.alias(kind)
        try:
            if not self._call("alias", self.client.indices.exists_alias, name=alias):
                first = self._index_name(kind, 1)
                try:
                    self._call("create index", self.client.indices.create, index=first,
                               aliases={alias: {"is_write_index": True}}, mappings=_MAPPINGS,
                               settings=_SETTINGS)
                except ApiError as exc:
                    # Another process created it first: fine, as long as the alias is there.
                    if exc.error != "resource_already_exists_exception":
                        raise
                    if not self._call("alias", self.client.indices.exists_alias, name=alias):
                        self._call("put alias", self.client.indices.put_alias, index=first,
                                   name=alias)
        except ApiError as exc:
            raise BackendError(f"cannot set up the {kind} index: {_describe(exc)}") from exc
        self._ready.add(kind)

    def _indices_of(self, alias):
        try:
            return sorted(self._call("get alias", self.client.indices.get_alias, name=alias))
        except NotFoundError:
            return []

    # -- writes -----------------------------------------------------------------------

    def _actions(self, index, docs):
        for doc in docs:
            body = dict(doc)
            body["terms"] = index_terms(doc)
            if doc.get("lat") is not None and doc.get("lon") is not None:
                body["location"] = {"lat": doc["lat"], "lon": doc["lon"]}
            yield {"_op_type": "index", "_index": index, "_id": str(doc["id"]),
                   "version": int(doc["version"]), "version_type": "external", "_source": body}

    def _bulk(self, actions, **kwargs):
        """Stream ``actions`` (a list); returns per-document errors, raises when the cluster is down.

        A version conflict means the index already holds a newer version: success. A
        missing document on delete is success too. 5xx after the bulk helper's retries,
        or a connection failure, raises BackendError; the whole call may then be replayed.
        """
        last = None
        for attempt in range(self.bulk_retries + 1):
            errors, unavailable = [], []
            try:
                for ok, item in helpers.streaming_bulk(
                        self.client, actions, chunk_size=self.chunk_size, raise_on_error=False,
                        raise_on_exception=False, max_retries=3, initial_backoff=0.5,
                        max_backoff=5, retry_on_status=_RETRY_STATUSES, yield_ok=False,
                        **kwargs):
                    op, info = next(iter(item.items()))
                    status = info.get("status")
                    if status == 409 or (op == "delete" and status == 404):
                        continue
                    if not isinstance(status, int) or status >= 500 or status == 429:
                        unavailable.append(info)
                        continue
                    errors.append({"id": int(info["_id"]), "error": _item_error(info)})
            except TransportError as exc:
                last = exc
            else:
                if not unavailable:
                    return errors
                last = unavailable[0].get("exception") or RuntimeError(_item_error(unavailable[0]))
            if attempt < self.bulk_retries:
                time.sleep(self.backoff * 2 ** attempt)
        raise BackendError(f"Elasticsearch unavailable (bulk): {_describe(last)}") from (
            last if isinstance(last, BaseException) else None)

    def _check_current(self, kind):
        """Raise IndexOutdated when the alias of ``kind`` is on an index made with an older
        template (its mapping lacks fields this version filters on): rebuild it first."""
        self._ensure(kind)
        if kind in self._current:
            return
        old = [i for i in self._indices_of(self.alias(kind))
               if f"-v{TEMPLATE_VERSION}-" not in i]
        if old:
            raise IndexOutdated(f"the Elasticsearch index {old[0]} was made with an older "
                                f"index template (this version needs v{TEMPLATE_VERSION}); "
                                "rebuild it with 'indexer reindex'")
        self._current.add(kind)

    def _write_targets(self, kind):
        """The alias, plus any index being rebuilt (so no write made meanwhile is lost)."""
        self._check_current(kind)
        return [(self.alias(kind), True)] + [
            (index, False) for index in self._indices_of(self._rebuild_alias(kind))]

    def upsert(self, kind, docs):
        """Index projections with external versions; returns [{id, error}] of real failures."""
        docs = list(docs)
        if not docs:
            return []
        errors = {}
        for target, is_alias in self._write_targets(kind):
            for error in self._bulk(list(self._actions(target, docs)),
                                    require_alias=is_alias):
                errors.setdefault(error["id"], error)
        return list(errors.values())

    def delete(self, kind, items):
        """Delete (id, version) pairs; an equal or newer version wins, a missing doc is fine."""
        items = list(items)
        if not items:
            return
        for target, is_alias in self._write_targets(kind):
            actions = [{"_op_type": "delete", "_index": target, "_id": str(doc_id),
                        "version": int(version), "version_type": "external_gte"}
                       for doc_id, version in items]
            errors = self._bulk(actions, require_alias=is_alias)
            if errors:
                raise BackendError(f"deleting from {target} failed: {errors[:3]}")

    def rebuild(self, kind, docs, deleted=()):
        """Load a new generation, swap the alias onto it atomically, drop the old index.

        The versions of ``deleted`` documents are recorded in the new index, so a late
        write of an older version cannot bring one back.
        """
        self._ensure(kind)
        alias, staging = self.alias(kind), self._rebuild_alias(kind)
        old = self._indices_of(alias)
        generation = max([self._generation(i) for i in old] + [0]) + 1
        new = self._index_name(kind, generation)
        try:
            self._call("create index", self.client.indices.create, index=new,
                       aliases={staging: {}},
                       settings={"index": {**_SETTINGS["index"], "refresh_interval": "-1"}},
                       mappings=_MAPPINGS)
        except ApiError as exc:
            raise BackendError(f"cannot create {new} (is another rebuild running?): "
                               f"{_describe(exc)}") from exc
        try:
            count, batch = 0, []
            for doc in docs:
                batch.append(doc)
                if len(batch) >= 2000:
                    count += self._load(new, batch)
                    batch = []
            count += self._load(new, batch)
            deleted = list(deleted)
            if deleted:
                self._bulk([{"_op_type": "delete", "_index": new, "_id": str(doc_id),
                             "version": int(version), "version_type": "external_gte"}
                            for doc_id, version in deleted])
            self._call("settings", self.client.indices.put_settings, index=new,
                       settings={"index": {"refresh_interval": None}})
            self._call("refresh", self.client.indices.refresh, index=new)
            actions = [{"remove": {"index": i, "alias": alias}} for i in old]
            actions += [{"remove": {"index": new, "alias": staging}},
                        {"add": {"index": new, "alias": alias, "is_write_index": True}}]
            self._call("swap alias", self.client.indices.update_aliases, actions=actions)
            self._filter_source.pop(kind, None)
        except BaseException:
            try:
                self.client.indices.delete(index=new, ignore_unavailable=True)
            except (ApiError, TransportError) as exc:
                log.warning("could not remove the unfinished index %s: %s", new, _describe(exc))
            raise
        for index in old:
            try:
                self._call("delete index", self.client.indices.delete, index=index,
                           ignore_unavailable=True)
            except (ApiError, BackendError) as exc:
                log.warning("old index %s not deleted: %s", index, exc)
        return count

    def _load(self, index, batch):
        if not batch:
            return 0
        errors = self._bulk(list(self._actions(index, batch)))
        for error in errors:
            log.error("indexing %s into %s failed: %s", error["id"], index, error["error"])
        return len(batch) - len(errors)

    def refresh(self):
        """Refresh the aliases, so acknowledged writes become searchable."""
        names = ",".join(self.alias(k) for k in KINDS)
        self._call("refresh", self.client.indices.refresh, index=names, ignore_unavailable=True,
                   allow_no_indices=True)

    # -- reads ------------------------------------------------------------------------

    def _read(self, what, fn, empty, **kwargs):
        try:
            return self._call(what, fn, **kwargs)
        except NotFoundError as exc:
            if exc.error == "index_not_found_exception":
                return empty
            raise BackendError(f"Elasticsearch {what} failed: {_describe(exc)}") from exc
        except ApiError as exc:
            raise BackendError(f"Elasticsearch {what} failed: {_describe(exc)}") from exc

    def search(self, query):
        """Top candidates by BM25 over folded terms plus skill matches, within the filters."""
        self._check_current(query.kind)
        body = {"query": build_query(query), "size": query.limit,
                "sort": [{"_score": "desc"}, {"id": "asc"}], "track_total_hits": False}
        return self._hits(query.kind, body)

    def _hits(self, kind, body, full=False):
        """Run a search for IDs, versions and scores; the projections come from the cache,
        those missing or at another version from one ``mget``.

        A hit whose document is gone by the time of the ``mget`` is left out. When the
        index a hit came from was deleted meanwhile (a rebuild's alias swap), the search
        is run again once on the new index.
        """
        body = {**body, "source": False, "version": True}
        for attempt in range(2):
            resp = self._read("search", self.client.search, None, index=self.alias(kind),
                              filter_path=_SEARCH_FIELDS, **body)
            if resp is None:
                return ([], {}) if full else []
            raw = (resp.get("hits") or {}).get("hits") or []
            hits, lost = self._resolve(kind, raw)
            if not lost:
                break
        return (hits, resp.get("aggregations") or {}) if full else hits

    def _resolve(self, kind, raw):
        """Candidates of the raw hits with their projections; and whether a hit's index
        was missing when its projection was fetched."""
        keys = [(hit["_index"], hit["_id"], hit["_version"]) for hit in raw]
        docs = self.projections.get_many(keys)
        missing = [key for key, doc in zip(keys, docs) if doc is None]
        lost = False
        if missing:
            fetched, lost = self._fetch(kind, missing)
            docs = [doc if doc is not None else fetched.get(key[:2])
                    for key, doc in zip(keys, docs)]
        return [Candidate(int(hit["_id"]), float(hit["_score"] or 0.0), doc)
                for hit, doc in zip(raw, docs) if doc is not None], lost

    def _fetch(self, kind, keys):
        """{(index, id): projection} of ``keys`` read with one ``mget`` (realtime), each
        cached at the version it was read at; documents not found are left out."""
        kwargs = {"source_excludes": _INDEX_ONLY} if self._needs_source_filter(kind) else {}
        resp = self._read("mget", self.client.mget, {"docs": []}, filter_path=_MGET_FIELDS,
                          docs=[{"_index": index, "_id": doc_id} for index, doc_id, _ in keys],
                          **kwargs)
        out, fresh, lost = {}, [], False
        for item in resp.get("docs") or []:
            if item.get("found"):
                doc = _interned(item["_source"])
                key = (item["_index"], item["_id"])
                out[key] = doc
                fresh.append((key, item["_version"], doc))
            elif (item.get("error") or {}).get("type") == "index_not_found_exception":
                lost = True
        self.projections.put_many(fresh)
        return out, lost

    def search_explained(self, query, hidden_limit=0):
        """The candidates and the hidden counts in one request (the eligibility filters as
        a post_filter, the counts as filters aggregations over the matching documents);
        a second request lists the hidden documents when asked for."""
        self._check_current(query.kind)
        passing = eligibility_filters(query)
        base = build_query(query, eligibility=False)
        buckets = hidden_buckets(query, passing)
        body = {"query": base, "size": query.limit,
                "sort": [{"_score": "desc"}, {"id": "asc"}], "track_total_hits": False}
        if passing:
            body["post_filter"] = {"bool": {"filter": list(passing.values())}}
            body["aggs"] = {"hidden": {"filters": {"filters": buckets}}}
        hits, aggs = self._hits(query.kind, body, full=True)
        report = HiddenReport()
        counts = {name: b["doc_count"] for name, b in
                  (aggs.get("hidden", {}).get("buckets") or {}).items()}
        for reason in passing:
            report.counts[reason] = counts.get(f"fail:{reason}", 0)
            report.only[reason] = counts.get(f"only:{reason}", 0)
        report.licences = {name.split(":", 1)[1]: n for name, n in counts.items()
                           if name.startswith("licence:") and n}
        report.total = counts.get("total", 0)
        if hidden_limit and passing and report.total:
            hidden = {"bool": {**base["bool"], "filter": base["bool"]["filter"] + [
                {"bool": {"must_not": [{"bool": {"filter": list(passing.values())}}]}}]}}
            body = {"query": hidden, "size": hidden_limit,
                    "sort": [{"_score": "desc"}, {"id": "asc"}], "track_total_hits": False}
            report.items = [Hidden(c.id, c.score, c.source, hidden_reasons(query, c.source))
                            for c in self._hits(query.kind, body)]
        return hits, report

    def _needs_source_filter(self, kind):
        """Whether an index behind the alias of ``kind`` stores the index-only fields.

        Asked once per kind and process, and again after this process's rebuild. A
        cached answer cannot go wrong: every index created since stores the projection
        only, so "no filter needed" stays true across another process's rebuild, and a
        needless filter after one only costs time until this process restarts.
        """
        if kind not in self._filter_source:
            mappings = self._read("mapping", self.client.indices.get_mapping, None,
                                  index=self.alias(kind))
            if mappings is None:
                return True  # no index yet: nothing to decide, nothing to cache
            self._filter_source[kind] = not mappings or any(
                not set(_INDEX_ONLY) <= set(
                    m.get("mappings", {}).get("_source", {}).get("excludes", []))
                for m in mappings.values())
        return self._filter_source[kind]

    def count(self, kind):
        """Documents in the alias of ``kind``."""
        resp = self._read("count", self.client.count, None, index=self.alias(kind))
        return 0 if resp is None else int(resp["count"])

    def ids(self, kind):
        """{id: version} of every indexed document, read with the external versions."""
        try:
            hits = helpers.scan(self.client, index=self.alias(kind), query={"query": {"match_all": {}}, "_source": False},
                                version=True, size=2000)
            return {int(hit["_id"]): int(hit["_version"]) for hit in hits}
        except NotFoundError:
            return {}
        except (ApiError, TransportError) as exc:
            raise BackendError(f"Elasticsearch scan failed: {_describe(exc)}") from exc

    def inventory(self, kind, today):
        """(id, version) of every document a search on ``today`` can return, one per hit."""
        day = today.isoformat()
        current = {"bool": {"filter": [{"term": {"status": "open"}},
                                       _open_range("valid_from", "lte", day),
                                       _open_range("valid_through", "gte", day)]}}
        try:
            hits = helpers.scan(self.client, index=self.alias(kind),
                                query={"query": current, "_source": False}, version=True,
                                size=5000)
            return [(int(hit["_id"]), int(hit["_version"])) for hit in hits]
        except NotFoundError:
            return []
        except (ApiError, TransportError) as exc:
            raise BackendError(f"Elasticsearch scan failed: {_describe(exc)}") from exc

    def health(self):
        """Cluster name, version and status, and document counts; raises BackendError if down."""
        try:
            cluster = self._call("health", self.client.cluster.health)
        except ApiError as exc:
            raise BackendError(f"Elasticsearch health failed: {_describe(exc)}") from exc
        if cluster["status"] == "red":
            raise BackendError(f"Elasticsearch cluster {cluster['cluster_name']} is red")
        return {"backend": self.name, "cluster": cluster["cluster_name"],
                "version": self._version(), "status": cluster["status"],
                "nodes": cluster["number_of_nodes"], "prefix": self.prefix,
                "documents": {kind: self.count(kind) for kind in KINDS}}

    def _version(self):
        try:
            return self._call("info", self.client.info)["version"]["number"]
        except ApiError:
            # The minimal test distribution has no GET / handler; the nodes API has it.
            try:
                nodes = self._call("nodes", self.client.nodes.info, node_id="_local",
                                   filter_path="nodes.*.version")["nodes"]
                return next(iter(nodes.values()))["version"]
            except (ApiError, StopIteration, KeyError):
                return None

    def close(self):
        """Close the client's connections."""
        self.client.close()


class ProjectionCache:
    """Projections by (concrete index, document ID), each with the version it was read
    at; a lookup at another version misses. At most ``limit`` entries, least recently
    used dropped first. The concrete index is part of the key because a rebuild writes a
    new index whose documents keep their versions but may be projected anew (a taxonomy
    change); within one index, external versions make (ID, version) name one content.
    Safe to share between threads."""

    def __init__(self, limit=PROJECTION_CACHE):
        self.limit = max(0, int(limit))
        self._items = collections.OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __len__(self):
        return len(self._items)

    def get_many(self, keys):
        """The projection of each (index, id, version), or None where it is not cached
        at that version."""
        out = []
        items = self._items
        with self._lock:
            for index, doc_id, version in keys:
                entry = items.get((index, doc_id))
                if entry is not None and entry[0] == version:
                    items.move_to_end((index, doc_id))
                    out.append(entry[1])
                else:
                    out.append(None)
            found = sum(doc is not None for doc in out)
            self.hits += found
            self.misses += len(out) - found
        return out

    def put_many(self, entries):
        """Cache ((index, id), version, projection) triples."""
        if not self.limit:
            return
        items = self._items
        with self._lock:
            for key, version, doc in entries:
                items[key] = (version, doc)
                items.move_to_end(key)
            while len(items) > self.limit:
                items.popitem(last=False)

    def clear(self):
        with self._lock:
            self._items.clear()


def _interned(doc):
    """A projection with its strings interned: projections repeat the same terms, skill
    IDs and place names, and sharing them cuts their memory by more than half."""
    for k, v in doc.items():
        kind = type(v)
        if kind is str:
            doc[k] = sys.intern(v)
        elif kind is list and v and type(v[0]) is str:
            doc[k] = list(map(sys.intern, v))
    return doc


def _item_error(info):
    error = info.get("error")
    if isinstance(error, dict):
        return f"{error.get('type')}: {error.get('reason')}"
    return str(error)


def _open_range(field, op, day):
    return {"bool": {"should": [{"range": {field: {op: day}}},
                                {"bool": {"must_not": {"exists": {"field": field}}}}],
                     "minimum_should_match": 1}}


def eligibility_filters(query):
    """{reason: the filter a document passes} for the active eligibility filters of
    ``query`` (indexer.backends.base.REASONS), each in filter context."""
    out = {}
    for reason in query.active_reasons():
        if reason == "area":
            terms_ = []
            if query.province_code:
                terms_.append({"term": {"province_code": query.province_code}})
            if query.ward_code:
                terms_.append({"term": {"ward_code": query.ward_code}})
            out[reason] = {"bool": {"filter": terms_}}
        elif reason == "distance":
            near = [{"geo_distance": {"distance": f"{float(query.radius_km)}km",
                                      "location": {"lat": query.lat, "lon": query.lon}}}]
            if query.home_province_code:
                near.append({"bool": {"must_not": {"exists": {"field": "location"}},
                                      "filter": {"term": {
                                          "province_code": query.home_province_code}}}})
            out[reason] = {"bool": {"should": near, "minimum_should_match": 1}}
        elif reason == "offence":
            out[reason] = {"bool": {"must_not": {"terms": {
                "excluded_offences": query.excluded_offences()}}}}
        elif reason == "licence":
            lacking = _lacking(query)
            out[reason] = ({"bool": {"must_not": {"terms": {"licences_required": lacking}}}}
                           if lacking else {"match_all": {}})
        elif reason == "education":
            rank = education_rank(query.education)
            allowed = [c for c in codes("education_levels") if education_rank(c) <= rank]
            out[reason] = {"bool": {"should": [
                {"terms": {"min_education": allowed}},
                {"bool": {"must_not": {"exists": {"field": "min_education"}}}}],
                "minimum_should_match": 1}}
        elif reason == "fair_chance":
            out[reason] = {"terms": {"partner_id": list(query.partner_ids or [])}}
    return out


def _lacking(query):
    have = set(query.licences or [])
    return [c for c in codes("licences") if c not in have]


def hidden_buckets(query, passing):
    """The named filters whose document counts make the HiddenReport: ``fail:R`` and
    ``only:R`` per reason, ``licence:L`` per missing licence, ``total``."""
    buckets = {"total": {"bool": {"must_not": [{"bool": {"filter": list(passing.values())}}]}}}
    for reason, clause in passing.items():
        others = [c for r, c in passing.items() if r != reason]
        buckets[f"fail:{reason}"] = {"bool": {"must_not": [clause]}}
        buckets[f"only:{reason}"] = {"bool": {"filter": others, "must_not": [clause]}}
    if "licence" in passing:
        others = [c for r, c in passing.items() if r != "licence"]
        lacking = _lacking(query)
        for code in lacking:
            rest = [c for c in lacking if c != code]
            buckets[f"licence:{code}"] = {"bool": {
                "filter": others + [{"term": {"licences_required": code}}],
                "must_not": [{"terms": {"licences_required": rest}}] if rest else []}}
    return buckets


def build_query(query, eligibility=True):
    """The bool query of a CandidateQuery: hard filters in filter context, relevance in should.

    Without ``eligibility``, only the documents' being current filters (the query whose
    matches the eligibility filters then split into shown and hidden).
    """
    day = query.today.isoformat() if isinstance(query.today, dt.date) else str(query.today)
    filters = [{"term": {"status": "open"}}, _open_range("valid_from", "lte", day),
               _open_range("valid_through", "gte", day)]
    if eligibility:
        filters += list(eligibility_filters(query).values())
    should = []
    text_terms = _unique(terms(query.text)) if query.text else []
    if text_terms:
        should.append({"match": {"terms": {"query": " ".join(text_terms)}}})
    for skill in _unique(query.skills or []):
        # Like the embedded backend: a required skill weighs SKILL_WEIGHT, a preferred one
        # half that, and a document listing it as both counts once.
        should.append({"dis_max": {"queries": [
            {"term": {"skills": {"value": skill, "boost": SKILL_WEIGHT}}},
            {"term": {"preferred_skills": {"value": skill,
                                           "boost": SKILL_WEIGHT * PREFERRED_WEIGHT}}}]}})
    return {"bool": {"filter": filters, "should": should,
                     "minimum_should_match": 1 if should else 0}}
