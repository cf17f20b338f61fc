"""Tone-aware Vietnamese: words that differ only in their marks, typed both ways.

Each row is a hand-checked pair: two words (or phrases) that fold to the same letters
but mean different things, each with a job title that uses it. Typed with marks, a
query finds its own posting first; typed without marks it finds both (the folded word
is ambiguous, and both readings are kept).
"""
import pytest

from indexer.backends import CandidateQuery
from indexer.taxonomy import default_taxonomy
from indexer.text import fold, keywords
from factories import make_posting

# (word A, title using A, word B, title using B): fold(A) == fold(B).
PAIRS = [
    ("thợ máy", "Thợ máy tàu cá", "thợ may", "Thợ may quần áo"),
    ("làm cá", "Làm cá, sơ chế hải sản", "làm ca", "Công nhân làm ca đêm"),
    ("bàn ghế", "Thợ đóng bàn ghế gỗ", "bán ghế", "Nhân viên bán ghế sofa"),
    ("điện", "Thợ điện công trình", "diễn", "Diễn viên quần chúng"),
    ("thợ đá", "Thợ đá mỹ nghệ", "thợ da", "Thợ da thuộc"),
    ("thợ gỗ", "Thợ gỗ nội thất", "thợ gò", "Thợ gò thân vỏ ô tô"),
    ("xây", "Thợ xây dựng", "xay", "Công nhân xay xát lúa gạo"),
    ("cửa", "Thợ làm cửa nhôm kính", "cua", "Công nhân nuôi cua"),
    ("mây", "Thợ đan mây tre", "may", "Công nhân may"),
    ("trẻ", "Trông trẻ tại nhà", "tre", "Thợ đan lát tre"),
    ("chè", "Công nhân hái chè", "che", "Thợ làm mái che"),
    ("mài", "Thợ mài kim loại", "mái", "Thợ lợp mái tôn"),
    ("sắt", "Thợ hàn cửa sắt", "sát", "Nhân viên giám sát công trình"),
    ("kho", "Thủ kho vật tư", "khô", "Công nhân làm cá khô"),
    ("nhôm", "Thợ nhôm kính", "nhóm", "Trưởng nhóm sản xuất"),
    ("ống", "Thợ ống nước", "ong", "Công nhân nuôi ong"),
    ("lúa", "Công nhân gặt lúa", "lụa", "Thợ dệt lụa"),
    ("hồ", "Thợ hồ phụ", "hộ", "Hộ lý bệnh viện"),
    ("cày", "Lái máy cày", "cây", "Công nhân trồng cây xanh"),
    ("bó", "Nhân viên bó hoa", "bò", "Công nhân chăn nuôi bò sữa"),
    ("mộc", "Thợ mộc dân dụng", "móc", "Thợ đan móc len"),
    ("tiện", "Thợ tiện cơ khí", "tiền", "Nhân viên thu tiền"),
    ("phở", "Đầu bếp nấu phở", "phố", "Công nhân quét dọn đường phố"),
    ("lái", "Tài xế lái xe tải", "lái", None),  # lại is a stop word: see below
    ("bán", "Nhân viên bán hàng", "bàn", "Nhân viên chạy bàn"),
    ("cá", "Công nhân nuôi cá lồng", "ca", "Bảo vệ ca đêm"),
    ("đèn", "Thợ lắp đèn quảng cáo", "đen", "Thợ nhuộm đen vải"),
    ("giặt", "Nhân viên giặt là", "giật", "Thợ sửa máy giật điện"),
    ("bếp", "Phụ bếp nhà hàng", "bẹp", "Thợ gò móp bẹp"),
    ("lò", "Thợ lò bánh mì", "lọ", "Công nhân rửa lọ thủy tinh"),
    ("muối", "Diêm dân làm muối", "mười", "Ca làm mười giờ"),
    ("sơn", "Thợ sơn nhà", "son", "Nhân viên bán son môi"),
]
TABLE = [p for p in PAIRS if p[3] is not None]
# A word without marks typed alone cannot say it was written with marks: "with marks"
# means the query has marks somewhere, so such words are typed with a neighbour.
IN_CONTEXT = {"xay": "xay xát", "cua": "nuôi cua", "may": "công nhân may", "tre": "đan lát tre",
              "che": "mái che", "ong": "nuôi ong", "ca": "ca đêm", "son": "son môi"}


