"""Names the pipeline's stages, statuses, triggers, fetch outcomes and reject reasons use,
in code, in `pipeline_runs`, in `raw_pages` and in `rejected_pages` alike."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """A step of a run, in pipeline order: crawl to load for each source, then enrich for
    the run's window (every source at once: its `pipeline_runs.source_id` is `*`)."""

    CRAWL = "crawl"
    CLEAN = "clean"
    GATE = "gate"
    LOAD = "load"
    ENRICH = "enrich"


# The stages of one source's day, in order (enrich follows them for the whole run).
STAGES: tuple[Stage, ...] = (Stage.CRAWL, Stage.CLEAN, Stage.GATE, Stage.LOAD)


class Status(StrEnum):
    """Where a stage stands in `pipeline_runs`."""

    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    SKIPPED = "skipped"


class Trigger(StrEnum):
    """What started a run (`pipeline_runs.trigger`)."""

    CLI = "cli"
    AIRFLOW = "airflow"
    BACKFILL = "backfill"
    RECLEAN = "reclean"
    ARCHIVE = "archive"  # `autonews import-warc`
    CCNEWS = "ccnews"  # `autonews backfill --ccnews`, the autonews_ccnews_backfill DAG


class FetchKind(StrEnum):
    """What a fetched URL was for (`raw_pages.kind`)."""

    ARTICLE = "article"
    SITEMAP = "sitemap"
    NEWS_SITEMAP = "news_sitemap"
    FEED = "feed"
    ARCHIVE = "archive"
    LISTING = "listing"


class Outcome(StrEnum):
    """What happened to a URL the crawler touched (`raw_pages.outcome`)."""

    FETCHED = "fetched"
    NOT_MODIFIED = "not_modified"
    UNCHANGED = "unchanged"  # not requested: the sitemap lastmod is older than our copy
    ROBOTS = "robots_disallowed"
    HTTP_4XX = "http_4xx"
    HTTP_5XX = "http_5xx"
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    NOT_HTML = "not_html"
    OFFSITE_REDIRECT = "offsite_redirect"
    OFFSITE = "offsite"
    PRIVATE_ADDRESS = "private_address"
    REDIRECT_LOOP = "redirect_loop"
    DNS_ERROR = "dns_error"
    CONNECTION_ERROR = "connection_error"
    DATA_LOSS = "truncated"
    OVER_CAP = "over_cap"
    OVER_BUDGET = "over_budget"  # not fetched: the crawl's time budget ran out first
    BAD_DOCUMENT = "bad_document"  # a sitemap or feed that does not parse
    ERROR = "error"


FAILED_OUTCOMES: frozenset[Outcome] = frozenset({
    Outcome.HTTP_4XX, Outcome.HTTP_5XX, Outcome.TIMEOUT, Outcome.TOO_LARGE, Outcome.NOT_HTML,
    Outcome.OFFSITE_REDIRECT, Outcome.OFFSITE, Outcome.PRIVATE_ADDRESS, Outcome.REDIRECT_LOOP,
    Outcome.DNS_ERROR, Outcome.CONNECTION_ERROR, Outcome.DATA_LOSS, Outcome.BAD_DOCUMENT,
    Outcome.ERROR,
})


class RejectReason(StrEnum):
    """Why a fetched page is not loaded as an article (`rejected_pages.reason`)."""

    NOT_HTML = "not_html"
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    GALLERY = "gallery"
    VIDEO = "video"
    INDEX = "index"
    UNPARSABLE = "unparsable"
    # The page's extraction outlived the per-page limit (AUTONEWS_CLEAN_PAGE_TIMEOUT): its
    # worker was killed so one pathological page cannot hold up the day.
    TIMEOUT = "timeout"
    # The worker process extracting the page died (killed for memory, a crash in lxml).
    CRASHED = "crashed"


class PageKind(StrEnum):
    """What a kept page looked like (`articles.page_kind`): analysts filter on it, the
    quality gate counts it."""

    ARTICLE = "article"
    LIVEBLOG = "liveblog"
    GALLERY = "gallery"
    VIDEO = "video"
    LISTING = "listing"
    UNKNOWN = "unknown"


class ArchiveKind(StrEnum):
    """Which kind of web archive an imported page came from (`raw_page_archives.archive`)."""

    WARC = "warc"  # a file given to `autonews import-warc`
    CCNEWS = "ccnews"  # Common Crawl's news archive


class FileStatus(StrEnum):
    """Where the reading of one archive file stands (`archive_files.status`)."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
