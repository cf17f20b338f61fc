"""Casework (issue #14, part B): the slip an employer can use, notes and reason codes on
referral steps, support measures, confirmations after saving. Real SQLite store."""
import datetime as dt
import re

import pytest
import segno
from sqlalchemy import select

from indexer import clock
from matcher.models import referral_events, referrals, support_measures, users
from matcher.services.errors import InvalidDocument
from matcher.services.referrals import NOTE_MAX, REASONS
from matcher.services.support import MEASURES, STATUSES, qualifies

from factories import make_partner
from test_referrals import backdate, outcome, refer
from web_helpers import PROFILE_FORM, post_form

CONTACT = {"name": "Chị Hoa (nhân sự)", "phone": "0237 3821 555", "email": "tuyendung@thunghiem.vn",
           "address": "Lô 5, KCN Sầm Sơn"}
COMMITMENT = "Tuyển người đã chấp hành xong án phạt tù, không hỏi lý lịch khi phỏng vấn"


@pytest.fixture
def partner_details(web_app):
    """The partner's contact and fair-chance commitment, as a partner would post them."""
    svc = web_app.extensions["vungbuoc"]
    svc.save("partners", [make_partner(contact=CONTACT, fair_chance_commitments=[COMMITMENT])])
    svc.sync()


def _engine(web_app):
    return web_app.extensions["vungbuoc"].store.engine


def _officers(web_app):
    return web_app.extensions["officers"]


def _lan(web_app):
    return _officers(web_app).accounts.by_username("lan")


def _job(web_app, external_id="J-1"):
    return web_app.extensions["vungbuoc"].store.find_document("jobs", "cty-test", external_id)["id"]


# -- references ---------------------------------------------------------------------------

def test_references_are_unit_year_sequence_unique_and_stable(web_app, officer, other_officer,
                                                             profile_id):
    year = clock.today().year
    first, second = refer(officer, profile_id), refer(officer, profile_id, doc_id=_job(web_app, "J-mig"))
    svc = _officers(web_app).referrals
    lan = _lan(web_app)
    assert svc.get(lan, first)["reference"] == f"16531-{year}-0001"
    assert svc.get(lan, second)["reference"] == f"16531-{year}-0002"
    # Another unit counts on its own.
    other = post_form(other_officer, "/profiles/new", {**PROFILE_FORM, "case_code": "NSS-1"})
    other_id = int(re.search(r"/profiles/(\d+)/", other.location).group(1))
    theirs = refer(other_officer, other_id)
    minh = _officers(web_app).accounts.by_username("minh")
    assert svc.get(minh, theirs)["reference"] == f"{minh['unit']}-{year}-0001"
    # Stable: steps and a renamed case keep the number.
    outcome(officer, first, "interviewed")
    post_form(officer, f"/profiles/{profile_id}/edit", {**PROFILE_FORM, "case_code": "TS-NEW"},
              form_path=f"/profiles/{profile_id}/edit")
    assert svc.get(lan, first)["reference"] == f"16531-{year}-0001"
    html = officer.get(f"/referrals/{first}/slip").get_data(as_text=True)
    assert f"16531-{year}-0001" in html and "TS-NEW" in html


# -- the slip -----------------------------------------------------------------------------

def test_slip_has_what_an_employer_needs_and_no_more(web_app, officer, profile_id,
                                                     partner_details):
    engine = _engine(web_app)
    post_form(officer, f"/profiles/{profile_id}/edit",
              {**PROFILE_FORM, "offence_category": "property"},
              form_path=f"/profiles/{profile_id}/edit")
    with engine.begin() as conn:
        conn.execute(users.update().where(users.c.username == "lan").values(
            display_name="Nguyễn Thị Lan"))
    referral_id = refer(officer, profile_id)
    reference = _officers(web_app).referrals.get(_lan(web_app), referral_id)["reference"]
    html = officer.get(f"/referrals/{referral_id}/slip").get_data(as_text=True)
    # The letterhead of an administrative document, with the unit.
    for text in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "ỦY BAN NHÂN DÂN<br>PHƯỜNG SẦM SƠN", f"Số: <span id=\"slip-ref\">{reference}"):
        assert text in html, text
    today = clock.today()
    assert f"Sầm Sơn, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}" in html
    # The job, the employer's contact and address, the commitment, the officer.
    for text in ("Thợ hàn điện", "Công ty TNHH Thử Nghiệm", CONTACT["name"], CONTACT["phone"],
                 CONTACT["email"], CONTACT["address"], COMMITMENT, "Ca ngày", "8.000.000",
                 "Phường Sầm Sơn, Thanh Hóa", "Nguyễn Thị Lan", "TS-2026-01"):
        assert text in html, text
    # The QR code: inline SVG, labelled, of exactly the reference (segno's own matrix).
    svg = re.search(r"<svg role=\"img\"[^>]*>.*?</svg>", html, re.S).group(0)
    assert f"<title>Mã QR của số phiếu {reference}</title>" in svg
    assert "<script" not in svg and "style=" not in svg
    assert 'viewBox="0 0 116 116"' in svg  # scalable by the print CSS, never clipped
    expected = segno.make_qr(reference, error="m").svg_inline(scale=4, border=4, svgclass="qr",
                                                            lineclass=None)
    assert re.search(r' d="([^"]+)"', svg).group(1) == re.search(r' d="([^"]+)"', expected).group(1)
    # Nothing about the offence, nor the rest of the profile.
    for text in ("property", "Xâm phạm sở hữu", "Tội phạm", "7.000.000", "welding_smaw"):
        assert text not in html, text


