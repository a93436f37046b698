"""Hostile pages, files and settings that need no crawl: each is refused before any fetch
(file, source and key named, exit 2), bounded, or stored right (issue 16, items 1, 5, 6,
7, 8 and 15 to 18)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from autonews.cli import app
from autonews.core import BadInput, Source, Window
from autonews.core.crawl_schema import CrawlRequest
from autonews.core.settings import Settings
from autonews.demo.hostile import HostileSite, article_html, trickle
from autonews.jobs import crawl_source
from autonews.jobs.crawl import check_logs_writable
from autonews.sources import ConfigError, extraction_rules, load_sources
from scrapers.run import build_settings
from transforms import Article, ExtractionRules, PageRejected, extract_article
from transforms.soup import MAX_ELEMENTS, parse_page
from warehouse import loader, staging
from warehouse.search import SearchRefused, search_articles

GOOD = """
[[source]]
id = "site_a"
name = "Site A"
home = "https://a.example/"
feeds = ["https://a.example/feed/"]
"""


def invoke(*args: str, **env: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **env})


def _one_line_error(done, code: int, message: str) -> None:
    assert done.exit_code == code, done.output
    assert done.stderr.strip().startswith("error:") and "Traceback" not in done.output
    assert message in " ".join(done.stderr.split())


# ---------------------------------------------------------------- settings (16, 17)


@pytest.mark.parametrize(("extra", "message"), [
    ("[source.crawl_settings]\nDOWNLOADER_MIDDLEWARES = {}\n",
     "key 'crawl_settings.DOWNLOADER_MIDDLEWARES': not a setting a source may change"),
    ("[source.crawl_settings]\nROBOTSTXT_OBEY = false\n",
     "key 'crawl_settings.ROBOTSTXT_OBEY': not a setting"),
    ("[source.crawl_settings]\nTELNETCONSOLE_ENABLED = true\n",
     "key 'crawl_settings.TELNETCONSOLE_ENABLED': not a setting"),
    ("[source.crawl_settings]\nREMOTE_CONTROL_ENABLED = true\n",
     "key 'crawl_settings.REMOTE_CONTROL_ENABLED': not a setting"),
    ("[source.crawl_settings]\nDOWNLOAD_DELAY = \"fast\"\n",
     "key 'crawl_settings.DOWNLOAD_DELAY': expected a number, got str"),
    ("[source.crawl_settings]\nCONCURRENT_REQUESTS_PER_DOMAIN = 1000\n",
     "expected a value from 1 to 16, got 1000"),
    ("[source.crawl_settings]\nDOWNLOAD_MAXSIZE = 2147483648\n", "DOWNLOAD_MAXSIZE"),
    ("[source.crawl_settings]\nDOWNLOAD_TIMEOUT = nan\n", "expected a finite number"),
    ('[source.extraction]\ntitle_selector = "h1[[["\n',
     "key 'extraction.title_selector': bad CSS selector 'h1[[['"),
    ("[source.extraction]\ndate_selector = 42\n",
     "key 'extraction.date_selector': expected a CSS selector (a string), got 42"),
    ('[source.extraction]\nauthor_selector = ""\n', "key 'extraction.author_selector'"),
    ('[source.extraction]\nmin_words = "many"\n',
     "key 'extraction.min_words': expected a whole number of words"),
    ("[source.extraction]\nmin_words = true\n", "key 'extraction.min_words'"),
])
def test_bad_source_settings_are_refused_when_the_file_is_read(tmp_path, extra, message):
    path = tmp_path / "sources.toml"
    path.write_text(GOOD + extra)
    with pytest.raises(ConfigError) as error:
        load_sources(path)
    assert f"{path}: source 'site_a': " in str(error.value)
    assert message in str(error.value)


def test_good_crawl_settings_are_typed_and_extraction_rules_build(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(GOOD + "[source.crawl_settings]\nDOWNLOAD_DELAY = 2\nRETRY_TIMES = 1\n"
                    "[source.extraction]\nmin_words = 40\ntitle_selector = 'h1.x'\n")
    source = load_sources(path)[0]
    assert source.crawl_settings == {"DOWNLOAD_DELAY": 2.0, "RETRY_TIMES": 1}
    assert extraction_rules(source).min_words == 40


def test_a_sources_file_that_is_not_utf8_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_bytes(GOOD.replace("Site A", "Caf\xe9").encode("latin-1"))
    with pytest.raises(ConfigError, match=r"line 4: not UTF-8 text \(byte 0xe9\)"):
        load_sources(path)
    done = invoke("run", "--date", "2026-11-13", "--sources", str(path),
                  AUTONEWS_HOME=str(tmp_path), AUTONEWS_DSN="postgresql://u@127.0.0.1:1/x")
    _one_line_error(done, 2, "not UTF-8 text")


def test_a_source_object_carrying_forbidden_settings_never_reaches_scrapy():
    source = Source(id="site_a", name="A", home="https://a.example/",
                    feeds=("https://a.example/f",),
                    crawl_settings={"DOWNLOADER_MIDDLEWARES": {}})
    window = Window.for_day(datetime(2026, 11, 13, tzinfo=UTC).date())
    with pytest.raises(BadInput, match="crawl_settings.*DOWNLOADER_MIDDLEWARES"):
        crawl_source("postgresql://u@127.0.0.1:1/x", source, window, "r")
    with pytest.raises(ValueError, match="DOWNLOADER_MIDDLEWARES"):
        build_settings(CrawlRequest(source, window, "r"), Settings(dsn="postgresql://x"))


def test_no_remote_control_endpoint_in_a_crawl():
    source = Source(id="site_a", name="A", home="https://a.example/",
                    feeds=("https://a.example/f",))
    window = Window.for_day(datetime(2026, 11, 13, tzinfo=UTC).date())
    settings = build_settings(CrawlRequest(source, window, "r"), Settings(dsn="postgresql://x"))
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    extensions = settings.getdict("EXTENSIONS")
    assert extensions["scrapy.extensions.remote_control.RemoteControl"] is None
    assert extensions["scrapy.extensions.telnet.TelnetConsole"] is None


# ---------------------------------------------------------------- CLI input (8, 15, 18)


@pytest.mark.parametrize(("args", "message"), [
    (("run", "--date", "2026-W48-3"), "--date '2026-W48-3' is not a date (use YYYY-MM-DD)"),
    (("run", "--date", "20261125"), "--date '20261125' is not a date (use YYYY-MM-DD)"),
    (("backfill", "--from", "0001-01-01", "--to", "2026-11-04"), "longer than 3660 days"),
    (("backfill", "--demo", "--demo-port", "0", "--from", "2026-01-01", "--to", "2026-11-04"),
     "308 days x 3 sources = 924 crawls; more than 31 days: pass --yes"),
    (("run", "--demo", "--demo-port", "0", "--sources", "{bad}"), "key 'allow': bad regular "
     "expression '[': unterminated character set"),
])
def test_bad_input_is_refused_before_any_work(args, message, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD + "allow = ['[']\n")
    args = tuple(str(bad) if a == "{bad}" else a for a in args)
    done = invoke(*args, AUTONEWS_HOME=str(tmp_path),
                  AUTONEWS_DSN="postgresql://u@127.0.0.1:1/x")
    _one_line_error(done, 2, message)


def test_db_shell_gives_psql_the_password_in_its_environment_only(monkeypatch, tmp_path):
    from autonews.cli import admin

    seen = {}

    def fake_call(args, env):
        seen["args"], seen["env"] = args, env
        return 0

    monkeypatch.setattr(admin.subprocess, "call", fake_call)
    monkeypatch.setattr(admin, "warehouse_dsn",
                        lambda settings: "postgresql://app:s3cret@db.example:5432/wh")
    done = invoke("db", "shell", AUTONEWS_HOME=str(tmp_path))
    assert done.exit_code == 0
    assert "s3cret" not in " ".join(seen["args"])
    assert seen["env"]["PGPASSWORD"] == "s3cret"


def test_an_unwritable_home_with_an_external_dsn_fails_once_before_any_source(dsn,
                                                                             tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = invoke("run", "--demo", "--demo-port", "0", AUTONEWS_DSN=dsn,
                  AUTONEWS_HOME=str(blocker / "home"))
    _one_line_error(done, 2, "crawl logs cannot be written")
    assert done.stderr.count("error:") == 1
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(*) FROM pipeline_runs").fetchone() == (0,)


def test_the_logs_folder_check_holds_when_every_source_makes_it_at_once(tmp_path):
    """The sources of a run start in parallel threads and each checks the logs folder: one
    thread's check must never remove another's probe (it failed sources at random)."""
    settings = Settings.from_env({"AUTONEWS_HOME": str(tmp_path / "home")})
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def check() -> None:
        start.wait()
        for _ in range(200):
            try:
                check_logs_writable(settings)
            except BadInput as exc:
                failures.append(exc)
                return

    threads = [threading.Thread(target=check) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert [p.name for p in (tmp_path / "home" / "logs").iterdir()] == []


@pytest.mark.parametrize("kind", ["folder", "fifo", "symlink", "device", "unwritable"])
def test_export_never_replaces_what_is_not_a_regular_file(kind, tmp_path, dsn):
    target = tmp_path / "out.csv"
    if kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "symlink":
        (tmp_path / "real.csv").write_text("keep me")
        target.symlink_to(tmp_path / "real.csv")
    elif kind == "device":
        target = Path("/dev/full")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        target = locked / "out.csv"
        if os.geteuid() == 0:
            target = Path("/proc/self/out.csv")  # root writes anywhere else
    before = target.lstat() if target.exists() or target.is_symlink() else None
    done = invoke("export", "--from", "2026-11-01", "--to", "2026-11-02", "-o", str(target),
                  AUTONEWS_DSN=dsn, AUTONEWS_HOME=str(tmp_path))
    assert done.exit_code == 2, done.output
    assert "Traceback" not in done.output
    assert done.stderr.strip().startswith("error: --output")
    if before is not None:
        after = target.lstat()
        assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    if kind == "symlink":
        assert (tmp_path / "real.csv").read_text() == "keep me"
    assert stat.S_ISCHR(Path("/dev/full").stat().st_mode)


# ---------------------------------------------------------------- pages (5, 6, 18)


def _story(title: str) -> str:
    return article_html(title).split("<body>", 1)[1]


def test_three_megabytes_of_script_in_head_do_not_push_the_article_out():
    script = "<script>var x = '" + "a" * 3_200_000 + "';</script>"
    json_ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
               '"Head Heavy Story", "x": "' + "b" * 3_200_000 + '"}</script>')
    for head in (script, json_ld):
        page = f"<html><head><title>Head Heavy Story</title>{head}</head><body>" \
               f"{_story('Head Heavy Story')}"
        article = extract_article(page.encode(), "https://a.example/news/heavy")
        assert article.title == "Head Heavy Story" and article.word_count > 150, article


def test_a_page_of_many_flat_elements_is_cut_at_the_element_budget():
    spans = "<span>x</span>" * (MAX_ELEMENTS + 5000)
    page = f"<html><body><article><h1>Flat Page Story</h1>{spans}"
    index = parse_page(page)
    assert len(index.tags) <= MAX_ELEMENTS
    started = time.monotonic()
    with pytest.raises(PageRejected):
        extract_article(page.encode(), "https://a.example/news/flat")
    assert time.monotonic() - started < 30


def test_a_shift_jis_page_under_a_false_label_is_read_right_or_refused():
    title = "新型電気自動車の発表"
    body = "".join(f"<p>第{n}回の試験では、新しい電気自動車が{n * 7}キロを走りました。"
                   f"技術者は{n + 2}件の記録を残しました。</p>" for n in range(60))
    page = (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"{body}</article></body></html>").encode("shift_jis")
    for label in ("text/html; charset=utf-8", "text/html; charset=iso-8859-1"):
        article = extract_article(page, "https://a.example/jp", content_type=label)
        assert article.title == title
        assert "電気自動車" in article.body
    noise = bytes(range(128, 256)) * 400
    garbage = b"<html><body><h1>x</h1><p>" + noise + b"</p></body></html>"
    with pytest.raises(PageRejected) as rejected:
        extract_article(garbage, "https://a.example/g", content_type="text/html; charset=utf-8")
    assert rejected.value.reason.value in ("unparsable", "empty", "too_short")


def test_extract_of_an_endless_file_stops_at_the_page_cap(tmp_path):
    started = time.monotonic()
    done = invoke("extract", "/dev/zero", AUTONEWS_HOME=str(tmp_path))
    _one_line_error(done, 2, "/dev/zero is larger than the 8 MB page cap")
    assert time.monotonic() - started < 20


def test_extract_of_a_trickling_url_stops_at_the_page_time_budget(tmp_path, monkeypatch):
    from autonews.core import crawl_settings

    monkeypatch.setattr(crawl_settings, "PAGE_TIME_BUDGET", 2.0)
    with HostileSite() as site:
        site.routes["/slow"] = lambda h: trickle(h, 20, every=0.5)
        started = time.monotonic()
        done = invoke("extract", f"{site.url}/slow", AUTONEWS_HOME=str(tmp_path))
        took = time.monotonic() - started
    _one_line_error(done, 2, "not done after 2 s (the page time budget)")
    assert took < 10


# ---------------------------------------------------------------- ownership (1)


def test_a_canonical_on_another_sites_host_is_not_trusted():
    page = article_html("Copied Story").replace(
        "<title>", "<link rel='canonical' href='https://victim.example/news/original'><title>")
    own = extract_article(page.encode(), "https://attacker.example/copy",
                          ExtractionRules(domains=("attacker.example",)))
    assert own.canonical_url == "https://attacker.example/copy"
    plain = extract_article(page.encode(), "https://attacker.example/copy")
    assert plain.canonical_url == "https://attacker.example/copy"
    other_port = page.replace("https://victim.example", "http://127.0.0.1:8081")
    assert extract_article(other_port.encode(), "http://127.0.0.1:8080/copy",
                           ExtractionRules(domains=("127.0.0.1",))
                           ).canonical_url == "http://127.0.0.1:8080/copy"
    sibling = page.replace("victim.example", "www.attacker.example")
    assert extract_article(sibling.encode(), "https://attacker.example/copy",
                           ExtractionRules(domains=("attacker.example",))
                           ).canonical_url == "https://www.attacker.example/news/original"


def test_one_source_never_changes_another_sources_article(dsn):
    url = "https://victim.example/news/original"
    mine = Article(url=url, canonical_url=url, title="The Original", body="Victim words.",
                   published_at=datetime(2026, 11, 13, tzinfo=UTC))
    theirs = Article(url="https://attacker.example/copy", canonical_url=url,
                     title="Replaced", body="Attacker words.",
                     published_at=datetime(2026, 11, 13, tzinfo=UTC))
    with psycopg.connect(dsn) as conn:
        staging.stage_articles(conn, "r1", "victim", [staging.staged_row("r1", "victim", mine,
                                                                         None)])
        loader.merge_staged(conn, "r1", "victim")
        staging.stage_articles(conn, "r2", "attacker",
                               [staging.staged_row("r2", "attacker", theirs, None)])
        result = loader.merge_staged(conn, "r2", "attacker")
        row = conn.execute("SELECT source_id, title, body FROM articles").fetchall()
        versions = conn.execute("SELECT count(*) FROM article_versions").fetchone()
    assert row == [("victim", "The Original", "Victim words.")]
    assert (result.inserted, result.updated, result.foreign) == (0, 0, 1)
    assert versions == (0,)


# ---------------------------------------------------------------- search (7)


def test_a_huge_search_query_is_refused_at_once(dsn):
    query = " ".join(f"word{n}" for n in range(500))  # 3.4 KB
    started = time.monotonic()
    with psycopg.connect(dsn) as conn, pytest.raises(SearchRefused, match="characters long"):
        search_articles(conn, query)
    assert time.monotonic() - started < 2
    done = invoke("search", query, AUTONEWS_DSN=dsn)
    _one_line_error(done, 2, "at most 300 are searched for")


# A search that takes forever, as a pathological query on a big table would.
_SLOW_SEARCH = """CREATE OR REPLACE FUNCTION search_articles(
    query text, max_results integer DEFAULT 20, source text DEFAULT NULL,
    published_from timestamptz DEFAULT NULL, published_to timestamptz DEFAULT NULL)
    RETURNS TABLE (url_hash text, source_id text, published_at timestamptz,
                   title text, canonical_url text, rank real, snippet text)
    LANGUAGE sql AS $$ SELECT NULL::text, NULL::text, NULL::timestamptz, NULL::text,
                              NULL::text, NULL::real, NULL::text FROM pg_sleep(60) $$"""


def test_a_search_running_too_long_is_stopped_on_the_server(dsn):
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(_SLOW_SEARCH)
    started = time.monotonic()
    with psycopg.connect(dsn) as conn, pytest.raises(SearchRefused, match="stopped after 1 s"):
        search_articles(conn, "anything", timeout=1)
    assert time.monotonic() - started < 10
    with psycopg.connect(dsn) as conn:
        still = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                             "'%%search_articles(%%' AND state = 'active' "
                             "AND pid <> pg_backend_pid()").fetchone()
    assert still == (0,)


@pytest.mark.e2e  # a client process, killed
def test_a_search_whose_client_is_gone_stops_on_the_server(dsn):
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(_SLOW_SEARCH)
    client = subprocess.Popen([sys.executable, "-c", (
        "import sys, psycopg; from warehouse.search import search_articles; "
        "search_articles(psycopg.connect(sys.argv[1]), 'anything')"), dsn])
    with psycopg.connect(dsn, autocommit=True) as conn:
        deadline = time.monotonic() + 20
        while _searches(conn) == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _searches(conn) == 1
        client.kill()  # the client vanishes without a word
        client.wait()
        deadline = time.monotonic() + 10
        while _searches(conn) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert _searches(conn) == 0


def _searches(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                       "'%%search_articles(%%' AND pid <> pg_backend_pid()").fetchone()
    return int(row[0]) if row else 0
