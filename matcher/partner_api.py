"""The partner API: partners post and manage their own jobs and training courses.

Every route under /api/v1/partner/ needs ``Authorization: Bearer <key>``; the partner
comes from the key, never from the body. Views are thin: parse, call
``matcher.partners.PartnerService``, render. The OpenAPI document and its docs page
are served from /api/v1/openapi.json and /api/v1/docs.
"""
import json
import re

from flask import Blueprint, Response, current_app, g, request, url_for
from flask.views import MethodView
from marshmallow import RAISE, Schema, fields, validate
from werkzeug.routing import BaseConverter

from indexer.keys import parse_key
from indexer.schemas import RESERVED_IDS
from indexer.rawinput import loads

from . import apidocs, openapi, ratelimit
from .api import json_body
from .partners import (BULK_MAX, CURSOR_PATTERN, Forbidden, PartnerService, Unauthorized, dumps,
                       request_fingerprint, resource)
from .partners import etag as etag_of

bp = Blueprint("partner_api", __name__)
PREFIX = "/api/v1/partner"
KIND = "<any(jobs, courses):kind>"


class ExternalIdConverter(BaseConverter):
    """A path segment that can be an external_id: not 'bulk' (the bulk route's, which
    then answers 405 with its own Allow for other methods), '.' or '..'."""

    regex = "(?!(?:" + "|".join(map(re.escape, RESERVED_IDS)) + ")$)[^/]+"


class ListQuerySchema(Schema):
    """Query string of the list endpoints."""

    class Meta:
        unknown = RAISE

    status = fields.String(validate=validate.OneOf(["open", "closed"]))
    updated_since = fields.AwareDateTime(default_timezone=None, metadata={
        "description": "Changed at or after (ISO 8601).", "example": "2026-03-01T00:00:00Z"})
    updated_before = fields.AwareDateTime(default_timezone=None, metadata={
        "description": "Changed before (ISO 8601)."})
    limit = fields.Integer(validate=validate.Range(1, 100), load_default=20,
                           metadata={"description": "Page size."})
    # Unpadded base64url, as encode_cursor writes it (never 1 character over a group of 4).
    cursor = fields.String(validate=[validate.Length(1, 200), validate.Regexp(
        CURSOR_PATTERN, error="Not a valid cursor.")], metadata={
        "description": "`next_cursor` of the previous page."})


class BulkSchema(Schema):
    """Body of a bulk upsert: the items are validated one by one, not here."""

    class Meta:
        unknown = RAISE

    # Anything, null included: each item is checked on its own and reported in the results.
    items = fields.List(fields.Raw(allow_none=True), required=True,
                        validate=validate.Length(min=1, max=BULK_MAX))


def partners():
    """The partner service of this app."""
    return current_app.extensions["vungbuoc_partners"]


def _json(status, body, headers=None):
    return Response(body if isinstance(body, str) else dumps(body), status,
                    headers=headers or {}, mimetype="application/json")


def _document(row, status=200, warnings=None, **headers):
    """A document response with its ETag (and the write's warnings, if any)."""
    return _json(status, resource(row, warnings), {"ETag": etag_of(row), **headers})


def _location(kind, external_id):
    return url_for("partner_api.document", kind=kind, external_id=external_id)


def _idempotent(produce):
    """Run ``produce`` under the request's Idempotency-Key, if any."""
    if request.headers.get("Idempotency-Key") is None:
        # No key, nothing to remember: skip canonicalising the body (24 ms of CPU for a
        # 1,000-item bulk request).
        return _json(*produce())
    body = request.get_data(cache=True)
    try:
        canonical = json.dumps(loads(body), sort_keys=True).encode()
    except ValueError:
        canonical = body
    status, text, headers = partners().idempotent(
        g.partner_id, request.headers.get("Idempotency-Key"),
        request_fingerprint(request.method, request.path, canonical), produce)
    return _json(status, text, headers)


def _verified_partner():
    """(partner ID, key prefix) of the request's key, or the Unauthorized/Forbidden error
    it deserves; checked once per request (the rate limit asks first)."""
    if "partner_auth" not in g:
        header = request.headers.get("Authorization")
        try:
            partner_id = partners().authenticate(header)
            g.partner_auth = partner_id, parse_key(header.partition(" ")[2].strip())
        except (Unauthorized, Forbidden) as exc:
            g.partner_auth = exc
    return g.partner_auth


def partner_identity():
    """The rate-limit key of a verified partner key, or None."""
    auth = _verified_partner()
    return None if isinstance(auth, Exception) else f"key:{auth[1]}"


@bp.before_request
def _authenticate():
    """Every partner route needs a valid, unrevoked key."""
    auth = _verified_partner()
    if isinstance(auth, Exception):
        raise auth
    g.partner_id = auth[0]


