"""What only the Airflow DAGs need besides the stage functions: which day a run covers,
the connections (warehouse, alerts webhook), failure alerts, each task's scope, and where
report pages go.
Airflow is imported lazily here, so this package loads without the `airflow` extra;
`autonews.airflow_support.retries` (the retry policy) imports it."""

from autonews.airflow_support.alerts import (
    Delivery,
    alert_payload,
    on_task_failure,
    post_alert,
)
from autonews.airflow_support.connections import (
    ALERTS_CONN_ID,
    WAREHOUSE_CONN_ID,
    WebhookTarget,
    get_connection,
    warehouse_dsn,
    webhook_target,
)
from autonews.airflow_support.days import described_day, reclean_window, run_day
from autonews.airflow_support.scope import RunScope, run_scope
from autonews.airflow_support.variables import REPORTS_VARIABLE, reports_dir

__all__ = [
    "ALERTS_CONN_ID",
    "REPORTS_VARIABLE",
    "WAREHOUSE_CONN_ID",
    "Delivery",
    "RunScope",
    "WebhookTarget",
    "alert_payload",
    "described_day",
    "get_connection",
    "on_task_failure",
    "post_alert",
    "reclean_window",
    "reports_dir",
    "run_day",
    "run_scope",
    "warehouse_dsn",
    "webhook_target",
]
