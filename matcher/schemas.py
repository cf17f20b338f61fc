"""Profile and match-request schemas: the one definition for the API and the web form."""
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from indexer.backends import REASONS
from indexer.schemas import (NOT_BLANK, BaseSchema, Integer, PlaceSchema, choice, choices,
                             pop_warnings, skill_list, text)
from indexer.taxonomy import default_taxonomy


class ProfileLocationSchema(PlaceSchema):
    """Where the person lives: a current province and ward; every part optional."""


class ProfileSchema(BaseSchema):
    """A returnee's skills profile. No names or ID numbers: a case code at most."""

    case_code = fields.String(validate=validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$",
        error="Use up to 40 letters, digits, '.', '_' or '-'; never a name or ID number."),
        load_default=None)
    skills = skill_list()
    skills_learned_in_detention = skill_list()
    experience = text(5000, load_default="")
    education = choice("education_levels", load_default=None)
    licences = choices("licences")
    desired_occupations = fields.List(fields.String(validate=validate.Regexp(
        r"^[0-9]{1,4}$", error="Use a 1-4 digit occupation code.")),
        validate=validate.Length(max=10), load_default=list)
    location = fields.Nested(ProfileLocationSchema, load_default=None)
    max_commute_km = fields.Float(validate=validate.Range(min=0.5, max=300), allow_nan=False,
                                  load_default=None)
    shifts = choices("shifts")
    min_monthly_pay_vnd = Integer(validate=validate.Range(0, 500_000_000),
                                         load_default=None)
    # Eligibility only, never shown to partners; encrypted at rest (services.profiles).
    offence_categories = choices("offence_categories", metadata={
        "description": "Offence categories, for eligibility only: postings that exclude "
                       "one of them are hidden (reason 'offence')."})
    offence_category = choice("offence_categories", load_default=None, metadata={
        "description": "One offence category (older form of offence_categories; both may "
                       "be given, they are merged)."})
    expunged = fields.Boolean(load_default=False, metadata={
        "description": "The conviction is expunged (xóa án tích): offence exclusions no "
                       "longer apply."})
    # Something to match on: a skill, or some experience.
    json_schema_rules = ({"anyOf": [
        {"required": ["skills"], "properties": {"skills": {"minItems": 1}}},
        {"required": ["skills_learned_in_detention"],
         "properties": {"skills_learned_in_detention": {"minItems": 1}}},
        {"required": ["experience"], "properties": {"experience": {"pattern": NOT_BLANK}}}]},)

    @validates_schema(skip_on_field_errors=False)
    def _something_to_match(self, data, **kwargs):
        if not (data.get("skills") or data.get("skills_learned_in_detention")
                or (data.get("experience") or "").strip()):
            raise ValidationError("Give at least one skill or some experience.", "skills")

    @post_load
    def _resolve(self, data, **kwargs):
        taxonomy = default_taxonomy()
        listed = list(data["skills"]) + list(data["skills_learned_in_detention"])
        ids, unresolved = taxonomy.resolve_many(listed)
        for extra in taxonomy.extract(data.get("experience") or ""):
            if extra not in ids:
                ids.append(extra)
        data["skill_ids"] = ids
        data["skills_text"] = unresolved
        single = data.pop("offence_category", None)
        data["offence_categories"] = list(dict.fromkeys(
            data["offence_categories"] + ([single] if single else [])))
        # Old administrative units converted: said in the answer, not stored.
        data["warnings"] = pop_warnings(data)
        return data


class MatchRequestSchema(BaseSchema):
    """Body of POST /api/v1/matches."""

    profile = fields.Nested(ProfileSchema, required=True)
    limit = Integer(validate=validate.Range(1, 50), load_default=10)
    lang = fields.String(validate=validate.OneOf(["vi", "en"]), load_default=None)
    fair_chance_only = fields.Boolean(load_default=False, metadata={
        "description": "Only jobs of partners with fair-chance commitments."})
    hidden_limit = fields.Integer(validate=validate.Range(0, 50), load_default=0, metadata={
        "description": "List up to this many of the jobs the eligibility filters hid, each "
                       "with its reasons (hidden.jobs); the counts come always."})


class HiddenReasonSchema(Schema):
    """How many matching jobs one eligibility filter hid."""

    reason = fields.String(required=True, validate=validate.OneOf(REASONS), metadata={
        "description": "offence: the employer or the law excludes an offence category; "
                       "licence: a licence the person lacks; education: below the minimum "
                       "education; distance: outside the commute radius; area: outside "
                       "the province or ward; fair_chance: the fair-chance filter."})
    count = fields.Integer(required=True, metadata={
        "description": "Jobs failing this filter (some may fail others too)."})
    only = fields.Integer(required=True, metadata={
        "description": "Jobs this filter alone hid (they would show without it)."})


class HiddenLicenceSchema(Schema):
    """What one licence would open."""

    licence = fields.String(required=True, metadata={"description": "Licence code."})
    label = fields.String(required=True)
    count = fields.Integer(required=True, metadata={
        "description": "Hidden jobs that only this licence stands between."})


class HiddenJobSchema(Schema):
    """One hidden job and why."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    partner = fields.String()
    partner_id = fields.String()
    location = fields.Dict()
    reasons = fields.List(fields.String(validate=validate.OneOf(REASONS)), required=True)
    missing_licences = fields.List(fields.Dict(), metadata={
        "description": "[{id, label}] of the licences it needs that the person lacks."})
    min_education = fields.Dict(allow_none=True, metadata={
        "description": "{id, label} of its minimum education, when that hid it."})
    distance_km = fields.Float(allow_none=True)
    fair_chance_commitments = fields.List(fields.String(), metadata={
        "description": "The partner's fair-chance commitments (codes), as on job cards."})


class HiddenSchema(Schema):
    """What the eligibility filters hid among the jobs that match the profile."""

    total = fields.Integer(required=True, metadata={"description": "Jobs hidden by any reason."})
    reasons = fields.List(fields.Nested(HiddenReasonSchema), required=True)
    licences = fields.List(fields.Nested(HiddenLicenceSchema), required=True)
    jobs = fields.List(fields.Nested(HiddenJobSchema), metadata={
        "description": "The most relevant hidden jobs, when hidden_limit asked for them."})
