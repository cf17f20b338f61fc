"""Profiles and matches: the profile form, the explained results, referral slips."""
import collections
import datetime as dt
import json

from flask import (Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template,
                   request, url_for)
from flask_babel import gettext
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from indexer import clock, places, vocab
from indexer.errors import Conflict, NotFound
from indexer.taxonomy import default_occupations, default_taxonomy
from indexer.text import tokens

from ..services.errors import InvalidDocument
from ..services.profiles import PURPOSES, SCOPES
from . import services
from .auth import login_required
from .forms import (OCCUPATION_CHOICES, ConsentSchema, ResultFilterSchema, WebProfileSchema,
                    form_errors, occupation_codes, profile_to_form, typed_occupations)
from .messages import CONSENT_LABELS
from .i18n import lang

bp = Blueprint("profiles", __name__)
# Hidden jobs listed on the matches page when the officer asks why others are not there.
HIDDEN_LIMIT = 20


def _skills_by_sector():
    taxonomy = default_taxonomy()
    groups = collections.OrderedDict((code, []) for code in taxonomy.sectors)
    for skill_id, skill in taxonomy.skills.items():
        groups.setdefault(skill.get("sector") or "other", []).append(skill_id)
    return [(code, ids) for code, ids in groups.items() if ids]


def _province_of(values):
    """The province whose wards the form lists: the chosen one, else the unit's."""
    chosen = places.province(values.get("province_code")) if values.get("province_code") \
        else None
    unit = places.ward(g.user.get("unit")) if g.user.get("unit") else None
    return chosen or (unit.province if unit else None)


def _typed_skill(values):
    """(skill IDs, text left in "Add a skill"): a typed skill the taxonomy knows comes back
    ticked, anything else stays typed, so no value is lost when the form is shown again."""
    typed = (values.get("skill_add") or "").strip()
    found = default_taxonomy().resolve_all(typed) if typed else []
    return set(values.getlist("skills")) | set(found), "" if found else typed


def _occupation_picker(values):
    """(chosen codes, codes to choose from, text left in "Add an occupation")."""
    chosen = [c for c in occupation_codes(values) if c in default_occupations()]
    typed = (values.get("occupation_add") or "").strip()
    found = typed_occupations(typed) if typed else None
    if found:
        return chosen + [c for c in found if c not in chosen], [], ""
    choices = [c for c in default_occupations().search(typed, OCCUPATION_CHOICES)
               if c not in chosen] if typed else []
    return chosen, choices, typed


def _render_form(values, errors=None, profile=None, status=200):
    province = _province_of(values)
    skill_ids, skill_typed = _typed_skill(values)
    chosen, choices, occupation_typed = _occupation_picker(values)
    occupations = default_occupations()
    return render_template(
        "profile_form.html", values=values, errors=errors or {}, profile=profile,
        sectors=_skills_by_sector(), provinces=places.provinces(), province=province,
        wards=places.wards(province.code) if province else [],
        skill_ids=skill_ids, skill_typed=skill_typed, all_skills=default_taxonomy().skills,
        occupations=occupations.entries, occupation_label=lambda c: occupations.label(c, lang()),
        occupations_chosen=chosen, occupation_choices=choices,
        occupation_typed=occupation_typed, searched=bool(values.get("find_occupation")),
        vocab=vocab.vocab(), consent_purposes=PURPOSES, consent_scopes=SCOPES,
        consent_label=lambda code: gettext(CONSENT_LABELS[code]),
        today_iso=clock.today().isoformat()), status


def _load_form():
    """The submitted profile, or (None, errors)."""
    try:
        return WebProfileSchema().load(request.form), None
    except ValidationError as exc:
        return None, form_errors(exc)


@bp.get("/")
@login_required
def index():
    """The unit's profiles and the referrals due for a check."""
    svc = services()
    return render_template("index.html", profiles=svc.profiles.list(g.user),
                           due=svc.referrals.due(g.user))