def test_the_table_is_hand_checked_pairs_that_fold_alike():
    assert len(TABLE) >= 30
    for a, title_a, b, title_b in TABLE:
        assert a != b and fold(a) == fold(b), (a, b)
        assert a in title_a.lower() and b in title_b.lower()


@pytest.fixture
def indexed(backend_service):
    """Both titles of every pair as postings (IDs in table order: A, B, A, B...)."""
    records = []
    for i, (_, title_a, _, title_b) in enumerate(TABLE):
        for j, title in enumerate((title_a, title_b)):
            records.append(make_posting(external_id=f"T{i}-{j}", title=title,
                                        description="", required_skills=[]))
    results, errors = backend_service.save("jobs", records)
    assert not errors
    backend_service.sync()
    ids = [r[1][1] for r in results]
    return backend_service, {records[k]["external_id"]: ids[k] for k in range(len(records))}


def _ranked(service, text):
    return [c.id for c in service.backend.search(CandidateQuery(kind="jobs", text=text))]


@pytest.mark.parametrize("typed", ["marks", "no marks"])
def test_each_pair_typed_both_ways(indexed, typed):
    service, ids = indexed
    for i, (a, _, b, _) in enumerate(TABLE):
        doc_a, doc_b = ids[f"T{i}-0"], ids[f"T{i}-1"]
        if typed == "marks":
            for word, mine, other in ((a, doc_a, doc_b), (b, doc_b, doc_a)):
                word = IN_CONTEXT.get(word, word)
                ranked = _ranked(service, word)
                assert mine in ranked, (word, ranked)
                assert other not in ranked or ranked.index(mine) < ranked.index(other), word
        else:
            ranked = _ranked(service, fold(a))
            assert doc_a in ranked and doc_b in ranked, (fold(a), ranked)


def test_unmarked_queries_still_find_their_trade(backend_service):
    records = [make_posting(external_id="H", title="Thợ hàn điện", required_skills=[]),
               make_posting(external_id="N", title="Phụ bếp nấu ăn", required_skills=[])]
    results, _ = backend_service.save("jobs", records)
    backend_service.sync()
    welder, cook = (r[1][1] for r in results)
    assert _ranked(backend_service, "tho han")[0] == welder
    assert _ranked(backend_service, "nau an")[0] == cook


@pytest.mark.parametrize("marked,unmarked,expected", [
    ("thợ máy", "tho may", {"engine_repair"}),
    ("thợ may", "tho may", {"tailoring"}),
])
def test_taxonomy_reads_marks_and_keeps_both_readings_without(marked, unmarked, expected):
    taxonomy = default_taxonomy()
    assert set(taxonomy.resolve_all(marked)) == expected
    assert {"engine_repair", "tailoring"} <= set(taxonomy.resolve_all(unmarked))


def test_sua_may_cong_nghiep_is_not_industrial_sewing():
    taxonomy = default_taxonomy()
    assert "industrial_sewing" not in taxonomy.extract("sửa máy công nghiệp")
    assert taxonomy.resolve("thợ máy") != "tailoring"
    assert "industrial_sewing" in taxonomy.extract("may công nghiệp")


@pytest.mark.parametrize("text,kept,dropped", [
    ("sửa máy cơ khí và có trồng rau", {"cơ", "trồng"}, {"và", "có"}),
    ("học lái xe đi lại", {"lái"}, {"lại"}),
    ("nau an va tho may", {"an", "may"}, {"va"}),
    ("prepare food and use the kitchen", {"food", "kitchen"}, {"and", "the"}),
])
def test_stop_words_are_tone_and_language_aware(text, kept, dropped):
    words = {exact for _, exact in keywords(text)}
    assert kept <= words and not (dropped & words), words
