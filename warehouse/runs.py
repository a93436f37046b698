"""`pipeline_runs`: one row per run, source and stage, with counts, status and error."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from warehouse.connection import mask_dsn


def start_stage(
    conn: psycopg.Connection[Any],
    run_id: str,
    source_id: str,
    stage: str,
    window: tuple[datetime, datetime],
    trigger: str,
) -> None:
    """Mark (run, source, stage) running; a retry of the same stage counts an attempt."""
    with conn.transaction():
        conn.execute(
            """INSERT INTO pipeline_runs (run_id, source_id, stage, window_start, window_end,
                                          status, trigger)
               VALUES (%s, %s, %s, %s, %s, 'running', %s)
               ON CONFLICT (run_id, source_id, stage) DO UPDATE
                  SET status = 'running', attempts = pipeline_runs.attempts + 1,
                      started_at = now(), finished_at = NULL, error = NULL""",
            (run_id, source_id, stage, window[0], window[1], trigger),
        )


def finish_stage(
    conn: psycopg.Connection[Any],
    run_id: str,
    source_id: str,
    stage: str,
    status: str,
    counts: dict[str, Any],
    error: str | None = None,
) -> None:
    with conn.transaction():
        conn.execute(
            """UPDATE pipeline_runs
                  SET status = %s, counts = %s, error = %s, finished_at = now()
                WHERE run_id = %s AND source_id = %s AND stage = %s""",
            (status, Jsonb(counts), mask_dsn(error) if error else None,
             run_id, source_id, stage),
        )


def stage_counts(
    conn: psycopg.Connection[Any], run_id: str, source_id: str, stage: str
) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT counts FROM pipeline_runs WHERE run_id = %s AND source_id = %s AND stage = %s",
        (run_id, source_id, stage),
    ).fetchone()
    return dict(row[0]) if row else None
