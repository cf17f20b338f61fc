"""The match API: POST /api/v1/matches, GET /healthz."""
import json

from flask import Blueprint, current_app, jsonify, request

from indexer.errors import BackendError, InvalidDocument
from indexer.rawinput import loads, problems

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
        return loads(raw.decode("utf-8"))
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
    body = json_body()
    odd = problems(body)
    if odd:
        raise InvalidDocument(odd)
    body = _MATCH_REQUEST.load(body)
    settings = current_app.config
    result = ranking.match(body["profile"], service().backend, limit=body["limit"],
                           candidates=settings["MATCH_CANDIDATES"],
                           lang=language(body.get("lang")), corpus=service().corpus.get,
                           ranker=ranker_for(settings))
    if body["profile"].get("warnings"):
        result["warnings"] = [{**w, "field": f"profile.{w['field']}"}
                              for w in body["profile"]["warnings"]]
    return jsonify(result)


@bp.get("/healthz")
def healthz():
    """Report the backend, the counts and whether searches agree with the store.

    503 when the index cannot be read, or when it returns other documents than the
    store's open ones (missing, extra, stale or twice); writes still waiting in the
    outbox are reported as pending, not as a difference.
    """
    svc = service()
    body = {"status": "ok", "store": svc.store.counts()}
    try:
        body["index"] = svc.backend.health()
        checks = svc.verify(max_age=current_app.config["HEALTH_CHECK_SECONDS"])
    except BackendError as exc:
        body.update(status="degraded", index_error=str(exc))
        return jsonify(body), 503
    body["index"]["agrees"] = {kind: c.as_dict(limit=5) for kind, c in checks.items()}
    if not all(c.ok for c in checks.values()):
        body["status"] = "degraded"
        return jsonify(body), 503
    return jsonify(body)
