"""The database administrator's commands: `db migrate`, `db status`, `db shell`, `db url`,
`db prune-raw`."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path

import psycopg
import typer
from rich.table import Table

from autonews.cli.common import err, out, warehouse, warehouse_dsn
from autonews.core.secrets import mask_secrets
from autonews.core.settings import Settings
from autonews.jobs import prepare_warehouse
from warehouse.connection import connect, resolve_dsn


def db_migrate() -> None:
    """Apply pending warehouse migrations."""
    applied = prepare_warehouse(resolve_dsn(Settings.from_env()))
    out.print("applied: " + ", ".join(applied) if applied else "warehouse is up to date")


def db_status() -> None:
    """Show which migrations are applied."""
    from warehouse.schema import status

    dsn = resolve_dsn(Settings.from_env())
    with connect(dsn) as conn:
        rows = status(conn)
    table = Table(title=f"warehouse {mask_secrets(dsn)}")
    for name in ("version", "name", "applied at", "note"):
        table.add_column(name)
    for row in rows:
        table.add_row(f"{row['version']:04d}", row["name"],
                      str(row["applied_at"] or "[yellow]pending[/]"),
                      "[red]changed since applied[/]" if row["changed"] else "")
    out.print(table)


def _psql() -> str:
    found = shutil.which("psql")
    if found:
        return found
    import pgserver

    return str(Path(pgserver.__file__).parent / "pginstall" / "bin" / "psql")


def db_shell() -> None:
    """Open psql on the warehouse (the embedded server stays up while psql runs)."""
    dsn = warehouse_dsn(Settings.from_env())
    # The password goes to psql in its environment, never on its command line (`ps`).
    parts = psycopg.conninfo.conninfo_to_dict(dsn)
    password = parts.pop("password", None)
    env = {**os.environ, **({"PGPASSWORD": str(password)} if password else {})}
    raise typer.Exit(subprocess.call([_psql(), psycopg.conninfo.make_conninfo("", **parts)],
                                      env=env))


def db_url(
    hold: bool = typer.Option(False, "--hold", help="Keep the embedded server running until "
                              "Ctrl-C, so other tools can connect."),
) -> None:
    """Print the warehouse connection string (password masked) for psql, BI tools, pandas."""
    dsn = warehouse_dsn(Settings.from_env())
    out.print(mask_secrets(dsn), highlight=False, soft_wrap=True, markup=False)
    if hold:
        _hold_until_signalled()


def _hold_until_signalled() -> None:
    """Wait for Ctrl-C or SIGTERM, then return (the embedded server is left at exit). Both
    handlers are set here: a command started in the background by a script inherits an
    ignored SIGINT, and a plain SIGTERM would skip the exit that stops the server."""
    stop = threading.Event()
    received: list[int] = []

    def stopping(signum: int, _frame: object) -> None:
        received.append(signum)
        stop.set()

    previous = {sig: signal.signal(sig, stopping) for sig in (signal.SIGINT, signal.SIGTERM)}
    err.print("embedded warehouse held open; Ctrl-C to stop")
    try:
        while not stop.wait(1.0):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    err.print(f"stopped by {signal.Signals(received[0]).name}")


def db_prune_raw(
    older_than: str = typer.Option(..., "--older-than", help="Age of the fetches whose HTML "
                                   "to drop: days or weeks, like 90d or 12w."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only count what would be dropped."),
) -> None:
    """Drop the stored HTML of old fetches (raw_pages.body); articles stay untouched."""
    from datetime import UTC

    from warehouse.retention import parse_age, prune_raw

    age = parse_age(older_than)
    with warehouse(Settings.from_env()) as conn:
        result = prune_raw(conn, age, dry_run=dry_run)
    verb = "would drop" if dry_run else "dropped"
    out.print(f"{verb} the HTML of {result.pages:,} pages ({result.bytes / 1e6:,.1f} MB) "
              f"fetched before {result.cutoff.astimezone(UTC):%Y-%m-%d %H:%M} UTC; "
              "articles untouched", highlight=False)


def register(db_app: typer.Typer) -> None:
    """Add the administrator's commands to `db_app` (`autonews db ...`)."""
    db_app.command("migrate")(db_migrate)
    db_app.command("status")(db_status)
    db_app.command("shell")(db_shell)
    db_app.command("url")(db_url)
    db_app.command("prune-raw")(db_prune_raw)
