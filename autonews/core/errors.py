"""One error base for the whole pipeline; each kind carries the exit code the CLI returns."""

from __future__ import annotations

from typing import ClassVar


class AutonewsError(Exception):
    """An expected failure whose message is safe to show a person as one line.

    `retryable` says whether running the same thing again soon can succeed (a scheduler
    retries those; the others fail at once and alert)."""

    exit_code: ClassVar[int] = 1
    retryable: ClassVar[bool] = False


class BadInput(AutonewsError):
    """A date, range, option or value a person typed is not valid; the message says how to
    fix it."""

    exit_code: ClassVar[int] = 2


class ConfigError(BadInput):
    """A configuration file that cannot be used; the message names file, source and key."""


class WarehouseError(AutonewsError):
    """The warehouse cannot be used."""

    exit_code: ClassVar[int] = 3
    retryable: ClassVar[bool] = True


class WarehouseUnavailable(WarehouseError):
    """The warehouse cannot be reached or started."""


class MigrationError(WarehouseError):
    """A migration failed, or the database holds a migration this code does not know."""


class StageFailed(AutonewsError):
    """A stage of one source could not do its job; the message says why (and is stored in
    `pipeline_runs`)."""

    exit_code: ClassVar[int] = 1
    retryable: ClassVar[bool] = True


class GateFailed(StageFailed):
    """The quality gate refused the day: a verdict, not a glitch (fix rules or thresholds)."""

    retryable: ClassVar[bool] = False


class SiteDown(StageFailed):
    """No discovery document of the site could be fetched (every connection refused, DNS
    gone...): retrying in a minute does not bring a site back."""

    retryable: ClassVar[bool] = False


class StageInputMissing(StageFailed):
    """What a stage reads from an earlier stage of the same run is missing or stale (no clean
    recorded, staged rows gone): rerun from that earlier stage; retrying this one cannot
    help."""

    retryable: ClassVar[bool] = False


class SiteBusy(StageFailed):
    """Another crawl of the same site holds its lock: try again later."""

    retryable: ClassVar[bool] = True


class ArchiveUnavailable(AutonewsError):
    """A web-archive file or listing could not be opened, or its download broke off; the
    message names it. Another try can succeed (a mirror back up, a network glitch)."""

    exit_code: ClassVar[int] = 1
    retryable: ClassVar[bool] = True
