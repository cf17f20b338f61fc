"""The embedded index's scoring: column sums straight from the postings, and the hidden
report counted with masks over all rows, against references computed the plain way."""
import datetime as dt

import numpy as np
import pytest

from indexer.backends import CandidateQuery
from indexer.backends.base import hidden_reasons
from indexer.backends.embedded import EmbeddedBackend
from indexer.backends.embedded import features as F
from indexer.documents import projection
from indexer.schemas import JobPostingSchema
from indexer.text import terms

from factories import make_posting

TODAY = dt.date(2026, 11, 27)
TEXTS = [("Thợ hàn điện", "Hàn kết cấu thép nhà xưởng, làm ca ngày."),
         ("Công nhân may", "May công nghiệp, làm việc theo ca, công nhân may mặc."),
         ("Lái xe tải", "Lái xe tải hạng C, giao hàng, làm việc ca đêm."),
         ("Thợ sơn", "Sơn nhà, sơn tường, công việc ổn định."),
         ("Công nhân kho", "Bốc xếp hàng hóa, làm việc ca ngày, công nhân.")]
SKILLS = [["welding_smaw"], ["sewing_machine"], ["forklift_operation"], [], ["welding_mig"]]


def doc(i, version=1, **extra):
    title, body = TEXTS[i % len(TEXTS)]
    data = JobPostingSchema().dump(JobPostingSchema().load(make_posting(
        external_id=f"J-{i}", title=title, description=body * (1 + i % 3),
        required_skills=SKILLS[i % len(SKILLS)], **extra)))
    return projection("jobs", {"id": i, "version": version, "data": data}, "Công ty")


def extras(i):
    return {**({"licences_required": ["truck_c"]} if i % 4 == 0 else {}),
            **({"min_education": "upper_secondary"} if i % 5 == 0 else {}),
            **({"excluded_offences": ["drug"]} if i % 6 == 0 else {}),
            **({"valid_through": "2026-01-31"} if i % 9 == 0 else {})}


@pytest.fixture()
def backend(tmp_path):
    """A snapshot, then a delta on top: new rows, rows replaced (dead in the snapshot)
    and a deletion, so that scoring spans both parts and counts live rows only."""
    backend = EmbeddedBackend(tmp_path, compact_min_ops=10_000)
    backend.rebuild("jobs", [doc(i, **extras(i)) for i in range(60)])
    backend.upsert("jobs", [doc(i, **extras(i)) for i in range(60, 80)])
    backend.upsert("jobs", [doc(i, 2, **extras(i + 1)) for i in range(0, 20, 3)])
    backend.delete("jobs", [(7, 5), (65, 5)])
    seg = backend._state("jobs")
    assert seg.n_main and len(seg) > seg.n_main and not seg.a["live"].all()
    return backend


def reference_scores(seg, text_cols, skill_cols):
    """The scores as a scipy product of the gathered columns of each part (main's code)."""
    live = seg.a["live"]
    n_live = max(int(live.sum()), 1)
    scores = np.zeros(len(seg), np.float32)
    for cols, which, weight in ((text_cols, 1, 1.0), (skill_cols, 2, F.SKILL_WEIGHT)):
        if len(cols) == 0:
            continue
        subs = [(p[0], p[which].columns(cols, weighted=which == 1)) for p in seg.parts()]
        df = sum(np.bincount(np.repeat(np.arange(len(cols)), np.diff(sub.indptr)),
                             weights=live[sub.indices + off], minlength=len(cols))
                 for off, sub in subs)
        idf = (weight * np.log1p((n_live - df + 0.5) / (df + 0.5))).astype(np.float32)
        for off, sub in subs:
            scores[off:off + sub.shape[0]] += sub @ idf
    return scores


QUERIES = [("thợ hàn công nhân làm việc", ["welding_smaw", "welding_mig"]),
           ("công nhân may ca", []), ("", ["forklift_operation"]), ("sơn nhà", [])]


@pytest.mark.parametrize("text,skills", QUERIES)
def test_scores_are_bitwise_those_of_the_matrix_product(backend, text, skills):
    seg = backend._state("jobs")
    text_cols = F.columns(terms(text)) if text else []
    skill_cols = F.columns(f"sk:{s}" for s in skills) if skills else []
    got = seg.scores(text_cols, skill_cols)
    want = reference_scores(seg, text_cols, skill_cols)
    assert got.dtype == np.float32 and got.tobytes() == want.tobytes()
    assert (got > 0).any()


@pytest.mark.parametrize("text,skills", QUERIES)
def test_hidden_report_agrees_with_each_documents_reasons(backend, text, skills):
    query = CandidateQuery(kind="jobs", text=text, skills=skills, today=TODAY, limit=5,
                           licences=[], education="lower_secondary", offence="drug")
    found, report = backend.search_explained(query, hidden_limit=3)
    seg = backend._state("jobs")
    text_cols = F.columns(terms(text)) if text else []
    skill_cols = F.columns(f"sk:{s}" for s in skills) if skills else []
    scores = reference_scores(seg, text_cols, skill_cols)
    rows = [r for r in np.flatnonzero(seg.current(TODAY)).tolist() if scores[r] > 0]
    reasons = {r: hidden_reasons(query, seg.source(r)) for r in rows}
    counts = {}
    for why in reasons.values():
        for reason in why:
            counts[reason] = counts.get(reason, 0) + 1
    assert report.counts == {r: counts.get(r, 0) for r in query.active_reasons()}
    assert report.only == {r: sum(why == [r] for why in reasons.values())
                           for r in query.active_reasons()}
    assert report.total == sum(bool(why) for why in reasons.values())
    assert report.licences == {"truck_c": sum(why == ["licence"] for why in reasons.values())}

    def best(wanted, k):  # highest score first, ties by the lower ID
        ranked = sorted(wanted, key=lambda r: (-scores[r], int(seg.a["ids"][r])))[:k]
        return [(int(seg.a["ids"][r]), float(scores[r])) for r in ranked]
    assert [(c.id, c.score) for c in found] == best([r for r in rows if not reasons[r]], 5)
    assert [(h.id, h.score) for h in report.items] == best([r for r in rows if reasons[r]], 3)
    assert report.total and found


def test_ties_at_the_limit_are_cut_by_id(backend):
    """Identical postings score alike: the limit keeps the lowest IDs among them."""
    backend.upsert("jobs", [doc(i) for i in range(100, 112)])
    query = CandidateQuery(kind="jobs", text="thợ hàn", today=TODAY, limit=3)
    found = backend.search(query)
    seg = backend._state("jobs")
    scores = reference_scores(seg, F.columns(terms("thợ hàn")), [])
    eligible = seg.eligible(query) & (scores > 0)
    rows = sorted(np.flatnonzero(eligible).tolist(),
                  key=lambda r: (-scores[r], int(seg.a["ids"][r])))[:3]
    assert [c.id for c in found] == [int(seg.a["ids"][r]) for r in rows]
