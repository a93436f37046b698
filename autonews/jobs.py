"""The pipeline's stages as plain functions: crawl, clean, load (the CLI and the DAGs call
these). Each stage is a transaction-like unit recorded in `pipeline_runs`, reads only its
window, and is safe to rerun."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from autonews.sources import Source
from transforms import Article, PageRejected, extract_article, url_hash
from warehouse import loader, runs
from warehouse.connection import connect, data_home, mask_dsn
from warehouse.schema import migrate

log = logging.getLogger(__name__)

ProgressFn = Callable[[dict[str, Any]], None]
CRAWL_FAILURES = ("http_4xx", "http_5xx", "timeout", "too_large", "not_html", "offsite_redirect",
                  "offsite", "private_address", "redirect_loop", "dns_error",
                  "connection_error", "truncated", "error", "bad_document")


STAGES = ("crawl", "clean", "gate", "load")


class StageFailed(RuntimeError):
    """A stage could not do its job; the message says why (and is in `pipeline_runs`)."""


@dataclass(frozen=True)
class Window:
    """A half-open UTC interval [start, end) of publication instants."""

    start: datetime
    end: datetime

    @classmethod
    def for_day(cls, day: date) -> Window:
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return cls(start, start + timedelta(days=1))

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return self.start, self.end

    def contains(self, when: datetime) -> bool:
        return self.start <= when < self.end

    def __str__(self) -> str:
        if self.end - self.start == timedelta(days=1) and self.start.hour == 0:
            return self.start.date().isoformat()
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def new_run_id(trigger: str = "cli") -> str:
    return f"{trigger}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def prepare_warehouse(dsn: str) -> list[str]:
    """Apply pending migrations; returns the names applied."""
    with connect(dsn) as conn:
        return [f"{m.version:04d}_{m.name}" for m in migrate(conn)]


@contextmanager
def _stage(dsn: str, run_id: str, source_id: str, stage: str, window: Window,
           trigger: str) -> Iterator[tuple[psycopg.Connection[Any], dict[str, Any]]]:
    """Record the stage as running; on exit record success with the counts the body
    filled in, or failure with the error (then re-raise)."""
    conn = connect(dsn)
    counts: dict[str, Any] = {}
    try:
        runs.start_stage(conn, run_id, source_id, stage, window.bounds, trigger)
        try:
            yield conn, counts
        except BaseException as exc:
            if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                conn.rollback()
            message = f"{type(exc).__name__}: {exc}" if not isinstance(exc, StageFailed) \
                else str(exc)
            try:
                runs.finish_stage(conn, run_id, source_id, stage, "failed", counts, message)
            except psycopg.Error:
                log.warning("could not record the failure of %s/%s", source_id, stage)
            raise
        runs.finish_stage(conn, run_id, source_id, stage, "success", counts)
    finally:
        conn.close()


# ---------------------------------------------------------------- crawl


def crawl_source(
    dsn: str,
    source: Source,
    window: Window,
    run_id: str,
    *,
    trigger: str = "cli",
    on_progress: ProgressFn | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Discover and fetch `source`'s articles for `window` in a Scrapy subprocess; every
    URL touched lands in `raw_pages`. Fails when the site could not be reached at all."""
    with _stage(dsn, run_id, source.id, "crawl", window, trigger) as (conn, counts), \
            _site_lock(conn, source.id):
        logs = data_home() / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="autonews-crawl-") as tmp:
            source_file = Path(tmp) / "source.json"
            source_file.write_text(json.dumps(source.to_json()))
            stats_file = Path(tmp) / "stats.json"
            log_file = logs / f"crawl-{source.id}-{window}-{run_id}.log"
            command = [sys.executable, "-m", "scrapers.run", "--source-file", str(source_file),
                       "--start", window.start.isoformat(), "--end", window.end.isoformat(),
                       "--run-id", run_id, "--stats-file", str(stats_file),
                       "--log-file", str(log_file), "--progress"]
            env = {**os.environ, "AUTONEWS_DSN": dsn, "PYTHONUNBUFFERED": "1"}
            code = _run_streaming(command, env, on_progress, timeout)
            if code != 0 or not stats_file.exists():
                tail = _tail(log_file)
                raise StageFailed(f"crawl of {source.id} exited with code {code}"
                                  + (f": {tail}" if tail else "") + f" (log: {log_file})")
            stats = json.loads(stats_file.read_text())
        counts.update(summarize_crawl(stats))
        counts["log_file"] = str(log_file)
        discovery = stats.get("discovery", {})
        if discovery and not discovery.get("fetched"):
            reasons = ", ".join(f"{k}={v}" for k, v in sorted(discovery.items()))
            raise StageFailed(f"{source.id}: no sitemap, feed or listing page could be "
                              f"fetched ({reasons}); is the site down?")
    return counts


