"""The data engineers' archive commands: `import-warc`, `export-warc` and the CC-NEWS side of
`backfill --ccnews` (a thin shell over `autonews.archives`)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from autonews import jobs

out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])
FILE_COLUMNS = ("records", "responses", "matched", "stored", "already_stored",
                "duplicate_records", "out_of_window", "undated", "other_host", "corrupt",
                "truncated")


def _window(first: str | None, last: str | None) -> jobs.Window | None:
    from autonews.cli import UsageProblem, parse_range

    if first is None and last is None:
        return None
    if first is None or last is None:
        raise UsageProblem("give both --from and --to (or neither, for every date)")
    days = parse_range(first, last)
    return jobs.Window(jobs.Window.for_day(days[0]).start, jobs.Window.for_day(days[-1]).end)


def _sources(demo: bool, sources_file: Path | None, source: str | None,
             demo_port: int) -> list[Any]:
    """The sources records are matched against; the demo's at its stable port (its URLs
    are the articles' identity), without starting the site."""
    from autonews.sources import DEFAULT_SOURCES, DEMO_SOURCES, load_sources

    if demo:
        return load_sources(sources_file or DEMO_SOURCES,
                            {"demo_url": f"http://127.0.0.1:{demo_port}"}, only=source)
    return load_sources(sources_file or DEFAULT_SOURCES, only=source)


def _files_table(title: str, files: dict[str, Counter[str]], errors: dict[str, str]) -> Table:
    table = Table(title=title)
    table.add_column("file", no_wrap=True)
    for name in FILE_COLUMNS:
        table.add_column(name.replace("_", " "), justify="right")
    for name, counts in files.items():
        table.add_row(Path(name).name, *(str(counts.get(c, 0)) for c in FILE_COLUMNS))
    for name in errors:
        if name not in files:
            table.add_row(f"{Path(name).name} [red]failed[/]", *("–" for _ in FILE_COLUMNS))
    return table


def _print_results(kind: str, run_id: str, files: dict[str, Counter[str]],
                   errors: dict[str, str], days: list[tuple[date, jobs.SourceResult]],
                   as_json: bool, extra: dict[str, Any] | None = None) -> None:
    from autonews.cli import _summary_table

    if as_json:
        out.print_json(json.dumps({"run_id": run_id, **(extra or {}),
                                   "files": {k: dict(v) for k, v in files.items()},
                                   "errors": errors,
                                   "days": [{"day": str(d), **r.summary()} for d, r in days]}))
        return
    out.print(_files_table(f"autonews {kind} {run_id}: archive files", files, errors))
    if days:
        out.print(_summary_table(f"autonews {kind} {run_id}: days loaded from the archive",
                                 [(f"{d} {r.source_id}", r) for d, r in days],
                                 first_column="day / source"))
    else:
        err.print("no page of a configured source in the window: nothing to load")
    for error in errors.values():
        err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)


def _progress(as_json: bool) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                    TransferSpeedColumn(), TimeElapsedColumn(), console=err,
                    transient=as_json)


