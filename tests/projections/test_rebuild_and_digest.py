"""Rebuild from 0 gives the live digest, also under load; one log gives one digest anywhere."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent
from sqlalchemy import inspect

import projections.operations as operations
from api.demo import run_demo
from api.wiring import follow_commands, open_read_side
from collab.application import Collab
from collab.governance.commands import SetMilestone
from collab.stores import StoreConfig
from projections.operations import rebuild
from projections.readside import ReadSide
from tests.application.conftest import fixed_clock
from tests.application.world import World
from tests.projections.support import all_positions, head, history_positions, views_of

WAIT = 60.0  # seconds: a deadline for a stuck thread, never a pause
PASSES = 20  # a rebuild that needs more passes than this is chasing the head


def test_a_rebuild_from_zero_gives_the_live_digest(app: Collab, read: ReadSide) -> None:
    # Given the demo followed live, command after command
    follow_commands(app, read)
    run_demo(app)
    live = views_of(read)
    # When the views are rebuilt from position 0
    reached = rebuild(read)
    # Then they are caught up and equal the live ones
    assert reached == head(app)
    assert set(read.follower.positions().values()) == {head(app)}
    assert views_of(read) == live


def test_rebuilt_tables_get_their_indexes_back_every_time(app: Collab, read: ReadSide) -> None:
    # Given the demo's views
    follow_commands(app, read)
    run_demo(app)
    expected = {index.name for index in read.tables.indexes}
    assert expected  # the queries' indexes exist in the first place
    assert names_of_indexes(read) >= expected
    # When the views are rebuilt twice (the second rebuild reuses the fresh tables' names)
    rebuild(read)
    rebuild(read)
    # Then every secondary index exists again under its own name, none under a fresh name
    names = names_of_indexes(read)
    assert names >= expected
    assert not {n for n in names if "new_" in n}


def names_of_indexes(read: ReadSide) -> set[str]:
    inspector = inspect(read.writer)
    return {
        str(index["name"])
        for table in read.tables.views()
        for index in inspector.get_indexes(table.name)
    }


class Writer(threading.Thread):
    """Issues commands through the world's helpers until told to stop."""

    def __init__(self, world: World) -> None:
        super().__init__(daemon=True)
        self.world = world
        self.go = threading.Event()
        self.some_done = threading.Event()
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.rounds = 0

    def run(self) -> None:
        try:
            if not self.go.wait(WAIT) or self.error is not None:
                return
            while not self.stop.is_set() or self.rounds < 2:
                members: dict[str, Any] = {f"w{self.rounds}": {}}
                pid = self.world.partnership(**members)
                self.world.app.execute(
                    self.world.as_broker(), SetMilestone(pid, title="Start", due_date="2027-01-01")
                )
                self.rounds += 1
                if self.rounds == 2:
                    self.some_done.set()
        except BaseException as e:  # reported by the test thread
            self.error = e
            self.some_done.set()


def test_a_rebuild_while_commands_keep_arriving_ends_caught_up_and_equal(
    app: Collab, read: ReadSide, world: World, store_config: StoreConfig
) -> None:
    # Given the demo's log in the views, and a writer ready to issue more commands
    run_demo(app)
    read.catch_up()
    read.follower.batch = 7
    writer = Writer(world)
    writer.start()
    progress: list[tuple[int, int]] = []

    def passed(reached: int, target: int) -> None:
        progress.append((reached, target))
        if len(progress) == 1:
            # The log so far is in the fresh tables: let commands arrive from now on
            writer.go.set()
            assert writer.some_done.wait(WAIT), "the writer issued no command"
            # Commands arrived while the rebuild ran; stop them so the test stays bounded
            # (a rebuild that chased the head would still need one pass per arrival).
            writer.stop.set()
        if len(progress) == PASSES:
            writer.stop.set()  # so that a rebuild chasing the head fails instead of hanging

    try:
        # When the views are rebuilt while commands arrive
        rebuild(read, progress=passed)
    finally:
        writer.stop.set()
        writer.go.set()  # if the rebuild failed before its first batch
        writer.join(WAIT)
    assert writer.error is None and not writer.is_alive()
    # Then commands did arrive during the rebuild, and it did not wait for them to stop
    assert progress[0][1] < head(app) and writer.rounds >= 2
    assert len(progress) < PASSES, f"{len(progress)} passes: the rebuild chased the head"
    # And after a final catch up the views are at the head, each event exactly once
    assert read.catch_up() == head(app)
    assert set(read.follower.positions().values()) == {head(app)}
    assert history_positions(read) == all_positions(app)
    # And they equal views that followed the same log live
    live = open_read_side(app, store_config, prefix="live_")
    try:
        live.catch_up()
        assert views_of(read) == views_of(live)
    finally:
        live.close()


