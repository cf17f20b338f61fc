"""cProfile of the partner bulk API (POST /api/v1/partner/jobs/bulk) in one process,
through Flask's test client (the app as gunicorn serves it, without the HTTP server).

    python -m bench.profile_bulk OUT.txt [--items 1000]
"""
import argparse
import cProfile
import os
import subprocess
import sys
import tempfile
import time

from . import corpus
from .stats import write_profile


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--items", type=int, default=1000)
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="vungbuoc-prof-bulk-")
    os.environ.update(VUNGBUOC_DATA_DIR=data, VUNGBUOC_PARTNER_RATE_LIMIT="100000000 per minute")
    cdir = corpus.corpus_dir(10_000)
    bin_ = os.path.dirname(sys.executable)
    subprocess.run([f"{bin_}/indexer", "load", "--no-progress", str(cdir / "partners.json")],
                   check=True, capture_output=True)
    out = subprocess.run([f"{bin_}/matcher", "partners", "create", "bench-bulk", "--name",
                          "Bench bulk", "--kind", "both"], check=True, capture_output=True,
                         text=True)
    key = out.stdout.strip().splitlines()[-1]
    items = corpus.read_jsonl(cdir / "jobs.jsonl", 2 * args.items)
    for item in items:
        item.pop("partner_id", None)
    from matcher import create_app
    client = create_app().test_client()
    headers = {"Authorization": f"Bearer {key}"}
    # A first request warms the process (imports, the index opened), as in a served worker.
    client.post("/api/v1/partner/jobs/bulk", json={"items": items[:args.items]}, headers=headers)
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    resp = client.post("/api/v1/partner/jobs/bulk", json={"items": items[args.items:]},
                       headers=headers)
    prof.disable()
    took = time.perf_counter() - t
    header = (f"partner bulk API, {args.items} new postings in one request (second "
              f"request of a warm process): {took:.2f} s, {args.items / took:.0f} postings/s "
              f"under cProfile; HTTP {resp.status_code}, "
              f"summary {resp.get_json()['summary']}")
    text = write_profile(prof, args.out, header, data)
    print(text[:400])


if __name__ == "__main__":
    main()
