"""Refit the job ranking weights from a deployment's own referral outcomes.

    python -m tools.train_ranker --from-referrals DATA_DIR [--out FILE]

(see tools/train_ranker.py). Reads the store and officer tables named by the settings
of ``DATA_DIR`` (its SQLite file, or DATABASE_URL), and for every job referral whose
outcome is known (hired, still employed at 3 or 6 months: success; not hired, left:
failure) recomputes the features of the posting for the profile as matching does now.
A logistic regression over all features (the practical ones too, which the ESCO set
cannot teach) is fitted on 70% of the profiles; the other 30% check it: it is written
only when it separates successes from failures better (ROC AUC) than the current
weights. Enable it with RANKER_MODEL=<file> (config/settings.toml).
"""
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

MIN_OUTCOMES = 200
MIN_SUCCESSES = 30
SUCCESS = ("hired", "employed_3m", "employed_6m")
FAILURE = ("not_hired", "left")
FIT_SHARE = 0.7


def _split(profile_id):
    digest = hashlib.sha256(str(profile_id).encode()).digest()
    return "fit" if digest[0] / 256 < FIT_SHARE else "check"


def examples(service, engine, today=None):
    """[(profile id, {feature: value}, success)] for each job referral with an outcome."""
    from sqlalchemy import select

    from indexer.documents import projection
    from matcher import ranking
    from matcher.models import profiles, referrals
    from matcher.schemas import ProfileSchema
    today = today or dt.date.today()
    with engine.connect() as conn:
        rows = conn.execute(select(referrals.c.profile_id, referrals.c.doc_id,
                                   referrals.c.status, profiles.c.data)
                            .join(profiles, profiles.c.id == referrals.c.profile_id)
                            .where(referrals.c.kind == "job",
                                   referrals.c.status.in_(SUCCESS + FAILURE))).all()
    names = service.store.partner_names()
    model = service.corpus.get("jobs")
    out = []
    for profile_id, doc_id, status, data in rows:
        row = service.store.get_document("jobs", doc_id)
        if row is None or row.get("data") is None:
            continue
        profile = ranking.Profile(ProfileSchema().load(data))
        query = ranking._query(profile, "jobs", profile.skills, 200, today)
        docs = [c.source for c in service.backend.search(query) if c.id != doc_id]
        docs.append(projection("jobs", row, names.get(row["partner_id"])))
        feats = ranking.job_features(profile, docs, model)
        out.append((profile_id, {k: float(v[-1]) for k, v in feats.items()}, status in SUCCESS))
    return out


def auc(weights, rows):
    """ROC AUC of the scores that ``weights`` give ``rows`` (success vs failure)."""
    from sklearn.metrics import roc_auc_score
    y = [ok for _, _, ok in rows]
    if len(set(y)) < 2:
        return float("nan")
    return float(roc_auc_score(y, [sum(w * f.get(k, 0.0) for k, w in weights.items())
                                   for _, f, _ in rows]))


def refit(rows, current):
    """(new weights, figures) fitted on the fit split of ``rows``; ``current`` are the
    weights in use (every feature)."""
    from sklearn.linear_model import LogisticRegression

    from tools.train_ranker import scaled
    names = sorted(current)
    fit = [r for r in rows if _split(r[0]) == "fit"]
    check = [r for r in rows if _split(r[0]) == "check"]
    x = np.array([[f.get(n, 0.0) for n in names] for _, f, _ in fit])
    y = np.array([ok for _, _, ok in fit])
    model = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
    weights = scaled(dict(zip(names, model.coef_[0].tolist())), 1.0)
    figures = {"fit": len(fit), "check": len(check), "auc_check_before": auc(current, check),
               "auc_check_after": auc(weights, check)}
    return weights, figures


def main(data_dir, out=None):
    """Refit from the deployment in ``data_dir``; 0 when a better model was written."""
    from indexer.service import IndexerService
    from indexer.settings import load_settings
    from matcher.ranker import Ranker, ranker_for
    from matcher.ranking import job_weights
    settings = load_settings({"DATA_DIR": data_dir})
    service = IndexerService.from_settings(settings)
    try:
        rows = examples(service, service.store.engine)
    finally:
        service.close()
    successes = sum(ok for _, _, ok in rows)
    if len(rows) < MIN_OUTCOMES or successes < MIN_SUCCESSES or len(rows) - successes < 10:
        print(f"{len(rows)} job referrals with an outcome ({successes} successes): not enough "
              f"to refit (needs {MIN_OUTCOMES}, {MIN_SUCCESSES} successes)")
        return 1
    current = ranker_for(settings)
    weights, figures = refit(rows, job_weights(current))
    print(json.dumps(figures))
    if not figures["auc_check_after"] > figures["auc_check_before"]:
        print("the refitted weights do not beat the current ones on the held-out profiles")
        return 1
    out = Path(out or Path(settings["DATA_DIR"]) / f"ranker-referrals-{dt.date.today()}.json")
    body = {"version": 1, "trained_on": f"{len(rows)} referral outcomes of {data_dir}",
            "trainer": "tools/train_ranker.py --from-referrals", "date": dt.date.today().isoformat(),
            "first_pass": current.first, "weights": weights, "check": figures}
    Ranker(current.first, weights)  # the file must load as a ranker
    out.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
    print(f"written {out}; use it with RANKER_MODEL={out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
