"""Realistic benchmark corpora, drawn from the distributions of the bundled sample data.

    python -m bench.corpus 10000 100000 1000000      # generate into the cache

A corpus of N job postings (+10% training courses, + one partner per ~150 documents,
+ PROFILES returnee profiles) is written once per size into the cache directory
(``VUNGBUOC_BENCH_CACHE``, default ``~/.cache/vungbuoc/bench``), never into the
repository. Generation is deterministic (``random.Random(SEED + size)``).

Every generated posting starts from a sample posting picked uniformly, so the mix of
trades (occupation codes), titles and skill sets follows the sample feeds; then:

* place: a ward drawn with the sample's ward frequencies (current units, from
  indexer.places), coordinates jittered about 1.5 km around its centre;
* pay: the pay of another sample posting of the same trade, scaled by 0.85-1.2;
* skills: the template's, with one required or preferred skill swapped for another
  skill of the same trade in 30% of postings;
* text: the title and description of another posting of the same trade;
* dates, status, shifts, licences, excluded offences: the template's (the sample's
  valid/expired/closed shares).

Courses do the same from the sample courses. Profiles pick a trade with the
postings' frequencies, 1-4 skills of that trade (a third written as Vietnamese text),
a place as above, a commute radius or only a ward, shifts, a minimum pay and
sometimes an offence category.
"""
import argparse
import collections
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "indexer" / "sample_feeds"
SEED = 6
PROFILES = 240
DOCS_PER_PARTNER = 150
COURSE_SHARE = 0.10
# The corpus layout; bump when the generator changes so old caches are not reused.
FORMAT = 1


def cache_dir():
    """Where corpora (and built indices) are cached, outside the repository."""
    base = os.environ.get("VUNGBUOC_BENCH_CACHE") or Path.home() / ".cache" / "vungbuoc" / "bench"
    return Path(base)


def corpus_dir(size):
    """The directory of the corpus of ``size`` postings."""
    return cache_dir() / f"corpus-v{FORMAT}-{size}"


class _Samples:
    """The sample feeds, grouped by trade, plus the places they use."""

    def __init__(self):
        self.partners = json.loads((SAMPLES / "partners.json").read_text(encoding="utf-8"))
        self.jobs = [json.loads(line) for line in
                     (SAMPLES / "jobs.jsonl").read_text(encoding="utf-8").splitlines() if line]
        self.courses = json.loads((SAMPLES / "courses.json").read_text(encoding="utf-8"))
        from indexer import places
        # The sample's wards, as often as the sample uses them, with their centres.
        self.wards = []
        for doc in self.jobs + self.courses:
            loc = doc["location"]
            ward = places.resolve(loc["province"], loc.get("ward")).ward if loc.get("ward") \
                else None
            if ward:
                self.wards.append((ward.province.name, ward.name, ward.lat, ward.lon))
        self.by_trade = collections.defaultdict(list)
        for job in self.jobs:
            self.by_trade[job.get("occupation_code")].append(job)
        self.courses_by_trade = collections.defaultdict(list)
        for course in self.courses:
            self.courses_by_trade[course.get("occupation_code")].append(course)
        self.skills_of_trade = collections.defaultdict(set)
        for job in self.jobs:
            for s in job.get("required_skills", []) + job.get("preferred_skills", []):
                if _is_id(s):
                    self.skills_of_trade[job.get("occupation_code")].add(s)
        self.skills_of_trade = {k: sorted(v) for k, v in self.skills_of_trade.items()}
        taxonomy = json.loads((ROOT / "config" / "skills.json").read_text(encoding="utf-8"))
        self.labels = {s["id"]: s["label_vi"] for s in taxonomy["skills"]}


def _is_id(skill):
    return skill.isascii() and "_" in skill or skill.isascii() and skill.islower() and " " not in skill


def _place(rng, samples):
    province, ward, lat, lon = rng.choice(samples.wards)
    loc = {"province": province, "ward": ward}
    loc["lat"] = round(lat + rng.uniform(-0.0135, 0.0135), 5)
    loc["lon"] = round(lon + rng.uniform(-0.0135, 0.0135), 5)
    return loc


def _swap_skill(rng, skills, pool):
    if not skills or not pool:
        return skills
    out = list(skills)
    other = rng.choice(pool)
    if other not in out:
        out[rng.randrange(len(out))] = other
    return out


