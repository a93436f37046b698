"""Failure alerts: every task that fails for good posts what failed, for which source and
day, and why, to the `autonews_alerts` webhook; each attempt is recorded in the warehouse
(`alerts`), and one that does not arrive is logged at error level, so a broken webhook is
seen too (the run's report lists it)."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date
from typing import Any

from autonews.airflow_support.connections import (
    ALERTS_CONN_ID,
    WebhookTarget,
    get_connection,
    warehouse_dsn,
    webhook_target,
)
from autonews.airflow_support.days import described_day
from autonews.core.errors import AutonewsError
from autonews.core.secrets import mask_secrets
from autonews.core.settings import Settings

log = logging.getLogger(__name__)

POST_TIMEOUT = 10.0


@dataclass(frozen=True)
class Delivery:
    """Whether an alert arrived, and if not, why."""

    delivered: bool
    error: str | None = None


def post_alert(payload: dict[str, Any], target: WebhookTarget | None = None) -> Delivery:
    """POST `payload` as JSON to `target` (default: the `autonews_alerts` connection's
    webhook). Never raises: a failure comes back as an undelivered `Delivery`."""
    if target is None:
        try:
            conn = get_connection(ALERTS_CONN_ID)
            if conn is None:
                return Delivery(False, f"no Airflow connection {ALERTS_CONN_ID} is defined")
            target = webhook_target(conn)
        except Exception as exc:  # noqa: BLE001 - a bad connection must not lose the alert's trace
            return Delivery(False, f"cannot use the connection {ALERTS_CONN_ID}: "
                                   f"{type(exc).__name__}: {mask_secrets(str(exc))}")
    request = urllib.request.Request(target.url, method="POST", headers=target.headers,
                                     data=json.dumps(payload, default=str).encode())
    try:
        with urllib.request.urlopen(request, timeout=POST_TIMEOUT) as response:  # noqa: S310
            if 200 <= response.status < 300:
                return Delivery(True)
            return Delivery(False, f"{mask_secrets(target.url)} answered {response.status}")
    except urllib.error.HTTPError as exc:
        return Delivery(False, f"{mask_secrets(target.url)} answered {exc.code} {exc.reason}")
    except (OSError, ValueError) as exc:
        return Delivery(False, f"cannot post to {mask_secrets(target.url)}: "
                               f"{mask_secrets(str(getattr(exc, 'reason', exc)))}")


def alert_payload(context: Any) -> dict[str, Any]:
    """What an alert says: which task of which run failed, for which source and day, why."""
    ti = context.get("task_instance") or context.get("ti")
    exception = context.get("exception")
    task = context.get("task")
    kwargs = getattr(task, "op_kwargs", None) or {}
    source = kwargs.get("source_id") or getattr(ti, "rendered_map_index", None)
    map_index = getattr(ti, "map_index", None)
    return {
        "dag_id": getattr(ti, "dag_id", None),
        "task_id": getattr(ti, "task_id", None),
        "map_index": map_index,
        "source": source if isinstance(source, str) else None,
        "run_id": getattr(ti, "run_id", None),
        "try_number": getattr(ti, "try_number", None),
        "day": described_day(context),
        "error": mask_secrets(f"{type(exception).__name__}: {exception}") if exception
        else None,
        "log_url": _log_url(ti),
    }


def on_task_failure(context: Any) -> None:
    """Airflow `on_failure_callback`: post the alert, record the attempt, and log at error
    level when it did not arrive. Never raises (a callback error would hide the failure)."""
    try:
        payload = alert_payload(context)
        delivery = post_alert(payload)
        if delivery.delivered:
            log.info("alert posted for %s (%s)", payload["task_id"], payload["source"])
        else:
            log.error("ALERT NOT SENT for %s %s of run %s: %s", payload["task_id"],
                      payload["source"] or "", payload["run_id"], delivery.error)
        _record(payload, delivery)
    except Exception:  # noqa: BLE001 - see the docstring
        log.exception("the failure callback failed: this failure was not alerted")


def _record(payload: dict[str, Any], delivery: Delivery) -> None:
    """Keep the attempt in the warehouse for the run's report (best effort: a warehouse
    that cannot be reached is itself logged)."""
    import psycopg

    from warehouse.alerts import AlertRecord, record_alert
    from warehouse.connection import connect

    try:
        day = date.fromisoformat(payload["day"]) if payload["day"] else None
    except ValueError:
        day = None  # the bad day this alert reports
    record = AlertRecord(
        run_id=str(payload["run_id"]), dag_id=str(payload["dag_id"]),
        task_id=str(payload["task_id"]),
        map_index=-1 if payload["map_index"] is None else int(payload["map_index"]),
        source_id=payload["source"], try_number=payload["try_number"], day=day,
        error=payload["error"], payload=payload, delivered=delivery.delivered,
        delivery_error=delivery.error)
    try:
        with connect(warehouse_dsn(Settings.from_env())) as conn:
            record_alert(conn, record)
    except (AutonewsError, psycopg.Error, OSError) as exc:
        log.error("could not record the alert of %s in the warehouse: %s", payload["task_id"],
                  mask_secrets(str(exc)))


def _log_url(ti: Any) -> str | None:
    try:
        url = getattr(ti, "log_url", None)
    except Exception:  # noqa: BLE001 - a property reading configuration; optional here
        return None
    return url if isinstance(url, str) else None
