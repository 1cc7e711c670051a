"""What every fault test asserts once the load has stopped (issue 6): the clients saw only
503 problem+json or a dropped connection, nothing acknowledged is lost, nothing is
recorded twice, the views equal a rebuild, and the verifier passes on a sealed log."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from tests.reliability.conftest import Rig
from tests.reliability.load import Load
from tests.reliability.stack import Stack

WARM, DURING, AFTER = 20, 10, 30  # acknowledged commands before, during, after a fault
ID_OF = {"register": "organisation_id", "pledge": "commitment_id"}


def under_load(rig: Rig, fault: Callable[[Stack, Load], None]) -> Load:
    """Clients running; after WARM acknowledgements the fault; then AFTER more commands,
    each first sent once the fault was over, must be acknowledged (recovery)."""
    load = Load(rig.stack.served.http.base, rig.clients).start()
    try:
        load.wait_for(WARM)
        fault(rig.stack, load)
        load.wait_for(AFTER, since=time.monotonic())
    finally:
        load.stop()
    return load


def a_worker_killed_under_load(rig: Rig) -> Load:
    """kill -9 of one of the two gunicorn workers mid-load, requests in flight with it;
    asserts gunicorn replaced it."""
    killed: list[int] = []

    def fault(stack: Stack, load: Load) -> None:
        killed.append(stack.workers()[0])
        stack.kill(killed[0])

    load = under_load(rig, fault)
    workers = rig.stack.workers()
    assert len(workers) == 2 and killed[0] not in workers
    return load


def assert_only_unavailable(load: Load) -> None:
    """Any non-2xx answer was a 503 problem+json (a reset connection is allowed), never 500."""
    wrong = [s for s in load.seen if s.status != 0]
    wrong = [s for s in wrong if (s.status, s.content_type) != (503, "application/problem+json")]
    assert wrong == [], wrong[:5]
    assert load.given_up == [], f"{len(load.given_up)} commands never acknowledged"


def assert_exactly_once(rig: Rig, load: Load) -> None:
    """The events after the setup are exactly the acknowledged commands' events: none lost,
    none recorded twice (a retried key replays, it does not record again)."""
    log = rig.stack.log(after=rig.setup_head)
    acked = sorted(p for ack in load.acks for p in ack.positions)
    assert len(acked) == len(set(acked)), "two commands claim one position"
    assert acked == [position for position, *_ in log], "lost or unacknowledged events"
    streams = {position: stream for position, stream, _, _ in log}
    ids = [ack.result[ID_OF[ack.kind]] for ack in load.acks]
    assert len(ids) == len(set(ids)), "one organisation or commitment acknowledged twice"
    for ack, made in zip(load.acks, ids, strict=True):
        assert made in {streams[p] for p in ack.positions}, ack
    recorded = rig.stack.idempotency()
    for ack in load.acks:
        assert json.loads(recorded[ack.key]) == list(ack.positions), ack
    # One registration event per organisation and one pledge per commitment: no stream of
    # theirs starts twice (a duplicate execution would have made a second id).
    firsts = [stream for _, stream, version, _ in log if version == 1]
    assert len(firsts) == len(set(firsts))


def assert_views_converge(stack: Stack) -> str:
    """The follower caught up; its views' digest equals the digest after a rebuild."""
    stack.wait_caught_up()
    before = stack.collab("projections", "digest")
    assert before.returncode == 0, before.stderr
    rebuilt = stack.collab("projections", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    after = stack.collab("projections", "digest")
    assert after.stdout == before.stdout, "the views differ from a rebuild"
    return before.stdout.strip()


def assert_verifies(stack: Stack) -> int:
    """Once a checkpoint covers every event, the database verifies: clean or warnings."""
    events = stack.events()
    stack.wait_sealed(events)
    checked = stack.collab("audit", "verify", "--database", stack.config.url)
    assert checked.returncode in (0, 2), checked.stdout + checked.stderr
    status = stack.collab("audit", "status")
    assert status.returncode == 0, status.stdout + status.stderr
    return checked.returncode


def assert_survived(rig: Rig, load: Load) -> None:
    retried = sum(1 for ack in load.acks if ack.attempts > 1)
    statuses = sorted({s.status for s in load.seen})
    print(  # shown with -s: the figures of the run (0 is a dropped connection)
        f"\n{len(load.acks)} acknowledged ({retried} after a retry); "
        f"{len(load.seen)} non-2xx or dropped answers, statuses {statuses}"
    )
    assert_only_unavailable(load)
    assert_exactly_once(rig, load)
    assert_views_converge(rig.stack)
    verified = assert_verifies(rig.stack)
    print(f"lost 0, recorded twice 0, views equal a rebuild, verifier exit {verified}")
