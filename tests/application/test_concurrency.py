"""Idempotency, optimistic concurrency and racing writers (DESIGN §1, §2 invariant 5, §4)."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest

from collab.application import Collab, Context, Outcome
from collab.commitments.commands import ConfirmCommitment
from collab.domain.errors import (
    IdempotencyKeyReuseError,
    RuleViolationError,
    StaleVersionError,
)
from collab.governance.commands import ApplyDecision, RecordDecision, SetMilestone
from collab.partnerships.commands import CancelPartnership, InitiatePartnership, WithdrawMembership
from collab.stores import StoreConfig
from tests.application.conftest import fixed_clock
from tests.application.world import TERRITORY, World, registration, staff_hours

TIMEOUT = 20.0  # seconds a barrier or a thread may wait before the test fails


@pytest.fixture
def rival(store_config: StoreConfig, app: Collab) -> Iterator[Collab]:
    """A second process on the same store (the same instance for the memory store)."""
    if store_config.kind == "memory":
        yield app
        return
    other = Collab(store_config, clock=fixed_clock)
    yield other
    other.close()


class Gate:
    """Holds the first save of threads `first` and `second` until both have loaded their
    aggregates, then lets `first` commit before `second` tries: a deterministic conflict."""

    def __init__(self, first: str, second: str) -> None:
        self.first, self.second = first, second
        self.loaded = threading.Barrier(2, timeout=TIMEOUT)
        self.first_done = threading.Event()
        self.saves: list[str] = []
        self.lock = threading.Lock()

    def install(self, monkeypatch: pytest.MonkeyPatch, *apps: Collab) -> None:
        for app in {id(a): a for a in apps}.values():
            monkeypatch.setattr(app, "save", self.wrap(app.save))

    def wrap(self, save: Callable[..., Any]) -> Callable[..., Any]:
        def gated(*aggregates: Any, **kwargs: Any) -> Any:
            name = threading.current_thread().name
            with self.lock:
                held = name in (self.first, self.second) and name not in self.saves
                self.saves.append(name)
            if not held:
                return save(*aggregates, **kwargs)
            self.loaded.wait()
            if name == self.second:
                assert self.first_done.wait(TIMEOUT), "the first writer never saved"
            try:
                return save(*aggregates, **kwargs)
            finally:
                if name == self.first:
                    self.first_done.set()

        return gated


def race(**jobs: Callable[[], Outcome]) -> dict[str, Outcome | Exception]:
    """Run each job in a thread named after it; return its outcome or its exception."""
    results: dict[str, Outcome | Exception] = {}

    def run(name: str, job: Callable[[], Outcome]) -> None:
        try:
            results[name] = job()
        except Exception as e:  # reported to the test
            results[name] = e

    threads = [threading.Thread(target=run, args=item, name=item[0]) for item in jobs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a writer is stuck"
    return results


def streams(app: Collab) -> dict[str, list[str]]:
    """Then: every stream's versions run 1..n without gap; returns its event topics."""
    versions: dict[str, list[int]] = defaultdict(list)
    topics: dict[str, list[str]] = defaultdict(list)
    for n in app.recorder.select_notifications(1, 100_000):
        versions[str(n.originator_id)].append(n.originator_version)
        topics[str(n.originator_id)].append(n.topic.rsplit(".", 1)[-1])
    for stream, numbers in versions.items():
        assert numbers == list(range(1, len(numbers) + 1)), f"stream {stream} has {numbers}"
    return dict(topics)


def initiate(app: Collab, cmd: Context, title: str = "Care rounds") -> Outcome:
    return app.execute(
        cmd,
        InitiatePartnership(
            title=title,
            need_statement="Elders",
            territory=TERRITORY,
            partnership_type="social_innovation",
        ),
    )


# -- idempotency ---------------------------------------------------------------------------


def test_the_same_key_twice_records_one_set_of_events(world: World) -> None:
    # Given a command run once with an idempotency key
    cmd = world.as_broker(idempotency_key=f"k-{uuid4().hex}")
    first = initiate(world.app, cmd)
    head = world.head()
    # When it is run again with the same key and payload
    again = initiate(world.app, cmd)
    # Then it is replayed: same result and positions, nothing new recorded
    assert (first.replayed, again.replayed) == (False, True)
    assert (again.result, again.positions) == (first.result, first.positions)
    assert world.head() == head


def test_the_same_key_with_another_payload_is_refused(world: World) -> None:
    # Given a keyed command
    cmd = world.as_broker(idempotency_key=f"r-{uuid4().hex}")
    pid = initiate(world.app, cmd).result["partnership_id"]
    # When the key comes back with another payload or another command, Then it is refused
    world.refused(IdempotencyKeyReuseError, lambda: initiate(world.app, cmd, "Other title"))
    world.refused(IdempotencyKeyReuseError, lambda: world.app.execute(cmd, CancelPartnership(pid)))
    assert world.partnership_of(pid).status == "scoping"


