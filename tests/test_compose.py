"""docker-compose.yml and the Dockerfile: valid against the Compose Specification, and sane.

No Docker engine runs in the tests, so the file is checked against the official
compose-spec JSON schema (as vendored by check-jsonschema) plus what a user relies on.
"""
import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from tools.esnode import CANDIDATE_VERSIONS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose():
    """The parsed docker-compose.yml."""
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def compose_schema():
    """The Compose Specification schema shipped inside check-jsonschema."""
    path = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_file_follows_the_compose_specification(compose):
    schema = compose_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(compose)]
    assert not errors, "\n".join(errors)


def test_the_schema_rejects_a_broken_file(compose):
    """Guards the test above: the schema really is strict."""
    broken = {**compose, "services": {**compose["services"],
                                      "matcher": {**compose["services"]["matcher"],
                                                  "depends_on": {"elasticsearch": {
                                                      "condition": "when_it_feels_like_it"}}}}}
    schema = compose_schema()
    assert list(jsonschema.validators.validator_for(schema)(schema).iter_errors(broken))


def test_every_image_is_pinned(compose):
    for name, service in compose["services"].items():
        image = service.get("image", "")
        if "build" in service:
            continue
        tag = image.rsplit(":", 1)[-1] if ":" in image else ""
        assert re.match(r"\d+\.\d+", tag), f"{name}: {image} is not pinned to a version"


def test_elasticsearch_is_the_tested_release_with_a_health_check(compose):
    es = compose["services"]["elasticsearch"]
    version = es["image"].rsplit(":", 1)[1]
    assert version.startswith("9.") and version in CANDIDATE_VERSIONS
    assert "_cluster/health" in " ".join(es["healthcheck"]["test"])
    env = es["environment"]
    assert env["discovery.type"] == "single-node"
    assert "-Xmx512m" in env["ES_JAVA_OPTS"] and es["mem_limit"]
    assert any(v.endswith(":/usr/share/elasticsearch/data") for v in es["volumes"])


def test_services_start_in_order_on_shared_data(compose):
    services = compose["services"]
    for name in ("indexer", "matcher"):
        svc = services[name]
        assert svc["depends_on"]["elasticsearch"]["condition"] == "service_healthy"
        assert svc["depends_on"]["postgres"] == {"condition": "service_healthy", "required": False}
        assert "vungbuoc-data:/data" in svc["volumes"]
        assert svc["environment"]["VUNGBUOC_SEARCH_BACKEND"] == "elasticsearch"
        assert svc["environment"]["VUNGBUOC_ES_URL"] == "http://elasticsearch:9200"
        assert "DATABASE_URL" in svc["environment"]
    assert services["indexer"]["command"] == ["sh", "-c", "matcher db upgrade && indexer load --samples"]
    assert services["matcher"]["depends_on"]["indexer"]["condition"] == \
        "service_completed_successfully"
    assert services["matcher"]["environment"]["VUNGBUOC_BIND"] == "0.0.0.0:8000"
    assert "healthcheck" in services["matcher"]
    assert services["postgres"]["profiles"] == ["postgres"]
    assert set(compose["volumes"]) >= {"esdata", "vungbuoc-data"}


def test_dockerfile_builds_a_non_root_gunicorn_image():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim", text, re.M)
    assert re.search(r"^RUN pip install \"?\.", text, re.M)
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1] not in ("root", "0")
    assert "gunicorn" in text and "config/gunicorn.conf.py" in text and "matcher.wsgi:app" in text
    assert "VUNGBUOC_BIND=0.0.0.0:8000" in text
    for path in re.findall(r"^COPY (.+) \./", text, re.M):
        for part in path.split():
            assert (ROOT / part).exists(), f"Dockerfile copies missing {part}"
