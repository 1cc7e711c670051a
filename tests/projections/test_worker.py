"""Worker mode: `collab projections run` follows the log in its own process."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator

import pytest

from api.processes import start_worker
from collab.application import Collab
from collab.stores import StoreConfig
from projections.readside import ReadSide
from tests.application.world import World

DEADLINE = 30.0


@pytest.fixture
def worker(durable: StoreConfig) -> Iterator[subprocess.Popen[bytes]]:
    process = start_worker(durable.url, poll=0.2, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    yield process
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=DEADLINE)  # also closes the pipes
    assert process.returncode == 0, err.decode()


def wait_for(read: ReadSide, position: int) -> None:
    """Poll the worker's tracking rows to a deadline (the test never sleeps blindly)."""
    deadline = time.monotonic() + DEADLINE
    while min(read.follower.positions().values()) < position:
        assert time.monotonic() < deadline, f"worker did not reach {position}"
        time.sleep(0.05)


def test_the_worker_projects_commands_issued_by_another_process(
    durable: StoreConfig, worker: subprocess.Popen[bytes]
) -> None:
    app = Collab(durable)
    read = ReadSide(app, durable)  # this process only reads: no follow_commands()
    try:
        world = World(app)
        pid = world.in_force(keys=("a", "b"))
        wait_for(read, app.recorder.max_notification_id() or 0)
        with read.reader() as conn:
            from projections.views import partnership_view

            assert partnership_view(conn, read.tables, pid)["status"] == "active"
        assert worker.poll() is None, "the worker stopped early"
    finally:
        read.close()
        app.close()
