"""A real Airflow deployment on this machine for the scale-out test: API server, scheduler,
DAG processor and N Celery workers, on the local PostgreSQL (metadata and warehouse) and
Redis (broker). Every process is started in its own session and stopped with SIGINT."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from tests.helpers import AIRFLOW, ROOT, free_port

# Wrapper: restore default SIGINT (background processes inherit it ignored) and exec.
EXEC_WITH_SIGINT = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                    "os.execvp(sys.argv[1], sys.argv[1:])")


class AirflowProcesses:
    """The Airflow processes of a test stack (`processes`, each logging to `home/<name>.log`):
    alive checks, log tails, and a stop that signals each process group (SIGINT, then
    SIGKILL after 30 s)."""

    home: Path
    processes: dict[str, subprocess.Popen[bytes]]

    def check_alive(self) -> None:
        for name, proc in self.processes.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}: {self.log_tail(name)}")

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.home / f"{name}.log"
        text = path.read_text(errors="replace").splitlines() if path.exists() else []
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        for proc in self.processes.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
        deadline = time.monotonic() + 30
        for proc in self.processes.values():
            try:
                proc.wait(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@dataclass
class CeleryStack(AirflowProcesses):
    pg_admin: str  # DSN of a PostgreSQL server where databases may be created
    redis_url: str  # redis://127.0.0.1:6379
    home: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    workers: int = 2
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def meta_db(self) -> str:
        return f"af_meta_{self.tag}"

    def _dsn(self, dbname: str) -> str:
        parts = psycopg.conninfo.conninfo_to_dict(self.pg_admin)
        user = parts.get("user") or "postgres"
        password = f":{parts['password']}" if parts.get("password") else ""
        host = parts.get("host") or "127.0.0.1"
        port = parts.get("port") or 5432
        return f"postgresql://{user}{password}@{host}:{port}/{dbname}"

    def env(self) -> dict[str, str]:
        meta = self._dsn(self.meta_db)
        api = f"http://127.0.0.1:{self.api_port}"
        return {
            **os.environ,
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api}/execution/",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta.replace("postgresql://",
                                                                "postgresql+psycopg2://"),
            "AIRFLOW__CELERY__BROKER_URL": f"{self.redis_url.rstrip('/')}/{self.redis_db}",
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + meta,
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": f"autonews_{self.tag}",
            "AIRFLOW__API_AUTH__JWT_SECRET": self.jwt_secret,
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "tests.dags.celery_stack.worker_name",
            "PYTHONPATH": str(ROOT),
            **self.env_extra,
        }

    def __post_init__(self) -> None:
        self.api_port = free_port()
        self.jwt_secret = secrets.token_hex(24)
        self.redis_db = 1 + int(self.tag, 16) % 15

    # ------------------------------------------------------------ lifecycle

    def airflow(self, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(AIRFLOW), *args], env=self.env(), capture_output=True, text=True,
                              timeout=timeout)

    def start(self) -> CeleryStack:
        with psycopg.connect(self.pg_admin, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.meta_db)))
        done = self.airflow("db", "migrate")
        if done.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed: {done.stderr[-2000:]}")
        self.airflow("pools", "set", "autonews_crawl", "4", "autonews crawls")
        self._spawn("api-server", [str(AIRFLOW), "api-server", "--port", str(self.api_port)])
        self._spawn("scheduler", [str(AIRFLOW), "scheduler"])
        self._spawn("dag-processor", [str(AIRFLOW), "dag-processor"])
        queue = f"autonews_{self.tag}"
        for index in range(1, self.workers + 1):
            name = f"worker{index}"
            self._spawn(name, [str(AIRFLOW), "celery", "worker", "-q", queue, "--concurrency", "2",
                               "--celery-hostname", f"{name}-{self.tag}@%h"],
                        {"AUTONEWS_TEST_WORKER": name,
                         # each worker serves its task logs on its own port
                         "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port())})
        self._wait_for_api()
        return self

    def _spawn(self, name: str, command: list[str], extra: dict[str, str] | None = None) -> None:
        log = open(self.home / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-c", EXEC_WITH_SIGINT, *command],
            env={**self.env(), **(extra or {})}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def _wait_for_api(self, timeout: float = 90) -> None:
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with urllib.request.urlopen(  # noqa: S310 - local test server
                        f"http://127.0.0.1:{self.api_port}/api/v2/version", timeout=2):
                    return
            except OSError:
                time.sleep(1)
        raise TimeoutError(f"API server not up after {timeout} s: {self.log_tail('api-server')}")

    def stop(self) -> None:
        super().stop()
        with psycopg.connect(self.pg_admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                         .format(sql.Identifier(self.meta_db)))

    # ------------------------------------------------------------ queries

    def wait_until_parsed(self, dag_id: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            done = self.airflow("dags", "list", "-o", "json")
            if done.returncode == 0 and dag_id in done.stdout:
                return
            time.sleep(2)
        raise TimeoutError(f"{dag_id} not parsed: {self.log_tail('dag-processor')}")

    def runs(self, dag_id: str, run_type: str = "backfill") -> list[tuple[Any, ...]]:
        """(logical_date, state) of the DAG's runs of `run_type`, from the metadata DB."""
        with psycopg.connect(self._dsn(self.meta_db)) as conn:
            return conn.execute(
                "SELECT logical_date, state FROM dag_run WHERE dag_id = %s AND run_type = %s "
                "ORDER BY logical_date", (dag_id, run_type)).fetchall()

    def task_hosts(self, dag_id: str) -> dict[str, int]:
        with psycopg.connect(self._dsn(self.meta_db)) as conn:
            rows = conn.execute(
                "SELECT hostname, count(*) FROM task_instance WHERE dag_id = %s "
                "AND state = 'success' GROUP BY hostname", (dag_id,)).fetchall()
        return {h: n for h, n in rows}


def worker_name() -> str:
    """Airflow `hostname_callable`: tell the two workers on this one machine apart."""
    return os.environ.get("AUTONEWS_TEST_WORKER") or socket.getfqdn()
