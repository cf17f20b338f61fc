"""Print in-process match latency over the bundled sample data (embedded backend).

Usage: python bench/match_latency.py [--runs N]. Loads the sample feeds into a
temporary data directory, then times matcher.ranking.match (retrieval, re-ranking and
explanations) for every example profile. Not a test: numbers depend on the machine.
"""
import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from indexer.cli import sample_feeds
from indexer.service import IndexerService
from indexer.settings import load_settings
from matcher import ranking
from matcher.schemas import MatchRequestSchema

ROOT = Path(__file__).resolve().parent.parent


def percentile(values, q):
    """The q-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        svc = IndexerService.from_settings(load_settings({"DATA_DIR": tmp}))
        report = svc.load_files(sample_feeds())
        print(f"loaded {report.summary()}")
        profiles = {p.stem: MatchRequestSchema().load(json.loads(p.read_text()))
                    for p in sorted((ROOT / "examples").glob("profile-*.json"))}
        ranking.match(next(iter(profiles.values()))["profile"], svc.backend)  # warm up
        print(f"{'profile':<28}{'median ms':>10}{'p95 ms':>10}{'jobs':>6}{'courses':>8}")
        for name, body in profiles.items():
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                result = ranking.match(body["profile"], svc.backend, limit=body["limit"])
                times.append((time.perf_counter() - start) * 1000)
            print(f"{name:<28}{statistics.median(times):>10.2f}{percentile(times, 95):>10.2f}"
                  f"{len(result['jobs']):>6}{len(result['courses']):>8}")
        svc.close()


if __name__ == "__main__":
    main()
