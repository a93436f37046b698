"""A synthetic warehouse for the report: 13 sources over four weeks, written through the
loader (articles) and `warehouse.runs` (pipeline_runs), with a site that is down and a day
the quality gate stops on the report day. Titles and URLs are made up here."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg

from autonews.core import Outcome, Stage, Status, Window
from transforms import Article, url_hash
from warehouse import loader, runs, staging
from warehouse.raw_pages import RawPageStore

SOURCES = ("electrek", "insideevs", "motor1", "carscoops", "autoblog", "caranddriver",
           "thedrive", "autocar", "autoevolution", "electrive", "greencarreports", "paultan",
           "just_auto")
DOWN = "thedrive"  # refuses every connection on the report day
BROKEN = "motor1"  # its pages come out empty on the report day: the gate stops it
ABSENT = "just_auto"  # no run at all on the report day
GAP = ("autocar", 5)  # no run (so no articles) 5 days before the report day: an anomaly
SECTIONS = ("News", "Electric", "Reviews", "Industry", "Motorsport", "Policy", "Classic")
SUBJECTS = ("battery plant", "charging network", "recall", "crossover launch", "tariff",
            "rally result", "sales figures", "software update", "factory shift", "price cut")


@dataclass(frozen=True)
class SyntheticDay:
    day: date
    days_loaded: int
    articles_on_day: int
    sources: tuple[str, ...] = SOURCES
    down: str = DOWN
    broken: str = BROKEN
    absent: str = ABSENT




def _article(source: str, day: date, n: int, rng: random.Random) -> Article:
    subject = rng.choice(SUBJECTS)
    slug = f"{day:%Y%m%d}-{n:03d}-{subject.replace(' ', '-')}"
    url = f"https://www.{source.replace('_', '-')}.example/news/{slug}"
    words = 200 + rng.randrange(900)
    body = " ".join(["Synthetic report test text."] * (words // 4))
    return Article(url=url, canonical_url=url, title=f"{source} story {n} on the {subject}",
                   body=body, published_at=datetime(day.year, day.month, day.day, 6, tzinfo=UTC)
                   + timedelta(minutes=17 * n), language="de" if source == "electrive" else "en",
                   section=rng.choice(SECTIONS), site_name=source, word_count=words,
                   date_source="jsonld")


def _stage(conn: psycopg.Connection[Any], run_id: str, source: str, stage: Stage, day: date,
           status: Status, counts: dict[str, Any], error: str | None = None) -> None:
    runs.start_stage(conn, run_id, source, stage, Window.for_day(day), "airflow")
    runs.finish_stage(conn, run_id, source, stage, status, counts, error)


def _ok_day(conn: psycopg.Connection[Any], run_id: str, source: str, day: date,
            articles: list[Article]) -> int:
    n = len(articles)
    _stage(conn, run_id, source, Stage.CRAWL, day, Status.SUCCESS, {
        "listed": n + 3, "in_window": n + 1, "fetched": n + 1, "not_modified": 0,
        "failed": 0, "outcomes": {"fetched": n + 1}, "discovery_outcomes": {"fetched": 3}})
    _stage(conn, run_id, source, Stage.CLEAN, day, Status.SUCCESS,
           {"pages": n + 1, "articles": n, "rejected": 1, "rejected_gallery": 1})
    _stage(conn, run_id, source, Stage.GATE, day, Status.SUCCESS, {"passed": True, "checks": [
        {"check": "zero_articles", "value": n, "limit": 3, "passed": True,
         "detail": f"{n} articles today"}]})
    staged = [staging.staged_row(run_id, source, a, None) for a in articles]
    staging.stage_articles(conn, run_id, source, staged)
    counts = loader.merge_staged(conn, run_id, source, index_search=False)
    _stage(conn, run_id, source, Stage.LOAD, day, Status.SUCCESS, counts.to_counts())
    return counts.inserted


def load_synthetic(dsn: str, day: date, *, days: int = 28, per_day: int = 20,
                   seed: int = 15) -> SyntheticDay:
    """Fill the warehouse at `dsn` with `days` days up to `day` for 13 sources; on `day`,
    DOWN's crawl fails (the site refuses connections), BROKEN's gate fails and ABSENT does
    not run; GAP's source has no run 5 days before."""
    rng = random.Random(seed)
    on_day = 0
    with psycopg.connect(dsn) as conn:
        for offset in range(days - 1, -1, -1):
            current = day - timedelta(days=offset)
            run_id = f"scheduled__{current.isoformat()}"
            for source in SOURCES:
                count = max(1, per_day + rng.randrange(-per_day // 2, per_day // 2 + 1))
                if (current == day and source == ABSENT) or (
                        (source, offset) == GAP):
                    continue
                if current == day and source == DOWN:
                    _down(dsn, conn, run_id, source, day)
                    continue
                if current == day and source == BROKEN:
                    _broken(conn, run_id, source, day, count)
                    continue
                articles = [_article(source, current, n, rng) for n in range(count)]
                inserted = _ok_day(conn, run_id, source, current, articles)
                if current == day:
                    on_day += inserted
    return SyntheticDay(day, days, on_day)


def _down(dsn: str, conn: psycopg.Connection[Any], run_id: str, source: str, day: date) -> None:
    host = f"https://www.{source}.example"
    store = RawPageStore(dsn)
    try:
        for path, kind in (("/sitemap.xml", "sitemap"), ("/news-sitemap.xml", "news_sitemap"),
                           ("/feed/", "feed")):
            store.add({"run_id": run_id, "source_id": source, "url": host + path,
                       "url_hash": url_hash(host + path), "kind": kind,
                       "outcome": Outcome.CONNECTION_ERROR,
                       "fetched_at": Window.for_day(day).end,
                       "error": "ConnectionRefusedError: Connection was refused by other side"})
    finally:
        store.close()
    _stage(conn, run_id, source, Stage.CRAWL, day, Status.FAILED, {
        "listed": 0, "in_window": 0, "fetched": 0, "failed": 0,
        "discovery_outcomes": {"connection_error": 3}},
        f"{source}: no sitemap, feed or listing page could be fetched (connection_error=3); "
        "is the site down?")
    for stage in (Stage.CLEAN, Stage.GATE, Stage.LOAD):
        _stage(conn, run_id, source, stage, day, Status.SKIPPED, {}, "crawl failed")


def _broken(conn: psycopg.Connection[Any], run_id: str, source: str, day: date,
            pages: int) -> None:
    _stage(conn, run_id, source, Stage.CRAWL, day, Status.SUCCESS, {
        "listed": pages, "in_window": pages, "fetched": pages, "failed": 0})
    _stage(conn, run_id, source, Stage.CLEAN, day, Status.SUCCESS, {
        "pages": pages, "articles": 0, "rejected": pages, "rejected_empty": pages})
    checks = [
        {"check": "zero_articles", "value": 0, "limit": 3, "passed": False,
         "detail": "0 articles today; median 20/day over 14 days"},
        {"check": "empty_share", "value": 1.0, "limit": 0.5, "passed": False,
         "detail": f"{pages} of {pages} pages empty or too short"}]
    _stage(conn, run_id, source, Stage.GATE, day, Status.FAILED,
           {"passed": False, "checks": checks},
           f"quality gate failed for {source}: zero_articles; empty_share")
    _stage(conn, run_id, source, Stage.LOAD, day, Status.SKIPPED, {}, "gate failed")