@contextmanager
def _site_lock(conn: psycopg.Connection[Any], source_id: str) -> Iterator[None]:
    """One crawl per site at a time, across every worker and run (a backfill of many days
    must not multiply the load on a site). A session lock: a killed crawler frees it."""
    key = ("autonews-crawl:" + source_id,)
    conn.execute("SELECT pg_advisory_lock(hashtext(%s))", key)
    conn.commit()
    try:
        yield
    finally:
        conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", key)
        conn.commit()


def summarize_crawl(stats: dict[str, Any]) -> dict[str, Any]:
    """Flat counts of a crawl's stats file, as shown to people and stored in pipeline_runs."""
    articles: Counter[str] = Counter(stats.get("articles", {}))
    counts = stats.get("counts", {})
    return {
        "discovered": counts.get("discovered", 0),
        "in_window": counts.get("in_window", 0),
        "out_of_window": counts.get("out_of_window", 0),
        "undated": counts.get("undated", 0),
        "fetched": articles["fetched"],
        "not_modified": articles["not_modified"] + articles["unchanged"],
        "failed": sum(articles[k] for k in CRAWL_FAILURES),
        "robots_disallowed": articles["robots_disallowed"],
        "over_cap": articles["over_cap"],
        "outcomes": dict(articles),
        "discovery_outcomes": stats.get("discovery", {}),
        "finish_reason": stats.get("finish_reason"),
        "retries": stats.get("scrapy", {}).get("retry/count", 0),
    }


def _run_streaming(command: list[str], env: dict[str, str], on_progress: ProgressFn | None,
                   timeout: float | None) -> int:
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    assert proc.stdout is not None
    deadline = None if timeout is None else datetime.now(UTC) + timedelta(seconds=timeout)
    try:
        for line in proc.stdout:
            if deadline and datetime.now(UTC) > deadline:
                proc.kill()
                raise StageFailed(f"crawl exceeded its {timeout:.0f} s timeout")
            line = line.strip()
            if not line.startswith("{"):
                if line:
                    log.debug("crawl: %s", line)
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if on_progress is not None:
                on_progress(event)
        return proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    errors = [line for line in text if "ERROR" in line or "Traceback" in line] or text
    return mask_dsn(" | ".join(errors[-lines:]))[:600]


# ---------------------------------------------------------------- clean


_PAGES_SQL = """
WITH touched AS (
    SELECT DISTINCT url_hash FROM raw_pages
     WHERE source_id = %(source)s AND kind = 'article'
       AND ((listed_at >= %(start)s AND listed_at < %(end)s) OR run_id = %(run)s))
SELECT DISTINCT ON (r.url_hash)
       r.raw_page_id, r.url, r.final_url, r.body, r.content_type, r.listed_at,
       r.discovered_via
  FROM raw_pages r JOIN touched t USING (url_hash)
 WHERE r.source_id = %(source)s AND r.kind = 'article' AND r.outcome = 'fetched'
   AND r.body IS NOT NULL
 ORDER BY r.url_hash, r.fetched_at DESC
"""


