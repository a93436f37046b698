"""The command line's errors in process (typer's runner): every expected failure is one
line on stderr with its exit code, never a traceback, never a secret, whatever it holds."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from autonews.cli import app


def invoke(*args: str, **env: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **env})


def _one_line_error(done, code: int, message: str) -> None:
    assert done.exit_code == code, done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)
    assert message in " ".join(done.stderr.split())
    assert done.stderr.strip().startswith("error:") and "Traceback" not in done.output


@pytest.mark.parametrize(("args", "message"), [
    (("run", "--demo", "--date", "13/11/2026"), "--date '13/11/2026' is not a date"),
    (("run", "--date", "20261113"), "--date '20261113' is not a date (use YYYY-MM-DD)"),
    (("run", "--date", "2999-01-01"), "--date 2999-01-01 is in the future"),
    (("backfill", "--from", "2026-11-06", "--to", "2026-11-04"), "the range is backwards"),
    (("backfill", "--from", "0001-01-01", "--to", "2026-11-04"), "longer than 3660 days"),
    (("backfill", "--from", "2026-11-06", "--to", "2999-01-01"), "2999-01-01 is in the future"),
    (("run", "--demo", "--demo-port", "0", "--source", "nope"), "unknown source id 'nope'"),
    (("stats", "--from", "[bold]x[/]"), "--from '[bold]x[/]' is not a date"),
    (("import-warc", "/nonexistent/x.warc.gz", "--demo"),
     "/nonexistent/x.warc.gz: no such file (give a WARC file path or an http(s) URL)"),
    (("import-warc", "x.warc.gz", "--from", "2026-11-12"), "give both --from and --to"),
    (("export-warc", "--from", "2026-11-12", "--to", "2026-11-13", "--output",
      "/nonexistent/dir/x.warc.gz"), "--output /nonexistent/dir/x.warc.gz: the folder"),
    (("backfill", "--ccnews", "--demo", "--demo-port", "0", "--from", "2026-11-13", "--to",
      "2026-11-12"), "the range is backwards"),
    (("backfill", "--ccnews", "--parallel", "2", "--from", "2026-11-12", "--to", "2026-11-13"),
     "--parallel does not apply to --ccnews"),
    (("backfill", "--lag-days", "2", "--from", "2026-11-12", "--to", "2026-11-13"),
     "--lag-days needs --ccnews"),
])
def test_bad_input_is_exit_2(args, message, tmp_path):
    _one_line_error(invoke(*args, AUTONEWS_HOME=str(tmp_path)), 2, message)


def test_a_bad_archive_setting_is_exit_2_naming_it(tmp_path):
    done = invoke("backfill", "--ccnews", "--from", "2026-11-12", "--to", "2026-11-13",
                  AUTONEWS_HOME=str(tmp_path), AUTONEWS_CCNEWS_LAG_DAYS="three")
    _one_line_error(done, 2, "AUTONEWS_CCNEWS_LAG_DAYS='three' is not a whole number of days")


@pytest.mark.parametrize("dsn", ["postgresql://u:s3cret@127.0.0.1:1/x",
                                 "postgresql://u:s3cret@127.0.0.1:notaport/x",
                                 "host=127.0.0.1 port=1 password=s3cret bogus_option=1"])
def test_an_unusable_warehouse_is_exit_3_without_the_password(dsn, tmp_path):
    done = invoke("db", "migrate", AUTONEWS_DSN=dsn, AUTONEWS_HOME=str(tmp_path))
    _one_line_error(done, 3, "cannot connect to the warehouse")
    assert "s3cret" not in done.output


def test_run_reads_the_sources_file_the_environment_names(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nid = "site_x"\nname = "X"\nhome = "{demo_url}/x/"\n'
                       'feeds = ["{demo_url}/x/feed"]\n')
    done = invoke("run", "--date", "2026-11-13", AUTONEWS_SOURCES=str(sources),
                  AUTONEWS_HOME=str(tmp_path))
    _one_line_error(done, 2, f"{sources}: source 'site_x': key 'home': uses {{demo_url}}")
    assert "AUTONEWS_DEMO_URL" in done.stderr


def test_a_bad_quality_file_stops_the_run_before_any_fetch(tmp_path):
    quality = tmp_path / "quality.toml"
    quality.write_text("[default]\nhistory_days = 2.5\n")
    done = invoke("run", "--demo", "--demo-port", "0", AUTONEWS_QUALITY=str(quality),
                  AUTONEWS_HOME=str(tmp_path), AUTONEWS_DSN="postgresql://u@127.0.0.1:1/x")
    _one_line_error(done, 2, "key 'history_days': expected a whole number")


def test_a_bad_quality_file_stops_an_import_before_any_file_is_read(tmp_path):
    quality = tmp_path / "quality.toml"
    quality.write_text("[default]\nmax_reject_rate = 'high'\n")
    warc = tmp_path / "x.warc.gz"
    warc.write_bytes(b"not read")
    done = invoke("import-warc", str(warc), "--demo", AUTONEWS_QUALITY=str(quality),
                  AUTONEWS_HOME=str(tmp_path), AUTONEWS_DSN="postgresql://u@127.0.0.1:1/x")
    _one_line_error(done, 2, "key 'max_reject_rate'")
