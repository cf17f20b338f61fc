"""Results of bench.run as JSON, a Markdown table (with the issue's targets) and a PNG chart."""
import json
from pathlib import Path


def _g(d, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def targets(results):
    """Rows (target, measured, verdict) for the targets of issues #6 and #15."""
    sizes = results.get("sizes", {})
    s100, s1m = sizes.get("100000", {}), sizes.get("1000000", {})
    rows = []

    def row(name, value, ok, unit=""):
        if value is None:
            rows.append((name, "not measured in this mode", "—"))
        else:
            rows.append((name, f"{value}{unit}", "met" if ok(value) else "MISSED"))
    row("100k in-process match p50 ≤ 5 ms", _g(s100, "embedded_match_ms", "median"),
        lambda v: v <= 5, " ms")
    row("100k in-process match p95 ≤ 15 ms", _g(s100, "embedded_match_ms", "p95"),
        lambda v: v <= 15, " ms")
    row("100k HTTP ≥ 400 matches/s at 16 clients",
        _g(s100, "embedded_http", "16", "matches_per_s"), lambda v: v >= 400, "/s")
    row("100k HTTP p95 ≤ 60 ms at 16 clients", _g(s100, "embedded_http", "16", "p95_ms"),
        lambda v: v <= 60, " ms")
    row("indexing (`indexer load`) ≥ 5,000 postings/s",
        _g(results, "indexer_load", "docs_per_s", "median"), lambda v: v >= 5_000, "/s")
    row("indexing (partner bulk API) ≥ 2,500 postings/s",
        _g(results, "partner_bulk", "docs_per_s", "median"), lambda v: v >= 2_500, "/s")
    row("rebuild of the 1M embedded index ≤ 3 min", _g(s1m, "embedded_rebuild", "seconds"),
        lambda v: v <= 180, " s")
    row("rebuild of the 1M embedded index ≤ 3 GB peak (PSS of the builder and its workers)",
        _g(s1m, "embedded_rebuild", "peak_pss_mb"), lambda v: v <= 3072, " MiB")
    row("1M in-process match p95 ≤ 100 ms", _g(s1m, "embedded_match_ms", "p95"),
        lambda v: v <= 100, " ms")
    rss = _g(s1m, "embedded_http", "worker_rss_mb")
    row("1M RSS per worker ≤ 2 GB", max(rss) if rss else None, lambda v: v <= 2048, " MiB")
    def at_100k(size, name, target, value, ok, unit):
        """A row with a verdict at 100k, the issue's size for it; others without one."""
        at = f"{int(size) // 1000}k"
        if int(size) == 100_000:
            row(name.format(at=at, target=f" {target}"), value, ok, unit)
        else:
            rows.append((name.format(at=at, target="") + " (target at 100k)",
                         f"{value}{unit}", "—"))
    for size, res in sizes.items():
        at = f"{int(size) // 1000}k"
        ratio = _g(res, "elasticsearch", "side_by_side", "ratio_embedded_to_es")
        if ratio is not None:
            at_100k(size, "{at}: embedded / Elasticsearch matches/s{target} (interleaved)",
                    "≥ 5×", ratio, lambda v: v >= 5, "×")
        peer = _g(res, "peer_bm25s", "ratio_embedded_to_bm25s")
        if peer is not None:
            rows.append((f"{at}: embedded stage-1 QPS / bm25s QPS (no target)",
                         f"{peer}×", "—"))
        ov = _g(res, "elasticsearch", "search_overhead")
        if ov is not None:
            at_100k(size, "ES {at}: our overhead over `took`{target} (stage-1 search)",
                    "≤ 30%", round(ov * 100, 1), lambda v: v <= 30, "%")
        cold = _g(res, "elasticsearch", "search_overhead_cold")
        if cold is not None:
            rows.append((f"ES {at}: the same on a first pass, projection cache empty (no target)",
                         f"{round(cold * 100, 1)}%", "—"))
    return rows


def _docs(res):
    """Postings and courses of a corpus."""
    docs = res.get("docs") or {}
    return docs.get("size", 0) + docs.get("courses", 0)


def _rss(http):
    """Each worker's RSS, with its private part (the rest is the mapped index, shared)."""
    total, anon = http.get("worker_rss_mb", []), http.get("worker_rss_anon_mb", [])
    if len(anon) != len(total):
        return ", ".join(map(str, total))
    return ", ".join(f"{t} ({a})" for t, a in zip(total, anon))


def markdown(results):
    """The results as Markdown."""
    m = results["machine"]
    lines = [f"# Benchmark results ({results['mode']})", "",
             f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB; Python "
             f"{m['python']}, numpy {m['numpy']}, scipy {m['scipy']}, scikit-learn "
             f"{m['scikit_learn']}; commit {m['commit']}; load average at start "
             f"{', '.join(f'{x:.2f}' for x in m['loadavg_start'])}, at end "
             f"{', '.join(f'{x:.2f}' for x in m.get('loadavg_end', []))}. "
             f"Run took {results.get('seconds')} s. The machine is shared: medians over "
             "repeated runs are the numbers to quote.", "",
             "## Targets", "", "| target | measured | |", "| --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in targets(results)]
    lines += ["", "Why each missed target is missed, with the profiles: "
              "[analysis.md](analysis.md)."]
    lines += ["", "## Indexing", "", "| path | postings/s median | p95 | p99 | runs |",
              "| --- | --- | --- | --- | --- |"]
    for key, label in (("indexer_load", "`indexer load` (CLI, JSON Lines)"),
                       ("partner_bulk", "partner bulk API through gunicorn")):
        s = _g(results, key, "docs_per_s") or {}
        lines.append(f"| {label} | {s.get('median')} | {s.get('p95')} | {s.get('p99')} | "
                     f"{s.get('n')} |")
    for size, res in results.get("sizes", {}).items():
        rb = res.get("embedded_rebuild")
        if rb:
            lines.append(f"| embedded rebuild from projections, {size} (peak PSS "
                         f"{rb['peak_pss_mb']} MiB, {rb['seconds']} s) | "
                         f"{round(_docs(res) / rb['seconds'])} | | | 1 |")
        es = res.get("elasticsearch") or {}
        if es.get("load_docs_per_s"):
            lines.append(f"| Elasticsearch rebuild from projections, {size} | "
                         f"{es['load_docs_per_s']} | | | 1 |")
    lines += ["", "## Matching (ms; in-process = retrieval + re-ranking + explanations)", "",
              "| postings | backend | in-process p50 | p95 | p99 | stage-1 p50 | raw `took` p50 "
              "| HTTP c=1 p50 | c=4 /s | c=16 /s | c=16 p50 | c=16 p95 | worker RSS MiB (private) "
              "| cold start s (index open s) |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
              "| --- |"]
    notes = []
    for size, res in results.get("sizes", {}).items():
        mm, http = res.get("embedded_match_ms", {}), res.get("embedded_http", {})
        lines.append(
            f"| {size} | embedded | {mm.get('median')} | {mm.get('p95')} | {mm.get('p99')} | "
            f"{_g(res, 'embedded_search_ms', 'median')} | — | {_g(http, '1', 'p50_ms')} | "
            f"{_g(http, '4', 'matches_per_s')} | {_g(http, '16', 'matches_per_s')} | "
            f"{_g(http, '16', 'p50_ms')} | {_g(http, '16', 'p95_ms')} | "
            f"{_rss(http)} | "
            f"{_g(res, 'cold_start', 'seconds', 'median')} "
            f"({_g(res, 'cold_start', 'open_seconds', 'median')}) |")
        es = res.get("elasticsearch")
        if es and "skipped" in es:
            lines.append(f"| {size} | elasticsearch | skipped: {es['skipped']} |||||||||||||")
        elif es:
            eh = es.get("http", {})
            lines.append(
                f"| {size} | elasticsearch | {es['match_ms']['median']} | {es['match_ms']['p95']} "
                f"| {es['match_ms']['p99']} | {es['search_ms']['median']} | "
                f"{es['search_took_ms']['median']} (2 searches: "
                f"{es['match_took_ms']['median']}) | — | — | "
                f"{_g(eh, '16', 'matches_per_s')} | {_g(eh, '16', 'p50_ms')} | "
                f"{_g(eh, '16', 'p95_ms')} | — | — |")
        if res.get("naive_jobs_ms"):
            nv = res["naive_jobs_ms"]
            ratio = round(nv["median"] / mm["median"], 1) if mm.get("median") else None
            lines.append(f"| {size} | naive Python loop (jobs only) | {nv['median']} | "
                         f"{nv['p95']} | {nv['p99']} | | | | | | | | | |")
            notes.append(f"Naive baseline / embedded (whole match, jobs and courses): "
                         f"{ratio}× at {size}.")
        cpu = res.get("embedded_match_cpu_ms")
        if cpu:
            notes.append(f"Embedded at {size}, CPU time per match (the wall times above include "
                         f"what other guests of the machine took): p50 {cpu['median']} ms, "
                         f"p95 {cpu['p95']} ms.")
        first = res.get("embedded_match_first_pass_ms")
        if first:
            notes.append(f"Embedded at {size}, first pass over the profiles in a fresh process "
                         f"(projections decoded on first use; not in the columns above): "
                         f"p50 {first['median']} ms, p95 {first['p95']} ms.")
    lines += [""] + [f"{n}\n" for n in notes]
    lines += side_by_side(results)
    if results.get("es_error"):
        lines += ["", f"Elasticsearch: {results['es_error']}"]
    return "\n".join(lines) + "\n"


def side_by_side(results):
    """Markdown lines: ratios measured interleaved within this run (the ones to quote)."""
    rows = []
    for size, res in results.get("sizes", {}).items():
        p = res.get("peer_bm25s")
        if p:
            rows.append(f"| {size} | stage 1 (jobs, top 200, same filters): embedded vs bm25s "
                        f"{_g(p, 'bm25s_ms', 'median')} ms | {_g(p, 'embedded_ms', 'median')} ms "
                        f"| {p['embedded_qps']} vs {p['bm25s_qps']} | "
                        f"**{p['ratio_embedded_to_bm25s']}×** | {p['queries']} |")
        sbs = _g(res, "elasticsearch", "side_by_side")
        if sbs:
            e, s = sbs["embedded_match_ms"], sbs["es_match_ms"]
            rows.append(f"| {size} | whole match: embedded vs Elasticsearch {s.get('median')} ms "
                        f"| {e.get('median')} ms | "
                        f"{round(1000 / e['median'], 1) if e.get('median') else None} vs "
                        f"{round(1000 / s['median'], 1) if s.get('median') else None} | "
                        f"**{sbs['ratio_embedded_to_es']}×** | {e.get('n')} |")
    if not rows:
        return []
    out = ["## Side by side (interleaved query by query in this run)", "",
           "Ratios of medians measured in the same run, query by query in turn, so that "
           "the load of this shared machine hits both sides alike. The bm25s peer (pinned "
           "in the bench extra) indexes the same terms and required skills of the same "
           "rows, and gets the embedded index's own hard-filter mask as its "
           "`weight_mask`, computed inside its timed call. The embedded search also "
           "returns each hit's projection and scores weighted skills; bm25s returns row "
           "numbers only.", "",
           "| postings | what (peer p50) | embedded p50 | QPS embedded vs peer "
           "| embedded QPS / peer QPS | queries |", "| --- | --- | --- | --- | --- | --- |"]
    out += rows
    for size, res in results.get("sizes", {}).items():
        p = res.get("peer_bm25s")
        if p:
            out += ["", f"At {size}: bm25s indexed the rows in {p['bm25s_index_seconds']} s; "
                        f"median overlap of the two top-200 sets {p['top200_overlap']} "
                        "(different scoring: BM25 alone against BM25 plus weighted skills)."]
    return out + [""]


def chart(results, path):
    """In-process p50/p95 against corpus size, per backend (matplotlib, Agg)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    sizes = sorted(results.get("sizes", {}), key=int)
    for backend, key in (("embedded", "embedded_match_ms"), ("elasticsearch", None)):
        xs, p50, p95 = [], [], []
        for size in sizes:
            res = results["sizes"][size]
            mm = res.get(key) if key else _g(res, "elasticsearch", "match_ms")
            if mm and mm.get("median") is not None:
                xs.append(int(size))
                p50.append(mm["median"])
                p95.append(mm["p95"])
        if xs:
            ax.plot(xs, p50, marker="o", label=f"{backend} p50")
            ax.plot(xs, p95, marker="o", linestyle="--", label=f"{backend} p95")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("job postings (+10% courses)")
    ax.set_ylabel("in-process match latency (ms)")
    ax.set_title("Vững Bước match latency against corpus size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(results, directory, name):
    """Write results-<name>.json, results-<name>.md and latency-<name>.png."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"results-{name}.json").write_text(json.dumps(results, indent=2,
                                                               ensure_ascii=False) + "\n")
    (directory / f"results-{name}.md").write_text(markdown(results), encoding="utf-8")
    chart(results, directory / f"latency-{name}.png")
