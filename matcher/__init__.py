"""Vững Bước matcher: the Flask service (match API, partner API, officer web app)."""
import logging

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from indexer.service import IndexerService
from indexer.rawinput import json_safe
from indexer.settings import load_settings, secret_key


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, keeping Vietnamese as it is and escaping lone surrogates that an
    error message may echo (they cannot be encoded as UTF-8)."""

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj, **kwargs):
        """JSON text of ``obj``."""
        return json_safe(super().dumps(obj, **kwargs))


class VungBuocApp(Flask):
    """The Flask app class, with the JSON provider above."""

    json_provider_class = JSONProvider


def create_app(test_config=None):
    """Build the app from settings (defaults, VUNGBUOC_* environment, ``test_config``)."""
    settings = load_settings(test_config)
    app = VungBuocApp(__name__)
    app.config.update(settings)
    app.config["SECRET_KEY"] = secret_key(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_CONTENT_LENGTH"]
    logging.basicConfig(level=logging.INFO)

    app.extensions["vungbuoc"] = IndexerService.from_settings(settings)

    from . import api, errors, partner_api, ratelimit, security, web
    errors.register(app)
    security.init_app(app)
    limiter = ratelimit.make_limiter(app, app.extensions["vungbuoc"].store.engine)
    app.register_blueprint(api.bp)
    ratelimit.limit_api(limiter, api.match_bp, "MATCH_RATE_LIMIT", api.match_identity)
    app.register_blueprint(api.match_bp)
    partner_api.init_app(app, limiter)

    web.init_app(app)
    ratelimit.limit_login(limiter, app)
    return app
