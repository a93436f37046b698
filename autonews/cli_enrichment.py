"""The enrichment commands: `enrich`, `trends`, `stories`, `entities` (a thin shell over
`autonews.enrich` and `warehouse.enrichment_reports`)."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import wraps
from typing import Any, TypeVar

import psycopg
import typer
from rich.bar import Bar
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from warehouse.connection import connect, resolve_dsn
from warehouse.periods import DayRange, InvalidInput

out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])
KINDS = ("group", "brand", "model", "supplier", "person")


@dataclass(frozen=True)
class Span:
    """[start, end) of publication instants, as the enrich stage takes it."""

    start: datetime
    end: datetime


def _prepare(dsn: str) -> None:
    from warehouse.schema import migrate

    with connect(dsn) as conn:
        migrate(conn)


@contextmanager
def _warehouse() -> Iterator[psycopg.Connection[Any]]:
    dsn = resolve_dsn()
    _prepare(dsn)
    with connect(dsn) as conn:
        yield conn


def _day(value: str, option: str) -> date:
    return DayRange.parse(value, value).first if value else _missing(option)


def _missing(option: str) -> date:
    raise InvalidInput(f"{option} is required (YYYY-MM-DD)")


def enrich(
    first: str = typer.Option(..., "--from", help="First UTC publication day, YYYY-MM-DD."),
    last: str = typer.Option(..., "--to", help="Last UTC publication day, included."),
    source: list[str] = typer.Option([], "--source", help="Only this source id (repeatable)."),
    force: bool = typer.Option(False, "--force", help="Redo articles whose enrichment is "
                               "current too."),
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
) -> None:
    """Link entities, score topics and group stories for the articles of a range (idempotent:
    articles already enriched with this knowledge base and these rules are skipped)."""
    from autonews.enrich import default_enricher, enrich_window
    from enrichment import KnowledgeBaseError, TaxonomyError

    days = DayRange.parse(first, last)
    try:
        enricher = default_enricher()
    except (KnowledgeBaseError, TaxonomyError) as exc:
        raise InvalidInput(str(exc)) from exc
    dsn = resolve_dsn()
    _prepare(dsn)
    run_id = f"enrich-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    with err.status(f"enriching {days} (UTC)"):
        counts = enrich_window(dsn, Span(days.start_at, days.end_at), run_id,
                               source_ids=source or None, force=force, enricher=enricher)
    if as_json:
        out.print_json(json.dumps({"run_id": run_id, "days": str(days), **counts}))
        return
    out.print(f"enrich {run_id}: {counts['articles']:,} articles published {days} (UTC): "
              f"{counts['enriched']:,} enriched, {counts['skipped']:,} already current; "
              f"{counts['entity_links']:,} entity links, {counts['topic_links']:,} topic links; "
              f"{counts['stories']:,} stories, {counts['story_changes']:,} story changes "
              f"(version {counts['version']})", highlight=False)


def trends(
    entity: str = typer.Argument(..., help="Entity id, name or alias (Stellantis, VW, jeep)."),
    first: str | None = typer.Option(None, "--from", help="First UTC day (default: 29 days "
                                     "before --to)."),
    last: str | None = typer.Option(None, "--to", help="Last UTC day (default: today)."),
    source: str | None = typer.Option(None, "--source", help="Only this source id."),
    as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON."),
) -> None:
    """Articles mentioning an entity per UTC day, as a bar chart, and per source."""
    from warehouse.enrichment_reports import entity_trend, find_entity

    days = DayRange.parse(first, last, default_days=30)
    with _warehouse() as conn:
        ref = find_entity(conn, entity)
        if ref is None:
            raise InvalidInput(f"no entity is called {entity!r} (is the range enriched? "
                               "try `autonews entities --date D`)")
        rows = entity_trend(conn, ref.entity_id, days.first, days.last, source)
    if as_json:
        out.print_json(json.dumps({"entity_id": ref.entity_id, "name": ref.name,
                                   "kind": ref.kind, "days": str(days),
                                   "rows": [r.as_dict() for r in rows]}))
        return
    per_day: dict[date, int] = {d: 0 for d in days.days()}
    per_source: dict[str, int] = {}
    for row in rows:
        per_day[row.day] += row.articles
        per_source[row.source_id] = per_source.get(row.source_id, 0) + row.articles
    peak = max(per_day.values(), default=0) or 1
    chart = Table(title=f"{escape(ref.name)} ({ref.kind}): articles per day, {days} (UTC)")
    chart.add_column("day", no_wrap=True)
    chart.add_column("articles", justify="right")
    chart.add_column("", width=50)
    for day, count in per_day.items():
        chart.add_row(str(day), str(count), Bar(peak, 0, count, color="cyan"))
    out.print(chart)
    by_source = Table(title="per source")
    by_source.add_column("source")
    by_source.add_column("articles", justify="right")
    for sid, count in sorted(per_source.items(), key=lambda kv: (-kv[1], kv[0])):
        by_source.add_row(sid, str(count))
    out.print(by_source)
    if not rows:
        err.print(f"no article mentions {ref.name} in {days}", highlight=False)


def stories(
    day: str = typer.Option(..., "--date", help="UTC publication day, YYYY-MM-DD."),
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=500, help="Stories to show."),
    as_json: bool = typer.Option(False, "--json", help="Print the stories as JSON."),
) -> None:
    """The day's stories, most sources first, with the articles of each."""
    from warehouse.enrichment_reports import day_stories

    the_day = _day(day, "--date")
    with _warehouse() as conn:
        found = day_stories(conn, the_day, limit)
    if as_json:
        out.print_json(json.dumps([s.as_dict() for s in found]))
        return
    if not found:
        err.print(f"no stories on {the_day} (is it enriched? `autonews enrich --from "
                  f"{the_day} --to {the_day}`)", highlight=False)
        return
    for story in found:
        out.print(f"[bold]{story.rank}. {escape(story.title)}[/]  [dim]{story.articles} "
                  f"article(s) · {', '.join(story.sources)}[/]", highlight=False)
        for member in story.members:
            when = f"{member.published_at:%H:%M}" if member.published_at else "--:--"
            out.print(f"   {when} {member.source_id}: {escape(member.title)}  "
                      f"[cyan]{escape(member.canonical_url)}[/]", highlight=False)


