"""Airflow runs in its own processes here (its settings are global to a process): a
temporary AIRFLOW_HOME migrated once per session, and helpers to run `airflow` commands."""

from __future__ import annotations

import importlib.util
import os
import subprocess
from collections.abc import Iterator

import pytest

from tests.helpers import AIRFLOW, ROOT

# Whether Airflow is installed, without importing it: these tests run it in subprocesses
# only, and importing it here cost every pytest process (the fast tier's workers included)
# 1.5-4 s of collection for tests they then deselect.
if importlib.util.find_spec("airflow") is None:
    pytest.skip("needs the airflow extra (scripts/bootstrap all)", allow_module_level=True)


@pytest.fixture(scope="session")
def airflow_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("airflow-home")
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AUTONEWS_SOURCES": str(ROOT / "config" / "demo-sources.toml"),
        "AUTONEWS_HOME": str(home / "autonews"),
    }
    env.pop("AUTONEWS_DSN", None)
    done = subprocess.run([str(AIRFLOW), "db", "migrate"], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    subprocess.run([str(AIRFLOW), "pools", "set", "autonews_crawl", "4", "autonews crawls"],
                   env=env, capture_output=True, text=True, timeout=120, check=True)
    yield env