def clean_source(
    dsn: str, source: Source, window: Window, run_id: str, *, trigger: str = "cli"
) -> dict[str, Any]:
    """Extract an `Article` from the latest stored copy of every page the window's crawls
    touched; stage the articles for loading and record rejects with their reason."""
    rules = source.rules()
    with _stage(dsn, run_id, source.id, "clean", window, trigger) as (conn, counts):
        rows = conn.execute(_PAGES_SQL, {"source": source.id, "start": window.start,
                                         "end": window.end, "run": run_id}).fetchall()
        conn.commit()
        staged: dict[str, tuple[Any, ...]] = {}
        texts: set[str] = set()
        rejects: list[tuple[Any, ...]] = []
        tally: Counter[str] = Counter(pages=len(rows))
        for raw_page_id, url, final_url, body, content_type, listed_at, via in rows:
            try:
                article = extract_article(bytes(body), final_url or url, rules,
                                          content_type=content_type)
            except PageRejected as rejected:
                tally[f"rejected_{rejected.reason.value}"] += 1
                rejects.append((raw_page_id, run_id, source.id, url, rejected.reason.value,
                                rejected.detail))
                continue
            article = _date_checked(article, window, listed_at, via, tally)
            key = url_hash(article.canonical_url)
            text_key = hashlib.sha256(f"{article.title}\n{article.body}".encode()).hexdigest()
            if key in staged:
                tally["duplicates"] += 1  # another URL of the same canonical article
                continue
            if text_key in texts:
                tally["duplicate_content"] += 1  # the same story under another URL
                continue
            texts.add(text_key)
            staged[key] = loader.staged_row(run_id, source.id, article, raw_page_id)
        tally["articles"] = loader.stage_articles(conn, run_id, source.id, staged.values())
        _record_rejects(conn, rejects, [row[-1] for row in staged.values()])
        tally["rejected"] = len(rejects)
        counts.update(tally)
    return counts


def _date_checked(article: Article, window: Window, listed_at: datetime | None,
                  via: str | None, tally: Counter[str]) -> Article:
    """Count (never hide) a page whose own date disagrees with discovery; give an undated
    page the date discovery found, saying so in `date_source`."""
    if article.published_at is None:
        tally["undated_pages"] += 1
        if listed_at is not None:
            return dataclasses.replace(article, published_at=listed_at,
                                       date_source=f"discovery:{via or 'unknown'}")
        return article
    if not window.contains(article.published_at):
        tally["date_mismatch"] += 1
    return article


def _record_rejects(conn: psycopg.Connection[Any], rejects: list[tuple[Any, ...]],
                    cleaned_raw_ids: list[int | None]) -> None:
    from transforms import EXTRACTOR_VERSION

    with conn.transaction():
        if rejects:
            with conn.cursor() as cur:
                cur.executemany(
                    """INSERT INTO rejected_pages (raw_page_id, run_id, source_id, url, reason,
                                                   detail, extractor_version)
                       VALUES (%s, %s, %s, %s, %s, %s, %s)
                       ON CONFLICT (raw_page_id) DO UPDATE
                          SET run_id = EXCLUDED.run_id, reason = EXCLUDED.reason,
                              detail = EXCLUDED.detail,
                              extractor_version = EXCLUDED.extractor_version,
                              rejected_at = now()""",
                    [(*r, EXTRACTOR_VERSION) for r in rejects],
                )
        ids = [i for i in cleaned_raw_ids if i is not None]
        if ids:  # pages an improved cleaner now reads are no longer rejects
            conn.execute("DELETE FROM rejected_pages WHERE raw_page_id = ANY(%s)", (ids,))


# ---------------------------------------------------------------- gate


_HISTORY_SQL = """
SELECT count(a.url_hash)
  FROM generate_series(%(start)s - make_interval(days => %(days)s),
                       %(start)s - interval '1 day', interval '1 day') AS d(day)
  LEFT JOIN articles a ON a.source_id = %(source)s
                      AND a.published_at >= d.day AND a.published_at < d.day + interval '1 day'
 GROUP BY d.day ORDER BY d.day
"""


def gate_source(
    dsn: str, source_id: str, window: Window, run_id: str, *, trigger: str = "cli"
) -> dict[str, Any]:
    """The quality gate between clean and load. A failing day raises `StageFailed` and its
    staged articles are discarded: nothing of it reaches analysts."""
    from autonews import quality

    limits = quality.load_thresholds(source_id)
    with _stage(dsn, run_id, source_id, "gate", window, trigger) as (conn, counts):
        clean = runs.stage_counts(conn, run_id, source_id, "clean")
        if clean is None:
            raise StageFailed(f"{source_id}: no clean stage recorded for run {run_id}")
        history = [int(r[0]) for r in conn.execute(
            _HISTORY_SQL, {"start": window.start, "days": limits.history_days,
                           "source": source_id}).fetchall()]
        conn.commit()
        checks = quality.evaluate(clean, history, limits)
        counts["checks"] = [c.as_dict() for c in checks]
        failed = [c for c in checks if not c.passed]
        counts["passed"] = not failed
        if failed:
            with conn.transaction():
                conn.execute("DELETE FROM staged_articles WHERE run_id = %s AND source_id = %s",
                             (run_id, source_id))
            raise StageFailed(f"quality gate failed for {source_id}: " + "; ".join(
                f"{c.name} {c.value:.2f} > {c.limit:g} ({c.detail})" if c.name != "zero_articles"
                else f"zero_articles ({c.detail})" for c in failed))
    return counts