def test_a_refused_command_does_not_use_up_its_key(world: World) -> None:
    # Given a keyed command refused by a domain rule (cancelling a partnership in force)
    cmd = world.as_broker(idempotency_key=f"f-{uuid4().hex}")
    bound = world.in_force()
    world.refused(RuleViolationError, lambda: world.app.execute(cmd, CancelPartnership(bound)))
    # When the key comes with another request that succeeds, Then it runs in its own right
    out = world.app.execute(cmd, CancelPartnership(world.partnership(a={})))
    assert not out.replayed and out.positions


def test_keys_are_scoped_per_actor(world: World) -> None:
    # Given a broker used a key; When another broker uses it for the same request
    first = initiate(world.app, world.as_broker(idempotency_key="shared"))
    other = initiate(world.app, Context(world.another_broker(), idempotency_key="shared"))
    # Then the second command runs in its own right
    assert not other.replayed
    assert other.result["partnership_id"] != first.result["partnership_id"]


def test_a_retried_milestone_without_an_id_is_replayed(world: World) -> None:
    # Given a milestone set with a key (its id left to the service)
    pid = world.partnership(a={})
    cmd = world.as_broker(idempotency_key=f"m-{uuid4().hex}")
    first = world.app.execute(cmd, SetMilestone(pid, title="Kick-off", due_date="2027-03-01"))
    # When the client retries the same request, Then it gets the first outcome back
    again = world.app.execute(cmd, SetMilestone(pid, title="Kick-off", due_date="2027-03-01"))
    assert again.replayed and again.result == first.result
    assert len(world.partnership_of(pid).milestones) == 1


