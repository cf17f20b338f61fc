"""Issue #14 on the officer's pages: values kept on errors, skills shown as recognised,
several offence categories and the expunged flag, what the filters hid, fair chance,
the occupation picker."""
import re

from sqlalchemy import select

from matcher.models import profiles

from web_helpers import PROFILE_FORM, post_form


def _profile_id(response):
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/profiles/(\d+)/", response.location).group(1))


def test_a_typed_skill_survives_an_error_elsewhere_on_the_form(officer):
    """Bug: the skill typed in "Thêm kỹ năng" was dropped when another field was wrong,
    so the corrected form then failed with "Hãy nhập ít nhất một kỹ năng"."""
    form = {**PROFILE_FORM, "skills": [], "skill_add": "tho han", "max_commute_km": "xa lắm"}
    first = post_form(officer, "/profiles/new", form)
    assert first.status_code == 422
    html = first.get_data(as_text=True)
    # Resubmit what the page now holds, with the one wrong field corrected.
    kept = re.search(r'<input id="skill_add" name="skill_add"[^>]*value="([^"]*)"', html) or \
        re.search(r'<input[^>]*name="skills"[^>]*value="([^"]*)"[^>]*checked', html)
    assert kept, "the typed skill is not on the re-rendered form"
    again = {**form, "max_commute_km": "25", "skill_add": "", "skills": []}
    for name, value in re.findall(r'<input[^>]*name="(skill_add|skills_other)"[^>]*value="([^"]+)"',
                                  html):
        again[name] = value
    again["skills"] = re.findall(r'<input type="checkbox" name="skills" value="([^"]+)" checked',
                                 html)
    second = post_form(officer, "/profiles/new", again)
    assert second.status_code == 302, "ít nhất một kỹ năng" in second.get_data(as_text=True)


def test_the_profile_page_shows_recognised_skills_by_their_labels(officer):
    profile_id = _profile_id(post_form(officer, "/profiles/new", {
        **PROFILE_FORM, "skills": [], "skill_add": "tho han"}))
    html = officer.get(f"/profiles/{profile_id}").get_data(as_text=True)
    skills = re.search(r"<dt>Kỹ năng</dt><dd>(.*?)</dd>", html, re.S).group(1)
    assert "Hàn hồ quang tay (hàn que)" in skills and "tho han" not in skills


def _stored(web_app, profile_id):
    with web_app.extensions["vungbuoc"].store.engine.connect() as conn:
        return conn.execute(select(profiles).where(profiles.c.id == profile_id)).first()


def test_occupations_are_picked_by_name_and_stored_as_codes(web_app, officer):
    html = officer.get("/profiles/new").get_data(as_text=True)
    assert '<label for="occupation_add">' in html and 'list="occupation-options"' in html
    assert 'value="Thợ hàn và cắt kim loại" label="tho han va cat kim loai · Welders' in html
    profile_id = _profile_id(post_form(officer, "/profiles/new", {
        **PROFILE_FORM, "occupation_add": "tho han"}))
    assert _stored(web_app, profile_id).data["desired_occupations"] == ["7212"]
    edit = officer.get(f"/profiles/{profile_id}/edit").get_data(as_text=True)
    assert re.search(r'name="desired_occupations" value="7212" checked> Thợ hàn và cắt kim loại',
                     edit)
    assert "7212" not in re.sub(r'value="7212"', "", edit)  # codes stay internal
    page = officer.get(f"/profiles/{profile_id}").get_data(as_text=True)
    assert "Thợ hàn và cắt kim loại" in page


def test_without_javascript_a_search_shows_the_occupations_to_choose(web_app, officer):
    found = post_form(officer, "/profiles/new", {**PROFILE_FORM, "occupation_add": "cook",
                                                 "find_occupation": "1"})
    assert found.status_code == 200
    html = found.get_data(as_text=True)
    choices = re.findall(r'<input type="checkbox" name="desired_occupations" value="(\d+)"> ', html)
    assert "5120" in choices and len(choices) >= 2
    # Saving with the name still ambiguous is refused beside the field, values kept.
    refused = post_form(officer, "/profiles/new", {**PROFILE_FORM, "occupation_add": "cook"})
    assert refused.status_code == 422
    assert 'id="occupation_add-error"' in refused.get_data(as_text=True)
    assert 'value="cook"' in refused.get_data(as_text=True)
    # Ticking one of the choices saves it.
    profile_id = _profile_id(post_form(officer, "/profiles/new", {
        **PROFILE_FORM, "occupation_add": "cook", "desired_occupations": ["5120"]}))
    assert _stored(web_app, profile_id).data["desired_occupations"] == ["5120"]
    # In English, the same search, English names.
    post_form(officer, "/language", {"lang": "en", "next": "/profiles/new"}, "/profiles/new")
    html = post_form(officer, "/profiles/new", {**PROFILE_FORM, "occupation_add": "dau bep",
                                                "find_occupation": "1"}).get_data(as_text=True)
    assert re.search(r'name="desired_occupations" value="5120" checked> Cooks', html)


def _add(web_app, partners=(), jobs=()):
    svc = web_app.extensions["vungbuoc"]
    if partners:
        svc.save("partners", list(partners))
    _, errors = svc.save("jobs", list(jobs))
    assert not errors
    svc.sync()


