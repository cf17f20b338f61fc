"""Document schemas: every kind of bad input is rejected with a field-level message."""
import unicodedata

import pytest

from indexer.errors import InvalidDocument
from indexer.schemas import JobPostingSchema, TrainingCourseSchema
from indexer.service import IndexerService

from factories import make_course, make_partner, make_posting


def errors_of(kind, record):
    """The {field: messages} of validating ``record`` (empty when valid)."""
    try:
        IndexerService.validate(None, kind, record)
    except InvalidDocument as exc:
        return {e["field"]: e["messages"] for e in exc.errors}
    return {}


def test_valid_records_load():
    assert errors_of("jobs", make_posting()) == {}
    assert errors_of("courses", make_course()) == {}
    assert errors_of("partners", make_partner()) == {}


BAD_POSTINGS = [
    ({"salary": 5}, "salary", "Unknown field"),
    ({"title": ""}, "title", ""),
    ({"title": "x" * 201}, "title", "between 1 and 200"),
    ({"title": 42}, "title", "Not a valid string"),
    ({"employment_type": "forever"}, "employment_type", "Must be one of"),
    ({"shifts": ["midnight"]}, "shifts.0", "Must be one of"),
    ({"valid_from": "2026-05-01", "valid_through": "2026-04-01"}, "valid_through", "before"),
    ({"valid_from": "2026-02-30"}, "valid_from", "Not a valid date"),
    ({"pay_min_vnd": -1}, "pay_min_vnd", "greater than or equal"),
    ({"pay_min_vnd": 9_000_000, "pay_max_vnd": 8_000_000}, "pay_max_vnd", "less than"),
    ({"pay_max_vnd": 900_000_000}, "pay_max_vnd", "Implausible"),
    ({"pay_period": None, "pay_min_vnd": 5}, "pay_period", ""),
    ({"location": {"province": "Thanh Hóa", "lat": 91, "lon": 105}}, "location.lat", "less than or equal to 90"),
    ({"location": {"province": "Thanh Hóa", "lat": 19.7}}, "location.lon", "both"),
    ({"location": {"province": "Thanh Hóa", "country": "VN"}}, "location.country", "Unknown"),
    ({"required_skills": ["hàn"] * 31}, "required_skills", "Longer than maximum"),
    ({"required_skills": ["x" * 501]}, "required_skills.0", "between 1 and 500"),
    ({"excluded_offences": ["jaywalking"]}, "excluded_offences.0", "Must be one of"),
    ({"openings": 0}, "openings", "greater than or equal"),
    ({"occupation_code": "welder"}, "occupation_code", "occupation code"),
    ({"external_id": "a/b"}, "external_id", "No spaces"),
    ({"contact": {"phone": "call me"}}, "contact.phone", "phone"),
    ({"contact": {"email": "nope"}}, "contact.email", "email"),
]


@pytest.mark.parametrize("overrides,field,message", BAD_POSTINGS)
def test_bad_postings_are_rejected_per_field(overrides, field, message):
    errors = errors_of("jobs", make_posting(**overrides))
    assert field in errors, errors
    assert message.lower() in " ".join(errors[field]).lower()


@pytest.mark.parametrize("missing", ["partner_id", "external_id", "title", "location",
                                     "employment_type"])
def test_required_posting_fields(missing):
    record = make_posting()
    del record[missing]
    assert "Missing data for required field." in errors_of("jobs", record)[missing]


BAD_COURSES = [
    ({"skills_taught": []}, "skills_taught", "between 1 and 30"),
    ({"cost_vnd": 300_000_000}, "cost_vnd", "less than or equal"),
    ({"funding": "free", "cost_vnd": 1_000_000}, "funding", "free course"),
    ({"level": "phd"}, "level", "Must be one of"),
    ({"duration_weeks": 0}, "duration_weeks", "greater than or equal"),
    ({"start_dates": ["soon"]}, "start_dates.0", "Not a valid date"),
]


@pytest.mark.parametrize("overrides,field,message", BAD_COURSES)
def test_bad_courses_are_rejected_per_field(overrides, field, message):
    errors = errors_of("courses", make_course(**overrides))
    assert field in errors, errors
    assert message.lower() in " ".join(errors[field]).lower()


@pytest.mark.parametrize("overrides,field", [({"id": "Bad Id"}, "id"), ({"kind": "bank"}, "kind"),
                                             ({"name": ""}, "name")])
def test_bad_partners_are_rejected(overrides, field):
    assert field in errors_of("partners", make_partner(**overrides))


def test_text_is_nfc_with_canonical_tones():
    title = unicodedata.normalize("NFD", "Thợ hàn ở Thanh Hoá")
    data = JobPostingSchema().load(make_posting(title=title))
    assert data["title"] == "Thợ hàn ở Thanh Hóa"
    assert unicodedata.is_normalized("NFC", data["title"])


def test_skills_resolve_to_ids_and_unresolved_are_kept_as_text():
    data = JobPostingSchema().load(make_posting(required_skills=["Hàn que", "welding_mig",
                                                                 "chịu khó"]))
    assert data["required_skills"] == ["welding_smaw", "welding_mig"]
    assert data["skills_text"] == ["chịu khó"]


def test_course_funding_defaults_from_cost():
    assert TrainingCourseSchema().load(make_course(cost_vnd=0))["funding"] == "free"
    assert TrainingCourseSchema().load(make_course(cost_vnd=500_000))["funding"] == "paid"


def _sample_records():
    from indexer.cli import sample_feeds
    from indexer.feeds import read_feed
    for path in sample_feeds():
        kind = {"partners.json": "partners", "jobs.jsonl": "jobs", "courses.json": "courses"}[
            path.name]
        for _, record in read_feed(path, kind):
            yield kind, record
    yield "jobs", make_posting(contact={"name": "Chị Lan", "phone": "0912 345 678",
                                        "email": "lan@example.vn"})
    yield "jobs", make_posting(location={"province": "Thanh Hóa", "lat": 19, "lon": 105.9})
    yield "courses", make_course(start_dates=["2026-09-01", "2026-03-01", "2026-03-01"])
    yield "partners", make_partner()


def test_dump_is_what_marshmallow_dumps():
    """schemas.dump converts loaded data directly: the same as schema.dump, in order."""
    from indexer.schemas import _dumps_plainly, dump, pop_warnings, schema_for
    assert all(_dumps_plainly(kind) for kind in ("partners", "jobs", "courses"))
    n = 0
    for kind, record in _sample_records():
        data = schema_for(kind).load(record)
        pop_warnings(data)  # as IndexerService.validate does before anything is dumped
        expected = schema_for(kind).dump(data)
        got = dump(kind, data)
        assert got == expected
        assert list(got) == list(expected)
        n += 1
    assert n > 50


def test_dump_falls_back_to_marshmallow_for_other_fields():
    """A field that dumps a loaded value differently makes dump use marshmallow."""
    from marshmallow import fields

    from indexer import schemas
    assert not schemas._plain_dump(fields.DateTime())
    assert not schemas._plain_dump(fields.Float(as_string=True))
    assert not schemas._plain_dump(fields.Date(format="%d/%m/%Y"))
    assert not schemas._plain_dump(fields.Decimal())
    assert not schemas._plain_dump(fields.List(fields.String(data_key="x")))
    assert schemas._plain_dump(fields.List(fields.Date()))
