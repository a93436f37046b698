"""What every command shares: the consoles, logging, the settings, the warehouse, the demo
site, and the summary table."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table
from rich.text import Text

from autonews.core.errors import BadInput
from autonews.core.results import SUMMARY_COLUMNS, SourceSummary
from autonews.core.secrets import mask_secrets
from autonews.core.settings import Settings
from autonews.core.source import Source
from autonews.jobs import prepare_warehouse
from autonews.sources import DEFAULT_SOURCES, DEMO_SOURCES, load_sources
from warehouse.connection import connect, resolve_dsn

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
        from autonews.demo.site import DemoSite

        port = settings.demo_port if demo_port is None else demo_port
        try:
            site = DemoSite(port=port)
        except OSError as exc:
            raise BadInput(f"cannot serve the demo site on 127.0.0.1:{port} "
                           f"({exc.strerror}); free the port or pass --demo-port") from exc
        with site:
            yield load_sources(sources_file or DEMO_SOURCES, {"demo_url": site.url},
                               only=source, include_disabled=include_disabled)
        return
    yield configured(settings, sources_file, source, include_disabled=include_disabled)


def configured(settings: Settings, sources_file: Path | None, source: str | None, *,
               include_disabled: bool = False) -> list[Source]:
    """`--sources`, else the file `AUTONEWS_SOURCES` names, else config/sources.toml, with
    `{demo_url}` from `AUTONEWS_DEMO_URL`."""
    path = sources_file or settings.sources_file or DEFAULT_SOURCES
    substitutions = {"demo_url": settings.demo_url} if settings.demo_url else None
    return load_sources(path, substitutions, only=source, include_disabled=include_disabled)


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
