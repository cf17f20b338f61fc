"""Profiles: validation beside the fields, unit scoping, deletion, matches, languages."""
import re

import pytest
from sqlalchemy import select

from matcher.models import profiles, referrals

from web_helpers import PROFILE_FORM, csrf_token, post_form


def stored(web_app, profile_id):
    with web_app.extensions["vungbuoc"].store.engine.connect() as conn:
        return conn.execute(select(profiles).where(profiles.c.id == profile_id)).first()


def test_form_is_vietnamese_with_labelled_fields(officer):
    html = officer.get("/profiles/new").get_data(as_text=True)
    # The wards of the officer's province (Thanh Hóa: 166 since 2025-07-01), no districts.
    assert '<html lang="vi">' in html and "Mã hồ sơ" in html and "Phường Sầm Sơn" in html
    assert '<option value="38" selected>Thanh Hóa</option>' in html
    assert len(re.findall(r'<option value="(?:Phường|Xã|Đặc khu) ', html)) == 166
    assert 'name="district"' not in html and "Phường Trường Sơn" not in html
    for field in ("case_code", "skill_add", "experience", "province_code", "ward",
                  "max_commute_km", "min_monthly_pay_vnd", "occupation_add"):
        assert f'<label for="{field}">' in html
    assert 'list="skill-options"' in html and "Hàn hồ quang tay (hàn que)" in html