def test_the_matches_page_says_what_was_hidden_and_why(web_app, officer):
    from factories import make_posting
    _add(web_app, jobs=[
        make_posting(external_id="J-car", title="Lái xe giao hàng kiêm thợ hàn",
                     licences_required=["car_b"]),
        make_posting(external_id="J-car2", title="Thợ hàn lưu động", licences_required=["car_b"]),
        make_posting(external_id="J-edu", title="Tổ trưởng tổ hàn",
                     min_education="upper_secondary"),
        make_posting(external_id="J-theft", title="Thợ hàn kho hàng",
                     excluded_offences=["property"])])
    profile_id = _profile_id(post_form(officer, "/profiles/new", {
        **PROFILE_FORM, "education": "lower_secondary", "offence_categories": ["property"]}))
    html = officer.get(f"/profiles/{profile_id}/matches").get_data(as_text=True)
    shown = re.findall(r'<li class="card" id="job-\d+">\s*<h3>([^<]+)</h3>', html)
    assert "Thợ hàn điện" in shown
    assert not {"Lái xe giao hàng kiêm thợ hàn", "Tổ trưởng tổ hàn", "Thợ hàn kho hàng"} & set(shown)
    reasons = re.search(r'<ul id="hidden-reasons">(.*?)</ul>', html, re.S).group(1)
    assert "1 việc loại trừ nhóm tội danh của người này" in reasons
    assert "2 việc cần bằng/chứng chỉ người này chưa có" in reasons
    assert "1 việc yêu cầu trình độ học vấn cao hơn" in reasons
    assert "2 việc cần Bằng lái ô tô hạng B" in html  # what one licence would open
    assert 'id="hidden-list"' not in html and 'id="show-hidden"' in html
    listed = officer.get(f"/profiles/{profile_id}/matches?why_not=1").get_data(as_text=True)
    card = re.search(r'<li class="card" id="hidden-job-\d+">\s*<h4>Tổ trưởng tổ hàn</h4>(.*?)</li>\s*</ul>',
                     listed, re.S).group(1)
    assert "Yêu cầu tối thiểu: Trung học phổ thông" in card
    assert "Cần: Bằng lái ô tô hạng B" in listed
    # In English too.
    post_form(officer, "/language", {"lang": "en", "next": "/"}, "/")
    english = officer.get(f"/profiles/{profile_id}/matches?why_not=1").get_data(as_text=True)
    assert "2 jobs need Car licence B" in english and "Needs: Car licence B" in english
    assert "1 job asks for more education" in english


def test_an_expunged_conviction_lifts_the_offence_exclusions(web_app, officer):
    from factories import make_posting
    _add(web_app, jobs=[make_posting(external_id="J-theft", title="Thợ hàn kho hàng",
                                     excluded_offences=["property", "drug"])])
    excluded = _profile_id(post_form(officer, "/profiles/new", {
        **PROFILE_FORM, "case_code": "E-1", "offence_categories": ["drug", "traffic"]}))
    expunged = _profile_id(post_form(officer, "/profiles/new", {
        **PROFILE_FORM, "case_code": "E-2", "offence_categories": ["drug"], "expunged": "y"}))
    assert "Thợ hàn kho hàng" not in officer.get(
        f"/profiles/{excluded}/matches").get_data(as_text=True).split('id="hidden"')[0]
    assert "Thợ hàn kho hàng" in officer.get(f"/profiles/{expunged}/matches").get_data(as_text=True)


def test_fair_chance_commitments_are_shown_and_filter(web_app, officer, profile_id):
    from factories import make_partner, make_posting
    _add(web_app, partners=[make_partner(id="cty-fair", name="Xưởng Cơ Hội",
                                         fair_chance_commitments=["Nhận người đã chấp hành xong án",
                                                                  "Kèm cặp 3 tháng đầu"])],
         jobs=[make_posting(partner_id="cty-fair", external_id="J-fair", title="Thợ hàn cơ hội")])
    html = officer.get(f"/profiles/{profile_id}/matches").get_data(as_text=True)
    card = re.search(r'<li class="card" id="job-\d+">\s*<h3>Thợ hàn cơ hội</h3>(.*?)</li>\s*</ol>|'
                     r'<li class="card" id="job-\d+">\s*<h3>Thợ hàn cơ hội</h3>(.*?)<div class="actions">',
                     html, re.S)
    assert "Cam kết cơ hội công bằng" in card.group(0)
    assert "Kèm cặp 3 tháng đầu" in card.group(0)
    only = officer.get(f"/profiles/{profile_id}/matches?fair_chance=1").get_data(as_text=True)
    shown = re.findall(r'<li class="card" id="job-\d+">\s*<h3>([^<]+)</h3>', only)
    assert shown == ["Thợ hàn cơ hội"]
    assert 'id="fair_chance" name="fair_chance" value="1" checked' in only
    assert "việc của doanh nghiệp chưa có cam kết cơ hội công bằng" in only


def test_the_edit_form_ticks_skills_that_were_typed(officer):
    profile_id = _profile_id(post_form(officer, "/profiles/new", {
        **PROFILE_FORM, "skills": [], "skill_add": "tho han", "skills_other": "nghề lạ"}))
    edit = officer.get(f"/profiles/{profile_id}/edit").get_data(as_text=True)
    assert 'name="skills" value="welding_smaw" checked' in edit
    other = re.search(r'<textarea id="skills_other"[^>]*>([^<]*)</textarea>', edit).group(1)
    assert other.strip() == "nghề lạ"