def import_warc(
    targets: list[str] = typer.Argument(..., help="WARC files (.warc or .warc.gz): paths "
                                        "or http(s) URLs, streamed."),
    first: str | None = typer.Option(None, "--from", help="First UTC publication day "
                                     "(default: every date)."),
    last: str | None = typer.Option(None, "--to", help="Last UTC publication day, included."),
    source: str | None = typer.Option(None, "--source", help="Only this source id."),
    sources_file: Path | None = typer.Option(None, "--sources", help="Sources TOML file."),
    demo: bool = typer.Option(False, "--demo", help="Match the demo site's sources."),
    demo_port: int = typer.Option(8765, "--demo-port", envvar="AUTONEWS_DEMO_PORT",
                                  help="Port the demo site was archived from."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Import WARC files: pages of configured sources published in the window are stored,
    then cleaned, gated and loaded as a crawl's (idempotent)."""
    from autonews.archives.importer import FileProgress, import_warcs
    from autonews.cli import UsageProblem, _logging
    from warehouse.connection import resolve_dsn

    _logging(verbose)
    window = _window(first, last)
    for target in targets:
        if not target.startswith(("http://", "https://")) and not Path(target).is_file():
            raise UsageProblem(f"{target}: no such file (give a WARC file path or an "
                               "http(s) URL)")
    sources = _sources(demo, sources_file, source, demo_port)
    dsn = resolve_dsn()
    jobs.prepare_warehouse(dsn)
    with _progress(as_json) as progress:
        tasks: dict[str, Any] = {}

        def shown(current: FileProgress) -> None:
            task = tasks.get(current.location)
            if task is None:
                task = tasks[current.location] = progress.add_task(
                    Path(current.location).name, total=current.total_bytes)
            progress.update(task, completed=current.bytes_read,
                            description=f"{Path(current.location).name}: "
                                        f"{current.counts['matched']} pages kept")

        report = import_warcs(dsn, targets, sources, window, on_progress=shown)
    _print_results("import-warc", report.run_id, report.files, report.errors, report.days,
                   as_json)
    if not report.ok:
        raise typer.Exit(1)


def export_warc(
    first: str = typer.Option(..., "--from", help="First UTC publication day, YYYY-MM-DD."),
    last: str = typer.Option(..., "--to", help="Last UTC publication day, included."),
    output: Path = typer.Option(..., "--out", "-o", help="WARC file to write; .warc.gz "  # noqa: B008
                                "compresses each record."),
    source: str | None = typer.Option(None, "--source", help="Only this source id."),
) -> None:
    """Export the stored raw pages listed in a range as WARC response, request and
    metadata records (`warcio check` / `warcio index` read the file)."""
    from autonews.archives.exporter import export_warc as write_warc
    from autonews.cli_warehouse import _destination
    from warehouse.connection import resolve_dsn

    window = _window(first, last)
    assert window is not None
    dsn = resolve_dsn()
    jobs.prepare_warehouse(dsn)
    with Progress(TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                  transient=True) as progress:
        task = progress.add_task("exporting: 0 pages", total=None)
        with _destination(output) as stream:
            count = write_warc(dsn, window, stream, source_id=source,
                               filename=output.name, gzip=output.name.endswith(".gz"),
                               on_page=lambda n: progress.update(
                                   task, description=f"exporting: {n:,} pages"))
    err.print(f"exported {count:,} raw pages listed {first}..{last} (UTC) to {output}",
              highlight=False)


def backfill_ccnews(days: list[date], *, source: str | None, sources_file: Path | None,
                    demo: bool, demo_port: int, lag_days: int | None, as_json: bool) -> None:
    """`autonews backfill --ccnews`: the CC-NEWS files of the range, imported with progress
    (files and bytes), resumable; with --demo, the demo site's own CC-NEWS-like archive."""
    from autonews.archives.ccnews import BackfillProgress, CCNewsError, ccnews_backfill
    from autonews.cli import UsageProblem, _sources_for
    from warehouse.connection import resolve_dsn

    with _sources_for(demo, sources_file, source, demo_port) as (sources, site):
        base = f"{site.url}/ccnews" if site is not None else None
        dsn = resolve_dsn()
        jobs.prepare_warehouse(dsn)
        with _progress(as_json) as progress:
            task = progress.add_task("CC-NEWS: listing files", total=None)

            def shown(state: BackfillProgress) -> None:
                current = state.current
                size = current.total_bytes if current else None
                progress.update(
                    task, completed=state.bytes_read,
                    total=None if size is None else state.bytes_done + size,
                    description=f"CC-NEWS files {state.files_done + state.files_skipped}"
                                f"/{state.files_total}"
                                + (f" ({state.files_skipped} done before)"
                                   if state.files_skipped else ""))

            try:
                report = ccnews_backfill(dsn, sources, days[0], days[-1], base_url=base,
                                         lag_days=lag_days, on_progress=shown)
            except CCNewsError as exc:
                raise UsageProblem(str(exc)) from exc
    plan = report.plan
    _print_results("backfill --ccnews", plan.run_id, report.files, report.errors,
                   report.days, as_json,
                   {"files_total": len(plan.files), "files_done_before": len(plan.done),
                    "lag_days": plan.lag_days, "base_url": plan.base_url})
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `import-warc` and `export-warc` to `app`."""
    from autonews.cli import friendly  # here: autonews.cli imports this module

    app.command("import-warc")(friendly(_errors(import_warc)))
    app.command("export-warc")(friendly(_errors(export_warc)))


def _errors(func: F) -> F:
    """Bad input of the archive modules (InvalidInput, ArchiveUnavailable for a listing)
    as the CLI's usage problems."""
    from functools import wraps

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from autonews.cli import UsageProblem
        from warehouse.periods import InvalidInput

        try:
            return func(*args, **kwargs)
        except InvalidInput as exc:
            raise UsageProblem(str(exc)) from exc

    return wrapper  # type: ignore[return-value]

