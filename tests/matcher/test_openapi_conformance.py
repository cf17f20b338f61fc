"""The OpenAPI document says exactly what the partner API accepts: one regression test per
class of mismatch schemathesis found (issue #13), each asking the served document (with a
JSON Schema validator) and the server the same question.

test_partner_fuzz.py searches for new mismatches; these pin the ones found.
"""
import re

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from factories import make_course, make_partner, make_posting

BASE = "/api/v1/partner"
METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture
def ours(app):
    """Authorization headers of a partner key (cty-test)."""
    app.extensions["vungbuoc"].save("partners", [make_partner()])
    key = app.extensions["vungbuoc_partners"].keys.issue("cty-test")
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def spec(client):
    """The OpenAPI document as the app serves it."""
    return client.get("/api/v1/openapi.json").get_json()


def documented(spec, schema, value):
    """Whether the document's ``schema`` (a component name, or a schema) accepts ``value``."""
    registry = Registry().with_resource(
        "urn:spec", Resource.from_contents(spec, default_specification=DRAFT202012))
    if isinstance(schema, str):
        schema = {"$ref": f"urn:spec#/components/schemas/{schema}"}
    return Draft202012Validator(schema, registry=registry).is_valid(value)


def parameter(spec, path, name, method=None):
    """The schema of parameter ``name`` of ``path`` (of its ``method`` operation)."""
    item = spec["paths"][path]
    params = item.get("parameters", []) + (item[method].get("parameters", []) if method else [])
    return next(p["schema"] for p in params if p["name"] == name)


def body(kind, **overrides):
    """A valid body of ``kind`` as a partner sends it (no partner_id)."""
    doc = (make_posting if kind == "jobs" else make_course)(**overrides)
    doc.pop("partner_id")
    return doc


# -- rules across fields ---------------------------------------------------------------

@pytest.mark.parametrize("kind,overrides", [
    ("jobs", {}),
    ("jobs", {"location": {}}),  # a place is needed: a province, or a code
    ("jobs", {"location": {"ward_code": "16531"}}),
    ("jobs", {"location": {"province": " ", "ward": "Phường Sầm Sơn"}}),
    ("jobs", {"location": {"province": "Thanh Hóa", "lat": 19.7}}),  # coordinates in pairs
    ("jobs", {"pay_period": None}),  # an amount needs its period
    ("jobs", {"pay_period": None, "pay_min_vnd": None, "pay_max_vnd": None}),
    ("jobs", {"pay_period": "hour", "pay_min_vnd": 20_000, "pay_max_vnd": 30_000}),
    ("jobs", {"pay_period": "hour"}),  # at most 2,000,000 VND an hour
    ("jobs", {"pay_period": "day", "pay_min_vnd": 200_000, "pay_max_vnd": 10_000_001}),
    ("courses", {}),
    ("courses", {"funding": "free", "cost_vnd": 500_000}),  # a free course costs nothing
    ("courses", {"funding": "paid", "cost_vnd": 500_000}),
    ("courses", {"cost_vnd": 500_000}),
    ("courses", {"start_dates": ["1999-12-31"]}),  # dates 2000-2100, in lists too
    ("courses", {"start_dates": ["2100-12-31"]}),
])
def test_the_document_states_the_rules_across_fields(client, ours, spec, kind, overrides):
    doc = body(kind, **overrides)
    name = {"jobs": "JobPostingInput", "courses": "TrainingCourseInput"}[kind]
    response = client.post(f"{BASE}/{kind}", json=doc, headers=ours)
    assert response.status_code in (201, 422), response.get_data(as_text=True)
    assert documented(spec, name, doc) == (response.status_code == 201), \
        response.get_data(as_text=True)


def test_rules_json_schema_cannot_state_are_described(spec):
    props = spec["components"]["schemas"]["JobPostingInput"]["properties"]
    assert "valid_from" in props["valid_through"]["description"]
    assert "pay_min_vnd" in props["pay_max_vnd"]["description"]


