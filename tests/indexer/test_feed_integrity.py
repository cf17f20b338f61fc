"""Loads never lose good input (issue #10, observations 6 and 7): odd bytes and values cost
one record each, a full disk ends the load cleanly, a killed load leaves no process
behind, concurrent loads count what they indexed, and requirement sentences load."""
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.service import IndexerService
from indexer.settings import load_settings

from factories import make_partner, make_posting
from invariant import assert_index_matches_store

# The indexer CLI of this checkout (not whatever `indexer` script is installed).
ROOT = Path(__file__).resolve().parents[2]
INDEXER = [sys.executable, "-m", "indexer.cli"]


def line(**overrides):
    return json.dumps(make_posting(**overrides), ensure_ascii=False).encode()


def run_indexer(settings, *args, preexec_fn=None, timeout=120):
    env = {**os.environ, "VUNGBUOC_DATA_DIR": settings["DATA_DIR"],
           "VUNGBUOC_SEARCH_BACKEND": "embedded"}
    return subprocess.run([*INDEXER, *args], env=env, capture_output=True, text=True,
                          preexec_fn=preexec_fn, timeout=timeout, cwd=ROOT)


def test_a_line_that_is_not_utf8_is_one_reject(service, tmp_path):
    feed = tmp_path / "jobs.jsonl"
    bad = line(external_id="J-2", title="Thợ hàn").replace("hàn".encode(), b"h\xff\xfen")
    feed.write_bytes(b"\n".join([line(external_id="J-1"), bad, line(external_id="J-3")]) + b"\n")
    report = service.load_files([feed])
    assert (report.inserted, report.rejected) == (2, 1)
    assert report.rejects[0]["where"] == "line 2"
    assert "not valid UTF-8: byte 0xff" in report.rejects[0]["message"]


def test_a_bad_byte_in_csv_or_json_costs_only_its_record(service, tmp_path):
    csv_feed = tmp_path / "jobs.csv"
    header = "external_id,partner_id,title,employment_type,location.province"
    csv_feed.write_bytes("\n".join([header, "C-1,cty-test,Thợ hàn,full_time,Thanh Hóa",
                                    "C-2,cty-test,Thợ \udcff,full_time,Thanh Hóa",
                                    "C-3,cty-test,Thợ xây,full_time,Thanh Hóa"])
                         .encode("utf-8", "surrogateescape") + b"\n")
    report = service.load_files([csv_feed])
    assert (report.inserted, report.rejected) == (2, 1)
    assert (report.rejects[0]["where"], report.rejects[0]["field"]) == ("line 3", "title")
    json_feed = tmp_path / "more-jobs.json"
    records = [make_posting(external_id="K-1"), make_posting(external_id="K-2", title="X\udcfe")]
    json_feed.write_bytes(json.dumps(records, ensure_ascii=False).encode("utf-8", "surrogateescape"))
    report = service.load_files([json_feed], kind="jobs")
    assert (report.inserted, report.rejected) == (1, 1)
    assert (report.rejects[0]["where"], report.rejects[0]["field"]) == ("record 2", "title")


@pytest.mark.parametrize("raw, field", [
    (b'"Th\\ud800 h\\u00e0n"', "title"), (b"[" * 5000 + b"]" * 5000, "title"),
    (b"9" * 5000, "pay_min_vnd"), (b"1e999", "pay_max_vnd")])
def test_odd_values_are_field_level_rejects_and_the_batch_loads(settings, tmp_path, raw, field):
    run_indexer(settings, "load", _partners(tmp_path))
    odd = line(external_id="J-2", **{field: "__ODD__"}).replace(b'"__ODD__"', raw)
    feed = tmp_path / "jobs.jsonl"
    feed.write_bytes(b"\n".join([line(external_id="J-1"), odd, line(external_id="J-3")]) + b"\n")
    result = run_indexer(settings, "load", str(feed))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"rejected {feed} line 2: {field}:" in result.stderr
    assert "inserted 2 / updated 0 / unchanged 0 / rejected 1 / converted 0 / indexed 2" \
        in result.stdout


def _partners(tmp_path):
    path = tmp_path / "partners.json"
    path.write_text(json.dumps([make_partner()], ensure_ascii=False), encoding="utf-8")
    return str(path)


def _feed(tmp_path, name, numbers, title="Thợ hàn số {}", description="Hàn kết cấu thép."):
    path = tmp_path / name
    path.write_text("".join(json.dumps(make_posting(external_id=f"F-{i}", title=title.format(i),
                                                    description=description),
                                       ensure_ascii=False) + "\n" for i in numbers),
                    encoding="utf-8")
    return str(path)


def test_a_full_disk_ends_the_load_with_what_was_committed(settings, tmp_path):
    run_indexer(settings, "load", _partners(tmp_path))
    feed = _feed(tmp_path, "jobs.jsonl", range(8000), description="Mô tả công việc dài. " * 40)

    def small_disk():  # files may not grow past 12 MB: writes beyond fail like a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (12 << 20, 12 << 20))
    result = run_indexer(settings, "load", feed, "--json", preexec_fn=small_disk)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert report["stopped"].startswith("the database could not be written")
    svc = IndexerService.from_settings(load_settings(settings))
    try:
        stored = svc.store.counts()["jobs"]["open"]
        assert 0 < stored == report["summary"]["inserted"] < 8000
        svc.sync()
        assert_index_matches_store(svc.store, svc.backend)
    finally:
        svc.close()


