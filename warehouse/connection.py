"""Where the warehouse lives: `AUTONEWS_DSN`, else an embedded PostgreSQL (pgserver)."""

from __future__ import annotations

import atexit
import logging
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from autonews.core.errors import WarehouseUnavailable
from autonews.core.secrets import mask_secrets
from autonews.core.settings import DSN_ENV, HOME_ENV, Settings
from warehouse.embedded import EmbeddedError, EmbeddedServer

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


class _Embedded:
    """The embedded server of one `AUTONEWS_HOME`, for this process: started on first use,
    left (stopped if no other process uses it) when the process exits."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._server: EmbeddedServer | None = None

    def dsn(self) -> str:
        if self._server is None:
            _check_writable(self.home)
            server = EmbeddedServer(self.home)
            try:
                dsn = server.start()
            except (EmbeddedError, OSError, subprocess.SubprocessError) as exc:
                raise WarehouseUnavailable(self._explain(exc)) from exc
            atexit.register(server.leave)
            self._server = server
            return dsn
        return self._server.start()

    def _explain(self, exc: BaseException) -> str:
        if isinstance(exc, EmbeddedError) and "cannot reach" in str(exc):
            return str(exc)
        log_file = self.home / "pgdata" / "log"
        hint = ""
        if log_file.exists():
            tail = log_file.read_text(errors="replace").strip().splitlines()[-3:]
            hint = " | server log: " + " / ".join(tail)
        free = shutil.disk_usage(self.home).free
        if free < 200 * 1024 * 1024:
            hint += (f" | only {free // (1024 * 1024)} MB free on the disk of "
                     f"{self.home}: free space or set {HOME_ENV} elsewhere")
        return (f"could not start the embedded PostgreSQL in {self.home / 'pgdata'}: "
                f"{type(exc).__name__}: {exc}{hint}")


_embedded: dict[Path, _Embedded] = {}


def resolve_dsn(settings: Settings) -> str:
    """The configured DSN (`AUTONEWS_DSN`), else the embedded server's (started if needed)."""
    if settings.dsn:
        return settings.dsn
    home = settings.data_home
    server = _embedded.setdefault(home, _Embedded(home))
    return server.dsn()


# A throwaway server's data is deleted on exit: it need not survive a crash of the machine.
_NOT_DURABLE = ("ALTER SYSTEM SET fsync = off", "ALTER SYSTEM SET synchronous_commit = off",
                "ALTER SYSTEM SET full_page_writes = off", "SELECT pg_reload_conf()")


@contextmanager
def temporary_server(prefix: str = "autonews-pg-", *, durable: bool = True) -> Iterator[str]:
    """A throwaway embedded PostgreSQL (tests, benchmarks): its DSN, deleted on exit.
    `durable=False` turns off flushing to disk (the test suite: every test creates and drops
    a database, each an fsync of its files); benchmarks keep the default, as a real server."""
    import tempfile

    home = Path(tempfile.mkdtemp(prefix=prefix))
    server = EmbeddedServer(home)
    try:
        dsn = server.start()
        if not durable:
            with psycopg.connect(dsn, autocommit=True) as conn:
                for statement in _NOT_DURABLE:
                    conn.execute(statement)
        yield dsn
    finally:
        server.leave()
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


# TCP keepalives: a NAT or firewall that drops idle flows does not cut a connection that
# waits (a lock held through a crawl); ignored on Unix sockets.
_CONNECT_DEFAULTS: dict[str, Any] = {
    "connect_timeout": 10, "application_name": "autonews", "keepalives": 1,
    "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3,
}


def connect(dsn: str, **kwargs: Any) -> psycopg.Connection[Any]:
    """A psycopg connection, or `WarehouseUnavailable` with a one-line, secret-free reason."""
    try:
        return psycopg.connect(dsn, **{**_CONNECT_DEFAULTS, **kwargs})
    except psycopg.Error as exc:  # unreachable, refused, or a malformed DSN
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WarehouseUnavailable(f"cannot connect to the warehouse at {mask_secrets(dsn)}: "
                                   f"{mask_secrets(first)}") from exc


def ping(conn: psycopg.Connection[Any]) -> None:
    """One round trip on `conn` (keeps it from idling out; raises if it is gone)."""
    with conn.transaction():
        conn.execute("SELECT 1")