# -- whitespace ------------------------------------------------------------------------

def test_patterns_spell_out_whitespace(spec, client, ours):
    """Regex engines disagree on what \\s is (Python's counts U+001C-U+001F, ECMAScript's
    does not); the server strips Python's, so the document lists them."""
    text = str(spec)
    assert "\\s" not in text and "\\S" not in text
    for char in ("\x1e", "\u3000", "\x85"):
        doc = body("jobs", external_id=f"J{char}1", title=char)
        assert not documented(spec, "JobPostingInput", doc)
        assert client.post(f"{BASE}/jobs", json=doc, headers=ours).status_code == 422
    assert documented(spec, "JobPostingInput", body("jobs", title="\u200b"))


@pytest.mark.parametrize("title,accepted", [("Thợ hàn" + " " * 193, True),
                                            ("Thợ hàn" + " " * 194, False),
                                            ("  Thợ   hàn  ", True)])
def test_a_maximum_length_counts_the_text_as_sent(client, ours, spec, title, accepted):
    """Spaces are tidied after the check: what the client sent is what maxLength counts."""
    doc = body("jobs", title=title)
    assert documented(spec, "JobPostingInput", doc) is accepted
    response = client.post(f"{BASE}/jobs", json=doc, headers=ours)
    assert (response.status_code == 201) is accepted, response.get_data(as_text=True)
    if accepted:
        assert response.get_json()["title"] == "Thợ hàn"


# -- path, query and headers -----------------------------------------------------------

@pytest.mark.parametrize("external_id,accepted", [
    ("KH-HÀN-01", True), ("a%b", True), ("x" * 64, True), ("x" * 65, False),
    ("bulk", False), ("bulk2", True), ("..", False),
])
def test_the_external_id_parameter_is_what_the_server_accepts(client, ours, spec,
                                                             external_id, accepted):
    schema = parameter(spec, f"{BASE}/jobs/{{external_id}}", "external_id")
    assert documented(spec, schema, external_id) is accepted
    if external_id != "..":  # URL clients resolve dot segments away
        doc = body("jobs")
        doc.pop("external_id")  # from the URL
        quoted = re.sub(r"%", "%25", external_id)
        response = client.put(f"{BASE}/jobs/{quoted}", json=doc, headers=ours)
        assert (response.status_code == 201) is accepted, response.get_data(as_text=True)


@pytest.mark.parametrize("cursor,accepted", [("", False), ("0", False), ("SkMtMQ", True),
                                             ("SkMt", True), ("SkM", True), ("a" * 201, False)])
def test_the_cursor_parameter_is_what_the_server_accepts(client, ours, spec, cursor, accepted):
    schema = parameter(spec, f"{BASE}/jobs", "cursor", "get")
    assert documented(spec, schema, cursor) is accepted
    response = client.get(f"{BASE}/jobs", query_string={"cursor": cursor}, headers=ours)
    assert (response.status_code == 200) is accepted, response.get_data(as_text=True)


@pytest.mark.parametrize("key,accepted", [("", False), ("k-1", True), ("a b", False)])
def test_the_idempotency_key_is_what_the_server_accepts(client, ours, spec, key, accepted):
    schema = parameter(spec, f"{BASE}/jobs", "Idempotency-Key", "post")
    assert documented(spec, schema, key) is accepted
    response = client.post(f"{BASE}/jobs", json=body("jobs"),
                           headers={**ours, "Idempotency-Key": key})
    assert (response.status_code == 201) is accepted, response.get_data(as_text=True)


# -- bodies ----------------------------------------------------------------------------

def test_a_null_bulk_item_is_an_error_in_the_results(client, ours, spec):
    request = {"items": [None, body("jobs")]}
    assert documented(spec, spec["paths"][f"{BASE}/jobs/bulk"]["post"]["requestBody"][
        "content"]["application/json"]["schema"], request)
    response = client.post(f"{BASE}/jobs/bulk", json=request, headers=ours)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [r["status"] for r in response.get_json()["results"]] == ["error", "inserted"]


