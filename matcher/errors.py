"""Errors: domain exceptions mapped to HTTP in one table, answered as problem+json.

API clients get ``application/problem+json`` (RFC 9457); validation errors are 422
with ``errors: [{field, messages}]``. Anything unexpected is a 500 with a generic
detail, and the traceback goes to the log only.
"""
import logging

from flask import jsonify, make_response, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from indexer.errors import (BackendError, Conflict, InvalidDocument, NotFound, VungBuocError,
                            flatten_errors)

from .partners import Forbidden, PreconditionFailed, Unauthorized

log = logging.getLogger(__name__)

# Domain exception → (status, title).
STATUS = {
    Unauthorized: (401, "Unauthorized"),
    Forbidden: (403, "Forbidden"),
    PreconditionFailed: (412, "Precondition failed"),
    InvalidDocument: (422, "Invalid input"),
    NotFound: (404, "Not found"),
    Conflict: (409, "Conflict"),
    BackendError: (503, "Search backend unavailable"),
}


class ProblemError(Exception):
    """An HTTP error raised from a view, with a problem+json body."""

    def __init__(self, status, title, detail=None, **extra):
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra


# Blueprints answered with problem+json whatever the client accepts.
API_BLUEPRINTS = ("api", "match_api", "partner_api", "partner_docs")


def wants_problem():
    """API clients get problem+json; people in a browser get an HTML page."""
    if request.blueprint in API_BLUEPRINTS or request.path.startswith("/api/") \
            or request.path == "/healthz":
        return True
    return request.accept_mimetypes.best in ("application/json", "application/problem+json")


def problem(status, title, detail=None, **extra):
    """A problem+json response (an HTML error page for browser routes)."""
    if not wants_problem():
        from .web import error_page
        return error_page(status)
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def register(app):
    """Install the error handlers on ``app``."""

    @app.errorhandler(ProblemError)
    def _problem(exc):
        return problem(exc.status, exc.title, exc.detail, **exc.extra)

    @app.errorhandler(ValidationError)
    def _validation(exc):
        return problem(422, "Invalid input", "Some fields are invalid.",
                       errors=flatten_errors(exc.messages))

    @app.errorhandler(VungBuocError)
    def _domain(exc):
        for cls, (status, title) in STATUS.items():
            if isinstance(exc, cls):
                extra = {"errors": exc.errors} if isinstance(exc, InvalidDocument) else {}
                if isinstance(exc, BackendError):
                    log.error("backend failure: %s", exc)
                    return problem(status, title, "The search index cannot answer right now; "
                                   "try again shortly. Stored data is safe.", **extra)
                return problem(status, title, str(exc) or None, **extra)
        return _unexpected(exc)

    @app.errorhandler(HTTPException)
    def _http(exc):
        response = make_response(problem(exc.code, exc.name, exc.description))
        # The exception's own headers: Allow on 405, Retry-After on 429, ...
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        if exc.code == 429 and "Retry-After" not in response.headers:
            from .ratelimit import retry_after
            response.headers["Retry-After"] = str(retry_after())
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return problem(500, "Internal Server Error", "Something went wrong on our side; "
                       "it has been logged.")
