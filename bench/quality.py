"""Ranking quality on the labelled ESCO set (make quality): the project beside baselines.

    python -m bench.quality                       # the dev set, results in bench/results/
    python -m bench.quality --set FILE --name X   # another set built the same way

The set is loaded the way a partner would send it, through the project's own feed loader
(``IndexerService.load_files``) into a fresh data directory: one employer partner, every
posting a full-time job with its occupation code at one place with coordinates. Every
profile (its skills, at that place, the largest commute radius, so distance, pay and
shifts never decide) goes through ``matcher.ranking.match``, the code behind
``POST /api/v1/matches``, with ``limit`` 10. The baselines (bench.quality_baselines) run
on the same postings in the same run. Figures are split into the part of the dev set
the ranker is fitted on and the internal held-out part (bench.evalset.split_of).

The set is measured twice (VARIANTS): once with every posting's occupation code, once
with none (partners often leave the optional field out). The relevance labels are those
codes, so the first variant gives the ranker what decides relevance; the second shows
what it makes of the text alone.
"""
import argparse
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

from indexer.service import IndexerService
from indexer.settings import load_settings
from matcher import ranking
from matcher.schemas import ProfileSchema

from . import evalset, quality_baselines

RESULTS = evalset.ROOT / "bench" / "results"
PARTNER = {"id": "esco-eval", "name": "ESCO evaluation employer", "kind": "employer"}
PLACE = {"province": "Thanh Hóa", "lat": 19.8067, "lon": 105.7852}
TODAY = "2026-12-01"
# (key, title) of the two ways the set's postings are sent: with or without their codes.
VARIANTS = (("coded", "postings with occupation codes"),
            ("uncoded", "postings without occupation codes"))


def write_feeds(data, directory, coded=True):
    """The set's postings as partner feed files (partners.json, jobs.jsonl) in ``directory``;
    with ``coded`` False, without the optional occupation code."""
    directory = Path(directory)
    (directory / "partners.json").write_text(json.dumps([PARTNER]), encoding="utf-8")
    with open(directory / "jobs.jsonl", "w", encoding="utf-8") as fh:
        for p in data["postings"]:
            posting = {
                "partner_id": PARTNER["id"], "external_id": p["id"], "title": p["title"],
                "description": p["description"], "occupation_code": p["isco"],
                "required_skills": p["required_skills"],
                "preferred_skills": p["preferred_skills"], "location": PLACE,
                "employment_type": "full_time"}
            if not coded:
                del posting["occupation_code"]
            fh.write(json.dumps(posting, ensure_ascii=False) + "\n")
    return [directory / "partners.json", directory / "jobs.jsonl"]


@contextlib.contextmanager
def loaded(data, settings=None, coded=True):
    """An IndexerService over a fresh data directory holding the set's postings (with
    their occupation codes unless ``coded`` is False)."""
    with tempfile.TemporaryDirectory(prefix="vb-quality-") as tmp:
        service = IndexerService.from_settings(load_settings(
            {"DATA_DIR": str(Path(tmp) / "var"), "SEARCH_BACKEND": "embedded",
             **(settings or {})}))
        try:
            report = service.load_files(write_feeds(data, tmp, coded))
            if report.rejected or report.index_error:
                raise RuntimeError(f"loading the set failed: {report.rejects[:3]} "
                                   f"{report.index_error}")
            yield service
        finally:
            service.close()


def external_ids(service):
    """{document id: external id} of the loaded postings."""
    from sqlalchemy import select

    from indexer.store import documents
    with service.store.engine.connect() as conn:
        return {row[0]: row[1] for row in conn.execute(
            select(documents.c.id, documents.c.external_id))}


def project_rankings(service, profiles, limit=evalset.CUTOFF, match=None):
    """{profile id: ranked external IDs} from the match service for each profile."""
    import datetime as dt
    match = match or ranking.match
    names = external_ids(service)
    schema, today = ProfileSchema(), dt.date.fromisoformat(TODAY)
    out = {}
    for p in profiles:
        body = schema.load(evalset.profile_request(p, PLACE))
        result = match(body, service.backend, limit=limit, today=today,
                       corpus=service.corpus.get)
        out[p["id"]] = [names[j["id"]] for j in result["jobs"]]
    return out


