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

from autonews import jobs
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
            err.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(2) from exc
        except WarehouseUnavailable as exc:
            err.print(f"[bold red]error:[/] {mask_dsn(str(exc))}", highlight=False)
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


def _summary_table(title: str, results: list[jobs.SourceResult]) -> Table:
    table = Table(title=title)
    columns = ("source", "discovered", "fetched", "not_modified", "failed", "inserted",
               "updated", "unchanged", "rejected")
    for name in columns:
        table.add_column(name.replace("_", " "), justify="left" if name == "source" else "right",
                         no_wrap=True)
    table.add_column("status", overflow="fold")
    for result in results:
        row = result.summary()
        status = "[green]ok[/]" if result.ok else f"[red]{row['error']}[/]"
        table.add_row(*(str(row[c]) for c in columns), status)
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
                                 results))
    if not all(r.ok for r in results):
        raise typer.Exit(1)


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


def main() -> None:  # pragma: no cover - console entry
    app()
    sys.exit(0)
