"""The enrichment commands: `enrich` (pipeline) and `trends`, `stories`, `entities`
(analysts): a thin shell over `autonews.jobs.enrich` and `warehouse.enrichment_reports`."""

from __future__ import annotations

import json
from datetime import date

import typer
from rich.bar import Bar
from rich.markup import escape
from rich.table import Table

from autonews.cli.common import err, out, warehouse, warehouse_dsn
from autonews.core.errors import BadInput
from autonews.core.settings import Settings
from autonews.core.vocabulary import Trigger
from autonews.core.window import Window, parse_day
from autonews.jobs import new_run_id

KINDS = ("group", "brand", "model", "supplier", "person")


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
    from autonews.jobs.enrich import default_enricher, enrich_window
    from enrichment import KnowledgeBaseError, TaxonomyError

    days = Window.parse(first, last)
    try:
        enricher = default_enricher()
    except (KnowledgeBaseError, TaxonomyError) as exc:
        raise BadInput(str(exc)) from exc
    dsn = warehouse_dsn(Settings.from_env())
    run_id = new_run_id("enrich")
    with err.status(f"enriching {days} (UTC)"):
        counts = enrich_window(dsn, days, run_id, source_ids=source or None, force=force,
                               trigger=Trigger.CLI, enricher=enricher)
    if as_json:
        out.print_json(json.dumps({"run_id": run_id, "days": str(days),
                                   **counts.to_counts()}))
        return
    out.print(f"enrich {run_id}: {counts.articles:,} articles published {days} (UTC): "
              f"{counts.enriched:,} enriched, {counts.skipped:,} already current; "
              f"{counts.entity_links:,} entity links, {counts.topic_links:,} topic links; "
              f"{counts.stories:,} stories, {counts.story_changes:,} story changes "
              f"(version {counts.version})", highlight=False, markup=False)


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

    days = Window.parse(first, last, default_days=30)
    with warehouse(Settings.from_env()) as conn:
        ref = find_entity(conn, entity)
        if ref is None:
            raise BadInput(f"no entity is called {entity!r} (is the range enriched? "
                           "try `autonews entities --date D`)")
        rows = entity_trend(conn, ref.entity_id, days.first_day, days.last_day, source)
    if as_json:
        out.print_json(json.dumps({"entity_id": ref.entity_id, "name": ref.name,
                                   "kind": ref.kind, "days": str(days),
                                   "rows": [r.as_dict() for r in rows]}))
        return
    per_day: dict[date, int] = {d: 0 for d in days.dates()}
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

    the_day = parse_day(day)
    with warehouse(Settings.from_env()) as conn:
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
        raise BadInput(f"--kind '{kind}' is not one of {', '.join(KINDS)}")
    the_day = parse_day(day)
    with warehouse(Settings.from_env()) as conn:
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


def register(app: typer.Typer) -> None:
    """Add `enrich`, `trends`, `stories` and `entities` to `app`."""
    app.command("enrich")(enrich)
    app.command("trends")(trends)
    app.command("stories")(stories)
    app.command("entities")(entities)
