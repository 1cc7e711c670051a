"""Read-side tests: the application tests' service (fixed clock) plus its read side."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.wiring import open_read_side
from collab.application import Collab
from collab.stores import StoreConfig
from projections.readside import ReadSide
from tests.application.conftest import app, world

__all__ = ["app", "read", "world"]


@pytest.fixture
def read(app: Collab, store_config: StoreConfig) -> Iterator[ReadSide]:
    side = open_read_side(app, store_config)
    yield side
    side.close()
