"""The match API: POST /api/v1/matches, GET /healthz."""
import json

from flask import Blueprint, current_app, jsonify, request

from indexer.errors import BackendError

from . import ranking
from .errors import ProblemError
from .ranker import ranker_for
from .schemas import MatchRequestSchema

bp = Blueprint("api", __name__)
_MATCH_REQUEST = MatchRequestSchema()


def json_body():
    """The request's JSON object, or a 415/400 problem."""
    if not request.is_json:
        raise ProblemError(415, "Unsupported Media Type", "Send JSON with "
                           "'Content-Type: application/json'.")
    raw = request.get_data(cache=True)
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProblemError(400, "Malformed JSON", f"The body is not valid JSON: {exc}") from None


def language(explicit=None):
    """The response language: explicit, then Accept-Language, then Vietnamese."""
    return explicit or request.accept_languages.best_match(["vi", "en"]) or "vi"


def service():
    """The indexer service of this app."""
    return current_app.extensions["vungbuoc"]


@bp.post("/api/v1/matches")
def matches():
    """Rank jobs and training courses for a returnee profile."""
    body = _MATCH_REQUEST.load(json_body())
    settings = current_app.config
    result = ranking.match(body["profile"], service().backend, limit=body["limit"],
                           candidates=settings["MATCH_CANDIDATES"],
                           lang=language(body.get("lang")), corpus=service().corpus.get,
                           ranker=ranker_for(settings))
    return jsonify(result)


@bp.get("/healthz")
def healthz():
    """Report the backend and document counts; 503 when the backend is down."""
    svc = service()
    body = {"status": "ok", "store": svc.store.counts()}
    try:
        body["index"] = svc.backend.health()
    except BackendError as exc:
        body.update(status="degraded", index_error=str(exc))
        return jsonify(body), 503
    return jsonify(body)