@pytest.mark.parametrize("patch,accepted", [
    ({"openings": None}, True),  # null removes an optional field: its default again
    ({"pay_min_vnd": 9_000_000}, True),  # the stored pay_period applies
    ({"location": {"lat": 19.74}}, True),  # objects merge: the stored lon stays
    ({"title": None}, False), ({"openings": "many"}, False), ({"unknown": 1}, False),
])
def test_a_merge_patch_is_described_as_one(client, ours, spec, patch, accepted):
    assert client.post(f"{BASE}/jobs", json=body("jobs"), headers=ours).status_code == 201
    assert documented(spec, "JobPostingPatch", patch) is accepted
    response = client.patch(f"{BASE}/jobs/J-1", json=patch, headers=ours)
    assert (response.status_code == 200) is accepted, response.get_data(as_text=True)


# -- methods ---------------------------------------------------------------------------

def test_undocumented_methods_are_405_with_the_documented_allow(client, ours, spec):
    """Every path answers an undocumented method with 405 and an Allow header that lists
    exactly its documented methods (with the implied HEAD and OPTIONS)."""
    for path, item in spec["paths"].items():
        allowed = {m for m in item if m in METHODS}
        url = path.replace("{external_id}", "J-1")
        headers = ours if path.startswith(BASE) else {}
        for method in sorted(METHODS - allowed):
            response = client.open(url, method=method.upper(), headers=headers)
            assert response.status_code == 405, (method, path, response.status_code)
            listed = {m.strip().lower() for m in response.headers["Allow"].split(",")}
            assert listed - {"head", "options"} == allowed, (method, path, listed)
        options = client.options(url, headers=headers)
        listed = {m.strip().lower() for m in options.headers["Allow"].split(",")}
        assert listed - {"head", "options"} == allowed, (path, listed)


def test_the_bulk_route_is_not_a_document(client, ours, spec):
    """'bulk' names the bulk route, so it cannot be an external_id; the item operations
    document the 405 it answers."""
    for method in ("get", "put", "patch", "delete"):
        response = client.open(f"{BASE}/jobs/bulk", method=method.upper(), json=body("jobs"),
                               headers=ours)
        assert response.status_code == 405 and "POST" in response.headers["Allow"]
        assert "405" in spec["paths"][f"{BASE}/jobs/{{external_id}}"][method]["responses"]
        assert "Allow" in spec["paths"][f"{BASE}/jobs/{{external_id}}"][method][
            "responses"]["405"]["headers"]


# -- JSON types ------------------------------------------------------------------------

@pytest.mark.parametrize("value,accepted", [(3, True), (3.0, True), (1.5, False), ("3", False),
                                            (True, False)])
def test_numbers_are_json_numbers_and_never_truncated(client, ours, spec, value, accepted):
    """Feed files and forms may give digits as text; the API takes JSON numbers, as its
    document says, and a fraction is refused rather than cut off."""
    doc = body("jobs", openings=value)
    assert documented(spec, "JobPostingInput", doc) is accepted
    response = client.post(f"{BASE}/jobs", json=doc, headers=ours)
    assert (response.status_code == 201) is accepted, response.get_data(as_text=True)
    if accepted:
        assert response.get_json()["openings"] == 3


def test_a_match_profile_takes_json_numbers(app, spec):
    from factories import match_client
    client = match_client(app)
    for value, status in ((2.5e-42, 422), ("5000000", 422), (5_000_000, 200)):
        request = {"profile": {"skills": ["hàn que"], "min_monthly_pay_vnd": value}}
        assert documented(spec, "MatchRequest", request) is (status == 200)
        response = client.post("/api/v1/matches", json=request)
        assert response.status_code == status, response.get_data(as_text=True)
