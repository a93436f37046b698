"""The pipeline's commands, for ops and data engineers: `run`, `backfill`, `reclean`,
`extract`, `demo-site`."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from autonews import jobs
from autonews.cli.archives import backfill_ccnews
from autonews.cli.common import (
    check_quality_config,
    configured,
    enrich_loaded,
    err,
    out,
    print_enrich,
    setup_logging,
    sources_for,
    summary_table,
    warehouse_dsn,
)
from autonews.core.errors import BadInput
from autonews.core.results import SourceSummary
from autonews.core.settings import Settings
from autonews.core.vocabulary import Trigger
from autonews.core.window import Window, parse_day, today_utc
from autonews.sources import DEMO_SOURCES, extraction_rules, load_sources


class _CrawlProgress:
    """A rich progress bar per source, fed by the crawl subprocess's JSON events."""

    def __init__(self, progress: Progress, source_id: str) -> None:
        self.progress = progress
        self.task = progress.add_task(f"{source_id}: discovering", total=None)
        self.source_id = source_id

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "discovering":
            self.progress.update(self.task, description=f"{self.source_id}: discovering "
                                                        f"({event.get('urls', 0)} URLs)")
        elif kind == "fetching":
            self.progress.update(self.task, description=f"{self.source_id}: fetching",
                                 total=event.get("total", 0), completed=0)
        elif kind == "fetched":
            self.progress.advance(self.task)

    def stage(self, name: str) -> None:
        self.progress.update(self.task, description=f"{self.source_id}: {name}")


def _progress(as_json: bool) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=as_json)


