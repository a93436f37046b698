"""The `autonews` command line: a thin shell over `autonews.jobs` and the warehouse."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from autonews import cli_report, cli_warehouse, jobs
from autonews.sources import DEFAULT_SOURCES, DEMO_SOURCES, ConfigError, Source, load_sources
from warehouse.connection import WarehouseUnavailable, mask_dsn, resolve_dsn

app = typer.Typer(help="Crawl, clean and warehouse automotive news.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Warehouse maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
# Wide enough for the summary table when output goes to a file or a CI log.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


class UsageProblem(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


def friendly(func: F) -> F:
    """Turn expected failures into one clear line on stderr and a non-zero exit."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (UsageProblem, ConfigError) as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from exc
        except WarehouseUnavailable as exc:
            err.print(f"[bold red]error:[/] {mask_dsn(str(exc))}", highlight=False,
                      soft_wrap=True)
            raise typer.Exit(3) from exc

    return wrapper  # type: ignore[return-value]


def _logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def parse_day(value: str, *, option: str = "--date") -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise UsageProblem(f"{option} '{value}' is not a date (use YYYY-MM-DD)") from exc
    today = datetime.now(UTC).date()
    if day > today:
        raise UsageProblem(f"{option} {day} is in the future (today is {today} UTC)")
    return day


DEMO_PORT = 8765


@contextmanager
def _sources_for(demo: bool, sources_file: Path | None, source: str | None,
                 demo_port: int = DEMO_PORT) -> Iterator[tuple[list[Source], Any]]:
    """Sources to run, and the demo site serving them when `demo`. The demo keeps one
    port across runs: its URLs are the articles' identity, so a rerun must see the same."""
    if demo:
        from autonews.demo.site import DemoSite

        try:
            site = DemoSite(port=demo_port)
        except OSError as exc:
            raise UsageProblem(f"cannot serve the demo site on 127.0.0.1:{demo_port} "
                               f"({exc.strerror}); free the port or pass --demo-port") from exc
        with site:
            yield load_sources(sources_file or DEMO_SOURCES, {"demo_url": site.url},
                               only=source), site
    else:
        yield load_sources(sources_file or DEFAULT_SOURCES, only=source), None


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


def _summary_table(title: str, rows: list[tuple[str, jobs.SourceResult]],
                   first_column: str = "source") -> Table:
    """One line per (label, source result): what was found, fetched, loaded, rejected."""
    table = Table(title=title)
    columns = ("discovered", "fetched", "not_modified", "failed", "inserted", "updated",
               "unchanged", "rejected")
    table.add_column(first_column, no_wrap=True)
    for name in columns:
        table.add_column(name.replace("_", " "), justify="right", no_wrap=True)
    table.add_column("status", overflow="fold")
    for label, result in rows:
        summary = result.summary()
        status = "[green]ok[/]" if result.ok else f"[red]{summary['error']}[/]"
        table.add_row(label, *(str(summary[c]) for c in columns), status)
    return table


