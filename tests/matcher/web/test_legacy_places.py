"""Old addresses from partners and API clients: converted with a warning, never rejected
for being old; an address that cannot be placed is a field error. And the "done" story:
an officer of Phường Sầm Sơn matches a returnee against postings sent with old addresses."""
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import main as indexer_cli
from matcher.cli import main as matcher_cli

from factories import SAM_SON_LEGACY, make_partner, make_posting, match_client

BASE = "/api/v1/partner"
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "jobs-legacy-addresses.jsonl"


@pytest.fixture
def key(app):
    app.extensions["vungbuoc"].save("partners", [make_partner()])
    return {"Authorization": "Bearer " + app.extensions["vungbuoc_partners"].keys.issue(
        "cty-test")}


def body(**overrides):
    out = make_posting(**overrides)
    out.pop("partner_id")
    return out


def test_api_converts_an_old_address_with_a_warning(client, key):
    response = client.post(f"{BASE}/jobs", json=body(location={
        **SAM_SON_LEGACY, "address": "Số 12 đường Hồ Xuân Hương"}), headers=key)
    assert response.status_code == 201, response.get_json()
    doc = response.get_json()
    assert doc["location"]["ward"] == "Phường Sầm Sơn"
    assert doc["location"]["ward_code"] == "16531" and doc["location"]["province_code"] == "38"
    assert "district" not in doc["location"]
    assert doc["location"]["address"] == ("Số 12 đường Hồ Xuân Hương (địa chỉ trước "
                                          "01/07/2025: Phường Trường Sơn, Thành phố Sầm Sơn, "
                                          "Thanh Hóa)")
    assert doc["warnings"] == [{"field": "location", "message": (
        "Converted to the units in force since 2025-07-01: 'Phường Trường Sơn, Thành phố "
        "Sầm Sơn, Thanh Hóa' is now Phường Sầm Sơn, Thanh Hóa (16531).")}]
    # Stored without the warning; reading it back says nothing more.
    again = client.get(f"{BASE}/jobs/J-1", headers=key).get_json()
    assert "warnings" not in again and again["location"] == doc["location"]
    # Sending the stored form back changes nothing and warns of nothing.
    put = client.put(f"{BASE}/jobs/J-1", json=body(location=doc["location"]), headers=key)
    assert put.status_code == 200 and "warnings" not in put.get_json()
    assert put.get_json()["version"] == doc["version"]


def test_api_patch_with_new_names_replaces_the_codes(client, key):
    client.post(f"{BASE}/jobs", json=body(), headers=key)
    doc = client.patch(f"{BASE}/jobs/J-1", json={"location": {"ward": "Phường Hạc Thành"}},
                       headers=key).get_json()
    assert (doc["location"]["ward"], doc["location"]["ward_code"]) == ("Phường Hạc Thành",
                                                                       "14797")


def test_api_bulk_reports_warnings_per_item(client, key):
    response = client.post(f"{BASE}/jobs/bulk", json={"items": [
        body(), body(external_id="J-2", location=SAM_SON_LEGACY),
        body(external_id="J-3", location={"province": "Thanh Hóa", "ward": "Phường Không Có"})]},
        headers=key)
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["inserted", "inserted", "error"]
    assert "warnings" not in results[0]
    assert results[1]["warnings"][0]["field"] == "location"
    assert results[2]["errors"][0]["field"] == "location.ward"
    assert "Not a commune or ward of Thanh Hóa" in results[2]["errors"][0]["messages"][0]


@pytest.mark.parametrize("location,field", [
    ({"province": "Thanh Hóa", "district": "Huyện Không Có", "ward": "Xã A"}, "location.district"),
    ({"province": "Atlantis"}, "location.province"),
    ({"province": "Thanh Hóa", "ward": "Phường Bắc Sơn"}, "location.ward"),  # two old ones
    ({"ward_code": "12"}, "location.ward_code"),
    ({"ward": "Phường Sầm Sơn"}, "location.province"),
])
def test_api_address_that_cannot_be_placed_is_a_field_error(client, key, location, field):
    response = client.post(f"{BASE}/jobs", json=body(location=location), headers=key)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in [e["field"] for e in response.get_json()["errors"]]