def test_slip_sizes_and_print_css(officer, profile_id):
    referral_id = refer(officer, profile_id)
    a4 = officer.get(f"/referrals/{referral_id}/slip").get_data(as_text=True)
    a5 = officer.get(f"/referrals/{referral_id}/slip?size=a5").get_data(as_text=True)
    assert 'class="slip slip-a4"' in a4 and 'class="slip slip-a5"' in a5
    assert 'href="?size=a5"' in a4 and 'aria-current="page">A5' in a5
    assert 'class="slip slip-a4"' in officer.get(
        f"/referrals/{referral_id}/slip?size=letter").get_data(as_text=True)
    css = officer.get("/static/print.css").get_data(as_text=True)
    assert re.search(r"@page slip-a4 \{ size: A4", css) and re.search(r"@page slip-a5 \{ size: A5", css)


def test_slip_before_referral_is_a_preview_that_records_it(web_app, officer, profile_id):
    job = _job(web_app)
    html = officer.get(f"/profiles/{profile_id}/slip/job/{job}").get_data(as_text=True)
    assert "Bản xem trước" in html and "<svg" not in html and 'id="slip-ref"' not in html
    response = post_form(officer, f"/profiles/{profile_id}/referrals",
                         {"kind": "job", "doc_id": str(job), "then": "slip",
                          "note": "Đã gọi điện cho chị Hoa"},
                         form_path=f"/profiles/{profile_id}/slip/job/{job}")
    assert response.status_code == 302 and re.search(r"/referrals/\d+/slip$", response.location)
    html = officer.get(response.location).get_data(as_text=True)
    assert "Đã ghi nhận giới thiệu, số phiếu 16531-" in html  # the confirmation
    assert 'id="slip-ref"' in html and "Đã gọi điện" not in html  # the note is not printed
    # From then on the slip link of the matches opens the numbered slip.
    again = officer.get(f"/profiles/{profile_id}/slip/job/{job}")
    assert again.status_code == 302 and again.location.startswith(
        response.location.split("?")[0])
    with _engine(web_app).connect() as conn:
        assert conn.execute(select(referral_events.c.note)).scalar() == "Đã gọi điện cho chị Hoa"


