"""The archive commands as the README documents them, run as a user runs them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from autonews.demo import catalog
from tests.archives.conftest import articles

AUTONEWS = Path(sys.executable).with_name("autonews")
DAY = catalog.latest_day()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def autonews(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(AUTONEWS), *args], env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture
def port() -> str:
    return str(_free_port())


def _env(dsn: str, home: Path, port: str) -> dict[str, str]:
    return {**os.environ, "AUTONEWS_DSN": dsn, "AUTONEWS_HOME": str(home),
            "AUTONEWS_DEMO_PORT": port, "COLUMNS": "200"}


def test_a_warc_of_the_demo_gives_an_empty_warehouse_the_live_crawls_articles(
        dsn, empty_dsn, other_dsn, tmp_path, port):
    live = _env(dsn, tmp_path / "a", port)
    crawled = autonews(live, "run", "--demo", "--date", str(DAY), "--json")
    assert crawled.returncode == 0, crawled.stderr[-2000:]
    warc = tmp_path / "demo.warc.gz"
    exported = autonews(live, "export-warc", "--from", str(DAY), "--to", str(DAY),
                        "--out", str(warc))
    assert exported.returncode == 0, exported.stderr[-2000:]
    assert "exported" in exported.stderr and warc.stat().st_size > 0

    # 1. the export into a warehouse that does not even have the schema yet
    imported = autonews(_env(empty_dsn, tmp_path / "b", port), "import-warc", str(warc),
                        "--demo", "--json")
    assert imported.returncode == 0, imported.stderr[-2000:]
    report = json.loads(imported.stdout)
    assert sum(d["inserted"] for d in report["days"]) == len(catalog.published_on(DAY))
    assert articles(empty_dsn, (DAY,)) == articles(dsn, (DAY,))

    # 2. the demo's own CC-NEWS-like archive, offline
    backfill = autonews(_env(other_dsn, tmp_path / "c", port), "backfill", "--ccnews",
                        "--demo", "--from", str(DAY), "--to", str(DAY))
    assert backfill.returncode == 0, backfill.stderr[-2000:]
    assert "days loaded from the archive" in backfill.stdout
    assert articles(other_dsn, (DAY,)) == articles(dsn, (DAY,))
    again = autonews(_env(other_dsn, tmp_path / "c", port), "backfill", "--ccnews", "--demo",
                     "--from", str(DAY), "--to", str(DAY), "--json")
    summary = json.loads(again.stdout)
    assert summary["files"] == {}  # every file was done: nothing read again
    assert summary["files_done_before"] == summary["files_total"] > 0
    assert sum(d["inserted"] + d["updated"] for d in summary["days"]) == 0


@pytest.mark.parametrize(("args", "message"), [
    (("import-warc", "/nonexistent/x.warc.gz", "--demo"), "/nonexistent/x.warc.gz: no such "
                                                          "file"),
    (("import-warc", "x.warc.gz", "--from", "2026-11-12"), "give both --from and --to"),
    (("backfill", "--ccnews", "--demo", "--from", "2026-11-13", "--to", "2026-11-12"),
     "the range is backwards"),
    (("export-warc", "--from", "2026-11-12", "--to", "2026-11-13", "--out",
      "/nonexistent/dir/x.warc.gz"), "does not exist"),
])
def test_bad_input_is_one_clear_line_and_exit_2(dsn, tmp_path, port, args, message):
    done = autonews(_env(dsn, tmp_path, port), *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
