"""The embedded warehouse under a careless operator and a local attacker: a long
AUTONEWS_HOME as root, a stale postmaster.pid, a kill during the first set-up, a killed
command holding the server (issue 16, items 13 and 14)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.helpers import AUTONEWS, autonews
from warehouse.embedded import SERVER_USER

pytestmark = pytest.mark.e2e
ROOT = os.geteuid() == 0


def _servers(home: Path) -> list[psutil.Process]:
    """The postgres servers (postmasters) running on `home`'s data folder."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] == "postgres" and "-D" in cmdline and \
                str(home / "pgdata") in cmdline:
            found.append(proc)
    return found


@pytest.fixture
def base() -> Iterator[Path]:
    """A folder of the test's own, reachable by the server's user (0755)."""
    folder = Path(tempfile.mkdtemp(prefix="autonews-embedded-"))
    folder.chmod(0o755)
    yield folder
    for server in _servers_below(folder):
        server.terminate()
    subprocess.run(["rm", "-rf", str(folder)], check=False)


def _servers_below(folder: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "postgres" and any(str(folder) in part for part in
                                                   proc.info["cmdline"] or []):
            found.append(proc)
    return found


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "AUTONEWS_HOME": str(home)}
    env.pop("AUTONEWS_DSN", None)
    return env


def _modes(path: Path) -> dict[str, int]:
    return {str(p): stat.S_IMODE(p.stat().st_mode) for p in path.parents}


# Stopping the server ends with a shutdown checkpoint (`pg_ctl stop -m fast -w`): on a busy
# machine's disk that took over 30 s once in CI; these waits are guards, not the assertions.
STOP_SECONDS = 120


def _wait_gone(home: Path, timeout: float = STOP_SECONDS) -> bool:
    deadline = time.monotonic() + timeout
    while _servers(home) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not _servers(home)


def test_a_long_home_keeps_the_socket_private_and_no_outside_folder_changes(base):
    home = base / ("a-long-folder-name-" * 5) / "autonews"
    home.parent.mkdir()
    home.parent.chmod(0o755)
    before = _modes(home)
    holder = subprocess.Popen([str(AUTONEWS), "db", "url", "--hold"], env=_env(home),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        dsn = holder.stdout.readline().strip()
        socket_dir = Path(dsn.split("host=", 1)[1])
        info = socket_dir.stat()
        assert stat.S_IMODE(info.st_mode) == 0o700, oct(info.st_mode)
        owner = os.getuid() if not ROOT else int(
            subprocess.run(["id", "-u", SERVER_USER], capture_output=True,
                           text=True).stdout)
        assert info.st_uid == owner
        assert _modes(home) == before  # not one folder outside AUTONEWS_HOME opened up
        if ROOT:  # another local user cannot reach the trust-authenticated socket
            psql = str(Path(tempfile.gettempdir()))  # any cwd the other user may enter
            done = subprocess.run(
                [_psql(), "-c", "SELECT 1", f"host={socket_dir} user=postgres dbname=postgres"],
                user="nobody", cwd=psql, capture_output=True, text=True, timeout=30)
            assert done.returncode != 0
            assert "Permission denied" in done.stderr
    finally:
        holder.send_signal(signal.SIGINT)
        holder.wait(timeout=STOP_SECONDS)
    assert _wait_gone(home)


def _psql() -> str:
    import pgserver

    return str(Path(pgserver.__file__).parent / "pginstall" / "bin" / "psql")


@pytest.mark.skipif(not ROOT, reason="the server runs as another user only for root")
def test_as_root_a_home_the_server_user_cannot_reach_is_refused_untouched(base):
    private = base / "private"
    private.mkdir(mode=0o700)
    private.chmod(0o700)
    done = autonews(_env(private / "home"), "db", "migrate", timeout=120)
    assert done.returncode == 3, done.stderr
    assert "cannot reach" in done.stderr and "AUTONEWS_HOME" in done.stderr
    assert stat.S_IMODE(private.stat().st_mode) == 0o700


def test_a_stale_pid_file_naming_a_live_process_is_recovered(base):
    home = base / "home"
    assert autonews(_env(home), "db", "migrate", timeout=180).returncode == 0
    assert _wait_gone(home)
    stranger = subprocess.Popen(["sleep", "300"])  # a live process that is not postgres
    try:
        (home / "pgdata" / "postmaster.pid").write_text(
            f"{stranger.pid}\n{home / 'pgdata'}\n{int(time.time())}\n5432\n"
            f"{home / 'pgdata'}\n\n  5432001         0\nready   \n")
        done = autonews(_env(home), "db", "status", timeout=180)
    finally:
        stranger.kill()
        stranger.wait()
    assert done.returncode == 0, done.stderr
    assert "create_core_tables" in done.stdout


def test_a_kill_during_the_first_set_up_is_recovered_by_the_next_run(base):
    home = base / "home"
    proc = subprocess.Popen([str(AUTONEWS), "db", "migrate"], env=_env(home),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    initdb = None
    while initdb is None and time.monotonic() < deadline and proc.poll() is None:
        try:
            for child in psutil.Process(proc.pid).children(recursive=True):
                if child.name() == "initdb":
                    initdb = child
        except psutil.NoSuchProcess:
            pass  # a child ended while we looked
        time.sleep(0.05)
    assert initdb is not None, "initdb was never seen running"
    time.sleep(0.3)  # mid-way
    proc.kill()  # a power cut takes both
    for child in [initdb, *initdb.children(recursive=True)]:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    proc.wait()
    done = autonews(_env(home), "db", "migrate", timeout=180)
    assert done.returncode == 0, done.stderr
    assert autonews(_env(home), "db", "status", timeout=180).returncode == 0


def test_a_killed_command_does_not_leave_the_server_running_for_good(base):
    home = base / "home"
    holder = subprocess.Popen([str(AUTONEWS), "db", "url", "--hold"], env=_env(home),
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert holder.stdout is not None
    holder.stdout.readline()
    holder.kill()  # no exit handler runs
    holder.wait()
    assert _servers(home), "the server outlives a killed command until the next one"
    assert autonews(_env(home), "db", "migrate", timeout=180).returncode == 0
    assert _wait_gone(home), "the next command, the last user, stopped it"


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_held_server_stops_on_ctrl_c_or_sigterm_even_started_in_the_background(base, sig):
    """A script's background job inherits an ignored SIGINT (`cmd &`), and a service manager
    stops with SIGTERM: either way the hold ends and the server stops with it."""
    home = base / "home"
    holder = subprocess.Popen([str(AUTONEWS), "db", "url", "--hold"], env=_env(home),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              preexec_fn=_ignore_sigint)
    assert holder.stdout is not None and holder.stderr is not None
    holder.stdout.readline()
    assert "held open" in holder.stderr.readline()
    assert _servers(home)
    holder.send_signal(sig)
    try:
        assert holder.wait(timeout=STOP_SECONDS) == 0
    finally:
        holder.kill()
    assert f"stopped by {signal.Signals(sig).name}" in holder.stderr.read()
    assert _wait_gone(home)
