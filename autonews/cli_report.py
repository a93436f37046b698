"""`autonews report`: the day's report page, one self-contained HTML file with charts (a thin
shell over `autonews.report_page.write_report`)."""

from __future__ import annotations

import sys
import webbrowser
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
from rich.console import Console

from autonews import jobs
from warehouse.connection import resolve_dsn

out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)


def report(
    day: str | None = typer.Option(None, "--date", help="UTC publication day, YYYY-MM-DD "
                                   "(default: yesterday; with --demo, the demo's latest day)."),
    days: int = typer.Option(14, "--days", min=1, max=366,
                             help="Days of history in the charts, the day included."),
    output: Path | None = typer.Option(None, "--out", "-o",  # noqa: B008 - typer style
                                       help="HTML file to write (default: "
                                       "$AUTONEWS_REPORTS or $AUTONEWS_HOME/reports/"
                                       "autonews-report-DAY.html)."),
    run_id: str | None = typer.Option(None, "--run", help="Show this run's stages (default: "
                                      "each source's latest run of the day)."),
    demo: bool = typer.Option(False, "--demo", help="Default to the demo's latest day (the "
                              "warehouse `scripts/demo` filled)."),
    open_page: bool = typer.Option(False, "--open", help="Open the page in the browser."),
) -> None:
    """Write the day's report page: each source's run (failures first, in plain words), the
    last days in charts, what the news was about, links to every article."""
    from autonews.cli import UsageProblem, parse_day
    from autonews.report_page import write_report
    from warehouse.periods import InvalidInput

    if day is not None:
        the_day = parse_day(day)
    elif demo:
        from autonews.demo import catalog

        the_day = catalog.latest_day()
    else:
        the_day = datetime.now(UTC).date() - timedelta(days=1)
    if output is not None and not output.expanduser().resolve().parent.is_dir():
        raise UsageProblem(f"--out {output}: the folder {output.resolve().parent} does not "
                           "exist")
    dsn = resolve_dsn()
    jobs.prepare_warehouse(dsn)
    with err.status(f"writing the report of {the_day}..."):
        try:
            path = write_report(dsn, the_day, days=days, out=output, run_id=run_id)
        except InvalidInput as exc:
            raise UsageProblem(str(exc)) from exc
    out.print(str(path), highlight=False, soft_wrap=True)
    err.print(f"report of {the_day} (UTC): {path.stat().st_size / 1e6:.2f} MB", highlight=False)
    if open_page and not webbrowser.open(path.resolve().as_uri()):
        err.print(f"no browser could be opened here; open {path} yourself", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `report` to `app`."""
    from autonews.cli import friendly  # here: autonews.cli imports this module

    app.command("report")(friendly(report))
