"""autonews_daily: one UTC publication day, crawled, cleaned, gated and loaded per source.

Which day a run covers (`autonews.airflow_support.run_day`):
- `params.day` (YYYY-MM-DD) when given, for any kind of run;
- else the UTC date of the logical date: the scheduled run for the data interval
  [D, D+1) (it starts just after midnight of D+1), a backfill run for D, a manual trigger
  with logical date D;
- else (API trigger with `logical_date: null`) the day before the run was triggered.

Configuration (never in this file): the warehouse is the Airflow connection
`autonews_warehouse`; sources come from `AUTONEWS_SOURCES` (default config/sources.toml),
quality thresholds from config/quality.toml; failures are posted to the `autonews_alerts`
connection's URL when it exists. Crawls run in the pool `autonews_crawl`, and a crawl holds
its site's lock in the warehouse, so one site is never crawled twice at once. The report task
writes the run's HTML page into the Airflow Variable `autonews_reports_dir`, else
`AUTONEWS_REPORTS`, else `$AUTONEWS_HOME/reports/`, and logs its path.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task, task_group


def _on_failure(context: Any) -> None:
    from autonews.airflow_support import on_task_failure

    on_task_failure(context)


DEFAULT_ARGS = {
    "owner": "autonews",
    "retries": 3,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
    "execution_timeout": timedelta(minutes=30),
    "on_failure_callback": _on_failure,
}


def _scope() -> tuple[Any, str, Any, str]:
    """(settings, warehouse DSN, day window, pipeline run id) of the running task."""
    from autonews.airflow_support import run_day, warehouse_dsn
    from autonews.core import Settings, Window

    context = get_current_context()
    settings = Settings.from_env()
    return (settings, warehouse_dsn(settings), Window.for_day(run_day(context)),
            context["dag_run"].run_id)


@dag(
    dag_id="autonews_daily",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=4,
    default_args=DEFAULT_ARGS,
    params={"day": Param(None, type=["null", "string"],
                         description="UTC publication day YYYY-MM-DD (overrides the logical "
                                     "date)")},
    tags=["autonews", "daily"],
    doc_md=__doc__,
)
def autonews_daily() -> None:
    @task(retries=1, execution_timeout=timedelta(minutes=5))
    def plan() -> list[str]:
        """Migrate the warehouse and list the enabled sources."""
        from autonews.jobs import prepare_warehouse
        from autonews.sources import configured_sources

        settings, dsn, window, _ = _scope()
        prepare_warehouse(dsn)
        print(f"autonews_daily covers publication day {window} (UTC)")
        return [source.id for source in configured_sources(settings)]

    @task(pool="autonews_crawl", execution_timeout=timedelta(minutes=60), multiple_outputs=False)
    def crawl(source_id: str) -> dict[str, Any]:
        from autonews.jobs import crawl_source
        from autonews.sources import configured_sources

        settings, dsn, window, run_id = _scope()
        return crawl_source(dsn, configured_sources(settings, only=source_id)[0], window,
                            run_id, trigger="airflow", settings=settings).to_counts()

    @task(multiple_outputs=False)
    def clean(source_id: str) -> dict[str, Any]:
        from autonews.jobs import clean_source
        from autonews.sources import configured_sources

        settings, dsn, window, run_id = _scope()
        return clean_source(dsn, configured_sources(settings, only=source_id)[0], window,
                            run_id, trigger="airflow").to_counts()

    @task(retries=0, execution_timeout=timedelta(minutes=5), multiple_outputs=False)
    def gate(source_id: str) -> dict[str, Any]:
        from autonews.jobs import gate_source

        settings, dsn, window, run_id = _scope()
        return gate_source(dsn, source_id, window, run_id, trigger="airflow",
                           settings=settings).to_counts()

    @task(multiple_outputs=False)
    def load(source_id: str) -> dict[str, Any]:
        from autonews.jobs import load_source

        _, dsn, window, run_id = _scope()
        return load_source(dsn, source_id, window, run_id, trigger="airflow").to_counts()

    @task_group
    def per_source(source_id: str) -> None:
        crawled = crawl(source_id)
        cleaned = clean(source_id)
        gated = gate(source_id)
        loaded = load(source_id)
        crawled >> cleaned >> gated >> loaded

    @task(trigger_rule="all_done", execution_timeout=timedelta(minutes=30))
    def enrich() -> dict[str, Any]:
        """Entities, topics and stories of the day's articles (whatever loaded)."""
        from autonews.jobs import enrich_window

        _, dsn, window, run_id = _scope()
        return enrich_window(dsn, window, run_id, trigger="airflow").to_counts()

    @task(trigger_rule="all_done", retries=0, execution_timeout=timedelta(minutes=5))
    def report() -> list[dict[str, Any]]:
        """Write the run's summary and its report page; fail the run if any source failed."""
        from autonews.airflow_support import reports_dir
        from autonews.report_page import report_run_with_page

        settings, dsn, window, run_id = _scope()
        return [summary.row() for summary in report_run_with_page(
            dsn, run_id, window.first_day, folder=reports_dir(settings), settings=settings)]

    sources = plan()
    per_source.expand(source_id=sources) >> enrich() >> report()


autonews_daily()