@app.command()
@friendly
def run(
    day: str | None = typer.Option(None, "--date", help="UTC publication day, YYYY-MM-DD "
                                   "(default: yesterday; with --demo, the demo's latest day)"),
    demo: bool = typer.Option(False, "--demo", help="Crawl the offline demo site (started "
                              "on 127.0.0.1 for this run)."),
    source: str | None = typer.Option(None, "--source", help="Only this source id."),
    sources_file: Path | None = typer.Option(None, "--sources", help="Sources TOML file."),
    demo_port: int = typer.Option(DEMO_PORT, "--demo-port", envvar="AUTONEWS_DEMO_PORT",
                                  help="Port of the demo site (keep it stable across runs)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Crawl, clean and load one day's articles for every enabled source."""
    _logging(verbose)
    with _sources_for(demo, sources_file, source, demo_port) as (sources, _site):
        if day is not None:
            the_day = parse_day(day)
        elif demo:
            from autonews.demo import catalog

            the_day = catalog.latest_day()
        else:
            the_day = datetime.now(UTC).date() - timedelta(days=1)
        window = jobs.Window.for_day(the_day)
        dsn = resolve_dsn()
        jobs.prepare_warehouse(dsn)
        run_id = jobs.new_run_id("cli")
        results = []
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, transient=as_json) as progress:
            for src in sources:
                tracker = _CrawlProgress(progress, src.id)
                results.append(jobs.run_source(dsn, src, window, run_id, trigger="cli",
                                               on_progress=tracker))
                tracker.stage("done" if results[-1].ok else "failed")
    if as_json:
        out.print_json(json.dumps({"run_id": run_id, "day": str(the_day),
                                   "sources": [r.summary() for r in results]}))
    else:
        out.print(_summary_table(f"autonews run {run_id} — publication day {the_day} (UTC)",
                                 [(r.source_id, r) for r in results]))
    if not all(r.ok for r in results):
        raise typer.Exit(1)


def parse_range(first: str, last: str) -> list[date]:
    start, end = parse_day(first, option="--from"), parse_day(last, option="--to")
    try:
        return jobs.days_between(start, end)
    except ValueError as exc:
        raise UsageProblem(f"--from {start} is after --to {end}: the range is backwards"
                           ) from exc


@app.command()
@friendly
def backfill(
    first: str = typer.Option(..., "--from", help="First UTC day, YYYY-MM-DD (included)."),
    last: str = typer.Option(..., "--to", help="Last UTC day, YYYY-MM-DD (included)."),
    parallel: int = typer.Option(1, "--parallel", min=1, max=16,
                                 help="Days processed at once (one crawl per site at a time)."),
    demo: bool = typer.Option(False, "--demo", help="Backfill the offline demo site."),
    source: str | None = typer.Option(None, "--source", help="Only this source id."),
    sources_file: Path | None = typer.Option(None, "--sources", help="Sources TOML file."),
    demo_port: int = typer.Option(DEMO_PORT, "--demo-port", envvar="AUTONEWS_DEMO_PORT"),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Run every day of a range (idempotent: rerunning a day changes nothing)."""
    from concurrent.futures import ThreadPoolExecutor

    _logging(verbose)
    days = parse_range(first, last)
    with _sources_for(demo, sources_file, source, demo_port) as (sources, _site):
        dsn = resolve_dsn()
        jobs.prepare_warehouse(dsn)
        base = jobs.new_run_id("backfill")
        results: dict[tuple[date, str], jobs.SourceResult] = {}
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, transient=as_json) as progress:
            task = progress.add_task(f"backfill {days[0]}..{days[-1]}",
                                     total=len(days) * len(sources))

            def one_day(day: date) -> None:
                window = jobs.Window.for_day(day)
                for src in sources:
                    results[(day, src.id)] = jobs.run_source(dsn, src, window, f"{base}-{day}",
                                                             trigger="backfill")
                    progress.advance(task)

            with ThreadPoolExecutor(max_workers=parallel) as pool:
                list(pool.map(one_day, days))
    ordered = sorted(results.items())
    if as_json:
        out.print_json(json.dumps({"run_id": base, "days": [
            {"day": str(day), **result.summary()} for (day, _), result in ordered]}))
    else:
        out.print(_summary_table(f"autonews backfill {base}: {days[0]} .. {days[-1]} (UTC)",
                                 [(f"{day} {sid}", r) for (day, sid), r in ordered],
                                 first_column="day / source"))
    if not all(r.ok for r in results.values()):
        raise typer.Exit(1)


@app.command()
@friendly
def reclean(
    first: str = typer.Option(..., "--from", help="First UTC day, YYYY-MM-DD (included)."),
    last: str = typer.Option(..., "--to", help="Last UTC day, YYYY-MM-DD (included)."),
    source: str | None = typer.Option(None, "--source", help="Only this source id."),
    sources_file: Path | None = typer.Option(None, "--sources", help="Sources TOML file."),
    demo: bool = typer.Option(False, "--demo", help="Use the demo site's sources."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Re-extract stored pages of a range with the current cleaner and reload (no crawl)."""
    days = parse_range(first, last)
    if demo:
        sources = load_sources(sources_file or DEMO_SOURCES, {"demo_url": "http://127.0.0.1"},
                               only=source, include_disabled=source is not None)
    else:
        sources = load_sources(sources_file or DEFAULT_SOURCES, only=source)
    window = jobs.Window(jobs.Window.for_day(days[0]).start, jobs.Window.for_day(days[-1]).end)
    dsn = resolve_dsn()
    jobs.prepare_warehouse(dsn)
    run_id = jobs.new_run_id("reclean")
    rows = {src.id: jobs.reclean_source(dsn, src, window, run_id, trigger="reclean")
            for src in sources}
    if as_json:
        out.print_json(json.dumps({"run_id": run_id, "sources": rows}))
        return
    table = Table(title=f"autonews reclean {run_id}: {days[0]} .. {days[-1]} (UTC)")
    for name in ("source", "pages", "articles", "rejected", "changed", "inserted", "unchanged"):
        table.add_column(name, justify="left" if name == "source" else "right")
    for sid, row in rows.items():
        table.add_row(sid, *(str(row.get(k, 0)) for k in ("pages", "articles", "rejected",
                                                          "changed", "inserted", "unchanged")))
    out.print(table)


@app.command("demo-site")
def demo_site(
    host: str = typer.Option("127.0.0.1", help="Address to bind."),
    port: int = typer.Option(DEMO_PORT, help="Port (0 = any free port)."),
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


@app.command()
@friendly
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

    content_type = None
    if target.startswith(("http://", "https://")):
        import urllib.request

        from scrapers.settings import USER_AGENT

        request = urllib.request.Request(target, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                body = response.read(8 * 1024 * 1024)
                content_type = response.headers.get("Content-Type")
        except OSError as exc:
            raise UsageProblem(f"cannot fetch {target}: {exc}") from exc
        page_url = url or target
    else:
        path = Path(target)
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise UsageProblem(f"cannot read {path}: {exc.strerror or exc}") from exc
        page_url = url or path.resolve().as_uri()
    rules = ExtractionRules()
    if source:
        rules = load_sources(sources_file or DEFAULT_SOURCES, only=source,
                             include_disabled=True)[0].rules()
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


@db_app.command("migrate")
@friendly
def db_migrate() -> None:
    """Apply pending warehouse migrations."""
    dsn = resolve_dsn()
    applied = jobs.prepare_warehouse(dsn)
    out.print("applied: " + ", ".join(applied) if applied else "warehouse is up to date")


@db_app.command("status")
@friendly
def db_status() -> None:
    """Show which migrations are applied."""
    from warehouse.connection import connect
    from warehouse.schema import status

    dsn = resolve_dsn()
    with connect(dsn) as conn:
        rows = status(conn)
    table = Table(title=f"warehouse {mask_dsn(dsn)}")
    for name in ("version", "name", "applied at", "note"):
        table.add_column(name)
    for row in rows:
        table.add_row(f"{row['version']:04d}", row["name"],
                      str(row["applied_at"] or "[yellow]pending[/]"),
                      "[red]changed since applied[/]" if row["changed"] else "")
    out.print(table)


@db_app.command("shell")
@friendly
def db_shell() -> None:
    """Open psql on the warehouse (the embedded server stays up while psql runs)."""
    import shutil
    import subprocess

    dsn = resolve_dsn()
    jobs.prepare_warehouse(dsn)
    psql = shutil.which("psql")
    if psql is None:
        import pgserver

        psql = str(Path(pgserver.__file__).parent / "pginstall" / "bin" / "psql")
    raise typer.Exit(subprocess.call([psql, dsn]))


@db_app.command("url")
@friendly
def db_url(
    hold: bool = typer.Option(False, "--hold", help="Keep the embedded server running until "
                              "Ctrl-C, so other tools can connect."),
) -> None:
    """Print the warehouse connection string (password masked) for psql, BI tools, pandas."""
    dsn = resolve_dsn()
    jobs.prepare_warehouse(dsn)
    out.print(mask_dsn(dsn), highlight=False, soft_wrap=True)
    if hold:
        err.print("embedded warehouse held open; Ctrl-C to stop")
        try:
            while True:
                import time

                time.sleep(3600)
        except KeyboardInterrupt:
            pass


cli_warehouse.register(app, db_app)
cli_report.register(app)


def main() -> None:  # pragma: no cover - console entry
    app()
    sys.exit(0)
