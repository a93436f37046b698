"""Running a command's sources side by side: each (day, source) in a worker of its own, never
two of one site at once, so one slow or hostile source cannot hold up the others; and a
SIGTERM or Ctrl-C that ends every crawl cleanly instead of orphaning it."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from types import FrameType

from autonews.core.results import SourceSummary
from autonews.core.source import Source
from autonews.core.window import Window
from autonews.jobs import interrupt_crawls


@dataclass(frozen=True)
class Task:
    """One source's run of one day."""

    window: Window
    source: Source

    @property
    def key(self) -> tuple[date, str]:
        return self.window.first_day, self.source.id


def run_isolated(tasks: list[Task], work: Callable[[Task], SourceSummary], parallel: int
                 ) -> dict[tuple[date, str], SourceSummary]:
    """`work` on every task, `parallel` at a time, in task order, never two tasks of one
    source at once. An exception (the warehouse gone) stops new tasks and is raised once
    the running ones end."""
    pending = list(tasks)
    busy: set[str] = set()
    results: dict[tuple[date, str], SourceSummary] = {}
    failure: list[BaseException] = []
    ready = threading.Condition()

    def next_task() -> Task | None:
        with ready:
            while True:
                if failure or not pending:
                    return None
                task = next((t for t in pending if t.source.id not in busy), None)
                if task is not None:
                    pending.remove(task)
                    busy.add(task.source.id)
                    return task
                ready.wait()

    def worker() -> None:
        while (task := next_task()) is not None:
            try:
                results[task.key] = work(task)
            except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
                with ready:
                    failure.append(exc)
            finally:
                with ready:
                    busy.discard(task.source.id)
                    ready.notify_all()

    threads = [threading.Thread(target=worker, name=f"autonews-source-{n}", daemon=True)
               for n in range(max(1, min(parallel, len(tasks))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(timeout=0.5)  # short joins: signal handlers run in between
    if failure:
        raise failure[0]
    return results


@dataclass
class Stopped:
    """The signal that asked the command to stop, if any."""

    signal: int = 0


@contextmanager
def stopping_on_signals() -> Iterator[Stopped]:
    """While the body runs, SIGTERM and SIGINT end every crawl (terminated with its process
    group, recorded as failed, no later stage started) and the body finishes normally,
    reporting what was done; a second signal exits at once (the crawls die with us)."""
    stopped = Stopped()
    if threading.current_thread() is not threading.main_thread():
        yield stopped
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if stopped.signal:
            os._exit(128 + signum)
        stopped.signal = signum
        interrupt_crawls(f"terminated by {signal.Signals(signum).name}")

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stopped
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
