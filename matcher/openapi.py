"""The OpenAPI 3.1 document of the partner and match APIs, built from the schemas.

Request and response bodies, the path's external_id and the list query come from the
marshmallow schemas (the one definition: ``indexer.schemas``, ``matcher.schemas``,
``ListQuerySchema``) through apispec's marshmallow plugin, with each schema's rules
across fields (``json_schema_rules``); this module only adds the paths, headers and
examples; ``matcher.apidocs`` renders it as one HTML page.
"""
import copy

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_instance
from marshmallow import fields, validate

from indexer.schemas import (FIRST_DAY, LAST_DAY, NOT_BLANK, JobPostingSchema,
                             TrainingCourseSchema)

from .partners import IDEMPOTENCY_KEY
from .schemas import HiddenSchema, MatchRequestSchema


WARNINGS_DESCRIPTION = ("What the write changed in your input without rejecting it: old "
                        "administrative units (before 2025-07-01, e.g. with a district) "
                        "converted to the current province and ward.")


class _Meta:
    version = fields.Integer(dump_only=True, metadata={"description": "Grows with every change."})
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    warnings = fields.List(fields.Dict(), dump_only=True, metadata={
        "description": WARNINGS_DESCRIPTION + " Only in the answer to a write; each item "
                       "is {field, message}."})


class JobPostingResource(JobPostingSchema):
    """A job posting as the API returns it."""

    version = _Meta.version
    created_at = _Meta.created_at
    updated_at = _Meta.updated_at
    warnings = _Meta.warnings


class TrainingCourseResource(TrainingCourseSchema):
    """A training course as the API returns it."""

    # Skills that do not resolve to taxonomy IDs move to skills_text, so this may be empty.
    skills_taught = fields.List(fields.String(), dump_only=True,
                                metadata={"description": "Taxonomy IDs of the skills taught."})
    version = _Meta.version
    created_at = _Meta.created_at
    updated_at = _Meta.updated_at
    warnings = _Meta.warnings


JOB_EXAMPLE = {
    "external_id": "TD-2026-017", "title": "Thợ hàn điện",
    "description": "Hàn kết cấu thép nhà xưởng, làm ca ngày. Không hỏi tiền án ở vòng đầu.",
    "occupation_code": "7212", "required_skills": ["welding_smaw"],
    "preferred_skills": ["đọc bản vẽ"],
    "location": {"province": "Thanh Hóa", "ward": "Phường Sầm Sơn",
                 "address": "Số 12 đường Hồ Xuân Hương", "lat": 19.7352, "lon": 105.9046},
    "employment_type": "full_time", "shifts": ["day"], "pay_min_vnd": 8000000,
    "pay_max_vnd": 10000000, "pay_period": "month", "openings": 3,
    "benefits": ["meals", "insurance"], "contact": {"name": "Chị Lan", "phone": "0237 3821 000"},
    "valid_from": "2026-01-01", "valid_through": "2026-12-31",
}
COURSE_EXAMPLE = {
    "external_id": "KH-HAN-MIG-01", "title": "Hàn MIG cơ bản",
    "description": "Khóa học hàn MIG/MAG cho người mới, có thực hành tại xưởng.",
    "occupation_code": "7212", "skills_taught": ["welding_mig"],
    "location": {"province_code": "38", "ward_code": "16516"},
    "level": "so_cap", "schedule": "Tối thứ 2, 4, 6", "start_dates": ["2026-09-07"],
    "duration_weeks": 8, "cost_vnd": 0, "funding": "free", "seats": 20,
    "valid_from": "2026-01-01", "valid_through": "2026-12-31",
}
# What the API stores for the examples' locations (names and codes of the current units).
STORED_LOCATIONS = {
    "TD-2026-017": {"province": "Thanh Hóa", "province_code": "38", "ward": "Phường Sầm Sơn",
                    "ward_code": "16531", "address": "Số 12 đường Hồ Xuân Hương",
                    "lat": 19.7352, "lon": 105.9046},
    "KH-HAN-MIG-01": {"province": "Thanh Hóa", "province_code": "38",
                      "ward": "Phường Nam Sầm Sơn", "ward_code": "16516", "address": None,
                      "lat": 19.7169, "lon": 105.847},
}
LEGACY_LOCATION = {"province": "Thanh Hóa", "district": "Thành phố Sầm Sơn",
                   "ward": "Phường Trường Sơn"}
