"""The officer web app: server-rendered pages, Vietnamese first, usable without JavaScript."""
from flask import g, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFProtect

from ..models import create_all
from ..services import OfficerServices
from . import i18n
from .messages import HTTP_DETAILS, HTTP_TITLES

# JSON APIs take no forms. The partner API authenticates with keys only; the match API
# also takes an officer's session cookie, which a cross-site page cannot use there: the
# cookie is SameSite=Lax and the API accepts only application/json, which a cross-site
# request cannot send without a CORS preflight that this app never grants.
CSRF_EXEMPT = ("api", "match_api", "partner_api")


class _CSRFProtect(CSRFProtect):
    """CSRFProtect that exempts the API blueprints by name, whenever they are registered."""

    def _is_exempt(self):
        return request.blueprint in CSRF_EXEMPT or super()._is_exempt()


csrf = _CSRFProtect()


def services():
    """The officer services of the current app."""
    from flask import current_app
    return current_app.extensions["officers"]


def error_page(status, title=None):
    """An HTML error page in the current language."""
    status = status if status in HTTP_TITLES else 500
    return render_template("error.html", status=status, title=gettext(HTTP_TITLES[status]),
                           detail=gettext(HTTP_DETAILS[status])), status


def init_app(app):
    """Register the officer web app on ``app`` (after the API blueprints)."""
    env = app.config.get("ENVIRONMENT", "production")
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not (app.testing or env in ("development", "testing")),
        WTF_CSRF_TIME_LIMIT=None, BABEL_DEFAULT_TIMEZONE="Asia/Ho_Chi_Minh")
    csrf.init_app(app)
    i18n.init_app(app)
    indexer = app.extensions["vungbuoc"]
    create_all(indexer.store.engine)
    app.extensions["officers"] = OfficerServices(indexer.store.engine, indexer, app.config)

    from . import admin, auth, dashboard, help, profiles, referrals, support
    for module in (auth, profiles, referrals, support, dashboard, admin, help):
        app.register_blueprint(module.bp)
    app.before_request(auth.load_user)

    @app.context_processor
    def _globals():
        return {"current_user": g.get("user"), "request": request}