@bp.route("/profiles/new", methods=["GET", "POST"])
@login_required
def create():
    """Enter a profile; saving it shows its matches."""
    if request.method == "GET":
        return _render_form(MultiDict())[0]
    if request.form.get("refresh_places") or request.form.get("find_occupation"):
        # Without JavaScript: list the new province's wards, or the occupations found.
        return _render_form(request.form)[0]
    data, errors = _load_form()
    try:
        consent = ConsentSchema().load(request.form)
    except ValidationError as exc:
        consent, errors = None, {**(errors or {}), **form_errors(exc)}
    if errors:
        return _render_form(request.form, errors, status=422)
    try:
        profile_id = services().profiles.create(g.user, data, consent)
    except InvalidDocument as exc:
        return _render_form(request.form, {e["field"]: e["messages"] for e in exc.errors},
                            status=422)
    except Conflict:
        return _render_form(request.form, {"case_code": [
            gettext("This case code is already used in your unit.")]}, status=422)
    flash(gettext("Profile %(code)s saved.", code=data["case_code"]))
    return redirect(url_for("profiles.matches", profile_id=profile_id))


@bp.get("/profiles/<int:profile_id>")
@login_required
def show(profile_id):
    """One profile with its referrals."""
    return _render_profile(_get(profile_id), MultiDict())


def _recognised(texts):
    """(skill IDs, texts the taxonomy does not know) of the skills as typed."""
    return default_taxonomy().resolve_many(texts or [])


def _render_profile(profile, values, errors=None, status=200):
    svc = services()
    data = profile["data"]
    occupations = default_occupations()
    return render_template("profile.html", profile=profile, data=data,
                           skills=_recognised(data.get("skills")),
                           detention_skills=_recognised(data.get("skills_learned_in_detention")),
                           occupations=[occupations.label(c, lang())
                                        for c in data.get("desired_occupations") or []],
                           referrals=svc.referrals.for_profile(g.user, profile["id"]),
                           consent=svc.profiles.consent(g.user, profile["id"]),
                           consent_label=lambda code: gettext(CONSENT_LABELS[code]),
                           consent_purposes=PURPOSES, consent_scopes=SCOPES, values=values,
                           errors=errors or {}, today_iso=clock.today().isoformat()), status


@bp.post("/profiles/<int:profile_id>/consent")
@login_required
def record_consent(profile_id):
    """Record the consent of a profile saved before consent records existed."""
    profile = _get(profile_id, audit=False)
    try:
        services().profiles.record_consent(g.user, profile_id,
                                           ConsentSchema().load(request.form))
    except ValidationError as exc:
        return _render_profile(profile, request.form, form_errors(exc), 422)
    except InvalidDocument as exc:
        return _render_profile(profile, request.form,
                               {e["field"]: e["messages"] for e in exc.errors}, 422)
    except Conflict:
        pass  # recorded meanwhile (another tab): the page shows it
    flash(gettext("Consent recorded."))
    return redirect(url_for("profiles.show", profile_id=profile_id))


@bp.route("/profiles/<int:profile_id>/edit", methods=["GET", "POST"])
@login_required
def edit(profile_id):
    """Change a profile."""
    profile = _get(profile_id, audit=request.method == "GET")
    if request.method == "GET":
        offence = services().profiles.offence(g.user, profile_id)
        return _render_form(profile_to_form({**profile["data"], **offence}), profile=profile)[0]
    if request.form.get("refresh_places") or request.form.get("find_occupation"):
        return _render_form(request.form, profile=profile)[0]
    data, errors = _load_form()
    if errors:
        return _render_form(request.form, errors, profile=profile, status=422)
    try:
        services().profiles.update(g.user, profile_id, data)
    except Conflict:
        return _render_form(request.form, {"case_code": [
            gettext("This case code is already used in your unit.")]}, profile=profile,
            status=422)
    flash(gettext("Profile %(code)s saved.", code=data["case_code"]))
    return redirect(url_for("profiles.matches", profile_id=profile_id))