LEGACY_WARNING = {"field": "location", "message": (
    "Converted to the units in force since 2025-07-01: 'Phường Trường Sơn, Thành phố Sầm "
    "Sơn, Thanh Hóa' is now Phường Sầm Sơn, Thanh Hóa (16531).")}
KINDS = {
    "jobs": ("job posting", JobPostingSchema, JobPostingResource, "JobPosting", JOB_EXAMPLE),
    "courses": ("training course", TrainingCourseSchema, TrainingCourseResource,
                "TrainingCourse", COURSE_EXAMPLE),
}
WARNINGS_SCHEMA = {"type": "array", "description": WARNINGS_DESCRIPTION, "items": {
    "type": "object", "required": ["field", "message"],
    "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}
PROBLEM = {"type": "object", "required": ["type", "title", "status"], "properties": {
    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
    "detail": {"type": "string"}, "instance": {"type": "string"},
    "errors": {"type": "array", "items": {
        "type": "object", "required": ["field", "messages"],
        "properties": {"field": {"type": "string"},
                       "messages": {"type": "array", "items": {"type": "string"}}}}}}}
ERRORS = {
    400: "Malformed JSON.", 401: "Missing or unknown API key.",
    403: "The API key was revoked (or may not be used here).",
    404: "No such document among yours.", 409: "Conflict (external_id in use, or an "
    "Idempotency-Key still in progress or reused with a different body).",
    405: "'bulk' is not an external_id: /bulk is the bulk route, which allows POST only "
         "(see `Allow`).",
    412: "If-Match does not match the current ETag.", 413: "Body too large.",
    415: "Not JSON.", 422: "Invalid fields: see `errors`.",
    429: "Too many requests for this key; retry after `Retry-After` seconds.",
    503: "The search index is unavailable.",
}


def _problem_ref(status):
    return {"description": ERRORS[status], "content": {"application/problem+json": {
        "schema": {"$ref": "#/components/schemas/Problem"}}},
        **({"headers": {HEADER[status]: {"required": True, "schema": {"type": "string"}}}}
           if status in HEADER else {})}


# The header an error response always carries.
HEADER = {405: "Allow", 429: "Retry-After"}


def _responses(ok, *errors, auth=True):
    out = dict(ok)
    codes = set(errors) | ({401, 403, 429} if auth else set())
    for status in sorted(codes):
        out[str(status)] = _problem_ref(status)
    return out


def _json_body(ref, example, summary):
    return {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{ref}"},
        "examples": {"example": {"summary": summary, "value": example}}}}}


def _doc_response(name, example, description, status="200"):
    headers = {"ETag": {"description": "Send it back in If-Match to update safely.",
                        "schema": {"type": "string"}}}
    if status == "201":
        headers["Location"] = {"schema": {"type": "string"}}
    out = {**example, "location": STORED_LOCATIONS[example["external_id"]],
           "partner_id": "cty-co-khi-sam-son", "version": 1,
           "created_at": "2026-03-02T08:15:00Z", "updated_at": "2026-03-02T08:15:00Z"}
    return {status: {"description": description, "headers": headers, "content": {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"},
                             "examples": {"example": {"value": out}}}}}}


IF_MATCH = {"name": "If-Match", "in": "header", "required": False,
            "description": "The ETag you read; the write fails with 412 if the document "
                           "changed since.", "schema": {"type": "string"}, "example": '"v1"'}
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "description": "A unique value (e.g. a UUID) per intended request: a retry "
                              "with the same key and body returns the first response and "
                              "creates nothing twice.",
               # What matcher.partners checks: an empty value is refused, not ignored.
               "schema": {"type": "string", "pattern": f"^{IDEMPOTENCY_KEY.pattern}$"},
               "example": "5f1c2a0e-7d4b-4b8e-9a51-0c3f2d9e8b11"}


