"""Benchmarks of issue #6: indexing and matching speed and memory, embedded and Elasticsearch.

    python -m bench.run --quick     # make bench: 10k only, few repetitions (< 3 minutes warm)
    python -m bench.run --full      # make bench-full: 10k, 100k, 1M (ES at 10k and 100k)

Writes bench/results/results-<mode>.json, .md and latency-<mode>.png. Corpora and built
indices are cached outside the repository (bench.corpus.cache_dir()). Every server
listens on 127.0.0.1 only; every load is bounded in time; what this run starts (gunicorn,
the Elasticsearch node) it stops.
"""
import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import build, corpus, inprocess, rebuild
from .stats import machine, rss_mb, summary

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV = ROOT / ".venv" / "bin"
MODES = {
    "quick": {"sizes": [10_000], "es_sizes": [10_000], "rounds": 2, "profiles": 80,
              "es_rounds": 1, "http_seconds": 5, "http_clients": [1, 4, 16], "load_docs": 3000,
              "load_reps": 2, "bulk_items": 1000, "bulk_reps": 3, "cold_reps": 2,
              "naive_profiles": 20},
    "full": {"sizes": [10_000, 100_000, 1_000_000], "es_sizes": [10_000, 100_000], "rounds": 3,
             "profiles": None, "es_rounds": 2,
             "http_seconds": 15, "http_clients": [1, 4, 16], "load_docs": 3000, "load_reps": 3,
             "bulk_items": 500, "bulk_reps": 5, "cold_reps": 3, "naive_profiles": 60},
}
TARGETS_SIZE = 100_000
# The bm25s peer indexes the corpus in memory (at 1M that alone takes minutes).
PEER_MAX_SIZE = 100_000


def log(*args):
    """Progress on stderr."""
    print(f"[{time.strftime('%H:%M:%S')}]", *args, file=sys.stderr, flush=True)


def free_port():
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(data_dir, **extra):
    """Environment for a child process on ``data_dir``."""
    # The load comes from one client key and one IP: limits far above what it sends.
    env = dict(os.environ, VUNGBUOC_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT),
               VUNGBUOC_PARTNER_RATE_LIMIT="100000000 per minute",
               VUNGBUOC_MATCH_RATE_LIMIT="100000000 per minute")
    env.update({k: str(v) for k, v in extra.items()})
    return env


@contextlib.contextmanager
def gunicorn(data_dir, timeout=900, **extra):
    """A gunicorn serving the app on 127.0.0.1 (the project's config), stopped on exit."""
    port = free_port()
    env = env_for(data_dir, VUNGBUOC_BIND=f"127.0.0.1:{port}", **extra)
    # Create the store's tables once: workers booting together on a fresh SQLite file race.
    subprocess.run([str(VENV / "python"), "-c", "from matcher import create_app; create_app()"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    # The match API needs an API client key with the match scope.
    key = subprocess.run([str(VENV / "matcher"), "clients", "create", f"bench-{port}"], cwd=ROOT,
                         env=env, check=True, capture_output=True, text=True).stdout.strip()
    proc = subprocess.Popen([str(VENV / "gunicorn"), "-c", "config/gunicorn.conf.py",
                             "--access-logfile", "/dev/null", "--timeout", "600", "--no-control-socket",
                             "matcher.wsgi:app"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=open(Path(tempfile.gettempdir()) / f"vungbuoc-bench-gunicorn-{port}.log", "w"))
    url = f"http://127.0.0.1:{port}"
    MATCH_AUTH[url] = f"Bearer {key.splitlines()[-1]}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {tempfile.gettempdir()}/vungbuoc-bench-gunicorn-{port}.log")
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=5):
                    break
            except urllib.error.HTTPError:
                # It answers: 503 "degraded" is what a benchmark index built without the
                # store's rows gets (its documents are "extra" to an empty store).
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield proc, url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def workers_of(proc):
    """PIDs of the gunicorn workers of ``proc``."""
    out = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


# Authorization header of the match API, per server URL (set by ``gunicorn``).
MATCH_AUTH = {}


def match_headers(url):
    """Headers that authenticate a match request to the server at ``url``."""
    return {"Authorization": MATCH_AUTH[url]}


def post(url, body, headers=None, timeout=600):
    """POST JSON; returns (status, parsed body)."""
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status, json.loads(resp.read())


def warm_workers(url, bodies, n=None):
    """Send a few matches so that every worker has loaded the index."""
    for body in bodies[: n or 8]:
        post(url + "/api/v1/matches", body, match_headers(url))


def wrk(url, bodies_file, clients, seconds):
    """One bounded wrk run; its JSON summary plus matches/s."""
    threads = min(clients, 2)
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s",
                          "--timeout", "30s", "-s", str(ROOT / "bench" / "wrk_match.lua"), url],
                         env=dict(os.environ, BODIES=str(bodies_file),
                                  AUTHORIZATION=MATCH_AUTH[url]), capture_output=True,
                         text=True, timeout=seconds + 60)
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if not line:
        raise RuntimeError(f"wrk failed: {out.stdout} {out.stderr}")
    res = json.loads(line[-1])
    res["matches_per_s"] = round(res["requests"] / (res["duration_us"] / 1e6), 1)
    res["clients"] = clients
    return res


