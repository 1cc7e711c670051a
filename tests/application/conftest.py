"""Application tests run on every store: memory, SQLite file, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from collab.application import Collab
from collab.stores import StoreConfig
from tests.application.world import World

# Tests run on a fixed clock after every business date they use (2027-2029), so that
# effective dates in scenarios are never in the future (they may not be).
TEST_NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return TEST_NOW


@dataclass
class Clock:
    """A clock the test moves by hand (the service reads it on every request)."""

    now: datetime = TEST_NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def app(store_config: StoreConfig) -> Iterator[Collab]:
    # The fixed time, on a clock a test may move (tests/application/timeflow.py)
    service = Collab(store_config, clock=Clock())
    yield service
    service.close()


@pytest.fixture
def world(app: Collab) -> World:
    return World(app)
