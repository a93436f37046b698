"""One error base for the whole pipeline; each kind carries the exit code the CLI returns."""

from __future__ import annotations

from typing import ClassVar


class AutonewsError(Exception):
    """An expected failure whose message is safe to show a person as one line."""

    exit_code: ClassVar[int] = 1


class BadInput(AutonewsError):
    """A date, range, option or value a person typed is not valid; the message says how to
    fix it."""

    exit_code: ClassVar[int] = 2


class ConfigError(BadInput):
    """A configuration file that cannot be used; the message names file, source and key."""


class WarehouseError(AutonewsError):
    """The warehouse cannot be used."""

    exit_code: ClassVar[int] = 3


class WarehouseUnavailable(WarehouseError):
    """The warehouse cannot be reached or started."""


class MigrationError(WarehouseError):
    """A migration failed, or the database holds a migration this code does not know."""


class StageFailed(AutonewsError):
    """A stage of one source could not do its job; the message says why (and is stored in
    `pipeline_runs`)."""

    exit_code: ClassVar[int] = 1
