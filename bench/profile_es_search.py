"""Stage 1 on Elasticsearch beside its own ``took``, and a cProfile of it, in one process.

    ES_URL=http://... python -m bench.profile_es_search SIZE [--out PROFILE.txt]
        [--rounds 5] [--dump CANDIDATES.jsonl] [--load]

Loads the corpus of SIZE into the prefix ``bench<SIZE>`` (as ``bench.run`` does) when it is
empty or with ``--load``; then, after one warm-up pass over every profile's stage-1 jobs
query (``bench.inprocess.stage1_queries``), times ``rounds`` passes, each search beside the
``took`` of its search request (``bench.run.es_backend``), and prints the medians and our
overhead over ``took``. With ``--out``, one more pass runs under cProfile and its text is
written there; with ``--dump``, every query's candidates (ids, scores, projections) are
written as JSON Lines, to compare two versions of the backend.
"""
import argparse
import cProfile
import json
import os
import time

from . import build, inprocess
from .run import es_backend
from .stats import summary, write_profile


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("size", type=int)
    parser.add_argument("--out")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dump")
    parser.add_argument("--load", action="store_true")
    args = parser.parse_args()
    url = os.environ["ES_URL"]
    backend, took = es_backend(url, f"bench{args.size}")
    if args.load or backend.count("jobs") == 0:
        print(f"loaded in {build.load_elasticsearch(backend, args.size):.1f} s")
    _, bodies = inprocess.load_profiles(args.size)
    queries = inprocess.stage1_queries(bodies)
    for q in queries:  # warm-up: connections, the process's caches
        backend.search(q)
    times, raw = [], []
    for _ in range(args.rounds):
        for q in queries:
            took.clear()
            start = time.perf_counter()
            backend.search(q)
            times.append((time.perf_counter() - start) * 1000)
            raw.append(took[0])
    s, t = summary(times), summary(raw)
    line = (f"{args.size}: {len(queries)} stage-1 searches x {args.rounds}: search p50 "
            f"{s['median']} ms, took p50 {t['median']} ms, overhead "
            f"{(s['median'] - t['median']) / t['median']:+.0%}")
    print(line)
    if args.out:
        prof = cProfile.Profile()
        start = time.perf_counter()
        prof.enable()
        for q in queries:
            backend.search(q)
        prof.disable()
        wall = time.perf_counter() - start
        write_profile(prof, args.out, f"{line}\ncProfile of one more pass ({len(queries)} "
                      f"searches, {wall:.2f} s under the profiler)", "/nonexistent")
    if args.dump:
        with open(args.dump, "w") as fh:
            for q in queries:
                hits = backend.search(q)
                fh.write(json.dumps([[c.id, c.score, c.source] for c in hits],
                                    sort_keys=True, ensure_ascii=False) + "\n")
    backend.close()


if __name__ == "__main__":
    main()
