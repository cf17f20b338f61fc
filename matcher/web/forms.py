"""Web-form schemas: request.form into the shared schemas (one profile definition)."""
import re

from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates

from indexer import places
from indexer.taxonomy import default_occupations

from ..schemas import ProfileSchema
from ..services.profiles import PURPOSES, SCOPES
from ..services.referrals import STATUSES
from ..services.support import MEASURES
from ..services.support import STATUSES as SUPPORT_STATUSES


def _one(form, name):
    value = (form.get(name) or "").strip()
    return value or None


def _lines(form, name):
    return [s.strip() for s in re.split(r"[\n;]", form.get(name) or "") if s.strip()]


def _amount(raw):
    """'8.000.000 đ' → '8000000'; anything else is left for the schema to reject."""
    if raw is None:
        return None
    compact = re.sub(r"(?i)[\s.,]|đ|₫|vnd", "", raw)
    return compact if compact.isdigit() else raw


OCCUPATION_CHOICES = 12
UNKNOWN_OCCUPATION = "No single occupation has this name: choose one below, or type more of it."


def occupation_codes(values):
    """The occupation codes a form names in ``desired_occupations`` (ticked codes, or codes
    typed as a list: "7212, 5120"); anything else is passed on for the schema to reject."""
    out = []
    for item in values.getlist("desired_occupations"):
        parts = re.findall(r"[^\s,;]+", item)
        for part in (parts if all(p.isdigit() for p in parts) else [item.strip()]):
            if part and part not in out:
                out.append(part)
    return out


def typed_occupations(text):
    """The codes an officer typed in "Add an occupation": codes, or one name (vi or en,
    with or without diacritics); None when the name names no single occupation."""
    parts = re.findall(r"[^\s,;]+", text or "")
    if parts and all(p.isdigit() for p in parts):
        return parts
    code = default_occupations().resolve(text)
    return [code] if code else None


class WebProfileSchema(ProfileSchema):
    """ProfileSchema fed from the officer's form; the case code is required here."""

    # A name typed in "Add an occupation" that names no single occupation (web form only).
    occupation_add = fields.String()

    @validates("occupation_add")
    def _one_occupation(self, value, **kwargs):
        raise ValidationError(UNKNOWN_OCCUPATION)

    @pre_load
    def _from_form(self, form, **kwargs):
        if not hasattr(form, "getlist"):
            return form
        location = {k: _one(form, k) for k in ("province_code", "ward", "lat", "lon")}
        data = {
            "case_code": _one(form, "case_code"),
            "skills": form.getlist("skills") + _lines(form, "skills_other")
            + ([_one(form, "skill_add")] if _one(form, "skill_add") else []),
            "skills_learned_in_detention": _lines(form, "skills_learned_in_detention"),
            "experience": form.get("experience") or "",
            "education": _one(form, "education"),
            "licences": form.getlist("licences"),
            "desired_occupations": occupation_codes(form),
            "location": {k: v for k, v in location.items() if v is not None} or None,
            "max_commute_km": _one(form, "max_commute_km"),
            "shifts": form.getlist("shifts"),
            "min_monthly_pay_vnd": _amount(_one(form, "min_monthly_pay_vnd")),
            "offence_categories": form.getlist("offence_categories")
            + ([_one(form, "offence_category")] if _one(form, "offence_category") else []),
            "expunged": bool(form.get("expunged")),
        }
        typed = _one(form, "occupation_add")
        if typed:
            found = typed_occupations(typed)
            if found:
                data["desired_occupations"] += [c for c in found
                                                if c not in data["desired_occupations"]]
            elif not set(default_occupations().search(typed, OCCUPATION_CHOICES)) & set(
                    data["desired_occupations"]):  # not one of the choices ticked below
                data["occupation_add"] = typed
        return {k: v for k, v in data.items() if v is not None}

    def on_bind_field(self, field_name, field_obj):
        """The case code is optional in the API but required when saving from the form."""
        if field_name == "case_code":
            field_obj.required = True


class FormSchema(Schema):
    """Fields of a posted form; whatever else the browser sends is left out."""

    class Meta:
        unknown = "exclude"


class BlankFormSchema(FormSchema):
    """A form whose fields left empty count as not sent (their defaults apply)."""

    @pre_load
    def _blank(self, form, **kwargs):
        return {k: v for k, v in form.items() if v not in ("", None)}


class ConsentSchema(FormSchema):
    """The consent part of the new-profile form."""

    consent_given = fields.Boolean(required=True, validate=validate.Equal(
        True, error="Record the person's consent before saving."))
    consent_given_on = fields.Date(required=True)
    consent_purpose = fields.String(required=True, validate=validate.OneOf(PURPOSES))
    consent_scope = fields.List(fields.String(validate=validate.OneOf(SCOPES)), required=True)

    @pre_load
    def _from_form(self, form, **kwargs):
        data = {"consent_given": bool(form.get("consent_given")),
                "consent_given_on": _one(form, "consent_given_on"),
                "consent_purpose": _one(form, "consent_purpose"),
                "consent_scope": form.getlist("consent_scope")}
        return {k: v for k, v in data.items() if v is not None}

    @post_load
    def _record(self, data, **kwargs):
        return {"given_on": data["consent_given_on"], "purpose": data["consent_purpose"],
                "scope": data["consent_scope"]}


