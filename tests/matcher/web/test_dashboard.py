"""The dashboard (date range, funnel, exports, roll-ups) and the follow-ups page."""
import csv
import datetime as dt
import io
import re

from sqlalchemy import select, update

from matcher.models import audit_log, match_runs, referrals

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
