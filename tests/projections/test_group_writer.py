"""The embedded writer: commands from many threads committed in groups with their views,
each in its own savepoint; a refused or failing command answers alone; a stopped writer
answers 503 and acknowledges nothing it did not commit."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import OperationalError
from sqlalchemy import Connection

from api.wiring import follow_commands, open_read_side
from collab.application import Collab
from collab.audit.keys import KeyRing
from collab.commands import Context, Outcome
from collab.organisations.commands import CorrectOrganisation
from collab.stores import StoreConfig
from projections.follower import Change
from projections.group import GroupWriter
from projections.operations import rebuild
from projections.readside import ReadSide
from projections.state import StateProjection
from tests.application.world import World, registration
from tests.projections.support import all_positions, head, until, views_of

DEADLINE = 30.0
UNREACHED = "the commands never reached the writer"


@pytest.fixture
def side(sqlite_config: StoreConfig) -> Iterator[tuple[World, ReadSide]]:
    # Signed events and the Merkle leaves, as served; a snapshot every third version
    app = Collab(sqlite_config, keys=KeyRing.ephemeral(), snapshot_interval=3)
    read = open_read_side(app, sqlite_config)
    follow_commands(app, read)
    yield World(app), read
    read.close()
    app.close()


def writer_of(read: ReadSide) -> GroupWriter:
    assert read.group is not None, "no embedded writer: not a SQLite file?"
    return read.group


def fragile_on(monkeypatch: pytest.MonkeyPatch, name: str) -> Callable[[], None]:
    """The state view refuses an organisation called `name`; the function mends it."""
    apply = StateProjection.apply

    def fragile(self: StateProjection, conn: Connection, changes: Sequence[Change]) -> None:
        if any(getattr(c.after, "legal_name", "") == name for c in changes):
            raise ValueError("a view cannot hold this")
        apply(self, conn, changes)

    monkeypatch.setattr(StateProjection, "apply", fragile)
    return lambda: monkeypatch.setattr(StateProjection, "apply", apply)


def assert_views_and_leaves_whole(world: World, read: ReadSide) -> None:
    """One leaf per event, in log order, and views equal to a rebuild from position 0."""
    with read.reader() as conn:
        leaves = [p for (p,) in conn.exec_driver_sql("SELECT position FROM audit_leaves")]
    assert sorted(leaves) == all_positions(world.app)
    live = views_of(read)
    rebuild(read)
    assert views_of(read) == live


def group_of(
    read: ReadSide, calls: Sequence[Callable[[], Outcome]]
) -> list[Outcome | BaseException]:
    """Run `calls` in threads while the writer is held, so that all but the first wait in
    its queue; release it once they do: the first commits alone, the rest as one group."""
    writer = writer_of(read)
    answers: list[Outcome | BaseException] = [RuntimeError("no answer")] * len(calls)

    def run(i: int) -> None:
        try:
            answers[i] = calls[i]()
        except BaseException as e:  # the answer under test
            answers[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    with read.follower.lock:  # the writer blocks on its first group
        threads[0].start()
        until(lambda: len(writer.current) == 1, UNREACHED)
        for t in threads[1:]:
            t.start()
        until(lambda: writer.jobs.qsize() == len(calls) - 1, UNREACHED)
    for t in threads:
        t.join(DEADLINE)
    return answers


def test_commands_of_many_threads_commit_in_one_group_with_their_views(
    side: tuple[World, ReadSide],
) -> None:
    # Given the embedded writer on a SQLite file, and what it committed so far
    world, read = side
    writer = writer_of(read)
    before = writer.counts.groups, writer.counts.commands
    # When eight threads register an organisation each while the writer is busy
    calls = [
        (lambda i=i: world.app.execute(world.as_broker(), registration(f"Org {i}")))
        for i in range(8)
    ]
    answers = group_of(read, calls)
    # Then every command is recorded, in two commits: the first alone, seven together
    outcomes = [a for a in answers if isinstance(a, Outcome)]
    assert len(outcomes) == 8
    assert (writer.counts.groups - before[0], writer.counts.commands - before[1]) == (2, 8)
    # And every command answered with the views already at its position
    positions = read.follower.positions()
    assert min(positions.values()) == head(world.app) == max(o.position for o in outcomes)
    assert sorted(p for o in outcomes for p in o.positions) == all_positions(world.app)[-16:]
    # And the views equal a rebuild from position 0
    live = views_of(read)
    rebuild(read)
    assert views_of(read) == live


def test_a_duplicate_in_the_same_group_rolls_back_alone_and_replays(
    side: tuple[World, ReadSide],
) -> None:
    # Given one keyed command sent twice at once (a client's retry), beside another command
    world, read = side
    writer = writer_of(read)
    command = registration("Twice")
    key = Context(world.broker, idempotency_key=f"k-{uuid.uuid4()}")
    before_refused, before_head = writer.counts.refused, head(world.app)
    calls = [
        lambda: world.app.execute(world.as_broker(), registration("Before")),
        lambda: world.app.execute(key, command),
        lambda: world.app.execute(key, command),
        lambda: world.app.execute(world.as_broker(), registration("Beside")),
    ]
    # When they are committed in one group
    answers = group_of(read, calls)
    # Then the duplicate's savepoint was rolled back and it answers with the first's outcome
    first, second = answers[1], answers[2]
    assert isinstance(first, Outcome) and isinstance(second, Outcome)
    assert writer.counts.refused - before_refused == 1
    assert first.result == second.result and {first.replayed, second.replayed} == {True, False}
    # And only three registrations are recorded (two events each), the others untouched
    assert head(world.app) - before_head == 6
    assert all(isinstance(a, Outcome) and not a.replayed for a in (answers[0], answers[3]))
    names = {a.result["organisation_id"] for a in answers if isinstance(a, Outcome)}
    assert len(names) == 3
    # And the positions the rolled-back savepoint freed hold the next command's events,
    # with their leaves and views
    assert_views_and_leaves_whole(world, read)


def test_two_commands_on_one_aggregate_in_one_group_both_succeed_in_turn(
    side: tuple[World, ReadSide],
) -> None:
    # Given an organisation
    world, read = side
    writer = writer_of(read)
    org = world.app.execute(world.as_broker(), registration("Renamed")).result["organisation_id"]
    refused = writer.counts.refused
    # When two corrections of it, each made on version 1, are committed in one group
    calls = [
        lambda: world.app.execute(world.as_broker(), registration("Before")),
        lambda: world.app.execute(
            world.as_broker(), CorrectOrganisation(org, {"legal_name": "First name"})
        ),
        lambda: world.app.execute(
            world.as_broker(), CorrectOrganisation(org, {"legal_name": "Second name"})
        ),
    ]
    answers = group_of(read, calls)
    # Then the second's savepoint found version 2 taken, and its retry recorded version 3
    assert all(isinstance(a, Outcome) for a in answers), answers
    assert writer.counts.refused - refused == 1
    events = list(world.app.events.get(UUID(org)))
    assert [e.originator_version for e in events] == [1, 2, 3]
    # And version 3 triggered a snapshot, written through the writer too
    snapshots = world.app.snapshots
    assert snapshots is not None
    assert [s.originator_version for s in snapshots.get(UUID(org))] == [3]
    assert_views_and_leaves_whole(world, read)


def test_a_command_whose_views_fail_fails_alone(
    side: tuple[World, ReadSide], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a view that fails on one organisation's events
    world, read = side
    writer = writer_of(read)
    mend = fragile_on(monkeypatch, "Poison")
    before_head, retried = head(world.app), writer.counts.retried_alone
    # When it is committed in one group with two other commands
    calls = [
        (lambda name=name: world.app.execute(world.as_broker(), registration(name)))
        for name in ("First", "Good", "Poison", "Also good")
    ]
    answers = group_of(read, calls)
    # Then the group was tried again command by command: the poisoned one fails alone
    assert writer.counts.retried_alone - retried == 1
    assert isinstance(answers[2], ValueError)
    assert all(isinstance(answers[i], Outcome) for i in (0, 1, 3))
    # And nothing of it is recorded, neither its events nor its views nor its leaves
    assert head(world.app) - before_head == 6
    mend()
    assert_views_and_leaves_whole(world, read)


def test_views_that_cannot_follow_another_writer_refuse_the_group_once_as_unavailable(
    side: tuple[World, ReadSide], sqlite_config: StoreConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an event recorded by another process without a writer, which a view refuses
    world, read = side
    writer = writer_of(read)
    mend = fragile_on(monkeypatch, "Elsewhere")
    other = Collab(sqlite_config)
    try:
        World(other).app.execute(Context(world.broker), registration("Elsewhere"))
    finally:
        other.close()
    before, retried = head(world.app), writer.counts.retried_alone
    # When this process's commands are committed in one group
    calls = [
        (lambda name=name: world.app.execute(world.as_broker(), registration(name)))
        for name in ("One", "Two", "Three")
    ]
    answers = group_of(read, calls)
    # Then every command is told the service is unavailable (503), without a try each
    assert all(isinstance(a, OperationalError) for a in answers), answers
    assert writer.counts.retried_alone == retried
    assert head(world.app) == before
    # And once the view is mended, the next command brings the views up and is recorded
    mend()
    world.app.execute(world.as_broker(), registration("Mended"))
    assert min(read.follower.positions().values()) == head(world.app)


def test_a_stopped_writer_refuses_and_acknowledges_nothing_it_did_not_commit(
    side: tuple[World, ReadSide], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a writer that dies while committing a group
    world, read = side
    writer = writer_of(read)
    before = head(world.app)

    def dies(jobs: Any) -> None:
        raise SystemExit("the writer's thread is killed")

    monkeypatch.setattr(writer, "write", dies)
    calls = [
        (lambda i=i: world.app.execute(world.as_broker(), registration(f"Lost {i}")))
        for i in range(3)
    ]
    answers = group_of(read, calls)
    # Then every command waiting is told the writer stopped (a 503), none acknowledged
    assert all(isinstance(a, OperationalError) for a in answers)
    writer.thread.join(DEADLINE)
    assert writer.stopped is not None and not writer.thread.is_alive()
    # And nothing was recorded
    assert head(world.app) == before
    # And a later command is refused at once, not queued for ever
    with pytest.raises(OperationalError, match="the writer has stopped"):
        world.app.execute(world.as_broker(), registration("Later"))


def test_several_processes_writers_take_turns_and_catch_up_each_other(
    sqlite_config: StoreConfig,
) -> None:
    # Given two services on one file, each with its own writer (two gunicorn processes)
    apps = [Collab(sqlite_config) for _ in range(2)]
    reads = [open_read_side(a, sqlite_config) for a in apps]
    for a, r in zip(apps, reads, strict=True):
        follow_commands(a, r)
    try:
        worlds = [World(a) for a in apps]
        # When they write in turns
        for i in range(6):
            w = worlds[i % 2]
            w.app.execute(w.as_broker(), registration(f"Turn {i}"))
        # Then the views of each commit include the other's events: one set of views
        assert all(isinstance(r.group, GroupWriter) for r in reads)
        positions = reads[0].follower.positions()
        assert set(positions.values()) == {head(apps[0])}
        live = views_of(reads[0])
        rebuild(reads[1])
        assert views_of(reads[0]) == live
    finally:
        for a, r in zip(apps, reads, strict=True):
            r.close()
            a.close()


def test_a_command_tried_again_runs_in_the_writers_turn_and_another_process_cannot_starve_it(
    sqlite_config: StoreConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two services on one file, each with its own writer (two gunicorn processes),
    # and an organisation
    apps = [Collab(sqlite_config) for _ in range(2)]
    reads = [open_read_side(a, sqlite_config) for a in apps]
    for a, r in zip(apps, reads, strict=True):
        follow_commands(a, r)
    rivals: list[threading.Thread] = []
    try:
        world = World(apps[0])
        org = world.app.execute(world.as_broker(), registration("Contested")).result
        org_id = UUID(str(org["organisation_id"]))
        # And the other process's client, which corrects it each time this process has
        # loaded it for a try, before this process's writer inserts the try's events
        load = apps[0].load
        rival_names: list[str] = []

        def rival() -> None:
            name = f"Rival {len(rival_names)}"
            rival_names.append(name)
            correction = CorrectOrganisation(str(org_id), {"legal_name": name})
            apps[1].execute(Context(world.broker), correction)

        def load_then_rival_writes(aggregate_id: UUID) -> Any:
            aggregate = load(aggregate_id)
            if aggregate_id == org_id:
                rivals.append(threading.Thread(target=rival))
                rivals[-1].start()
                rivals[-1].join(0.5)  # written, unless a writer's turn holds it back
            return aggregate

        monkeypatch.setattr(apps[0], "load", load_then_rival_writes)
        held = writer_of(reads[0]).counts.held
        # When this process corrects it
        mine = CorrectOrganisation(str(org_id), {"legal_name": "Mine"})
        outcome = apps[0].execute(world.as_broker(), mine)
        for t in rivals:
            t.join(DEADLINE)
        # Then the first try lost to the rival, and the second, run in the writer's turn,
        # was recorded: the rival's write waited for the turn instead of starving it
        assert writer_of(reads[0]).counts.held == held + 1
        assert len(rivals) == 2 and not any(t.is_alive() for t in rivals)
        events = list(apps[0].events.get(org_id))[1:]
        names = [getattr(e, "changes", {}).get("legal_name") for e in events]
        assert names == ["Rival 0", "Mine", "Rival 1"], names
        assert outcome.position == outcome.positions[0] and not outcome.replayed
        # And the views of both processes' writes equal a rebuild
        reads[0].catch_up()
        live = views_of(reads[0])
        rebuild(reads[1])
        assert views_of(reads[0]) == live
    finally:
        for t in rivals:
            t.join(DEADLINE)
        for a, r in zip(apps, reads, strict=True):
            r.close()
            a.close()


def test_a_turn_held_too_long_is_let_go_and_its_command_is_recorded_in_a_later_group(
    side: tuple[World, ReadSide], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a writer that waits a tenth of a second for a command tried in its turn
    world, read = side
    writer = writer_of(read)
    monkeypatch.setattr("projections.group.HOLD_SECONDS", 0.1)
    before = head(world.app)
    others: list[Outcome] = []

    def another() -> None:
        others.append(world.app.execute(world.as_broker(), registration("Meanwhile")))

    other = threading.Thread(target=another)
    # When a command's try, in the writer's turn, takes longer than that to decide
    with writer.held():
        other.start()
        other.join(DEADLINE)
        # Then the writer let the turn go: another thread's command was recorded meanwhile
        assert len(others) == 1 and head(world.app) == before + 2
        # And the slow try's events, handed over too late, are recorded in a later group
        late = world.app.execute(world.as_broker(), registration("Late"))
    assert late.positions and min(late.positions) > others[0].position
    assert head(world.app) == before + 4
    assert_views_and_leaves_whole(world, read)
