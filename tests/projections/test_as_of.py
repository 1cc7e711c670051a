"""As-of (DESIGN §4): the view as of position N equals the live view captured right at N;
a time is the end of the longest log prefix recorded by then, read through the history
view's index as far as it reaches; each stream is read by its key, never the whole log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from api.wiring import open_read_side
from collab.application import Collab, Outcome
from collab.domain.envelope import rfc3339
from collab.domain.errors import InvalidInputError, NotFoundError
from collab.partnerships.commands import InviteMember, JoinPartnership
from collab.stores import StoreConfig
from collab.stores.streams import scanned_stream, stream_notifications
from projections.asof import position_at, view_as_of
from projections.readside import ReadSide
from projections.views import partnership_view
from tests.application.conftest import TEST_NOW, Clock
from tests.application.world import World
from tests.projections.scenario import drive
from tests.projections.support import assert_same, head, partnership_ids

Frames = dict[int, dict[str, dict[str, Any]]]


class Camera:
    """After every command: catch up, then picture every partnership's live view."""

    def __init__(self, app: Collab, read: ReadSide) -> None:
        self.app = app
        self.read = read
        self.frames: Frames = {}

    def __call__(self, outcome: Outcome) -> None:
        position = self.read.catch_up()
        assert position == outcome.position == head(self.app)
        with self.read.reader() as conn:
            self.frames[position] = {
                pid: partnership_view(conn, self.read.tables, pid)
                for pid in partnership_ids(self.read)
            }


@pytest.fixture
def filmed(app: Collab, read: ReadSide) -> tuple[Frames, str, str]:
    """Given the demo's life, command by command, with the live views pictured after each."""
    camera = Camera(app, read)
    app.after_commit.append(camera)
    pid, other = drive(app)
    app.after_commit.remove(camera)
    return camera.frames, pid, other


def test_as_of_each_command_equals_the_live_view_captured_then(
    app: Collab, filmed: tuple[Frames, str, str]
) -> None:
    frames, pid, _other = filmed
    assert len([n for n, views in frames.items() if pid in views]) > 60
    for position, views in frames.items():
        for partnership_id, live in views.items():
            # When the view is asked as of that position, Then it is the one seen then
            assert_same(
                view_as_of(app, partnership_id, position), live, f"{partnership_id}@{position}"
            )


def test_as_of_before_the_partnership_existed_is_not_found(
    app: Collab, filmed: tuple[Frames, str, str]
) -> None:
    frames, pid, other = filmed
    before = [n for n, views in frames.items() if pid not in views]
    assert before  # the organisations were registered first
    for position in [0, *before]:
        with pytest.raises(NotFoundError):
            view_as_of(app, pid, position)
    # And the partnership transferred to exists only from its transfer on
    born = min(n for n, views in frames.items() if other in views)
    with pytest.raises(NotFoundError):
        view_as_of(app, other, max(n for n in frames if n < born))
    assert view_as_of(app, other, born)["related"][0]["related_id"] == pid


def test_as_of_beyond_the_head_is_invalid_input(
    app: Collab, filmed: tuple[Frames, str, str]
) -> None:
    _frames, pid, _other = filmed
    assert view_as_of(app, pid, head(app))["partnership_id"] == pid
    with pytest.raises(InvalidInputError):
        view_as_of(app, pid, head(app) + 1)


def test_position_at_a_time_with_every_event_recorded_at_one_instant(
    app: Collab, world: World
) -> None:
    # Given commands all recorded at the fixed clock's one instant
    world.in_force()
    tick = timedelta(microseconds=1)
    # Then at that instant or after, the whole log; just before it, nothing
    assert position_at(app, rfc3339(TEST_NOW)) == head(app)
    assert position_at(app, rfc3339(TEST_NOW + tick)) == head(app)
    assert position_at(app, rfc3339(TEST_NOW + timedelta(days=400))) == head(app)
    assert position_at(app, rfc3339(TEST_NOW - tick)) == 0


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ticking(store_config: StoreConfig, clock: Clock) -> Iterator[Collab]:
    service = Collab(store_config, clock=clock)
    yield service
    service.close()


def test_position_at_a_time_is_the_longest_prefix_recorded_by_then(
    ticking: Collab, clock: Clock
) -> None:
    # Given a partnership started at one time and staffed a minute, then an hour, later
    world = World(ticking)
    pid = world.partnership()
    started = head(ticking)
    clock.now += timedelta(minutes=1)
    world.org("a")
    ticking.execute(
        world.as_broker(),
        InviteMember(pid, organisation_id=world.orgs["a"], roles=["lead"], weight=1),
    )
    invited = head(ticking)
    clock.now += timedelta(hours=1)
    ticking.execute(world.as_("a"), JoinPartnership(pid))
    # When positions are asked for moments between and at those times
    minute = TEST_NOW + timedelta(minutes=1)
    expected = {
        TEST_NOW - timedelta(seconds=1): 0,
        TEST_NOW: started,
        TEST_NOW + timedelta(seconds=59): started,
        minute: invited,
        minute + timedelta(minutes=59): invited,
        clock.now: head(ticking),
    }
    # Then each is the end of the longest prefix recorded at or before the moment
    assert {t: position_at(ticking, rfc3339(t)) for t in expected} == expected
    # And the view as of that time shows the partnership as it was then
    as_of_invited = view_as_of(ticking, pid, position_at(ticking, rfc3339(minute)))
    assert [m["status"] for m in as_of_invited["members"]] == ["invited"]
    assert as_of_invited["status"] == "negotiating"


