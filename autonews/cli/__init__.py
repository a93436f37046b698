"""The `autonews` command line: a thin shell over `autonews.jobs` and the warehouse, split
by audience (pipeline, analysts, enrichment, archives, report, database admin). Errors
become one line and an exit code in one place, `_Commands.invoke`."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from autonews.cli import admin, analysts, archives, enrichment, pipeline, report
from autonews.cli.common import print_error
from autonews.core.errors import AutonewsError


class _Commands(TyperGroup):
    """Every expected failure of every command: one line on stderr and its exit code
    (2 bad input, 3 warehouse, 1 a failed source)."""

    def invoke(self, ctx: Any) -> Any:  # typer's own (vendored) click.Context
        try:
            return super().invoke(ctx)
        except AutonewsError as exc:
            print_error(str(exc))
            raise typer.Exit(exc.exit_code) from exc


app = typer.Typer(cls=_Commands, help="Crawl, clean and warehouse automotive news.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Warehouse maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
pipeline.register(app)
analysts.register(app)
enrichment.register(app)
archives.register(app)
report.register(app)
admin.register(db_app)