class LoginSchema(FormSchema):
    username = fields.String(required=True, validate=validate.Length(1, 64))
    password = fields.String(required=True, validate=validate.Length(1, 200))
    next = fields.String(load_default=None)


class PasswordChangeSchema(BlankFormSchema):
    current = fields.String(required=True, validate=validate.Length(1, 200))
    new_password = fields.String(required=True, validate=validate.Length(1, 200))
    confirm = fields.String(required=True, validate=validate.Length(1, 200))


class ReferralSchema(FormSchema):
    """A new referral; the note's rules are the service's (services.referrals)."""

    kind = fields.String(required=True, validate=validate.OneOf(["job", "course"]))
    doc_id = fields.Integer(required=True)
    note = fields.String(load_default=None)
    then = fields.String(load_default=None)  # "slip": show the numbered slip next


class OutcomeSchema(BlankFormSchema):
    """The next step of a referral: status, date (empty: today), reason code and note;
    which reasons a step takes is the service's rule (services.referrals.check_step)."""

    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    on = fields.Date(load_default=None)
    reason = fields.String(load_default=None)
    note = fields.String(load_default=None)


class SupportSchema(BlankFormSchema):
    """One support measure's status, date (empty: today) and note."""

    measure = fields.String(required=True, validate=validate.OneOf(MEASURES))
    status = fields.String(required=True, validate=validate.OneOf(SUPPORT_STATUSES))
    on = fields.Date(load_default=None)
    note = fields.String(load_default=None)


def field_errors(exc):
    """{field: [messages]} from an InvalidDocument's [{field, messages}]."""
    out = {}
    for error in exc.errors:
        out.setdefault(error["field"], []).extend(error["messages"])
    return out


class ResultFilterSchema(BlankFormSchema):
    employment_type = fields.String(load_default=None)
    max_km = fields.Float(validate=validate.Range(0.5, 300), load_default=None)
    fair_chance = fields.Boolean(load_default=False)
    why_not = fields.Boolean(load_default=False)


PLACE_ERROR = "Not a place in the chosen area."
# Location errors under the form field that shows them.
_FORM_FIELD = {"_schema": "province_code", "province": "province_code",
               "ward_code": "ward", "district": "ward"}


def form_errors(exc):
    """{field name in the form: [messages]} from a ValidationError on WebProfileSchema."""
    out = {}
    for key, value in exc.messages.items():
        if key == "location" and isinstance(value, dict):
            for sub, msgs in value.items():
                field = _FORM_FIELD.get(sub, sub)
                if field in ("province_code", "ward") and sub != "_schema":
                    msgs = [PLACE_ERROR]  # the gazetteer's messages are English
                out.setdefault(field, []).extend(msgs if isinstance(msgs, list) else [str(msgs)])
        elif isinstance(value, dict):  # list fields: {index: [messages]}
            for msgs in value.values():
                out.setdefault(key, []).extend(msgs if isinstance(msgs, list) else [str(msgs)])
        else:
            out.setdefault(key, []).extend(value)
    return out


def profile_to_form(data):
    """A stored profile as form values (the inverse of WebProfileSchema's pre_load)."""
    from werkzeug.datastructures import MultiDict
    from indexer.taxonomy import default_taxonomy
    taxonomy = default_taxonomy()
    loc = data.get("location") or {}
    # Skills typed as text ("tho han") come back ticked when the taxonomy knows them.
    ticked, other = taxonomy.resolve_many(data.get("skills") or [])
    items = [("case_code", data.get("case_code") or ""),
             ("skills_other", "\n".join(other)),
             ("skills_learned_in_detention", "\n".join(
                 taxonomy.label(s) for s in data.get("skills_learned_in_detention") or [])),
             ("experience", data.get("experience") or ""),
             ("education", data.get("education") or ""),
             ("max_commute_km", _plain(data.get("max_commute_km"))),
             ("min_monthly_pay_vnd", _plain(data.get("min_monthly_pay_vnd"))),
             ("expunged", "y" if data.get("expunged") else "")]
    ward = places.ward(loc.get("ward_code")) if loc.get("ward_code") else None
    if ward and (loc.get("lat"), loc.get("lon")) == (ward.lat, ward.lon):
        loc = {**loc, "lat": None, "lon": None}  # the ward's centre: follows the ward
    items += [(k, _plain(loc.get(k))) for k in ("province_code", "ward", "lat", "lon")]
    items += [("skills", s) for s in ticked]
    items += [("licences", c) for c in data.get("licences") or []]
    items += [("shifts", c) for c in data.get("shifts") or []]
    items += [("desired_occupations", c) for c in data.get("desired_occupations") or []]
    items += [("offence_categories", c) for c in data.get("offence_categories") or []]
    if data.get("offence_category") and data["offence_category"] not in (
            data.get("offence_categories") or []):
        items.append(("offence_categories", data["offence_category"]))
    return MultiDict(items)


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