def _children(pid):
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def test_killing_a_load_kills_its_background_drain(settings, tmp_path):
    run_indexer(settings, "load", _partners(tmp_path))
    feed = _feed(tmp_path, "jobs.jsonl", range(20000))
    env = {**os.environ, "VUNGBUOC_DATA_DIR": settings["DATA_DIR"]}
    load = subprocess.Popen([*INDEXER, "load", feed], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not _children(load.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        drains = _children(load.pid)
        assert drains, "the load never started its background drain"
    finally:
        load.kill()
        load.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) for pid in drains) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in drains if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)]


def _state(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "Z"


def test_concurrent_loads_of_overlapping_feeds_count_what_each_indexed(settings, tmp_path):
    run_indexer(settings, "load", _partners(tmp_path))
    first = _feed(tmp_path, "jobs-a.jsonl", range(0, 3000))
    second = _feed(tmp_path, "jobs-b.jsonl", range(1500, 4500), title="Thợ hàn bậc 2 số {}")
    env = {**os.environ, "VUNGBUOC_DATA_DIR": settings["DATA_DIR"]}
    loads = [subprocess.Popen([*INDEXER, "load", feed, "--json"], env=env, text=True, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for feed in (first, second)]
    reports = [json.loads(p.communicate(timeout=300)[0]) for p in loads]
    for report in reports:
        s = report["summary"]
        assert s["rejected"] == 0 and report["index_error"] is None
        assert s["indexed"] == s["inserted"] + s["updated"], report
    assert sum(r["summary"]["inserted"] for r in reports) == 4500
    svc = IndexerService.from_settings(load_settings(settings))
    try:
        assert svc.store.counts()["outbox"] == 0
        assert_index_matches_store(svc.store, svc.backend)
    finally:
        svc.close()


REQUIREMENTS = [
    "Có kinh nghiệm hàn MIG/TIG tối thiểu 2 năm, đọc được bản vẽ kỹ thuật, chịu khó, "
    "trung thực, có sức khỏe tốt, ưu tiên ứng viên đã có chứng chỉ hàn 3G/4G hoặc đã làm "
    "việc tại các xưởng đóng tàu, kết cấu thép.",
    "Biết sử dụng máy cắt plasma và máy mài cầm tay; tuân thủ nội quy an toàn lao động.",
]


def test_requirement_sentences_load_with_the_skills_they_name(service, tmp_path):
    assert len(REQUIREMENTS[0]) > 200
    feed = tmp_path / "jobs.jsonl"
    feed.write_bytes(line(external_id="S-1", required_skills=REQUIREMENTS) + b"\n")
    report = service.load_files([feed])
    assert (report.inserted, report.rejected) == (1, 0), report.rejects
    assert set(report.resolved_in_text[REQUIREMENTS[0]]) >= {"welding_mig",
                                                              "reading_technical_drawings"}
    row = service.store.find_document("jobs", "cty-test", "S-1")
    assert {"welding_mig", "reading_technical_drawings"} <= set(row["data"]["required_skills"])
    assert row["data"]["skills_text"] == REQUIREMENTS
    too_long = tmp_path / "long-jobs.jsonl"
    too_long.write_bytes(line(external_id="S-2", required_skills=["x" * 501]) + b"\n")
    report = service.load_files([too_long])
    assert report.rejects[0]["field"] == "required_skills.0"


def _jobs_feed(tmp_path, n):
    feed = tmp_path / "jobs.jsonl"
    feed.write_bytes(b"\n".join(line(external_id=f"J-{i}", title=f"Thợ hàn bậc {i}")
                                for i in range(1, n + 1)) + b"\n")
    return feed


def test_a_load_refits_the_ranking_statistics_on_all_it_stored(service, tmp_path):
    # More than one batch, so a second process indexes while the refit runs beside it.
    report = service.load_files([_jobs_feed(tmp_path, 900)], batch=300)
    assert (report.inserted, report.indexed, report.index_error) == (900, 900, None)
    model = service.corpus.get("jobs")
    assert (model.n_docs_, model.n_fit_) == (900, 900)
    assert service.store.pending() == []
    assert_index_matches_store(service.store, service.backend)


def test_a_failing_refit_is_raised_after_the_index_is_synced(service, tmp_path, monkeypatch):
    def broken(kind):
        raise OSError("no space left for the model file")
    monkeypatch.setattr(service.corpus, "get", broken)
    service.concurrent_sync = False  # only this process's final sync indexes
    with pytest.raises(OSError, match="no space left"):
        service.load_files([_jobs_feed(tmp_path, 400)], batch=300)
    assert service.store.pending() == []
    assert_index_matches_store(service.store, service.backend)
