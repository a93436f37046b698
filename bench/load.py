"""Load benchmark: COPY + merge against row-by-row inserts, articles per second, one run.

Usage (from the repository root):

    .venv/bin/python bench/load.py                      # local PostgreSQL, 20,000 articles
    .venv/bin/python bench/load.py --embedded           # an embedded PostgreSQL (pgserver)
    .venv/bin/python bench/load.py --dsn postgresql://user@host/db --articles 50000 --json

It creates its own database on the server (and drops it at the end), migrates it, generates
articles with realistic bodies (2-8 KB of varied English built from the demo site's
sentences, numbers and names changed), and times each way of loading them into an empty
`articles` table. Figures are medians of `--repeat` runs; compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autonews.demo import catalog  # noqa: E402
from transforms import Article  # noqa: E402
from warehouse import loader, search, staging  # noqa: E402
from warehouse.connection import temporary_server  # noqa: E402
from warehouse.schema import migrate  # noqa: E402

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/test"
AUTHORS = ("Ana Ruiz", "Tom Becker", "Priya Shah", "Lena Vogt", "Sam O'Neill", "Kenji Mori",
           "Chloé Martin", "Ben Adeyemi")
TAGS = ("EV", "Batteries", "Recalls", "Sales", "Motorsport", "Policy", "Reviews", "Trucks",
        "Charging", "Autonomy", "Used cars", "Suppliers")
MAKES = ("Aldren", "Corvane", "Halvorsen", "Novaro", "Tarrant", "Stellmark", "Vireo", "Kessler",
         "Brannock", "Leapmotor", "Avanti", "Waypoint")


# ---------------------------------------------------------------- data


def _sentences() -> list[str]:
    text = " ".join(a.body_text.replace("\n", " ") for a in catalog.articles())
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 30]


def _vary(sentence: str, rng: random.Random) -> str:
    """The sentence with its numbers and one capitalised name changed."""
    sentence = re.sub(r"\d+", lambda m: str(rng.randint(1, 10 ** len(m.group()))), sentence)
    names = re.findall(r"\b[A-Z][a-z]{3,}\b", sentence)
    if names:
        model = f"{rng.choice(MAKES)} {rng.choice('ABCEKSTXZ')}{rng.randint(1, 999)}"
        sentence = sentence.replace(rng.choice(names), model, 1)
    return sentence


def make_articles(count: int, seed: int = 20261113) -> list[Article]:
    """`count` distinct articles with 2-8 KB bodies, the same for the same seed."""
    rng = random.Random(seed)
    pool = _sentences()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    articles = []
    for n in range(count):
        target = rng.randint(2048, 8192)
        paragraphs: list[str] = []
        size = 0
        while size < target:
            paragraph = " ".join(_vary(rng.choice(pool), rng) for _ in range(rng.randint(2, 5)))
            paragraphs.append(paragraph)
            size += len(paragraph) + 2
        body = "\n\n".join(paragraphs)[:target].rsplit(" ", 1)[0] + "."
        title = _vary(rng.choice(pool), rng).split(",")[0][:110].rstrip(".")
        articles.append(Article(
            url=f"https://bench.example/news/{n}-{rng.getrandbits(32):08x}?utm_source=feed",
            canonical_url=f"https://bench.example/news/{n}",
            title=title, body=body, description=_vary(rng.choice(pool), rng),
            authors=rng.sample(AUTHORS, rng.randint(1, 2)),
            tags=rng.sample(TAGS, rng.randint(1, 4)),
            published_at=start + timedelta(seconds=37 * n), language="en",
            section=rng.choice(("News", "Industry", "Reviews")), site_name="Bench Motors",
            word_count=len(body.split()), reading_time_minutes=max(1, len(body.split()) // 230),
        ))
    return articles


def staged_rows(articles: list[Article], run_id: str) -> list[tuple[Any, ...]]:
    return [staging.staged_row(run_id, "bench", a, None) for a in articles]


def article_rows(articles: list[Article]) -> list[tuple[Any, ...]]:
    """Rows in `staging.ARTICLE_COLUMNS` order, for the row-by-row inserts."""
    index = [staging.STAGED_COLUMNS.index(c) for c in staging.ARTICLE_COLUMNS]
    return [tuple(row[i] for i in index) for row in staged_rows(articles, "rowwise")]


# ---------------------------------------------------------------- database


@contextmanager
def server(dsn: str | None, embedded: bool) -> Iterator[str]:
    """An admin DSN: the given server's, or a temporary embedded PostgreSQL's."""
    if not embedded:
        yield dsn or DEFAULT_DSN
        return
    with temporary_server("autonews-bench-pg-") as uri:
        yield uri


@contextmanager
def bench_database(admin_dsn: str) -> Iterator[str]:
    """A new, migrated database on `admin_dsn`'s server, dropped afterwards."""
    name = f"autonews_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = psycopg.conninfo.make_conninfo(admin_dsn, dbname=name)
    try:
        with psycopg.connect(dsn) as conn:
            migrate(conn)
        yield dsn
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                         .format(sql.Identifier(name)))


