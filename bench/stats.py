"""Small statistics and machine-description helpers shared by the benchmarks."""
import os
import platform
import statistics
import subprocess
import sys


def percentile(values, q):
    """The q-th percentile of ``values`` (linear interpolation), or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summary(values, digits=3):
    """n, median, p95, p99, min and max of ``values``."""
    if not values:
        return {"n": 0}
    return {"n": len(values), "median": round(statistics.median(values), digits),
            "p95": round(percentile(values, 95), digits),
            "p99": round(percentile(values, 99), digits),
            "min": round(min(values), digits), "max": round(max(values), digits)}


def rss_mb(pid=None, field="VmRSS"):
    """Resident set size of a process in MiB (from /proc); ``field`` may also be
    ``RssAnon`` (private memory) or ``RssFile`` (mapped files, e.g. a memory-mapped
    index, whose pages the page cache shares between workers)."""
    with open(f"/proc/{pid or 'self'}/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return None


def machine():
    """nproc, memory, CPU model, Python and library versions, load average."""
    import numpy
    import scipy
    import sklearn
    cpu = ""
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as fh:
        mem_kb = int(fh.readline().split()[1])
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=False).stdout.strip()
    except OSError:
        commit = None
    return {"nproc": os.cpu_count(), "memory_gib": round(mem_kb / 2 ** 20, 1), "cpu": cpu,
            "python": sys.version.split()[0], "numpy": numpy.__version__,
            "scipy": scipy.__version__, "scikit_learn": sklearn.__version__,
            "platform": platform.platform(), "commit": commit,
            "loadavg_start": os.getloadavg()}


def write_profile(prof, out, header, data_dir):
    """Write a cProfile's text (by cumulative, then by own time) under ``header`` to the
    file ``out``, the temporary data directory written as $DATA; returns the text."""
    import io
    import pstats
    text = io.StringIO()
    text.write(header + "\n\n")
    stats = pstats.Stats(prof, stream=text).sort_stats("cumulative")
    stats.print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    written = text.getvalue().replace(data_dir, "$DATA")
    with open(out, "w") as fh:
        fh.write(written)
    return written
