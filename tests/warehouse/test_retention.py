"""prune-raw drops old raw HTML and nothing else: no row deleted, articles untouched."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest

from autonews.core import BadInput
from warehouse.retention import parse_age, prune_raw

OLD_RUN = "fixture-2026-11-11"


def _snapshot(conn: psycopg.Connection) -> dict[str, list]:
    return {
        "articles": conn.execute("SELECT * FROM articles ORDER BY url_hash").fetchall(),
        "versions": conn.execute("SELECT * FROM article_versions ORDER BY 1, 2").fetchall(),
        "rejects": conn.execute("SELECT * FROM rejected_pages ORDER BY 1").fetchall(),
        "raw_rows": conn.execute("SELECT raw_page_id, url, outcome, body_bytes, content_hash "
                                 "FROM raw_pages ORDER BY 1").fetchall(),
    }


def test_prune_clears_only_old_html_and_keeps_every_row_and_article(loaded_copy):
    with psycopg.connect(loaded_copy) as conn:
        # make one day's fetches 100 days old
        conn.execute("UPDATE raw_pages SET fetched_at = fetched_at - interval '100 days' "
                     "WHERE run_id = %s", (OLD_RUN,))
        conn.commit()
        old = conn.execute("SELECT count(*), sum(body_bytes) FROM raw_pages WHERE run_id = %s "
                           "AND body IS NOT NULL", (OLD_RUN,)).fetchone()
        recent = conn.execute("SELECT count(*) FROM raw_pages WHERE run_id <> %s "
                              "AND body IS NOT NULL", (OLD_RUN,)).fetchone()
        before = _snapshot(conn)
        verdicts = _verdicts(conn)

        dry = prune_raw(conn, timedelta(days=90), dry_run=True)
        assert (dry.pages, dry.bytes, dry.dry_run) == (old[0], old[1], True)
        assert conn.execute("SELECT count(*) FROM raw_pages WHERE body IS NOT NULL"
                            ).fetchone() == (old[0] + recent[0],)

        done = prune_raw(conn, timedelta(days=90))
        again = prune_raw(conn, timedelta(days=90))
        after = _snapshot(conn)
        left_old = conn.execute("SELECT count(*) FROM raw_pages WHERE run_id = %s "
                                "AND body IS NOT NULL", (OLD_RUN,)).fetchone()
        left_recent = conn.execute("SELECT count(*) FROM raw_pages WHERE run_id <> %s "
                                   "AND body IS NOT NULL", (OLD_RUN,)).fetchone()
    assert old[0] > 0
    assert (done.pages, done.bytes) == (old[0], old[1]) and again.pages == 0
    assert left_old == (0,) and left_recent == recent
    assert after == before
    # the clean verdicts of the cleared copies went with them, the others stayed
    assert verdicts["old"] == old[0] and verdicts["recent"] > 0
    assert done.verdicts == old[0] and again.verdicts == 0
    with psycopg.connect(loaded_copy) as conn:
        assert _verdicts(conn) == {"old": 0, "recent": verdicts["recent"]}


def _verdicts(conn: psycopg.Connection) -> dict[str, int]:
    rows = conn.execute(
        """SELECT r.run_id = %s, count(DISTINCT (v.source_id, v.url_hash))
             FROM clean_verdicts v JOIN raw_pages r
               ON r.url_hash = v.url_hash AND r.content_hash = v.content_hash
            GROUP BY 1""", (OLD_RUN,)).fetchall()
    counts = {"old" if is_old else "recent": n for is_old, n in rows}
    return {"old": counts.get("old", 0), "recent": counts.get("recent", 0)}


def test_a_non_positive_age_is_refused(loaded_dsn):
    with psycopg.connect(loaded_dsn) as conn, pytest.raises(ValueError):
        prune_raw(conn, timedelta(0))


@pytest.mark.parametrize(("text", "age"), [
    ("90d", timedelta(days=90)), ("12w", timedelta(weeks=12)), (" 7D ", timedelta(days=7)),
    ("1d", timedelta(days=1)), ("365d", timedelta(days=365)),
])
def test_ages_in_days_or_weeks(text, age):
    assert parse_age(text) == age


@pytest.mark.parametrize("text", ["", "90", "abc", "90m", "-5d", "1.5d", "d90", "90 days",
                                  "12w3d", "999999d"])
def test_garbage_ages_are_refused(text):
    with pytest.raises(BadInput, match="is not an age: use a number of days or weeks"):
        parse_age(text)


def test_an_age_below_one_day_is_refused():
    with pytest.raises(BadInput, match="too recent"):
        parse_age("0d")
