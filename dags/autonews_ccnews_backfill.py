"""autonews_ccnews_backfill: import a range of publication days from Common Crawl's news
archive (CC-NEWS) instead of crawling, then clean, gate and load them (manual).

Trigger with conf `{"from": "2024-01-01", "to": "2024-01-31", "source": null}` (UTC days,
both included; `source`: one source id, default every enabled source). `plan` lists the
archive's files whose capture times can hold the range (`AUTONEWS_CCNEWS_BASE_URL`,
`AUTONEWS_CCNEWS_LAG_DAYS`), `import_file` is mapped over them so Celery workers share the
files, and `load_days` cleans, gates and loads every (source, day) they hold. Files already
imported for the same range are skipped: rerunning the DAG resumes the backfill.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, get_current_context, task


def _on_failure(context: Any) -> None:
    from autonews.orchestration import on_task_failure

    on_task_failure(context)


def _scope() -> tuple[str, Any, Any, list[Any]]:
    """(warehouse DSN, first day, last day, sources) of the running task's params."""
    from autonews.archives.ccnews import parse_params
    from autonews.orchestration import warehouse_dsn
    from autonews.sources import configured_sources

    context = get_current_context()
    conf = getattr(context.get("dag_run"), "conf", None) or {}
    params = {**(context.get("params") or {}), **conf}
    first, last, source = parse_params(params, datetime.now(UTC).date())
    return warehouse_dsn(), first, last, configured_sources(only=source)


@dag(
    dag_id="autonews_ccnews_backfill",
    schedule=None,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "autonews", "retries": 3, "retry_delay": timedelta(minutes=2),
                  "retry_exponential_backoff": True, "execution_timeout": timedelta(minutes=60),
                  "on_failure_callback": _on_failure},
    params={
        "from": Param(None, type=["null", "string"], description="first UTC day YYYY-MM-DD"),
        "to": Param(None, type=["null", "string"], description="last UTC day YYYY-MM-DD"),
        "source": Param(None, type=["null", "string"], description="one source id (default: "
                        "every enabled source)"),
    },
    tags=["autonews", "backfill"],
    doc_md=__doc__,
)
def autonews_ccnews_backfill() -> None:
    @task(retries=2, execution_timeout=timedelta(minutes=10))
    def plan() -> dict[str, list[str]]:
        """Validate the params, migrate, list the archive; the files still to import."""
        from autonews.archives.ccnews import plan_backfill
        from autonews.jobs import prepare_warehouse

        dsn, first, last, sources = _scope()
        prepare_warehouse(dsn)
        chosen = plan_backfill(dsn, sources, first, last)
        print(f"CC-NEWS backfill {first}..{last}: {len(chosen.files)} files, "
              f"{len(chosen.pending)} to import, lag {chosen.lag_days} days")
        return {"all": [f.path for f in chosen.files], "pending": [f.path for f in chosen.pending]}

    @task
    def pending(planned: dict[str, list[str]]) -> list[str]:
        return planned["pending"]

    @task(max_active_tis_per_dag=8)
    def import_file(path: str) -> dict[str, int]:
        from autonews.archives.ccnews import import_planned_file, rebuild_plan

        dsn, first, last, sources = _scope()
        counts = import_planned_file(dsn, rebuild_plan(sources, first, last, [path]), sources,
                                     path, get_current_context()["dag_run"].run_id)
        print(f"{path}: {dict(counts)}")
        return dict(counts)

    @task(trigger_rule="none_failed", retries=1)
    def load_days(planned: dict[str, list[str]]) -> list[dict[str, Any]]:
        """Clean, gate and load every (source, day) the files hold; fail if any failed."""
        from autonews.archives.ccnews import finish_backfill, rebuild_plan
        from autonews.jobs import StageFailed

        dsn, first, last, sources = _scope()
        results = finish_backfill(dsn, rebuild_plan(sources, first, last, planned["all"]),
                                  sources, get_current_context()["dag_run"].run_id)
        summary = [{"day": str(day), **result.summary()} for day, result in results]
        for line in summary:
            print(line)
        failed = [f"{s['day']} {s['source']}: {s['error']}" for s in summary if s["error"]]
        if failed:
            raise StageFailed("days failed: " + "; ".join(failed))
        return summary

    planned = plan()
    imported = import_file.expand(path=pending(planned))
    imported >> load_days(planned)


autonews_ccnews_backfill()
