"""The layering and the ownership of SQL, as checks that fail when broken: the import
contracts of pyproject.toml (import-linter), and no SQL outside `warehouse/`."""

from __future__ import annotations

import ast
import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import autonews
from tests.helpers import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("autonews", "enrichment", "scrapers", "transforms", "warehouse")
# Outside `warehouse/`, code never holds SQL (tests and benchmarks read the warehouse as an
# analyst would, and are not checked).
CHECKED_FOR_SQL = ("autonews", "enrichment", "scrapers", "transforms", "dags")
_SQL = re.compile(r"^\s*(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
                  r"CREATE\s+(TABLE|INDEX|VIEW|FUNCTION)|ALTER\s+TABLE|DROP\s+TABLE|"
                  r"TRUNCATE|COPY\s+\w+|WITH\s+\w+\s+AS\s*\(|SELECT\s+pg_)",
                  re.DOTALL)
_DATABASE_CALLS = frozenset({"execute", "executemany", "fetchone", "fetchall", "cursor"})


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True,
                          text=True, timeout=300, env={"PYTHONPATH": str(root),
                                                       "PATH": "/usr/bin:/bin"})


def test_the_import_contracts_hold():
    done = _lint_imports(ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "3 kept, 0 broken" in done.stdout


def test_the_contracts_catch_a_leaf_package_reaching_into_the_jobs(tmp_path):
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    bad = tmp_path / "warehouse" / "loader.py"
    bad.write_text(bad.read_text() + "\nfrom autonews.jobs import run_source  # noqa\n")
    done = _lint_imports(tmp_path)
    assert done.returncode != 0
    assert "BROKEN" in done.stdout and "warehouse.loader -> autonews.jobs" in done.stdout


def test_every_glue_module_is_forbidden_to_the_leaf_packages():
    """A new module of `autonews` is added to the `leaves` contract, or the check is open."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    leaves = next(c for c in config["contracts"] if c["id"] == "leaves")
    glue = {f"autonews.{m.name}" for m in pkgutil.iter_modules(autonews.__path__)}
    assert set(leaves["forbidden_modules"]) == glue - {"autonews.core"}


def sql_outside_warehouse(source: str) -> list[int]:
    """Line numbers of SQL in Python `source`: SQL string literals, database calls."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and _SQL.match(node.value):
            found.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in _DATABASE_CALLS:
            found.append(node.lineno)
    return sorted(found)


def test_no_sql_outside_the_warehouse_package():
    offenders = []
    for folder in CHECKED_FOR_SQL:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for line in sql_outside_warehouse(path.read_text()):
                offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert offenders == []


def test_the_sql_check_finds_statements_and_database_calls():
    planted = '''
QUERY = """
    SELECT url FROM raw_pages WHERE run_id = %s"""
def purge(conn):
    conn.execute("DELETE FROM staged_articles")
def rows(cur):
    return cur.fetchall()
'''
    assert sql_outside_warehouse(planted) == [2, 5, 5, 7]
    assert sql_outside_warehouse("NOTE = 'select a topic from the list'\nx = {}.copy()") == []


def imports_of_tests(source: str) -> list[int]:
    """Line numbers where Python `source` imports the `tests` package."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module \
                and node.module.split(".")[0] == "tests":
            found.append(node.lineno)
        elif isinstance(node, ast.Import) \
                and any(alias.name.split(".")[0] == "tests" for alias in node.names):
            found.append(node.lineno)
    return sorted(found)


def test_benchmarks_and_the_product_never_import_the_tests():
    """What the benchmarks measure with lives in `autonews.evaluation`: a benchmark that
    imports a test module breaks when the tests are reorganised or left out of a package."""
    offenders = [f"{path.relative_to(ROOT)}:{line}"
                 for folder in ("bench", *PACKAGES, "dags")
                 for path in sorted((ROOT / folder).rglob("*.py"))
                 if "corpora" not in path.parts
                 for line in imports_of_tests(path.read_text())]
    assert offenders == []


def test_the_tests_import_check_finds_both_import_forms():
    planted = "import os\nfrom tests.transforms import golden\nimport tests.helpers as h\n" \
              "from testsuite import x\n"
    assert imports_of_tests(planted) == [2, 3]
