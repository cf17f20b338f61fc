"""The partner API: keys, partner-scoped documents, ETags, idempotency, bulk, limits."""
import json
import logging

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from indexer.keys import api_keys
from matcher import create_app
from matcher.cli import main as matcher_cli

from factories import make_course, make_partner, make_posting, match_client, match_headers

BASE = "/api/v1/partner"


def job(**overrides):
    """A job body as a partner sends it (no partner_id: it comes from the key)."""
    body = make_posting(**overrides)
    if "partner_id" not in overrides:
        body.pop("partner_id")
    return body


def course(**overrides):
    body = make_course(**overrides)
    if "partner_id" not in overrides:
        body.pop("partner_id")
    return body


@pytest.fixture
def keys(app):
    """Two partners with a key each: ours (cty-test) and another (cty-khac)."""
    app.extensions["vungbuoc"].save("partners", [make_partner(),
                                                 make_partner(id="cty-khac", name="Công ty Khác")])
    issued = app.extensions["vungbuoc_partners"].keys
    return {"ours": issued.issue("cty-test"), "other": issued.issue("cty-khac")}


def auth(key, **headers):
    return {"Authorization": f"Bearer {key}", **headers}


@pytest.fixture
def ours(keys):
    return auth(keys["ours"])


@pytest.fixture
def other(keys):
    return auth(keys["other"])


def is_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json()


# -- keys ------------------------------------------------------------------------------

@pytest.mark.parametrize("header", [None, "", "Bearer", "Basic dXNlcjpwYXNz", "Bearer nope",
                                    "Bearer vb_000000000000_" + "a" * 43])
def test_missing_or_bad_key_is_401(client, keys, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get(f"{BASE}/jobs", headers=headers)
    is_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_tampered_secret_is_401(client, keys):
    key = keys["ours"]
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    is_problem(client.get(f"{BASE}/jobs", headers=auth(tampered)), 401)


def test_keys_are_stored_only_as_hashes(app, keys):
    with app.extensions["vungbuoc"].store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(api_keys))]
    assert len(rows) == 2
    dump = json.dumps(rows, default=str)
    # The secret is all after the prefix: it may itself start with or hold "_" (it is
    # URL-safe base64), so split twice only (split("_")[2] was "" one time in 64).
    secret = keys["ours"].split("_", 2)[2]
    assert len(secret) >= 40
    assert keys["ours"] not in dump and secret not in dump


def test_revoked_key_is_403_and_rotation_replaces_it(app, client, keys):
    store = app.extensions["vungbuoc_partners"].keys
    new = store.rotate("cty-test")
    is_problem(client.get(f"{BASE}/jobs", headers=auth(keys["ours"])), 403)
    assert client.get(f"{BASE}/jobs", headers=auth(new)).status_code == 200
    store.revoke(partner_id="cty-test")
    is_problem(client.get(f"{BASE}/jobs", headers=auth(new)), 403)
    assert client.get(f"{BASE}/jobs", headers=auth(keys["other"])).status_code == 200


def test_keys_never_reach_the_logs(client, keys, ours, caplog):
    caplog.set_level(logging.DEBUG)
    client.post(f"{BASE}/jobs", json=job(), headers=ours)
    client.get(f"{BASE}/jobs/nope", headers=ours)
    client.get(f"{BASE}/jobs", headers=auth(keys["ours"] + "x"))
    assert keys["ours"] not in caplog.text


