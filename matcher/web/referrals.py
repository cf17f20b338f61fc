"""Referrals and their outcomes, and the follow-up list."""
from flask import (Blueprint, abort, current_app, g, redirect, render_template, request,
                   url_for)
from flask_babel import gettext
from marshmallow import ValidationError

from indexer.errors import BackendError, NotFound

from ..services.errors import TransitionError
from . import services
from .auth import login_required
from .forms import OutcomeSchema, ReferralSchema
from .i18n import lang
from .messages import TRANSITION_ERRORS

bp = Blueprint("referrals", __name__)


@bp.post("/profiles/<int:profile_id>/referrals")
@login_required
def create(profile_id):
    """Refer a profile to a job or a course."""
    try:
        form = ReferralSchema().load(request.form)
        referral_id = services().referrals.create(g.user, profile_id, form["kind"],
                                                  form["doc_id"])
    except (ValidationError, NotFound):
        abort(404)
    return redirect(url_for("referrals.show", referral_id=referral_id))


@bp.route("/referrals/<int:referral_id>", methods=["GET", "POST"])
@login_required
def show(referral_id):
    """A referral, its history, and the form for its next outcome."""
    svc = services().referrals
    error, status = None, 200
    if request.method == "POST":
        try:
            form = OutcomeSchema().load(request.form)
            svc.update(g.user, referral_id, form["status"], form["on"])
            return redirect(url_for("referrals.show", referral_id=referral_id))
        except ValidationError as exc:
            error = gettext("Choose an outcome and a valid date.") if exc.messages else None
            status = 422
        except TransitionError as exc:
            error, status = gettext(TRANSITION_ERRORS[str(exc)]), 409
        except NotFound:
            abort(404)
    try:
        referral = svc.get(g.user, referral_id)
    except NotFound:
        abort(404)
    return render_template("referral.html", referral=referral, error=error,
                           values=request.form), status


@bp.get("/followups")
@login_required
def followups():
    """Referrals whose next check is due, and new postings matching saved profiles."""
    svc = services()
    try:
        since, alerts = svc.alerts.for_followups(g.user, lang())
    except BackendError:  # the referrals due still show; the alerts wait for the index
        current_app.logger.exception("alerts: the search backend failed")
        since, alerts = None, None
    return render_template("followups.html", due=svc.referrals.due(g.user),
                           total=svc.referrals.count(g.user), alerts=alerts, since=since)
