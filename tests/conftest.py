"""Shared fixtures: real SQLite stores and real indexes in temporary directories."""
import pytest

from indexer.cli import sample_feeds
from indexer.service import IndexerService
from indexer.settings import load_settings
from matcher import create_app

from factories import make_partner


@pytest.fixture
def settings(tmp_path):
    """Test settings: everything under a fresh temporary data directory."""
    return {"DATA_DIR": str(tmp_path / "var"), "SEARCH_BACKEND": "embedded",
            "HEALTH_CHECK_SECONDS": 0}


@pytest.fixture
def service(settings):
    """An indexer service on a real SQLite store and the embedded index, with one partner."""
    svc = IndexerService.from_settings(load_settings(settings))
    svc.save("partners", [make_partner()])
    yield svc
    svc.close()


@pytest.fixture(params=["embedded", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def backend_settings(request, settings):
    """Settings for each backend in turn: the same tests run against both."""
    if request.param == "elasticsearch":
        return {**settings, **request.getfixturevalue("es_settings")}
    return settings


@pytest.fixture
def backend_service(backend_settings):
    """An indexer service with one partner on each backend in turn."""
    svc = IndexerService.from_settings(load_settings(backend_settings))
    svc.save("partners", [make_partner()])
    yield svc
    svc.close()


def _app(settings):
    """The Flask app on ``settings``, closed when the fixture ends."""
    app = create_app({**settings, "TESTING": True})
    yield app
    app.extensions["vungbuoc"].close()


@pytest.fixture
def app(settings):
    """The Flask app on a fresh data directory."""
    yield from _app(settings)


@pytest.fixture
def client(app):
    """A test client of ``app``."""
    return app.test_client()


@pytest.fixture(scope="session", params=["embedded", pytest.param(
    "elasticsearch", marks=pytest.mark.elasticsearch)])
def sample_settings(request, tmp_path_factory):
    """Settings of a data directory holding the bundled sample feeds (loaded once per backend)."""
    data = {"DATA_DIR": str(tmp_path_factory.mktemp("sample") / "var"),
            "SEARCH_BACKEND": "embedded"}
    cluster = None
    if request.param == "elasticsearch":
        cluster = request.getfixturevalue("es_cluster")
        data.update(cluster.settings())
    svc = IndexerService.from_settings(load_settings(data))
    report = svc.load_files(sample_feeds())
    svc.close()
    assert report.inserted > 0 and report.index_error is None
    yield data
    if cluster is not None:
        cluster.cleanup(data["ES_INDEX_PREFIX"])


@pytest.fixture(scope="session")
def sample_app(sample_settings):
    """The app over the sample data; tests must not write through it."""
    yield from _app(sample_settings)


@pytest.fixture
def sample_client(sample_app):
    """A test client of ``sample_app`` that sends a match-API client key."""
    if "TEST_MATCH_AUTH" not in sample_app.config:
        from factories import match_headers
        sample_app.config["TEST_MATCH_AUTH"] = match_headers(sample_app)["Authorization"]
    client = sample_app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = sample_app.config["TEST_MATCH_AUTH"]
    return client


def _start_or_skip(start, unavailable, what):
    """``start()``; when ``what`` is unavailable, fail under CI=true (CI must never skip
    silently), else skip saying why."""
    import os
    try:
        return start()
    except unavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{what} required in CI: {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def es_cluster():
    """The session's real Elasticsearch: ES_URL, or a node provisioned once (tests/es.py).

    Unavailable: a failure under CI=true (CI must never skip silently), else a skip that
    says how to provide one.
    """
    from es import EsCluster, EsUnavailable
    cluster = EsCluster()
    _start_or_skip(cluster.start, EsUnavailable, "Elasticsearch")
    yield cluster
    cluster.close()


@pytest.fixture
def es_settings(es_cluster):
    """Settings pointing at the real Elasticsearch under a prefix of this test's own."""
    overrides = es_cluster.settings()
    yield overrides
    es_cluster.cleanup(overrides["ES_INDEX_PREFIX"])


# -- how much ran ------------------------------------------------------------------------

_REAL_PARTS = ("elasticsearch", "browser", "postgres")
_outcomes = {part: {"passed": 0, "failed": 0, "skipped": 0} for part in _REAL_PARTS}


def pytest_runtest_logreport(report):
    """Count outcomes of the tests that need a real Elasticsearch, browser or PostgreSQL."""
    if report.when != "call" and not (report.skipped or report.failed):
        return
    for part in _REAL_PARTS:
        if part in report.keywords:
            outcome = "skipped" if report.skipped else report.outcome
            _outcomes[part][outcome] += 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say how many Elasticsearch, browser and PostgreSQL tests ran; in CI, none running fails."""
    terminalreporter.section("real parts")
    for part, counts in _outcomes.items():
        terminalreporter.write_line(f"{part}: {counts['passed']} passed, {counts['failed']} failed,"
                                    f" {counts['skipped']} skipped")
    from invariant import STEPS
    for what, n in sorted(STEPS.items()):
        terminalreporter.write_line(f"{what}: {n}")


def pytest_sessionfinish(session, exitstatus):
    """Under CI=true, a run where the Elasticsearch, browser or PostgreSQL tests did not run fails."""
    import os
    selected = session.config.getoption("-k") or session.config.getoption("-m")
    if os.environ.get("CI", "").lower() != "true" or selected or exitstatus != 0:
        return
    if any(_outcomes[p]["passed"] == 0 for p in _REAL_PARTS):
        session.exitstatus = 1


# -- PostgreSQL --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def pg_url():
    """The session's real PostgreSQL: VUNGBUOC_TEST_DATABASE_URL or a PostgreSQL DATABASE_URL,
    else a server provisioned once by tools/pgnode.py (tests/pg.py).

    Unavailable: a failure under CI=true, else a skip that says how to provide one.
    """
    from pg import PgServer, PgUnavailable
    server = PgServer()
    url = _start_or_skip(server.start, PgUnavailable, "PostgreSQL")
    yield url
    server.close()


@pytest.fixture
def pg_database(pg_url):
    """The URL of a fresh PostgreSQL database of this test's own, dropped afterwards."""
    from pg import drop_database, new_database
    url = new_database(pg_url)
    yield url
    drop_database(pg_url, url)