def test_match_api_converts_an_old_profile_location(app):
    app.extensions["vungbuoc"].save("partners", [make_partner()])
    app.extensions["vungbuoc"].save("jobs", [make_posting()])
    app.extensions["vungbuoc"].sync()
    response = match_client(app).post("/api/v1/matches", json={"profile": {
        "skills": ["hàn que"], "max_commute_km": 10,
        "location": {"province": "Thanh Hoa", "district": "Sam Son", "ward": "Truong Son"}}})
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert result["warnings"][0]["field"] == "profile.location"
    assert "Phường Sầm Sơn" in result["warnings"][0]["message"]
    assert [j["location"]["ward_code"] for j in result["jobs"]] == ["16531"]


def test_feed_with_old_addresses_loads_with_the_conversions_reported(settings, monkeypatch):
    monkeypatch.setenv("VUNGBUOC_DATA_DIR", settings["DATA_DIR"])
    runner = CliRunner()
    assert runner.invoke(indexer_cli, ["load", "--samples"]).exit_code == 0
    result = runner.invoke(indexer_cli, ["load", str(EXAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["summary"]["inserted"] == 4 and report["summary"]["converted"] == 4
    assert [c["where"] for c in report["conversions"]] == [f"line {i}" for i in (1, 2, 3, 4)]
    text = runner.invoke(indexer_cli, ["load", str(EXAMPLE)]).output
    assert "converted" in text and "unchanged 4" in text  # a reload converts alike


def test_officer_of_phuong_sam_son_finds_the_ward_and_matches_old_postings(
        settings, monkeypatch):
    """Done when: the officer is created, finds the ward in the lists, and matches a
    returnee against postings that partners sent with old addresses."""
    from matcher import create_app
    from web_helpers import PASSWORD, PROFILE_FORM, login, post_form
    monkeypatch.setenv("VUNGBUOC_DATA_DIR", settings["DATA_DIR"])
    runner = CliRunner()
    assert runner.invoke(indexer_cli, ["load", "--samples"]).exit_code == 0
    assert runner.invoke(indexer_cli, ["load", str(EXAMPLE)]).exit_code == 0
    created = runner.invoke(matcher_cli, ["users", "create", "thu", "--unit",
                                          "Thanh Hoa / Phuong Sam Son", "--password-stdin"],
                            input=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    assert "Phường Sầm Sơn, Thanh Hóa, code 16531" in created.output
    listed = runner.invoke(matcher_cli, ["places", "sam son", "--province", "Thanh Hóa"])
    assert listed.output.splitlines()[0] == "16531\tPhường Sầm Sơn\tThanh Hóa"
    app = create_app({**settings, "TESTING": True})
    client = app.test_client()
    assert login(client, "thu").status_code == 302
    form = client.get("/profiles/new").get_data(as_text=True)
    assert '<option value="38" selected>Thanh Hóa</option>' in form
    assert '<option value="Phường Sầm Sơn" label="phuong sam son">' in form
    found = client.get("/places/wards?province=38&q=sam son").get_json()
    assert [w["code"] for w in found] == ["16531", "16516"]
    response = post_form(client, "/profiles/new", {
        "case_code": "SS-2026-01", "skills": ["housekeeping"], "province_code": "38",
        "ward": "sam son", "max_commute_km": "10",
        **{k: v for k, v in PROFILE_FORM.items() if k.startswith("consent_")}})
    assert response.status_code == 302, response.get_data(as_text=True)
    html = client.get(response.location).get_data(as_text=True)
    assert "Nhân viên buồng phòng (mùa hè)" in html  # LEGACY-2024-01, sent as Phường Trường Sơn
    assert re.search(r"Phường Sầm Sơn, Thanh Hóa", html)
    app.extensions["vungbuoc"].close()


def test_cli_unit_from_an_old_name_is_converted_with_a_warning(settings, monkeypatch):
    monkeypatch.setenv("VUNGBUOC_DATA_DIR", settings["DATA_DIR"])
    result = CliRunner().invoke(matcher_cli, [
        "users", "create", "lan", "--unit", "Thanh Hóa / Thành phố Sầm Sơn / Phường Trường Sơn",
        "--password-stdin"], input="correct horse battery\n")
    assert result.exit_code == 0, result.output
    assert "warning: unit: Converted" in result.output and "code 16531" in result.output
    bad = CliRunner().invoke(matcher_cli, ["users", "create", "x", "--unit", "Thanh Hóa / Sam Sn",
                                           "--password-stdin"], input="correct horse battery\n")
    assert bad.exit_code == 1 and "error: unit:" in bad.output
