"""Worker mode: `collab projections run` follows the log in its own process."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator

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


class Batches:
    """The worker's catch-ups, each with the time it ended; `then` runs an action after
    the n-th (in the worker's thread); the worker stops after `steps` catch-ups."""

    def __init__(self, steps: int) -> None:
        self.stop, self.steps = threading.Event(), steps
        self.reached: list[int] = []
        self.at: list[float] = []
        self.actions: dict[int, Callable[[], object]] = {}

    def then(self, n: int, action: Callable[[], object]) -> None:
        self.actions[n] = action

    def __call__(self, position: int) -> None:
        self.reached.append(position)
        self.at.append(time.monotonic())
        n = len(self.reached)
        if n in self.actions:
            self.actions[n]()
        if n == self.steps:
            self.stop.set()


def later(seconds: float, action: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=lambda: (time.sleep(seconds), action()))
    thread.start()
    return thread


@pytest.fixture
def listened(postgres_config: StoreConfig) -> Iterator[tuple[World, ReadSide]]:
    app = Collab(postgres_config)
    read = open_read_side(app, postgres_config)
    world = World(app)
    world.org("a", "public")
    yield world, read
    read.close()
    app.close()


@pytest.mark.postgres
def test_a_busy_worker_lingers_after_a_wake_up_and_takes_in_commands_meanwhile(
    listened: tuple[World, ReadSide],
) -> None:
    # Given a worker lingering a second after a wake-up when its last catch-up found work
    world, read = listened
    batches, positions = Batches(steps=3), []

    def commit(key: str) -> None:
        world.org(key)
        positions.append(world.app.recorder.max_notification_id() or 0)

    batches.then(1, lambda: commit("first"))  # its catch-up (the second) finds work
    # When, after that busy catch-up, one command wakes the worker and another commits
    # 0.3 s later
    threads: list[threading.Thread] = []
    batches.then(
        2,
        lambda: threads.extend(
            [later(0.2, lambda: commit("second")), later(0.5, lambda: commit("third"))]
        ),
    )
    follow(read, read.config, batches.stop, poll=5.0, gather=1.0, on_batch=batches)
    for thread in threads:
        thread.join()
    # Then the catch-up after the linger takes both in, in one batch
    assert batches.reached[1] == positions[0]
    assert batches.reached[2] == positions[2] > positions[1]


@pytest.mark.postgres
def test_after_a_quiet_catch_up_the_worker_answers_a_wake_up_at_once(
    listened: tuple[World, ReadSide],
) -> None:
    # Given a worker with a long linger whose last catch-up found nothing new
    world, read = listened
    batches, committed, threads = Batches(steps=3), [], []
    # When a command commits after that quiet catch-up (the second, after a 0.3 s poll)
    batches.then(
        2,
        lambda: threads.append(
            later(0.2, lambda: (world.org("late"), committed.append(time.monotonic())))
        ),
    )
    follow(read, read.config, batches.stop, poll=0.3, gather=10.0, on_batch=batches)
    threads[0].join()
    # Then the worker catches it up at once, without lingering
    assert batches.reached[0] == batches.reached[1] < batches.reached[2]
    assert batches.reached[2] == world.app.recorder.max_notification_id()
    assert batches.at[2] - committed[0] < 2.0
