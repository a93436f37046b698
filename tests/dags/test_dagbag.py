"""The DAG files import cleanly and every task is configured for unattended runs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import ONE_AIRFLOW_AT_A_TIME

pytestmark = [pytest.mark.e2e, ONE_AIRFLOW_AT_A_TIME]

SCRIPT = """
import json
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder={folder!r})
out = {{"errors": {{k: str(v) for k, v in bag.import_errors.items()}}, "dags": {{}}}}
for dag_id, dag in bag.dags.items():
    out["dags"][dag_id] = {{
        "tags": sorted(dag.tags),
        "schedule": type(dag.timetable).__name__,
        "catchup": dag.catchup,
        "params": {{k: dag.params.get_param(k).schema for k in dag.params}},
        "tasks": {{t.task_id: {{"retries": t.retries,
                               "timeout": t.execution_timeout.total_seconds()
                                          if t.execution_timeout else None,
                               "pool": t.pool,
                               "policy": type(t.retry_policy).__name__
                                         if t.retry_policy else None,
                               "label": t.map_index_template,
                               "name": t.task_display_name,
                               "trigger_rule": getattr(t.trigger_rule, "value",
                                                       t.trigger_rule),
                               "callback": bool(t.on_failure_callback),
                               "mapped": type(t).__name__,
                               "downstream": sorted(t.downstream_task_ids)}}
                  for t in dag.tasks}},
    }}
print("JSON" + json.dumps(out))
"""


def _load(airflow_env):
    folder = airflow_env["AIRFLOW__CORE__DAGS_FOLDER"]
    done = subprocess.run([sys.executable, "-c", SCRIPT.format(folder=folder)], env=airflow_env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    line = [x for x in done.stdout.splitlines() if x.startswith("JSON")][-1]
    return json.loads(line[4:])


def test_dags_import_without_errors_and_are_configured(airflow_env):
    bag = _load(airflow_env)
    assert bag["errors"] == {}
    assert "autonews_daily" in bag["dags"]
    for dag_id, dag in bag["dags"].items():
        assert "autonews" in dag["tags"], dag_id
        for task_id, task in dag["tasks"].items():
            assert task["timeout"] and task["timeout"] <= 3600, (dag_id, task_id)
            assert task["callback"], (dag_id, task_id)
            # retries follow the error: a verdict or a dead site fails at once
            assert task["policy"] == "AutonewsRetryPolicy", (dag_id, task_id)
    assert bag["dags"]["autonews_daily"]["schedule"] == "CronDataIntervalTimetable"
    daily = bag["dags"]["autonews_daily"]["tasks"]
    assert daily["per_source.crawl"]["pool"] == "autonews_crawl"
    assert daily["per_source.crawl"]["retries"] >= 2
    assert set(daily) >= {"plan", "per_source.crawl", "per_source.clean", "per_source.gate",
                          "per_source.load", "enrich", "report"}
    # enrich runs on whatever loaded, retries like any stage, and is named in the UI
    for dag_id in ("autonews_daily", "autonews_reclean", "autonews_ccnews_backfill"):
        enrich = bag["dags"][dag_id]["tasks"]["enrich"]
        assert enrich["trigger_rule"] == "all_done", dag_id
        assert enrich["retries"] >= 2, dag_id
        assert enrich["name"] == "enrich (entities, topics, stories)", dag_id
    # the UI names each mapped task after its source (or file)
    assert {t["label"] for k, t in daily.items() if k.startswith("per_source.")} == \
        {"{{ source_id }}"}
    assert bag["dags"]["autonews_reclean"]["tasks"]["reclean"]["label"] == "{{ source_id }}"
    # a trigger form refuses a day that is not a date
    assert bag["dags"]["autonews_daily"]["params"]["day"]["format"] == "date"
    for dag_id in ("autonews_reclean", "autonews_ccnews_backfill"):
        assert {bag["dags"][dag_id]["params"][k]["format"] for k in ("from", "to")} \
            == {"date"}, dag_id
    ccnews = bag["dags"]["autonews_ccnews_backfill"]
    assert ccnews["schedule"] == "NullTimetable"  # manual: a backfill is asked for
    assert set(ccnews["tasks"]) == {"plan", "pending", "import_file", "load_days", "enrich"}
    assert "Mapped" in ccnews["tasks"]["import_file"]["mapped"]  # files shared by workers
    assert "Mapped" not in ccnews["tasks"]["load_days"]["mapped"]
    assert ccnews["tasks"]["import_file"]["retries"] >= 2
    assert ccnews["tasks"]["import_file"]["label"] == "{{ path.split('/')[-1] }}"
    assert ccnews["tasks"]["import_file"]["downstream"] == ["load_days"]
    assert ccnews["tasks"]["load_days"]["downstream"] == ["enrich"]  # the days, then enrich


def test_dag_file_does_no_work_at_import(airflow_env, tmp_path):
    """Parsing must not touch the warehouse or the network: no DSN, no sources file."""
    env = {**airflow_env, "AUTONEWS_SOURCES": str(tmp_path / "missing.toml")}
    env.pop("AIRFLOW_CONN_AUTONEWS_WAREHOUSE", None)
    bag = _load(env)
    assert bag["errors"] == {}