# ---------------------------------------------------------------- load


def load_source(
    dsn: str, source_id: str, window: Window, run_id: str, *, trigger: str = "cli"
) -> dict[str, Any]:
    """Merge the staged articles of (run, source) into `articles` in one transaction."""
    with _stage(dsn, run_id, source_id, "load", window, trigger) as (conn, counts):
        counts.update(loader.merge_staged(conn, run_id, source_id).as_dict())
    return counts


def reclean_source(
    dsn: str, source: Source, window: Window, run_id: str, *, trigger: str = "cli"
) -> dict[str, Any]:
    """Re-extract the stored raw pages of `window` with the current cleaner and reload them,
    without crawling: how an improved cleaner reaches the whole history. Returns the clean
    and load counts; `updated` is the number of articles that changed."""
    clean = clean_source(dsn, source, window, run_id, trigger=trigger)
    load = load_source(dsn, source.id, window, run_id, trigger=trigger)
    return {"pages": clean.get("pages", 0), "rejected": clean.get("rejected", 0),
            "articles": clean.get("articles", 0), **load, "changed": load.get("updated", 0)}


def days_between(first: date, last: date) -> list[date]:
    """Every day from `first` to `last`, both included."""
    if last < first:
        raise ValueError(f"the range is backwards: {first} is after {last}")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def skip_stage(dsn: str, source_id: str, window: Window, run_id: str, stage: str,
               reason: str, trigger: str = "cli") -> None:
    with connect(dsn) as conn:
        runs.start_stage(conn, run_id, source_id, stage, window.bounds, trigger)
        runs.finish_stage(conn, run_id, source_id, stage, "skipped", {}, reason)


# ---------------------------------------------------------------- a whole day


@dataclass
class SourceResult:
    source_id: str
    crawl: dict[str, Any]
    clean: dict[str, Any]
    load: dict[str, Any]
    gate: dict[str, Any] = dataclasses.field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> dict[str, Any]:
        return {
            "source": self.source_id,
            "discovered": self.crawl.get("in_window", 0),
            "fetched": self.crawl.get("fetched", 0),
            "not_modified": self.crawl.get("not_modified", 0),
            "failed": self.crawl.get("failed", 0),
            "inserted": self.load.get("inserted", 0),
            "updated": self.load.get("updated", 0),
            "unchanged": self.load.get("unchanged", 0),
            "rejected": self.clean.get("rejected", 0),
            "error": self.error,
        }


def run_source(dsn: str, source: Source, window: Window, run_id: str, *, trigger: str = "cli",
               on_progress: ProgressFn | None = None) -> SourceResult:
    """crawl -> clean -> gate -> load for one source; a failed stage skips the later ones."""
    result = SourceResult(source.id, {}, {}, {})
    stage = "crawl"
    try:
        result.crawl = crawl_source(dsn, source, window, run_id, trigger=trigger,
                                    on_progress=on_progress)
        stage = "clean"
        result.clean = clean_source(dsn, source, window, run_id, trigger=trigger)
        stage = "gate"
        result.gate = gate_source(dsn, source.id, window, run_id, trigger=trigger)
        stage = "load"
        result.load = load_source(dsn, source.id, window, run_id, trigger=trigger)
    except (StageFailed, psycopg.Error, OSError) as exc:
        result.error = f"{stage}: {mask_dsn(str(exc))}"
        later = STAGES[STAGES.index(stage) + 1:]
        for skipped in later:
            try:
                skip_stage(dsn, source.id, window, run_id, skipped,
                           f"{stage} failed", trigger)
            except psycopg.Error:
                pass
    return result
