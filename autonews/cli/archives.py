"""The data engineers' archive commands: `import-warc`, `export-warc`, and the CC-NEWS side of
`backfill --ccnews` (a thin shell over `autonews.archives`)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from autonews.cli.common import (
    check_quality_config,
    configured,
    demo_site,
    destination,
    enrich_loaded,
    err,
    out,
    print_enrich,
    setup_logging,
    summary_table,
    warehouse_dsn,
)
from autonews.core.errors import BadInput
from autonews.core.results import SourceSummary
from autonews.core.settings import Settings
from autonews.core.source import Source
from autonews.core.vocabulary import Trigger
from autonews.core.window import Window
from autonews.sources import DEMO_SOURCES, load_sources

FILE_COLUMNS = ("records", "responses", "matched", "stored", "already_stored",
                "duplicate_records", "out_of_window", "undated", "other_host", "corrupt",
                "truncated")


def _window(first: str | None, last: str | None) -> Window | None:
    """The range of `--from` / `--to`, both or neither (None: every date)."""
    if first is None and last is None:
        return None
    if first is None or last is None:
        raise BadInput("give both --from and --to (or neither, for every date)")
    return Window.parse(first, last, future=False)


def _sources(settings: Settings, demo: bool, sources_file: Path | None, source: str | None,
             demo_port: int | None) -> list[Source]:
    """The sources records are matched against; with `demo`, the demo's at the port it was
    archived from (its URLs are the articles' identity), without starting the site."""
    if demo:
        port = settings.demo_port if demo_port is None else demo_port
        return load_sources(sources_file or DEMO_SOURCES,
                            {"demo_url": f"http://127.0.0.1:{port}"}, only=source)
    return configured(settings, sources_file, source)


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


def _loaded_window(window: Window | None, days: list[tuple[date, SourceSummary]]
                   ) -> Window | None:
    """What to enrich after an import: its window, else the days it loaded (None: none)."""
    if window is not None:
        return window
    if not days:
        return None
    return Window.days(min(d for d, _ in days), max(d for d, _ in days))


def _finish(kind: str, dsn: str, run_id: str, files: dict[str, Counter[str]],
            errors: dict[str, str], days: list[tuple[date, SourceSummary]],
            window: Window | None, source: str | None, trigger: Trigger, as_json: bool,
            extra: dict[str, Any] | None = None) -> None:
    """Enrich what was loaded, print the files and days, exit 1 when anything failed."""
    enriched: dict[str, Any] | None = None
    enrich_error: str | None = None
    loaded = _loaded_window(window, days)
    if loaded is not None:
        enriched, enrich_error = enrich_loaded(dsn, loaded, f"{run_id}-enrich", trigger,
                                               source)
    if as_json:
        out.print_json(json.dumps({"run_id": run_id, **(extra or {}),
                                   "files": {k: dict(v) for k, v in files.items()},
                                   "errors": errors,
                                   "days": [{"day": str(d), **s.row()} for d, s in days],
                                   "enrich": enriched, "enrich_error": enrich_error}))
    else:
        out.print(_files_table(f"autonews {kind} {run_id}: archive files", files, errors))
        if days:
            out.print(summary_table(f"autonews {kind} {run_id}: days loaded from the archive",
                                    [(f"{d} {s.source_id}", s) for d, s in days],
                                    first_column="day / source"))
        else:
            err.print("no page of a configured source in the window: nothing to load")
        print_enrich(enriched, enrich_error)
        for error in errors.values():
            err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
    if errors or enrich_error or not all(s.ok for _, s in days):
        raise typer.Exit(1)


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
    demo_port: int | None = typer.Option(None, "--demo-port", help="Port the demo site was "
                                         "archived from (default: $AUTONEWS_DEMO_PORT or "
                                         "8765)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Import WARC files: pages of configured sources published in the window are stored,
    then cleaned, gated, loaded and enriched as a crawl's (idempotent)."""
    from autonews.archives.importer import FileProgress, import_warcs

    setup_logging(verbose)
    settings = Settings.from_env()
    window = _window(first, last)
    for target in targets:
        if not target.startswith(("http://", "https://")) and not Path(target).is_file():
            raise BadInput(f"{target}: no such file (give a WARC file path or an "
                           "http(s) URL)")
    sources = _sources(settings, demo, sources_file, source, demo_port)
    check_quality_config(settings, sources)
    dsn = warehouse_dsn(settings)
    with _progress(as_json) as progress:
        tasks: dict[str, TaskID] = {}

        def shown(current: FileProgress) -> None:
            task = tasks.get(current.location)
            if task is None:
                task = tasks[current.location] = progress.add_task(
                    Path(current.location).name, total=current.total_bytes)
            progress.update(task, completed=current.bytes_read,
                            description=f"{Path(current.location).name}: "
                                        f"{current.counts['matched']} pages kept")

        report = import_warcs(dsn, targets, sources, window, settings, on_progress=shown)
    _finish("import-warc", dsn, report.run_id, report.files, report.errors, report.days,
            window, source, Trigger.ARCHIVE, as_json)


def export_warc(
    first: str = typer.Option(..., "--from", help="First UTC publication day, YYYY-MM-DD."),
    last: str = typer.Option(..., "--to", help="Last UTC publication day, included."),
    output: Path = typer.Option(..., "--output", "--out", "-o",  # noqa: B008 - typer style
                                help="WARC file to write; .warc.gz compresses each record."),
    source: str | None = typer.Option(None, "--source", help="Only this source id."),
) -> None:
    """Export the stored raw pages listed in a range as WARC response, request and
    metadata records (`warcio check` / `warcio index` read the file)."""
    from autonews.archives.exporter import export_warc as write_warc

    settings = Settings.from_env()
    window = Window.parse(first, last, future=False)
    # the output is checked before the warehouse is started; a failure leaves no file
    with destination(output) as stream, Progress(
            TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
            transient=True) as progress:
        dsn = warehouse_dsn(settings)
        task = progress.add_task("exporting: 0 pages", total=None)
        count = write_warc(dsn, window, stream, settings, source_id=source,
                           filename=output.name, gzip=output.name.endswith(".gz"),
                           on_page=lambda n: progress.update(
                               task, description=f"exporting: {n:,} pages"))
    err.print(f"exported {count:,} raw pages listed {window} (UTC) to {output}",
              highlight=False, markup=False)


def backfill_ccnews(window: Window, settings: Settings, *, source: str | None,
                    sources_file: Path | None, demo: bool, demo_port: int | None,
                    lag_days: int | None, as_json: bool) -> None:
    """`autonews backfill --ccnews`: the CC-NEWS files of the range, imported with progress
    (files and bytes), resumable, then the days loaded and enriched; with `demo`, the demo
    site's own CC-NEWS-like archive."""
    if demo:
        with demo_site(settings, demo_port) as site:
            sources = load_sources(sources_file or DEMO_SOURCES, {"demo_url": site.url},
                                   only=source)
            _backfill(window, settings, sources, source, f"{site.url}/ccnews", lag_days,
                      as_json)
        return
    _backfill(window, settings, configured(settings, sources_file, source), source, None,
              lag_days, as_json)


def _backfill(window: Window, settings: Settings, sources: list[Source], source: str | None,
              base_url: str | None, lag_days: int | None, as_json: bool) -> None:
    from autonews.archives.ccnews import BackfillProgress, ccnews_backfill

    check_quality_config(settings, sources)
    dsn = warehouse_dsn(settings)
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

        report = ccnews_backfill(dsn, sources, window, settings, base_url=base_url,
                                 lag_days=lag_days, on_progress=shown)
    plan = report.plan
    _finish("backfill --ccnews", dsn, plan.run_id, report.files, report.errors, report.days,
            plan.window, source, Trigger.CCNEWS, as_json,
            {"files_total": len(plan.files), "files_done_before": len(plan.done),
             "lag_days": plan.lag_days, "base_url": plan.base_url})


def register(app: typer.Typer) -> None:
    """Add `import-warc` and `export-warc` to `app` (`backfill --ccnews` is `backfill`'s)."""
    app.command("import-warc")(import_warc)
    app.command("export-warc")(export_warc)
