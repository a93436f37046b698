"""What the Airflow DAGs need besides the stage functions: which day a run covers, the
warehouse DSN from an Airflow connection, and the failure webhook. Airflow is imported
lazily: this module loads without the `airflow` extra."""

from __future__ import annotations

import json
import logging
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from autonews.core.secrets import mask_secrets
from autonews.core.settings import DSN_ENV, Settings
from autonews.core.window import Window, parse_day

log = logging.getLogger(__name__)

WAREHOUSE_CONN_ID = "autonews_warehouse"
ALERTS_CONN_ID = "autonews_alerts"
REPORTS_VARIABLE = "autonews_reports_dir"


def run_day(context: Any) -> date:
    """The UTC publication day a DAG run covers.

    - `params.day` (YYYY-MM-DD) when given: any kind of run;
    - else the UTC date of the run's logical date: a scheduled run (its data interval
      [D, D+1) starts at D), a backfill run for D, a manual trigger for logical date D;
    - else (API runs with `logical_date: null`): the day before `run_after`, the last
      complete day.
    """
    params = context.get("params") or {}
    wanted = params.get("day")
    if wanted:
        return parse_day(str(wanted), option="day")
    logical = context.get("logical_date")
    if logical is not None:
        return _utc(logical).date()
    dag_run = context.get("dag_run")
    run_after = getattr(dag_run, "run_after", None) or datetime.now(UTC)
    return (_utc(run_after) - timedelta(days=1)).date()


def reclean_window(context: Any) -> Window:
    """The [from, to] UTC day range of an autonews_reclean run (default: the 30 days
    before the run)."""
    params = context.get("params") or {}
    conf = getattr(context.get("dag_run"), "conf", None) or {}
    last_text = conf.get("to") or params.get("to")
    first_text = conf.get("from") or params.get("from")
    last = parse_day(str(last_text), option="to") if last_text else run_day(
        {"dag_run": context.get("dag_run")})
    first = parse_day(str(first_text), option="from") if first_text \
        else last - timedelta(days=29)
    return Window.days(first, last)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def warehouse_dsn(settings: Settings) -> str:
    """DSN of the Airflow connection `autonews_warehouse`, else `AUTONEWS_DSN`."""
    try:
        from airflow.sdk import Connection

        conn = Connection.get(WAREHOUSE_CONN_ID)
        uri: str = conn.get_uri()
        return uri.replace("postgres://", "postgresql://", 1)
    except ImportError:
        pass
    except Exception as exc:  # noqa: BLE001 - Airflow raises its own not-found types
        log.info("no Airflow connection %s (%s); using %s", WAREHOUSE_CONN_ID,
                 type(exc).__name__, DSN_ENV)
    dsn = settings.dsn
    if not dsn:
        raise RuntimeError(f"no warehouse: define the Airflow connection {WAREHOUSE_CONN_ID} "
                           f"(e.g. AIRFLOW_CONN_{WAREHOUSE_CONN_ID.upper()}) or set {DSN_ENV}")
    return dsn


def reports_dir(settings: Settings | None = None) -> Path:
    """Folder of the daily report pages: the Airflow Variable `autonews_reports_dir`, else
    `AUTONEWS_REPORTS`, else `$AUTONEWS_HOME/reports`."""
    try:
        from airflow.sdk import Variable

        configured = Variable.get(REPORTS_VARIABLE, default=None)
    except ImportError:
        configured = None
    except Exception as exc:  # noqa: BLE001 - outside a task Airflow raises its own types
        log.info("no Airflow Variable %s (%s)", REPORTS_VARIABLE, type(exc).__name__)
        configured = None
    if configured:
        return Path(str(configured)).expanduser()
    return (settings or Settings.from_env()).reports_folder


def alert_webhook() -> tuple[str, dict[str, str]] | None:
    """(URL, headers) of the failure webhook from the `autonews_alerts` connection: its
    host is the URL (schema https by default), its password an optional bearer token."""
    try:
        from airflow.sdk import Connection

        conn = Connection.get(ALERTS_CONN_ID)
    except Exception:  # noqa: BLE001 - not configured is the common case
        return None
    if not conn.host:
        return None
    host = conn.host if "://" in conn.host else f"{conn.schema or 'https'}://{conn.host}"
    if conn.port:
        scheme, rest = host.split("://", 1)
        head, _, tail = rest.partition("/")
        host = f"{scheme}://{head}:{conn.port}/{tail}"
    headers = {"Content-Type": "application/json"}
    if conn.password:
        headers["Authorization"] = f"Bearer {conn.password}"
    return host, headers


def post_alert(payload: dict[str, Any]) -> bool:
    """POST `payload` to the alerts webhook if one is configured; never raises."""
    target = alert_webhook()
    if target is None:
        log.info("no %s connection: failure not posted", ALERTS_CONN_ID)
        return False
    url, headers = target
    request = urllib.request.Request(url, data=json.dumps(payload, default=str).encode(),
                                     headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return 200 <= response.status < 300
    except OSError as exc:
        log.warning("alert webhook failed: %s", mask_secrets(str(exc)))
        return False


def on_task_failure(context: Any) -> None:
    """Airflow `on_failure_callback`: post what failed and why to the webhook."""
    ti = context.get("task_instance") or context.get("ti")
    exception = context.get("exception")
    post_alert({
        "dag_id": getattr(ti, "dag_id", None),
        "task_id": getattr(ti, "task_id", None),
        "map_index": getattr(ti, "map_index", None),
        "run_id": getattr(ti, "run_id", None),
        "try_number": getattr(ti, "try_number", None),
        "day": str(run_day(context)),
        "error": mask_secrets(f"{type(exception).__name__}: {exception}") if exception else None,
    })
