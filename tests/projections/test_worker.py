"""Worker mode: `collab projections run` follows the log in its own process."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
import sqlalchemy.exc

from api.processes import start_worker
from api.wiring import open_read_side
from collab.application import Collab
from collab.stores import StoreConfig
from projections.readside import ReadSide
from projections.worker import follow
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
    read = open_read_side(app, durable)  # this process only reads: no follow_commands()
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


def test_the_worker_waits_out_a_database_outage_then_catches_up(
    durable: StoreConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a read side whose first two catch-ups fail as a dropped connection does
    app = Collab(durable)
    read = open_read_side(app, durable)
    world = World(app)
    world.org("a", "public")
    head = app.recorder.max_notification_id() or 0
    real, failures = read.catch_up, []

    def flaky(until: int | None = None) -> int:
        if len(failures) < 2:
            failures.append(1)
            raise sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("server closed"))
        return real(until)

    monkeypatch.setattr(read, "catch_up", flaky)
    stop, reached = threading.Event(), []

    def on_batch(position: int) -> None:
        reached.append(position)
        stop.set()

    # When the worker follows the log
    follow(read, durable, stop, poll=0.01, on_batch=on_batch)
    # Then it survived both failures and caught up to the head
    assert len(failures) == 2 and reached == [head]
    assert min(read.follower.positions().values()) == head
    read.close()
    app.close()
