"""autonews_reclean: re-extract stored raw pages of a date range with the current cleaner
and reload them, without crawling (manual; how an improved cleaner reaches the history).

Trigger with params `{"from": "2026-11-01", "to": "2026-11-13"}` (UTC days, both included;
default: the 30 days before the run). Each source's task says how many articles changed;
then `enrich` redoes the range's entities, topics and stories where they changed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, get_current_context, task

from autonews.airflow_support.labels import ENRICH_LABEL, SOURCE_LABEL
from autonews.airflow_support.retries import RETRY_POLICY


def _on_failure(context: Any) -> None:
    from autonews.airflow_support import on_task_failure

    on_task_failure(context)


@dag(
    dag_id="autonews_reclean",
    schedule=None,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "autonews", "retries": 2, "retry_delay": timedelta(minutes=1),
                  "retry_exponential_backoff": True, "retry_policy": RETRY_POLICY,
                  "execution_timeout": timedelta(minutes=60),
                  "on_failure_callback": _on_failure},
    params={
        "from": Param(None, type=["null", "string"], format="date", title="From",
                      description="first UTC day YYYY-MM-DD"),
        "to": Param(None, type=["null", "string"], format="date", title="To",
                    description="last UTC day YYYY-MM-DD"),
    },
    tags=["autonews", "maintenance"],
    doc_md=__doc__,
)
def autonews_reclean() -> None:
    @task(execution_timeout=timedelta(minutes=5))
    def plan() -> list[str]:
        from autonews.airflow_support import reclean_window, warehouse_dsn
        from autonews.core import Settings
        from autonews.jobs import prepare_warehouse
        from autonews.sources import configured_sources

        settings = Settings.from_env()
        window = reclean_window(get_current_context())
        prepare_warehouse(warehouse_dsn(settings))
        print(f"autonews_reclean covers {window} (UTC)")
        return [source.id for source in configured_sources(settings)]

    @task(multiple_outputs=False, map_index_template=SOURCE_LABEL)
    def reclean(source_id: str) -> dict[str, Any]:
        from autonews.airflow_support import reclean_window, warehouse_dsn
        from autonews.core import Settings
        from autonews.jobs import reclean_source
        from autonews.sources import configured_sources

        settings = Settings.from_env()
        context = get_current_context()
        result = reclean_source(warehouse_dsn(settings),
                                configured_sources(settings, only=source_id)[0],
                                reclean_window(context), context["dag_run"].run_id)
        print(f"{source_id}: {result.changed} articles changed of {result.clean.articles}")
        return result.row()

    @task(trigger_rule="all_done", execution_timeout=timedelta(minutes=30),
          task_display_name=ENRICH_LABEL)
    def enrich() -> dict[str, Any]:
        """Entities, topics and stories of the range again (a changed knowledge base or
        rules redo every article; an unchanged one only what the reclean changed)."""
        from autonews.airflow_support import reclean_window, warehouse_dsn
        from autonews.core import Settings
        from autonews.jobs import enrich_window

        context = get_current_context()
        return enrich_window(warehouse_dsn(Settings.from_env()), reclean_window(context),
                             context["dag_run"].run_id, trigger="reclean").to_counts()

    @task(execution_timeout=timedelta(minutes=5))
    def report(results: list[dict[str, Any]]) -> dict[str, int]:
        changed = sum(r["changed"] for r in results)
        print(f"reclean changed {changed} articles in {len(results)} sources")
        return {"changed": changed, "sources": len(results)}

    # Airflow passes the mapped results at run time; the decorator's types cannot say so.
    recleaned = reclean.expand(source_id=plan())
    recleaned >> enrich()
    report(recleaned)  # type: ignore[arg-type]


autonews_reclean()
