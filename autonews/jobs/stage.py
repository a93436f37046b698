"""One stage of one source's run, recorded in `pipeline_runs`: running, then success with
its result's counts, or failed with the error (and whatever counts it had).

While it runs, the stage's connection holds its liveness mark (`warehouse.locks.hold_stage`):
a `running` row whose mark nobody holds belongs to a process that died, and the next run of
that source and day reaps it (`autonews.jobs.day.reap_abandoned`). The outcome is recorded
even when the connection dropped meanwhile (a server's idle timeout during a long crawl):
the stage reconnects to write it.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import psycopg

from autonews.core.errors import StageFailed, WarehouseUnavailable
from autonews.core.results import StageResult
from autonews.core.secrets import mask_secrets
from autonews.core.vocabulary import Stage, Status
from autonews.core.window import Window
from warehouse import runs
from warehouse.connection import connect, ping
from warehouse.locks import HEARTBEAT_SECONDS, hold_stage

log = logging.getLogger(__name__)
R = TypeVar("R", bound=StageResult)


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM, as systemd, Kubernetes and `timeout` send):
    raised where it runs so stages record how they ended instead of vanishing."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(f"terminated by {signal.Signals(signum).name}")
        self.signum = signum


@dataclass
class Recorded(Generic[R]):
    """The result a stage's body builds; recorded whether the body ends well or not."""

    result: R
    dsn: str = ""
    key: tuple[str, str, Stage] | None = None
    conn: psycopg.Connection[Any] | None = field(default=None, repr=False)
    _touched: float = 0.0

    def keep_alive(self) -> None:
        """Touch the stage's connection now and then (a body that waits on something else,
        like a crawl subprocess, calls this): its liveness mark and the connection stay.
        A dropped connection is opened again and the mark taken again."""
        now = time.monotonic()
        if self.conn is None or now - self._touched < HEARTBEAT_SECONDS:
            return
        self._touched = now
        try:
            ping(self.conn)
        except psycopg.Error:
            self.reconnect()

    def reconnect(self) -> psycopg.Connection[Any]:
        if self.conn is not None:
            self.conn.close()
        self.conn = connect(self.dsn)
        if self.key is not None:
            hold_stage(self.conn, *self.key)
        log.warning("%s/%s: the stage's warehouse connection dropped; reconnected",
                    *(self.key or ("?", "?"))[1:])
        return self.conn


def _finish(recorded: Recorded[Any], status: Status, error: str | None) -> None:
    """Record the stage's end, on a new connection if the stage's one is gone."""
    assert recorded.key is not None
    run_id, source_id, stage = recorded.key
    for attempt in (1, 2):
        conn = recorded.conn
        try:
            if conn is None or conn.closed or conn.broken:
                conn = recorded.reconnect()
            runs.finish_stage(conn, run_id, source_id, stage, status,
                              recorded.result.to_counts(), error)
            return
        except (psycopg.OperationalError, psycopg.InterfaceError, WarehouseUnavailable):
            if attempt == 2:
                raise
            if recorded.conn is not None:
                recorded.conn.close()


@contextmanager
def recorded_stage(dsn: str, run_id: str, source_id: str, stage: Stage, window: Window,
                   trigger: str, result: R) -> Iterator[tuple[psycopg.Connection[Any],
                                                              Recorded[R]]]:
    """Record the stage as running; on exit record success with the counts of
    `recorded.result`, or failure with the error (then re-raise)."""
    conn = connect(dsn)
    recorded = Recorded(result, dsn, (run_id, source_id, stage), conn)
    try:
        runs.start_stage(conn, run_id, source_id, stage, window, trigger)
        hold_stage(conn, run_id, source_id, stage)
        try:
            yield conn, recorded
        except BaseException as exc:
            live = recorded.conn
            if live is not None and not live.closed and not live.broken and \
                    live.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                live.rollback()
            message = str(exc) if isinstance(exc, (StageFailed, Terminated)) \
                else f"{type(exc).__name__}: {exc}"
            try:
                _finish(recorded, Status.FAILED, message)
            except (psycopg.Error, WarehouseUnavailable) as record_error:
                log.error("could not record the failure of %s/%s: %s", source_id, stage,
                          mask_secrets(str(record_error)))
            raise
        live = recorded.conn
        if live is not None and not live.closed and \
                live.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
            live.commit()  # what the body read or wrote outside a transaction block
        _finish(recorded, Status.SUCCESS, None)
    finally:
        if recorded.conn is not None:
            recorded.conn.close()
        conn.close()


def skip_stage(dsn: str, source_id: str, window: Window, run_id: str, stage: Stage,
               reason: str, trigger: str) -> None:
    """Record `stage` of (run, source) as skipped, and why."""
    with connect(dsn) as conn:
        runs.start_stage(conn, run_id, source_id, stage, window, trigger)
        runs.finish_stage(conn, run_id, source_id, stage, Status.SKIPPED, {}, reason)


def fail_stage(dsn: str, source_id: str, window: Window, run_id: str, stage: Stage,
               reason: str, trigger: str) -> None:
    """Record `stage` of (run, source) as failed without running it, and why."""
    with connect(dsn) as conn:
        runs.start_stage(conn, run_id, source_id, stage, window, trigger)
        runs.finish_stage(conn, run_id, source_id, stage, Status.FAILED, {}, reason)