def _pay(rng, job, same_trade):
    other = rng.choice(same_trade)
    if other.get("pay_min_vnd") is None:
        return {}
    scale = rng.uniform(0.85, 1.2)
    step = {"hour": 1000, "day": 10_000}.get(other["pay_period"], 100_000)
    out = {"pay_min_vnd": int(other["pay_min_vnd"] * scale) // step * step,
           "pay_period": other["pay_period"]}
    if other.get("pay_max_vnd") is not None:
        out["pay_max_vnd"] = max(out["pay_min_vnd"],
                                 int(other["pay_max_vnd"] * scale) // step * step)
    return out


def make_job(rng, samples, i, partner_id):
    """One posting: a sample posting re-placed, re-paid and re-worded within its trade."""
    tpl = rng.choice(samples.jobs)
    trade = tpl.get("occupation_code")
    same = samples.by_trade[trade]
    wording = rng.choice(same)
    job = {k: v for k, v in tpl.items() if k not in ("pay_min_vnd", "pay_max_vnd", "pay_period")}
    job.update(partner_id=partner_id, external_id=f"BJ{i:07d}", title=wording["title"],
               description=wording.get("description", ""), location=_place(rng, samples))
    job.update(_pay(rng, tpl, same))
    if rng.random() < 0.3:
        pool = samples.skills_of_trade.get(trade, [])
        field = "required_skills" if rng.random() < 0.6 or not job.get("preferred_skills") \
            else "preferred_skills"
        job[field] = _swap_skill(rng, job.get(field, []), pool)
        if "preferred_skills" in job:
            job["preferred_skills"] = [s for s in job["preferred_skills"]
                                       if s not in job.get("required_skills", [])]
    job["openings"] = rng.randint(1, 10)
    job.pop("contact", None)
    return job


def make_course(rng, samples, i, partner_id):
    """One course: a sample course re-placed within its trade."""
    tpl = rng.choice(samples.courses)
    wording = rng.choice(samples.courses_by_trade[tpl.get("occupation_code")])
    course = {k: v for k, v in tpl.items() if k != "contact"}
    course.update(partner_id=partner_id, external_id=f"BC{i:07d}", title=wording["title"],
                  description=wording.get("description", ""), location=_place(rng, samples))
    course["seats"] = rng.randint(10, 40)
    return course


def make_partner(rng, samples, i):
    """A partner cloned from a sample partner (kind 'both', so it may post either)."""
    tpl = samples.partners[i % len(samples.partners)]
    return {"id": f"bench-{i:05d}", "name": f"{tpl['name']} (chi nhánh {i})", "kind": "both",
            "province": tpl.get("province"), "ward": tpl.get("ward"),
            "fair_chance_commitments": tpl.get("fair_chance_commitments", [])}


def make_profile(rng, samples, i):
    """A returnee profile: skills of one trade, a place, a radius or only a ward."""
    tpl = rng.choice(samples.jobs)
    trade = tpl.get("occupation_code")
    pool = samples.skills_of_trade.get(trade) or [s for s in samples.labels]
    picked = rng.sample(pool, min(len(pool), rng.randint(1, 4)))
    skills = [samples.labels.get(s, s) if rng.random() < 0.33 else s for s in picked]
    loc = _place(rng, samples)
    profile = {"case_code": f"BENCH-{i:04d}", "skills": skills,
               "experience": f"Đã làm {rng.randint(1, 9)} năm: "
                             + ", ".join(samples.labels.get(s, s).lower() for s in picked) + ".",
               "education": rng.choice(["none", "primary", "primary", "lower_secondary",
                                        "lower_secondary", "upper_secondary"]),
               "licences": rng.sample(["motorbike_a1", "motorbike_a1", "car_b", "forklift"],
                                      rng.randint(0, 1)),
               "desired_occupations": [trade] if trade else [],
               "shifts": rng.sample(["day", "evening", "night", "rotating", "flexible"],
                                    rng.randint(1, 2)),
               "min_monthly_pay_vnd": rng.randrange(4_000_000, 9_000_001, 500_000)}
    if rng.random() < 0.75:
        profile["location"] = loc
        profile["max_commute_km"] = rng.choice([5, 10, 15, 25, 35, 50])
    else:
        profile["location"] = {"province": loc["province"], "ward": loc["ward"]}
    if rng.random() < 0.3:
        profile["offence_category"] = rng.choice(["property", "drug", "traffic", "violent",
                                                  "public_order"])
    return {"profile": profile, "limit": 10}


def generate(size, out=None, seed=SEED, profiles=PROFILES):
    """Write partners.json, jobs.jsonl, courses.jsonl and profiles.json for ``size`` postings."""
    out = Path(out or corpus_dir(size))
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed * 1_000_003 + size)
    samples = _Samples()
    n_courses = int(size * COURSE_SHARE)
    n_partners = max(len(samples.partners), (size + n_courses) // DOCS_PER_PARTNER)
    partners = [make_partner(rng, samples, i) for i in range(n_partners)]
    tmp = out / "partners.json.tmp"
    tmp.write_text(json.dumps(partners, ensure_ascii=False), encoding="utf-8")
    tmp.replace(out / "partners.json")
    for name, n, make in (("jobs.jsonl", size, make_job), ("courses.jsonl", n_courses, make_course)):
        tmp = out / f"{name}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            for i in range(n):
                doc = make(rng, samples, i, partners[rng.randrange(n_partners)]["id"])
                fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
        tmp.replace(out / name)
    prng = random.Random(seed)  # the same profiles for every corpus size
    bodies = [make_profile(prng, samples, i) for i in range(profiles)]
    bodies += [json.loads(p.read_text(encoding="utf-8"))
               for p in sorted((ROOT / "examples").glob("profile-*.json"))]
    (out / "profiles.json").write_text(json.dumps(bodies, ensure_ascii=False), encoding="utf-8")
    (out / "DONE").write_text(json.dumps({"size": size, "courses": n_courses,
                                          "partners": n_partners, "profiles": len(bodies),
                                          "seed": seed}))
    return out


def ensure(size):
    """The corpus directory of ``size``, generated on first use."""
    path = corpus_dir(size)
    if not (path / "DONE").exists():
        start = time.perf_counter()
        generate(size, path)
        print(f"generated corpus {size} in {time.perf_counter() - start:.1f}s: {path}",
              file=sys.stderr)
    return path


def read_jsonl(path, limit=None):
    """Records of a JSON Lines file."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            out.append(json.loads(line))
            if limit and len(out) >= limit:
                break
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int)
    args = parser.parse_args()
    for size in args.sizes:
        print(ensure(size))


if __name__ == "__main__":
    main()