@pytest.fixture
def sqlite_service(sqlite_config: StoreConfig) -> Iterator[Collab]:
    service = Collab(sqlite_config, clock=fixed_clock)
    yield service
    service.close()


@pytest.fixture
def postgres_service(postgres_config: StoreConfig) -> Iterator[Collab]:
    service = Collab(postgres_config, clock=fixed_clock)
    yield service
    service.close()


@pytest.mark.postgres
def test_the_same_log_in_sqlite_and_postgresql_gives_the_same_digest(
    sqlite_service: Collab,
    postgres_service: Collab,
    sqlite_config: StoreConfig,
    postgres_config: StoreConfig,
) -> None:
    # Given the demo recorded in SQLite
    run_demo(sqlite_service)
    # And the very same stored events copied into PostgreSQL
    notifications = sqlite_service.recorder.select_notifications(
        0, 10_000, inclusive_of_start=False
    )
    postgres_service.recorder.insert_events(
        [
            StoredEvent(n.originator_id, n.originator_version, n.topic, n.state)
            for n in notifications
        ]
    )
    assert all_positions(postgres_service) == [n.id for n in notifications]
    # When each database builds its views from its own log
    sides = [
        open_read_side(sqlite_service, sqlite_config),
        open_read_side(postgres_service, postgres_config),
    ]
    try:
        for side in sides:
            side.catch_up()
        # Then both hold the same rows: one digest
        on_sqlite, on_postgres = (views_of(side) for side in sides)
        assert on_sqlite == on_postgres
    finally:
        for side in sides:
            side.close()


def durability(engine: Any, kind: str) -> str:
    """The engine's commit durability: SQLite's synchronous level, PostgreSQL's setting."""
    with engine.connect() as conn:
        if kind == "postgres":
            return str(conn.exec_driver_sql("SHOW synchronous_commit").scalar())
        return {0: "off", 1: "normal", 2: "full", 3: "extra"}[
            conn.exec_driver_sql("PRAGMA synchronous").scalar()
        ]


def test_a_rebuild_fills_without_waiting_on_the_disk_and_swaps_durably(
    app: Collab, read: ReadSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the demo in the log, and the engine that fills the fresh tables watched
    run_demo(app)
    kind = read.config.kind
    seen: dict[str, str] = {}
    filling = operations.filling

    @contextmanager
    def watched(side: ReadSide) -> Iterator[Any]:
        with filling(side) as engine:
            seen["fill"] = durability(engine, kind)
            yield engine

    monkeypatch.setattr(operations, "filling", watched)
    # When the views are rebuilt
    assert rebuild(read) == head(app)
    # Then the fill's commits were not waited on (never OFF on SQLite: the file holds the
    # events), while the read side's engine, which commits the swap, stays durable
    if kind == "memory":  # one in-memory database: nothing to wait on either way
        assert seen["fill"] == durability(read.writer, kind)
    else:
        assert seen["fill"] == ("normal" if kind == "sqlite" else "off")
        assert durability(read.writer, kind) == ("full" if kind == "sqlite" else "on")
