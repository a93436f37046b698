"""Exports round-trip: CSV, JSON Lines and Parquet hold exactly the range's articles, streamed
through a server-side cursor."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import psycopg
import pyarrow.parquet as pq
import pytest

from autonews.core import BadInput, Window
from autonews.demo import catalog
from tests.demo_warehouse import LOADED_DAYS
from warehouse.export import COLUMNS, export_articles

ALL_DAYS = Window.days(LOADED_DAYS[0], LOADED_DAYS[-1])
EXPECTED = sum(len(catalog.published_on(d)) for d in LOADED_DAYS)


def _database_rows(dsn: str) -> dict[str, dict]:
    with psycopg.connect(dsn) as conn:
        cursor = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM articles")  # noqa: S608
        names = [c.name for c in cursor.description]
        return {r[0]: dict(zip(names, r, strict=True)) for r in cursor.fetchall()}


def _export(dsn: str, fmt: str, days: Window = ALL_DAYS, **kwargs) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    with psycopg.connect(dsn) as conn:
        count = export_articles(conn, days, fmt, buffer, **kwargs)
    return buffer.getvalue(), count


def test_parquet_reads_back_with_pyarrow_as_the_same_typed_rows(loaded_dsn):
    data, count = _export(loaded_dsn, "parquet", batch_rows=5)
    table = pq.read_table(io.BytesIO(data))
    assert count == table.num_rows == EXPECTED
    assert table.column_names == list(COLUMNS)
    assert str(table.schema.field("published_at").type) == "timestamp[us, tz=UTC]"
    assert str(table.schema.field("authors").type) == "list<element: string>"
    stored = _database_rows(loaded_dsn)
    for row in table.to_pylist():  # aware datetimes compare as instants
        assert row == stored[row["url_hash"]]
        assert row["published_at"].utcoffset().total_seconds() == 0
    published = table.column("published_at").to_pylist()
    assert published == sorted(published)


def test_csv_has_a_header_and_one_row_per_article(loaded_dsn):
    data, count = _export(loaded_dsn, "csv")
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert count == len(rows) == EXPECTED
    assert list(rows[0]) == list(COLUMNS)
    stored = _database_rows(loaded_dsn)
    for row in rows:
        expected = stored[row["url_hash"]]
        assert row["body"] == expected["body"]
        assert json.loads(row["authors"]) == expected["authors"]
        assert row["is_paywalled"] in ("true", "false")
        assert row["published_at"].endswith("+00:00")


def test_jsonl_one_object_per_line_in_batches(loaded_dsn):
    data, count = _export(loaded_dsn, "jsonl", batch_rows=2, source_id="motorwire")
    lines = [json.loads(line) for line in data.decode().splitlines()]
    motorwire = sum(len(catalog.published_on(d, "motorwire")) for d in LOADED_DAYS)
    assert count == len(lines) == motorwire
    assert {line["source_id"] for line in lines} == {"motorwire"}
    assert all(isinstance(line["tags"], list) for line in lines)


def test_the_export_streams_through_a_server_side_cursor(loaded_dsn):
    seen: list[list[str]] = []
    with psycopg.connect(loaded_dsn) as conn, psycopg.connect(loaded_dsn) as watcher:
        def on_batch(rows: int) -> None:
            seen.append([r[0] for r in watcher.execute(
                "SELECT query FROM pg_stat_activity WHERE pid = %s", (conn.info.backend_pid,))])

        export_articles(conn, ALL_DAYS, "jsonl", io.BytesIO(), batch_rows=3, on_batch=on_batch)
    assert len(seen) == -(-EXPECTED // 3)
    assert all(any("FETCH FORWARD 3 FROM" in q for q in queries) for queries in seen)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_an_empty_range_gives_an_empty_but_valid_file(loaded_dsn, fmt):
    data, count = _export(loaded_dsn, fmt, Window.days(date(2020, 1, 1), date(2020, 1, 2)))
    assert count == 0
    if fmt == "parquet":
        assert pq.read_table(io.BytesIO(data)).num_rows == 0
    elif fmt == "csv":
        assert data.decode().splitlines() == [",".join(COLUMNS)]
    else:
        assert data == b""


def test_an_unknown_format_is_refused(loaded_dsn):
    with pytest.raises(BadInput, match="unknown export format 'xml'"):
        _export(loaded_dsn, "xml")