def run(
    day: str | None = typer.Option(None, "--date", help="UTC publication day, YYYY-MM-DD "
                                   "(default: yesterday; with --demo, the demo's latest day)"),
    demo: bool = typer.Option(False, "--demo", help="Crawl the offline demo site (started "
                              "on 127.0.0.1 for this run)."),
    source: str | None = typer.Option(None, "--source", help="Only this source id."),
    sources_file: Path | None = typer.Option(None, "--sources", help="Sources TOML file "
                                             "(default: $AUTONEWS_SOURCES, else "
                                             "config/sources.toml)."),
    demo_port: int | None = typer.Option(None, "--demo-port", help="Port of the demo site "
                                         "(default: $AUTONEWS_DEMO_PORT or 8765; keep it "
                                         "stable across runs)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Crawl, clean and load one day's articles for every enabled source."""
    setup_logging(verbose)
    settings = Settings.from_env()
    if day is not None:
        the_day = parse_day(day, latest=today_utc())
    elif demo:
        from autonews.demo import catalog

        the_day = catalog.latest_day()
    else:
        the_day = today_utc() - timedelta(days=1)
    window = Window.for_day(the_day)
    with sources_for(settings, demo, sources_file, source, demo_port) as sources:
        check_quality_config(settings, sources)
        dsn = warehouse_dsn(settings)
        run_id = jobs.new_run_id(Trigger.CLI)
        results: list[SourceSummary] = []
        with _progress(as_json) as progress:
            for src in sources:
                tracker = _CrawlProgress(progress, src.id)
                results.append(jobs.run_source(dsn, src, window, run_id, trigger=Trigger.CLI,
                                               on_progress=tracker, settings=settings))
                tracker.stage("done" if results[-1].ok else "failed")
        enriched, enrich_error = enrich_loaded(dsn, window, run_id, Trigger.CLI, source)
    if as_json:
        out.print_json(json.dumps({"run_id": run_id, "day": str(the_day),
                                   "sources": [r.row() for r in results],
                                   "enrich": enriched, "enrich_error": enrich_error}))
    else:
        out.print(summary_table(f"autonews run {run_id} — publication day {the_day} (UTC)",
                                [(r.source_id, r) for r in results]))
        print_enrich(enriched, enrich_error)
    if not all(r.ok for r in results) or enrich_error:
        raise typer.Exit(1)


def _range(first: str, last: str) -> Window:
    today = today_utc()
    return Window.days(parse_day(first, option="--from", latest=today),
                       parse_day(last, option="--to", latest=today))


def backfill(
    first: str = typer.Option(..., "--from", help="First UTC day, YYYY-MM-DD (included)."),
    last: str = typer.Option(..., "--to", help="Last UTC day, YYYY-MM-DD (included)."),
    parallel: int = typer.Option(1, "--parallel", min=1, max=16,
                                 help="Days processed at once (one crawl per site at a time)."),
    demo: bool = typer.Option(False, "--demo", help="Backfill the offline demo site."),
    source: str | None = typer.Option(None, "--source", help="Only this source id."),
    sources_file: Path | None = typer.Option(None, "--sources", help="Sources TOML file."),
    demo_port: int | None = typer.Option(None, "--demo-port"),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
    ccnews: bool = typer.Option(False, "--ccnews", help="Import the days from Common "
                                "Crawl's news archive instead of crawling (resumable)."),
    lag_days: int | None = typer.Option(None, "--lag-days", min=0, max=60,
                                        help="With --ccnews: days between publication and "
                                        "capture to allow (default: "
                                        "$AUTONEWS_CCNEWS_LAG_DAYS or 3)."),
) -> None:
    """Run every day of a range (idempotent: rerunning a day changes nothing)."""
    setup_logging(verbose)
    settings = Settings.from_env()
    days = _range(first, last)
    if ccnews:
        if parallel != 1:
            raise BadInput("--parallel does not apply to --ccnews (its files are read one "
                           "after the other; the autonews_ccnews_backfill DAG spreads them "
                           "over workers)")
        backfill_ccnews(days, settings, source=source, sources_file=sources_file, demo=demo,
                        demo_port=demo_port, lag_days=lag_days, as_json=as_json)
        return
    if lag_days is not None:
        raise BadInput("--lag-days needs --ccnews")
    with sources_for(settings, demo, sources_file, source, demo_port) as sources:
        check_quality_config(settings, sources)
        dsn = warehouse_dsn(settings)
        base = jobs.new_run_id(Trigger.BACKFILL)
        results: dict[tuple[date, str], SourceSummary] = {}
        with _progress(as_json) as progress:
            task = progress.add_task(f"backfill {days}", total=len(days) * len(sources))

            def one_day(window: Window) -> None:
                for src in sources:
                    results[(window.first_day, src.id)] = jobs.run_source(
                        dsn, src, window, f"{base}-{window}", trigger=Trigger.BACKFILL,
                        settings=settings)
                    progress.advance(task)

            with ThreadPoolExecutor(max_workers=parallel) as pool:
                list(pool.map(one_day, days.each_day()))
        enriched, enrich_error = enrich_loaded(dsn, days, f"{base}-enrich", Trigger.BACKFILL,
                                         source)
    ordered = sorted(results.items())
    if as_json:
        out.print_json(json.dumps({"run_id": base, "days": [
            {"day": str(day), **result.row()} for (day, _), result in ordered],
            "enrich": enriched, "enrich_error": enrich_error}))
    else:
        out.print(summary_table(f"autonews backfill {base}: {days} (UTC)",
                                [(f"{day} {sid}", r) for (day, sid), r in ordered],
                                first_column="day / source"))
        print_enrich(enriched, enrich_error)
    if not all(r.ok for r in results.values()) or enrich_error:
        raise typer.Exit(1)


def reclean(
    first: str = typer.Option(..., "--from", help="First UTC day, YYYY-MM-DD (included)."),
    last: str = typer.Option(..., "--to", help="Last UTC day, YYYY-MM-DD (included)."),
    source: str | None = typer.Option(None, "--source", help="Only this source id."),
    sources_file: Path | None = typer.Option(None, "--sources", help="Sources TOML file."),
    demo: bool = typer.Option(False, "--demo", help="Use the demo site's sources."),
    changed_rules: bool = typer.Option(False, "--changed-rules", help="Only the sources "
                                       "whose pages in the range were cleaned by other rules "
                                       "than today's (rules_version)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Re-extract stored pages of a range with the current cleaner and reload (no crawl)."""
    settings = Settings.from_env()
    window = _range(first, last)
    if demo:  # no crawl: the demo site need not run, its URLs only fill the config
        sources = load_sources(sources_file or DEMO_SOURCES, {"demo_url": "http://127.0.0.1"},
                               only=source, include_disabled=source is not None)
    else:
        sources = configured(settings, sources_file, source)
    dsn = warehouse_dsn(settings)
    run_id = jobs.new_run_id(Trigger.RECLEAN)
    if changed_rules:
        unchanged = [s.id for s in sources if not jobs.rules_changed(dsn, s, window)]
        if unchanged:
            err.print(f"rules unchanged since the last clean, skipped: {', '.join(unchanged)}",
                      highlight=False, markup=False)
        sources = [s for s in sources if s.id not in unchanged]
    rows = [jobs.reclean_source(dsn, src, window, run_id).row() for src in sources]
    enriched, enrich_error = enrich_loaded(dsn, window, run_id, Trigger.RECLEAN, source)
    if as_json:
        out.print_json(json.dumps({"run_id": run_id, "sources": rows, "enrich": enriched,
                                   "enrich_error": enrich_error}))
        if enrich_error:
            raise typer.Exit(1)
        return
    columns = ("pages", "articles", "rejected", "changed", "inserted", "unchanged")
    table = Table(title=f"autonews reclean {run_id}: {window} (UTC)")
    table.add_column("source")
    for name in columns:
        table.add_column(name, justify="right")
    for row in rows:
        table.add_row(row["source"], *(str(row[k]) for k in columns))
    out.print(table)
    print_enrich(enriched, enrich_error)
    if enrich_error:
        raise typer.Exit(1)


def demo_site(
    host: str = typer.Option("127.0.0.1", help="Address to bind."),
    port: int = typer.Option(8765, help="Port (0 = any free port)."),
) -> None:
    """Serve the offline demo site in the foreground (Ctrl-C stops it)."""
    from autonews.demo.site import DemoSite

    site = DemoSite(host, port)
    out.print(f"demo site on {site.url}  (robots: {site.url}/robots.txt)")
    try:
        site.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()


def _fetch(target: str, settings: Settings) -> tuple[bytes, str | None]:
    import urllib.request

    from scrapers.run import user_agent

    request = urllib.request.Request(target, headers={"User-Agent": user_agent(settings)})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.read(8 * 1024 * 1024), response.headers.get("Content-Type")
    except OSError as exc:
        raise BadInput(f"cannot fetch {target}: {exc}") from exc


def extract(
    target: str = typer.Argument(..., help="An HTML file or an http(s) URL."),
    url: str | None = typer.Option(None, help="The page's URL when TARGET is a file."),
    source: str | None = typer.Option(None, help="Apply this source's rules from the "
                                      "sources file."),
    sources_file: Path | None = typer.Option(None, "--sources"),
    explain: bool = typer.Option(False, "--explain", help="Show which rule removed what."),
) -> None:
    """Print the Article the cleaner extracts from a page, as JSON."""
    from transforms import ExtractionRules, PageRejected, explain_article, extract_article

    settings = Settings.from_env()
    content_type = None
    if target.startswith(("http://", "https://")):
        body, content_type = _fetch(target, settings)
        page_url = url or target
    else:
        path = Path(target)
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from exc
        page_url = url or path.resolve().as_uri()
    rules = ExtractionRules()
    if source:
        rules = extraction_rules(configured(settings, sources_file, source,
                                            include_disabled=True)[0])
    if explain:
        out.print_json(json.dumps(explain_article(body, page_url, rules,
                                                  content_type=content_type), default=str))
        return
    try:
        article = extract_article(body, page_url, rules, content_type=content_type)
    except PageRejected as rejected:
        out.print_json(json.dumps({"rejected": rejected.reason.value,
                                   "detail": rejected.detail}))
        raise typer.Exit(1) from rejected
    out.print_json(json.dumps(article.to_dict(), default=str))


def register(app: typer.Typer) -> None:
    """Add the pipeline's commands to `app`."""
    app.command()(run)
    app.command()(backfill)
    app.command()(reclean)
    app.command("demo-site")(demo_site)
    app.command()(extract)