def test_invalid_form_shows_messages_beside_fields_and_keeps_values(officer):
    response = post_form(officer, "/profiles/new", {
        "case_code": "Nguyễn Văn A", "experience": "  ", "max_commute_km": "xa lắm",
        "min_monthly_pay_vnd": "-5", "province_code": "38", "ward": "Phường Không Có",
        "desired_occupations": "thợ hàn"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = dict(re.findall(r'<p class="error" id="([a-z_]+)-error" role="alert">([^<]*)</p>',
                             html))
    assert "không dùng họ tên" in errors["case_code"]
    assert errors["max_commute_km"].strip() == "Không phải là số hợp lệ."
    assert "Phải trong khoảng" in errors["min_monthly_pay_vnd"]
    assert errors["ward"].strip() == "Địa danh không thuộc khu vực đã chọn."
    assert "mã nghề" in errors["desired_occupations"]
    assert 'value="Nguyễn Văn A"' in html and 'value="xa lắm"' in html
    assert '<option value="38" selected>Thanh Hóa</option>' in html
    assert 'value="Phường Không Có"' in html


def test_a_skill_or_experience_is_required(officer):
    data = {k: v for k, v in PROFILE_FORM.items() if k != "skills"}
    html = post_form(officer, "/profiles/new", data).get_data(as_text=True)
    assert 'id="skills-error"' in html and "ít nhất một kỹ năng" in html


def test_create_stores_profile_in_unit_with_ward_coordinates(web_app, officer, profile_id):
    row = stored(web_app, profile_id)
    assert row.unit == "16531"  # Phường Sầm Sơn, by its official code
    assert row.case_code == "TS-2026-01"
    assert row.data["location"]["ward_code"] == "16531"
    assert (row.data["location"]["lat"], row.data["location"]["lon"]) == (19.7551, 105.889)
    assert row.data["min_monthly_pay_vnd"] == 7_000_000


def test_explicit_coordinates_win(web_app, officer):
    response = post_form(officer, "/profiles/new", {**PROFILE_FORM, "case_code": "TS-2",
                                                    "lat": "19.8", "lon": "105.77"})
    profile_id = int(re.search(r"/profiles/(\d+)/", response.location).group(1))
    assert stored(web_app, profile_id).data["location"]["lat"] == 19.8


def test_duplicate_case_code_in_unit_is_refused(officer, profile_id):
    response = post_form(officer, "/profiles/new", PROFILE_FORM)
    assert response.status_code == 422
    assert "đã được dùng trong đơn vị" in response.get_data(as_text=True)


def test_skills_typed_without_accents_resolve(web_app, officer):
    response = post_form(officer, "/profiles/new", {**PROFILE_FORM, "case_code": "TS-3",
                                                    "skills": [], "skill_add": "tho han",
                                                    "skills_learned_in_detention": "may công nghiệp"})
    profile_id = int(re.search(r"/profiles/(\d+)/", response.location).group(1))
    html = officer.get(f"/profiles/{profile_id}/matches").get_data(as_text=True)
    assert "Hàn hồ quang tay (hàn que)" in html


@pytest.mark.parametrize("method,path", [
    ("get", "/profiles/{id}"), ("get", "/profiles/{id}/edit"), ("get", "/profiles/{id}/matches"),
    ("get", "/profiles/{id}/slip/job/1"), ("post", "/profiles/{id}/delete"),
    ("post", "/profiles/{id}/edit"), ("post", "/profiles/{id}/referrals")])
def test_officer_of_another_unit_gets_404(web_app, other_officer, profile_id, method, path):
    url = path.format(id=profile_id)
    if method == "get":
        response = other_officer.get(url)
    else:
        response = post_form(other_officer, url, {**PROFILE_FORM, "kind": "job", "doc_id": "1"},
                             form_path="/")
    assert response.status_code == 404
    assert "thuộc đơn vị khác" in response.get_data(as_text=True)
    assert stored(web_app, profile_id) is not None


def test_profile_list_shows_only_own_unit(officer, other_officer, profile_id):
    assert "TS-2026-01" in officer.get("/").get_data(as_text=True)
    assert "TS-2026-01" not in other_officer.get("/").get_data(as_text=True)


def test_edit_keeps_and_changes_values(web_app, officer, profile_id):
    html = officer.get(f"/profiles/{profile_id}/edit").get_data(as_text=True)
    assert 'value="TS-2026-01"' in html and 'value="welding_smaw" checked' in html
    assert 'value="7000000"' in html
    response = post_form(officer, f"/profiles/{profile_id}/edit",
                         {**PROFILE_FORM, "max_commute_km": "40"})
    assert response.status_code == 302
    assert stored(web_app, profile_id).data["max_commute_km"] == 40


def test_delete_removes_personal_data_keeps_anonymous_outcome(web_app, officer, profile_id):
    post_form(officer, f"/profiles/{profile_id}/referrals", {"kind": "job", "doc_id": "1"},
              form_path=f"/profiles/{profile_id}")
    assert post_form(officer, f"/profiles/{profile_id}/delete", {},
                     form_path=f"/profiles/{profile_id}").status_code == 302
    assert stored(web_app, profile_id) is None
    with web_app.extensions["vungbuoc"].store.engine.connect() as conn:
        ref = conn.execute(select(referrals)).one()
    assert ref.profile_id is None and ref.case_code is None and ref.status == "referred"
    assert officer.get(f"/profiles/{profile_id}").status_code == 404


def test_matches_show_reasons_and_courses(officer, profile_id):
    html = officer.get(f"/profiles/{profile_id}/matches").get_data(as_text=True)
    assert "Thợ hàn điện" in html and "Thợ hàn MIG" in html
    assert "Kỹ năng còn thiếu" in html and "Hàn MIG/MAG" in html
    assert "Khóa học cho kỹ năng còn thiếu" in html and "Hàn MIG cơ bản" in html
    assert "8.000.000" in html and "₫" in html  # VND in Vietnamese format
    assert re.search(r"\d+,\d km", html) or re.search(r"\d km", html)


def test_result_filters(officer):
    response = post_form(officer, "/profiles/new", {**PROFILE_FORM, "max_commute_km": "100"})
    profile_id = int(re.search(r"/profiles/(\d+)/", response.location).group(1))
    html = officer.get(f"/profiles/{profile_id}/matches?employment_type=seasonal"
                       ).get_data(as_text=True)
    assert "Thợ hàn ở xa" in html and "Thợ hàn MIG" not in html
    html = officer.get(f"/profiles/{profile_id}/matches?max_km=5").get_data(as_text=True)
    assert "Thợ hàn ở xa" not in html and "Thợ hàn MIG" in html


def test_english_switch_changes_labels_and_formats(officer, profile_id):
    token = csrf_token(officer, "/")
    response = officer.post("/language", data={"lang": "en", "csrf_token": token,
                                               "next": f"/profiles/{profile_id}/matches"})
    assert response.location == f"/profiles/{profile_id}/matches"
    html = officer.get(response.location).get_data(as_text=True)
    assert '<html lang="en">' in html and "Skills missing" in html and "₫8,000,000" in html
    assert "Manual metal arc welding" in html


def test_slip_is_printable(officer, profile_id):
    html = officer.get(f"/profiles/{profile_id}/slip/job/1").get_data(as_text=True)
    assert "Phiếu giới thiệu" in html and "TS-2026-01" in html and "Thợ hàn điện" in html
    assert 'media="print"' in html and "Công ty TNHH Thử Nghiệm" in html


def test_suggestions_are_diacritic_insensitive_in_both_languages(officer):
    hits = officer.get("/skills/suggest?q=han%20que").get_json()
    assert hits[0]["id"] == "welding_smaw" and hits[0]["label"] == "Hàn hồ quang tay (hàn que)"
    assert any(h["id"] == "welding_mig" for h in officer.get("/skills/suggest?q=weld").get_json())


def test_unknown_page_is_an_html_404_but_api_keeps_problem_json(officer):
    response = officer.get("/no-such-page")
    assert response.status_code == 404 and "text/html" in response.content_type
    response = officer.get("/api/v1/nothing")
    assert response.mimetype == "application/problem+json"
