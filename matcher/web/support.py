"""The support-measure checklist of a case."""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError

from indexer import clock
from indexer.errors import NotFound

from ..services.errors import InvalidDocument
from ..services.referrals import NOTE_MAX
from ..services.support import STATUSES
from . import services
from .auth import login_required
from .forms import SupportSchema, field_errors
from .messages import SUPPORT_BASIS, SUPPORT_LABELS, SUPPORT_STATUS_LABELS

bp = Blueprint("support", __name__)


@bp.route("/profiles/<int:profile_id>/support", methods=["GET", "POST"])
@login_required
def checklist(profile_id):
    """The measures the law provides, suggested or recorded, and a form for each."""
    svc = services()
    errors, status, failed = {}, 200, None
    if request.method == "POST":
        failed = request.form.get("measure")
        try:
            form = SupportSchema().load(request.form)
            svc.support.record(g.user, profile_id, form["measure"], form["status"],
                               form["on"], form["note"])
            flash(gettext("Saved: %(measure)s — %(status)s.",
                          measure=gettext(SUPPORT_LABELS[form["measure"]]),
                          status=gettext(SUPPORT_STATUS_LABELS[form["status"]])))
            return redirect(url_for("support.checklist", profile_id=profile_id)
                            + f"#measure-{form['measure']}")
        except ValidationError as exc:
            errors, status = {k: list(v) for k, v in exc.messages.items()}, 422
        except InvalidDocument as exc:
            errors, status = field_errors(exc), 422
        except NotFound:
            abort(404)
    try:
        profile = svc.profiles.get(g.user, profile_id, audit=False)
        items = svc.support.checklist(g.user, profile_id)
    except NotFound:
        abort(404)
    return render_template(
        "support.html", profile=profile, items=items, statuses=STATUSES, errors=errors,
        failed=failed, values=request.form, note_max=NOTE_MAX,
        measure_label=lambda m: gettext(SUPPORT_LABELS[m]),
        basis=lambda m: gettext(SUPPORT_BASIS[m]),
        support_status=lambda s: gettext(SUPPORT_STATUS_LABELS[s]) if s else "",
        today_iso=clock.today().isoformat()), status
