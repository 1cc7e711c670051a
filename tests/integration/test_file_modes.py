"""Collab's files are its owner's alone: the data directory 0700, the database, its WAL
files, the keys and the exports 0600, made so by `collab` itself (issue 12, item 5).

Every process here starts under umask 022, so only collab can have made its files private.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from tests.integration.conftest import (
    Http,
    free_port,
    isolated_env,
    run_collab,
    serving_alone,
    wait_healthy,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def umask_of(pid: int) -> int:
    """A live process's umask, as Linux reports it (/proc/PID/status, "Umask:")."""
    status = (Path("/proc") / str(pid) / "status").read_text()
    return int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("Umask:")), 8)


def children(pid: int) -> list[int]:
    """The live processes whose parent is `pid` (gunicorn's workers of its master)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat_line = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:  # gone meanwhile
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")"
        if stat_line and int(stat_line.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def assert_private(data: Path) -> None:
    assert mode(data) == 0o700
    assert mode(data / "keys") == 0o700
    for name in ("collab.db", "collab.db-wal", "collab.db-shm"):
        assert mode(data / name) == 0o600, name
    (key,) = (data / "keys").glob("*.key")
    assert mode(key) == 0o600


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """This process under umask 022 for the test; its own umask put back afterwards."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_collab_serve_makes_a_private_data_directory(tmp_path: Path) -> None:
    # Given no data directory yet
    env = isolated_env(tmp_path)
    data = Path(env["COLLAB_DATA_DIR"])
    # When `collab serve` starts on it (under umask 022) and answers
    with serving_alone(env, f"127.0.0.1:{free_port()}", tmp_path) as server:
        workers = children(server.pid)
        # Then the master and every worker run under umask 077
        assert len(workers) == 2
        assert {umask_of(pid) for pid in [server.pid, *workers]} == {0o077}
        # and the data directory, the database, its WAL files and the keys are private
        assert_private(data)
    assert server.returncode == 0


def test_gunicorn_started_directly_still_makes_private_files(tmp_path: Path) -> None:
    # Given gunicorn run on the app without `collab serve` (the WSGI entry point alone)
    env = isolated_env(tmp_path)
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "api.wsgi:app", "--bind", f"127.0.0.1:{port}"]
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [*command, "--workers", "1"], env=env, stdout=out, stderr=out, umask=0o022
        )
        try:
            # When it answers
            wait_healthy(Http(f"http://127.0.0.1:{port}"), server, log)
            # Then its worker runs under umask 077 and the files it made are private
            (worker,) = children(server.pid)
            assert umask_of(worker) == 0o077
            assert_private(Path(env["COLLAB_DATA_DIR"]))
        finally:
            server.terminate()
            server.wait(timeout=15)


def test_an_older_open_data_directory_is_tightened(tmp_path: Path) -> None:
    # Given a data directory and a database an older version left open to others
    env = isolated_env(tmp_path)
    data = Path(env["COLLAB_DATA_DIR"])
    assert run_collab("projections", "status", env=env).returncode == 0
    for path, loose in ((data, 0o755), (data / "keys", 0o755), (data / "collab.db", 0o644)):
        path.chmod(loose)
    with sqlite3.connect(data / "collab.db") as conn:  # a -wal and -shm left behind, 0644
        conn.execute("PRAGMA journal_mode=WAL")
        for name in ("collab.db-wal", "collab.db-shm"):
            (data / name).chmod(0o644)
        # When collab opens it again (the WAL files still there: this connection is open)
        opened = subprocess.run(
            [sys.executable, "-c", "from api.cli import main; main()", "projections", "status"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            umask=0o022,
        )
        assert opened.returncode == 0, opened.stderr
        # Then every one of them is private again, and collab said so
        assert_private(data)
    assert f"{data} was open to others (0755); now 0700" in opened.stderr


def test_an_export_file_is_private(tmp_path: Path) -> None:
    # Given a data directory with a few events, and an export an older version left 0644
    env = isolated_env(tmp_path)
    made = run_collab("actors", "create", "--name", "Ana", "--role", "admin", env=env)
    assert made.returncode == 0, made.stderr
    old = tmp_path / "old.jsonl"
    old.write_text("stale\n")
    old.chmod(0o644)
    for path in (tmp_path / "new.jsonl", old):
        # When `collab audit export` writes it
        exported = run_collab("audit", "export", str(path), env=env)
        assert exported.returncode == 0, exported.stderr
        # Then only its owner may read it
        assert mode(path) == 0o600
        assert path.read_text().startswith('{"format":"collab-audit-export"')


def test_a_command_run_in_process_puts_the_umask_back(
    tmp_path: Path, permissive_umask: None
) -> None:
    # Given this process under umask 022
    env = isolated_env(tmp_path)
    # When a collab command runs in it
    made = CliRunner().invoke(main, ["audit", "keygen"], env=env)
    # Then its files were made under collab's umask (the origin is asked for 0644 and got
    # 0600), and this process has its own umask back
    assert made.exit_code == 0, made.output
    assert mode(Path(env["COLLAB_DATA_DIR"]) / "keys" / "origin") == 0o600
    assert os.umask(0o022) == 0o022
