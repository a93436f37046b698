"""A real Airflow deployment for the ops tests: API server, scheduler (LocalExecutor) and DAG
processor, with their metadata in a database of the tests' PostgreSQL. Every process runs in
its own session and is stopped with SIGINT; the REST API is open (all users admin)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg

from tests.dags.celery_stack import EXEC_WITH_SIGINT, AirflowProcesses
from tests.helpers import AIRFLOW, ROOT, free_port

FINISHED = ("success", "failed")


@dataclass
class LocalStack(AirflowProcesses):
    meta_dsn: str  # a database for Airflow's metadata (psycopg DSN, URI form)
    home: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.api_port = free_port()
        self.jwt_secret = secrets.token_hex(24)

    def env(self) -> dict[str, str]:
        api = f"http://127.0.0.1:{self.api_port}"
        return {
            **os.environ,
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "6",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api}/execution/",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.meta_dsn.replace(
                "postgresql://", "postgresql+psycopg2://", 1),
            "AIRFLOW__API_AUTH__JWT_SECRET": self.jwt_secret,
            "AIRFLOW__API__PORT": str(self.api_port),
            # only the runs a test triggers: no scheduled run of "yesterday" on the side
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "PYTHONPATH": str(ROOT),
            **self.env_extra,
        }

    # ------------------------------------------------------------ lifecycle

    def airflow(self, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(AIRFLOW), *args], env=self.env(), capture_output=True,
                              text=True, timeout=timeout)

    def start(self) -> LocalStack:
        done = self.airflow("db", "migrate")
        if done.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed: {done.stderr[-2000:]}")
        self.airflow("pools", "set", "autonews_crawl", "4", "autonews crawls")
        self._spawn("api-server", [str(AIRFLOW), "api-server", "--port", str(self.api_port)])
        self._spawn("scheduler", [str(AIRFLOW), "scheduler"])
        self._spawn("dag-processor", [str(AIRFLOW), "dag-processor"])
        self._wait_for_api()
        return self

    def _spawn(self, name: str, command: list[str]) -> None:
        log = open(self.home / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-c", EXEC_WITH_SIGINT, *command], env=self.env(), stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)

    def _wait_for_api(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                self.api("GET", "/api/v2/version")
                return
            except OSError:
                time.sleep(1)
        raise TimeoutError(f"API server not up after {timeout} s: {self.log_tail('api-server')}")


    # ------------------------------------------------------------ the REST API

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """JSON of an API call; an HTTP error raises `ApiError` with its status and detail."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.api_port}{path}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise ApiError(exc.code, exc.read().decode(errors="replace")) from None

    def wait_until_parsed(self, dag_id: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                self.api("GET", f"/api/v2/dags/{dag_id}")
                return
            except ApiError:
                time.sleep(2)
        raise TimeoutError(f"{dag_id} not parsed: {self.log_tail('dag-processor')}")

    def run(self, dag_id: str, run_id: str) -> dict[str, Any]:
        return dict(self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}"))

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 300) -> str:
        """The final state of the run (success or failed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            state = str(self.run(dag_id, run_id)["state"])
            if state in FINISHED:
                return state
            time.sleep(2)
        raise TimeoutError(f"run {run_id} not finished after {timeout} s: "
                           f"{self.task_states(dag_id, run_id)}\n{self.log_tail('scheduler')}")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        found = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}"
                                "/taskInstances?limit=100")
        return list(found["task_instances"])

    def task_states(self, dag_id: str, run_id: str) -> dict[tuple[str, str], str]:
        """(task id, label in the UI) -> state; the label is the rendered map index."""
        return {(ti["task_id"], ti.get("rendered_map_index") or str(ti["map_index"])):
                ti["state"] for ti in self.task_instances(dag_id, run_id)}

    def task_log(self, dag_id: str, run_id: str, task_id: str, label: str
                 ) -> list[dict[str, Any]]:
        """The structured log lines (`event`, `level`...) of the latest try of the mapped
        task labelled `label`, as the UI shows them."""
        ti = next(t for t in self.task_instances(dag_id, run_id)
                  if t["task_id"] == task_id and t.get("rendered_map_index") == label)
        found = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}"
                                f"/taskInstances/{task_id}/logs/{ti['try_number']}"
                                f"?full_content=true&map_index={ti['map_index']}")
        return [e for e in found["content"] if isinstance(e, dict)]

    def xcom(self, dag_id: str, run_id: str, task_id: str, key: str) -> Any:
        entry = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}"
                                f"/taskInstances/{task_id}/xcomEntries/{key}")
        return entry["value"]

    def metadata(self, query: str, *args: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.meta_dsn) as conn:
            return conn.execute(query, args).fetchall()


class ApiError(OSError):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail[:500]}")
        self.status = status
        self.detail = detail
