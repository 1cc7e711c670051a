"""Moving an in-process application's clock, and running the due-date processor on it."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from collab.application import Collab, Outcome
from collab.due import due_of, run_due
from tests.application.conftest import Clock


def later(app: Collab, days: int) -> str:
    """Move the application's test clock `days` ahead; today's date after the move."""
    clock = app.clock
    assert isinstance(clock, Clock), "the app runs on the tests' movable clock"
    clock.now += timedelta(days=days)
    return clock.now.date().isoformat()


def process_due(app: Collab, *streams: str) -> list[Outcome]:
    """The due-date processor over these streams (what the due table would list for them):
    the outcomes that recorded an effect."""
    return run_due(app, [item for s in streams for item in due_of(app.load(UUID(s)))])
