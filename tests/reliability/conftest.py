"""Fixtures of the reliability tier: a throwaway PostgreSQL cluster for the session, a fresh
database per test, and the server-mode stack on it with a partnership to pledge on.

The cluster is made by `initdb` (as the `postgres` user when we are root) on a free port of
127.0.0.1, with fsync and synchronous commit on; the tests stop and restart it at will,
which they must never do to the machine's shared server. Without PostgreSQL binaries the
tests are skipped with the reason, unless COLLAB_REQUIRE_POSTGRES=1 (CI): then they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from collab.stores import StoreConfig
from tests.api.conftest import organisation_body
from tests.integration.conftest import serve
from tests.integration.test_http_write_scenarios import Scene, pledge_body
from tests.reliability.cluster import Cluster, make_cluster, postgres_bin, remove_cluster
from tests.reliability.load import Client
from tests.reliability.stack import Stack

REGISTRARS, PLEDGERS = 6, 2  # client threads: registrations, and pledges on one partnership


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    bin_dir = postgres_bin()
    if bin_dir is None:
        reason = "no PostgreSQL server binaries (initdb) to make a throwaway cluster"
        if os.environ.get("COLLAB_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (COLLAB_REQUIRE_POSTGRES=1)")
        pytest.skip(f"{reason} (set COLLAB_REQUIRE_POSTGRES=1 to fail instead)")
    made = make_cluster(bin_dir)
    try:
        yield made
    finally:
        remove_cluster(made)


@pytest.fixture
def database(cluster: Cluster) -> Iterator[StoreConfig]:
    """An empty database of its own on the throwaway cluster (dropped afterwards)."""
    config = cluster.create_database()
    yield config
    cluster.drop_database(config)


def organisation() -> dict[str, Any]:
    return organisation_body()


@dataclass
class Rig:
    """The stack, its clients (registrations and pledges) and the head before the load."""

    stack: Stack
    clients: list[Client]
    partnership: str
    setup_head: int


def clients_for(scene: Scene, partnership: str) -> list[Client]:
    registrars = [
        Client("register", str(scene.broker.token), "/v1/organisations", organisation)
    ] * REGISTRARS
    path = f"/v1/partnerships/{partnership}/commitments"
    pledgers = [Client("pledge", str(scene.partners[k].token), path, pledge_body) for k in "ab"]
    return registrars + pledgers[:PLEDGERS]


@pytest.fixture
def rig(database: StoreConfig, tmp_path: Path) -> Iterator[Rig]:
    """gunicorn (2 workers), the follower and the sealer on a fresh database; an admin, a
    broker, and a partnership whose two members pledge."""
    with serve(database, tmp_path) as served:
        stack = Stack(served, database)
        try:
            scene = Scene.on(served)
            pid = scene.partnership(a={"roles": ["lead"]}, b={})
            yield Rig(stack, clients_for(scene, pid), pid, stack.head())
        finally:
            stack.stop_started()
