"""Invariant 8: dates that take effect later change nothing before they arrive; then the
due-date processor records each effect as one event, however many processes run it.

The application runs on the tests' clock (2030-06-01), moved by hand (`later`); the
processor is driven explicitly, never by waiting.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from collab.application import Collab, Context
from collab.commitments.commands import MarkLapsed
from collab.domain.commitment import Commitment
from collab.domain.errors import ForbiddenError
from collab.domain.partnership import Partnership
from collab.due import PROCESSOR, PROCESSOR_ID, RecordDue, due_of, run_due
from collab.governance.commands import NotifyBreach
from collab.organisations.commands import GrantMandate
from collab.partnerships.commands import WithdrawMembership
from collab.stores import StoreConfig
from tests.application.conftest import Clock
from tests.application.test_scenarios import amend, sign
from tests.application.timeflow import later, process_due
from tests.application.world import World


def stored(world: World, stream: str) -> list[Any]:
    return list(world.app.events.get(uuid.UUID(stream)))


def kinds(outcomes: list[Any]) -> list[str]:
    return [o.result["kind"] for o in outcomes]


# -- a withdrawal with notice ------------------------------------------------------------


def test_a_leaving_member_exits_on_its_exit_date_and_only_then(world: World) -> None:
    # Given b, with a confirmed commitment, gave 60 days' notice today (2030-06-01)
    pid = world.in_force(notice=60)
    cid = world.pledge("b", pid)
    world.app.execute(world.as_("b"), WithdrawMembership(pid))
    # When the processor runs the day before the exit date, Then nothing is recorded
    later(world.app, 59)
    before = world.head()
    assert process_due(world.app, pid, cid) == []
    assert world.head() == before
    assert world.partnership_of(pid).members[world.orgs["b"]].status == "leaving"
    # When it runs on the exit date
    later(world.app, 1)
    assert kinds(process_due(world.app, pid, cid)) == ["exit"]
    # Then b has left: its commitment released first, then the exit, by the processor
    member = world.partnership_of(pid).members[world.orgs["b"]]
    assert (member.status, member.exit_date) == ("withdrawn", "2030-07-31")
    assert world.events(pid)[-1] == "MemberExited" and world.events(cid)[-1] == "Released"
    exit_event, release = stored(world, pid)[-1], stored(world, cid)[-1]
    assert exit_event.meta["actor"] == release.meta["actor"] == PROCESSOR_ID
    assert exit_event.meta["effective_date"] == "2030-07-31"
    positions = world.app.recorder.select_notifications(1, 10_000)
    order = [(str(n.originator_id), n.originator_version) for n in positions]
    assert order.index((cid, release.originator_version)) < order.index(
        (pid, exit_event.originator_version)
    )
    # And it is the exit: b acts no more; a second pass records nothing
    assert process_due(world.app, pid, cid) == []
    assert due_of(world.app.load(uuid.UUID(pid))) == []


def test_an_exit_completes_the_signatures_the_leaver_held_back(world: World) -> None:
    # Given text 2 of an amendment signed by a and b; c gave notice without signing it
    pid = world.in_force(notice=10)
    h2 = amend(world, pid, 1)
    world.app.execute(world.as_("c"), WithdrawMembership(pid))
    for key in "ab":
        sign(world, world.as_(key), pid, h2)
    # Then while c is leaving it is still required: the amendment waits
    assert world.partnership_of(pid).status == "in_modification"
    # When its exit is recorded, Then the amendment enters into force
    later(world.app, 10)
    process_due(world.app, pid)
    assert world.events(pid)[-2:] == ["MemberExited", "AgreementEnteredIntoForce"]


# -- a remedy period, a mandate's end, a commitment's period -----------------------------


def test_the_end_of_a_remedy_period_is_recorded_the_day_after_its_last_day(world: World) -> None:
    pid = world.in_force()
    world.app.execute(
        world.as_broker(), NotifyBreach(pid, organisation_id=world.orgs["c"], remedy_days=10)
    )
    later(world.app, 10)  # 2030-06-11: the last day of the remedy period
    assert process_due(world.app, pid) == []
    later(world.app, 1)
    assert kinds(process_due(world.app, pid)) == ["remedy"]
    [ended] = stored(world, pid)[-1:]
    assert (type(ended).__name__, ended.remedy_until) == ("RemedyPeriodEnded", "2030-06-11")
    assert ended.meta["effective_date"] == "2030-06-12"
    # The member stays active: defaulting still needs a decision (rule unchanged)
    assert world.partnership_of(pid).members[world.orgs["c"]].status == "active"
    assert process_due(world.app, pid) == []


def test_a_mandates_end_is_recorded_after_its_last_day(world: World) -> None:
    world.org("b")
    broker = world.another_broker()
    granted = world.app.execute(
        world.as_("b"), GrantMandate(world.orgs["b"], broker_id=broker.id, until="2030-06-30")
    )
    mandate_id = granted.result["mandate_id"]
    later(world.app, 29)
    assert process_due(world.app, world.orgs["b"]) == []
    later(world.app, 1)  # 2030-07-01
    assert kinds(process_due(world.app, world.orgs["b"])) == ["mandate"]
    assert world.events(world.orgs["b"])[-1] == "MandateEnded"
    org = world.app.get_organisation(world.orgs["b"])
    assert (
        org.mandates[mandate_id]["ended"] and org.mandate_for(broker.id, None, "2030-07-01") is None
    )
    assert process_due(world.app, world.orgs["b"]) == []


def test_a_commitment_whose_period_ended_unfulfilled_is_proposed_for_lapse_once(
    world: World,
) -> None:
    pid = world.in_force()
    cid = world.pledge("b", pid, period={"start": "2030-01-01", "end": "2030-06-30"})
    later(world.app, 29)
    assert process_due(world.app, cid) == []
    later(world.app, 1)
    assert kinds(process_due(world.app, cid)) == ["lapse"]
    # Proposed, not applied: a steward still marks it lapsed
    assert world.events(cid)[-1] == "LapseProposed"
    assert world.commitment_of(cid).status == "confirmed"
    assert process_due(world.app, cid) == []
    world.app.execute(world.as_broker(), MarkLapsed(cid))
    assert world.commitment_of(cid).status == "lapsed"


def test_only_the_processor_records_effects_of_dates(world: World) -> None:
    pid = world.in_force(notice=5)
    world.app.execute(world.as_("b"), WithdrawMembership(pid))
    later(world.app, 5)
    record = RecordDue("exit", pid, world.orgs["b"])
    for ctx in (world.as_broker(), Context(world.admin), world.as_("a")):
        world.refused(ForbiddenError, lambda ctx=ctx: world.app.execute(ctx, record))
    assert world.app.execute(Context(PROCESSOR), record).result["recorded"] is True


# -- two processors racing: one event per effect ------------------------------------------


@pytest.fixture
def pair(durable: StoreConfig) -> Iterator[tuple[Collab, Collab]]:
    """Two application instances (two processors) on one store, on one test clock."""
    clock = Clock()
    first, second = Collab(durable, clock=clock), Collab(durable, clock=clock)
    yield first, second
    first.close()
    second.close()


def race(monkeypatch: pytest.MonkeyPatch, cls: type, method: str) -> list[int]:
    """Both processors load the aggregate before either records: the first two calls of
    `cls.method` wait for each other, so both see the effect still due."""
    original: Callable[..., bool] = getattr(cls, method)
    # Both processors load the aggregate; whichever saves second conflicts, re-reads
    # (the third call) and finds nothing left to record.
    barrier = threading.Barrier(2, timeout=20)
    calls: list[int] = []

    def raced(self: Any, *args: Any) -> bool:
        calls.append(1)
        if len(calls) <= 2:
            barrier.wait()
        return original(self, *args)

    monkeypatch.setattr(cls, method, raced)
    return calls


def run_both(first: Collab, second: Collab, stream: str) -> list[list[Any]]:
    items = due_of(first.load(uuid.UUID(stream)))
    results: list[list[Any]] = [[], []]
    errors: list[BaseException] = []

    def go(app: Collab, slot: int) -> None:
        try:
            results[slot] = run_due(app, items)
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=go, args=(a, i)) for i, a in enumerate((first, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


@pytest.mark.parametrize("effect", ["exit", "lapse"])
def test_two_processors_racing_record_one_event(
    pair: tuple[Collab, Collab], monkeypatch: pytest.MonkeyPatch, effect: str
) -> None:
    first, second = pair
    world = World(first)
    pid = world.in_force(notice=30)
    if effect == "exit":
        cid = world.pledge("b", pid)
        world.app.execute(world.as_("b"), WithdrawMembership(pid))
        stream, event, cls, method = pid, "MemberExited", Partnership, "record_exit"
    else:
        cid = world.pledge("b", pid, period={"start": "2030-01-01", "end": "2030-06-30"})
        stream, event, cls, method = cid, "LapseProposed", Commitment, "propose_lapse"
    later(first, 31)
    calls = race(monkeypatch, cls, method)
    # When both processors run at once
    results = run_both(first, second, stream)
    assert len(calls) == 3  # two racing tries, and the loser's retry on the new state
    # Then exactly one recorded the effect; the other re-read and found nothing to do
    assert sorted(len(r) for r in results) == [0, 1]
    assert world.events(stream).count(event) == 1
    if effect == "exit":
        assert world.events(cid).count("Released") == 1
