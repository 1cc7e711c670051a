"""Exactly once: a crash mid-batch leaves nothing behind; two followers never apply twice."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from sqlalchemy import Connection, func, select

from api.demo import Demo, run_demo
from api.wiring import open_read_side
from collab.application import Collab
from collab.stores import StoreConfig
from projections.follower import Change
from projections.history import HistoryProjection
from projections.operations import rebuild
from projections.readside import ReadSide
from tests.application.conftest import fixed_clock
from tests.projections.support import all_positions, head, history_positions, views_of

BATCH = 7


class Crash(RuntimeError):
    pass


def count(conn: Connection, table: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_crash_mid_batch_leaves_nothing_and_the_restart_equals_a_rebuild(
    app: Collab, read: ReadSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a read side in small batches, caught up with a founded partnership
    read.follower.batch = BATCH
    demo = Demo(app)
    demo.register()
    pid = demo.found()
    read.catch_up()
    positions, digest_before = read.follower.positions(), views_of(read)
    # And commitments recorded since
    demo.deliver(pid)
    # When the history projection fails after the state projection wrote the batch's rows
    seen: dict[str, int] = {}

    def crash(self: HistoryProjection, conn: Connection, changes: Sequence[Change]) -> None:
        seen["commitments"] = count(conn, read.tables.commitments)
        raise Crash("the process dies between the state rows and the history rows")

    monkeypatch.setattr(HistoryProjection, "apply", crash)
    with pytest.raises(Crash):
        read.catch_up()
    # Then the state rows had been written inside the batch's transaction
    assert seen["commitments"] > 0
    # But nothing of that batch is visible: no tracking move, no row
    assert read.follower.positions() == positions
    assert views_of(read) == digest_before
    with read.reader() as conn:
        assert count(conn, read.tables.commitments) == 0
    # When the process restarts and catches up
    monkeypatch.undo()
    assert read.catch_up() == head(app)
    # Then every event was applied exactly once
    assert history_positions(read) == all_positions(app)
    # And the views equal a fresh rebuild from position 0
    live = views_of(read)
    rebuild(read)
    assert views_of(read) == live


def test_a_crash_in_a_later_batch_keeps_the_batches_committed_before_it(
    app: Collab, read: ReadSide, store_config: StoreConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the demo's log and a read side in small batches
    run_demo(app)
    read.follower.batch = BATCH
    calls: list[int] = []
    original = HistoryProjection.apply

    def crash_third(self: HistoryProjection, conn: Connection, changes: Sequence[Change]) -> None:
        calls.append(changes[0].position)
        if len(calls) == 3:
            raise Crash("the process dies in the third batch")
        original(self, conn, changes)

    monkeypatch.setattr(HistoryProjection, "apply", crash_third)
    # When the third batch fails
    with pytest.raises(Crash):
        read.catch_up()
    # Then the views hold exactly the first two batches
    committed = [p for p in all_positions(app) if p < calls[2]]
    assert set(read.follower.positions().values()) == {committed[-1]}
    assert history_positions(read) == committed
    exact = open_read_side(app, store_config, prefix="exact_")
    try:
        exact.follower.batch = 1
        exact.catch_up(committed[-1])
        assert views_of(read) == views_of(exact)
    finally:
        exact.close()


@pytest.fixture
def two_services(durable: StoreConfig) -> Iterator[tuple[Collab, Collab]]:
    first = Collab(durable, clock=fixed_clock)
    second = Collab(durable, clock=fixed_clock)
    yield first, second
    second.close()
    first.close()


def test_two_followers_at_once_apply_every_event_exactly_once(
    durable: StoreConfig, two_services: tuple[Collab, Collab]
) -> None:
    # Given the demo's log, and two read sides (as two processes) on the same tables
    app, other = two_services
    run_demo(app)
    sides = [open_read_side(app, durable), open_read_side(other, durable)]
    single = open_read_side(app, durable, prefix="single_")
    try:
        for side in [*sides, single]:
            side.follower.batch = BATCH
        # When both catch up at the same moment, in small batches
        start = threading.Barrier(len(sides))
        errors: list[BaseException] = []

        def follow(side: ReadSide) -> None:
            try:
                start.wait(timeout=30)
                side.catch_up()
            except BaseException as e:  # reported by the test thread
                errors.append(e)

        threads = [threading.Thread(target=follow, args=(s,)) for s in sides]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors and not any(t.is_alive() for t in threads)
        # Then every position is in the history exactly once, and both see the head
        assert history_positions(sides[0]) == all_positions(app)
        assert all(set(s.follower.positions().values()) == {head(app)} for s in sides)
        # And the views equal what a single follower builds alone
        single.catch_up()
        assert views_of(sides[0]) == views_of(single)
    finally:
        for side in [*sides, single]:
            side.close()
