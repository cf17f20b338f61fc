"""Profile and match-request schemas: the one definition for the API and the web form."""
from marshmallow import ValidationError, fields, post_load, validate, validates_schema

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
    offence_category = choice("offence_categories", load_default=None)
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
        # Old administrative units converted: said in the answer, not stored.
        data["warnings"] = pop_warnings(data)
        return data


class MatchRequestSchema(BaseSchema):
    """Body of POST /api/v1/matches."""

    profile = fields.Nested(ProfileSchema, required=True)
    limit = Integer(validate=validate.Range(1, 50), load_default=10)
    lang = fields.String(validate=validate.OneOf(["vi", "en"]), load_default=None)