@bp.after_request
def _headers(response):
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="partner-api"'
    response.headers["Cache-Control"] = "no-store"
    return response


class DocumentsView(MethodView):
    """The partner's jobs or courses."""

    def get(self, kind):
        """List the partner's documents, filtered, one page at a time."""
        query = ListQuerySchema().load(request.args.to_dict())
        rows, cursor = partners().list(kind, g.partner_id, **query)
        return _json(200, {"items": [resource(r) for r in rows], "next_cursor": cursor})

    def post(self, kind):
        """Create a document (409 if its external_id exists)."""
        body = json_body()

        def produce():
            row, warnings = partners().create(kind, g.partner_id, body)
            return 201, dumps(resource(row, warnings)), {"ETag": etag_of(row),
                                               "Location": _location(kind, row["external_id"])}
        return _idempotent(produce)


class DocumentView(MethodView):
    """One of the partner's documents, by the partner's external_id."""

    def get(self, kind, external_id):
        """Read a document."""
        return _document(partners().get(kind, g.partner_id, external_id))

    def put(self, kind, external_id):
        """Create or replace a document."""
        row, created, warnings = partners().put(kind, g.partner_id, external_id, json_body(),
                                                request.headers.get("If-Match"))
        if created:
            return _document(row, 201, warnings, Location=_location(kind, external_id))
        return _document(row, warnings=warnings)

    def patch(self, kind, external_id):
        """Change some fields of a document."""
        row, warnings = partners().patch(kind, g.partner_id, external_id, json_body(),
                                         request.headers.get("If-Match"))
        return _document(row, warnings=warnings)

    def delete(self, kind, external_id):
        """Delete a document."""
        partners().delete(kind, g.partner_id, external_id, request.headers.get("If-Match"))
        return Response(status=204)


class CloseView(MethodView):
    """Closing a document."""

    def post(self, kind, external_id):
        """Close a document: it stays readable but leaves the matches."""
        return _document(partners().close(kind, g.partner_id, external_id,
                                          request.headers.get("If-Match")))


class BulkView(MethodView):
    """Bulk upsert."""

    def post(self, kind):
        """Create or replace up to 1,000 documents; one result per item."""
        body = BulkSchema().load(json_body())

        def produce():
            results = partners().bulk(kind, g.partner_id, body["items"])
            summary = {s: sum(r["status"] == s for r in results)
                       for s in ("inserted", "updated", "unchanged", "error")}
            return 200, dumps({"summary": summary, "results": results}), {}
        return _idempotent(produce)


bp.add_url_rule(f"{PREFIX}/{KIND}", view_func=DocumentsView.as_view("documents"))
bp.add_url_rule(f"{PREFIX}/{KIND}/bulk", view_func=BulkView.as_view("bulk"))
bp.add_url_rule(f"{PREFIX}/{KIND}/<external_id:external_id>", view_func=DocumentView.as_view("document"))
bp.add_url_rule(f"{PREFIX}/{KIND}/<external_id:external_id>/close", view_func=CloseView.as_view("close"))

docs_bp = Blueprint("partner_docs", __name__)


@docs_bp.get("/api/v1/openapi.json")
def openapi_json():
    """The OpenAPI 3.1 document of the partner and match APIs."""
    spec = current_app.extensions.get("vungbuoc_openapi")
    if spec is None:
        spec = current_app.extensions["vungbuoc_openapi"] = openapi.build(current_app.config)
    return current_app.response_class(json.dumps(spec, ensure_ascii=False),
                                      mimetype="application/json")


@docs_bp.get("/api/v1/docs")
def docs_page():
    """A readable page of the OpenAPI document, with no external assets."""
    spec = json.loads(openapi_json().get_data())
    return apidocs.render_html(spec)


def init_app(app, limiter):
    """Register the partner API, its docs and its rate limits on ``app``."""
    app.extensions["vungbuoc_partners"] = PartnerService(
        app.extensions["vungbuoc"],
        idempotency_ttl_hours=app.config["PARTNER_IDEMPOTENCY_TTL_HOURS"])
    ratelimit.limit_api(limiter, bp, "PARTNER_RATE_LIMIT", partner_identity)
    app.url_map.converters["external_id"] = ExternalIdConverter
    app.register_blueprint(bp)
    app.register_blueprint(docs_bp)
    # Bulk bodies may be larger than other requests.
    app.before_request(_bulk_body_limit)


def _bulk_body_limit():
    if request.endpoint == "partner_api.bulk":
        request.max_content_length = current_app.config["PARTNER_BULK_MAX_CONTENT_LENGTH"]


__all__ = ["bp", "docs_bp", "init_app"]
