"""What every command shares: the consoles, logging, the settings, the warehouse, the demo
site, the summary table, the enrich stage after loads, and the output file of exports."""

from __future__ import annotations

import logging
import os
import stat
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import psycopg
from rich.console import Console
from rich.table import Table
from rich.text import Text

from autonews.core.errors import AutonewsError, BadInput
from autonews.core.results import SUMMARY_COLUMNS, SourceSummary
from autonews.core.secrets import mask_secrets
from autonews.core.settings import Settings
from autonews.core.source import Source
from autonews.core.window import Window
from autonews.jobs import enrich_window, prepare_warehouse
from autonews.quality import load_thresholds
from autonews.sources import DEFAULT_SOURCES, DEMO_SOURCES, load_sources
from warehouse.connection import connect, resolve_dsn

if TYPE_CHECKING:
    from autonews.demo.site import DemoSite

# Wide enough for the summary table when output goes to a file or a CI log.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)


def print_error(message: str) -> None:
    """One line on stderr: `error: <message>`, secrets masked, never read as markup."""
    err.print(Text.assemble(("error: ", "bold red"), mask_secrets(message)),
              highlight=False, soft_wrap=True)


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def warehouse_dsn(settings: Settings) -> str:
    """The migrated warehouse's DSN (the embedded one is started if needed)."""
    dsn = resolve_dsn(settings)
    prepare_warehouse(dsn)
    return dsn


@contextmanager
def warehouse(settings: Settings) -> Iterator[psycopg.Connection[Any]]:
    """A connection to the migrated warehouse."""
    with connect(warehouse_dsn(settings)) as conn:
        yield conn


@contextmanager
def sources_for(settings: Settings, demo: bool, sources_file: Path | None, source: str | None,
                demo_port: int | None = None, *, include_disabled: bool = False
                ) -> Iterator[list[Source]]:
    """The sources to run. With `demo`, the demo's sources and the demo site serving them
    for the command's duration (on one port across runs: its URLs are the articles'
    identity, so a rerun must see the same). Otherwise `--sources`, else the file
    `AUTONEWS_SOURCES` names, else config/sources.toml, with `{demo_url}` from
    `AUTONEWS_DEMO_URL`."""
    if demo:
        with demo_site(settings, demo_port) as site:
            yield load_sources(sources_file or DEMO_SOURCES, {"demo_url": site.url},
                               only=source, include_disabled=include_disabled)
        return
    yield configured(settings, sources_file, source, include_disabled=include_disabled)


@contextmanager
def demo_site(settings: Settings, demo_port: int | None = None) -> Iterator[DemoSite]:
    """The demo site served on 127.0.0.1 for the command's duration, on `demo_port`, else
    `AUTONEWS_DEMO_PORT`, else 8765."""
    from autonews.demo.site import DemoSite

    port = settings.demo_port if demo_port is None else demo_port
    try:
        site = DemoSite(port=port)
    except OSError as exc:
        raise BadInput(f"cannot serve the demo site on 127.0.0.1:{port} "
                       f"({exc.strerror}); free the port or pass --demo-port") from exc
    with site:
        yield site


def configured(settings: Settings, sources_file: Path | None, source: str | None, *,
               include_disabled: bool = False) -> list[Source]:
    """`--sources`, else the file `AUTONEWS_SOURCES` names, else config/sources.toml, with
    `{demo_url}` from `AUTONEWS_DEMO_URL`."""
    path = sources_file or settings.sources_file or DEFAULT_SOURCES
    substitutions = {"demo_url": settings.demo_url} if settings.demo_url else None
    return load_sources(path, substitutions, only=source, include_disabled=include_disabled)


def check_quality_config(settings: Settings, sources: list[Source]) -> None:
    """A bad quality file is found before any fetch or import, not at the gate."""
    for source in sources:
        load_thresholds(source.id, settings.quality_file)


def summary_table(title: str, rows: list[tuple[str, SourceSummary]],
                  first_column: str = "source") -> Table:
    """One line per (label, source summary): what was found, fetched, loaded, rejected."""
    table = Table(title=title)
    table.add_column(first_column, no_wrap=True)
    for name in SUMMARY_COLUMNS:
        table.add_column(name.replace("_", " "), justify="right", no_wrap=True)
    table.add_column("status", overflow="fold")
    for label, summary in rows:
        row = summary.row()
        status = Text("ok", style="green") if summary.ok else Text(
            mask_secrets(summary.error or "incomplete"), style="red")
        table.add_row(label, *(str(row[c]) for c in SUMMARY_COLUMNS), status)
    return table


def enrich_loaded(dsn: str, window: Window, run_id: str, trigger: str,
                  only: str | Sequence[str] | None) -> tuple[dict[str, Any] | None, str | None]:
    """The enrich stage after the loads (of every source, or only `only`'s): (its counts,
    None) or (None, why it failed). The loads are committed whatever happens here; a
    failure is reported, not hidden."""
    source_ids = [only] if isinstance(only, str) else list(only) if only else None
    try:
        result = enrich_window(dsn, window, run_id, trigger=trigger, source_ids=source_ids)
    except (AutonewsError, psycopg.Error) as exc:
        return None, f"enrich: {mask_secrets(str(exc))}"
    return result.to_counts(), None


def print_enrich(counts: dict[str, Any] | None, error: str | None) -> None:
    """One line on stderr: what the enrich stage did, or why it failed."""
    if error:
        err.print(Text(error, style="red"))
    elif counts:
        err.print(f"enriched {counts['enriched']} articles ({counts['skipped']} already "
                  f"current), {counts['stories']} stories", highlight=False, markup=False)


@contextmanager
def destination(output: Path | None, option: str = "--output") -> Iterator[BinaryIO]:
    """Standard output, or `output` written through a temporary file renamed at the end
    (a failed export leaves no half-written file). Only a regular file (new or existing)
    is replaced: a device, a FIFO, a folder or a link is refused, naming `option`."""
    if output is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    if output.is_symlink() or (output.exists() and not stat.S_ISREG(output.stat().st_mode)):
        raise BadInput(f"{option} {output}: not a regular file (a folder, a device, a FIFO "
                       "or a link is never replaced)")
    folder = output.resolve().parent
    if not folder.is_dir():
        raise BadInput(f"{option} {output}: the folder {folder} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", dir=folder)
    except OSError as exc:
        raise BadInput(f"{option} {output}: cannot write in {folder} "
                       f"({exc.strerror or exc})") from exc
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
