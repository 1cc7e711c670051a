"""The same cases on every store: events and side rows share one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any, cast
from uuid import UUID

import pytest
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import DataError, IntegrityError

from collab.stores import CollabRecorder, Contact, IdempotencyRecord, StoreConfig
from collab.stores import eventsourcing_env as env_for
from collab.stores.postgres import VALUES_MOST


class Note(Aggregate):
    """A throwaway aggregate: the stores do not care what the domain is."""

    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text


class SnapshottingApp(Application[UUID]):
    snapshotting_intervals = {Note: 2}


@pytest.fixture
def app(store_config: StoreConfig) -> Iterator[Application[UUID]]:
    application: Application[UUID] = Application(env=env_for(store_config))
    yield application
    application.close()


def recorder(app: Application[UUID]) -> CollabRecorder:
    assert isinstance(app.recorder, CollabRecorder)
    return app.recorder


def outcome(
    key: str = "k", actor: str = "actor-1", at: str = "2025-01-01T00:00:00Z", **result: Any
) -> IdempotencyRecord:
    return IdempotencyRecord(
        actor_id=actor,
        key=key,
        fingerprint="sha256:abc",
        command="WriteNote",
        result=result or {"ok": True},
        recorded_at=at,
    )


def test_events_and_outcome_commit_together_with_positions(app: Application[UUID]) -> None:
    # Given two new aggregates
    first, second = Note("a"), Note("b")

    # When one command saves both with its outcome
    recordings = app.save(first, second, idempotency=outcome("k1", note=str(first.id)))

    # Then the outcome carries the notification ids of exactly those events
    ids = tuple(r.notification.id for r in recordings)
    logged = app.recorder.select_notifications(start=None, limit=10)
    assert ids == tuple(n.id for n in logged)
    stored = recorder(app).get_idempotency("actor-1", "k1")
    assert stored == IdempotencyRecord(
        actor_id="actor-1",
        key="k1",
        fingerprint="sha256:abc",
        command="WriteNote",
        result={"note": str(first.id)},
        recorded_at="2025-01-01T00:00:00Z",
        positions=ids,
    )


@pytest.mark.parametrize("count", [2, VALUES_MOST, VALUES_MOST + 1])
def test_an_insert_of_any_size_keeps_its_events_in_order(
    app: Application[UUID], count: int
) -> None:
    # Given `count` events: new aggregates and a second event of the first (on PostgreSQL
    # a command's few go as one multi-row VALUES, more as the library's array of its
    # composite type)
    notes = [Note(f"note {i}") for i in range(count - 1)]
    notes[0].trigger_event(Aggregate.Event)
    before = app.recorder.max_notification_id() or 0

    # When they are saved in one insert
    recordings = app.save(*notes)

    # Then each event is at the next position, in the order given, with its bytes
    logged = app.recorder.select_notifications(start=before + 1, limit=count + 10)
    assert [n.id for n in logged] == list(range(before + 1, before + count + 1))
    assert [r.notification.id for r in recordings] == [n.id for n in logged]
    assert [(n.originator_id, n.originator_version, n.topic) for n in logged] == [
        (r.domain_event.originator_id, r.domain_event.originator_version, r.notification.topic)
        for r in recordings
    ]
    assert [n.state for n in logged] == [r.notification.state for r in recordings]
    assert [app.repository.get(note.id).text for note in notes] == [n.text for n in notes]
    assert app.repository.get(notes[0].id).version == 2


def test_duplicate_key_raises_and_records_no_event(app: Application[UUID]) -> None:
    # Given a command already recorded under key k
    [recording] = app.save(Note("first"), idempotency=outcome("k"))
    before = recording.notification.id

    # When another command brings the same (actor, key)
    late = Note("late")
    with pytest.raises(IntegrityError):
        app.save(late, idempotency=outcome("k", answer="other"))

    # Then neither its events nor its outcome are recorded, and the store still works
    assert app.recorder.max_notification_id() == before
    with pytest.raises(AggregateNotFoundError):
        app.repository.get(late.id)
    assert recorder(app).get_idempotency("actor-1", "k") == replace(
        outcome("k"), positions=(before,)
    )
    after = Note("after")
    app.save(after, idempotency=outcome("k2"))
    assert app.repository.get(after.id).version == 1


def test_same_key_for_another_actor_is_another_outcome(app: Application[UUID]) -> None:
    app.save(Note("a"), idempotency=outcome("k", actor="a"))
    app.save(Note("b"), idempotency=outcome("k", actor="b"))

    positions = [recorder(app).get_idempotency(a, "k") for a in ("a", "b")]

    assert [p.positions if p else None for p in positions] == [(1,), (2,)]


def test_command_without_events_still_keeps_its_outcome(app: Application[UUID]) -> None:
    app.save(idempotency=outcome("noop"))

    stored = recorder(app).get_idempotency("actor-1", "noop")

    assert stored is not None and stored.positions == ()
    with pytest.raises(IntegrityError):
        app.save(idempotency=outcome("noop"))


def test_save_without_outcome_writes_no_side_row(app: Application[UUID]) -> None:
    app.save(Note("plain"))

    assert recorder(app).get_idempotency("actor-1", "k") is None


@pytest.mark.parametrize(
    "bad",
    [
        outcome("k", value=object()),
        outcome("k", value=float("nan")),
        outcome("k\x00"),
        outcome("\ud800"),
    ],
    ids=["not-json", "nan", "nul", "lone-surrogate"],
)
def test_unstorable_outcome_is_refused_alike_and_records_nothing(
    app: Application[UUID], bad: IdempotencyRecord
) -> None:
    note = Note("x")

    with pytest.raises(DataError):
        app.save(note, idempotency=bad)

    assert app.recorder.max_notification_id() in (None, 0)
    with pytest.raises(AggregateNotFoundError):
        app.repository.get(note.id)


def test_outcome_must_be_an_idempotency_record(app: Application[UUID]) -> None:
    with pytest.raises(TypeError):
        app.save(Note("x"), idempotency={"key": "k"})


def test_purge_removes_outcomes_recorded_before(app: Application[UUID]) -> None:
    for day in ("01", "02", "03"):
        app.save(Note(day), idempotency=outcome(day, at=f"2025-01-{day}T12:00:00Z"))

    purged = recorder(app).purge_idempotency("2025-01-03T00:00:00Z")

    assert purged == 2
    kept = [recorder(app).get_idempotency("actor-1", day) for day in ("01", "02", "03")]
    assert [k is not None for k in kept] == [False, False, True]
    assert recorder(app).purge_idempotency("2025-01-03T00:00:00Z") == 0


def contact(contact_id: str, org: str = "org-1", name: str = "Ana") -> Contact:
    return Contact(
        contact_id, org, name, f"{name.lower()}@example.org", "rep", "2025-01-01T00:00:00Z"
    )


def test_contacts_upsert_list_erase(app: Application[UUID]) -> None:
    store = recorder(app)
    # Given contacts in two organisations
    store.put_contact(contact("c2", name="Bo"))
    store.put_contact(contact("c1"))
    store.put_contact(contact("c3", org="org-2"))

    # When one is updated and another erased
    store.put_contact(contact("c2", name="Bea"))
    erased = store.erase_contact("c1")

    # Then the list reflects both, ordered by id
    assert erased is True
    assert store.erase_contact("c1") is False
    assert store.list_contacts("org-1") == [contact("c2", name="Bea")]
    assert store.list_contacts("org-2") == [contact("c3", org="org-2")]
    assert store.list_contacts("org-9") == []


def test_contacts_are_ordered_by_id_on_every_backend(app: Application[UUID]) -> None:
    ids = ["b", "B", "a", "_", "ä", "A1"]
    for contact_id in ids:
        recorder(app).put_contact(contact(contact_id))

    listed = [c.contact_id for c in recorder(app).list_contacts("org-1")]

    assert listed == sorted(ids)


def test_contact_with_nul_is_refused_alike(app: Application[UUID]) -> None:
    with pytest.raises(DataError):
        recorder(app).put_contact(contact("c1", name="A\x00"))


def test_outcomes_and_contacts_survive_a_restart(durable: StoreConfig) -> None:
    store_config = durable
    first: Application[UUID] = Application(env=env_for(store_config))
    first.save(Note("a"), idempotency=outcome("k"))
    recorder(first).put_contact(contact("c1"))
    first.close()

    second: Application[UUID] = Application(env=env_for(store_config))
    try:
        assert recorder(second).get_idempotency("actor-1", "k") is not None
        assert recorder(second).list_contacts("org-1") == [contact("c1")]
    finally:
        second.close()


def test_snapshots_work_beside_our_recorder(store_config: StoreConfig) -> None:
    app = SnapshottingApp(env=env_for(store_config))
    try:
        note = Note("v1")
        app.save(note)
        note.trigger_event(Aggregate.Event)
        app.save(note, idempotency=outcome("snap"))

        assert app.snapshots is not None
        assert len(list(app.snapshots.get(note.id))) == 1
        assert cast(Note, app.repository.get(note.id)).text == "v1"
    finally:
        app.close()
