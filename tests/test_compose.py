"""docker-compose.yml, validated offline (no Docker engine here) against the compose spec."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"


def test_compose_file_matches_the_compose_specification():
    checker = Path(sys.executable).with_name("check-jsonschema")
    done = subprocess.run([str(checker), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_runs_airflow_on_celery_with_every_component():
    spec = yaml.safe_load(COMPOSE.read_text())
    services = spec["services"]
    assert {"airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
            "airflow-triggerer", "airflow-worker", "airflow-init", "redis", "airflow-db",
            "warehouse-db", "demo-site"} <= set(services)
    worker = services["airflow-worker"]
    assert worker["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert "celery worker" in worker["command"]
    assert "autonews db migrate" in services["airflow-init"]["command"][-1]
    assert services["airflow-scheduler"]["depends_on"]["airflow-init"]["condition"] == \
        "service_completed_successfully"


def _items(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _items(value, (*path, str(key)))
    elif isinstance(node, list):
        for value in node:
            yield from _items(value, path)
    else:
        yield path, node


def test_no_secret_is_written_in_the_compose_file():
    spec = yaml.safe_load(COMPOSE.read_text())
    seen = 0
    for path, value in _items(spec):
        key = path[-1] if path else ""
        if re.search(r"PASSWORD|SECRET", key) and isinstance(value, str):
            seen += 1
            assert value.startswith("${"), (path, value)
        if isinstance(value, str) and "://" in value and "@" in value:
            assert re.search(r"://\w+:\$\{\w+", value), (path, value)
    assert seen >= 4