def test_a_too_long_note_on_referral_keeps_the_text_and_records_nothing(web_app, officer,
                                                                        profile_id):
    job = _job(web_app)
    note = "x" * (NOTE_MAX + 1)
    response = post_form(officer, f"/profiles/{profile_id}/referrals",
                         {"kind": "job", "doc_id": str(job), "then": "slip", "note": note},
                         form_path=f"/profiles/{profile_id}/slip/job/{job}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="note-error"' in html and note in html
    assert "Tối đa 500 ký tự" in html
    with _engine(web_app).connect() as conn:
        assert conn.execute(select(referrals.c.id)).first() is None


def test_slip_of_other_unit_or_deleted_profile_is_not_found(web_app, officer, other_officer,
                                                           profile_id):
    referral_id = refer(officer, profile_id)
    assert other_officer.get(f"/referrals/{referral_id}/slip").status_code == 404
    post_form(officer, f"/profiles/{profile_id}/delete", {}, form_path=f"/profiles/{profile_id}")
    assert officer.get(f"/referrals/{referral_id}/slip").status_code == 404


def test_slip_views_stay_audited(web_app, officer, profile_id):
    from matcher.models import audit_log
    referral_id = refer(officer, profile_id)
    officer.get(f"/referrals/{referral_id}/slip?size=a5")
    with _engine(web_app).connect() as conn:
        rows = conn.execute(select(audit_log).where(audit_log.c.action == "slip.view")).all()
    assert len(rows) == 1 and rows[0].case_code == "TS-2026-01"
    assert rows[0].target == f"profile:{profile_id}" and f'"referral": {referral_id}' in rows[0].detail


# -- notes and reasons on steps ------------------------------------------------------------

@pytest.mark.parametrize("path,status,reason,note,field,message", [
    (["interviewed"], "not_hired", "", "", "reason", "Hãy chọn một lý do."),
    (["interviewed"], "not_hired", "moved", "", "reason", "Hãy chọn một giá trị trong danh sách."),
    (["interviewed"], "not_hired", "other", "", "note", "Hãy ghi lý do khác"),
    ([], "interviewed", "no_show", "", "reason", "Bước này không cần lý do."),
    (["interviewed"], "hired", "", "y" * (NOTE_MAX + 1), "note", "Tối đa 500 ký tự"),
    (["interviewed", "hired"], "left", "", "Đi làm xa", "reason", "Hãy chọn một lý do."),
])
def test_bad_step_input_is_explained_beside_the_field_and_keeps_values(
        web_app, officer, profile_id, path, status, reason, note, field, message):
    referral_id = refer(officer, profile_id)
    for step in path:
        assert outcome(officer, referral_id, step).status_code == 302
    with _engine(web_app).connect() as conn:
        before = conn.execute(select(referral_events)).all()
    response = outcome(officer, referral_id, status, reason=reason, note=note)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'<p class="error" id="{field}-error" role="alert">(.*?)</p>', html, re.S)
    assert error and message in error.group(1), html[-3000:]
    assert f'aria-describedby="{field}-error"' in html
    assert f'value="{status}" checked' in html  # the choice typed is kept
    if note:
        assert note in html
    if reason in REASONS.get(status, ()):
        assert f'value="{reason}" selected' in html
    with _engine(web_app).connect() as conn:
        assert conn.execute(select(referral_events)).all() == before  # nothing changed


def test_every_step_takes_a_note_and_history_shows_who_why_when(web_app, officer, profile_id):
    referral_id = refer(officer, profile_id)
    assert outcome(officer, referral_id, "interviewed", note="Phỏng vấn tốt").status_code == 302
    html = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "Đã lưu kết quả: Đã phỏng vấn." in html  # the confirmation after saving
    response = outcome(officer, referral_id, "not_hired", reason="record",
                       note="Chủ không nhận vì tiền án")
    assert response.status_code == 302
    html = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>"
                      r"\s*<td class=\"note\">(.*?)</td>", html, re.S)
    assert [r[0] for r in rows] == ["Đã giới thiệu", "Đã phỏng vấn", "Không được tuyển"]
    assert all(r[2] == "lan" for r in rows)
    assert rows[2][3] == "Doanh nghiệp từ chối vì tiền án, tiền sự"
    assert rows[2][4] == "Chủ không nhận vì tiền án" and rows[1][4] == "Phỏng vấn tốt"
    assert rows[1][3] == "—"
    with _engine(web_app).connect() as conn:
        events = conn.execute(select(referral_events).order_by(referral_events.c.id)).all()
    assert [(e.status, e.reason) for e in events] == [
        ("referred", None), ("interviewed", None), ("not_hired", "record")]


def test_left_after_hiring_needs_a_reason(web_app, officer, profile_id):
    referral_id = refer(officer, profile_id)
    outcome(officer, referral_id, "interviewed")
    outcome(officer, referral_id, "hired")
    backdate(web_app, referral_id, 100)
    assert outcome(officer, referral_id, "employed_3m", note="Vẫn làm tốt").status_code == 302
    assert outcome(officer, referral_id, "left", reason="relapse_risk",
                   note="Gặp lại nhóm bạn cũ").status_code == 302
    html = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "Nguy cơ tái phạm" in html and "Lượt giới thiệu này đã kết thúc" in html


