"""`autonews report`: the day's report page, one self-contained HTML file with charts (a thin
shell over `autonews.report_page.write_report`)."""

from __future__ import annotations

import webbrowser
from datetime import timedelta
from pathlib import Path

import typer

from autonews.cli.common import err, out, warehouse_dsn
from autonews.core.errors import BadInput
from autonews.core.settings import Settings
from autonews.core.window import parse_day, today_utc


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
    from autonews.report_page import write_report

    if day is not None:
        the_day = parse_day(day, latest=today_utc())
    elif demo:
        from autonews.demo import catalog

        the_day = catalog.latest_day()
    else:
        the_day = today_utc() - timedelta(days=1)
    if output is not None and not output.expanduser().resolve().parent.is_dir():
        raise BadInput(f"--out {output}: the folder {output.resolve().parent} does not exist")
    settings = Settings.from_env()
    dsn = warehouse_dsn(settings)
    with err.status(f"writing the report of {the_day}..."):
        path = write_report(dsn, the_day, days=days, out=output, run_id=run_id,
                            settings=settings)
    out.print(str(path), highlight=False, soft_wrap=True)
    err.print(f"report of {the_day} (UTC): {path.stat().st_size / 1e6:.2f} MB", highlight=False)
    if open_page and not webbrowser.open(path.resolve().as_uri()):
        err.print(f"no browser could be opened here; open {path} yourself", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `report` to `app`."""
    app.command()(report)
