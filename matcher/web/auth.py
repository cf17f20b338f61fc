"""Login, logout, password change, the language switch, and the access checks."""
import functools
from urllib.parse import urlsplit

from flask import (Blueprint, abort, flash, g, make_response, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext
from marshmallow import ValidationError

from ..security import client_ip, user_agent
from ..services import passwords
from ..services.errors import AuthError, InvalidDocument
from . import services
from .forms import LoginSchema, PasswordChangeSchema
from .i18n import LANGS

bp = Blueprint("auth", __name__)


def load_user():
    """Put the account of the session (if the session is still live) in ``g.user``."""
    if "user" in g:  # already loaded this request (e.g. by the match API's rate limit)
        return
    g.user = None
    token = session.get("sid")
    if token:
        g.user = services().accounts.session_user(token)
        if g.user is None:
            session.pop("sid", None)


def current_user():
    """The logged-in account of this request, or None (loads it if not yet loaded)."""
    if "user" not in g:
        load_user()
    return g.user


def _start_session(user):
    """A fresh session for ``user`` (never the one the browser had: no fixation)."""
    lang = session.get("lang")
    services().accounts.sessions.end(session.get("sid"))
    session.clear()
    session["sid"] = services().accounts.sessions.start(user["id"], client_ip(), user_agent())
    if lang:
        session["lang"] = lang


def login_required(view):
    """Send people who are not logged in to the login page."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if g.user["role"] == "province" and request.blueprint != "admin":
            # A province account sees counts per ward (the dashboard), never a case.
            return redirect(url_for("dashboard.index"))
        if not g.user.get("unit") and request.blueprint != "admin":
            # Admins without a unit see no profiles; their page is the audit log.
            if g.user["role"] == "admin":
                return redirect(url_for("admin.audit"))
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def login_required_any(view):
    """Any logged-in account, with or without a unit."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapped


def admin_required(view):
    """Only administrators."""
    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if g.user["role"] != "admin":
            services().audit.record(g.user, "access.denied", request.path[:100])
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
        services().audit.record(None, "login.failed", f"user:{request.form.get('username')}"[:100],
                                reason=exc.reason)
        return _refused(exc, "login.html", next=request.form.get("next"))
    _start_session(user)
    services().audit.record(user, "login", f"user:{user['id']}")
    return redirect(_safe_next(form.get("next")))


def _refused(exc, template, **context):
    """The form again after a refused password: 401, or 429 with Retry-After."""
    if exc.reason == "throttled":
        error = gettext("Too many failed attempts. Try again in %(n)s seconds.", n=exc.wait)
        response = make_response(render_template(template, error=error, **context), 429)
        response.headers["Retry-After"] = str(exc.wait)
        return response
    return render_template(template, error=gettext("Wrong user name or password."),
                           **context), 401


@bp.post("/logout")
def logout():
    """End the session, here and on the server."""
    if g.user:
        services().audit.record(g.user, "logout", f"user:{g.user['id']}")
    services().accounts.sessions.end(session.get("sid"))
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required_any
def change_password():
    """Change one's own password; every other session of the account ends."""
    if request.method == "GET":
        return render_template("password.html", errors={})
    try:
        form = PasswordChangeSchema().load(request.form)
    except ValidationError as exc:
        return render_template("password.html", errors={
            k: [gettext("Missing data for required field.")] for k in exc.messages}), 422
    if form["new_password"] != form["confirm"]:
        return render_template("password.html", errors={
            "confirm": [gettext("The two new passwords differ.")]}), 422
    found = passwords.problems(form["new_password"], g.user["username"],
                               services().accounts.min_password)
    if found:
        return render_template("password.html", errors={"new_password": [
            gettext(passwords.MESSAGES[rule], n=n) for rule, n in found]}), 422
    try:
        services().accounts.change_password(g.user, form["current"], form["new_password"])
    except AuthError as exc:
        if exc.reason == "throttled":
            return _refused(exc, "password.html", errors={})
        return render_template("password.html", errors={
            "current": [gettext("This is not your current password.")]}), 401
    except InvalidDocument as exc:
        return render_template("password.html", errors={
            e["field"]: [gettext(m) for m in e["messages"]] for e in exc.errors}), 422
    services().audit.record(g.user, "password.change", f"user:{g.user['id']}")
    _start_session(g.user)
    flash(gettext("Your password has been changed. Other sessions of your account have "
                  "ended."))
    return redirect(url_for(_home(g.user)))


def _home(user):
    """The first page of an account: its unit's profiles, the dashboard or the audit log."""
    if user["role"] == "province":
        return "dashboard.index"
    return "profiles.index" if user.get("unit") else "admin.audit"


@bp.post("/language")
def language():
    """Switch the interface language (kept in the session cookie)."""
    lang = request.form.get("lang")
    if lang in LANGS:
        session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/account", methods=["GET", "POST"])
@login_required_any
def account():
    """The account's settings: the e-mail address and the daily digest."""
    alerts = services().alerts
    if request.method == "GET":
        return render_template("account.html", values=alerts.settings(g.user), errors={})
    values = {"email": (request.form.get("email") or "")[:254],
              "digest_opt_in": request.form.get("digest_opt_in") == "y"}
    try:
        alerts.update_settings(g.user, values["email"], values["digest_opt_in"])
    except InvalidDocument as exc:
        message = (gettext("Enter an e-mail address to get the daily e-mail.")
                   if not values["email"].strip() else
                   gettext("This is not a valid e-mail address (for example: ten@example.vn)."))
        return render_template("account.html", values=values, errors={
            e["field"]: [message] for e in exc.errors}), 422
    flash(gettext("Your settings have been saved."))
    return redirect(url_for("auth.account"))
