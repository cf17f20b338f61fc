"""Plain builders of valid feed records; override any field with keyword arguments."""
import copy

SAM_SON = {"province": "Thanh Hóa", "ward": "Phường Sầm Sơn", "lat": 19.7352, "lon": 105.9046}
NGHI_SON = {"province": "Thanh Hóa", "ward": "Phường Tĩnh Gia", "lat": 19.4158, "lon": 105.7914}
# As partners' older systems still send it: the three levels of before 2025-07-01.
SAM_SON_LEGACY = {"province": "Thanh Hóa", "district": "Thành phố Sầm Sơn",
                  "ward": "Phường Trường Sơn", "lat": 19.7352, "lon": 105.9046}


def _merge(base, overrides):
    out = copy.deepcopy(base)
    out.update(overrides)
    return out


def match_headers(app, name="test-tool"):
    """Authorization headers with a fresh match-API client key of ``app``."""
    raw = app.extensions["officers"].clients.issue(name)
    return {"Authorization": f"Bearer {raw}"}


def match_client(app, name="test-tool"):
    """A test client of ``app`` that sends a match-API client key with every request."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = match_headers(app, name)["Authorization"]
    return client


def make_partner(**overrides):
    """A valid partner record."""
    return _merge({"id": "cty-test", "name": "Công ty TNHH Thử Nghiệm", "kind": "both",
                   "province": "Thanh Hóa"}, overrides)


def make_posting(**overrides):
    """A valid job posting record (a welding job in Sầm Sơn)."""
    return _merge({
        "partner_id": "cty-test", "external_id": "J-1", "title": "Thợ hàn điện",
        "description": "Hàn kết cấu thép nhà xưởng, làm ca ngày.",
        "occupation_code": "7212", "required_skills": ["welding_smaw"],
        "location": dict(SAM_SON), "employment_type": "full_time", "shifts": ["day"],
        "pay_min_vnd": 8_000_000, "pay_max_vnd": 10_000_000, "pay_period": "month",
        "valid_from": "2026-01-01", "valid_through": "2099-12-31", "status": "open",
    }, overrides)


def job_projection(doc_id, version=1, **overrides):
    """The index document (projection) of a posting made by ``make_posting``."""
    from indexer.documents import projection
    from indexer.schemas import JobPostingSchema
    data = JobPostingSchema().dump(JobPostingSchema().load(
        make_posting(external_id=f"J-{doc_id}", **overrides)))
    return projection("jobs", {"id": doc_id, "version": version, "data": data}, "Công ty")


def make_course(**overrides):
    """A valid training course record (a free MIG welding course in Sầm Sơn)."""
    return _merge({
        "partner_id": "cty-test", "external_id": "C-1", "title": "Hàn MIG cơ bản",
        "description": "Khóa học hàn MIG/MAG cho người mới.", "occupation_code": "7212",
        "skills_taught": ["welding_mig"], "location": dict(SAM_SON), "level": "so_cap",
        "start_dates": ["2099-01-05"], "duration_weeks": 8, "cost_vnd": 0,
        "valid_from": "2026-01-01", "valid_through": "2099-12-31",
    }, overrides)
