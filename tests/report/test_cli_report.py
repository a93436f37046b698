"""`autonews report` as a user runs it: through the real console script on the demo
warehouse, and its bad-input errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from autonews.demo import catalog
from autonews.report_page import report_name
from tests.report.conftest import DEMO_DAYS, DOWN

AUTONEWS = Path(sys.executable).with_name("autonews")
pytestmark = pytest.mark.e2e  # the console script


def autonews(dsn: str, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUTONEWS_DSN": dsn, "AUTONEWS_HOME": str(home), "COLUMNS": "200"}
    env.pop("AUTONEWS_REPORTS", None)
    return subprocess.run([str(AUTONEWS), "report", *args], env=env, capture_output=True,
                          text=True, timeout=300)


def test_report_demo_writes_the_latest_days_page_into_the_reports_folder(demo_report_dsn,
                                                                         tmp_path):
    assert catalog.latest_day() == DEMO_DAYS[-1]
    done = autonews(demo_report_dsn, tmp_path, "--demo")
    assert done.returncode == 0, done.stderr
    page = tmp_path / "reports" / report_name(DEMO_DAYS[-1])
    assert done.stdout.strip() == str(page)
    assert "MB" in done.stderr
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
    assert soup.select_one("#attention .problem")["data-source"] == DOWN


def test_report_of_a_chosen_day_and_run_into_a_chosen_file(demo_report_dsn, tmp_path):
    out = tmp_path / "mine.html"
    done = autonews(demo_report_dsn, tmp_path, "--date", str(DEMO_DAYS[0]), "--days", "3",
                    "--run", f"report-{DEMO_DAYS[0]}", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    soup = BeautifulSoup(out.read_text(encoding="utf-8"), "lxml")
    assert soup.select_one(".verdict").get_text(strip=True).endswith(
        "All 3 sources ran and loaded.")
    assert len(soup.select("#history .card table.days tr:first-of-type th[scope=col]")) == 3 * 3


@pytest.mark.parametrize(("args", "message"), [
    (("--date", "2026-13-01"), "is not a date"),
    (("--date", "2999-01-01"), "is in the future"),
    (("--date", "2026-11-13", "--run", "no-such-run"), "recorded no crawl"),
    (("--demo", "--out", "/no/such/folder/page.html"), "does not exist"),
    (("--demo", "--days", "0"), "--days"),
])
def test_bad_input_is_one_clear_line_and_exit_2(demo_report_dsn, tmp_path, args, message):
    done = autonews(demo_report_dsn, tmp_path, *args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "reports").exists()
