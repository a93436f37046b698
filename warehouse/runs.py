"""`pipeline_runs`: one row per run, source and stage, with counts, status and error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from autonews.core.results import SourceSummary
from autonews.core.secrets import mask_secrets
from autonews.core.vocabulary import STAGES, Stage, Status
from autonews.core.window import Window


def start_stage(conn: psycopg.Connection[Any], run_id: str, source_id: str, stage: Stage,
                window: Window, trigger: str) -> None:
    """Mark (run, source, stage) running; a retry of the same stage counts an attempt."""
    with conn.transaction():
        conn.execute(
            """INSERT INTO pipeline_runs (run_id, source_id, stage, window_start, window_end,
                                          status, trigger)
               VALUES (%s, %s, %s, %s, %s, 'running', %s)
               ON CONFLICT (run_id, source_id, stage) DO UPDATE
                  SET status = 'running', attempts = pipeline_runs.attempts + 1,
                      started_at = now(), finished_at = NULL, error = NULL""",
            (run_id, source_id, stage, window.start, window.end, trigger),
        )


def finish_stage(conn: psycopg.Connection[Any], run_id: str, source_id: str, stage: Stage,
                 status: Status, counts: Mapping[str, Any], error: str | None = None) -> None:
    """Record how (run, source, stage) ended: its status, counts and (masked) error."""
    with conn.transaction():
        conn.execute(
            """UPDATE pipeline_runs
                  SET status = %s, counts = %s, error = %s, finished_at = now()
                WHERE run_id = %s AND source_id = %s AND stage = %s""",
            (status, Jsonb(dict(counts)), mask_secrets(error) if error else None,
             run_id, source_id, stage),
        )


def stage_counts(conn: psycopg.Connection[Any], run_id: str, source_id: str,
                 stage: Stage) -> dict[str, Any] | None:
    """The counts a stage of (run, source) recorded, or None if it never ran."""
    with conn.transaction():
        row = conn.execute(
            "SELECT counts FROM pipeline_runs WHERE run_id = %s AND source_id = %s "
            "AND stage = %s", (run_id, source_id, stage),
        ).fetchone()
    return dict(row[0]) if row else None


@dataclass(frozen=True)
class StageRow:
    """How one stage of (run, source) last ended, as `pipeline_runs` holds it."""

    status: Status
    counts: dict[str, Any]
    finished_at: datetime | None
    error: str | None


def stage_row(conn: psycopg.Connection[Any], run_id: str, source_id: str,
              stage: Stage) -> StageRow | None:
    """The stored row of a stage of (run, source), or None if it never ran."""
    with conn.transaction():
        row = conn.execute(
            "SELECT status, counts, finished_at, error FROM pipeline_runs "
            "WHERE run_id = %s AND source_id = %s AND stage = %s",
            (run_id, source_id, stage),
        ).fetchone()
    if row is None:
        return None
    return StageRow(Status(row[0]), dict(row[1] or {}), row[2], row[3])


def run_summaries(conn: psycopg.Connection[Any], run_id: str) -> list[SourceSummary]:
    """Every source of a run, with each of its stages' status, counts and error, by source
    id (the run-wide enrich stage is not a source's: see `stage_counts`)."""
    with conn.transaction():
        rows = conn.execute(
            """SELECT source_id, stage, status, counts, error
                 FROM pipeline_runs
                WHERE run_id = %s AND stage = ANY(%s)
                ORDER BY source_id, array_position(%s::text[], stage)""",
            (run_id, [s.value for s in STAGES], [s.value for s in STAGES]),
        ).fetchall()
    by_source: dict[str, SourceSummary] = {}
    for source_id, stage, status, counts, error in rows:
        summary = by_source.setdefault(source_id, SourceSummary(source_id))
        summary.record(Stage(stage), Status(status), counts or {}, error)
    return list(by_source.values())


def stage_outcomes(conn: psycopg.Connection[Any], run_id: str, stage: Stage
                   ) -> list[tuple[str, StageRow]]:
    """(source id, row) of every row of `stage` in the run (the run-wide enrich stage has
    one, under the source `*`)."""
    with conn.transaction():
        rows = conn.execute(
            "SELECT source_id, status, counts, finished_at, error FROM pipeline_runs "
            "WHERE run_id = %s AND stage = %s ORDER BY source_id", (run_id, stage)).fetchall()
    return [(source_id, StageRow(Status(status), dict(counts or {}), finished_at, error))
            for source_id, status, counts, finished_at, error in rows]


def abandoned_candidates(conn: psycopg.Connection[Any], source_id: str, window: Window,
                         run_id: str) -> list[tuple[str, str]]:
    """(run, stage) of other runs of this source and window still marked `running`."""
    with conn.transaction():
        rows = conn.execute(
            """SELECT run_id, stage FROM pipeline_runs
                WHERE source_id = %s AND window_start = %s AND window_end = %s
                  AND status = 'running' AND run_id <> %s
                ORDER BY started_at""",
            (source_id, window.start, window.end, run_id),
        ).fetchall()
    return [(str(r), str(s)) for r, s in rows]


def mark_abandoned(conn: psycopg.Connection[Any], run_id: str, source_id: str, stage: str,
                   error: str) -> bool:
    """Record a `running` stage whose process is gone as failed, with `error`; whether it
    was still running (a concurrent reaper may have been first)."""
    with conn.transaction():
        done = conn.execute(
            """UPDATE pipeline_runs SET status = 'failed', finished_at = now(), error = %s
                WHERE run_id = %s AND source_id = %s AND stage = %s AND status = 'running'""",
            (error, run_id, source_id, stage),
        ).rowcount
    return done > 0


def failed_runs_with_staged_rows(conn: psycopg.Connection[Any], source_id: str,
                                 window: Window, run_id: str) -> list[str]:
    """Other runs of this source and window that failed somewhere and left articles in
    `staged_articles`: their load will never come."""
    with conn.transaction():
        rows = conn.execute(
            """SELECT DISTINCT p.run_id FROM pipeline_runs p
                WHERE p.source_id = %s AND p.window_start = %s AND p.window_end = %s
                  AND p.run_id <> %s AND p.status = 'failed'
                  AND EXISTS (SELECT 1 FROM staged_articles s
                               WHERE s.run_id = p.run_id AND s.source_id = p.source_id)
                  AND NOT EXISTS (SELECT 1 FROM pipeline_runs q
                                   WHERE q.run_id = p.run_id AND q.source_id = p.source_id
                                     AND q.status = 'running')""",
            (source_id, window.start, window.end, run_id),
        ).fetchall()
    return [str(r) for (r,) in rows]
