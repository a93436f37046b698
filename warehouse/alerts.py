"""`alerts`: every failure alert the DAGs tried to post and whether it arrived, so a
webhook that is down leaves a trace the run's report reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from autonews.core.secrets import mask_secrets


@dataclass(frozen=True)
class AlertRecord:
    """One alert as it was attempted."""

    run_id: str
    dag_id: str
    task_id: str
    map_index: int
    source_id: str | None
    try_number: int | None
    day: date | None
    error: str | None
    payload: Mapping[str, Any]
    delivered: bool
    delivery_error: str | None = None
    attempted_at: datetime | None = None


def record_alert(conn: psycopg.Connection[Any], alert: AlertRecord) -> None:
    """Store one attempted alert (secrets in its texts masked). Commits."""
    with conn.transaction():
        conn.execute(
            """INSERT INTO alerts (run_id, dag_id, task_id, map_index, source_id, try_number,
                                   day, error, payload, delivered, delivery_error)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
            (alert.run_id, alert.dag_id, alert.task_id, alert.map_index, alert.source_id,
             alert.try_number, alert.day, mask_secrets(alert.error) if alert.error else None,
             Jsonb(dict(alert.payload)), alert.delivered,
             mask_secrets(alert.delivery_error) if alert.delivery_error else None))


def run_alerts(conn: psycopg.Connection[Any], run_id: str) -> list[AlertRecord]:
    """The alerts of a run, oldest first."""
    with conn.transaction():
        rows = conn.execute(
            """SELECT run_id, dag_id, task_id, map_index, source_id, try_number, day, error,
                      payload, delivered, delivery_error, attempted_at
                 FROM alerts WHERE run_id = %s ORDER BY attempted_at, alert_id""",
            (run_id,)).fetchall()
    return [AlertRecord(*row) for row in rows]
