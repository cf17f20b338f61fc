"""Time and peak memory of rebuilding the embedded index of a benchmark corpus.

    python -m bench.rebuild 100000 1000000 [--runs 3] [--method chunked|streaming|segment]

Each run rebuilds both kinds (jobs, then courses) from the corpus's cached projections
(``bench.build``) into a fresh directory, in a child process, with
``EmbeddedBackend.rebuild``: ``chunked`` hands it the projections file by runs of lines
that its workers read, as ``indexer reindex`` hands it the store by ranges of IDs;
``streaming`` hands it the documents decoded one by one in the parent. The parent samples the
proportional set size (PSS) of the child and its workers every 50 ms, summed over the
process tree (the builder's peak: what the machine must have free; RSS, which counts
the pages forked workers share once in each, is kept beside it) and takes the wall time.
``segment`` runs the previous rebuild instead, which applied every document to an
in-memory ``Segment`` and wrote it (kept here to measure before and after on the same
machine). Results go to ``bench/results/rebuild.json`` (merged by size and method).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import build
from .stats import machine, summary

RESULTS = Path(__file__).resolve().parent / "results" / "rebuild.json"

_CHILD = """
import logging, sys, time
logging.basicConfig(level=logging.INFO, format="  %(message)s")
from bench import build
from indexer.backends.embedded import EmbeddedBackend
from indexer.backends.embedded.segment import Segment
size, path, method = int(sys.argv[1]), sys.argv[2], sys.argv[3]
backend = EmbeddedBackend(path)
start = time.perf_counter()
for kind in ("jobs", "courses"):
    docs = build.iter_projections(size, kind)
    if method == "segment":
        seg, batch = Segment(), []
        for doc in docs:
            batch.append({"op": "upsert", "id": doc["id"], "version": doc["version"], "doc": doc})
            if len(batch) >= 5000:
                seg.apply(batch)
                batch = []
        seg.apply(batch)
        with backend._locked(kind):
            backend._publish(kind, seg)
        del seg, batch
    elif method == "chunked":
        backend.rebuild(kind, build.CachedProjections(size, kind))
    else:
        backend.rebuild(kind, docs)
print(time.perf_counter() - start)
"""


def _tree_memory_mb(pid):
    """(PSS, RSS) of ``pid`` and its descendants, MiB. PSS counts a page shared by n
    processes (a forked worker's inherited pages) once in all, RSS once in each."""
    pss = rss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return pss / 1024, rss / 1024


def run_once(size, method):
    """(seconds, peak PSS and peak RSS of the process tree in MiB, snapshot MiB on disk)
    of one rebuild."""
    target = Path(tempfile.mkdtemp(prefix="vb-rebuild-"))
    try:
        proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(size), str(target), method],
                                stdout=subprocess.PIPE, text=True)
        peak, done = [0.0, 0.0], threading.Event()

        def sample():
            while not done.is_set():
                pss, rss = _tree_memory_mb(proc.pid)
                peak[:] = max(peak[0], pss), max(peak[1], rss)
                done.wait(0.05)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        out, _ = proc.communicate()
        done.set()
        sampler.join()
        if proc.returncode:
            raise SystemExit(f"rebuild of {size} ({method}) failed: exit {proc.returncode}")
        disk = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
        return float(out.split()[-1]), peak[0], peak[1], disk / 2 ** 20
    finally:
        shutil.rmtree(target, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--method", choices=("streaming", "chunked", "segment"),
                        default="chunked")
    args = parser.parse_args(argv)
    method = args.method
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for size in args.sizes:
        build.ensure_projections(size)
        runs = [run_once(size, method) for _ in range(args.runs)]
        entry = {"seconds": summary([r[0] for r in runs], 1),
                 "peak_pss_mb": summary([r[1] for r in runs], 0),
                 "peak_rss_mb": summary([r[2] for r in runs], 0),
                 "snapshot_mb": round(runs[0][3]), "machine": machine(),
                 "measured": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        results.setdefault(str(size), {})[method] = entry
        print(f"{size} {method}: {entry['seconds']['median']} s, peak PSS "
              f"{entry['peak_pss_mb']['median']} MiB (RSS {entry['peak_rss_mb']['median']}), "
              f"snapshot {entry['snapshot_mb']} MiB "
              f"({args.runs} runs)", flush=True)
        RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