def _kind_paths(kind, external_id, list_query):
    label, _schema, _resource, name, example = KINDS[kind]
    base = f"/api/v1/partner/{kind}"
    tag = [kind]
    body_errors = (400, 413, 415, 422)
    page = {"type": "object", "required": ["items", "next_cursor"], "properties": {
        "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
        "next_cursor": {"type": ["string", "null"]}}}
    bulk_example = {"items": [example, {**example, "external_id": "X-2", "title": ""},
                              {**example, "external_id": "X-3", "location": LEGACY_LOCATION}]}
    return {
        base: {
            "get": {"tags": tag, "summary": f"List your {label}s",
                    "description": "Ordered by external_id; follow `next_cursor` for more.",
                    "parameters": [{"in": "query", "schema": list_query}],
                    "responses": _responses({"200": {"description": "A page.", "content": {
                        "application/json": {"schema": page, "examples": {"example": {
                            "value": {"items": [], "next_cursor": None}}}}}}}, 422)},
            "post": {"tags": tag, "summary": f"Create a {label}",
                     "parameters": [IDEMPOTENCY],
                     "requestBody": _json_body(f"{name}Input", example, f"A {label}"),
                     "responses": _responses(_doc_response(name, example, "Created.", "201"),
                                             409, *body_errors)}},
        f"{base}/bulk": {
            "post": {"tags": tag, "summary": f"Create or replace up to 1,000 {label}s",
                     "description": "Each item is applied or rejected on its own; the answer "
                                    "has one result per item, in order.",
                     "parameters": [IDEMPOTENCY],
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"type": "object", "required": ["items"],
                                    "additionalProperties": False, "properties": {"items": {
                                        "type": "array", "minItems": 1, "maxItems": 1000,
                                        "description": f"Objects shaped like {name}Input, each "
                                                       "validated on its own: an invalid item "
                                                       "is an error in the results, not a 422.",
                                        "items": {}}}},
                         "examples": {"example": {"summary": "One valid, one invalid",
                                                  "value": bulk_example}}}}},
                     "responses": _responses({"200": {"description": "Per-item results.",
                                                      "content": {"application/json": {
                                                          "schema": {"$ref": "#/components/schemas/BulkResult"},
                                                          "examples": {"example": {"value": {
                                                              "summary": {"inserted": 2, "updated": 0,
                                                                          "unchanged": 0, "error": 1},
                                                              "results": [
                                                                  {"index": 0, "external_id": example["external_id"],
                                                                   "status": "inserted", "version": 1},
                                                                  {"index": 1, "external_id": "X-2", "status": "error",
                                                                   "errors": [{"field": "title", "messages": [
                                                                       "Missing data for required field."]}]},
                                                                  {"index": 2, "external_id": "X-3",
                                                                   "status": "inserted", "version": 1,
                                                                   "warnings": [LEGACY_WARNING]}]}}}}}}},
                                             409, *body_errors)}},
        f"{base}/{{external_id}}": {
            "parameters": [external_id],
            "get": {"tags": tag, "summary": f"Read one of your {label}s",
                    "responses": _responses(_doc_response(name, example, "The document."),
                                            404, 405)},
            "put": {"tags": tag, "summary": f"Create or replace a {label} by your external_id",
                    "parameters": [IF_MATCH],
                    "requestBody": _json_body(f"{name}Replace",
                                              {k: v for k, v in example.items()
                                               if k != "external_id"}, f"A {label}"),
                    "responses": _responses({**_doc_response(name, example, "Replaced."),
                                             **_doc_response(name, example, "Created.", "201")},
                                            404, 405, 412, *body_errors)},
            "patch": {"tags": tag, "summary": f"Change some fields of a {label}",
                      "description": "A JSON merge patch (RFC 7396): objects merge, null "
                                     "removes a field, anything else replaces it. The "
                                     f"result must be a valid {name}Input (its rules "
                                     "across fields included), or the answer is 422.",
                      "parameters": [IF_MATCH],
                      "requestBody": _json_body(f"{name}Patch", {"openings": 5},
                                                "More openings"),
                      "responses": _responses(_doc_response(name, example, "Changed."),
                                              404, 405, 412, *body_errors)},
            "delete": {"tags": tag, "summary": f"Delete a {label}", "parameters": [IF_MATCH],
                       "responses": _responses({"204": {"description": "Deleted."}},
                                               404, 405, 412)}},
        f"{base}/{{external_id}}/close": {
            "parameters": [external_id],
            "post": {"tags": tag, "summary": f"Close a {label}",
                     "description": "It stays readable but no longer appears in matches.",
                     "parameters": [IF_MATCH],
                     "responses": _responses(_doc_response(name, {**example, "status": "closed"},
                                                           "Closed."), 404, 412)}},
    }


