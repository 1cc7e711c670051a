"""The WAL checkpointer: the views' writer leaves SQLite's checkpoints to a thread of its
own, which copies every committed frame back into the file after the commits that nudge
it, survives a failed run, and stops with the read side."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from api.wiring import open_read_side
from collab.application import Collab
from collab.stores import StoreConfig
from projections.checkpointer import Checkpointer
from projections.readside import ReadSide
from tests.application.world import World
from tests.projections.support import until

NEVER = "the checkpointer never got there"


@pytest.fixture
def side(sqlite_config: StoreConfig) -> Iterator[tuple[World, ReadSide, Checkpointer]]:
    app = Collab(sqlite_config)
    read = open_read_side(app, sqlite_config)
    assert read.checkpointer is not None, "a SQLite file's read side has a checkpointer"
    read.checkpointer.pause = 0.01  # the tests need not wait for a burst to gather
    yield World(app), read, read.checkpointer
    read.close()
    app.close()


def copied_all(checkpointer: Checkpointer, runs: int) -> Callable[[], bool]:
    """Done once a run after the first `runs` found frames and copied them all back."""
    counts = checkpointer.counts
    return lambda: counts.runs > runs and counts.frames > 0 and counts.copied == counts.frames


def pragma(target: Any, name: str) -> int:
    """A PRAGMA's value on a driver connection or a cursor of the event store's pool."""
    result = target.execute(f"PRAGMA {name}")
    return int((result if result is not None else target).fetchone()[0])


def test_the_views_commits_are_copied_into_the_file_by_the_checkpointer(
    side: tuple[World, ReadSide, Checkpointer], tmp_path: Path
) -> None:
    # Given the read side of a SQLite file: its writer leaves checkpoints to the thread,
    # its readers and the event store's connections keep SQLite's automatic ones
    world, read, checkpointer = side
    with read.writer.connect() as conn:
        assert pragma(conn.connection.dbapi_connection, "wal_autocheckpoint") == 0
    with read.reader() as conn:
        assert pragma(conn.connection.dbapi_connection, "wal_autocheckpoint") == 1000
    with world.app.side.datastore.transaction(commit=False) as cursor:
        assert pragma(cursor, "wal_autocheckpoint") == 1000
    runs = checkpointer.counts.runs
    # When commands are recorded and the views follow them
    pid = world.partnership(a={}, b={})
    assert read.catch_up() == world.app.recorder.max_notification_id()
    # Then, after the views' commit, the thread copies every frame of the WAL into the file
    until(copied_all(checkpointer, runs), NEVER)
    assert checkpointer.counts.failed == 0
    # And the database file alone (without its WAL) holds the events and the views
    alone, table = tmp_path / "alone.db", world.app.recorder.events_table_name
    shutil.copyfile(read.config.sqlite_path, alone)
    with sqlite3.connect(alone) as copy:
        (title,) = copy.execute(
            f"SELECT title FROM {read.tables.partnerships.name} WHERE partnership_id=?", (pid,)
        ).fetchone()
        (events,) = copy.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    assert title == world.partnership_of(pid).title
    assert events == world.app.recorder.max_notification_id()


def test_a_failed_checkpoint_is_logged_and_the_next_commit_tries_again(
    side: tuple[World, ReadSide, Checkpointer],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given a checkpoint that fails once (the file locked by someone else, say)
    world, read, checkpointer = side
    checkpoint, failures = Checkpointer.checkpoint, [sqlite3.OperationalError("locked")]

    def flaky(self: Checkpointer, conn: sqlite3.Connection) -> None:
        if failures:
            raise failures.pop()
        checkpoint(self, conn)

    monkeypatch.setattr(Checkpointer, "checkpoint", flaky)
    # When the views commit, Then the failure is counted and logged, the thread goes on
    world.org("a")
    read.catch_up()
    until(lambda: checkpointer.counts.failed == 1, NEVER)
    assert "a WAL checkpoint failed" in caplog.text
    # And the next commit's checkpoint copies everything back
    runs = checkpointer.counts.runs
    world.org("b")
    read.catch_up()
    until(copied_all(checkpointer, runs), NEVER)
    assert checkpointer.thread is not None and checkpointer.thread.is_alive()


def test_a_closed_read_side_stops_its_checkpointer(
    side: tuple[World, ReadSide, Checkpointer],
) -> None:
    # Given a checkpointer that has run
    world, read, checkpointer = side
    world.org("a")
    read.catch_up()
    until(copied_all(checkpointer, 0), NEVER)
    thread = checkpointer.thread
    assert thread is not None
    # When the read side closes, Then its thread stops, and a later nudge starts none
    read.close()
    assert not thread.is_alive()
    checkpointer.nudge()
    assert checkpointer.thread is None


def test_a_thread_that_died_is_started_again_by_the_next_nudge(tmp_path: Path) -> None:
    # Given a checkpointer whose thread has stopped (as in a forked worker)
    path = tmp_path / "one.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        conn.execute("CREATE TABLE t (n INTEGER)")
        checkpointer = Checkpointer(path, pause=0.01)
        try:
            checkpointer.nudge()
            until(lambda: checkpointer.counts.runs == 1, NEVER)
            first = checkpointer.thread
            assert first is not None
            checkpointer.pid = -1  # another process's thread
            # When a commit nudges it, Then a thread of its own copies the new frames
            conn.execute("INSERT INTO t VALUES (1)")
            conn.commit()
            checkpointer.nudge()
            until(copied_all(checkpointer, 1), NEVER)
            assert checkpointer.thread is not first
        finally:
            checkpointer.close()
