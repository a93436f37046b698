"""The analysts' commands: `stats`, `search`, `export` and `db prune-raw` (a thin shell over
`warehouse.analytics`, `warehouse.search`, `warehouse.export` and `warehouse.retention`)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import psycopg
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from autonews import jobs
from warehouse.connection import connect, resolve_dsn
from warehouse.periods import DayRange, InvalidInput, parse_age

out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def _warehouse() -> Iterator[psycopg.Connection[Any]]:
    """A connection to the migrated warehouse."""
    dsn = resolve_dsn()
    jobs.prepare_warehouse(dsn)
    with connect(dsn) as conn:
        yield conn


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

    days = DayRange.parse(first, last)
    with _warehouse() as conn:
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
        raise InvalidInput("the search query is empty")
    since: datetime | None
    until: datetime | None
    if first and last:
        days = DayRange.parse(first, last)  # refuses a backwards range
        since, until = days.start_at, days.end_at
    else:
        since = DayRange.parse(first, first).start_at if first else None
        until = DayRange.parse(last, last).end_at if last else None
    with _warehouse() as conn:
        entity_id = _entity_id(conn, entity) if entity else None
        if topic and not _topic_exists(conn, topic):
            raise InvalidInput(f"--topic '{topic}' is not a topic id (see config/topics.toml; "
                               "run `autonews enrich` first)")
        hits = search_articles(conn, query, limit=limit, source_id=source,
                               published_from=since, published_to=until,
                               entity_id=entity_id, topic_id=topic)
    if as_json:
        out.print_json(json.dumps([{**h.__dict__, "published_at": h.published_at.isoformat()
                                    if h.published_at else None} for h in hits]))
        return
    if not hits:
        err.print(f"no article matches {query!r}", highlight=False)
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
        raise InvalidInput(f"--entity '{text}' is not an entity id, name or alias (run "
                           "`autonews enrich` first)")
    return ref.entity_id


@contextmanager
def _destination(output: Path | None) -> Iterator[BinaryIO]:
    """Standard output, or `output` written through a temporary file renamed at the end
    (a failed export leaves no half-written file)."""
    if output is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    folder = output.resolve().parent
    if not folder.is_dir():
        raise InvalidInput(f"--output {output}: the folder {folder} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp's 0600 is not what a user expects
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
        raise InvalidInput(f"--format '{fmt}' is not one of {', '.join(FORMATS)}")
    if fmt == "parquet" and output is None:
        raise InvalidInput("--format parquet needs --output FILE")
    days = DayRange.parse(first, last)
    with _warehouse() as conn, Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                        TimeElapsedColumn(), console=err,
                                        transient=True) as progress:
        task = progress.add_task("exporting: 0 articles", total=None)
        done = 0

        def advance(rows: int) -> None:
            nonlocal done
            done += rows
            progress.update(task, description=f"exporting: {done:,} articles")

        with _destination(output) as stream:
            count = export_articles(conn, days, fmt, stream, source_id=source,
                                    on_batch=advance)
    where = str(output) if output else "standard output"
    err.print(f"exported {count:,} articles published {days} (UTC) as {fmt} to {where}",
              highlight=False)


def prune_raw(
    older_than: str = typer.Option(..., "--older-than", help="Age of the fetches whose HTML "
                                   "to drop: days or weeks, like 90d or 12w."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only count what would be dropped."),
) -> None:
    """Drop the stored HTML of old fetches (raw_pages.body); articles stay untouched."""
    from warehouse.retention import prune_raw as clear_old_html

    age = parse_age(older_than)
    with _warehouse() as conn:
        result = clear_old_html(conn, age, dry_run=dry_run)
    verb = "would drop" if dry_run else "dropped"
    out.print(f"{verb} the HTML of {result.pages:,} pages ({result.bytes / 1e6:,.1f} MB) "
              f"fetched before {result.cutoff.astimezone(UTC):%Y-%m-%d %H:%M} UTC; "
              "articles untouched",
              highlight=False)


def _usage_errors(func: F, problem: type[Exception]) -> F:
    """Raise `problem` (the CLI's bad-input error, exit code 2) for `InvalidInput`."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InvalidInput as exc:
            raise problem(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def register(app: typer.Typer, db_app: typer.Typer) -> None:
    """Add `stats`, `search`, `export` to `app` and `prune-raw` to `db_app`."""
    from autonews.cli import UsageProblem, friendly  # here: autonews.cli imports this module

    def command(func: F) -> F:
        return friendly(_usage_errors(func, UsageProblem))

    app.command("stats")(command(stats))
    app.command("search")(command(search))
    app.command("export")(command(export))
    db_app.command("prune-raw")(command(prune_raw))
