"""Refitting the ranking weights from a deployment's referral outcomes (tools/train_ranker.py)."""
import datetime as dt
import json

from indexer.cli import sample_feeds
from matcher import create_app, ranking
from matcher.models import profiles, referrals, users
from matcher.schemas import ProfileSchema
from tools import train_from_referrals

UNIT = "Thanh Hóa / Thành phố Sầm Sơn / Phường Trường Sơn"
SKILLS = [["welding_smaw"], ["vietnamese_cuisine"], ["kitchen_helper"], ["industrial_sewing"],
          ["motorbike_repair"], ["housekeeping"], ["welding_mig"], ["seafood_cooking"]]


def _deployment(tmp_path, n_profiles):
    """A data directory with the sample feeds, ``n_profiles`` profiles and job referrals
    whose outcome depends on the distance only: the nearer half of each profile's jobs
    hired, the rest not."""
    settings = {"DATA_DIR": str(tmp_path / "var"), "SEARCH_BACKEND": "embedded", "TESTING": True}
    app = create_app(settings)
    service = app.extensions["vungbuoc"]
    service.load_files(sample_feeds())
    now = dt.datetime.now(dt.timezone.utc)
    engine = service.store.engine
    with engine.begin() as conn:
        officer = conn.execute(users.insert().values(
            username="lan", password_hash="x", role="officer", unit=UNIT,
            created_at=now)).inserted_primary_key[0]
        for i in range(n_profiles):
            data = {"skills": SKILLS[i % len(SKILLS)], "max_commute_km": 300,
                    "location": {"province": "Thanh Hóa", "lat": 19.70 + 0.02 * (i % 7),
                                 "lon": 105.80 + 0.02 * (i // 7)}}
            pid = conn.execute(profiles.insert().values(
                unit=UNIT, case_code=f"C{i}", data=data, created_by=officer,
                created_at=now, updated_at=now)).inserted_primary_key[0]
            jobs = ranking.match(ProfileSchema().load(data), service.backend, limit=30,
                                 corpus=service.corpus.get)["jobs"]
            far = sorted(j["reasons"]["distance_km"] for j in jobs)
            median = far[len(far) // 2] if far else 0
            for job in jobs:
                hired = job["reasons"]["distance_km"] < median
                conn.execute(referrals.insert().values(
                    unit=UNIT, profile_id=pid, case_code=f"C{i}", kind="job",
                    doc_id=job["id"], title=job["title"][:200],
                    status="employed_3m" if hired else "not_hired",
                    created_by=officer, created_at=now, updated_at=now))
    service.close()
    return settings["DATA_DIR"]


def test_refit_learns_what_the_outcomes_reward_and_beats_the_current_weights(tmp_path):
    data_dir = _deployment(tmp_path, 24)
    out = tmp_path / "ranker-refit.json"
    assert train_from_referrals.main(data_dir, out) == 0
    model = json.loads(out.read_text())
    check = model["check"]
    assert check["auc_check_after"] > check["auc_check_before"]
    weights = model["weights"]
    assert weights["distance"] == max(weights.values())


def test_too_few_outcomes_write_nothing(tmp_path):
    data_dir = _deployment(tmp_path, 2)
    out = tmp_path / "ranker-refit.json"
    assert train_from_referrals.main(data_dir, out) == 1
    assert not out.exists()
