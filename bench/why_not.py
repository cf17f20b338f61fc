"""Time stage-1 retrieval with and without the hidden counts (issue #14), embedded backend.

Usage: python -m bench.why_not [--size 10000] [--runs 5] [--es]. Builds an embedded index
of the benchmark corpus of ``size`` postings (bench.corpus, cached projections) in a
temporary directory (with --es, also an Elasticsearch index on a node of tools.esnode, or
ES_URL), then times ``search`` and ``search_explained`` (counts only, and with 20 hidden
jobs listed) for the jobs query of every benchmark profile. Not a test.
"""
import argparse
import json
import statistics
import tempfile
import time

from indexer.backends.embedded import EmbeddedBackend
from indexer import clock
from matcher import eligibility
from matcher.practical import Profile, _query
from matcher.schemas import MatchRequestSchema

from . import build, corpus


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--es", action="store_true", help="also time Elasticsearch")
    args = parser.parse_args()
    build.ensure_projections(args.size)
    bodies = json.loads((corpus.corpus_dir(args.size) / "profiles.json").read_text())
    queries = []
    for body in bodies:
        data = MatchRequestSchema().load(body)["profile"]
        profile = Profile(data)
        queries.append(_query(profile, "jobs", profile.skills, 200, clock.today(),
                              **eligibility.job_filters(data)))
    with tempfile.TemporaryDirectory() as tmp:
        backend = EmbeddedBackend(tmp)
        backend.rebuild("jobs", build.iter_projections(args.size, "jobs"))
        report(backend, queries, args)
        backend.close()
    if args.es:
        from .run import es_backend, es_node
        with es_node() as (url, reason):
            if url is None:
                print(f"no Elasticsearch: {reason}")
                return
            backend, _ = es_backend(url, "whynot")
            backend.rebuild("jobs", build.iter_projections(args.size, "jobs"))
            backend.refresh()
            report(backend, queries, args)
            backend.close()


def report(backend, queries, args):
    """Print the median and p95 of each mode over every query."""
    modes = {"search": lambda q: backend.search(q),
             "explained (counts)": lambda q: backend.search_explained(q, 0),
             "explained (+20 listed)": lambda q: backend.search_explained(q, 20)}
    for q in queries[:5]:  # warm up
        for fn in modes.values():
            fn(q)
    print(f"{backend.name}: {args.size} postings, {len(queries)} profiles, {args.runs} runs")
    print(f"{'mode':<26}{'median ms':>10}{'p95 ms':>10}")
    for name, fn in modes.items():
        times = []
        for _ in range(args.runs):
            for q in queries:
                start = time.perf_counter()
                fn(q)
                times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(f"{name:<26}{statistics.median(times):>10.2f}"
              f"{times[int(0.95 * (len(times) - 1))]:>10.2f}")


if __name__ == "__main__":
    main()
