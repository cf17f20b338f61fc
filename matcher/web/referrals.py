"""Referrals: creating them, their outcomes with notes and reasons, the slip an employer
is given (A4 or A5, with a QR code of its reference), and the follow-up list."""
import re

import segno
from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template,
                   request, url_for)
from flask_babel import gettext
from marshmallow import ValidationError
from markupsafe import Markup

from indexer import clock, places
from indexer.errors import BackendError, NotFound

from ..services.errors import InvalidDocument, TransitionError
from ..services.referrals import NOTE_MAX, REASONS, merged_contact
from . import services
from .auth import login_required
from .forms import OutcomeSchema, ReferralSchema, field_errors
from .i18n import lang
from .messages import REASON_LABELS, STATUS_LABELS, TRANSITION_ERRORS

bp = Blueprint("referrals", __name__)
SIZES = ("a4", "a5")
# Where a transition error is shown on the outcome form.
TRANSITION_FIELD = {"not_allowed": "status", "future": "on", "before_previous": "on",
                    "too_early": "on"}


def qr_svg(text, label):
    """A QR code of ``text`` as inline SVG markup (segno; error correction M, 4 px a
    module on screen), labelled for screen readers. It has a viewBox, so print CSS can
    size it in millimetres without clipping it."""
    qr = segno.make_qr(text, error="m")
    size = qr.symbol_size(scale=4, border=4)
    svg = qr.svg_inline(scale=4, border=4, title=label, svgclass="qr", lineclass=None,
                        omitsize=True)
    return Markup(re.sub(r"^<svg ", f'<svg role="img" width="{size[0]}" height="{size[1]}" ',
                         svg, count=1))


def reason_choices(status):
    """[(code, label)] of the reasons a step to ``status`` takes (none for most steps)."""
    return [(code, gettext(REASON_LABELS[status][code])) for code in REASONS.get(status, ())]


def place_line(location):
    """'address, ward, province', leaving out a part the address already names."""
    location = location or {}
    address = location.get("address") or ""
    parts = [address] + [location.get(k) for k in ("ward", "province")
                         if location.get(k) and location[k].lower() not in address.lower()]
    return ", ".join(p for p in parts if p) or "—"


def letter_date(day):
    """A date as Vietnamese official letters write it: 'ngày 02 tháng 12 năm 2026'."""
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


@bp.post("/profiles/<int:profile_id>/referrals")
@login_required
def create(profile_id):
    """Refer a profile to a job or a course (with an optional note)."""
    try:
        form = ReferralSchema().load(request.form)
    except ValidationError:
        abort(404)
    try:
        referral_id = services().referrals.create(g.user, profile_id, form["kind"],
                                                  form["doc_id"], note=form["note"])
    except NotFound:
        abort(404)
    except InvalidDocument as exc:  # the note: shown beside it on the slip's preview
        return preview_slip(profile_id, form["kind"], form["doc_id"],
                            errors=field_errors(exc), status=422)
    reference = services().referrals.get(g.user, referral_id)["reference"]
    flash(gettext("Referral recorded under number %(ref)s.", ref=reference))
    if form["then"] == "slip":
        return redirect(url_for("referrals.slip", referral_id=referral_id))
    return redirect(url_for("referrals.show", referral_id=referral_id))


@bp.route("/referrals/<int:referral_id>", methods=["GET", "POST"])
@login_required
def show(referral_id):
    """A referral, its history, and the form for its next outcome."""
    svc = services().referrals
    errors, status = {}, 200
    if request.method == "POST":
        try:
            form = OutcomeSchema().load(request.form)
            svc.update(g.user, referral_id, form["status"], form["on"],
                       reason=form["reason"], note=form["note"])
            flash(gettext("Outcome saved: %(status)s.",
                          status=gettext(STATUS_LABELS[form["status"]])))
            return redirect(url_for("referrals.show", referral_id=referral_id))
        except ValidationError as exc:
            errors, status = {k: list(v) for k, v in exc.messages.items()}, 422
        except InvalidDocument as exc:
            errors, status = field_errors(exc), 422
        except TransitionError as exc:
            errors = {TRANSITION_FIELD[str(exc)]: [TRANSITION_ERRORS[str(exc)]]}
            status = 409
        except NotFound:
            abort(404)
    try:
        referral = svc.get(g.user, referral_id)
    except NotFound:
        abort(404)
    reasons = {s: reason_choices(s) for s in referral["allowed"] if s in REASONS}
    return render_template("referral.html", referral=referral, errors=errors,
                           values=request.form, reasons=reasons, note_max=NOTE_MAX,
                           reason_label=_reason_label), status


def _reason_label(status, code):
    labels = REASON_LABELS.get(status, {})
    return gettext(labels[code]) if code in labels else (code or "")


@bp.get("/referrals/<int:referral_id>/slip")
@login_required
def slip(referral_id):
    """The referral slip to print for the employer or provider: A4 or A5 (``?size=``)."""
    size = request.args.get("size", "a4")
    if size not in SIZES:
        size = "a4"
    try:
        data = services().referrals.slip(g.user, referral_id)
    except NotFound:
        abort(404)
    reference = data["referral"]["reference"]
    return render_template(
        "slip.html", size=size, sizes=SIZES, preview=False, reference=reference,
        qr=qr_svg(reference, gettext("QR code of the slip number %(ref)s", ref=reference)),
        kind=data["referral"]["kind"], case_code=data["referral"]["case_code"],
        doc=data["doc"], partner=data["partner"], contact=data["contact"],
        fair_chance=data["fair_chance"], officer=data["officer"], ward=data["ward"],
        day=data["referred_on"], letter_date=letter_date, place_line=place_line,
        referral=data["referral"],
        errors={}, values={})


def preview_slip(profile_id, kind, doc_id, errors=None, status=200):
    """The slip of a job or course not referred yet: everything but the number, and the
    form that records the referral (then its numbered slip is shown). When the profile
    was referred to it already, the newest referral's slip instead."""
    svc = services()
    if not errors:
        referral_id = svc.referrals.latest_for(g.user, profile_id, kind, doc_id)
        if referral_id:
            return redirect(url_for("referrals.slip", referral_id=referral_id,
                                    size=request.args.get("size", "a4")))
    try:
        profile = svc.profiles.get(g.user, profile_id, audit=False)
        store = svc.profiles.indexer.store
        doc = store.get_document(kind + "s", doc_id)
        partner = store.get_partner(doc["partner_id"])
    except NotFound:
        abort(404)
    svc.profiles.record_slip(g.user, profile, kind, doc_id)
    size = request.args.get("size", "a4")
    return render_template(
        "slip.html", size=size if size in SIZES else "a4", sizes=SIZES, preview=True,
        reference=None, qr=None, kind=kind, case_code=profile["case_code"],
        doc=doc["data"], partner=partner,
        contact=merged_contact(doc["data"], partner),
        fair_chance=partner.get("fair_chance_commitments") or [],
        officer=g.user.get("display_name") or g.user.get("username"),
        ward=places.ward(g.user.get("unit")), day=clock.today(), letter_date=letter_date,
        place_line=place_line,
        profile=profile, doc_id=doc_id, errors=errors or {},
        values=request.form if errors else {}, note_max=NOTE_MAX), status


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