def test_cli_creates_lists_rotates_and_revokes_keys(settings, monkeypatch):
    monkeypatch.setenv("VUNGBUOC_DATA_DIR", settings["DATA_DIR"])
    monkeypatch.setenv("VUNGBUOC_SEARCH_BACKEND", "embedded")
    runner = CliRunner()
    missing = runner.invoke(matcher_cli, ["partners", "create", "cty-moi"])
    assert missing.exit_code == 1 and "not in the store" in missing.output
    created = runner.invoke(matcher_cli, ["partners", "create", "cty-moi", "--name",
                                          "Hợp tác xã Mới", "--kind", "employer"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("vb_")
    listed = runner.invoke(matcher_cli, ["partners", "list"])
    assert "cty-moi" in listed.output and key.split("_")[1] in listed.output
    assert key not in listed.output
    rotated = runner.invoke(matcher_cli, ["partners", "rotate", "cty-moi"])
    assert rotated.exit_code == 0 and rotated.stdout.strip().splitlines()[-1] != key
    revoked = runner.invoke(matcher_cli, ["partners", "revoke", "cty-moi"])
    assert revoked.exit_code == 0 and "revoked 1" in revoked.output
    app = create_app({**settings, "TESTING": True})
    try:
        response = app.test_client().get(f"{BASE}/jobs", headers=auth(key))
        assert response.status_code == 403
    finally:
        app.extensions["vungbuoc"].close()


# -- documents -------------------------------------------------------------------------

def test_create_read_update_close_delete_a_job(client, ours):
    created = client.post(f"{BASE}/jobs", json=job(), headers=ours)
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/jobs/J-1")
    body = created.get_json()
    assert body["partner_id"] == "cty-test" and body["version"] == 1 and "id" not in body
    assert created.headers["ETag"] == '"v1"'

    read = client.get(f"{BASE}/jobs/J-1", headers=ours)
    assert read.get_json()["title"] == "Thợ hàn điện" and read.headers["ETag"] == '"v1"'

    patched = client.patch(f"{BASE}/jobs/J-1", json={"openings": 4, "contact": {"phone": "0901 234 567"}},
                           headers=ours)
    assert patched.status_code == 200 and patched.get_json()["openings"] == 4
    assert patched.get_json()["contact"]["phone"] == "0901 234 567"
    assert patched.get_json()["required_skills"] == ["welding_smaw"]

    closed = client.post(f"{BASE}/jobs/J-1/close", headers=ours)
    assert closed.get_json()["status"] == "closed"
    assert client.get(f"{BASE}/jobs?status=closed", headers=ours).get_json()["items"][0][
        "external_id"] == "J-1"

    assert client.delete(f"{BASE}/jobs/J-1", headers=ours).status_code == 204
    is_problem(client.get(f"{BASE}/jobs/J-1", headers=ours), 404)
    is_problem(client.delete(f"{BASE}/jobs/J-1", headers=ours), 404)


def test_put_creates_then_replaces(client, ours):
    first = client.put(f"{BASE}/courses/C-9", json=course(external_id="C-9"), headers=ours)
    assert first.status_code == 201
    again = client.put(f"{BASE}/courses/C-9", json=course(external_id="C-9", title="Hàn MIG nâng cao"),
                       headers=ours)
    assert again.status_code == 200 and again.get_json()["title"] == "Hàn MIG nâng cao"
    assert again.get_json()["external_id"] == "C-9" and again.get_json()["version"] == 2


def test_post_with_existing_external_id_is_409(client, ours):
    client.post(f"{BASE}/jobs", json=job(), headers=ours)
    is_problem(client.post(f"{BASE}/jobs", json=job(title="Khác"), headers=ours), 409)


def test_patch_keeps_free_text_skills(client, ours):
    body = course(external_id="C-txt", skills_taught=["đan lưới cá kiểu mới"])
    assert client.post(f"{BASE}/courses", json=body, headers=ours).status_code == 201
    patched = client.patch(f"{BASE}/courses/C-txt", json={"seats": 12}, headers=ours).get_json()
    assert patched["skills_text"] == ["đan lưới cá kiểu mới"] and patched["seats"] == 12


@pytest.mark.parametrize("body,field", [
    (job(partner_id="cty-khac"), "partner_id"),
    (job(external_id="J-2"), "external_id"),
    (job(title=""), "title"),
    (job(pay_period=None), "pay_period"),
    (job(extra="x"), "extra"),
    ([job()], "_schema"),
])
def test_invalid_put_is_422_with_field_errors(client, ours, body, field):
    problem = is_problem(client.put(f"{BASE}/jobs/J-1", json=body, headers=ours), 422)
    assert field in [e["field"] for e in problem["errors"]], problem["errors"]


def test_own_partner_id_in_the_body_is_accepted(client, ours):
    assert client.post(f"{BASE}/jobs", json=job(partner_id="cty-test"),
                       headers=ours).status_code == 201


def test_writes_reach_matches_at_once(app, client, ours):
    profile = {"profile": {"skills": ["hàn que"], "location": {"province": "Thanh Hóa"}}}
    tool = match_client(app)
    assert tool.post("/api/v1/matches", json=profile).get_json()["jobs"] == []
    client.post(f"{BASE}/jobs", json=job(), headers=ours)
    titles = [j["title"] for j in tool.post("/api/v1/matches", json=profile).get_json()["jobs"]]
    assert titles == ["Thợ hàn điện"]
    client.post(f"{BASE}/jobs/J-1/close", headers=ours)
    assert tool.post("/api/v1/matches", json=profile).get_json()["jobs"] == []


def test_list_pages_with_a_cursor_and_filters(client, ours):
    for i in range(5):
        client.put(f"{BASE}/jobs/J-{i}", json=job(external_id=f"J-{i}"), headers=ours)
    client.post(f"{BASE}/jobs/J-3/close", headers=ours)
    seen, cursor = [], None
    while True:
        url = f"{BASE}/jobs?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=ours).get_json()
        assert len(page["items"]) <= 2
        seen += [d["external_id"] for d in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ["J-0", "J-1", "J-2", "J-3", "J-4"]
    open_ids = [d["external_id"] for d in
                client.get(f"{BASE}/jobs?status=open", headers=ours).get_json()["items"]]
    assert "J-3" not in open_ids and len(open_ids) == 4
    future = client.get(f"{BASE}/jobs?updated_since=2999-01-01T00:00:00Z", headers=ours)
    assert future.get_json()["items"] == []
    past = client.get(f"{BASE}/jobs?updated_since=2000-01-01T00:00:00%2B07:00", headers=ours)
    assert len(past.get_json()["items"]) == 5


@pytest.mark.parametrize("query,field", [("limit=0", "limit"), ("limit=101", "limit"),
                                         ("status=gone", "status"), ("cursor=%%%", "cursor"),
                                         ("updated_since=yesterday", "updated_since"),
                                         ("sort=title", "sort")])
def test_bad_list_queries_are_422(client, ours, query, field):
    problem = is_problem(client.get(f"{BASE}/jobs?{query}", headers=ours), 422)
    assert field in [e["field"] for e in problem["errors"]]


# -- isolation -------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/jobs/J-1", None),
    ("put", "/jobs/J-1", "if-match"),
    ("patch", "/jobs/J-1", {"openings": 9}),
    ("delete", "/jobs/J-1", None),
    ("post", "/jobs/J-1/close", None),
    ("get", "/courses/C-1", None),
    ("patch", "/courses/C-1", {"seats": 1}),
    ("delete", "/courses/C-1", None),
    ("post", "/courses/C-1/close", None),
]


@pytest.mark.parametrize("method,path,body", ENDPOINTS)
def test_another_partner_cannot_read_change_or_detect_documents(client, ours, other,
                                                               method, path, body):
    client.post(f"{BASE}/jobs", json=job(), headers=ours)
    client.post(f"{BASE}/courses", json=course(), headers=ours)
    before = {k: client.get(f"{BASE}/{k}/{e}", headers=ours).get_json()
              for k, e in (("jobs", "J-1"), ("courses", "C-1"))}
    kwargs = {"json": body} if isinstance(body, dict) else {}
    headers = dict(other)
    if body == "if-match":  # a replace guarded by the owner's ETag must not reveal it either
        kwargs, headers["If-Match"] = {"json": job()}, '"v1"'
    response = getattr(client, method)(f"{BASE}{path}", headers=headers, **kwargs)
    never = client.get(f"{BASE}/jobs/does-not-exist", headers=headers)
    assert response.status_code in (404, 412)
    if response.status_code == 404:
        assert response.get_json()["title"] == never.get_json()["title"]
    after = {k: client.get(f"{BASE}/{k}/{e}", headers=ours).get_json()
             for k, e in (("jobs", "J-1"), ("courses", "C-1"))}
    assert after == before


def test_a_precondition_answers_alike_for_hidden_and_missing_documents(client, ours, other):
    client.post(f"{BASE}/jobs", json=job(), headers=ours)
    hidden = client.put(f"{BASE}/jobs/J-1", json=job(), headers={**other, "If-Match": '"v1"'})
    missing = client.put(f"{BASE}/jobs/J-zz", json=job(external_id="J-zz"),
                         headers={**other, "If-Match": '"v1"'})
    assert hidden.status_code == missing.status_code == 412


def test_lists_bulk_and_same_external_ids_stay_separate(client, ours, other):
    client.post(f"{BASE}/jobs", json=job(), headers=ours)
    assert client.get(f"{BASE}/jobs", headers=other).get_json()["items"] == []
    theirs = client.put(f"{BASE}/jobs/J-1", json=job(title="Phụ bếp"), headers=other)
    assert theirs.status_code == 201  # their own J-1, not ours
    bulk = client.post(f"{BASE}/jobs/bulk", json={"items": [job(title="Bốc xếp")]}, headers=other)
    assert bulk.get_json()["results"][0]["status"] == "updated"
    assert client.get(f"{BASE}/jobs/J-1", headers=ours).get_json()["title"] == "Thợ hàn điện"
    assert client.get(f"{BASE}/jobs/J-1", headers=other).get_json()["title"] == "Bốc xếp"
    # a bulk item naming another partner is rejected, not applied
    stolen = client.post(f"{BASE}/jobs/bulk", json={"items": [job(partner_id="cty-test")]},
                         headers=other).get_json()["results"][0]
    assert stolen["status"] == "error" and stolen["errors"][0]["field"] == "partner_id"


def test_partner_responses_carry_no_returnee_data(app, client, ours):
    client.post(f"{BASE}/jobs", json=job(), headers=ours)
    match_client(app).post("/api/v1/matches", json={"profile": {"skills": ["hàn"], "case_code": "HS-77",
                                                     "offence_category": "property"}})
    text = "".join(client.get(url, headers=ours).get_data(as_text=True)
                   for url in (f"{BASE}/jobs", f"{BASE}/jobs/J-1"))
    assert "HS-77" not in text and "case_code" not in text and "offence_category" not in text


# -- concurrency, idempotency, bulk ----------------------------------------------------

def test_two_editors_cannot_overwrite_each_other(client, ours):
    tag = client.post(f"{BASE}/jobs", json=job(), headers=ours).headers["ETag"]
    first = client.patch(f"{BASE}/jobs/J-1", json={"openings": 2}, headers={**ours, "If-Match": tag})
    assert first.status_code == 200 and first.headers["ETag"] != tag
    second = client.patch(f"{BASE}/jobs/J-1", json={"openings": 7}, headers={**ours, "If-Match": tag})
    is_problem(second, 412)
    for method, path, kwargs in (("put", "/jobs/J-1", {"json": job()}),
                                 ("post", "/jobs/J-1/close", {}), ("delete", "/jobs/J-1", {})):
        is_problem(getattr(client, method)(f"{BASE}{path}", headers={**ours, "If-Match": tag},
                                           **kwargs), 412)
    assert client.get(f"{BASE}/jobs/J-1", headers=ours).get_json()["openings"] == 2
    fresh = client.get(f"{BASE}/jobs/J-1", headers=ours).headers["ETag"]
    assert client.delete(f"{BASE}/jobs/J-1", headers={**ours, "If-Match": fresh}).status_code == 204


def test_retried_post_with_idempotency_key_creates_nothing_twice(app, client, ours):
    headers = {**ours, "Idempotency-Key": "retry-1"}
    first = client.post(f"{BASE}/jobs", json=job(), headers=headers)
    again = client.post(f"{BASE}/jobs", json=job(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert app.extensions["vungbuoc"].store.counts()["jobs"] == {"open": 1}
    reused = client.post(f"{BASE}/jobs", json=job(external_id="J-2"), headers=headers)
    assert "different request" in is_problem(reused, 409)["detail"]
    # a failed request is not remembered: fixing it and retrying with the key works
    bad = {**ours, "Idempotency-Key": "retry-2"}
    is_problem(client.post(f"{BASE}/jobs", json=job(external_id="J-3", title=""), headers=bad), 422)
    assert client.post(f"{BASE}/jobs", json=job(external_id="J-3"), headers=bad).status_code == 201


def test_idempotency_keys_are_per_partner(client, ours, other):
    a = client.post(f"{BASE}/jobs", json=job(), headers={**ours, "Idempotency-Key": "k"})
    b = client.post(f"{BASE}/jobs", json=job(), headers={**other, "Idempotency-Key": "k"})
    assert a.status_code == b.status_code == 201
    assert b.get_json()["partner_id"] == "cty-khac" and "Idempotent-Replayed" not in b.headers


def test_bulk_applies_valid_items_and_reports_each(client, ours):
    items = [job(external_id="B-1"), job(external_id="B-2", pay_max_vnd=1), "not an object",
             job(external_id="B-1", title="lặp"), job(external_id="B-3", partner_id="cty-khac"),
             job(external_id="B-4")]
    response = client.post(f"{BASE}/jobs/bulk", json={"items": items},
                           headers={**ours, "Idempotency-Key": "bulk-1"})
    assert response.status_code == 200
    body = response.get_json()
    assert [r["status"] for r in body["results"]] == [
        "inserted", "error", "error", "error", "error", "inserted"]
    assert [r["index"] for r in body["results"]] == list(range(6))
    assert body["results"][1]["errors"][0]["field"] == "pay_max_vnd"
    assert body["summary"] == {"inserted": 2, "updated": 0, "unchanged": 0, "error": 4}
    listed = client.get(f"{BASE}/jobs", headers=ours).get_json()["items"]
    assert [d["external_id"] for d in listed] == ["B-1", "B-4"]
    replay = client.post(f"{BASE}/jobs/bulk", json={"items": items},
                         headers={**ours, "Idempotency-Key": "bulk-1"})
    assert replay.get_json() == body
    unchanged = client.post(f"{BASE}/jobs/bulk", json={"items": items[:1]}, headers=ours)
    assert unchanged.get_json()["results"][0]["status"] == "unchanged"


def test_bulk_limits(app, client, ours):
    is_problem(client.post(f"{BASE}/jobs/bulk", json={"items": []}, headers=ours), 422)
    too_many = {"items": [job(external_id=f"M-{i}") for i in range(1001)]}
    problem = is_problem(client.post(f"{BASE}/jobs/bulk", json=too_many, headers=ours), 422)
    assert problem["errors"][0]["field"] == "items"
    thousand = {"items": [job(external_id=f"M-{i}", description="Mô tả công việc. " * 70)
                          for i in range(1000)]}
    assert len(json.dumps(thousand)) > app.config["MAX_CONTENT_LENGTH"]
    response = client.post(f"{BASE}/jobs/bulk", json=thousand, headers=ours)
    assert response.get_json()["summary"]["inserted"] == 1000


def test_oversize_and_malformed_bodies(app, client, ours):
    big = job(description="x" * app.config["MAX_CONTENT_LENGTH"])
    is_problem(client.post(f"{BASE}/jobs", json=big, headers=ours), 413)
    is_problem(client.post(f"{BASE}/jobs", data="{", content_type="application/json",
                           headers=ours), 400)
    is_problem(client.post(f"{BASE}/jobs", data="x", content_type="text/plain", headers=ours), 415)
    long_text = job(title="t" * 201)
    is_problem(client.post(f"{BASE}/jobs", json=long_text, headers=ours), 422)


def test_rate_limit_answers_429_with_retry_after(settings):
    app = create_app({**settings, "TESTING": True, "PARTNER_RATE_LIMIT": "3 per minute"})
    try:
        app.extensions["vungbuoc"].save("partners", [make_partner()])
        key = app.extensions["vungbuoc_partners"].keys.issue("cty-test")
        client = app.test_client()
        codes = [client.get(f"{BASE}/jobs", headers=auth(key)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = client.get(f"{BASE}/jobs", headers=auth(key))
        is_problem(limited, 429)
        assert int(limited.headers["Retry-After"]) > 0
        assert client.post("/api/v1/matches", json={"profile": {"skills": ["hàn"]}},
                           headers=match_headers(app)).status_code == 200
    finally:
        app.extensions["vungbuoc"].close()


# -- OpenAPI ---------------------------------------------------------------------------

def test_openapi_document_describes_every_operation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    ops = [(path, method, op) for path, item in spec["paths"].items()
           for method, op in item.items() if method != "parameters"]
    assert len(ops) >= 17 and ("/api/v1/matches", "post") in [(p, m) for p, m, _ in ops]
    for path, method, op in ops:
        assert op["summary"], (path, method)
        media = [m for r in op["responses"].values() for m in r.get("content", {}).values()]
        media += list(op.get("requestBody", {}).get("content", {}).values())
        assert any("examples" in m for m in media) or method == "delete", (path, method)
    job_input = spec["components"]["schemas"]["JobPostingInput"]
    assert job_input["properties"]["title"]["maxLength"] == 200
    assert "partner_id" not in job_input["required"]


def test_docs_page_needs_no_cdn(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Create a job posting" in html and "JobPostingInput" in html
    assert "<script src" not in html and "https://" not in html.split("<body>")[0]
