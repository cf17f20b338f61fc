"""Schemathesis against the served OpenAPI document: no 5xx, every answer as documented,
and the document says exactly what the server accepts.

Each operation gets a bounded, derandomized number of generated requests (valid and
invalid ones), sent with a real partner key through the WSGI app (no network), checked
for: no 5xx; status, content type, headers and body as documented; every request the
document calls valid accepted and every invalid one refused (PATCH: refused only, as
whether a merge patch is valid depends on what is stored). Issue #13 lists the mismatches
this found; test_openapi_conformance.py pins each class, 405/Allow on every path included.
"""
import copy
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               negative_data_rejection,
                                               positive_data_acceptance,
                                               response_headers_conformance,
                                               response_schema_conformance,
                                               status_code_conformance)

from matcher import create_app
from matcher.openapi import build

from factories import make_course, make_partner, make_posting

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
SPEC = build()
OPERATIONS = [(method, path) for path, item in SPEC["paths"].items()
              for method in item if method != "parameters"]
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
EXAMPLES = 12  # per operation and mode: ~25 requests per operation
BASE = "/api/v1/partner"
# Every valid request must be accepted and every invalid one refused; PATCH only refuses
# (a merge patch's validity depends on what is stored). The writes get more examples.
REJECTION_ONLY = {("patch", f"{BASE}/{kind}/{{external_id}}") for kind in ("jobs", "courses")}
WRITES = {(m, p) for m, p in OPERATIONS if m in ("post", "put", "patch")} - {
    ("post", f"{BASE}/{kind}/{{external_id}}/close") for kind in ("jobs", "courses")}
WRITES_EXAMPLES = 40  # per mode: create, PUT, PATCH, bulk and match
# A precondition is evaluated before the body is read (RFC 9110, 13.2.2): 412 says the
# document changed since the If-Match was read, not whether the data is valid, like 404
# and 409, which schemathesis already counts as neither.
CONFIG = SchemathesisConfig.from_dict({"checks": {
    "positive_data_acceptance": {"expected-statuses": [
        "2xx", "3xx", "401", "403", "404", "409", "412", "429", "5xx"]},
    "negative_data_rejection": {"expected-statuses": [
        "400", "401", "403", "404", "405", "406", "409", "412", "413", "415", "422", "428",
        "429", "5xx"]}}})
# A location's names and codes are looked up in the gazetteer (indexer.places: current or
# old units, with or without diacritics, the ward within its province), which no JSON
# Schema can say: valid requests get one of these real places instead of made-up names
# (tests/indexer/test_places.py and the API tests check the place rules themselves).
PLACE_KEYS = ("province", "province_code", "ward", "ward_code", "district")
REAL_PLACES = [{"province": "Thanh Hóa"}, {"province_code": "38", "ward": "sam son"},
               {"province": "thanh hoa", "ward_code": "16531"},
               {"province": "Nghệ An", "ward": "Phường Cửa Lò"},
               {"province": "Thanh Hóa", "district": "Thành phố Sầm Sơn",
                "ward": "Phường Trường Sơn"}]
# The only rules of the schemas that JSON Schema cannot state (one value against another:
# their fields' descriptions say them): valid requests are put in order.
ORDERED = [("valid_from", "valid_through"), ("pay_min_vnd", "pay_max_vnd")]


def satisfy_unstated_rules(body, choice):
    """A copy of a valid ``body`` that follows the rules the document can only describe:
    a real place (``REAL_PLACES[choice % ...]``) and values in order."""
    body = copy.deepcopy(body)
    if not isinstance(body, dict):
        return body
    target = body.get("profile") if isinstance(body.get("profile"), dict) else body
    location = target.get("location")
    if isinstance(location, dict):
        had_place = any(location.get(k) for k in PLACE_KEYS)
        for key in PLACE_KEYS:
            location.pop(key, None)
        # A profile's location may have no place; a posting's must.
        if had_place or target is body:
            location.update(REAL_PLACES[choice % len(REAL_PLACES)])
    for low, high in ORDERED:
        if target.get(low) is not None and target.get(high) is not None \
                and target[high] < target[low]:
            target[low], target[high] = target[high], target[low]
    return body


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    """An app with a partner, a key and a job and a course to find."""
    data = {"DATA_DIR": str(tmp_path_factory.mktemp("fuzz") / "var"),
            "SEARCH_BACKEND": "embedded", "TESTING": True, "PARTNER_RATE_LIMIT": "100000/minute",
            "MATCH_RATE_LIMIT": "100000/minute", "AUTH_FAILURE_RATE_LIMIT": "100000/minute"}
    app = create_app(data)
    svc = app.extensions["vungbuoc"]
    svc.save("partners", [make_partner()])
    svc.save("jobs", [make_posting(external_id="TD-2026-017")])
    svc.save("courses", [make_course(external_id="TD-2026-017")])
    svc.sync()
    app.config["FUZZ_KEY"] = app.extensions["vungbuoc_partners"].keys.issue("cty-test")
    app.config["FUZZ_MATCH_KEY"] = app.extensions["officers"].clients.issue("fuzz")
    yield app
    svc.close()


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    """The OpenAPI document as the app serves it."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app, config=CONFIG)


def _headers(app, path):
    key = app.config["FUZZ_MATCH_KEY" if path == "/api/v1/matches" else "FUZZ_KEY"]
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.timeout(180)
@pytest.mark.parametrize("method,path", OPERATIONS)
def test_operation_conforms_to_the_document(api_schema, fuzz_app, method, path):
    operation = api_schema[path][method.upper()]
    headers = _headers(fuzz_app, path)

    checks = CHECKS + [negative_data_rejection]
    if (method, path) not in REJECTION_ONLY:
        checks.append(positive_data_acceptance)
    examples = WRITES_EXAMPLES if (method, path) in WRITES else EXAMPLES
    for mode in MODES:
        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  # The documented examples are valid requests: positive mode only.
                  phases=[Phase.explicit, Phase.generate]
                  if mode == schemathesis.GenerationMode.POSITIVE else [Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode),
               choice=st.integers(0, len(REAL_PLACES) - 1))
        def run(case, choice):
            if mode == schemathesis.GenerationMode.POSITIVE:
                case.body = satisfy_unstated_rules(case.body, choice)
            case.call_and_validate(headers=headers, checks=checks)

        run()


@pytest.mark.timeout(180)
@pytest.mark.parametrize("kind", ["jobs", "courses"])
def test_bulk_accepts_every_item_the_document_calls_valid(api_schema, fuzz_app, kind):
    """Bulk items are free-form in the document (an invalid one is a per-item error, not
    a 422), so their validity is checked here: items drawn from the create operation's
    valid bodies are all stored."""
    create = api_schema[f"{BASE}/{kind}"]["POST"]
    client = fuzz_app.test_client()
    headers = _headers(fuzz_app, BASE)

    @settings(max_examples=15, deadline=None, database=None, derandomize=True,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(cases=st.lists(create.as_strategy(generation_mode=schemathesis.GenerationMode
                                             .POSITIVE), min_size=1, max_size=4),
           choice=st.integers(0, len(REAL_PLACES) - 1))
    def run(cases, choice):
        items, seen = [], set()
        for case in cases:
            item = satisfy_unstated_rules(case.body, choice)
            if item["external_id"] not in seen:
                seen.add(item["external_id"])
                items.append(item)
        response = client.post(f"{BASE}/{kind}/bulk", json={"items": items}, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        errors = [r for r in response.get_json()["results"] if r["status"] == "error"]
        assert not errors, json.dumps([errors, items], ensure_ascii=False)[:3000]

    run()
