"""Vững Bước matcher: the Flask service (match API, partner API, officer web app)."""
import logging

from flask import Flask

from indexer.service import IndexerService
from indexer.settings import load_settings, secret_key


def create_app(test_config=None):
    """Build the app from settings (defaults, VUNGBUOC_* environment, ``test_config``)."""
    settings = load_settings(test_config)
    app = Flask(__name__)
    app.config.update(settings)
    app.config["SECRET_KEY"] = secret_key(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_CONTENT_LENGTH"]
    app.json.ensure_ascii = False
    app.json.sort_keys = False
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
