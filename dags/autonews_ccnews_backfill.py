"""autonews_ccnews_backfill: import a range of publication days from Common Crawl's news
archive (CC-NEWS) instead of crawling, then clean, gate, load and enrich them (manual).

Trigger with conf `{"from": "2024-01-01", "to": "2024-01-31", "source": null}` (UTC days,
both included; `source`: one source id, default every enabled source). `plan` lists the
archive's files whose capture times can hold the range (`AUTONEWS_CCNEWS_BASE_URL`,
`AUTONEWS_CCNEWS_LAG_DAYS`), `import_file` is mapped over them so Celery workers share the
files, `load_days` cleans, gates and loads every (source, day) they hold, and `enrich` links
the range's entities, topics and stories. Files already imported for the same range are
skipped: rerunning the DAG resumes the backfill.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, get_current_context, task

from autonews.airflow_support.labels import ENRICH_LABEL, FILE_LABEL
from autonews.airflow_support.retries import RETRY_POLICY


def _on_failure(context: Any) -> None:
    from autonews.airflow_support import on_task_failure

    on_task_failure(context)


def _scope() -> tuple[Any, str, Any, str | None, list[Any]]:
    """(settings, warehouse DSN, window, source id or None, sources) of the running task's
    params."""
    from autonews.airflow_support import warehouse_dsn
    from autonews.archives.ccnews import parse_params
    from autonews.core import Settings
    from autonews.core.window import today_utc
    from autonews.sources import configured_sources

    context = get_current_context()
    conf = getattr(context.get("dag_run"), "conf", None) or {}
    params = {**(context.get("params") or {}), **conf}
    window, source = parse_params(params, today_utc())
    settings = Settings.from_env()
    return (settings, warehouse_dsn(settings), window, source,
            configured_sources(settings, only=source))


@dag(
    dag_id="autonews_ccnews_backfill",
    schedule=None,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "autonews", "retries": 3, "retry_delay": timedelta(minutes=2),
                  "retry_exponential_backoff": True, "retry_policy": RETRY_POLICY,
                  "execution_timeout": timedelta(minutes=60),
                  "on_failure_callback": _on_failure},
    params={
        "from": Param(None, type=["null", "string"], format="date", title="From",
                      description="first UTC day YYYY-MM-DD"),
        "to": Param(None, type=["null", "string"], format="date", title="To",
                    description="last UTC day YYYY-MM-DD"),
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

        settings, dsn, window, _, sources = _scope()
        prepare_warehouse(dsn)
        chosen = plan_backfill(dsn, sources, window, settings)
        print(f"CC-NEWS backfill {window}: {len(chosen.files)} files, "
              f"{len(chosen.pending)} to import, lag {chosen.lag_days} days")
        return {"all": [f.path for f in chosen.files], "pending": [f.path for f in chosen.pending]}

    @task
    def pending(planned: dict[str, list[str]]) -> list[str]:
        return planned["pending"]

    @task(max_active_tis_per_dag=8, map_index_template=FILE_LABEL)
    def import_file(path: str) -> dict[str, int]:
        from autonews.archives.ccnews import import_planned_file, rebuild_plan

        settings, dsn, window, _, sources = _scope()
        counts = import_planned_file(dsn, rebuild_plan(sources, window, [path], settings),
                                     sources, path, get_current_context()["dag_run"].run_id,
                                     settings)
        print(f"{path}: {dict(counts)}")
        return dict(counts)

    @task(trigger_rule="none_failed", retries=1)
    def load_days(planned: dict[str, list[str]]) -> list[dict[str, Any]]:
        """Clean, gate and load every (source, day) the files hold; fail if any failed."""
        from autonews.archives.ccnews import finish_backfill, rebuild_plan
        from autonews.core import StageFailed

        settings, dsn, window, _, sources = _scope()
        results = finish_backfill(dsn, rebuild_plan(sources, window, planned["all"], settings),
                                  sources, get_current_context()["dag_run"].run_id, settings)
        rows = [{"day": str(day), **summary.row()} for day, summary in results]
        for row in rows:
            print(row)
        failed = [f"{r['day']} {r['source']}: {r['error']}" for r in rows if r["error"]]
        if failed:
            raise StageFailed("days failed: " + "; ".join(failed))
        return rows

    @task(trigger_rule="all_done", execution_timeout=timedelta(minutes=60),
          task_display_name=ENRICH_LABEL)
    def enrich() -> dict[str, Any]:
        """Entities, topics and stories of the range's articles (whatever loaded)."""
        from autonews.core import Trigger
        from autonews.jobs import enrich_window

        _, dsn, window, source, _ = _scope()
        run_id = get_current_context()["dag_run"].run_id
        return enrich_window(dsn, window, f"{run_id}-enrich", trigger=Trigger.CCNEWS,
                             source_ids=[source] if source else None).to_counts()

    planned = plan()  # an XComArg standing for plan's dict
    imported = import_file.expand(path=pending(planned))  # type: ignore[arg-type]
    loaded = load_days(planned)  # type: ignore[arg-type]
    imported >> loaded >> enrich()


autonews_ccnews_backfill()
