"""A projection whose code changed is rebuilt, never migrated by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from api.wiring import open_read_side
from collab.application import Collab
from collab.stores import StoreConfig
from projections.operations import digest
from projections.readside import ReadSide
from projections.state import StateProjection
from tests.application.conftest import fixed_clock
from tests.application.world import World


@pytest.fixture
def durable_app(durable: StoreConfig) -> Iterator[Collab]:
    service = Collab(durable, clock=fixed_clock)
    yield service
    service.close()


def test_a_changed_projection_is_rebuilt_when_the_read_side_starts(
    durable_app: Collab, durable: StoreConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = open_read_side(durable_app, durable)
    restarted: ReadSide | None = None
    try:
        # Given views built by the current code
        World(durable_app).in_force(keys=("a", "b"))
        read.catch_up()
        with read.reader() as conn:
            before = digest(conn, read.tables)
        # When the state projection's code version changes and a read side starts
        monkeypatch.setattr(StateProjection, "code_version", StateProjection.code_version + 1)
        restarted = open_read_side(durable_app, durable)
        # Then it rebuilt the views: same rows, recorded as built by the new code
        assert restarted.rebuilt_on_start == ["state"]
        assert restarted.follower.stale() == []
        t = restarted.tables.tracking
        with restarted.reader() as conn:
            versions = dict(conn.execute(select(t.c.projection, t.c.code_version)).tuples().all())
            assert versions["state"] == StateProjection.code_version
            assert digest(conn, restarted.tables) == before
    finally:
        if restarted is not None:
            restarted.close()
        read.close()
