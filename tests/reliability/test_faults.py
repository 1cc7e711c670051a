"""Faults under load in server mode on a throwaway PostgreSQL cluster (issue 6): kill -9 a
gunicorn worker, the follower, the sealer; crash and restart PostgreSQL — while eight
clients register organisations and pledge on one partnership, each command under an
Idempotency-Key retried until acknowledged. Clients may see 503 problem+json or a dropped
connection, never a 500; afterwards nothing acknowledged is lost, nothing is recorded
twice, the views equal a rebuild and the log verifies."""

from __future__ import annotations

import time

import pytest

from tests.reliability.checks import DURING, a_worker_killed_under_load, assert_survived, under_load
from tests.reliability.cluster import Cluster
from tests.reliability.conftest import Rig
from tests.reliability.load import Load
from tests.reliability.stack import FOLLOWER, SEALER, Stack

pytestmark = [pytest.mark.long, pytest.mark.postgres]


def test_a_gunicorn_worker_killed_mid_load_loses_and_doubles_nothing(rig: Rig) -> None:
    # Given clients issuing commands through two gunicorn workers
    # When one worker is killed with SIGKILL, requests in flight with it
    # Then gunicorn replaced it
    load = a_worker_killed_under_load(rig)
    # And the clients recovered with their own keys: nothing lost or doubled
    assert_survived(rig, load)


def test_the_follower_killed_mid_load_is_restarted_and_the_views_converge(rig: Rig) -> None:
    # Given clients issuing commands while the follower process feeds views and leaves
    def fault(stack: Stack, load: Load) -> None:
        # When the follower is killed mid-batch, commands go on without it
        stack.kill(stack.follower())
        load.wait_for(DURING, since=time.monotonic())
        # And a new `collab projections run` is started
        stack.start(FOLLOWER)

    load = under_load(rig, fault)
    # Then the new follower took over from the tracking rows: nothing skipped or doubled
    assert_survived(rig, load)


def test_the_sealer_killed_mid_load_is_restarted_and_seals_everything(rig: Rig) -> None:
    # Given clients issuing commands while the sealer signs checkpoints
    old: list[int] = []

    def fault(stack: Stack, load: Load) -> None:
        # When the sealer is killed (perhaps holding its lock file, or mid-rename)
        old.append(stack.sealer())
        stack.kill(old[0])
        load.wait_for(DURING, since=time.monotonic())
        # And a new `collab audit seal --follow` is started
        stack.start(SEALER)

    load = under_load(rig, fault)
    # Then the new sealer signs a checkpoint covering every event, with no alarm
    assert rig.stack.sealer() != old[0]
    assert_survived(rig, load)


def test_postgresql_crashed_and_restarted_mid_load_recovers_every_command(
    rig: Rig, cluster: Cluster
) -> None:
    # Given clients issuing commands against the throwaway cluster
    processes: list[int] = []

    def fault(stack: Stack, load: Load) -> None:
        processes.extend([stack.master(), stack.follower(), stack.sealer()])
        # When PostgreSQL stops at once (every backend killed) and starts again
        cluster.restart()

    load = under_load(rig, fault)
    # Then the clients saw 503s or dropped connections at most, and got through; the
    # stack's processes lived through it (none had to be restarted by hand)
    stack = rig.stack
    assert processes == [stack.master(), stack.follower(), stack.sealer()]
    assert any(seen.status == 503 for seen in load.seen), "the outage went unnoticed"
    assert_survived(rig, load)