MATCH_EXAMPLE = {"profile": {"skills": ["hàn que"], "location": {
    "province": "Thanh Hóa", "ward": "Phường Sầm Sơn", "lat": 19.7352, "lon": 105.9046},
    "max_commute_km": 20}, "limit": 5}


def build(settings=None):
    """The OpenAPI document as a dict."""
    plugin = _RulesPlugin()
    spec = APISpec(
        title="Vững Bước API", version="1.0.0", openapi_version="3.1.0",
        plugins=[plugin],
        info={"description": "Partner API (jobs and training courses of partner "
                             "businesses) and the match API. Partner routes need "
                             "`Authorization: Bearer <key>`."},
        servers=[{"url": "/"}])
    spec.components.security_scheme("partnerKey", {"type": "http", "scheme": "bearer",
                                                   "description": "vb_<prefix>_<secret>"})
    spec.components.security_scheme("clientKey", {
        "type": "http", "scheme": "bearer",
        "description": "An API client key with the match scope (`matcher clients create`); "
                       "partner keys are refused."})
    spec.components.security_scheme("officerSession", {
        "type": "apiKey", "in": "cookie", "name": "session",
        "description": "The officer web app's session (log in at /login)."})
    spec.components.schema("Problem", copy.deepcopy(PROBLEM))
    spec.components.schema("BulkResult", {"type": "object", "required": ["summary", "results"],
                                          "properties": {
        "summary": {"type": "object", "additionalProperties": {"type": "integer"}},
        "results": {"type": "array", "items": {
            "type": "object", "required": ["index", "status"], "properties": {
                "index": {"type": "integer"}, "external_id": {"type": ["string", "null"]},
                "status": {"type": "string",
                           "enum": ["inserted", "updated", "unchanged", "error"]},
                "version": {"type": "integer"},
                "errors": PROBLEM["properties"]["errors"],
                "warnings": WARNINGS_SCHEMA}}}}})
    from .partner_api import ListQuerySchema  # the views import this module
    external_id = {"name": "external_id", "in": "path", "required": True,
                   "schema": plugin.converter.field2property(
                       JobPostingSchema().fields["external_id"]),
                   "example": "TD-2026-017"}
    for kind, (_label, schema, res, name, _ex) in KINDS.items():
        spec.components.schema(name, schema=res)
        # partner_id comes from the key and external_id (PUT, PATCH) from the URL: the
        # server accepts them only when they repeat those, so the documents leave them out.
        spec.components.schema(f"{name}Input",
                               schema=schema(exclude=("skills_text", "partner_id")))
        spec.components.schema(f"{name}Replace", schema=schema(
            exclude=("skills_text", "partner_id", "external_id")))
        for path, ops in _kind_paths(kind, external_id, ListQuerySchema).items():
            params = ops.pop("parameters", [])
            for op in ops.values():
                op["security"] = [{"partnerKey": []}]
            spec.path(path=path, operations=ops, parameters=params)
    spec.components.schema("MatchRequest", schema=MatchRequestSchema)
    spec.components.schema("Hidden", schema=HiddenSchema)
    _not_blank(spec.components.schemas)
    for kind, (_label, _schema, _res, name, _ex) in KINDS.items():
        schemas = spec.components.schemas
        schemas[f"{name}Patch"] = _patch_of(schemas[f"{name}Replace"], schemas)
    spec.path(path="/api/v1/matches", operations={"post": {
        "tags": ["matches"], "summary": "Rank jobs and courses for a returnee profile",
        "description": "For officers' tools: an officer's session or an API client key "
                       "with the match scope. Partners never see profiles (their keys get "
                       "403). Every call is audited, without the profile.",
        "security": [{"clientKey": []}, {"officerSession": []}],
        "requestBody": _json_body("MatchRequest", MATCH_EXAMPLE, "A welder"),
        "responses": _responses({"200": {"description": "Ranked jobs and courses with reasons.",
                                         "content": {"application/json": {"schema": {
                                             "type": "object", "required": ["jobs", "courses"],
                                             "properties": {"jobs": {"type": "array"},
                                                            "courses": {"type": "array"},
                                                            "hidden": {"$ref": "#/components/schemas/Hidden"},
                                                            "warnings": WARNINGS_SCHEMA}},
                                             "examples": {"example": {"value": {
                                                 "jobs": [], "courses": []}}}}}}},
                                400, 413, 415, 422, 503)}})
    return spec.to_dict()