def test_step_errors_in_english_too(officer, profile_id):
    referral_id = refer(officer, profile_id)
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      officer.get("/").get_data(as_text=True)).group(1)
    officer.post("/language", data={"lang": "en", "csrf_token": token, "next": "/"})
    response = outcome(officer, referral_id, "not_hired", reason="")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose a reason." in html
    assert "The employer declined because of the criminal record" in html


def test_service_refuses_bad_steps_with_field_errors(web_app, officer, profile_id):
    referral_id = refer(officer, profile_id)
    svc, lan = _officers(web_app).referrals, _lan(web_app)
    with pytest.raises(InvalidDocument) as exc:
        svc.update(lan, referral_id, "not_hired", reason="pay_cut")
    assert exc.value.errors == [{"field": "reason", "messages": ["Choose one of the listed values."]}]
    svc.update(lan, referral_id, "not_hired", reason="distance", note="  Xa 40 km  ")
    event = svc.get(lan, referral_id)["events"][-1]
    assert (event["reason"], event["note"], event["officer"]) == ("distance", "Xa 40 km", "lan")


# -- support measures -------------------------------------------------------------------

def test_suggestion_rules():
    welder = {"skills": ["welding_smaw", "welding_mig"]}
    novice = {"skills": [], "experience": "Chưa đi làm"}
    assert qualifies(welder, []) == {"job_placement", "preferential_loan"}
    assert qualifies(novice, []) == {"job_placement", "preferential_loan", "vocational_training"}
    # In work: no job placement or loan suggested; having left, they are again.
    assert qualifies(welder, [("job", "hired")]) == set()
    assert qualifies(welder, [("job", "left")]) == {"job_placement", "preferential_loan"}
    # A course referral: training and its allowance.
    assert {"vocational_training", "training_allowance"} <= qualifies(welder, [("course", "enrolled")])
    assert "training_allowance" in qualifies(novice, [], {"vocational_training": "applied"})
    assert all("identity_papers" not in qualifies(d, []) for d in (welder, novice))


def test_support_checklist_suggests_records_and_confirms(web_app, officer, profile_id):
    html = officer.get(f"/profiles/{profile_id}/support").get_data(as_text=True)
    assert "Tư vấn, giới thiệu việc làm" in html and "Nghị định 49/2020/NĐ-CP" in html
    assert "Quyết định 22/2023/QĐ-TTg" in html and "Ngân hàng Chính sách xã hội" in html
    items = {i["measure"]: i for i in _officers(web_app).support.checklist(_lan(web_app), profile_id)}
    assert list(items) == list(MEASURES)
    # TS-2026-01 has one recognised skill: training is suggested too.
    assert {m for m, i in items.items() if i["status"] == "suggested"} == {
        "job_placement", "preferential_loan", "vocational_training"}
    day = (clock.today() - dt.timedelta(days=3)).isoformat()
    response = post_form(officer, f"/profiles/{profile_id}/support",
                         {"measure": "preferential_loan", "status": "applied", "on": day,
                          "note": "Hồ sơ vay nộp tại NHCSXH Sầm Sơn"})
    assert response.status_code == 302 and response.location.endswith("#measure-preferential_loan")
    html = officer.get(response.location).get_data(as_text=True)
    assert "Đã lưu: Vay vốn ưu đãi (Ngân hàng Chính sách xã hội) — Đã nộp hồ sơ." in html
    assert "Hồ sơ vay nộp tại NHCSXH Sầm Sơn" in html
    with _engine(web_app).connect() as conn:
        row = conn.execute(select(support_measures)).one()
    assert (row.measure, row.status, row.on.isoformat()) == ("preferential_loan", "applied", day)
    # The next step later: the history keeps both, the newest is the status.
    post_form(officer, f"/profiles/{profile_id}/support",
              {"measure": "preferential_loan", "status": "granted", "on": "", "note": ""})
    with _engine(web_app).connect() as conn:
        rows = conn.execute(select(support_measures).order_by(support_measures.c.id)).all()
    assert [(r.status, r.on) for r in rows] == [("applied", dt.date.fromisoformat(day)),
                                               ("granted", clock.today())]
    [loan] = [i for i in _officers(web_app).support.checklist(_lan(web_app), profile_id)
              if i["measure"] == "preferential_loan"]
    assert loan["status"] == "granted" and [h["officer"] for h in loan["history"]] == ["lan"] * 2
    html = officer.get(f"/profiles/{profile_id}/support").get_data(as_text=True)
    assert html.index("Đã nộp hồ sơ</strong>") < html.index("Được hưởng</strong>")


