"""autonews_daily: one UTC publication day, crawled, cleaned, gated and loaded per source,
then enriched and reported.

Which day a run covers (`autonews.airflow_support.run_day`):
- `params.day` (YYYY-MM-DD) when given, for any kind of run;
- else the UTC date of the logical date: the scheduled run for the data interval
  [D, D+1) (it starts just after midnight of D+1), a backfill run for D, a manual trigger
  with logical date D;
- else (API trigger with `logical_date: null`) the day before the run was triggered.
`plan` logs the day and shows it as its `day` XCom; the run id does not say it (a scheduled
or backfill run for D is named after D+1).

In the grid, the tasks of each source are labelled with its id; `report` fails the run
when a source or the enrich stage failed, and its `summary` XCom has every source's counts
and first error, and how enrich ended.

Configuration (never in this file): the warehouse is the Airflow connection
`autonews_warehouse`; sources come from `AUTONEWS_SOURCES` (default config/sources.toml),
quality thresholds from `AUTONEWS_QUALITY` (default config/quality.toml); failures are
posted to the `autonews_alerts` connection's webhook. Retries follow the error
(`autonews.airflow_support.retries`): bad input, a gate's verdict or a dead site fail at
once. Crawls run in the pool `autonews_crawl`; a crawl whose site another crawl is
crawling gives its slot back and comes back later. After the sources, `enrich` links the
day's articles to entities, topics and stories (whatever loaded; rerunning it is safe).
The report task writes the run's HTML page into the Airflow Variable
`autonews_reports_dir`, else `AUTONEWS_REPORTS`, else `$AUTONEWS_HOME/reports/`, and logs
its path.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task, task_group

from autonews.airflow_support.labels import ENRICH_LABEL, SOURCE_LABEL
from autonews.airflow_support.retries import RETRY_POLICY


def _on_failure(context: Any) -> None:
    from autonews.airflow_support import on_task_failure

    on_task_failure(context)


DEFAULT_ARGS = {
    "owner": "autonews",
    "retries": 3,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
    "retry_policy": RETRY_POLICY,
    "execution_timeout": timedelta(minutes=30),
    "on_failure_callback": _on_failure,
}


@dag(
    dag_id="autonews_daily",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=4,
    default_args=DEFAULT_ARGS,
    params={"day": Param(None, type=["null", "string"], format="date", title="Day",
                         description="UTC publication day YYYY-MM-DD to cover instead of the "
                                     "one the logical date gives")},
    tags=["autonews", "daily"],
    doc_md=__doc__,
)
def autonews_daily() -> None:
    @task(retries=1, execution_timeout=timedelta(minutes=5))
    def plan() -> list[str]:
        """Migrate the warehouse and list the enabled sources."""
        from autonews.airflow_support import run_scope
        from autonews.jobs import prepare_warehouse
        from autonews.sources import configured_sources

        context = get_current_context()
        scope = run_scope(context)
        prepare_warehouse(scope.dsn)
        print(f"autonews_daily covers publication day {scope.window} (UTC), "
              f"run id {scope.run_id}")
        context["ti"].xcom_push(key="day", value=str(scope.window))
        return [source.id for source in configured_sources(scope.settings)]

    @task(pool="autonews_crawl", execution_timeout=timedelta(minutes=60),
          map_index_template=SOURCE_LABEL)
    def crawl(source_id: str) -> dict[str, Any]:
        from autonews.airflow_support import run_scope
        from autonews.airflow_support.retries import LOCK_WAIT_SECONDS, wait_for_lock
        from autonews.core import SiteBusy
        from autonews.jobs import crawl_source, reap_abandoned

        context = get_current_context()
        scope = run_scope(context)
        # what killed runs of this source and day left behind (stages left running, staged
        # rows no load will take), said in this task's log
        for note in reap_abandoned(scope.dsn, source_id, scope.window, scope.run_id):
            print(f"{source_id}: {note}")
        try:
            return crawl_source(scope.dsn, scope.source(source_id), scope.window,
                                scope.run_id, trigger="airflow", settings=scope.settings,
                                lock_wait=LOCK_WAIT_SECONDS).to_counts()
        except SiteBusy as busy:
            raise wait_for_lock(context, busy) from busy

    @task(map_index_template=SOURCE_LABEL)
    def clean(source_id: str) -> dict[str, Any]:
        from autonews.airflow_support import run_scope
        from autonews.jobs import clean_source

        scope = run_scope(get_current_context())
        return clean_source(scope.dsn, scope.source(source_id), scope.window, scope.run_id,
                            trigger="airflow").to_counts()

    @task(execution_timeout=timedelta(minutes=5), map_index_template=SOURCE_LABEL)
    def gate(source_id: str) -> dict[str, Any]:
        from autonews.airflow_support import run_scope
        from autonews.jobs import gate_source

        scope = run_scope(get_current_context())
        return gate_source(scope.dsn, source_id, scope.window, scope.run_id,
                           trigger="airflow", settings=scope.settings).to_counts()

    @task(map_index_template=SOURCE_LABEL)
    def load(source_id: str) -> dict[str, Any]:
        from autonews.airflow_support import run_scope
        from autonews.jobs import load_source

        scope = run_scope(get_current_context())
        return load_source(scope.dsn, source_id, scope.window, scope.run_id,
                           trigger="airflow").to_counts()

    @task_group
    def per_source(source_id: str) -> None:
        crawl(source_id=source_id) >> clean(source_id=source_id) >> gate(
            source_id=source_id) >> load(source_id=source_id)

    @task(trigger_rule="all_done", execution_timeout=timedelta(minutes=30),
          task_display_name=ENRICH_LABEL)
    def enrich() -> dict[str, Any]:
        """Entities, topics and stories of the day's articles (whatever loaded). Clearing it
        is safe: articles already enriched are skipped, stories rewritten only where they
        changed, and its `pipeline_runs` row counts one more attempt."""
        from autonews.airflow_support import run_scope
        from autonews.jobs import enrich_window

        scope = run_scope(get_current_context())
        return enrich_window(scope.dsn, scope.window, scope.run_id,
                             trigger="airflow").to_counts()

    @task(trigger_rule="all_done", retries=0, execution_timeout=timedelta(minutes=5))
    def report() -> None:
        """Write the run's report page, then its summary per source and for enrich (XCom
        `summary`, also when the run failed); fails the run if a source or enrich failed."""
        from autonews.airflow_support import reports_dir, run_scope
        from autonews.report_page import report_run_with_page

        context = get_current_context()
        scope = run_scope(context)
        report_run_with_page(
            scope.dsn, scope.run_id, scope.window.first_day,
            folder=reports_dir(scope.settings), settings=scope.settings, enrich_expected=True,
            on_report=lambda built: context["ti"].xcom_push(key="summary",
                                                            value=built.as_dict()))

    per_source.expand(source_id=plan()) >> enrich() >> report()


autonews_daily()