@bp.post("/profiles/<int:profile_id>/delete")
@login_required
def delete(profile_id):
    """Delete a profile and its personal data."""
    _or_404(services().profiles.delete, g.user, profile_id)
    return redirect(url_for("profiles.index"))


@bp.post("/profiles/<int:profile_id>/withdraw")
@login_required
def withdraw(profile_id):
    """The person withdrew consent: delete the profile and its personal data."""
    _or_404(services().profiles.delete, g.user, profile_id, action="consent.withdraw")
    flash(gettext("Consent withdrawn: the profile and its personal data have been deleted."))
    return redirect(url_for("profiles.index"))


@bp.post("/profiles/<int:profile_id>/close")
@login_required
def close(profile_id):
    """Close the case (it is erased after the retention period) or reopen it."""
    _or_404(services().profiles.set_closed, g.user, profile_id,
            request.form.get("reopen") is None)
    return redirect(url_for("profiles.show", profile_id=profile_id))


@bp.get("/profiles/<int:profile_id>/export")
@login_required
def export(profile_id):
    """Everything stored about the person, as a JSON file (their right of access)."""
    data = _or_404(services().profiles.export, g.user, profile_id)
    response = current_app.response_class(
        json.dumps(data, ensure_ascii=False, indent=2, default=_json_default),
        mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="vungbuoc-{data["case_code"]}.json"')
    return response


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


@bp.get("/profiles/<int:profile_id>/matches")
@login_required
def matches(profile_id):
    """Ranked jobs and courses for a profile, with reasons and filters."""
    profile = _get(profile_id, audit=False)
    try:
        filters = ResultFilterSchema().load(request.args)
    except ValidationError:
        filters = {"employment_type": None, "max_km": None, "fair_chance": False,
                   "why_not": False}
    result = services().profiles.match(
        g.user, profile, lang=lang(), employment_type=filters["employment_type"],
        max_km=filters["max_km"], fair_chance=filters["fair_chance"],
        hidden_limit=HIDDEN_LIMIT if filters["why_not"] else 0)
    courses = {c["id"]: c for c in result["courses"]}
    return render_template("matches.html", profile=profile, result=result, filters=filters,
                           courses=courses, vocab=vocab.vocab())


@bp.get("/profiles/<int:profile_id>/slip/<any(job, course):kind>/<int:doc_id>")
@login_required
def slip(profile_id, kind, doc_id):
    """The referral slip for one job or course: the numbered one if referred, else a
    preview with the form that records the referral (matcher.web.referrals)."""
    from .referrals import preview_slip
    return preview_slip(profile_id, kind, doc_id)


@bp.get("/skills/suggest")
@login_required
def suggest():
    """Skills whose Vietnamese or English names contain the query, without diacritics."""
    taxonomy = default_taxonomy()
    q = request.args.get("q", "")[:100]
    hits = taxonomy.search(q, limit=15) if " ".join(tokens(q)) else []
    return jsonify([{"id": s, "label": taxonomy.label(s, lang()),
                     "other": taxonomy.label(s, "en" if lang() == "vi" else "vi")} for s in hits])


@bp.get("/places/wards")
@login_required
def wards():
    """Wards of a province whose names contain the query, without diacritics (for the form)."""
    province = places.province(request.args.get("province", ""))
    if province is None:
        return jsonify([])
    q = request.args.get("q", "")[:100]
    hits = places.search(q, province.code, limit=30) if q.strip() else places.wards(province.code)
    return jsonify([{"code": w.code, "name": w.name, "folded": " ".join(tokens(w.name))}
                    for w in hits])


def _get(profile_id, audit=True):
    return _or_404(services().profiles.get, g.user, profile_id, audit=audit)


def _or_404(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except NotFound:
        abort(404)
