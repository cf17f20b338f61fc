"""In-process match latency: retrieval + re-ranking + explanations, per profile.

    python -m bench.inprocess 100000 [--rounds 3] [--profile FILE]

Times ``matcher.ranking.match`` for every benchmark profile, ``rounds`` times over, on
the cached embedded index of the corpus (``bench.build``). With ``--profile`` the
runs are recorded with pyinstrument and the text profile is written to FILE.
"""
import argparse
import datetime as dt
import json
import time

from . import build, corpus
from .stats import summary

# The sample data's dates assume "today" in late 2026; fixed so results do not drift.
TODAY = dt.date(2026, 11, 27)


def load_profiles(size):
    """The validated match requests of the corpus of ``size``."""
    from matcher.schemas import MatchRequestSchema
    raw = json.loads((corpus.corpus_dir(size) / "profiles.json").read_text(encoding="utf-8"))
    schema = MatchRequestSchema()
    return raw, [schema.load(body) for body in raw]


def time_matches(backend, bodies, rounds, took=None, cold=None, cpu=None, corpus=None):
    """Latencies (ms) of ``match`` for every body, ``rounds`` times; and result sizes.

    A first pass over every body warms the process (a worker that has served for a
    while holds the projections it returns decoded); its latencies go to ``cold`` when
    given. ``took`` is a list that an instrumented backend appends its raw query times to;
    ``cpu`` one that receives each timed match's CPU time (ms) beside its wall time (on a
    shared virtual machine the two differ by the time other guests took the CPU).
    """
    from matcher import ranking
    for body in bodies:
        start = time.perf_counter()
        ranking.match(body["profile"], backend, limit=body["limit"], today=TODAY,
                               corpus=corpus)
        if cold is not None:
            cold.append((time.perf_counter() - start) * 1000)
    times, raw, found = [], [], 0
    for _ in range(rounds):
        for body in bodies:
            if took is not None:
                took.clear()
            start, start_cpu = time.perf_counter(), time.thread_time()
            result = ranking.match(body["profile"], backend, limit=body["limit"], today=TODAY,
                               corpus=corpus)
            times.append((time.perf_counter() - start) * 1000)
            if cpu is not None:
                cpu.append((time.thread_time() - start_cpu) * 1000)
            found += bool(result["jobs"])
            if took is not None:
                raw.append(sum(took))
    return times, raw, found / max(1, rounds * len(bodies))


def stage1_queries(bodies):
    """The stage-1 jobs query (CandidateQuery) of each profile, as ``match`` builds it."""
    from matcher import ranking
    out = []
    for body in bodies:
        profile = ranking.Profile(body["profile"])
        out.append(ranking._query(profile, "jobs", profile.skills, 200, TODAY,
                                  offence=body["profile"].get("offence_category")))
    return out


def time_search_only(backend, bodies, rounds):
    """Latencies (ms) of stage 1 alone (the jobs query of each profile)."""
    times = []
    queries = stage1_queries(bodies)
    for _ in range(rounds):
        for q in queries:
            start = time.perf_counter()
            backend.search(q)
            times.append((time.perf_counter() - start) * 1000)
    return times


def interleaved_matches(backends, bodies, rounds, corpus=None):
    """Latencies (ms) of ``match`` on each of ``backends``, profile by profile in turn
    (the first in turn alternates), after one warm-up pass each: a list per backend.

    On a shared machine, only such interleaved runs give ratios worth quoting.
    """
    from matcher import ranking

    def one(backend, body):
        start = time.perf_counter()
        ranking.match(body["profile"], backend, limit=body["limit"], today=TODAY,
                      corpus=corpus)
        return (time.perf_counter() - start) * 1000
    for backend in backends:
        for body in bodies:
            one(backend, body)
    out = [[] for _ in backends]
    for r in range(rounds):
        for i, body in enumerate(bodies):
            order = list(range(len(backends)))
            if (i + r) % 2:
                order.reverse()
            for b in order:
                out[b].append(one(backends[b], body))
    return out


def time_naive(size, bodies, rounds=1):
    """Baseline latencies (ms): a Python loop scoring every posting, then stage 2 alike.

    The loop applies the same hard filters (open and valid, within the radius or in the
    ward), scores skills and text like the backends roughly do, keeps the best 200
    and ranks them with ``matcher.ranking.rank_jobs`` (jobs only: the cheaper half).
    """
    docs = list(build.iter_projections(size, "jobs"))
    times = []
    for _ in range(rounds):
        for body in bodies:
            start = time.perf_counter()
            naive_jobs(docs, body)
            times.append((time.perf_counter() - start) * 1000)
    return times


def naive_jobs(docs, body):
    """The top jobs of ``body`` by scoring every document of ``docs`` in Python."""
    from indexer.backends.base import Candidate, haversine_km
    from indexer.documents import is_current
    from indexer.text import keywords, tokens
    from matcher import ranking
    profile = ranking.Profile(body["profile"])
    terms = frozenset(f for p in profile.phrases() for f, _ in keywords(p))
    have, geo = profile.skills, profile.geo()
    radius = body["profile"].get("max_commute_km")
    ward = profile.location.get("ward_code")
    scored = []
    for doc in docs:
        if not is_current(doc, TODAY):
            continue
        if radius and geo:
            if doc.get("lat") is None or haversine_km(geo[0], geo[1], doc["lat"],
                                                      doc["lon"]) > radius:
                continue
        elif ward and doc.get("ward_code") != ward:
            continue
        s = 2.0 * len(have.intersection(doc.get("skills", [])))
        s += 1.0 * len(have.intersection(doc.get("preferred_skills", [])))
        if terms:
            s += len(terms.intersection(tokens(doc.get("title", "")))) / len(terms)
        if s > 0:
            scored.append((s, doc["id"], doc))
    scored.sort(key=lambda t: (-t[0], t[1]))
    cands = [Candidate(i, s, d) for s, i, d in scored[:200]]
    return ranking.rank_jobs(profile, cands)[:body["limit"]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", help="write a pyinstrument text profile here")
    parser.add_argument("--stage1", action="store_true", help="also time the backend search alone")
    args = parser.parse_args()
    from indexer.backends.embedded import EmbeddedBackend
    backend = EmbeddedBackend(build.ensure_embedded(args.size))
    _, bodies = load_profiles(args.size)
    start = time.perf_counter()
    backend.count("jobs"), backend.count("courses")
    print(f"cold start {time.perf_counter() - start:.2f}s")
    profiler = None
    if args.profile:
        from pyinstrument import Profiler
        profiler = Profiler(interval=0.0005)
        profiler.start()
    cpu = []
    times, _, hit = time_matches(backend, bodies, args.rounds, cpu=cpu,
                                 corpus=build.corpus_model(args.size))
    if profiler:
        profiler.stop()
        with open(args.profile, "w") as fh:
            fh.write(profiler.output_text(unicode=False, color=False))
    print("match ms", summary(times), f"profiles with jobs {hit:.0%}")
    print("match CPU ms", summary(cpu))
    if args.stage1:
        print("stage-1 jobs search ms", summary(time_search_only(backend, bodies, args.rounds)))


if __name__ == "__main__":
    main()
