"""The crawl stage: one source's window discovered and fetched by Scrapy in a subprocess
(a Twisted reactor cannot restart), every URL touched stored in `raw_pages`.

The subprocess writes the crawl, so it holds the site lock; it runs in a process group of
its own and dies with this process (see `scrapers.run`). This side bounds it: the crawl's
time budget (the subprocess stops itself gracefully at it; a hard stop follows a grace
period later), and `interrupt_crawls()` (the CLI's SIGTERM handler) ends every crawl the
process runs, so nothing keeps crawling after its `autonews run` is gone.
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autonews.core.crawl_schema import CrawlReport, CrawlRequest, FinishReason, ProgressEvent
from autonews.core.crawl_settings import check_crawl_settings, crawl_time_budget
from autonews.core.errors import BadInput, SiteBusy, SiteDown, StageFailed
from autonews.core.results import CrawlResult
from autonews.core.secrets import mask_secrets
from autonews.core.settings import DSN_ENV, HOME_ENV, Settings
from autonews.core.source import Source
from autonews.core.vocabulary import Outcome, Stage, Trigger
from autonews.core.window import Window
from autonews.jobs.stage import Recorded, recorded_stage

log = logging.getLogger(__name__)

ProgressFn = Callable[[dict[str, Any]], None]
PARENT_PID_ENV = "AUTONEWS_PARENT_PID"  # read by scrapers.run
# After its budget the crawl closes itself; past this much more it is killed.
HARD_STOP_GRACE = 60.0
TERMINATE_GRACE = 15.0  # between SIGTERM and SIGKILL of a crawl's process group

_running: set[subprocess.Popen[bytes]] = set()
_running_lock = threading.RLock()  # taken in signal handlers too
_interrupted = threading.Event()
_interrupt_reason = ["interrupted"]


def interrupt_crawls(reason: str = "interrupted") -> None:
    """End every crawl this process runs (from a signal handler: no waiting here). Each
    `crawl_source` then fails with `reason`, its subprocess group terminated."""
    _interrupted.set()
    _interrupt_reason[0] = reason
    with _running_lock:
        procs = list(_running)
    for proc in procs:
        if proc.poll() is None:
            _signal_group(proc, signal.SIGTERM)


def stop_requested() -> bool:
    """Whether `interrupt_crawls` was called: no new stage should start."""
    return _interrupted.is_set()


def stop_reason() -> str:
    return _interrupt_reason[0]


def check_logs_writable(settings: Settings) -> Path:
    """The crawl logs' folder, created if needed; `BadInput` once, before any source runs,
    when it cannot be written."""
    logs = settings.data_home / "logs"
    try:
        logs.mkdir(parents=True, exist_ok=True)
        # A unique probe: the sources of one run check this from parallel threads.
        with tempfile.NamedTemporaryFile(dir=logs, prefix=".write-test-") as probe:
            probe.write(b"ok")
    except OSError as exc:
        raise BadInput(f"crawl logs cannot be written in {logs} ({exc.strerror or exc}); "
                       f"set {HOME_ENV} to a writable folder") from exc
    return logs


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

    `timeout` is the crawl's time budget in seconds (default: the source's
    `CRAWL_TIME_BUDGET`, itself capped by it): at it the crawl stops gracefully, keeps what
    it fetched, and counts `crawl_time` in `limits_hit`. `lock_wait` is how long to wait for
    the site lock another crawl holds (default: `Settings.lock_wait`); past it the stage
    raises `SiteBusy` naming the holder."""
    settings = settings or Settings.from_env()
    wait = settings.lock_wait if lock_wait is None else max(0.0, lock_wait)
    try:
        tuned = check_crawl_settings(source.crawl_settings)
    except ValueError as exc:
        raise BadInput(f"source '{source.id}': key 'crawl_settings': {exc}") from exc
    budget = crawl_time_budget(tuned)
    if timeout is not None:
        budget = min(budget, max(1.0, timeout))
    with recorded_stage(dsn, run_id, source.id, Stage.CRAWL, window, trigger,
                        CrawlResult()) as (_, recorded):
        logs = check_logs_writable(settings)
        log_file = logs / f"crawl-{source.id}-{window}-{run_id}.log"
        with tempfile.TemporaryDirectory(prefix="autonews-crawl-") as tmp:
            request_file, report_file = Path(tmp) / "request.json", Path(tmp) / "report.json"
            CrawlRequest(source, window, run_id, str(log_file), progress=True,
                         lock_wait=wait, time_budget=budget).write(request_file)
            command = [sys.executable, "-m", "scrapers.run", "--request", str(request_file),
                       "--report", str(report_file)]
            env = {**os.environ, DSN_ENV: dsn, "PYTHONUNBUFFERED": "1",
                   PARENT_PID_ENV: str(os.getpid())}
            # wait for the lock + the budget + the grace: then the crawl is stuck
            hard_limit = wait + budget + HARD_STOP_GRACE
            output: list[str] = []
            code = _run_streaming(command, env, on_progress, hard_limit, recorded, output)
            if code != 0 or not report_file.exists():
                tail = _tail(log_file) or mask_secrets(" | ".join(output[-3:]))[:600]
                raise StageFailed(f"crawl of {source.id} exited with code {code}"
                                  + (f": {tail}" if tail else "") + f" (log: {log_file})")
            report = CrawlReport.read(report_file)
        recorded.result = report.result(str(log_file))
        _raise_for(report, source)
    return recorded.result