@pytest.mark.parametrize("form,field,message", [
    ({"status": "refused", "note": ""}, "note", "Hãy ghi lý do bị từ chối."),
    ({"status": "granted", "on": "2999-01-01"}, "on", "Ngày không được ở tương lai."),
    ({"status": "granted", "on": "31/02/2026"}, "on", "Không phải là ngày hợp lệ."),
    ({"status": "maybe"}, "status", "Hãy chọn một giá trị trong danh sách."),
    ({"status": "applied", "note": "z" * (NOTE_MAX + 1)}, "note", "Tối đa 500 ký tự"),
])
def test_bad_support_input_is_explained_and_keeps_values(web_app, officer, profile_id, form,
                                                         field, message):
    measure = "vocational_training"
    response = post_form(officer, f"/profiles/{profile_id}/support", {"measure": measure, **form})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'id="{measure}-{field}-error" role="alert">(.*?)</p>', html, re.S)
    assert error and message in error.group(1)
    if form.get("note"):
        assert form["note"] in html
    if form.get("on"):
        assert f'value="{form["on"]}"' in html
    with _engine(web_app).connect() as conn:
        assert conn.execute(select(support_measures)).first() is None


def test_support_counts_for_the_dashboard(web_app, officer, profile_id):
    second = post_form(officer, "/profiles/new", {**PROFILE_FORM, "case_code": "TS-2",
                                                  "skills": ["welding_smaw", "welding_mig"]})
    second_id = int(re.search(r"/profiles/(\d+)/", second.location).group(1))
    support, lan = _officers(web_app).support, _lan(web_app)
    support.record(lan, profile_id, "preferential_loan", "applied")
    support.record(lan, profile_id, "preferential_loan", "granted")
    support.record(lan, second_id, "identity_papers", "applied")
    counts = support.counts(lan["unit"])
    assert set(counts) == set(MEASURES) and all(set(c) == set(STATUSES) for c in counts.values())
    # Applied, then granted: the case counts under both.
    assert counts["preferential_loan"] == {"suggested": 1, "applied": 1, "granted": 1, "refused": 0}
    assert counts["job_placement"]["suggested"] == 2
    assert counts["vocational_training"]["suggested"] == 1  # only the one-skill case
    assert counts["identity_papers"]["applied"] == 1
    # A date range counts the records dated in it (suggestions are current).
    past = support.counts(lan["unit"], end=clock.today() - dt.timedelta(days=1))
    assert past["preferential_loan"]["granted"] == 0
    # Hired: no more placement or loan suggested for that case.
    referral_id = refer(officer, second_id)
    outcome(officer, referral_id, "interviewed")
    outcome(officer, referral_id, "hired")
    assert support.counts(lan["unit"])["job_placement"]["suggested"] == 1
    assert support.counts("00000")["job_placement"]["suggested"] == 0  # by unit
    both = support.counts([lan["unit"], "00000"])  # a roll-up over several units
    assert both == support.counts(lan["unit"])


def test_support_is_per_unit_audited_and_erased_with_the_profile(web_app, officer,
                                                                 other_officer, profile_id):
    from matcher.models import audit_log
    assert other_officer.get(f"/profiles/{profile_id}/support").status_code == 404
    response = post_form(other_officer, f"/profiles/{profile_id}/support",
                         {"measure": "job_placement", "status": "applied"}, form_path="/")
    assert response.status_code == 404
    post_form(officer, f"/profiles/{profile_id}/support",
              {"measure": "job_placement", "status": "applied"})
    with _engine(web_app).connect() as conn:
        row = conn.execute(select(audit_log).where(audit_log.c.action == "support.update")).one()
    assert row.case_code == "TS-2026-01" and '"measure": "job_placement"' in row.detail
    post_form(officer, f"/profiles/{profile_id}/delete", {}, form_path=f"/profiles/{profile_id}")
    with _engine(web_app).connect() as conn:
        assert conn.execute(select(support_measures)).first() is None


# -- confirmations ------------------------------------------------------------------------

def test_saving_a_profile_confirms(officer, profile_id):
    html = officer.get(f"/profiles/{profile_id}/matches").get_data(as_text=True)
    assert '<p class="notice" role="status">Đã lưu hồ sơ TS-2026-01.</p>' in html
    response = post_form(officer, f"/profiles/{profile_id}/edit", PROFILE_FORM,
                         form_path=f"/profiles/{profile_id}/edit")
    html = officer.get(response.location).get_data(as_text=True)
    assert "Đã lưu hồ sơ TS-2026-01." in html