def _not_blank(node):
    """Texts are stripped before their minimum length is checked (indexer.schemas.Text),
    so one of spaces only is too short: a required text needs a non-space character."""
    if isinstance(node, dict):
        if (node.get("minLength") or 0) >= 1 and "pattern" not in node:
            node["pattern"] = NOT_BLANK
        for value in node.values():
            _not_blank(value)
    elif isinstance(node, list):
        for value in node:
            _not_blank(value)


# Dates from indexer.schemas.FIRST_DAY to LAST_DAY: JSON Schema compares no dates, so
# the years are a pattern.
DATE_PATTERN = r"^(20[0-9]{2}|2100)-"


def _validator_keywords(self, field, ret, **kwargs):
    """JSON Schema for the validators apispec does not translate: NoneOf, a date range."""
    out = {}
    for check in field.validators:
        if isinstance(check, validate.NoneOf):
            out["not"] = {"enum": list(check.iterable)}
        elif isinstance(check, validate.Range) and isinstance(field, fields.Date):
            if (check.min, check.max) != (FIRST_DAY, LAST_DAY):
                raise ValueError(f"no pattern for the date range of {field.name}")
            out["pattern"] = DATE_PATTERN
    return out


class _Converter(MarshmallowPlugin.Converter):
    def init_attribute_functions(self, *args, **kwargs):
        super().init_attribute_functions(*args, **kwargs)
        self.add_attribute_function(_validator_keywords)


class _RulesPlugin(MarshmallowPlugin):
    """apispec's marshmallow plugin, adding each schema's rules across fields
    (``json_schema_rules``, beside the validators that enforce them) as ``allOf``."""

    Converter = _Converter

    def schema_helper(self, name, definition, schema=None, **kwargs):
        out = super().schema_helper(name, definition, schema=schema, **kwargs)
        rules = getattr(resolve_schema_instance(schema), "json_schema_rules", ()) \
            if schema is not None else ()
        if out is not None and rules:
            out["allOf"] = copy.deepcopy(list(rules))
        return out


def _patch_of(replace, components):
    """The body of a JSON merge patch of a document whose full body is ``replace``.

    A patch may name any field (nested objects in part: they merge) and null removes an
    optional field; whether the merged document is valid, the rules across fields
    included, depends on what is stored, so the patch schema has no required fields
    and no rules, and the server answers 422 for a result that is not valid.
    """
    out = {k: v for k, v in replace.items() if k not in ("required", "allOf", "anyOf")}
    required = set(replace.get("required", []))
    props = {}
    for name, prop in replace.get("properties", {}).items():
        prop = _inline(prop, components)
        prop.pop("default", None)
        props[name] = prop if name in required else _nullable(prop)
    out["properties"] = props
    return out


def _inline(prop, components):
    """``prop`` with a nested object ($ref, or $ref-or-null) as a patch of its own."""
    prop = copy.deepcopy(prop)
    if "$ref" in prop:
        return _patch_of(components[prop["$ref"].rsplit("/", 1)[-1]], components)
    if "anyOf" in prop:
        prop["anyOf"] = [_inline(p, components) for p in prop["anyOf"]]
    return prop


def _nullable(prop):
    prop = copy.deepcopy(prop)
    if "type" in prop:
        kinds = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
        prop["type"] = kinds + ["null"] if "null" not in kinds else kinds
        if "enum" in prop and None not in prop["enum"]:
            prop["enum"] = prop["enum"] + [None]
    elif not any(p.get("type") == "null" for p in prop.get("anyOf", [])):
        prop = {"anyOf": [prop, {"type": "null"}]}
    return prop
