"""Extraction in worker processes: every core cleans (the clean stage is CPU-bound and was
three quarters of a big day, issue 17), results come back in page order, and a page whose
extraction outlives the per-page limit has its worker killed and is rejected as `timeout`
instead of holding up the day.

A small pool of our own rather than `concurrent.futures`: a stuck worker there cannot be
killed without breaking the whole executor."""

from __future__ import annotations

import gc
import logging
import multiprocessing
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from autonews.core.vocabulary import RejectReason
from transforms import Article, ExtractionRules, PageRejected, extract_article

log = logging.getLogger(__name__)

# Workers are forked: they start in milliseconds with the cleaner already imported (a
# forkserver or spawn child re-runs the parent's `__main__`: a second or more per worker,
# and a broken worker when that is not a file). A forked worker only extracts; it never
# touches the parent's connections or threads, and ends with os._exit.
_CONTEXT = multiprocessing.get_context("fork")


@dataclass(frozen=True)
class PageJob:
    """One stored page to extract."""

    body: bytes
    url: str
    content_type: str | None


@dataclass(frozen=True)
class Extracted:
    """What extraction made of one page: `article`, or `reason` and `detail`."""

    article: Article | None = None
    reason: str | None = None
    detail: str = ""


class ExtractionError(RuntimeError):
    """A worker raised something other than `PageRejected`: a bug, not a page to reject."""


def extract_one(job: PageJob, rules: ExtractionRules) -> Extracted:
    """`extract_article` on one page, its rejection as a value."""
    try:
        return Extracted(article=extract_article(job.body, job.url, rules,
                                                 content_type=job.content_type))
    except PageRejected as rejected:
        return Extracted(reason=rejected.reason.value, detail=rejected.detail)


def _serve(conn: Connection, rules: ExtractionRules) -> None:
    """A worker: extract each (index, job) received until told to stop (None)."""
    # What the fork inherited stays out of the collector's walks: they would touch (and so
    # copy) every inherited page, and slow each collection.
    gc.freeze()
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        index, job = message
        try:
            conn.send((index, extract_one(job, rules), None))
        except Exception as exc:  # noqa: BLE001 - sent to the parent, which raises it
            conn.send((index, None, f"{type(exc).__name__}: {exc}"))


# A worker is sent its next page while it extracts the current one (no idle gap waiting for
# the parent), if that page is small enough to sit in the socket's buffer: a send must never
# block, or parent and worker could wait on each other.
_PREFETCH_BYTES = 64 * 1024


class _Worker:
    def __init__(self, rules: ExtractionRules) -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.process: BaseProcess = _CONTEXT.Process(target=_serve, args=(child, rules),
                                                     daemon=True)
        self.process.start()
        child.close()
        self.inflight: deque[int] = deque()  # pages sent, in order; the first is being read
        self.started = 0.0  # when it began the first of them

    def can_take(self, job: PageJob) -> bool:
        return not self.inflight or (len(self.inflight) == 1
                                     and len(job.body) <= _PREFETCH_BYTES)

    def give(self, index: int, job: PageJob) -> None:
        if not self.inflight:
            self.started = time.monotonic()
        self.inflight.append(index)
        self.conn.send((index, job))

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.conn.close()


class ExtractPool:
    """`workers` processes extracting with `rules`; `page_timeout` seconds per page.
    Started lazily (a rerun with nothing to extract starts none). Use as a context manager."""

    def __init__(self, rules: ExtractionRules, workers: int, page_timeout: float) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.rules = rules
        self.size = workers
        self.page_timeout = page_timeout
        self.workers: list[_Worker] = []
        self.replaced = 0  # workers killed (timeout) or dead (crash) and started again
        # A daemonic process (a Celery prefork worker's task) may not start children: it
        # extracts in its own process, without the per-page limit.
        self.inline = bool(_CONTEXT.current_process().daemon)
        self._feeder: ThreadPoolExecutor | None = None

    def __enter__(self) -> ExtractPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._feeder is not None:
            self._feeder.shutdown(wait=True)
            self._feeder = None
        for worker in self.workers:
            worker.stop()
        self.workers.clear()

    def map_async(self, jobs: Sequence[PageJob]) -> Future[list[Extracted]]:
        """`map(jobs)` in a feeder thread: the caller reads and writes the warehouse for the
        next batch while the workers extract this one. Batches run one after another."""
        if self._feeder is None:
            self._feeder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")
        return self._feeder.submit(self.map, jobs)

    def map(self, jobs: Sequence[PageJob]) -> list[Extracted]:
        """Extract every job; results in the order of `jobs`."""
        if self.inline:
            return [extract_one(job, self.rules) for job in jobs]
        results: list[Extracted | None] = [None] * len(jobs)
        while len(self.workers) < min(self.size, len(jobs)):
            self.workers.append(_Worker(self.rules))
        queue = deque(range(len(jobs)))
        self._feed(queue, jobs)
        while any(w.inflight for w in self.workers):
            busy = [w for w in self.workers if w.inflight]
            now = time.monotonic()
            wait_for = max(0.0, min(w.started for w in busy) + self.page_timeout - now)
            ready = wait([w.conn for w in busy], timeout=wait_for)
            for worker in busy:
                if worker.conn in ready:
                    index, outcome = self._receive(worker)
                elif time.monotonic() - worker.started >= self.page_timeout:
                    index, outcome = worker.inflight[0], self._timed_out(worker)
                else:
                    continue
                results[index] = outcome
                worker.inflight.popleft()
                worker.started = time.monotonic()
                if worker.conn.closed:  # killed or dead: its other page goes back first
                    queue.extendleft(reversed(worker.inflight))
                    self._replace(worker)
            self._feed(queue, jobs)
        return [r for r in results if r is not None]

    def _feed(self, queue: deque[int], jobs: Sequence[PageJob]) -> None:
        """Give queued pages to the workers that can take one (each its turn)."""
        given = True
        while queue and given:
            given = False
            for worker in self.workers:
                if queue and worker.can_take(jobs[queue[0]]):
                    index = queue.popleft()
                    worker.give(index, jobs[index])
                    given = True

    def _receive(self, worker: _Worker) -> tuple[int, Extracted]:
        index = worker.inflight[0]
        try:
            got_index, extracted, error = worker.conn.recv()
        except (EOFError, OSError):
            code = worker.process.exitcode
            worker.kill()
            log.error("the extraction worker died on page %s (exit code %s)", index, code)
            return index, Extracted(reason=RejectReason.CRASHED.value,
                                    detail=f"the extraction process died (exit code {code})")
        assert got_index == index, (got_index, index)
        if error is not None:
            raise ExtractionError(error)
        assert isinstance(extracted, Extracted)
        return index, extracted

    def _timed_out(self, worker: _Worker) -> Extracted:
        worker.kill()
        log.warning("extraction of page %s outlived %g s: worker killed", worker.inflight[0],
                    self.page_timeout)
        return Extracted(reason=RejectReason.TIMEOUT.value,
                         detail=f"extraction took more than {self.page_timeout:g} s")

    def _replace(self, worker: _Worker) -> None:
        self.workers[self.workers.index(worker)] = _Worker(self.rules)
        self.replaced += 1

