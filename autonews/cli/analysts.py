"""The analysts' commands: `stats`, `search`, `export` (a thin shell over
`warehouse.analytics`, `warehouse.search` and `warehouse.export`)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from autonews.cli.common import destination, err, out, warehouse
from autonews.core.errors import BadInput
from autonews.core.settings import Settings
from autonews.core.window import Window


def stats(
    first: str | None = typer.Option(None, "--from", help="First UTC publication day, "
                                     "YYYY-MM-DD (default: 6 days before --to)."),
    last: str | None = typer.Option(None, "--to", help="Last UTC publication day, included "
                                    "(default: today)."),
    source: str | None = typer.Option(None, "--source", help="Only this source id."),
    as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON."),
) -> None:
    """Articles, changes, rejects and runs per source and UTC publication day."""
    from warehouse.analytics import daily_stats

    days = Window.parse(first, last)
    with warehouse(Settings.from_env()) as conn:
        rows = daily_stats(conn, days, source)
    if as_json:
        out.print_json(json.dumps([r.as_dict() for r in rows]))
        return
    table = Table(title=f"articles per source and day, {days} (UTC)")
    for name in ("day", "source", "articles", "words", "changed", "rejected", "reject rate",
                 "runs", "failed", "last run"):
        table.add_column(name, justify="left" if name in ("day", "source", "last run")
                         else "right", no_wrap=True)
    for r in rows:
        rate = f"{r.reject_rate:.0%}" if r.reject_rate is not None else "–"
        status = {"success": "[green]ok[/]", "failed": "[red]failed[/]"}.get(
            r.last_status or "", r.last_status or "–")
        table.add_row(str(r.day), r.source_id, str(r.articles), f"{r.words:,}", str(r.changed),
                      str(r.rejected), rate, str(r.runs), str(r.failed_runs), status)
    if rows:
        table.add_section()
        table.add_row("total", "", str(sum(r.articles for r in rows)),
                      f"{sum(r.words for r in rows):,}", str(sum(r.changed for r in rows)),
                      str(sum(r.rejected for r in rows)), "", str(sum(r.runs for r in rows)),
                      str(sum(r.failed_runs for r in rows)), "")
    out.print(table)
    if not rows:
        err.print(f"no articles or runs for {days}")


def search(
    query: str = typer.Argument(..., help='Words, "a phrase", or, -word (web search syntax).'),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=1000, help="Results to show."),
    source: str | None = typer.Option(None, "--source", help="Only this source id."),
    first: str | None = typer.Option(None, "--from", help="Published on or after this UTC "
                                     "day, YYYY-MM-DD."),
    last: str | None = typer.Option(None, "--to", help="Published on or before this UTC day."),
    entity: str | None = typer.Option(None, "--entity", help="Only articles mentioning this "
                                      "entity (id, name or alias: Stellantis, jeep_compass)."),
    topic: str | None = typer.Option(None, "--topic", help="Only articles about this topic "
                                     "id (recalls_safety, trade_tariffs...)."),
    as_json: bool = typer.Option(False, "--json", help="Print the hits as JSON."),
) -> None:
    """Full-text search of the articles, best match first, with snippets."""
    from warehouse.search import search_articles

    if not query.strip():
        raise BadInput("the search query is empty")
    since: datetime | None
    until: datetime | None
    if first and last:
        days = Window.parse(first, last)  # refuses a backwards range
        since, until = days.start, days.end
    else:
        since = Window.parse(first, first).start if first else None
        until = Window.parse(last, last).end if last else None
    with warehouse(Settings.from_env()) as conn:
        entity_id = _entity_id(conn, entity) if entity else None
        if topic and not _topic_exists(conn, topic):
            raise BadInput(f"--topic '{topic}' is not a topic id (see config/topics.toml; "
                           "run `autonews enrich` first)")
        hits = search_articles(conn, query, limit=limit, source_id=source,
                               published_from=since, published_to=until,
                               entity_id=entity_id, topic_id=topic)
    if as_json:
        out.print_json(json.dumps([{**h.__dict__, "published_at": h.published_at.isoformat()
                                    if h.published_at else None} for h in hits]))
        return
    if not hits:
        err.print(f"no article matches {query!r}", highlight=False, markup=False)
        return
    for n, hit in enumerate(hits, start=1):
        when = f"{hit.published_at:%Y-%m-%d %H:%M}" if hit.published_at else "undated"
        snippet = escape(hit.snippet).replace("«", "[bold yellow]").replace("»", "[/]")
        out.print(f"[bold]{n}. {escape(hit.title)}[/]  [dim]{hit.source_id} · {when} UTC · "
                  f"rank {hit.rank:.3f}[/]")
        out.print(f"   {escape(hit.canonical_url)}", style="cyan", highlight=False)
        out.print(f"   {snippet}", highlight=False)


def _topic_exists(conn: psycopg.Connection[Any], topic_id: str) -> bool:
    from warehouse.enrichment_reports import topic_exists

    return topic_exists(conn, topic_id)


def _entity_id(conn: psycopg.Connection[Any], text: str) -> str:
    from warehouse.enrichment_reports import find_entity

    ref = find_entity(conn, text)
    if ref is None:
        raise BadInput(f"--entity '{text}' is not an entity id, name or alias (run "
                       "`autonews enrich` first)")
    return ref.entity_id


def export(
    first: str | None = typer.Option(None, "--from", help="First UTC publication day, "
                                     "YYYY-MM-DD (default: 6 days before --to)."),
    last: str | None = typer.Option(None, "--to", help="Last UTC publication day, included "
                                    "(default: today)."),
    fmt: str = typer.Option("csv", "--format", "-f", help="csv, jsonl or parquet."),
    output: Path | None = typer.Option(None, "--output", "-o",  # noqa: B008 - typer style
                                       help="File to write (default: standard output; "
                                       "required for parquet)."),
    source: str | None = typer.Option(None, "--source", help="Only this source id."),
) -> None:
    """Export the articles published in a range of UTC days, oldest first."""
    from warehouse.export import FORMATS, export_articles

    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise BadInput(f"--format '{fmt}' is not one of {', '.join(FORMATS)}")
    if fmt == "parquet" and output is None:
        raise BadInput("--format parquet needs --output FILE")
    days = Window.parse(first, last)
    with warehouse(Settings.from_env()) as conn, Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
            console=err, transient=True) as progress:
        task = progress.add_task("exporting: 0 articles", total=None)
        done = 0

        def advance(rows: int) -> None:
            nonlocal done
            done += rows
            progress.update(task, description=f"exporting: {done:,} articles")

        with destination(output) as stream:
            count = export_articles(conn, days, fmt, stream, source_id=source,
                                    on_batch=advance)
    where = str(output) if output else "standard output"
    err.print(f"exported {count:,} articles published {days} (UTC) as {fmt} to {where}",
              highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Add the analysts' commands to `app`."""
    app.command()(stats)
    app.command()(search)
    app.command()(export)