def test_a_concurrent_duplicate_gets_the_first_outcome(
    world: World, rival: Collab, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two processes receive the same keyed request at once
    pid = world.in_force()
    cmd = world.as_broker(idempotency_key=f"d-{uuid4().hex}")
    votes = {world.orgs[k]: "for" for k in "abc"}

    def decide(app: Collab) -> Callable[[], Outcome]:
        subject = {"action": "other"}
        return lambda: app.execute(
            cmd, RecordDecision(pid, body="AGM", subject=subject, votes=votes)
        )

    Gate("one", "two").install(monkeypatch, world.app, rival)
    results = race(one=decide(world.app), two=decide(rival))
    # Then the second is the first's replay and one decision is recorded
    one, two = results["one"], results["two"]
    assert isinstance(one, Outcome) and isinstance(two, Outcome)
    assert (two.replayed, two.result, two.positions) == (True, one.result, one.positions)
    assert world.events(pid).count("DecisionRecorded") == 1
    streams(world.app)


# -- optimistic concurrency ----------------------------------------------------------------


def test_a_stale_expected_version_is_refused(world: World) -> None:
    pid = world.partnership(a={})
    version = world.partnership_of(pid).version

    def milestone(expected: int) -> Outcome:
        return world.app.execute(
            world.as_broker(expected_version=expected),
            SetMilestone(pid, title="M", due_date="2027-03-01"),
        )

    world.refused(StaleVersionError, lambda: milestone(version - 1))
    assert milestone(version).result["version"] == version + 1
    world.refused(StaleVersionError, lambda: milestone(version))


@pytest.mark.parametrize("rival_moves", ["partnership", "commitment"])
def test_a_conflict_under_if_match_is_refused_only_when_the_target_moved(
    world: World, rival: Collab, monkeypatch: pytest.MonkeyPatch, rival_moves: str
) -> None:
    # Given c's pledge at version 1, and a rival command committed between c's load and save
    pid = world.in_force()
    cid = world.pledge("c", pid, confirm=False)

    def other() -> Outcome:
        if rival_moves == "partnership":  # b pledges: the partnership moves, not c's pledge
            return rival.execute(world.as_("b"), staff_hours(pid))
        return rival.execute(world.as_("c"), ConfirmCommitment(cid))  # the target itself

    gate = Gate("rival", "confirm")
    gate.install(monkeypatch, world.app, rival)
    # When c confirms with If-Match 1 (its confirmation also notes itself on the partnership)
    results = race(
        confirm=lambda: world.app.execute(
            world.as_("c", expected_version=1), ConfirmCommitment(cid)
        ),
        rival=other,
    )
    assert isinstance(results["rival"], Outcome), results
    if rival_moves == "partnership":
        # Then the conflict on the partnership is tried again, and the target still matches
        assert isinstance(results["confirm"], Outcome), results
        assert gate.saves.count("confirm") == 2
    else:
        # Then the next try finds the target moved: 412, and nothing more is saved
        err = results["confirm"]
        assert type(err) is StaleVersionError, err
        assert "expected version 1, current version is 2" in str(err)
        assert gate.saves.count("confirm") == 1
    # And the pledge is confirmed once, by whichever command was acknowledged
    assert world.events(cid) == ["Pledged", "Confirmed"]
    assert world.events(pid).count("CommitmentConfirmationNoted") == 1
    streams(world.app)


# -- racing writers ------------------------------------------------------------------------


def test_two_writers_on_one_partnership_both_succeed_after_retry(
    world: World, rival: Collab, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a and b pledge at the same moment through two processes
    pid = world.in_force()
    gate = Gate("a", "b")
    gate.install(monkeypatch, world.app, rival)

    def pledge(app: Collab, key: str) -> Callable[[], Outcome]:
        return lambda: app.execute(world.as_(key), staff_hours(pid))

    results = race(a=pledge(world.app, "a"), b=pledge(rival, "b"))
    # Then both succeed, b after one retry
    assert all(isinstance(r, Outcome) for r in results.values()), results
    assert gate.saves.count("b") == 2
    # And nothing is half-written: each commitment exists iff the partnership noted it
    topics = streams(world.app)
    pledged = {s for s, t in topics.items() if t[0] == "Pledged"}
    noted = {
        e.commitment_id
        for e in list[Any](world.app.events.get(UUID(pid)))
        if type(e).__name__ == "CommitmentNoted"
    }
    ids = {r.result["commitment_id"] for r in results.values() if isinstance(r, Outcome)}
    assert pledged == noted == ids


@pytest.mark.parametrize("first", ["confirm", "rival"])
@pytest.mark.parametrize("rival_command", ["withdraw_membership", "suspend"])
def test_a_confirmation_racing_a_withdrawal_or_suspension_stays_consistent(
    world: World, rival: Collab, monkeypatch: pytest.MonkeyPatch, first: str, rival_command: str
) -> None:
    # Given c's pledge, and a passed decision to suspend
    pid = world.in_force()
    cid = world.pledge("c", pid, confirm=False)
    did = world.decide(pid, "suspend", dict.fromkeys("abc", "for"))

    def other() -> Outcome:
        if rival_command == "suspend":
            return rival.execute(
                world.as_broker(), ApplyDecision(pid, action="suspend", decision_id=did)
            )
        return rival.execute(world.as_("c"), WithdrawMembership(pid))

    # When c confirms while the rival command commits concurrently
    gate = Gate(first, "rival" if first == "confirm" else "confirm")
    gate.install(monkeypatch, world.app, rival)
    results = race(
        confirm=lambda: world.app.execute(world.as_("c"), ConfirmCommitment(cid)), rival=other
    )
    # Then the rival always succeeds; a confirmation committed second is refused
    assert isinstance(results["rival"], Outcome)
    confirmed = isinstance(results["confirm"], Outcome)
    assert confirmed == (first == "confirm")
    assert gate.saves.count("rival") == (2 if confirmed else 1)  # retried after the conflict
    if not confirmed:
        assert isinstance(results["confirm"], RuleViolationError)
    # And never a confirmed commitment of a withdrawn member, nor one confirmed while suspended
    p, c = world.partnership_of(pid), world.commitment_of(cid)
    expected = ["Pledged", "Confirmed"] if confirmed else ["Pledged"]
    if rival_command == "withdraw_membership":
        assert p.members[world.orgs["c"]].status == "withdrawn"
        assert c.status == "released"
        expected.append("Released")
    else:
        assert p.status == "suspended"
        assert c.status == ("confirmed" if confirmed else "pledged")
    assert world.events(cid) == expected
    tail = world.events(pid)[-2:]
    last = "Suspended" if rival_command == "suspend" else "MemberWithdrew"
    if confirmed:
        assert tail == ["CommitmentConfirmationNoted", last]
    else:
        assert tail[-1] == last and "CommitmentConfirmationNoted" not in world.events(pid)
    streams(world.app)


def test_a_registration_reads_no_claim_and_a_taken_identifier_is_refused_on_the_next_try(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the claim reads counted
    app = world.app
    reads: list[UUID] = []
    exists = app.exists
    monkeypatch.setattr(app, "exists", lambda claim: reads.append(claim) or exists(claim))
    # When an organisation registers a new identifier
    app.execute(world.as_broker(), registration("First", "506000001"))
    # Then no claim was read: the insert settles uniqueness
    assert reads == []
    head = app.recorder.max_notification_id()
    # When another registers the same identifier
    with pytest.raises(RuleViolationError, match="PT-NIPPC:506000001 is already registered"):
        app.execute(world.as_broker(), registration("Second", "506000001"))
    # Then its first try failed at the insert, the second read the claim and refused, and
    # nothing was recorded
    assert len(reads) == 1
    assert app.recorder.max_notification_id() == head
    streams(app)


def test_two_registrations_racing_for_one_identifier_record_one(
    world: World, rival: Collab, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two processes registering one identifier at the same moment, a first
    gate = Gate("a", "b")
    gate.install(monkeypatch, world.app, rival)
    results = race(
        a=lambda: world.app.execute(world.as_broker(), registration("A", "506000002")),
        b=lambda: rival.execute(world.as_broker(), registration("B", "506000002")),
    )
    # Then a is recorded, and b, whose insert failed, is refused on its next try
    recorded = results["a"]
    assert isinstance(recorded, Outcome), results
    assert isinstance(results["b"], RuleViolationError), results
    assert "PT-NIPPC:506000002 is already registered" in str(results["b"])
    assert gate.saves.count("b") == 1
    # And one organisation and one claim were recorded
    topics = streams(world.app)
    registered = [s for s, t in topics.items() if t[0] == "Registered"]
    claimed = [s for s, t in topics.items() if t[0] == "Claimed"]
    assert len(claimed) == 1
    assert recorded.result["organisation_id"] in registered
