"""Where the warehouse lives: `AUTONEWS_DSN`, else an embedded PostgreSQL (pgserver)."""

from __future__ import annotations

import logging
import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from autonews.core.errors import WarehouseUnavailable
from autonews.core.secrets import mask_secrets
from autonews.core.settings import DSN_ENV, HOME_ENV, Settings

log = logging.getLogger(__name__)


def _check_writable(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise WarehouseUnavailable(
            f"data directory {path} is not writable ({exc.strerror or exc}); "
            f"set {HOME_ENV} to a writable directory or {DSN_ENV} to a PostgreSQL server"
        ) from exc


class EmbeddedServer:
    """An embedded PostgreSQL in `<home>/pgdata`, started on first use, kept between runs
    (the data) and stopped when the last process using it exits."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._server: Any = None

    def dsn(self) -> str:
        if self._server is None:
            _check_writable(self.home)
            try:
                with warnings.catch_warnings():
                    # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers)
                    warnings.simplefilter("ignore")
                    import pgserver

                logging.getLogger("pgserver").setLevel(logging.WARNING)
                self._server = pgserver.get_server(self.home / "pgdata", cleanup_mode="stop")
            except Exception as exc:  # noqa: BLE001 - pgserver raises many types; all fatal
                log_file = self.home / "pgdata" / "log"
                hint = ""
                if log_file.exists():
                    tail = log_file.read_text(errors="replace").strip().splitlines()[-3:]
                    hint = " | server log: " + " / ".join(tail)
                free = shutil.disk_usage(self.home).free
                if free < 200 * 1024 * 1024:
                    hint += (f" | only {free // (1024 * 1024)} MB free on the disk of "
                             f"{self.home}: free space or set {HOME_ENV} elsewhere")
                raise WarehouseUnavailable(
                    f"could not start the embedded PostgreSQL in {self.home / 'pgdata'}: "
                    f"{type(exc).__name__}: {exc}{hint}"
                ) from exc
        uri: str = self._server.get_uri()
        return uri


_embedded: dict[Path, EmbeddedServer] = {}


def resolve_dsn(settings: Settings) -> str:
    """The configured DSN (`AUTONEWS_DSN`), else the embedded server's (started if needed)."""
    if settings.dsn:
        return settings.dsn
    home = settings.data_home
    server = _embedded.setdefault(home, EmbeddedServer(home))
    return server.dsn()


@contextmanager
def temporary_server(prefix: str = "autonews-pg-") -> Iterator[str]:
    """A throwaway embedded PostgreSQL (tests, benchmarks): its DSN, deleted on exit."""
    import tempfile

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

    home = Path(tempfile.mkdtemp(prefix=prefix))
    server = pgserver.get_server(home / "pgdata", cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(home, ignore_errors=True)


def connect(dsn: str, **kwargs: Any) -> psycopg.Connection[Any]:
    """A psycopg connection, or `WarehouseUnavailable` with a one-line, secret-free reason."""
    try:
        return psycopg.connect(dsn, connect_timeout=10, application_name="autonews", **kwargs)
    except psycopg.Error as exc:  # unreachable, refused, or a malformed DSN
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WarehouseUnavailable(f"cannot connect to the warehouse at {mask_secrets(dsn)}: "
                                   f"{mask_secrets(first)}") from exc