def entities(
    day: str = typer.Option(..., "--date", help="UTC publication day, YYYY-MM-DD."),
    kind: str | None = typer.Option(None, "--kind", help="Only group, brand, model, "
                                    "supplier or person."),
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=500, help="Entities to show."),
    as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON."),
) -> None:
    """The day's most mentioned entities, with their share of voice."""
    from warehouse.enrichment_reports import day_entities

    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"--kind '{kind}' is not one of {', '.join(KINDS)}")
    the_day = _day(day, "--date")
    with _warehouse() as conn:
        found = day_entities(conn, the_day, kind=kind, limit=limit)
    if as_json:
        out.print_json(json.dumps([e.as_dict() for e in found]))
        return
    table = Table(title=f"top entities, {the_day} (UTC)")
    for name in ("entity", "kind", "articles", "mentions", "sources", "share of voice"):
        table.add_column(name, justify="left" if name in ("entity", "kind") else "right")
    for entity in found:
        share = f"{entity.share:.0%}" if entity.share is not None else "–"
        table.add_row(escape(entity.name), entity.kind, str(entity.articles),
                      str(entity.mentions), str(entity.sources), share)
    out.print(table)
    if not found:
        err.print(f"no entities on {the_day}", highlight=False)


def _usage_errors(func: F, problem: type[Exception]) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InvalidInput as exc:
            raise problem(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def register(app: typer.Typer) -> None:
    """Add `enrich`, `trends`, `stories` and `entities` to `app`."""
    from autonews.cli import UsageProblem, friendly  # here: autonews.cli imports this module

    def command(func: F) -> F:
        return friendly(_usage_errors(func, UsageProblem))

    app.command("enrich")(command(enrich))
    app.command("trends")(command(trends))
    app.command("stories")(command(stories))
    app.command("entities")(command(entities))