def test_the_persons_export_has_notes_reasons_and_support(officer, profile_id):
    referral_id = refer(officer, profile_id)
    outcome(officer, referral_id, "not_hired", reason="distance", note="Xa quá")
    post_form(officer, f"/profiles/{profile_id}/support",
              {"measure": "job_placement", "status": "applied", "note": "Đã đăng ký"})
    data = officer.get(f"/profiles/{profile_id}/export").get_json()
    [ref] = data["referrals"]
    assert ref["reference"].startswith("16531-")
    assert ref["events"][-1] == {"status": "not_hired", "on": clock.today().isoformat(),
                                 "reason": "distance", "note": "Xa quá"}
    assert data["support_measures"] == [{"measure": "job_placement", "status": "applied",
                                         "on": clock.today().isoformat(), "note": "Đã đăng ký"}]


def test_casework_pages_have_no_inline_script_or_style(web_app, officer, profile_id):
    from test_security import INLINE
    referral_id = refer(officer, profile_id)
    bad = outcome(officer, referral_id, "not_hired", reason="")
    pages = [officer.get(p).get_data(as_text=True) for p in (
        f"/referrals/{referral_id}/slip", f"/referrals/{referral_id}/slip?size=a5",
        f"/profiles/{profile_id}/support",
        f"/profiles/{profile_id}/slip/job/{_job(web_app, 'J-mig')}")]
    for html in pages + [bad.get_data(as_text=True)]:
        for pattern in INLINE:
            assert not pattern.search(html), pattern.pattern


def test_place_line_names_each_part_once():
    from matcher.web.referrals import place_line
    assert place_line({"address": "Số 27 đường Lê Lợi, phường Sầm Sơn", "ward": "Phường Sầm Sơn",
                       "province": "Thanh Hóa"}) == "Số 27 đường Lê Lợi, phường Sầm Sơn, Thanh Hóa"
    assert place_line({"ward": "Phường Sầm Sơn", "province": "Thanh Hóa"}) == \
        "Phường Sầm Sơn, Thanh Hóa"
    assert place_line(None) == "—"


def test_course_slip_and_dropping_out_with_a_reason(web_app, officer, profile_id):
    course = web_app.extensions["vungbuoc"].store.find_document("courses", "cty-test", "C-1")["id"]
    referral_id = refer(officer, profile_id, "course", course)
    html = officer.get(f"/referrals/{referral_id}/slip").get_data(as_text=True)
    for text in ("Hàn MIG cơ bản", "Khóa học", "8 tuần", "miễn phí", "Cơ sở đào tạo",
                 "Xác nhận của cơ sở đào tạo"):
        assert text in html, text
    assert "Lương" not in html  # a course has no pay
    assert outcome(officer, referral_id, "enrolled").status_code == 302
    response = outcome(officer, referral_id, "dropped", reason="")
    assert response.status_code == 422 and "Hãy chọn một lý do." in response.get_data(as_text=True)
    assert outcome(officer, referral_id, "dropped", reason="work",
                   note="Được nhận vào xưởng hàn").status_code == 302
    html = officer.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "Đã tìm được việc làm" in html and "Được nhận vào xưởng hàn" in html


def test_letterhead_issuer_is_a_setting(web_app, officer, profile_id):
    referral_id = refer(officer, profile_id)
    web_app.config["SLIP_ISSUER"] = "Công an"
    html = officer.get(f"/referrals/{referral_id}/slip").get_data(as_text=True)
    assert "CÔNG AN<br>PHƯỜNG SẦM SƠN" in html


def test_reason_counts_for_the_dashboard(web_app, officer, profile_id):
    svc, lan = _officers(web_app).referrals, _lan(web_app)
    for reason in ("record", "record", "pay"):
        referral_id = refer(officer, profile_id)
        outcome(officer, referral_id, "not_hired", reason=reason)
    counts = svc.reason_counts(lan["unit"])
    assert counts["not_hired"]["record"] == 2 and counts["not_hired"]["pay"] == 1
    assert set(counts) == set(REASONS) and sum(counts["left"].values()) == 0
    assert sum(svc.reason_counts(lan["unit"], end=clock.today() - dt.timedelta(days=1))
               ["not_hired"].values()) == 0
    assert sum(svc.reason_counts("00000")["not_hired"].values()) == 0
