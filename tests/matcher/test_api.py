"""The match API: answers, and problem+json for every kind of bad request."""
import json

import pytest

from factories import NGHI_SON, SAM_SON, make_course, make_partner, make_posting, match_client

PROFILE = {"skills": ["hàn que"], "location": {"province": "Thanh Hóa", "lat": SAM_SON["lat"],
                                               "lon": SAM_SON["lon"]},
           "max_commute_km": 20}


@pytest.fixture
def client(app):
    """A test client that sends a match-API client key."""
    return match_client(app)


@pytest.fixture
def loaded(app):
    """The app with a few jobs and a course."""
    svc = app.extensions["vungbuoc"]
    svc.save("partners", [make_partner()])
    svc.save("jobs", [make_posting(),
                      make_posting(external_id="J-mig", title="Thợ hàn MIG",
                                   required_skills=["welding_smaw", "welding_mig"]),
                      make_posting(external_id="J-far", location=dict(NGHI_SON)),
                      make_posting(external_id="J-excl", excluded_offences=["property"])])
    svc.save("courses", [make_course()])
    svc.sync()
    return app


def post(client, body, **kwargs):
    return client.post("/api/v1/matches", data=json.dumps(body), content_type="application/json",
                       **kwargs)


def test_match_returns_explained_jobs_and_courses(loaded, client):
    response = post(client, {"profile": PROFILE, "limit": 5})
    assert response.status_code == 200
    body = response.get_json()
    titles = [j["title"] for j in body["jobs"]]
    assert len(titles) == 3 and titles[0] == "Thợ hàn điện"
    mig = next(j for j in body["jobs"] if j["title"] == "Thợ hàn MIG")
    assert [s["id"] for s in mig["reasons"]["missing_skills"]] == ["welding_mig"]
    assert [s["id"] for s in mig["reasons"]["matched_skills"]] == ["welding_smaw"]
    assert body["courses"][0]["title"] == "Hàn MIG cơ bản"
    assert body["courses"][0]["reasons"]["teaches_missing_skills"][0]["id"] == "welding_mig"
    assert mig["reasons"]["courses_for_missing_skills"] == [body["courses"][0]["id"]]
    assert all(j["reasons"]["distance_km"] <= 20 for j in body["jobs"])


def test_offence_category_hides_excluding_postings(loaded, client):
    everyone = post(client, {"profile": PROFILE}).get_json()["jobs"]
    with_offence = post(client, {"profile": {**PROFILE, "offence_category": "property"}}).get_json()
    assert len(with_offence["jobs"]) == len(everyone) - 1
    # The answer says that an exclusion hid a job, never which category the person has.
    assert "property" not in json.dumps(with_offence)
    assert {"reason": "offence", "count": 1, "only": 1} in with_offence["hidden"]["reasons"]