@pytest.fixture
def sides(ticking: Collab, store_config: StoreConfig) -> Iterator[dict[str, ReadSide]]:
    """Read sides of their own (table prefixes), each caught up only when a test says so."""
    made = {
        name: open_read_side(ticking, store_config, prefix=f"{name}_") for name in ("a", "b", "c")
    }
    yield made
    for side in made.values():
        side.close()


def test_position_at_with_times_out_of_order_whatever_the_views_reached(
    ticking: Collab, clock: Clock, sides: dict[str, ReadSide]
) -> None:
    # Given commands recorded at 12:02, then (the clock set back) at 12:01, then at 12:03
    minute = timedelta(minutes=1)
    clock.now = TEST_NOW + 2 * minute
    world = World(ticking)
    pid = world.partnership()
    sides["a"].catch_up()  # a history view that stops here
    clock.now = TEST_NOW + minute
    world.org("a")
    set_back = head(ticking)
    clock.now = TEST_NOW + 3 * minute
    ticking.execute(
        world.as_broker(),
        InviteMember(pid, organisation_id=world.orgs["a"], roles=["lead"], weight=1),
    )
    sides["b"].catch_up()  # one that reached the head; "c" never caught up
    # Then a moment is answered by the longest prefix recorded at or before it: events
    # recorded by 12:01 come after 12:02 ones, so 12:01 has none of them
    expected = {
        TEST_NOW + minute: 0,
        TEST_NOW + 2 * minute - timedelta(microseconds=1): 0,
        TEST_NOW + 2 * minute: set_back,
        TEST_NOW + 2 * minute + 59 * timedelta(seconds=1): set_back,
        TEST_NOW + 3 * minute: head(ticking),
    }
    # And alike from the log alone and through each history view, however far it reached
    for side in (None, *sides.values()):
        found = {t: position_at(ticking, rfc3339(t), side) for t in expected}
        assert found == expected, side and side.tables.tracking.name


def test_position_at_reads_from_the_log_only_what_the_history_view_has_not_reached(
    ticking: Collab, clock: Clock, sides: dict[str, ReadSide], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a partnership, an hour later an organisation, a history view caught up to
    # there, and an hour later another organisation
    world = World(ticking)
    world.partnership()
    started = head(ticking)
    clock.now += timedelta(hours=1)
    world.org("b")
    read = sides["a"]
    covered = read.catch_up()
    clock.now += timedelta(hours=1)
    world.org("a")
    starts: list[int] = []
    original = ticking.recorder.select_notifications

    def spy(start: int, *args: Any, **kwargs: Any) -> Any:
        starts.append(start)
        return original(start, *args, **kwargs)

    monkeypatch.setattr(ticking.recorder, "select_notifications", spy)
    # When a moment inside what the view holds is asked, Then no event is read from the log
    assert position_at(ticking, rfc3339(TEST_NOW), read) == started
    assert starts == []
    # When a later moment is asked, Then the log is read only past the view's position
    assert position_at(ticking, rfc3339(clock.now), read) == head(ticking)
    assert starts and min(starts) >= covered


def test_as_of_reads_each_stream_by_its_key_not_the_whole_log(
    durable: StoreConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a partnership in force with a commitment, among other streams
    service = Collab(durable, clock=lambda: TEST_NOW)
    try:
        world = World(service)
        pid = world.in_force()
        world.pledge("a", pid)
        last = head(service)
        expected = {n: view_as_of(service, pid, n) for n in (last - 3, last)}
        streams = {n.originator_id for n in service.recorder.select_notifications(1, last)}
        # Then each stream's events up to any position are those the log holds there
        for stream in streams:
            for position in range(0, last + 1, 3):
                by_key = stream_notifications(service.recorder, stream, position)
                scanned = scanned_stream(service.recorder, stream, position)
                assert [(n.id, n.originator_version, n.topic, bytes(n.state)) for n in by_key] == [
                    (n.id, n.originator_version, n.topic, bytes(n.state)) for n in scanned
                ]

        def forbidden(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("as-of read the log instead of its streams")

        # When the view is read as of a position with the log's scan forbidden
        monkeypatch.setattr(service.recorder, "select_notifications", forbidden)
        # Then it is the same view, read through the streams' own keys
        for position, view in expected.items():
            assert view_as_of(service, pid, position) == view
    finally:
        service.close()
