"""Stage results: the counts each stage stores in `pipeline_runs` and reads back, and the
one summary of a source's run."""

from __future__ import annotations

from autonews.core import (
    Check,
    CleanResult,
    CrawlResult,
    GateResult,
    LoadResult,
    SourceSummary,
    Stage,
    Status,
)
from autonews.core.results import SUMMARY_COLUMNS


def test_every_result_reads_back_what_it_stored():
    crawl = CrawlResult(listed=9, in_window=4, fetched=3, failed=1, outcomes={"fetched": 3,
                        "http_5xx": 1}, finish_reason="finished", log_file="/logs/x.log")
    clean = CleanResult(pages=4, articles=2, undated_pages=1)
    clean.kept("article", 0.9)
    clean.kept("liveblog", 0.3)
    clean.reject("gallery")
    clean.reject("too_short")
    gate = GateResult([Check("reject_rate", 0.5, 0.6, True, "2 of 4 pages rejected")])
    load = LoadResult(1, 1, 0)
    for result in (crawl, clean, gate, load):
        assert type(result).from_counts(result.to_counts()) == result
    assert clean.page_kinds == {"article": 1, "liveblog": 1} and clean.low_confidence == 1


def test_clean_counts_keep_their_stored_keys():
    clean = CleanResult(pages=3, articles=1)
    clean.reject("empty")
    clean.reject("empty")
    counts = clean.to_counts()
    assert counts["rejected"] == 2 and counts["rejected_empty"] == 2
    assert clean.rejected_for("empty", "too_short") == 2


def test_crawl_counts_written_before_listed_existed_still_read():
    old = {"discovered": 12, "in_window": 4, "fetched": "garbage", "outcomes": {"fetched": 4}}
    result = CrawlResult.from_counts(old)
    assert (result.listed, result.in_window, result.fetched) == (12, 4, 0)


def test_a_gate_passes_only_when_every_check_does():
    failing = Check("empty_share", 0.9, 0.5, False, "9 of 10 pages empty")
    assert GateResult([]).passed
    assert not GateResult([failing]).passed
    assert failing.describe() == "empty_share 0.90 > 0.5 (9 of 10 pages empty)"


def test_a_summary_is_built_from_stored_rows_and_names_the_first_failure():
    summary = SourceSummary("gearbox")
    summary.record(Stage.CRAWL, Status.SUCCESS, {"in_window": 4, "fetched": 2, "failed": 2})
    summary.record(Stage.CLEAN, Status.SUCCESS, {"pages": 2, "rejected": 2,
                                                 "rejected_empty": 2})
    summary.record(Stage.GATE, Status.FAILED, {}, "quality gate failed for gearbox")
    summary.record(Stage.LOAD, Status.SKIPPED, {}, "gate failed")
    row = summary.row()
    assert not summary.ok
    assert row["error"] == "gate: quality gate failed for gearbox"
    assert {k: row[k] for k in SUMMARY_COLUMNS} == {
        "discovered": 4, "fetched": 2, "not_modified": 0, "failed": 2, "inserted": 0,
        "updated": 0, "unchanged": 0, "rejected": 2}
    assert row["stages"] == {"crawl": "success", "clean": "success", "gate": "failed",
                             "load": "skipped"}


def test_a_stage_left_running_is_not_ok():
    summary = SourceSummary("motorwire")
    summary.record(Stage.CRAWL, Status.RUNNING, {})
    assert not summary.ok and summary.error is None
