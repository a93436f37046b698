"""The settings read from the environment in one place, the crawl's request and report
files, and the error kinds with their exit codes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from autonews.core import (
    AutonewsError,
    BadInput,
    ConfigError,
    MigrationError,
    Settings,
    Source,
    StageFailed,
    WarehouseUnavailable,
    Window,
    mask_secrets,
)
from autonews.core.crawl_schema import CrawlReport, CrawlRequest, CrawlSchemaError


def test_settings_come_from_the_environment_with_defaults():
    plain = Settings.from_env({})
    assert plain.dsn is None and plain.sources_file is None and plain.demo_port == 8765
    assert plain.crawl_log_level == "INFO" and plain.contact_url.startswith("https://")
    full = Settings.from_env({
        "AUTONEWS_DSN": " postgresql://u@h/db ", "AUTONEWS_HOME": "/tmp/an-home",
        "AUTONEWS_SOURCES": "/etc/an/sources.toml", "AUTONEWS_DEMO_URL": "http://demo:8765/",
        "AUTONEWS_DEMO_PORT": "9000", "AUTONEWS_QUALITY": "/etc/an/q.toml",
        "AUTONEWS_CONTACT_URL": "https://ops.example", "AUTONEWS_CRAWL_LOG_LEVEL": "debug"})
    assert full.dsn == "postgresql://u@h/db" and full.data_home == Path("/tmp/an-home")
    assert full.sources_file == Path("/etc/an/sources.toml")
    assert full.demo_url == "http://demo:8765" and full.demo_port == 9000
    assert full.quality_file == Path("/etc/an/q.toml") and full.crawl_log_level == "DEBUG"


def test_archive_settings_come_from_the_environment_with_defaults():
    plain = Settings.from_env({})
    assert plain.ccnews_base_url == "https://data.commoncrawl.org"
    assert plain.ccnews_lag_days == 3 and plain.archive_timeout == 60.0
    mirror = Settings.from_env({"AUTONEWS_CCNEWS_BASE_URL": "http://mirror.example/cc/",
                                "AUTONEWS_CCNEWS_LAG_DAYS": " 7 ",
                                "AUTONEWS_ARCHIVE_TIMEOUT": "2.5"})
    assert mirror.ccnews_base_url == "http://mirror.example/cc"
    assert mirror.ccnews_lag_days == 7 and mirror.archive_timeout == 2.5


def test_the_clean_uses_every_core_unless_told_otherwise():
    import os

    plain = Settings.from_env({})
    assert plain.clean_workers == len(os.sched_getaffinity(0))
    assert plain.clean_page_timeout == 60.0
    told = Settings.from_env({"AUTONEWS_CLEAN_WORKERS": " 3 ",
                              "AUTONEWS_CLEAN_PAGE_TIMEOUT": "7.5"})
    assert told.clean_workers == 3 and told.clean_page_timeout == 7.5


@pytest.mark.parametrize(("env", "message"), [
    ({"AUTONEWS_CLEAN_WORKERS": "0"}, "AUTONEWS_CLEAN_WORKERS='0' is not a number of worker"),
    ({"AUTONEWS_CLEAN_WORKERS": "two"}, "is not a number of worker processes \\(1-64\\)"),
    ({"AUTONEWS_CLEAN_PAGE_TIMEOUT": "-1"}, "AUTONEWS_CLEAN_PAGE_TIMEOUT='-1' is not a number"),
    ({"AUTONEWS_DEMO_PORT": "eighty"}, "AUTONEWS_DEMO_PORT='eighty' is not a port number"),
    ({"AUTONEWS_DEMO_PORT": "70000"}, "is not a port number"),
    ({"AUTONEWS_CRAWL_LOG_LEVEL": "LOUD"}, "is not a log level"),
    ({"AUTONEWS_CCNEWS_BASE_URL": "data.commoncrawl.org"}, "is not an http\\(s\\) URL"),
    ({"AUTONEWS_CCNEWS_LAG_DAYS": "3d"}, "AUTONEWS_CCNEWS_LAG_DAYS='3d' is not a whole number"),
    ({"AUTONEWS_CCNEWS_LAG_DAYS": "61"}, "is not a capture lag of 0-60 days"),
    ({"AUTONEWS_ARCHIVE_TIMEOUT": "0"}, "AUTONEWS_ARCHIVE_TIMEOUT='0' is not a positive"),
    ({"AUTONEWS_ARCHIVE_TIMEOUT": "inf"}, "is not a positive number of seconds"),
])
def test_bad_settings_are_refused_by_name(env, message):
    with pytest.raises(BadInput, match=message):
        Settings.from_env(env)


def test_a_crawl_request_and_report_travel_through_files(tmp_path):
    source = Source(id="site", name="Site", home="https://s.example/", feeds=("https://s.example/f",),
                    crawl_settings={"DOWNLOAD_DELAY": 1})
    request = CrawlRequest(source, Window.for_day(date(2026, 11, 13)), "run-1", "/x.log")
    request.write(tmp_path / "request.json")
    assert CrawlRequest.read(tmp_path / "request.json") == request
    report = CrawlReport("finished", listed=3, in_window=2, articles={"fetched": 1,
                         "not_modified": 1, "unchanged": 1, "timeout": 1})
    report.write(tmp_path / "report.json")
    result = CrawlReport.read(tmp_path / "report.json").result()
    assert (result.fetched, result.not_modified, result.failed) == (1, 2, 1)


def test_a_file_of_another_schema_version_is_refused(tmp_path):
    path = tmp_path / "report.json"
    path.write_text('{"schema": 99, "listed": 1}')
    with pytest.raises(CrawlSchemaError, match="schema version 99"):
        CrawlReport.read(path)


def test_each_kind_of_error_carries_its_exit_code():
    assert AutonewsError.exit_code == 1 and StageFailed.exit_code == 1
    assert BadInput.exit_code == ConfigError.exit_code == 2
    assert WarehouseUnavailable.exit_code == MigrationError.exit_code == 3
    assert issubclass(ConfigError, BadInput)


def test_secrets_are_masked_in_every_form():
    assert mask_secrets("postgresql://app:hunter2@db:5432/x failed") == \
        "postgresql://app:***@db:5432/x failed"
    assert "hunter2" not in mask_secrets("host=db password=hunter2 user=app")
    assert "abc123" not in mask_secrets("https://hooks.example/x?token=abc123&a=1")
    assert mask_secrets("http://:t0ken@hooks.example:9000/alerts") == \
        "http://:***@hooks.example:9000/alerts"


def test_only_errors_a_retry_can_fix_are_retryable():
    from autonews.core import GateFailed, SiteBusy, SiteDown

    assert StageFailed.retryable and SiteBusy.retryable and WarehouseUnavailable.retryable
    assert not (BadInput.retryable or ConfigError.retryable or GateFailed.retryable
                or SiteDown.retryable)
    assert issubclass(GateFailed, StageFailed) and issubclass(SiteDown, StageFailed)
