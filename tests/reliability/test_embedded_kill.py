"""kill -9 of an embedded service's process (its writer committing groups of commands) under
load, on a SQLite file: gunicorn starts a new one; clients see 503 problem+json or a
dropped connection, never a 500; nothing acknowledged is lost, nothing is recorded twice,
and the views (written in the commands' own transactions) equal a rebuild."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from collab.stores import StoreConfig
from tests.integration.conftest import serve
from tests.integration.test_http_write_scenarios import Scene, pledge_body
from tests.reliability.checks import a_worker_killed_under_load, assert_survived
from tests.reliability.conftest import REGISTRARS, Rig, organisation
from tests.reliability.load import Client
from tests.reliability.stack import Stack

pytestmark = pytest.mark.long


class EmbeddedStack(Stack):
    """The stack's reads, from the SQLite file (the library's table, hex stream ids)."""

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.config.sqlite_path) as conn:
            return list(conn.execute(query.replace("%s", "?"), params).fetchall())

    def log(self, after: int = 0) -> list[tuple[int, str, int, str]]:
        rows = self.sql(
            "SELECT rowid, originator_id, originator_version, topic FROM stored_events "
            "WHERE rowid > %s ORDER BY rowid",
            after,
        )
        return [(int(p), str(UUID(s)), int(v), str(t)) for p, s, v, t in rows]

    def head(self) -> int:
        return int(self.sql("SELECT coalesce(max(rowid), 0) FROM stored_events")[0][0])

    def events(self) -> int:
        return int(self.sql("SELECT count(*) FROM stored_events")[0][0])

    def wait_sealed(self, leaves: int) -> int:
        """Sealed here by the command line: an embedded service seals after a command
        once its interval has passed, and the load has stopped."""
        sealed = self.collab("audit", "seal")
        assert sealed.returncode == 0, sealed.stdout + sealed.stderr
        return super().wait_sealed(leaves)


@pytest.fixture
def rig(sqlite_config: StoreConfig, tmp_path: Path) -> Iterator[Rig]:
    """`collab serve` in embedded mode (processes of threads, a writer each); registrars
    and two members pledging on one partnership."""
    with serve(sqlite_config, tmp_path) as served:
        stack = EmbeddedStack(served, sqlite_config)
        scene = Scene.on(served)
        pid = scene.partnership(a={"roles": ["lead"]}, b={})
        path = f"/v1/partnerships/{pid}/commitments"
        clients = [Client("register", str(scene.broker.token), "/v1/organisations", organisation)]
        clients = clients * REGISTRARS
        clients += [Client("pledge", str(scene.partners[k].token), path, pledge_body) for k in "ab"]
        yield Rig(stack, clients, pid, stack.head())


def test_the_embedded_process_killed_mid_group_loses_and_doubles_nothing(rig: Rig) -> None:
    # Given clients whose commands the embedded writers commit in groups
    # When a worker process is killed with SIGKILL, a group perhaps mid-commit (and
    # perhaps holding the writers' turn, which the kernel then releases)
    # Then gunicorn replaced it
    load = a_worker_killed_under_load(rig)
    # And the clients recovered: nothing lost or doubled, the views (written in the
    # groups' transactions) equal a rebuild, and once sealed the log verifies
    assert_survived(rig, load)
