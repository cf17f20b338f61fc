"""The indexer CLI: load reports, exit codes, idempotent reloads, CSV and BOM, reindex."""
import json

import pytest
from click.testing import CliRunner

from indexer.cli import main

from factories import make_course, make_partner, make_posting


@pytest.fixture
def run(settings, monkeypatch):
    """Run ``indexer ARGS`` against the test data directory; returns (exit code, output)."""
    monkeypatch.setenv("VUNGBUOC_DATA_DIR", settings["DATA_DIR"])
    monkeypatch.setenv("VUNGBUOC_SEARCH_BACKEND", "embedded")

    def _run(*args):
        result = CliRunner().invoke(main, list(args))
        return result.exit_code, result.output
    return _run


@pytest.fixture
def feeds(tmp_path):
    """Write feed files; returns a function name → path."""
    def _write(name, records, fmt="jsonl"):
        path = tmp_path / name
        if fmt == "jsonl":
            path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                            encoding="utf-8")
        else:
            path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        return str(path)
    return _write


def summary(output):
    return json.loads(output)["summary"]


def test_load_reports_counts_and_reloading_changes_nothing(run, feeds):
    partners = feeds("partners.json", [make_partner()], fmt="json")
    jobs = feeds("jobs.jsonl", [make_posting(external_id=f"J-{i}") for i in range(3)])
    code, out = run("load", partners, jobs, "--json")
    assert code == 0, out
    assert summary(out) == {"read": 4, "inserted": 4, "updated": 0, "unchanged": 0,
                            "rejected": 0, "converted": 0, "indexed": 3}
    code, out = run("load", partners, jobs, "--json")
    assert code == 0
    assert summary(out) == {"read": 4, "inserted": 0, "updated": 0, "unchanged": 4,
                            "rejected": 0, "converted": 0, "indexed": 0}
    code, out = run("stats")
    assert json.loads(out)["index"] == {"jobs": 3, "courses": 0}


def test_invalid_records_are_reported_and_valid_ones_committed(run, feeds):
    run("load", feeds("partners.json", [make_partner()], fmt="json"))
    path = feeds("jobs.jsonl", [make_posting(), make_posting(external_id="J-2", pay_min_vnd=-5),
                                make_posting(external_id="J-3", partner_id="cty-ma")])
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    code, out = run("load", path, "--json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["inserted"] == 1 and report["summary"]["rejected"] == 3
    where = {(r["where"], r["field"]) for r in report["rejects"]}
    assert where == {("line 2", "pay_min_vnd"), ("line 3", "partner_id"), ("line 4", "_record")}
    code, out = run("stats")
    assert json.loads(out)["store"]["jobs"] == {"open": 1}


def test_text_report_ends_with_a_summary_line(run, feeds):
    run("load", feeds("partners.json", [make_partner()], fmt="json"))
    code, out = run("load", feeds("jobs.jsonl", [make_posting(required_skills=["chịu khó"])]))
    assert code == 0
    assert "chịu khó (1)" in out
    assert out.strip().splitlines()[-1] == ("read 1 / inserted 1 / updated 0 / unchanged 0 / "
                                            "rejected 0 / converted 0 / indexed 1")


def test_csv_with_bom_dotted_columns_and_lists(run, feeds, tmp_path):
    run("load", feeds("partners.json", [make_partner()], fmt="json"))
    path = tmp_path / "jobs.csv"
    path.write_text(
        "\ufeffpartner_id,external_id,title,location.province,location.lat,location.lon,"
        "employment_type,required_skills,pay_min_vnd,pay_period\n"
        "cty-test,J-9,Thợ hàn,Thanh Hóa,19.73,105.90,full_time,hàn que|welding_mig,7000000,month\n"
        "cty-test,J-10,Thợ hàn,Thanh Hóa,19.73,105.90,forever,,,\n", encoding="utf-8")
    code, out = run("load", str(path), "--json")
    report = json.loads(out)
    assert code == 1
    assert report["summary"]["inserted"] == 1
    assert report["rejects"] == [{"file": str(path), "where": "line 3",
                                  "field": "employment_type",
                                  "message": report["rejects"][0]["message"]}]


def test_courses_and_kind_option(run, feeds):
    run("load", feeds("partners.json", [make_partner()], fmt="json"))
    path = feeds("feed-a.json", [make_course()], fmt="json")
    code, out = run("load", path)
    assert code == 1 and "--kind" in out
    code, out = run("load", path, "--kind", "courses", "--json")
    assert code == 0 and summary(out)["inserted"] == 1


def test_reindex_rebuilds_from_the_store(run, feeds, settings):
    import shutil
    run("load", feeds("partners.json", [make_partner()], fmt="json"),
        feeds("jobs.jsonl", [make_posting(external_id=f"J-{i}") for i in range(5)]))
    shutil.rmtree(f"{settings['DATA_DIR']}/index")
    code, out = run("reindex")
    assert code == 0 and out.strip() == "jobs 5 / courses 0"
    assert json.loads(run("stats")[1])["index"] == {"jobs": 5, "courses": 0}


def test_load_without_files_is_a_usage_error(run):
    code, out = run("load")
    assert code == 2 and "give feed files" in out
