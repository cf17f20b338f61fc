"""Build the search indices of a benchmark corpus once, into the cache.

``indexer load`` goes schema → store → outbox → projection → index; at 100k-1M postings
that path takes too long to repeat for every matching benchmark (its own throughput is
measured separately, in ``bench.indexing``). Here the same schemas and the same
``indexer.documents.projection`` turn the corpus into index documents (IDs assigned
in corpus order, version 1), cached as JSON Lines, and the backends' own ``rebuild``
indexes them. Two pure functions are memoised in this process only (the tone
canonicalisation of a word, the schema instances), which changes no output.
"""
import functools
import json
import multiprocessing
import sys
import time

import orjson

from indexer.backends.base import ChunkedDocs

from . import corpus

CHUNK = 2000


def _speedups():
    """Memoise pure helpers in this process (same results, fewer repeated computations)."""
    import indexer.schemas
    import indexer.text
    if not hasattr(indexer.text._canonical_tone, "cache_info"):
        indexer.text._canonical_tone = functools.lru_cache(maxsize=200_000)(
            indexer.text._canonical_tone)
    if not hasattr(indexer.schemas.schema_for, "cache_info"):
        original = indexer.schemas.schema_for
        indexer.schemas.schema_for = functools.lru_cache(maxsize=16)(
            lambda kind, **kw: original(kind, **kw))


def _project(args):
    kind, first_id, records, names = args
    _speedups()
    from indexer.documents import projection
    from indexer.schemas import schema_for
    schema, dumper = schema_for(kind), schema_for(kind)
    out = []
    for offset, record in enumerate(records):
        data = schema.load(record)
        doc = dumper.dump(data)
        doc["skills_text"] = data["skills_text"]
        row = {"id": first_id + offset, "version": 1, "data": doc}
        out.append(json.dumps(projection(kind, row, names.get(doc["partner_id"])),
                              ensure_ascii=False))
    return out


# Bumped when indexer.documents.projection changes (v2: term sets with bigrams and
# exact forms, skills kept as text; v3, v4: term sets packed), so cached projections are
# made again.
PROJECTION_FORMAT = 6


def corpus_model(size):
    """The corpus model (indexer.corpus) of the corpus of ``size``, fitted on a sample of
    its cached projections as ``fit_from_store`` would, and cached beside them."""
    from indexer.corpus import FORMAT, MAX_FIT_DOCS, CorpusModel
    models = {}
    for kind in ("jobs", "courses"):
        name = f"corpus-model-v{PROJECTION_FORMAT}.{FORMAT}-{kind}.npz"
        path = corpus.corpus_dir(size) / name
        if not path.exists():
            docs = list(iter_projections(size, kind))
            step = max(1, -(-len(docs) // MAX_FIT_DOCS))
            CorpusModel().fit(docs[::step], n_docs=len(docs)).save(path)
        models[kind] = CorpusModel.load(path)
    return models.get


def projections_path(size, kind):
    """The cached index documents of ``kind`` for the corpus of ``size``."""
    return corpus.corpus_dir(size) / f"projections-v{PROJECTION_FORMAT}-{kind}.jsonl"


def ensure_projections(size, processes=2):
    """Write the projections of the corpus of ``size`` (jobs get IDs 1.., courses after)."""
    cdir = corpus.ensure(size)
    done = cdir / f"PROJECTIONS-v{PROJECTION_FORMAT}"
    if done.exists():
        return
    start = time.perf_counter()
    names = {p["id"]: p["name"] for p in json.loads((cdir / "partners.json").read_text())}
    next_id = 1
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        for kind in ("jobs", "courses"):
            records = corpus.read_jsonl(cdir / f"{kind}.jsonl")
            tasks = [(kind, next_id + i, records[i:i + CHUNK], names)
                     for i in range(0, len(records), CHUNK)]
            next_id += len(records)
            tmp = projections_path(size, kind).with_suffix(".tmp")
            with open(tmp, "w", encoding="utf-8") as fh:
                for lines in pool.imap(_project, tasks):
                    fh.write("\n".join(lines) + "\n")
            tmp.replace(projections_path(size, kind))
            del records
    done.write_text(f"{time.perf_counter() - start:.1f}")
    print(f"projections of {size} in {time.perf_counter() - start:.1f}s", file=sys.stderr)


def iter_projections(size, kind):
    """The cached index documents of ``kind``, one at a time."""
    with open(projections_path(size, kind), encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


class CachedProjections(ChunkedDocs):
    """The cached index documents of ``kind`` as ``ChunkedDocs``: a rebuild's workers
    read and decode their own runs of lines, as in ``indexer reindex`` they read and
    project their own ranges of the store (``indexer.sync.StoreProjections``)."""

    def __init__(self, size, kind):
        self.path = projections_path(size, kind)

    def tasks(self, size):
        """(byte offset, lines) of each run of ``size`` lines."""
        out, start, count, offset = [], 0, 0, 0
        with open(self.path, "rb") as fh:
            while block := fh.read(16 << 20):
                at = 0
                while (end := block.find(b"\n", at)) >= 0:
                    at, count = end + 1, count + 1
                    if count == size:
                        out.append((start, count))
                        start, count = offset + at, 0
                offset += len(block)
        if count:
            out.append((start, count))
        return out

    def load(self, task):
        start, count = task
        with open(self.path, "rb") as fh:
            fh.seek(start)
            return [orjson.loads(fh.readline()) for _ in range(count)]


def embedded_path(size):
    """The cached embedded index of the corpus of ``size`` (per corpus and index format)."""
    from indexer.backends.embedded import FORMAT
    return corpus.cache_dir() / f"embedded-v{corpus.FORMAT}.{FORMAT}.{PROJECTION_FORMAT}-{size}"


def ensure_embedded(size):
    """Build the embedded index of the corpus of ``size`` unless cached; returns its path."""
    from indexer.backends.embedded import EmbeddedBackend
    path = embedded_path(size)
    if (path / "DONE").exists():
        return path
    ensure_projections(size)
    start = time.perf_counter()
    backend = EmbeddedBackend(path)
    for kind in ("jobs", "courses"):
        backend.rebuild(kind, CachedProjections(size, kind))
    (path / "DONE").write_text(f"{time.perf_counter() - start:.1f}")
    print(f"embedded index of {size} in {time.perf_counter() - start:.1f}s", file=sys.stderr)
    return path


def load_elasticsearch(backend, size):
    """Rebuild the Elasticsearch indices from the cached projections; returns seconds."""
    ensure_projections(size)
    start = time.perf_counter()
    for kind in ("jobs", "courses"):
        backend.rebuild(kind, iter_projections(size, kind))
    backend.refresh()
    return time.perf_counter() - start


def main():
    sizes = [int(s) for s in sys.argv[1:]] or [10_000]
    for size in sizes:
        print(ensure_embedded(size))


if __name__ == "__main__":
    main()
