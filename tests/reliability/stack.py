"""The server-mode stack under test: its processes found in /proc, killed, restarted; and
what the database holds afterwards (the log, the idempotency rows, the views' positions)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from collab.stores import StoreConfig
from tests.integration.conftest import SERVER_PROCESSES, Served, collab, run_collab

FOLLOWER, SEALER, _DUE = SERVER_PROCESSES  # the due-date processor: not under these faults
CONVERGE_DEADLINE = 30.0  # seconds for the follower and the sealer to reach the head


def children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (read from /proc, no psutil)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")"
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def cmdline(pid: int) -> list[str]:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_text().split("\0")
    except OSError:
        return []


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent's wait() counts as dead)."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@dataclass
class Stack:
    """gunicorn (master + workers), the follower and the sealer of one `serve()`."""

    served: Served
    config: StoreConfig
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def one(self, *args: str) -> int:
        """The live child of this test process whose command line holds `args` in order."""
        for pid in children(os.getpid()):
            line = cmdline(pid)
            if alive(pid) and any(line[i : i + len(args)] == list(args) for i in range(len(line))):
                return pid
        raise LookupError(f"no live process running {args}")

    def master(self) -> int:
        return self.one("api.wsgi:app")

    def workers(self) -> list[int]:
        return [pid for pid in children(self.master()) if alive(pid)]

    def follower(self) -> int:
        return self.one(*FOLLOWER[:2])

    def sealer(self) -> int:
        return self.one(*SEALER[:3])

    def kill(self, pid: int) -> None:
        """kill -9, and wait until it is gone (or reaped into a zombie)."""
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while alive(pid):
            assert time.monotonic() < deadline, f"process {pid} survived SIGKILL"
            time.sleep(0.01)  # polling the kernel to a deadline

    def start(self, args: tuple[str, ...]) -> subprocess.Popen[bytes]:
        """Another `collab ARGS` (a follower or a sealer), as the harness starts them."""
        log = open(self.served.data_dir / "restarted.log", "ab")  # noqa: SIM115  # child's
        proc = collab(*args, env=self.served.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()  # the child holds its own descriptor
        self.started.append(proc)
        return proc

    def stop_started(self) -> None:
        for proc in self.started:
            proc.terminate()
        for proc in self.started:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    # -- the database, read directly ---------------------------------------------------------

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(**self.config.psycopg_kwargs(), autocommit=True) as conn:
            return list(conn.execute(query, params or None).fetchall())

    def log(self, after: int = 0) -> list[tuple[int, str, int, str]]:
        """(position, stream, version, topic) of every stored event after `after`."""
        rows = self.sql(
            "SELECT notification_id, originator_id::text, originator_version, topic "
            "FROM collab_events WHERE notification_id > %s ORDER BY notification_id",
            after,
        )
        return [(int(p), str(s), int(v), str(t)) for p, s, v, t in rows]

    def events(self) -> int:
        """How many events are stored (fewer than the head where positions have gaps)."""
        return int(self.sql("SELECT count(*) FROM collab_events")[0][0])

    def head(self) -> int:
        return int(self.sql("SELECT coalesce(max(notification_id), 0) FROM collab_events")[0][0])

    def idempotency(self) -> dict[str, str]:
        """Idempotency key -> the positions recorded with it (JSON text)."""
        rows = self.sql("SELECT idempotency_key, positions FROM collab_idempotency")
        return {str(k): str(p) for k, p in rows}

    def tracking(self) -> dict[str, int]:
        return {str(n): int(p) for n, p in self.sql("SELECT projection, position FROM rm_tracking")}

    def wait_caught_up(self) -> int:
        """Every projection (views and audit leaves) at the head; the head."""
        deadline = time.monotonic() + CONVERGE_DEADLINE
        while True:
            head, tracking = self.head(), self.tracking()
            if tracking and min(tracking.values()) >= head:
                return head
            assert time.monotonic() < deadline, f"views stuck at {tracking}, head {head}"
            time.sleep(0.1)  # polling the follower process to a deadline

    def wait_sealed(self, leaves: int) -> int:
        """The size of the checkpoint kept once the sealer has signed `leaves` leaves."""
        kept = self.served.data_dir / "keys" / "checkpoint"
        deadline = time.monotonic() + CONVERGE_DEADLINE
        while True:
            size = int(kept.read_text().splitlines()[1]) if kept.exists() else 0
            if size >= leaves:
                return size
            assert time.monotonic() < deadline, f"checkpoint stuck at {size} of {leaves}"
            time.sleep(0.1)  # polling the sealer process to a deadline

    def collab(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_collab(*args, env=self.served.env)
