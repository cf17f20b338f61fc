"""cProfile of `indexer load` of a JSON Lines feed in one process (no background drain),
so the profile holds every CPU second of validating, storing and indexing.

    python -m bench.profile_load JOBS.jsonl PARTNERS.json OUT.txt [--data DIR]
"""
import cProfile
import sys
import tempfile
import time

from .stats import write_profile


def main():
    jobs, partners, out = sys.argv[1:4]
    import os
    data = tempfile.mkdtemp(prefix="vungbuoc-prof-")
    os.environ.update(VUNGBUOC_DATA_DIR=data, VUNGBUOC_LOAD_CONCURRENT_SYNC="false")
    from indexer.service import IndexerService
    from indexer.settings import load_settings
    start = time.perf_counter()
    service = IndexerService.from_settings(load_settings())
    service.load_files([partners])
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    report = service.load_files([jobs])
    prof.disable()
    took = time.perf_counter() - t
    service.close()
    header = (f"indexer load of {report.read} postings in one process (no background "
              f"drain): {took:.2f} s, {report.read / took:.0f} postings/s under cProfile "
              f"(set-up {t - start:.2f} s not included); report {report.summary()}")
    text = write_profile(prof, out, header, data)
    print(text[:300])


if __name__ == "__main__":
    main()