def scores_of(rankings, data):
    """{profile id: NDCG@10} for rankings given as posting external IDs."""
    isco = {p["id"]: p["isco"] for p in data["postings"]}
    all_iscos = list(isco.values())
    return {p["id"]: evalset.ndcg([isco[i] for i in rankings[p["id"]]], p["isco"], all_iscos)
            for p in data["profiles"] if p["id"] in rankings}


PROJECT = "Vững Bước"
# The method name of the project measured on the postings sent without their codes.
UNCODED = "Vững Bước, postings without codes"


def evaluate(data, profiles=None, baselines=True, settings=None, variants=("coded", "uncoded")):
    """{method: {profile id: NDCG@10}} for the project on each of ``variants`` (PROJECT
    with codes, UNCODED without) and (optionally) the baselines, which never read codes."""
    profiles = data["profiles"] if profiles is None else profiles
    methods, timing = {}, {}
    for variant in variants:
        started = time.perf_counter()
        with loaded(data, settings, coded=variant == "coded") as service:
            loaded_s = time.perf_counter() - started
            name = PROJECT if variant == "coded" else UNCODED
            methods[name] = scores_of(project_rankings(service, profiles), data)
        timing[variant] = {"load_s": round(loaded_s, 1),
                           "match_s": round(time.perf_counter() - started - loaded_s, 1)}
    if baselines:
        postings = data["postings"]
        for name, ranked in quality_baselines.all_baselines(postings, profiles).items():
            methods[name] = scores_of(
                {pid: [postings[i]["id"] for i in idx] for pid, idx in ranked.items()}, data)
    return methods, timing


def table(methods, profiles):
    """Markdown tables: NDCG@10 by variant and k, for all / fit / check profiles."""
    summaries = {m: evalset.summarise(s, profiles) for m, s in methods.items()}
    first = next(iter(summaries.values()))
    lines = []
    for split, title in (("all", "whole set"), ("fit", "fit split (the ranker is fitted here)"),
                         ("check", "held-out split (never fitted on)")):
        cols = [(v, k) for (s, v, k) in first if s == split]
        cols.sort(key=lambda c: (c[0], c[1] != "all", c[1]))
        head = [f"{v} k={k}" if k != "all" else f"**{v}**" for v, k in cols]
        counts = [str(first[(split, v, k)][1]) for v, k in cols]
        lines += [f"### NDCG@10, {title}", "",
                  "| method | " + " | ".join(head) + " |",
                  "| --- |" + " --- |" * len(cols),
                  "| profiles | " + " | ".join(counts) + " |"]
        for method, summary in summaries.items():
            cells = [f"{summary[(split, v, k)][0]:.3f}" for v, k in cols]
            lines.append(f"| {method} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    """Run the benchmark and write bench/results/quality-<name>.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=None, help="the labelled set (JSON)")
    parser.add_argument("--name", default="dev", help="results file suffix (default: dev)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    path = args.set or evalset.find_dev_set()
    if path is None or not Path(path).exists():
        parser.error("no labelled set: pass --set or put it in ../shared/eval/esco-dev.json")
    data = evalset.load(path)
    methods, timing = evaluate(data)
    md = "\n".join([
        f"# Ranking quality: {Path(path).name}", "",
        f"{len(data['postings'])} postings, {len(data['profiles'])} profiles; loaded through "
        f"the feed loader in {timing['coded']['load_s']} s, matched in "
        f"{timing['coded']['match_s']} s (embedded backend). Written by `make quality` "
        "(bench/quality.py).", "",
        f"\"{PROJECT}\" is the project on the postings sent with their occupation codes "
        f"(the relevance labels are those codes); \"{UNCODED}\" on the same postings sent "
        "without them (the optional field left out, as partners often do; loaded in "
        f"{timing['uncoded']['load_s']} s, matched in {timing['uncoded']['match_s']} s). "
        "The baselines never read the codes.", "",
        table(methods, data["profiles"])])
    print(md)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"quality-{args.name}.md").write_text(md + "\n", encoding="utf-8")
        summary = {m: {"/".join(k): round(v[0], 4) for k, v in
                       evalset.summarise(s, data["profiles"]).items()}
                   for m, s in methods.items()}
        (RESULTS / f"quality-{args.name}.json").write_text(json.dumps(
            {"set": Path(path).name, "timing": timing, "ndcg@10": summary}, indent=1,
            ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
