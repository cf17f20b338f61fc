"""Schemathesis against the served OpenAPI document: no 5xx, every answer as documented.

Each operation gets a small, bounded number of generated requests (valid and
invalid ones), sent with a real partner key through the WSGI app (no network).
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
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
OPERATIONS = [(method, path) for path, item in build()["paths"].items()
              for method in item if method != "parameters"]
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
EXAMPLES = 12  # per operation and mode: ~25 requests per operation in all
# Creating and bulk operations also check that every valid request is accepted and every
# invalid one refused (the document and the server agree), with more examples.
# (The partner create and bulk operations still have known mismatches: the external_id
# characters, cross-field rules such as a free course without a cost; see issue #13.)
ACCEPTANCE = {("post", "/api/v1/matches")}
ACCEPTANCE_EXAMPLES = 40
# A location's names and codes are looked up in the gazetteer (indexer.places: current or
# old units, with or without diacritics, the ward within its province), which no JSON
# Schema can say: valid requests get one of these real places instead of made-up names
# (tests/indexer/test_places.py and the API tests check the place rules themselves).
PLACE_KEYS = ("province", "province_code", "ward", "ward_code", "district")
REAL_PLACES = [{}, {"province": "Thanh Hóa"}, {"province_code": "38", "ward": "sam son"},
               {"province": "thanh hoa", "ward_code": "16531"},
               {"province": "Nghệ An", "ward": "Phường Cửa Lò"},
               {"province": "Thanh Hóa", "district": "Thành phố Sầm Sơn",
                "ward": "Phường Trường Sơn"}]


def _with_real_place(body, place):
    """``body`` with the place names of its profile's location replaced by ``place``."""
    location = ((body or {}).get("profile") or {}).get("location")
    if isinstance(location, dict):
        for key in PLACE_KEYS:
            location.pop(key, None)
        location.update(place)


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
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("method,path", OPERATIONS)
def test_operation_conforms_to_the_document(api_schema, fuzz_app, method, path):
    operation = api_schema[path][method.upper()]
    key = fuzz_app.config["FUZZ_MATCH_KEY" if path == "/api/v1/matches" else "FUZZ_KEY"]
    headers = {"Authorization": f"Bearer {key}"}

    checks, examples = CHECKS, EXAMPLES
    if (method, path) in ACCEPTANCE:
        checks = CHECKS + [positive_data_acceptance, negative_data_rejection]
        examples = ACCEPTANCE_EXAMPLES
    for mode in MODES:
        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  # The documented examples are valid requests: positive mode only.
                  phases=[Phase.explicit, Phase.generate]
                  if mode == schemathesis.GenerationMode.POSITIVE else [Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode),
               place=st.sampled_from(REAL_PLACES))
        def run(case, place):
            if (method, path) in ACCEPTANCE and mode == schemathesis.GenerationMode.POSITIVE:
                _with_real_place(case.body, place)
            case.call_and_validate(headers=headers, checks=checks)

        run()
