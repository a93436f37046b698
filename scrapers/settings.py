"""Scrapy settings for autonews crawls: polite by default, bounded, every outcome counted.

Per-source `crawl_settings` in `config/sources.toml` override these for one source;
`scrapers.run` adds what comes from the environment (user agent, log level, DSN).
"""

from __future__ import annotations

BOT_NAME = "autonews"
SPIDER_MODULES = ["scrapers.spiders"]
NEWSPIDER_MODULE = "scrapers.spiders"

ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# Politeness: AutoThrottle adapts the delay to the site's latency; hard per-domain cap.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Bounds: time, size, redirects.
DOWNLOAD_TIMEOUT = 20
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
DOWNLOAD_FAIL_ON_DATALOSS = True

# Retries with exponential backoff, honouring Retry-After.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 30.0
RETRY_AFTER_MAX = 60.0

DOWNLOADER_MIDDLEWARES = {
    "scrapers.middlewares.SourceGuardMiddleware": 50,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapers.middlewares.BackoffRetryMiddleware": 550,
    # our guard replaces Scrapy's offsite filter (it names the outcome)
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
}
ITEM_PIPELINES = {"scrapers.pipelines.RawPageWriter": 300}

LOGSTATS_INTERVAL = 30.0

AUTONEWS_WRITE_BATCH = 1  # every fetch committed at once: a killed crawl keeps all it got
