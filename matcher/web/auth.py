"""Login, logout, the language switch, and the access checks every page uses."""
import functools
from urllib.parse import urlsplit

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from flask_babel import gettext
from marshmallow import ValidationError

from ..services.errors import AuthError
from . import services
from .forms import LoginSchema
from .i18n import LANGS

bp = Blueprint("auth", __name__)


def load_user():
    """Put the session's account (if still valid) in ``g.user``."""
    g.user = None
    if "uid" in session:
        g.user = services().accounts.session_user(session["uid"], session.get("sv"))
        if g.user is None:
            session.pop("uid", None)


def login_required(view):
    """Send people who are not logged in to the login page."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if not g.user.get("unit") and request.blueprint != "admin":
            # Admins without a unit see no profiles; their page is the audit log.
            if g.user["role"] == "admin":
                return redirect(url_for("admin.audit"))
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def admin_required(view):
    """Only administrators."""
    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if g.user["role"] != "admin":
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def _safe_next(target):
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/"):
        return target
    return url_for("profiles.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; check the credentials."""
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next"), error=None)
    try:
        form = LoginSchema().load(request.form)
        user = services().accounts.authenticate(form["username"], form["password"])
    except ValidationError:
        return render_template("login.html", next=request.form.get("next"),
                               error=gettext("Enter your user name and password.")), 400
    except AuthError as exc:
        services().audit.record(None, "login.failed", f"user:{request.form.get('username')}"[:100])
        if exc.reason == "throttled":
            error = gettext("Too many failed attempts. Try again in %(n)s seconds.", n=exc.wait)
        else:
            error = gettext("Wrong user name or password.")
        return render_template("login.html", next=request.form.get("next"), error=error), 401
    lang = session.get("lang")
    session.clear()
    session.update(uid=user["id"], sv=user["session_version"])
    if lang:
        session["lang"] = lang
    services().audit.record(user, "login", f"user:{user['id']}")
    return redirect(_safe_next(form.get("next")))


@bp.post("/logout")
def logout():
    """End the session."""
    if g.user:
        services().audit.record(g.user, "logout", f"user:{g.user['id']}")
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language():
    """Switch the interface language (kept in the session cookie)."""
    lang = request.form.get("lang")
    if lang in LANGS:
        session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")))