def _raise_for(report: CrawlReport, source: Source) -> None:
    """The stage's error for a crawl that ended early or reached nothing."""
    reason = report.finish_reason
    if reason == FinishReason.SITE_BUSY:
        raise SiteBusy(report.error or f"{source.id}: another crawl holds the site lock")
    if reason in (FinishReason.LOCK_LOST, FinishReason.WAREHOUSE_LOST,
                  FinishReason.PARENT_GONE):
        raise StageFailed(f"{source.id}: crawl stopped early ({reason}): {report.error}")
    if report.discovery and not report.discovery.get(Outcome.FETCHED):
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(report.discovery.items()))
        raise SiteDown(f"{source.id}: no sitemap, feed or listing page could be "
                       f"fetched ({reasons}); is the site down?")


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a crawl still running, with its process group (its lock and writes end
    with it); kill it if it does not end. A crawl that ended by itself is left alone."""
    if proc.poll() is None:
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout=TERMINATE_GRACE)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
    proc.wait()


def _run_streaming(command: list[str], env: dict[str, str], on_progress: ProgressFn | None,
                   hard_limit: float, recorded: Recorded[Any], output: list[str]) -> int:
    """Run the crawl in its own process group, passing its JSON progress lines to
    `on_progress` and keeping the stage's connection alive; its exit code. Other output
    lines (the last 20) go to `output`. Stopped (and `StageFailed`) past `hard_limit`
    seconds, or when `interrupt_crawls` is called."""
    if _interrupted.is_set():
        raise StageFailed(f"crawl not started: {_interrupt_reason[0]}")
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, process_group=0)
    with _running_lock:
        _running.add(proc)
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + hard_limit
    pending = b""
    selector = selectors.DefaultSelector()
    selector.register(fd, selectors.EVENT_READ)
    try:
        while True:
            if _interrupted.is_set():
                raise StageFailed(f"crawl stopped: {_interrupt_reason[0]}")
            if time.monotonic() > deadline:
                raise StageFailed(f"crawl exceeded its time budget and grace "
                                  f"({hard_limit:.0f} s in all) and was killed")
            recorded.keep_alive()
            if not selector.select(timeout=1.0):
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break  # the crawl closed its output: it is ending
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                text = line.decode("utf-8", "replace").strip()
                if not _handle_line(text, on_progress) and text:
                    output.append(text)
                    del output[:-20]
        return proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired as exc:
        raise StageFailed(f"crawl did not end within its time budget and grace "
                          f"({hard_limit:.0f} s) and was killed") from exc
    finally:
        selector.close()
        _stop(proc)
        proc.stdout.close()
        with _running_lock:
            _running.discard(proc)


def _handle_line(line: str, on_progress: ProgressFn | None) -> bool:
    """Pass a progress event on; False for any other line."""
    if not line.startswith("{"):
        if line:
            log.debug("crawl: %s", mask_secrets(line))
        return False
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        log.debug("crawl: %s", mask_secrets(line))
        return False
    if event.get("event") == ProgressEvent.WAITING:
        log.warning("waiting up to %s s for the site lock held by %s", event.get("seconds"),
                    event.get("holder"))
    if on_progress is not None:
        on_progress(event)
    return True


def _tail(path: Path, lines: int = 3) -> str:
    """The last error lines of a crawl log (secrets masked), for the stage's error."""
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    errors = [line for line in text if "ERROR" in line or "Traceback" in line] or text
    return mask_secrets(" | ".join(errors[-lines:]))[:600]
