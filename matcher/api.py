"""The match API: POST /api/v1/matches, GET /healthz.

Matching takes a returnee profile, so only officers' tools may call it: an officer's
session (the web app's cookie) or an API client key with the ``match`` scope (``matcher
clients create``). Partner keys are refused (403): partners never see profiles. Every
call is audited (who, from where, how many results), never the profile itself.
"""
import json

from flask import Blueprint, current_app, g, jsonify, request

from indexer.errors import BackendError, InvalidDocument
from indexer.rawinput import loads, problems
from indexer.schemas import json_number_errors

from . import eligibility, ranking
from .errors import ProblemError
from .ranker import ranker_for
from .schemas import MatchRequestSchema

bp = Blueprint("api", __name__)
match_bp = Blueprint("match_api", __name__)
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


def _match_caller():
    """(rate-limit identity, actor) of the caller, or (None, ProblemError); cached in g."""
    if "match_caller" in g:
        return g.match_caller
    from .web.auth import current_user
    officers = current_app.extensions["officers"]
    header = request.headers.get("Authorization")
    caller = None, ProblemError(401, "Unauthorized", "Log in as an officer, or send an API "
                                "client key with the match scope as 'Authorization: Bearer "
                                "<key>'.")
    if header:
        scheme, _, raw = header.partition(" ")
        raw = raw.strip() if scheme.lower() == "bearer" else ""
        client = officers.clients.check(raw)
        if client is None:
            if raw and current_app.extensions["vungbuoc_partners"].keys.check(raw):
                caller = None, ProblemError(403, "Forbidden", "Partner keys cannot use the "
                                            "match API.")
            else:
                caller = None, ProblemError(401, "Unauthorized", "The API key is not valid.")
        elif client["revoked"]:
            caller = None, ProblemError(403, "Forbidden", "This API key has been revoked.")
        elif "match" not in client["scopes"]:
            caller = None, ProblemError(403, "Forbidden", "This API key has no match scope.")
        else:
            caller = f"client:{client['prefix']}", client
    else:
        user = current_user()
        if user is not None and user.get("unit"):
            caller = f"officer:{user['id']}", user
    g.match_caller = caller
    return caller


def match_identity():
    """The rate-limit key of a verified match caller, or None."""
    return _match_caller()[0]


@match_bp.post("/api/v1/matches")
def matches():
    """Rank jobs and training courses for a returnee profile."""
    identity, actor = _match_caller()
    if identity is None:
        raise actor
    body = json_body()
    odd = problems(body) + json_number_errors(_MATCH_REQUEST, body)
    if odd:
        raise InvalidDocument(odd)
    body = _MATCH_REQUEST.load(body)
    settings = current_app.config
    result = ranking.match(body["profile"], service().backend, limit=body["limit"],
                           candidates=settings["MATCH_CANDIDATES"],
                           lang=language(body.get("lang")), corpus=service().corpus.get,
                           ranker=ranker_for(settings),
                           partners=eligibility.partners_of(service().store),
                           fair_chance_only=body["fair_chance_only"],
                           hidden_limit=body["hidden_limit"])
    if body["profile"].get("warnings"):
        result["warnings"] = [{**w, "field": f"profile.{w['field']}"}
                              for w in body["profile"]["warnings"]]
    current_app.extensions["officers"].audit.record(
        actor, "match.api", None, jobs=len(result["jobs"]), courses=len(result["courses"]))
    return jsonify(result)


@match_bp.after_request
def _match_headers(response):
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="match-api"'
    return response


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
