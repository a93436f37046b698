"""The crawl stage: one source's window discovered and fetched by Scrapy in a subprocess
(a Twisted reactor cannot restart), every URL touched stored in `raw_pages`."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from autonews.core.crawl_schema import CrawlReport, CrawlRequest
from autonews.core.errors import SiteDown, StageFailed
from autonews.core.results import CrawlResult
from autonews.core.secrets import mask_secrets
from autonews.core.settings import DSN_ENV, Settings
from autonews.core.source import Source
from autonews.core.vocabulary import Outcome, Stage, Trigger
from autonews.core.window import Window
from autonews.jobs.stage import recorded_stage
from warehouse.locks import site_lock

log = logging.getLogger(__name__)

ProgressFn = Callable[[dict[str, Any]], None]


def crawl_source(
    dsn: str,
    source: Source,
    window: Window,
    run_id: str,
    *,
    trigger: str = Trigger.CLI,
    on_progress: ProgressFn | None = None,
    timeout: float | None = None,
    settings: Settings | None = None,
    lock_wait: float | None = None,
) -> CrawlResult:
    """Discover and fetch `source`'s articles for `window` in a Scrapy subprocess; every
    URL touched lands in `raw_pages`. Fails when the site could not be reached at all.
    With `lock_wait`, raises `SiteBusy` when another crawl of the site still holds its
    lock after that many seconds (a scheduler then frees the worker and tries later)."""
    settings = settings or Settings.from_env()
    with recorded_stage(dsn, run_id, source.id, Stage.CRAWL, window, trigger,
                        CrawlResult()) as (conn, recorded), \
            site_lock(conn, source.id, wait=lock_wait):
        logs = settings.data_home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log_file = logs / f"crawl-{source.id}-{window}-{run_id}.log"
        with tempfile.TemporaryDirectory(prefix="autonews-crawl-") as tmp:
            request_file, report_file = Path(tmp) / "request.json", Path(tmp) / "report.json"
            CrawlRequest(source, window, run_id, str(log_file), progress=True).write(
                request_file)
            command = [sys.executable, "-m", "scrapers.run", "--request", str(request_file),
                       "--report", str(report_file)]
            env = {**os.environ, DSN_ENV: dsn, "PYTHONUNBUFFERED": "1"}
            code = _run_streaming(command, env, on_progress, timeout)
            if code != 0 or not report_file.exists():
                tail = _tail(log_file)
                raise StageFailed(f"crawl of {source.id} exited with code {code}"
                                  + (f": {tail}" if tail else "") + f" (log: {log_file})")
            report = CrawlReport.read(report_file)
        recorded.result = report.result(str(log_file))
        if report.discovery and not report.discovery.get(Outcome.FETCHED):
            reasons = ", ".join(f"{k}={v}" for k, v in sorted(report.discovery.items()))
            raise SiteDown(f"{source.id}: no sitemap, feed or listing page could be "
                              f"fetched ({reasons}); is the site down?")
    return recorded.result


def _run_streaming(command: list[str], env: dict[str, str], on_progress: ProgressFn | None,
                   timeout: float | None) -> int:
    """Run the crawl, passing its JSON progress lines to `on_progress`; its exit code."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    assert proc.stdout is not None
    deadline = None if timeout is None else datetime.now(UTC) + timedelta(seconds=timeout)
    try:
        for line in proc.stdout:
            if deadline and datetime.now(UTC) > deadline:
                proc.kill()
                raise StageFailed(f"crawl exceeded its {timeout:.0f} s timeout")
            line = line.strip()
            if not line.startswith("{"):
                if line:
                    log.debug("crawl: %s", mask_secrets(line))
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                log.debug("crawl: %s", mask_secrets(line))
                continue
            if on_progress is not None:
                on_progress(event)
        return proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _tail(path: Path, lines: int = 3) -> str:
    """The last error lines of a crawl log (secrets masked), for the stage's error."""
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    errors = [line for line in text if "ERROR" in line or "Traceback" in line] or text
    return mask_secrets(" | ".join(errors[-lines:]))[:600]