# -- measurements -------------------------------------------------------------------------


def measure_http(url, proc, raw_bodies, mode, tmp):
    """Latency and throughput over HTTP at each concurrency, and the workers' RSS."""
    bodies_file = Path(tmp) / "bodies.jsonl"
    bodies_file.write_text("\n".join(json.dumps(b, ensure_ascii=False) for b in raw_bodies))
    warm_workers(url, raw_bodies)
    out = {}
    for clients in mode["http_clients"]:
        runs = [wrk(url, bodies_file, clients, mode["http_seconds"])
                for _ in range(mode.get("http_reps", 1))]
        best = sorted(runs, key=lambda r: r["matches_per_s"])[len(runs) // 2]
        out[str(clients)] = {**best, "runs": len(runs)}
        log(f"  http c={clients}: {best['matches_per_s']}/s p50 {best['p50_ms']} ms "
            f"p95 {best['p95_ms']} ms non-2xx {best['non_2xx']}")
    workers = workers_of(proc)
    out["worker_rss_mb"] = [round(rss_mb(pid)) for pid in workers]
    out["worker_rss_anon_mb"] = [round(rss_mb(pid, "RssAnon")) for pid in workers]
    return out


def cold_start(path, reps):
    """Seconds to load a persisted embedded index in a fresh process, and its RSS."""
    code = ("import sys, time\nt = time.perf_counter()\n"
            "from indexer.backends.embedded import EmbeddedBackend\n"
            "from bench.stats import rss_mb\n"
            "i = time.perf_counter()\n"
            "b = EmbeddedBackend(sys.argv[1]); b.count('jobs'); b.count('courses')\n"
            "print(time.perf_counter() - t, time.perf_counter() - i, rss_mb())\n")
    secs, opening, rss = [], [], []
    for _ in range(reps):
        out = subprocess.run([str(VENV / "python"), "-c", code, str(path)], cwd=ROOT,
                             env=env_for("/nonexistent"), capture_output=True, text=True,
                             check=True)
        s, o, r = out.stdout.split()
        secs.append(float(s))
        opening.append(float(o))
        rss.append(float(r))
    # seconds: a fresh process until the index answers (imports included); open_seconds:
    # opening the persisted index alone.
    return {"seconds": summary(secs), "open_seconds": summary(opening), "rss_mb": round(max(rss))}


def measure_indexer_load(size, mode, tmp):
    """Postings/s of `indexer load` (a fresh data dir each run, partners loaded before)."""
    cdir = corpus.corpus_dir(size)
    subset = Path(tmp) / "jobs-subset.jsonl"
    with open(cdir / "jobs.jsonl", encoding="utf-8") as src, open(subset, "w") as dst:
        for i, line in enumerate(src):
            if i >= mode["load_docs"]:
                break
            dst.write(line)
    rates = []
    for rep in range(mode["load_reps"]):
        data = Path(tmp) / f"load-{rep}"
        env = env_for(data)
        subprocess.run([str(VENV / "indexer"), "load", "--no-progress", str(cdir / "partners.json")],
                       env=env, cwd=ROOT, check=True, capture_output=True)
        start = time.perf_counter()
        subprocess.run([str(VENV / "indexer"), "load", "--no-progress", str(subset)], env=env,
                       cwd=ROOT, check=True, capture_output=True)
        rates.append(mode["load_docs"] / (time.perf_counter() - start))
        shutil.rmtree(data, ignore_errors=True)
    return {"docs": mode["load_docs"], "docs_per_s": summary(rates, 1)}


def measure_bulk(size, mode, tmp):
    """Postings/s of the partner bulk API (POST /api/v1/partner/jobs/bulk) through gunicorn."""
    cdir = corpus.corpus_dir(size)
    data = Path(tmp) / "bulk"
    env = env_for(data)
    partner = "bench-bulk"
    subprocess.run([str(VENV / "indexer"), "load", "--no-progress", str(cdir / "partners.json")],
                   env=env, cwd=ROOT, check=True, capture_output=True)
    out = subprocess.run([str(VENV / "matcher"), "partners", "create", partner, "--name",
                          "Bench bulk", "--kind", "both"], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True)
    key = out.stdout.strip().splitlines()[-1]
    items = corpus.read_jsonl(cdir / "jobs.jsonl", mode["bulk_items"] * mode["bulk_reps"])
    for item in items:
        item.pop("partner_id", None)
    rates = []
    with gunicorn(data) as (_proc, url):
        for rep in range(mode["bulk_reps"]):
            chunk = items[rep * mode["bulk_items"]:(rep + 1) * mode["bulk_items"]]
            start = time.perf_counter()
            status, body = post(url + "/api/v1/partner/jobs/bulk", {"items": chunk},
                                {"Authorization": f"Bearer {key}"})
            rates.append(len(chunk) / (time.perf_counter() - start))
            if body["summary"]["error"]:
                raise RuntimeError(f"bulk errors: {body['summary']}")
    shutil.rmtree(data, ignore_errors=True)
    return {"items_per_request": mode["bulk_items"], "docs_per_s": summary(rates, 1)}


@contextlib.contextmanager
def es_node():
    """An Elasticsearch node (tools.esnode, heap 1g) or the reason there is none."""
    if os.environ.get("ES_URL"):
        yield os.environ["ES_URL"], None
        return
    try:
        from tools.esnode import ElasticsearchNode
        node = ElasticsearchNode(heap=os.environ.get("VUNGBUOC_ES_HEAP", "1g"))
        node.start()
    except Exception as exc:  # noqa: BLE001 - reported in the results, the run goes on
        yield None, f"{type(exc).__name__}: {exc}"
        return
    try:
        yield node.url, None
    finally:
        node.stop()


def es_backend(url, prefix):
    """An Elasticsearch backend on ``url`` whose search records each response's ``took``."""
    from indexer.backends.elasticsearch import ElasticsearchBackend
    backend = ElasticsearchBackend.from_settings({"ES_URL": url, "ES_INDEX_PREFIX": prefix,
                                                  "ES_TIMEOUT": 60})
    took = []
    search = backend.client.search

    def timed_search(*args, **kwargs):
        resp = search(*args, **kwargs)
        took.append(resp["took"])
        return resp
    backend.client.search = timed_search
    return backend, took


def measure_es(url, size, raw, bodies, mode, tmp):
    """The same corpus and profiles on Elasticsearch: load, in-process, raw took, HTTP."""
    prefix = f"bench{size}"
    backend, took = es_backend(url, prefix)
    load_s = build.load_elasticsearch(backend, size)
    n_docs = backend.count("jobs") + backend.count("courses")
    log(f"  es loaded {n_docs} docs in {load_s:.1f}s")
    times, raw_took, hit = inprocess.time_matches(backend, bodies, mode["es_rounds"], took,
                                                  corpus=build.corpus_model(size))
    # Stage 1 alone beside its took: our overhead over the raw query. A first pass over
    # the queries fills the process's projection cache (as a worker's is after a
    # while; the match passes above asked other queries, with the eligibility filters);
    # it is reported beside, as the overhead of a cold process.
    def stage1_pass(times, tooks):
        for q in inprocess.stage1_queries(bodies):
            took.clear()
            start = time.perf_counter()
            backend.search(q)
            times.append((time.perf_counter() - start) * 1000)
            tooks.append(took[0])
    cold, cold_took = [], []
    stage1_pass(cold, cold_took)
    s1, s1_took = [], []
    for _ in range(mode["es_rounds"]):
        stage1_pass(s1, s1_took)
    s1m, tookm = summary(s1)["median"], summary(s1_took)["median"]
    # Embedded against Elasticsearch, whole matches interleaved profile by profile.
    from indexer.backends.embedded import EmbeddedBackend
    embedded = EmbeddedBackend(build.ensure_embedded(size))
    emb_ms, es_ms = inprocess.interleaved_matches([embedded, backend], bodies,
                                                  mode["es_rounds"],
                                                  corpus=build.corpus_model(size))
    embedded.close()
    side = {"embedded_match_ms": summary(emb_ms), "es_match_ms": summary(es_ms)}
    side["ratio_embedded_to_es"] = (round(side["es_match_ms"]["median"]
                                          / side["embedded_match_ms"]["median"], 2)
                                    if side["embedded_match_ms"]["median"] else None)
    log(f"  interleaved matches: embedded {side['embedded_match_ms']['median']} ms, "
        f"es {side['es_match_ms']['median']} ms: {side['ratio_embedded_to_es']}x")
    out = {"docs": n_docs, "load_seconds": round(load_s, 1),
           "load_docs_per_s": round(n_docs / load_s, 1),
           "match_ms": summary(times), "match_took_ms": summary(raw_took),
           "search_ms": summary(s1), "search_took_ms": summary(s1_took),
           "search_overhead": round((s1m - tookm) / tookm, 3) if tookm else None,
           "search_cold_ms": summary(cold), "search_cold_took_ms": summary(cold_took),
           "search_overhead_cold": round((summary(cold)["median"] - summary(cold_took)["median"])
                                         / summary(cold_took)["median"], 3)
           if summary(cold_took)["median"] else None,
           "match_overhead_vs_took": round((summary(times)["median"]
                                            - summary(raw_took)["median"])
                                           / summary(raw_took)["median"], 3)
           if summary(raw_took)["median"] else None,
           "profiles_with_jobs": round(hit, 3), "side_by_side": side}
    log(f"  es match p50 {out['match_ms']['median']} ms; search {s1m} ms vs took {tookm} ms "
        f"(first pass: {out['search_cold_ms']['median']} vs {out['search_cold_took_ms']['median']})")
    data = Path(tmp) / f"es-http-{size}"
    data.mkdir()
    with gunicorn(data, VUNGBUOC_SEARCH_BACKEND="elasticsearch", VUNGBUOC_ES_URL=url,
                  VUNGBUOC_ES_INDEX_PREFIX=prefix) as (proc, http_url):
        out["http"] = measure_http(http_url, proc, raw, {**mode, "http_clients": [16]}, tmp)
    for kind in ("jobs", "courses"):
        with contextlib.suppress(Exception):
            backend.client.indices.delete(index=f"{prefix}-{kind}-*")
    backend.close()
    return out


def measure_size(size, mode, tmp, results):
    """Everything on the embedded backend at one corpus size."""
    from indexer.backends.embedded import EmbeddedBackend
    log(f"size {size}: corpus and embedded index")
    path = build.ensure_embedded(size)
    seconds, pss, rss, disk = rebuild.run_once(size, "chunked")
    res = results.setdefault("sizes", {}).setdefault(str(size), {})
    res["embedded_rebuild"] = {"seconds": round(seconds, 1), "peak_pss_mb": round(pss),
                               "peak_rss_mb": round(rss), "snapshot_mb": round(disk)}
    log(f"  rebuild {res['embedded_rebuild']}")
    raw, bodies = inprocess.load_profiles(size)
    raw, bodies = raw[: mode["profiles"]], bodies[: mode["profiles"]]
    res["docs"] = json.loads((corpus.corpus_dir(size) / "DONE").read_text())
    res["cold_start"] = cold_start(path, mode["cold_reps"])
    log(f"  cold start {res['cold_start']}")
    backend = EmbeddedBackend(path)
    cold, cpu = [], []
    times, _, hit = inprocess.time_matches(backend, bodies, mode["rounds"], cold=cold, cpu=cpu,
                                           corpus=build.corpus_model(size))
    res["embedded_match_ms"] = summary(times)
    res["embedded_match_cpu_ms"] = summary(cpu)
    res["embedded_match_first_pass_ms"] = summary(cold)
    res["embedded_search_ms"] = summary(inprocess.time_search_only(backend, bodies, 1))
    if size <= PEER_MAX_SIZE:
        from . import peer
        res["peer_bm25s"] = peer.side_by_side(backend, inprocess.stage1_queries(bodies),
                                              mode["rounds"])
        log(f"  stage 1 beside bm25s {res['peer_bm25s']}")
    res["profiles_with_jobs"] = round(hit, 3)
    log(f"  in-process match {res['embedded_match_ms']}")
    del backend
    if size == 10_000 and mode["naive_profiles"]:
        naive = inprocess.time_naive(size, bodies[: mode["naive_profiles"]])
        res["naive_jobs_ms"] = summary(naive)
        log(f"  naive baseline {res['naive_jobs_ms']}")
    data = Path(tmp) / f"http-{size}"
    data.mkdir()
    (data / "index").symlink_to(path)
    with gunicorn(data) as (proc, url):
        res["embedded_http"] = measure_http(url, proc, raw, mode, tmp)


def measure_es_size(size, mode, es_url, tmp, results):
    """The same corpus and profiles on Elasticsearch (or why not)."""
    raw, bodies = inprocess.load_profiles(size)
    raw, bodies = raw[: mode["profiles"]], bodies[: mode["profiles"]]
    res = results["sizes"][str(size)]
    if es_url:
        log(f"size {size}: Elasticsearch")
        res["elasticsearch"] = measure_es(es_url, size, raw, bodies, mode, tmp)
    else:
        res["elasticsearch"] = {"skipped": results["es_error"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quick", action="store_const", dest="mode", const="quick")
    group.add_argument("--full", action="store_const", dest="mode", const="full")
    parser.add_argument("--sizes", help="comma-separated corpus sizes (override the mode's)")
    parser.add_argument("--no-es", action="store_true", help="skip Elasticsearch")
    args = parser.parse_args()
    name = args.mode or "quick"
    mode = dict(MODES[name])
    if args.sizes:
        mode["sizes"] = [int(s) for s in args.sizes.split(",")]
    started = time.perf_counter()
    results = {"mode": name, "machine": machine(), "config": mode,
               "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    with tempfile.TemporaryDirectory(prefix="vungbuoc-bench-") as tmp:
        first = mode["sizes"][0]
        corpus.ensure(first)
        log("indexing throughput: indexer load")
        results["indexer_load"] = measure_indexer_load(first, mode, tmp)
        log(f"  {results['indexer_load']}")
        log("indexing throughput: partner bulk API")
        results["partner_bulk"] = measure_bulk(first, mode, tmp)
        log(f"  {results['partner_bulk']}")
        es_sizes = [s for s in mode["sizes"] if s in mode["es_sizes"]] if not args.no_es else []
        mode["es_sizes"] = es_sizes
        # Every embedded measurement first, with no Elasticsearch node running beside it.
        for size in mode["sizes"]:
            measure_size(size, mode, tmp, results)
        if es_sizes:
            log("starting Elasticsearch")
        with (es_node() if es_sizes else contextlib.nullcontext((None, "not requested"))) as (
                es_url, es_error):
            results["es_error"] = es_error
            results["es_url_used"] = bool(es_url)
            for size in es_sizes:
                measure_es_size(size, mode, es_url, tmp, results)
    results["machine"]["loadavg_end"] = os.getloadavg()
    results["seconds"] = round(time.perf_counter() - started, 1)
    from . import report
    report.write(results, RESULTS, name)
    log(f"done in {results['seconds']}s: {RESULTS}")


if __name__ == "__main__":
    main()
