"""Scrapy settings for autonews crawls: polite by default, bounded, every outcome counted.

Per-source `crawl_settings` in `config/sources.toml` override these for one source;
`scrapers.run` adds what comes from the environment (user agent, log level, DSN).
"""

from __future__ import annotations

from autonews.core import crawl_settings as limits

BOT_NAME = "autonews"
SPIDER_MODULES = ["scrapers.spiders"]
NEWSPIDER_MODULE = "scrapers.spiders"

ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
# No remote control of a crawl: Scrapy's telnet console and (2.19+) its HTTP remote-control
# server, whose token it writes to a file in the user's home, let any process of the same
# user run code in the crawl: read the settings (the warehouse DSN among them), drive it.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
EXTENSIONS = {"scrapy.extensions.telnet.TelnetConsole": None,
              "scrapy.extensions.remote_control.RemoteControl": None}

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
DOWNLOAD_MAXSIZE = limits.PAGE_MAXSIZE
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

# Budgets (README, "Limits"): each is counted in the crawl's `limits_hit` when reached.
CRAWL_TIME_BUDGET = limits.CRAWL_TIME_BUDGET  # becomes CLOSESPIDER_TIMEOUT
DISCOVERY_TIME_SHARE = limits.DISCOVERY_TIME_SHARE
PAGE_TIME_BUDGET = limits.PAGE_TIME_BUDGET
SITEMAP_MAX_DEPTH = limits.SITEMAP_MAX_DEPTH
SITEMAP_MAX_CHILDREN = limits.SITEMAP_MAX_CHILDREN
SITEMAP_MAXSIZE = limits.SITEMAP_MAXSIZE
DISCOVERY_MAX_FETCHES = limits.DISCOVERY_MAX_FETCHES
DISCOVERY_MAX_URLS = limits.DISCOVERY_MAX_URLS

AUTONEWS_WRITE_BATCH = 1  # every fetch committed at once: a killed crawl keeps all it got
