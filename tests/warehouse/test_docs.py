"""docs/warehouse.md is true: its data dictionary matches the database column for column,
and every example query runs and returns rows on a warehouse loaded from the demo."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "warehouse.md"
TEXT = DOC.read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```sql\n(.*?)```", TEXT, flags=re.DOTALL)
# Functions returning a table: how to call them to see their columns.
TABLE_FUNCTIONS = {
    "source_health_at": "SELECT * FROM source_health_at(now()) LIMIT 0",
    "search_articles": "SELECT * FROM search_articles('x') LIMIT 0",
    "search_enriched_articles": "SELECT * FROM search_enriched_articles('x') LIMIT 0",
}
_TYPE_NAMES = {"timestamp with time zone": "timestamptz"}


def documented() -> dict[str, list[tuple[str, str]]]:
    """Relation or function name -> [(column, type)] from the doc's `### name` tables."""
    found: dict[str, list[tuple[str, str]]] = {}
    for section in re.split(r"^### ", TEXT, flags=re.MULTILINE)[1:]:
        heading, _, body = section.partition("\n")
        name = re.match(r"`([a-z_]+)", heading)
        rows = re.findall(r"^\| `([a-z_0-9]+)` \| ([a-z\[\] ]+?) \|", body, flags=re.MULTILINE)
        if name and rows:
            found[name.group(1)] = rows
    return found


def actual(conn: psycopg.Connection) -> dict[str, list[tuple[str, str]]]:
    rows = conn.execute(
        """SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
             FROM pg_attribute a
             JOIN pg_class c ON c.oid = a.attrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v') AND a.attnum > 0
              AND NOT a.attisdropped
            ORDER BY c.relname, a.attnum""").fetchall()
    found: dict[str, list[tuple[str, str]]] = {}
    for relation, column, kind in rows:
        found.setdefault(relation, []).append((column, _TYPE_NAMES.get(kind, kind)))
    for function, query in TABLE_FUNCTIONS.items():
        cursor = conn.execute(query)
        assert cursor.description is not None
        types = [conn.execute("SELECT format_type(%s, NULL)", (c.type_code,)).fetchone()[0]
                 for c in cursor.description]
        found[function] = [(c.name, _TYPE_NAMES.get(t, t))
                           for c, t in zip(cursor.description, types, strict=True)]
    return found


def test_the_data_dictionary_lists_every_table_view_and_column_with_its_type(dsn):
    with psycopg.connect(dsn) as conn:
        schema = actual(conn)
    docs = documented()
    assert sorted(docs) == sorted(schema), "documented relations differ from the database"
    for name, columns in schema.items():
        assert docs[name] == columns, f"{name}: the doc's columns differ from the database"


def test_there_are_at_least_ten_example_queries():
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("query", EXAMPLES, ids=[f"example-{n:02d}" for n in
                                                 range(1, len(EXAMPLES) + 1)])
def test_every_example_query_runs_and_finds_rows(loaded_dsn, query):
    with psycopg.connect(loaded_dsn) as conn:
        conn.execute("SET statement_timeout = '30s'")
        cursor = conn.execute(query)
        rows = cursor.fetchall()
        conn.rollback()
    assert rows, f"no rows from:\n{query}"