def test_english_labels_on_request(loaded, client):
    body = post(client, {"profile": PROFILE, "lang": "en"}).get_json()
    assert body["jobs"][0]["reasons"]["matched_skills"][0]["label"].lower().startswith("manual")\
        or "weld" in body["jobs"][0]["reasons"]["matched_skills"][0]["label"].lower()
    body = post(client, {"profile": PROFILE}, headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "weld" in json.dumps(body.get_json()["profile"]).lower()


def is_problem(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/matches", data="{nope", content_type="application/json")
    assert "not valid JSON" in is_problem(response, 400)["detail"]


def test_wrong_content_type_is_415(client):
    response = client.post("/api/v1/matches", data="skills=han", content_type="text/plain")
    is_problem(response, 415)


def test_oversize_body_is_413(app, client):
    big = {"profile": {"experience": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)}}
    is_problem(post(client, big), 413)


@pytest.mark.parametrize("body,field", [
    ({}, "profile"),
    ({"profile": {}}, "profile.skills"),
    ({"profile": {"skills": ["hàn"], "max_commute_km": -3}}, "profile.max_commute_km"),
    ({"profile": {"skills": ["hàn"], "offence_category": "murder-ish"}}, "profile.offence_category"),
    ({"profile": {"skills": ["hàn"], "location": {"lat": 200, "lon": 1}}}, "profile.location.lat"),
    ({"profile": {"skills": ["hàn"], "name": "Nguyễn Văn A"}}, "profile.name"),
    ({"profile": {"skills": ["hàn"]}, "limit": 1000}, "limit"),
    ({"profile": {"skills": "hàn"}}, "profile.skills"),
    ([1, 2], "_schema"),
])
def test_invalid_fields_are_422_with_field_errors(client, body, field):
    problem = is_problem(post(client, body), 422)
    assert field in [e["field"] for e in problem["errors"]], problem["errors"]


def test_unknown_route_and_method_are_problems(client):
    is_problem(client.get("/api/v1/nothing"), 404)
    not_allowed = client.get("/api/v1/matches")
    is_problem(not_allowed, 405)
    assert set(not_allowed.headers["Allow"].replace(" ", "").split(",")) >= {"POST"}
    partner = client.delete("/api/v1/partner/jobs")
    assert partner.status_code in (401, 405)
    assert client.delete("/api/v1/openapi.json").headers["Allow"]


def test_healthz_reports_backend_and_counts(loaded, client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["index"]["documents"] == {"jobs": 4, "courses": 1}
    assert body["store"]["jobs"] == {"open": 4}


def test_unexpected_errors_are_generic_500(app):
    def boom():
        raise RuntimeError("secret internals")
    app.add_url_rule("/api/v1/boom", view_func=boom)
    body = is_problem(app.test_client().get("/api/v1/boom"), 500)
    assert "secret" not in json.dumps(body)


# -- eligibility: what was hidden and why (issue #14) ------------------------------------


@pytest.fixture
def eligibility(loaded):
    svc = loaded.extensions["vungbuoc"]
    svc.save("partners", [make_partner(id="cty-fair", name="Xưởng Cơ Hội",
                                       fair_chance_commitments=["Nhận người đã chấp hành án"])])
    _, errors = svc.save("jobs", [
        make_posting(external_id="J-car", title="Thợ hàn lưu động", licences_required=["car_b"]),
        make_posting(external_id="J-two", title="Thợ hàn xe nâng",
                     licences_required=["car_b", "forklift"]),
        make_posting(external_id="J-edu", title="Tổ trưởng hàn", min_education="college"),
        make_posting(external_id="J-fair", partner_id="cty-fair", title="Thợ hàn cơ hội")])
    assert not errors
    svc.sync()
    return loaded


def test_the_answer_counts_what_each_filter_hid(eligibility, client):
    profile = {**PROFILE, "education": "upper_secondary", "offence_categories": ["property"]}
    body = post(client, {"profile": profile}).get_json()
    titles = {j["title"] for j in body["jobs"]}
    assert not {"Thợ hàn lưu động", "Thợ hàn xe nâng", "Tổ trưởng hàn"} & titles
    hidden = body["hidden"]
    reasons = {r["reason"]: (r["count"], r["only"]) for r in hidden["reasons"]}
    assert reasons == {"offence": (1, 1), "licence": (2, 2), "education": (1, 1),
                       "distance": (1, 1)}
    assert hidden["licences"] == [{"licence": "car_b", "label": "Bằng lái ô tô hạng B",
                                   "count": 1}]
    assert hidden["total"] == 5 and "jobs" not in hidden
    listed = post(client, {"profile": profile, "hidden_limit": 10, "lang": "en"}).get_json()
    by_title = {j["title"]: j for j in listed["hidden"]["jobs"]}
    assert by_title["Thợ hàn xe nâng"]["reasons"] == ["licence"]
    assert [l["label"] for l in by_title["Thợ hàn xe nâng"]["missing_licences"]] == [
        "Car licence B", "Forklift certificate"]
    assert by_title["Tổ trưởng hàn"]["min_education"] == {"id": "college", "label": "College"}
    plain = sorted(j["reasons"] for j in listed["hidden"]["jobs"] if j["title"] == "Thợ hàn điện")
    assert plain == [["distance"], ["offence"]]  # J-far, J-excl (its category is not named)
    assert "property" not in json.dumps(listed)
    assert all(j["distance_km"] is not None for j in listed["hidden"]["jobs"])
    # Every field of a listed hidden job is documented (the fuzz test saw one that was not).
    documented = client.get("/api/v1/openapi.json").get_json()[
        "components"]["schemas"]["HiddenJob"]["properties"]
    assert all(set(j) <= set(documented) for j in listed["hidden"]["jobs"])


def test_licences_held_open_the_jobs_and_expunged_lifts_exclusions(eligibility, client):
    profile = {**PROFILE, "licences": ["car_b", "forklift"], "education": "university",
               "offence_categories": ["property"], "expunged": True}
    body = post(client, {"profile": profile}).get_json()
    titles = {j["title"] for j in body["jobs"]}
    assert {"Thợ hàn lưu động", "Thợ hàn xe nâng", "Tổ trưởng hàn"} <= titles
    assert {r["reason"] for r in body["hidden"]["reasons"]} == {"distance"}
    # The older single field still works, merged with the list.
    old = post(client, {"profile": {**PROFILE, "offence_category": "property"}}).get_json()
    assert {"reason": "offence", "count": 1, "only": 1} in old["hidden"]["reasons"]


def test_fair_chance_commitments_in_the_answer_and_as_a_filter(eligibility, client):
    body = post(client, {"profile": PROFILE}).get_json()
    fair = next(j for j in body["jobs"] if j["title"] == "Thợ hàn cơ hội")
    assert fair["fair_chance_commitments"] == ["Nhận người đã chấp hành án"]
    assert all(j["fair_chance_commitments"] == [] for j in body["jobs"] if j is not fair)
    only = post(client, {"profile": PROFILE, "fair_chance_only": True}).get_json()
    assert [j["title"] for j in only["jobs"]] == ["Thợ hàn cơ hội"]
    assert any(r["reason"] == "fair_chance" for r in only["hidden"]["reasons"])


@pytest.mark.parametrize("body, field", [
    ({"profile": PROFILE, "hidden_limit": 51}, "hidden_limit"),
    ({"profile": PROFILE, "hidden_limit": "many"}, "hidden_limit"),
    ({"profile": PROFILE, "fair_chance_only": "perhaps"}, "fair_chance_only"),
    ({"profile": {**PROFILE, "offence_categories": ["murder-ish"]}},
     "profile.offence_categories"),
    ({"profile": {**PROFILE, "expunged": "maybe"}}, "profile.expunged"),
])
def test_bad_eligibility_input_is_refused_by_field(loaded, client, body, field):
    response = post(client, body)
    assert response.status_code == 422
    assert any(e["field"].startswith(field) for e in response.get_json()["errors"])


def test_the_hidden_section_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert {"total", "reasons", "licences", "jobs"} <= set(schemas["Hidden"]["properties"])
    assert {"fair_chance_only", "hidden_limit"} <= set(schemas["MatchRequest"]["properties"])
    assert {"offence_categories", "expunged"} <= set(schemas["Profile"]["properties"])
    answer = spec["paths"]["/api/v1/matches"]["post"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["properties"]["hidden"]


def test_a_warm_app_serves_matches_without_opening_database_connections(loaded, client):
    """Each request used to open (and close) four SQLite connections, each paying its
    pragmas: the rate limit, the API key, the partners and the audit log. Now a warm
    worker takes pooled ones."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    opened = []

    def count(*_):
        opened.append(1)
    assert post(client, {"profile": PROFILE}).status_code == 200
    event.listen(Engine, "connect", count)
    try:
        for _ in range(5):
            assert post(client, {"profile": PROFILE}).status_code == 200
    finally:
        event.remove(Engine, "connect", count)
    assert opened == []

