"""Security: parameterised SQL only, no secrets in the repository, secrets masked in errors
(alerts: tests/test_alerts.py), no control characters stored."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg

from autonews.core import mask_secrets
from warehouse import loader, staging

ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = ("autonews", "scrapers", "transforms", "warehouse", "dags", "bench")


def _python_files():
    for folder in CODE_DIRS:
        yield from (ROOT / folder).rglob("*.py")


def test_sql_is_never_built_with_string_formatting():
    """Values go through psycopg parameters; identifiers through psycopg.sql."""
    pattern = re.compile(r"\.(execute|executemany|copy)\(\s*f[\"']|"
                         r"\.(execute|executemany)\([^)]*[\"']\s*%\s*\(|"
                         r"\.(execute|executemany)\([^)]*\.format\(")
    offenders = []
    for path in _python_files():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if pattern.search(line) and "noqa: S608" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_no_secret_in_code_config_or_dags():
    secret = re.compile(r"(postgres(ql)?|redis|amqp)://[^:/\s'\"]+:[^@$\s'\"{}*]+@|"
                        r"(password|passwd|secret|token)\s*=\s*['\"][^'\"$]{3,}['\"]",
                        re.IGNORECASE)
    files = [*_python_files(), *(ROOT / "config").glob("*.toml"), ROOT / "docker-compose.yml",
             ROOT / "Dockerfile"]
    found = [str(p.relative_to(ROOT)) for p in files if secret.search(p.read_text())]
    assert found == []


def test_dsn_and_tokens_are_masked():
    assert mask_secrets("postgresql://app:hunter2@db:5432/x failed") == \
        "postgresql://app:***@db:5432/x failed"
    assert "hunter2" not in mask_secrets("host=db password=hunter2 user=app")
    assert "abc123" not in mask_secrets("https://hooks.example/x?token=abc123")


def test_control_characters_never_reach_the_warehouse(dsn):
    from datetime import UTC, datetime

    from transforms import Article

    dirty = Article(url="https://a.example/x", canonical_url="https://a.example/x",
                    title="Nul\x00 byte\x07 title", body="Body\x00 with\x1b controls",
                    authors=["A\x00n"], published_at=datetime(2026, 11, 13, tzinfo=UTC))
    with psycopg.connect(dsn) as conn:
        staging.stage_articles(conn, "r", "s", [staging.staged_row("r", "s", dirty, None)])
        loader.merge_staged(conn, "r", "s")
        row = conn.execute("SELECT title, body, authors FROM articles").fetchone()
    assert row == ("Nul byte title", "Body with controls", ["An"])
