"""The demo scenario runs on every store, and every event it records carries the envelope."""

from __future__ import annotations

import json

from api.demo import run_demo
from collab.application import Collab
from tests.domain.test_event_topics import PINNED

ENVELOPE = {
    "actor",
    "on_behalf_of",
    "mandate",
    "reason",
    "recorded_at",
    "effective_date",
    "correlation_id",
}


def test_the_demo_seeds_a_clld_partnership_through_the_service(app: Collab) -> None:
    # When the demo runs
    summary = run_demo(app)
    # Then it ends moving on, with a withdrawal, released and fulfilled commitments and a transfer
    assert "moving_on, agreement version 2 in force" in summary
    assert "5 active, 1 leaving, 0 withdrawn" in summary  # the cooperative gave notice
    # Its pledge stays its own until the exit date (invariant 8)
    assert "volunteer_time 300 hour — confirmed" in summary and "— fulfilled" in summary
    assert "practice transferred to" in summary


def test_every_recorded_event_carries_the_envelope_with_ids_only(app: Collab) -> None:
    run_demo(app)
    notifications = app.recorder.select_notifications(1, 10_000)
    assert len(notifications) > 50
    for n in notifications:
        state = json.loads(n.state)
        meta = state["meta"]
        assert set(meta) == ENVELOPE, n.topic
        assert meta["actor"] and meta["correlation_id"] and meta["recorded_at"].endswith("Z")
        assert len(meta["effective_date"]) == 10


def test_the_topics_stored_are_the_pinned_ones(app: Collab) -> None:
    run_demo(app)
    stored = {n.topic for n in app.recorder.select_notifications(1, 10_000)}
    assert stored <= PINNED
    assert len(stored) > 20


def test_positions_increase_in_commit_order_without_duplicates(app: Collab) -> None:
    run_demo(app)
    ids = [n.id for n in app.recorder.select_notifications(1, 10_000)]
    assert ids == sorted(set(ids))
