"""The embedded PostgreSQL: pgserver's binaries, run so that only their owner reaches them.

`pgserver.get_server` would do, but it opens what it should not: as root it runs the server
as user `pgserver` and chmods every parent folder of the data up to `/` to 0755, and with a
long data path it puts the socket in a shared runtime folder it makes world-writable, with
trust authentication: any local user then connects as superuser. It also trusts a stale
`postmaster.pid` whose number a live process now has, and a data folder a killed `initdb`
left half-made, failing on every later run until someone deletes files.

Here, under a lock file in `AUTONEWS_HOME`:
- the socket lives in the data folder (mode 0700), or when that path is too long for a
  socket, in a fresh private folder (mode 0700, owned by the server's user); nothing
  outside `AUTONEWS_HOME` changes mode: as root, a data folder the `pgserver` user cannot
  reach is refused with what to do;
- `initdb` runs in a scratch folder renamed into place when complete; the remains of a
  killed one are moved aside;
- a `postmaster.pid` whose process is not this data folder's postgres is stale: removed;
- every process using the server registers; the last one to leave stops it, and processes
  that died without leaving (killed) are forgotten, so a kill never leaves it running for
  good.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import pwd
import shlex
import shutil
import stat
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

log = logging.getLogger(__name__)

SERVER_USER = "pgserver"  # who runs postgres when we are root (postgres refuses root)
SOCKET_NAME = ".s.PGSQL.5432"
MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes on Linux, 104 on macOS
START_TIMEOUT = 60


class EmbeddedError(RuntimeError):
    """The embedded server cannot be set up or started; the message says why."""


def _bin(name: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        from pgserver._commands import POSTGRES_BIN_PATH
    return str(POSTGRES_BIN_PATH / name)


def _server_user() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver.utils import ensure_user_exists
    entry = ensure_user_exists(SERVER_USER)
    assert entry is not None
    return entry


def _searchable_by(path: Path, user: pwd.struct_passwd) -> bool:
    info = path.stat()
    if info.st_uid == user.pw_uid:
        return bool(info.st_mode & stat.S_IXUSR)
    if info.st_gid == user.pw_gid or info.st_gid in os.getgrouplist(user.pw_name,
                                                                      user.pw_gid):
        return bool(info.st_mode & stat.S_IXGRP)
    return bool(info.st_mode & stat.S_IXOTH)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _process_key(pid: int) -> list[float] | None:
    try:
        return [pid, psutil.Process(pid).create_time()]
    except psutil.Error:
        return None


class EmbeddedServer:
    """The embedded PostgreSQL of `home` (`home/pgdata`): `start()` gives its DSN, started
    if needed and this process registered as a user; `leave()` (at exit) stops it when no
    live process uses it any more."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.pgdata = home / "pgdata"
        self.user = _server_user()
        self._lock = home / ".pgserver.lock"
        self._users = home / ".pgserver.users"
        self._dsn: str | None = None

    # ------------------------------------------------------------ public

    def start(self) -> str:
        """The server's DSN: initialised and started if needed, this process registered."""
        if self._dsn is not None:
            return self._dsn
        self._check_reachable()
        with _locked(self._lock):
            self._init_if_needed()
            socket_dir = self._running_socket_dir() or self._start()
            self._register(os.getpid(), add=True)
        self._dsn = f"postgresql://postgres:@/postgres?host={socket_dir}"
        return self._dsn

    def leave(self) -> None:
        """This process no longer uses the server: the last live user stops it."""
        if self._dsn is None:
            return
        self._dsn = None
        with _locked(self._lock):
            if not self._register(os.getpid(), add=False):
                self.stop()

    def stop(self) -> None:
        """Stop the server now (fast shutdown) and remove a private socket folder."""
        socket_dir = self._running_socket_dir()
        if socket_dir is None:
            return
        self._run([_bin("pg_ctl"), "-D", str(self.pgdata), "-m", "fast", "-w", "stop"],
                  check=False)
        if socket_dir != self.pgdata:
            shutil.rmtree(socket_dir, ignore_errors=True)

    # ------------------------------------------------------------ reachability

    def _check_reachable(self) -> None:
        """As root the server runs as `pgserver`: it must reach `home` without any folder
        outside `home` opened up. `home` itself gets search permission (o+x), not more."""
        if self.user is None:
            return
        info = self.home.stat()
        if not _searchable_by(self.home, self.user):
            self.home.chmod(info.st_mode | stat.S_IXOTH)
        for parent in self.home.resolve().parents:
            if not _searchable_by(parent, self.user):
                raise EmbeddedError(
                    f"running as root, the embedded PostgreSQL runs as user '{SERVER_USER}', "
                    f"which cannot reach {self.pgdata}: {parent} is mode "
                    f"{stat.S_IMODE(parent.stat().st_mode):04o}. Set AUTONEWS_HOME to a "
                    f"folder it can reach (e.g. /var/lib/autonews), or AUTONEWS_DSN to a "
                    "PostgreSQL server; no folder outside AUTONEWS_HOME is changed")

    # ------------------------------------------------------------ initdb

    def _init_if_needed(self) -> None:
        if (self.pgdata / "global" / "pg_control").exists():
            return
        for leftover in self.home.glob(".pgdata-init-*"):  # a killed initdb's scratch
            pid = leftover.name.rsplit("-", 1)[-1]
            if not (pid.isdigit() and psutil.pid_exists(int(pid))):
                shutil.rmtree(leftover, ignore_errors=True)
        if self.pgdata.exists() and any(self.pgdata.iterdir()):
            aside = self.home / f"pgdata.incomplete-{datetime.now(UTC):%Y%m%dT%H%M%S}"
            log.warning("%s holds no complete database (an interrupted set-up?); moved to %s",
                        self.pgdata, aside)
            self.pgdata.rename(aside)
        scratch = self.home / f".pgdata-init-{os.getpid()}"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(mode=0o700)
        self._own(scratch)
        try:
            self._run([_bin("initdb"), "-D", str(scratch), "--auth=trust",
                       "--auth-local=trust", "--encoding=utf8", "-U", "postgres"])
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        if self.pgdata.exists():
            self.pgdata.rmdir()  # empty (checked above)
        scratch.rename(self.pgdata)

    # ------------------------------------------------------------ start

    def _running_socket_dir(self) -> Path | None:
        """The socket folder of this data folder's live server, or None (a stale
        `postmaster.pid` is removed on the way)."""
        pidfile = self.pgdata / "postmaster.pid"
        try:
            lines = pidfile.read_text().splitlines()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise EmbeddedError(f"cannot read {pidfile}: {exc.strerror or exc}") from exc
        pid = int(lines[0]) if lines and lines[0].strip().isdigit() else 0
        if pid and self._is_our_postmaster(pid):
            socket_dir = Path(lines[4].strip()) if len(lines) > 4 and lines[4].strip() \
                else self.pgdata
            status = lines[7].strip() if len(lines) > 7 else ""
            if status == "ready" and (socket_dir / SOCKET_NAME).exists():
                return socket_dir
            self._wait_ready(socket_dir)
            return socket_dir
        log.warning("removing stale %s (process %s is not this database's server)", pidfile,
                    pid or "?")
        pidfile.unlink(missing_ok=True)
        return None

    def _is_our_postmaster(self, pid: int) -> bool:
        try:
            process = psutil.Process(pid)
            if process.name() != "postgres":
                return False
            return str(self.pgdata) in " ".join(process.cmdline()) or \
                Path(process.cwd()) == self.pgdata
        except psutil.Error:
            return False

    def _start(self) -> Path:
        socket_dir = self.pgdata
        if len(str(self.pgdata / SOCKET_NAME)) > MAX_SOCKET_PATH:
            # too long for a socket: a fresh folder only the server's user can enter
            socket_dir = Path(tempfile.mkdtemp(prefix="autonews-pg-"))
            self._own(socket_dir)
        options = (f"-h '' -k {shlex.quote(str(socket_dir))} "
                   "-c unix_socket_permissions=0700")
        try:
            self._run([_bin("pg_ctl"), "-D", str(self.pgdata), "-w", "-t",
                       str(START_TIMEOUT), "-o", options, "-l", str(self.pgdata / "log"),
                       "start"], timeout=START_TIMEOUT + 10)
        except BaseException:
            if socket_dir != self.pgdata:
                shutil.rmtree(socket_dir, ignore_errors=True)
            raise
        self._wait_ready(socket_dir)
        return socket_dir

    def _wait_ready(self, socket_dir: Path) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not (socket_dir / SOCKET_NAME).exists():
            if time.monotonic() > deadline:
                raise EmbeddedError(f"the embedded PostgreSQL in {self.pgdata} did not "
                                    f"open its socket in {socket_dir}")
            time.sleep(0.1)

    # ------------------------------------------------------------ users of the server

    def _register(self, pid: int, *, add: bool) -> bool:
        """Add or remove `pid` among the server's users (dead ones are dropped); whether
        any live user remains."""
        try:
            users = json.loads(self._users.read_text())
        except (OSError, ValueError):
            users = []
        alive = [u for u in users if isinstance(u, list) and len(u) == 2
                 and _process_key(int(u[0])) == u and int(u[0]) != pid]
        if add and (key := _process_key(pid)) is not None:
            alive.append(key)
        self._users.write_text(json.dumps(alive))
        return bool(alive)

    # ------------------------------------------------------------ helpers

    def _own(self, path: Path) -> None:
        if self.user is not None:
            os.chown(path, self.user.pw_uid, self.user.pw_gid)

    def _run(self, command: list[str], *, check: bool = True, timeout: float = 300) -> None:
        kwargs: dict[str, Any] = {}
        if self.user is not None:
            kwargs["user"] = self.user.pw_uid
            kwargs["group"] = self.user.pw_gid
            kwargs["extra_groups"] = []
            kwargs["env"] = {**os.environ, "HOME": self.user.pw_dir}
        with tempfile.TemporaryFile() as output:
            # a file, not a pipe: pg_ctl's server inherits stdout and would hold a pipe open
            done = subprocess.run(command, stdout=output, stderr=subprocess.STDOUT,
                                  timeout=timeout, cwd="/", **kwargs)
            if check and done.returncode != 0:
                output.seek(0)
                text = output.read().decode("utf-8", "replace").strip().splitlines()
                raise EmbeddedError(f"{Path(command[0]).name} failed (exit "
                                    f"{done.returncode}): {' / '.join(text[-3:])}")
