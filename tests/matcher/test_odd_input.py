"""Odd but well-formed input (issue #10, observation 6): field-level 422s, never a 500,
and a bulk request applies every valid item beside the odd one."""
import json

import pytest

from factories import make_partner, make_posting, match_client

BASE = "/api/v1/partner"
DEEP = "[" * 5000 + "]" * 5000
HUGE = "9" * 5000
ODD = {  # raw JSON text of a value, and the field the error names
    "surrogate": ('"Th\\ud800 h\\u00e0n"', "title"),
    "deep": (DEEP, "title"),
    "huge": (HUGE, "pay_min_vnd"),
}


def job_text(odd, external_id="O-1"):
    """A job body as JSON text with one odd value in the field ``ODD`` names."""
    raw, field = ODD[odd]
    body = make_posting(external_id=external_id)
    body.pop("partner_id")
    body[field] = "__ODD__"
    return json.dumps(body, ensure_ascii=False).replace('"__ODD__"', raw)


@pytest.fixture
def headers(app):
    app.extensions["vungbuoc"].save("partners", [make_partner()])
    key = app.extensions["vungbuoc_partners"].keys.issue("cty-test")
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


def fields_of(response, status=422):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return [e["field"] for e in response.get_json()["errors"]]


@pytest.mark.parametrize("odd", sorted(ODD))
def test_create_and_replace_answer_field_level_errors(client, headers, odd):
    field = ODD[odd][1]
    assert field in fields_of(client.post(f"{BASE}/jobs", data=job_text(odd), headers=headers))
    assert field in fields_of(client.put(f"{BASE}/jobs/O-1", data=job_text(odd),
                                         headers=headers))
    assert client.get(f"{BASE}/jobs", headers=headers).get_json()["items"] == []


@pytest.mark.parametrize("odd", sorted(ODD))
def test_patch_answers_field_level_errors(client, headers, odd):
    body = make_posting(external_id="P-1")
    body.pop("partner_id")
    assert client.post(f"{BASE}/jobs", json=body, headers=headers).status_code == 201
    raw, field = ODD[odd]
    patch = f'{{"{field}": {raw}}}'
    assert field in fields_of(client.patch(f"{BASE}/jobs/P-1", data=patch, headers=headers))
    assert client.get(f"{BASE}/jobs/P-1", headers=headers).get_json()["version"] == 1


@pytest.mark.parametrize("odd", sorted(ODD))
def test_bulk_applies_every_valid_item_beside_an_odd_one(client, headers, odd):
    good = [json.dumps({**make_posting(external_id=f"G-{i}")}, ensure_ascii=False)
            for i in range(2)]
    good = [g.replace('"partner_id": "cty-test", ', "") for g in good]
    body = '{"items": [%s, %s, %s]}' % (good[0], job_text(odd, "O-2"), good[1])
    response = client.post(f"{BASE}/jobs/bulk", data=body, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["inserted", "error", "inserted"]
    assert ODD[odd][1] in [e["field"] for e in results[1]["errors"]]
    listed = client.get(f"{BASE}/jobs", headers=headers).get_json()["items"]
    assert [d["external_id"] for d in listed] == ["G-0", "G-1"]


@pytest.mark.parametrize("raw, field", [
    ('{"profile": {"skills": ["h\\udc80n"]}}', "profile.skills.0"),
    ('{"profile": {"skills": ["hàn"], "location": %s}}' % DEEP, "profile.location"),
    ('{"profile": {"skills": ["hàn"], "min_pay_vnd": %s}}' % HUGE, "profile.min_pay_vnd"),
    ('{"profile": {"skills": ["hàn"]}, "limit": %s}' % HUGE, "limit"),
    ('{"profile": {"\\ud800": 1, "skills": ["hàn"]}}', "profile.\ufffd"),
])
def test_match_api_answers_field_level_errors(app, raw, field):
    response = match_client(app).post("/api/v1/matches", data=raw, content_type="application/json")
    assert field in fields_of(response)