def empty_tables(conn: psycopg.Connection[Any]) -> None:
    conn.execute("TRUNCATE articles, article_versions, staged_articles CASCADE")  # + enrichment
    conn.commit()
    try:  # every run starts without dirty pages left by the previous one
        conn.execute("CHECKPOINT")
    except psycopg.errors.InsufficientPrivilege:
        pass  # CHECKPOINT needs superuser or pg_checkpoint: runs are a little noisier
    conn.rollback()


def use_generated_vector(conn: psycopg.Connection[Any]) -> None:
    """Turn `search_vector` into a generated column: the vector computed inside the merge."""
    with conn.transaction():
        conn.execute("DROP FUNCTION search_articles")
        conn.execute("DROP VIEW searchable_articles")
        conn.execute("ALTER TABLE articles DROP COLUMN search_vector")
        conn.execute("ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS "
                     "AS (article_search_vector(language, title, description, body)) STORED")
        conn.execute("CREATE INDEX articles_search_idx ON articles USING gin (search_vector)")


# ---------------------------------------------------------------- ways of loading


def copy_merge(conn: psycopg.Connection[Any], rows: list[tuple[Any, ...]], run_id: str,
               index_search: bool) -> dict[str, float]:
    """`staging.stage_articles` (COPY) then `loader.merge_staged`; seconds per step."""
    started = time.perf_counter()
    staging.stage_articles(conn, run_id, "bench", rows)
    staged = time.perf_counter()
    loader.merge_staged(conn, run_id, "bench", index_search=False)
    merged = time.perf_counter()
    if index_search:
        search.index_pending(conn)
    done = time.perf_counter()
    return {"copy": staged - started, "merge": merged - staged, "index": done - merged}


def _upsert_sql() -> sql.Composed:
    columns = staging.ARTICLE_COLUMNS
    return sql.SQL(
        "INSERT INTO articles ({}) VALUES ({}) ON CONFLICT (url_hash) DO UPDATE SET {}, "
        "last_changed_at = now() WHERE articles.content_hash IS DISTINCT FROM "
        "EXCLUDED.content_hash"
    ).format(sql.SQL(", ").join(map(sql.Identifier, columns)),
             sql.SQL(", ").join(sql.Placeholder() * len(columns)),
             sql.SQL(", ").join(sql.SQL("{c} = EXCLUDED.{c}").format(c=sql.Identifier(c))
                                for c in loader.UPDATED_COLUMNS))


def rowwise_executemany(conn: psycopg.Connection[Any], rows: list[tuple[Any, ...]]) -> float:
    """One `cursor.executemany` of a per-row upsert, in one transaction (psycopg 3 sends it
    pipelined, without waiting for each row's reply)."""
    started = time.perf_counter()
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(_upsert_sql(), rows)
    return time.perf_counter() - started


def rowwise_execute(conn: psycopg.Connection[Any], rows: list[tuple[Any, ...]]) -> float:
    """One `cursor.execute` per row (a round trip each), in one transaction."""
    query = _upsert_sql()
    started = time.perf_counter()
    with conn.transaction(), conn.cursor() as cur:
        for row in rows:
            cur.execute(query, row)
    return time.perf_counter() - started


