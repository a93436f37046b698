"""One stage of one source's run, recorded in `pipeline_runs`: running, then success with
its result's counts, or failed with the error (and whatever counts it had)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import psycopg

from autonews.core.errors import StageFailed
from autonews.core.results import StageResult
from autonews.core.vocabulary import Stage, Status
from autonews.core.window import Window
from warehouse import runs
from warehouse.connection import connect

log = logging.getLogger(__name__)
R = TypeVar("R", bound=StageResult)


@dataclass
class Recorded(Generic[R]):
    """The result a stage's body builds; recorded whether the body ends well or not."""

    result: R


@contextmanager
def recorded_stage(dsn: str, run_id: str, source_id: str, stage: Stage, window: Window,
                   trigger: str, result: R) -> Iterator[tuple[psycopg.Connection[Any],
                                                              Recorded[R]]]:
    """Record the stage as running; on exit record success with the counts of
    `recorded.result`, or failure with the error (then re-raise)."""
    conn = connect(dsn)
    recorded = Recorded(result)
    try:
        runs.start_stage(conn, run_id, source_id, stage, window, trigger)
        try:
            yield conn, recorded
        except BaseException as exc:
            if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                conn.rollback()
            message = str(exc) if isinstance(exc, StageFailed) \
                else f"{type(exc).__name__}: {exc}"
            try:
                runs.finish_stage(conn, run_id, source_id, stage, Status.FAILED,
                                  recorded.result.to_counts(), message)
            except psycopg.Error as record_error:
                log.error("could not record the failure of %s/%s: %s", source_id, stage,
                          record_error)
            raise
        if conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
            conn.commit()  # what the body read or wrote outside a transaction block
        runs.finish_stage(conn, run_id, source_id, stage, Status.SUCCESS,
                          recorded.result.to_counts())
    finally:
        conn.close()


def skip_stage(dsn: str, source_id: str, window: Window, run_id: str, stage: Stage,
               reason: str, trigger: str) -> None:
    """Record `stage` of (run, source) as skipped, and why."""
    with connect(dsn) as conn:
        runs.start_stage(conn, run_id, source_id, stage, window, trigger)
        runs.finish_stage(conn, run_id, source_id, stage, Status.SKIPPED, {}, reason)
