"""Exporting articles of a day range as CSV, JSON Lines or Parquet, streamed from a
server-side cursor so that a range of any size never sits in memory at once."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, BinaryIO, Protocol

import psycopg
from psycopg import sql

from autonews.core.errors import BadInput
from autonews.core.window import Window

log = logging.getLogger(__name__)

FORMATS = ("csv", "jsonl", "parquet")
BATCH_ROWS = 2000
# Column -> type, as exported (every `articles` column but the search vector).
COLUMNS: dict[str, str] = {
    "url_hash": "text", "source_id": "text", "url": "text", "canonical_url": "text",
    "title": "text", "description": "text", "authors": "text[]", "published_at": "timestamptz",
    "modified_at": "timestamptz", "date_source": "text", "language": "text",
    "section": "text", "tags": "text[]", "site_name": "text", "image_url": "text",
    "body": "text", "word_count": "integer", "reading_time_minutes": "integer",
    "is_paywalled": "boolean", "extractor_version": "text", "content_hash": "text",
    "first_seen_at": "timestamptz", "last_changed_at": "timestamptz", "raw_page_id": "bigint",
    "run_id": "text", "page_kind": "text", "extraction_confidence": "real",
    "confidence_reasons": "text[]", "credit": "text", "rules_version": "text",
}


class RowWriter(Protocol):
    def write(self, rows: Sequence[tuple[Any, ...]]) -> None: ...

    def close(self) -> None: ...


def _plain(value: Any) -> Any:
    """A JSON-ready value: datetimes as ISO 8601 UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


class _CsvWriter:
    """RFC 4180 CSV with a header; arrays as JSON arrays, NULL as an empty field."""

    def __init__(self, out: BinaryIO) -> None:
        self.text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        self.csv = csv.writer(self.text)
        self.csv.writerow(COLUMNS)

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        for row in rows:
            self.csv.writerow(
                json.dumps(v, ensure_ascii=False) if isinstance(v, list)
                else "true" if v is True else "false" if v is False
                else "" if v is None else _plain(v) for v in row)

    def close(self) -> None:
        self.text.flush()
        self.text.detach()  # the caller owns `out`


class _JsonlWriter:
    """One JSON object per line, keys in column order."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        lines = (json.dumps(dict(zip(COLUMNS, map(_plain, row), strict=True)),
                            ensure_ascii=False) + "\n" for row in rows)
        self.out.write("".join(lines).encode())

    def close(self) -> None:
        self.out.flush()


def parquet_schema() -> Any:
    import pyarrow as pa

    types = {"text": pa.string(), "text[]": pa.list_(pa.string()),
             "timestamptz": pa.timestamp("us", tz="UTC"), "integer": pa.int32(),
             "bigint": pa.int64(), "boolean": pa.bool_(), "real": pa.float32()}
    return pa.schema([pa.field(name, types[kind]) for name, kind in COLUMNS.items()])


class _ParquetWriter:
    """A Parquet file with one row group per batch, zstd-compressed."""

    def __init__(self, out: BinaryIO) -> None:
        import pyarrow.parquet as pq

        self.schema = parquet_schema()
        self.writer = pq.ParquetWriter(out, self.schema, compression="zstd")

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        import pyarrow as pa

        columns = list(zip(*rows, strict=True))
        arrays = [pa.array(col, type=field.type) for col, field in zip(columns, self.schema,
                                                                        strict=True)]
        self.writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=self.schema))

    def close(self) -> None:
        self.writer.close()


_WRITERS: dict[str, Callable[[BinaryIO], RowWriter]] = {
    "csv": _CsvWriter, "jsonl": _JsonlWriter, "parquet": _ParquetWriter,
}


def export_articles(
    conn: psycopg.Connection[Any],
    days: Window,
    fmt: str,
    out: BinaryIO,
    *,
    source_id: str | None = None,
    batch_rows: int = BATCH_ROWS,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Write the articles published in `days` (oldest first) to `out` as `fmt`; returns
    how many. `on_batch(n)` is called after each batch of n rows."""
    if fmt not in _WRITERS:
        raise BadInput(f"unknown export format '{fmt}' (use {', '.join(FORMATS)})")
    query = sql.SQL(
        "SELECT {} FROM articles WHERE published_at >= %(start)s AND published_at < %(end)s"
        " AND (%(source)s::text IS NULL OR source_id = %(source)s)"
        " ORDER BY published_at, url_hash"
    ).format(sql.SQL(", ").join(map(sql.Identifier, COLUMNS)))
    writer = _WRITERS[fmt](out)
    count = 0
    try:
        with conn.transaction(), conn.cursor(name="autonews_export") as cur:
            conn.execute("SET LOCAL TimeZone = 'UTC'")
            cur.itersize = batch_rows
            cur.execute(query, {"start": days.start, "end": days.end,
                                "source": source_id})
            while rows := cur.fetchmany(batch_rows):
                writer.write(rows)
                count += len(rows)
                if on_batch is not None:
                    on_batch(len(rows))
    finally:
        writer.close()
    log.info("exported %d articles of %s as %s", count, days, fmt)
    return count
