"""`Settings`: every environment variable autonews reads, read in one place, once per
process entry (a CLI command, a DAG task, a crawl subprocess) and passed down."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from autonews.core.errors import BadInput

DSN_ENV = "AUTONEWS_DSN"
HOME_ENV = "AUTONEWS_HOME"
SOURCES_ENV = "AUTONEWS_SOURCES"
DEMO_URL_ENV = "AUTONEWS_DEMO_URL"
DEMO_PORT_ENV = "AUTONEWS_DEMO_PORT"
QUALITY_ENV = "AUTONEWS_QUALITY"
CONTACT_ENV = "AUTONEWS_CONTACT_URL"
CRAWL_LOG_LEVEL_ENV = "AUTONEWS_CRAWL_LOG_LEVEL"
CCNEWS_BASE_URL_ENV = "AUTONEWS_CCNEWS_BASE_URL"
CCNEWS_LAG_DAYS_ENV = "AUTONEWS_CCNEWS_LAG_DAYS"
ARCHIVE_TIMEOUT_ENV = "AUTONEWS_ARCHIVE_TIMEOUT"
REPORTS_ENV = "AUTONEWS_REPORTS"

LOCK_WAIT_ENV = "AUTONEWS_LOCK_WAIT"
RUN_BUDGET_ENV = "AUTONEWS_RUN_BUDGET"
CLEAN_WORKERS_ENV = "AUTONEWS_CLEAN_WORKERS"
CLEAN_PAGE_TIMEOUT_ENV = "AUTONEWS_CLEAN_PAGE_TIMEOUT"

DEFAULT_CONTACT_URL = "https://github.com/autonews/autonews"
DEFAULT_DEMO_PORT = 8765
DEFAULT_CCNEWS_BASE_URL = "https://data.commoncrawl.org"  # or a mirror with its layout
DEFAULT_CCNEWS_LAG_DAYS = 3  # days between a page's publication and its capture
MAX_CCNEWS_LAG_DAYS = 60
DEFAULT_ARCHIVE_TIMEOUT = 60.0  # seconds a silent archive server may keep us waiting
DEFAULT_LOCK_WAIT = 120.0  # seconds a crawl waits for a site another crawl holds
DEFAULT_RUN_BUDGET = 7200.0  # seconds a CLI run may take, all its sources together
# Seconds one page's extraction may take before its worker is killed and the page rejected
# as `timeout` (a normal page takes tens of milliseconds; a pathological one can take hours).
DEFAULT_CLEAN_PAGE_TIMEOUT = 60.0
MAX_CLEAN_WORKERS = 64
# Root's data: the embedded PostgreSQL runs as an unprivileged user, which must reach its
# data without any folder outside AUTONEWS_HOME being opened up (/root is 0700).
ROOT_HOME = Path("/var/lib/autonews")


def _default_home() -> Path:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers)
        warnings.simplefilter("ignore")
        import platformdirs

        home = Path(platformdirs.user_data_dir("autonews")).resolve()
    if hasattr(os, "geteuid") and os.geteuid() == 0 and not (home / "pgdata").exists():
        return ROOT_HOME
    return home


def _cpus() -> int:
    """The cores this process may use (a container's CPU set, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _workers(env: Mapping[str, str]) -> int:
    text = env.get(CLEAN_WORKERS_ENV, "").strip()
    if not text:
        return _cpus()
    try:
        value = int(text)
        if not 1 <= value <= MAX_CLEAN_WORKERS:
            raise ValueError(text)
    except ValueError as exc:
        raise BadInput(f"{CLEAN_WORKERS_ENV}={text!r} is not a number of worker processes "
                       f"(1-{MAX_CLEAN_WORKERS})") from exc
    return value


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
        if not 0 < value < float("inf"):
            raise ValueError(text)
    except ValueError as exc:
        raise BadInput(f"{name}={text!r} is not a number of seconds (> 0)") from exc
    return value


@dataclass(frozen=True)
class Settings:
    """What the environment configures. `None` means "not set": the embedded warehouse for
    `dsn`, the shipped `config/` files for the paths."""

    dsn: str | None = None
    home: Path | None = None
    sources_file: Path | None = None
    demo_url: str | None = None
    demo_port: int = DEFAULT_DEMO_PORT
    quality_file: Path | None = None
    contact_url: str = DEFAULT_CONTACT_URL
    crawl_log_level: str = "INFO"
    ccnews_base_url: str = DEFAULT_CCNEWS_BASE_URL
    ccnews_lag_days: int = DEFAULT_CCNEWS_LAG_DAYS
    archive_timeout: float = DEFAULT_ARCHIVE_TIMEOUT
    reports_dir: Path | None = None  # where report pages go (else <data_home>/reports)
    lock_wait: float = DEFAULT_LOCK_WAIT
    run_budget: float = DEFAULT_RUN_BUDGET
    clean_workers: int = 1  # from_env: the cores this process may use
    clean_page_timeout: float = DEFAULT_CLEAN_PAGE_TIMEOUT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings of `environ` (default: this process's environment)."""
        env = os.environ if environ is None else environ

        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        port_text = text(DEMO_PORT_ENV)
        try:
            port = int(port_text) if port_text else DEFAULT_DEMO_PORT
            if not 0 <= port <= 65535:
                raise ValueError(port)
        except ValueError as exc:
            raise BadInput(f"{DEMO_PORT_ENV}={port_text!r} is not a port number (0-65535)"
                           ) from exc
        level = (text(CRAWL_LOG_LEVEL_ENV) or "INFO").upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise BadInput(f"{CRAWL_LOG_LEVEL_ENV}={level!r} is not a log level "
                           "(DEBUG, INFO, WARNING, ERROR, CRITICAL)")
        ccnews_base_url, ccnews_lag_days, archive_timeout = _archive_settings(text)
        home = text(HOME_ENV)
        sources = text(SOURCES_ENV)
        quality = text(QUALITY_ENV)
        demo_url = text(DEMO_URL_ENV)
        reports = text(REPORTS_ENV)
        return cls(
            dsn=text(DSN_ENV),
            home=Path(home).expanduser().resolve() if home else None,
            sources_file=Path(sources).expanduser() if sources else None,
            demo_url=demo_url.rstrip("/") if demo_url else None,
            demo_port=port,
            quality_file=Path(quality).expanduser() if quality else None,
            contact_url=text(CONTACT_ENV) or DEFAULT_CONTACT_URL,
            crawl_log_level=level,
            ccnews_base_url=ccnews_base_url,
            ccnews_lag_days=ccnews_lag_days,
            archive_timeout=archive_timeout,
            reports_dir=Path(reports).expanduser() if reports else None,
            lock_wait=_seconds(env, LOCK_WAIT_ENV, DEFAULT_LOCK_WAIT),
            run_budget=_seconds(env, RUN_BUDGET_ENV, DEFAULT_RUN_BUDGET),
            clean_workers=_workers(env),
            clean_page_timeout=_seconds(env, CLEAN_PAGE_TIMEOUT_ENV,
                                        DEFAULT_CLEAN_PAGE_TIMEOUT),
        )

    @property
    def data_home(self) -> Path:
        """Directory of the embedded database, crawl logs and reports (`AUTONEWS_HOME`)."""
        return self.home or _default_home()

    @property
    def reports_folder(self) -> Path:
        """Where daily report pages go: `AUTONEWS_REPORTS`, else `<data_home>/reports`."""
        return self.reports_dir or self.data_home / "reports"


def check_lag_days(days: int, name: str = CCNEWS_LAG_DAYS_ENV) -> int:
    """`days` if it is a capture lag CC-NEWS backfills accept (0-60), else `BadInput`."""
    if not 0 <= days <= MAX_CCNEWS_LAG_DAYS:
        raise BadInput(f"{name}={days} is not a capture lag of 0-{MAX_CCNEWS_LAG_DAYS} days")
    return days


def _archive_settings(text: Callable[[str], str | None]) -> tuple[str, int, float]:
    """(CC-NEWS base URL, capture lag in days, archive read timeout in seconds)."""
    base = (text(CCNEWS_BASE_URL_ENV) or DEFAULT_CCNEWS_BASE_URL).rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise BadInput(f"{CCNEWS_BASE_URL_ENV}={base!r} is not an http(s) URL")
    lag_text = text(CCNEWS_LAG_DAYS_ENV)
    try:
        lag = int(lag_text) if lag_text else DEFAULT_CCNEWS_LAG_DAYS
    except ValueError as exc:
        raise BadInput(f"{CCNEWS_LAG_DAYS_ENV}={lag_text!r} is not a whole number of days"
                       ) from exc
    timeout_text = text(ARCHIVE_TIMEOUT_ENV)
    try:
        timeout = float(timeout_text) if timeout_text else DEFAULT_ARCHIVE_TIMEOUT
    except ValueError:
        timeout = math.nan
    if not (math.isfinite(timeout) and timeout > 0):
        raise BadInput(f"{ARCHIVE_TIMEOUT_ENV}={timeout_text!r} is not a positive number of "
                       "seconds")
    return base, check_lag_days(lag), timeout
