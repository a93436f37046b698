"""What the report says about a failure, in words a person understands."""

from __future__ import annotations

import pytest

from autonews.core.vocabulary import Outcome, RejectReason
from autonews.report_page.wording import (
    OUTCOMES,
    REJECTS,
    explain_failure,
    gate_reason,
    outcome_words,
    reject_words,
    tidy_detail,
)

DOWN = ("gearbox: no sitemap, feed or listing page could be fetched (connection_error=4); "
        "is the site down?")


@pytest.mark.parametrize(("outcomes", "headline"), [
    ({"connection_error": 4}, "The site refused every connection: is it down?"),
    ({"dns_error": 3, "timeout": 1}, "The site's name does not resolve"),
    ({"timeout": 2, "fetched": 0}, "The site did not answer in time"),
    ({"http_5xx": 3}, "server error"),
    ({"http_4xx": 2, "connection_error": 1}, "'not found' or 'forbidden'"),
    ({"robots_disallowed": 3}, "robots.txt"),
])
def test_a_site_that_cannot_be_reached_is_told_by_what_stopped_most_requests(outcomes,
                                                                             headline):
    said = explain_failure("crawl", "failed", "x: no sitemap, feed or listing page could be "
                           "fetched (...)", {"discovery_outcomes": outcomes})
    assert headline in said.headline
    assert "Traceback" not in said.headline and "_" not in said.headline


def test_the_outcomes_are_read_from_the_message_when_the_counts_lack_them():
    said = explain_failure("crawl", "failed", DOWN, {})
    assert said.headline == "The site refused every connection: is it down?"
    assert "browser" in said.advice


@pytest.mark.parametrize(("stage", "status", "error", "words"), [
    ("crawl", "failed", "crawl of gearbox exited with code 1: Traceback ...",
     "The crawler stopped with an error"),
    ("crawl", "failed", "crawl exceeded its 600 s timeout", "time limit"),
    ("clean", "failed", "ValueError: bad", "The cleaner failed"),
    ("load", "failed", "DiskFull: no space", "Loading the articles into the warehouse failed"),
    ("load", "failed", "OperationalError: connection refused", "The warehouse could not be used"),
    ("gate", "running", None, "still marked as running"),
    ("gate", "unstarted", None, "stopped before its gate stage started"),
    (None, "missing", None, "No run was recorded"),
])
def test_every_kind_of_failure_has_its_own_sentence(stage, status, error, words):
    said = explain_failure(stage, status, error)
    assert words in said.headline
    assert said.advice


def test_a_gate_failure_says_which_checks_failed_with_their_figures():
    checks = [
        {"check": "zero_articles", "value": 0, "limit": 3, "passed": False,
         "detail": "0 articles today; median 20/day over 14 days"},
        {"check": "reject_rate", "value": 0.9, "limit": 0.6, "passed": False,
         "detail": "9 of 10 pages rejected"},
        {"check": "empty_share", "value": 0.1, "limit": 0.5, "passed": True, "detail": ""},
    ]
    said = explain_failure("gate", "failed", "quality gate failed", {}, checks)
    assert said.headline.startswith("The quality gate held this day back: ")
    assert "usually has some (0 articles today; median 20/day over 14 days)" in said.headline
    assert "9 of 10 pages rejected: 90%, the limit is 60%" in said.headline
    assert "empty" not in said.headline
    assert gate_reason(checks[2:]) == "passed its check"
    assert gate_reason([]) == "no checks recorded"


def test_outcomes_and_rejects_have_words_and_unknown_ones_stay_readable():
    assert outcome_words("http_4xx") == "not found or forbidden (HTTP 4xx)"
    assert outcome_words("brand_new_outcome") == "brand new outcome"
    assert reject_words("gallery") == "a photo gallery, not an article"


def test_fetch_errors_lose_twisted_wrappers_and_repetition():
    raw = ("DownloadFailedError: [<twisted.python.failure.Failure "
           "twisted.internet.error.ConnectionLost: Connection to the other side was lost in a "
           "non-clean fashion.>]")
    assert tidy_detail(raw) == ("DownloadFailedError: ConnectionLost: Connection to the other "
                                "side was lost in a non-clean fashion.")
    assert tidy_detail("HTTP 404: HTTP 404 Not Found") == "HTTP 404 Not Found"
    assert tidy_detail("x" * 500).endswith("…") and len(tidy_detail("x" * 500)) == 200


def test_every_outcome_and_reject_reason_of_the_vocabulary_has_words():
    fine = {Outcome.FETCHED, Outcome.NOT_MODIFIED, Outcome.UNCHANGED}
    assert set(OUTCOMES) == set(Outcome) - fine
    assert set(REJECTS) == set(RejectReason)