# ---------------------------------------------------------------- the run


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def measure(admin_dsn: str, count: int, rowwise: int, repeat: int,
            log: Callable[[str], None]) -> dict[str, Any]:
    log(f"generating {count} articles ...")
    articles = make_articles(count)
    bodies = [len(a.body.encode()) for a in articles]
    rows = staged_rows(articles, "bench-1")
    rerun_rows = staged_rows(articles, "bench-2")
    changed = [dataclasses.replace(a, body=a.body + " Updated.") for a in articles]
    changed_rows = staged_rows(changed, "bench-3")
    few = article_rows(articles[:rowwise])
    results: dict[str, Any] = {
        "articles": count, "rowwise_articles": rowwise, "repeat": repeat,
        "body_bytes": {"min": min(bodies), "median": int(statistics.median(bodies)),
                       "max": max(bodies)},
    }
    with bench_database(admin_dsn) as dsn, psycopg.connect(dsn) as conn:
        results["server"] = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        compression = conn.execute(
            "SELECT attcompression FROM pg_attribute WHERE attrelid = 'articles'::regclass "
            "AND attname = 'body'").fetchone()[0]  # type: ignore[index]
        results["toast_compression"] = {"l": "lz4", "p": "pglz"}.get(compression,
                                                                      "pglz (default)")
        log(f"PostgreSQL {results['server']}, body compression {results['toast_compression']}")

        first, again, updates = [], [], []
        for n in range(repeat):
            empty_tables(conn)
            first.append(copy_merge(conn, rows, "bench-1", index_search=True))
            again.append(copy_merge(conn, rerun_rows, "bench-2", index_search=False))
            updates.append(copy_merge(conn, changed_rows, "bench-3", index_search=False))
            log(f"copy+merge run {n + 1}/{repeat}: new {first[-1]}, same {again[-1]}, "
                f"changed {updates[-1]}")
        many, single = [], []
        for n in range(repeat):
            empty_tables(conn)
            many.append({"t": rowwise_executemany(conn, few)})
            empty_tables(conn)
            single.append({"t": rowwise_execute(conn, few)})
            log(f"row-by-row run {n + 1}/{repeat}: executemany {many[-1]['t']:.2f} s, "
                f"execute {single[-1]['t']:.2f} s")
        empty_tables(conn)
        use_generated_vector(conn)
        empty_tables(conn)
        generated = copy_merge(conn, rows, "bench-1", index_search=False)
        log(f"copy+merge with a generated search vector: {generated}")

    def rate(seconds: float, n: int = count) -> int:
        return round(n / seconds)

    copy_s, merge_s, index_s = (_median(first, k) for k in ("copy", "merge", "index"))
    results["rates"] = {
        "copy_merge": rate(copy_s + merge_s),
        "copy_only": rate(copy_s),
        "merge_only": rate(merge_s),
        "search_index_step": rate(index_s),
        "copy_merge_then_index": rate(copy_s + merge_s + index_s),
        "copy_merge_generated_vector": rate(generated["copy"] + generated["merge"]),
        "rerun_unchanged": rate(_median(again, "copy") + _median(again, "merge")),
        "rerun_all_changed": rate(_median(updates, "copy") + _median(updates, "merge")),
        "rowwise_executemany": rate(_median(many, "t"), rowwise),
        "rowwise_execute": rate(_median(single, "t"), rowwise),
    }
    rates = results["rates"]
    results["ratios"] = {
        "copy_merge_vs_executemany": round(rates["copy_merge"] / rates["rowwise_executemany"], 1),
        "copy_merge_vs_execute": round(rates["copy_merge"] / rates["rowwise_execute"], 1),
        "deferred_vs_generated_vector": round(
            rates["copy_merge"] / rates["copy_merge_generated_vector"], 1),
    }
    return results


def _print_table(results: dict[str, Any]) -> None:
    print(f"PostgreSQL {results['server']}, body compression {results['toast_compression']}, "
          f"{results['articles']} articles (row-by-row: {results['rowwise_articles']}), bodies "
          f"{results['body_bytes']['min']}-{results['body_bytes']['max']} bytes (median "
          f"{results['body_bytes']['median']}), median of {results['repeat']} runs")
    for name, value in results["rates"].items():
        print(f"  {name:32} {value:>9,} articles/s")
    for name, value in results["ratios"].items():
        print(f"  {name:32} {value:>9}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", help=f"a PostgreSQL server to create the bench database on "
                        f"(default {DEFAULT_DSN})")
    parser.add_argument("--embedded", action="store_true", help="use a temporary embedded "
                        "PostgreSQL (pgserver) instead")
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--rowwise", type=int, default=None,
                        help="articles for the row-by-row variants (default: --articles)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--save", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args(argv)
    args.rowwise = args.articles if args.rowwise is None else args.rowwise
    if args.articles < 1 or not 1 <= args.rowwise <= args.articles or args.repeat < 1:
        parser.error("need --articles >= --rowwise >= 1 and --repeat >= 1")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    with server(args.dsn, args.embedded) as admin:
        results = measure(admin, args.articles, args.rowwise, args.repeat, log)
    results["command"] = " ".join(["bench/load.py", *(argv if argv is not None else sys.argv[1:])])
    if args.save:
        args.save.write_text(json.dumps(results, indent=2) + "\n")
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        _print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
