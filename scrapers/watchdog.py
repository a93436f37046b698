"""What keeps watch over a running crawl, once a second: the site lock's connection (kept
alive, the lock taken again after a drop), the parent process (gone: stop), the crawl's
time (spent: end every queued download and close). The spider only navigates."""

from __future__ import annotations

import logging
import os
import time
import weakref
from collections.abc import Callable

from scrapy import Request
from twisted.internet.task import LoopingCall

from autonews.core.crawl_schema import FinishReason
from autonews.core.errors import WarehouseUnavailable
from scrapers.budget import Budget
from warehouse.locks import LockLost, SiteLock

log = logging.getLogger(__name__)

# Seconds the watch keeps retrying a lost site-lock connection before the crawl stops.
LOCK_OUTAGE_SECONDS = 60.0
# What Scrapy calls a crawl closed at its time limit; the report reads it as such.
OUT_OF_TIME = "closespider_timeout"


class Watchdog:
    """Watches one crawl; `close(reason)` closes it."""

    def __init__(self, source_id: str, budget: Budget, close: Callable[[str], None],
                 site_lock: SiteLock | None = None, parent_pid: int | None = None) -> None:
        self.source_id = source_id
        self.budget = budget
        self.close = close
        self.site_lock = site_lock
        self.parent_pid = parent_pid
        self.stop_reason: str | None = None
        self.stop_error: str | None = None
        self.out_of_time = False
        self.live: weakref.WeakSet[Request] = weakref.WeakSet()  # sent, maybe still queued
        self._lock_down_since: float | None = None
        self._last_beat = 0.0
        self._loop: LoopingCall | None = None

    def start(self) -> None:
        self._loop = LoopingCall(self.tick)
        self._loop.start(1.0, now=False)

    def cancel(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()

    def track(self, request: Request) -> Request:
        """Remember a request sent (retries too) until it is answered or dropped."""
        self.live.add(request)
        return request

    def stop(self, reason: str, error: str) -> None:
        """Close the crawl early, saying why (pages already written stay)."""
        if self.stop_reason is not None:
            return
        self.stop_reason, self.stop_error = reason, error
        log.error("%s: stopping the crawl: %s", self.source_id, error)
        self.close(reason)

    def tick(self) -> None:
        if self.parent_pid is not None and os.getppid() != self.parent_pid:
            self.stop(FinishReason.PARENT_GONE, "the process that started the crawl is gone")
            return
        self.budget.discovery_over()
        if not self.out_of_time and \
                time.monotonic() >= self.budget.started + self.budget.crawl_time:
            self.end_of_time()
        self._keep_lock()

    def end_of_time(self) -> None:
        """The crawl's time budget is spent: every request still waiting in the downloader
        ends at once (the spider records it `over_budget`), and the crawl closes (Scrapy
        would otherwise download what it queued first, whatever the budget)."""
        self.out_of_time = True
        for request in list(self.live):
            request.meta["download_timeout"] = 0.01
            request.meta["over_budget"] = True
        self.close(OUT_OF_TIME)

    def _keep_lock(self) -> None:
        if self.site_lock is None:
            return
        now = time.monotonic()
        if self._lock_down_since is None and now - self._last_beat < self.site_lock.interval:
            return
        self._last_beat = now
        try:
            self.site_lock.heartbeat()
            self._lock_down_since = None
        except LockLost as lost:
            self.stop(FinishReason.LOCK_LOST, f"{lost}; pages fetched so far are kept")
        except WarehouseUnavailable as exc:
            self._lock_down_since = self._lock_down_since or now
            if now - self._lock_down_since > LOCK_OUTAGE_SECONDS:
                self.stop(FinishReason.WAREHOUSE_LOST, f"the site lock cannot be kept: {exc}")
