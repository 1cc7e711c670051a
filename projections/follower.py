"""The log follower (DESIGN §1): reads the notification log in batches, feeds projections.

Each projection keeps its own tracking row. A batch is applied in one transaction that
first advances every projection's tracking row from the position it read (a compare and
set that also takes the write lock), then writes the projections' rows: a follower that
lost the race to another process rolls back and reads again, so nothing is applied twice
and nothing is skipped (positions commit in order: the library's table lock).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from sqlalchemy import Connection, Engine, insert, select, text

from collab.stores.sql import fetch, rowcount
from projections.engine import mark
from projections.rows import js
from projections.search import ensure_index
from projections.tables import Tables

BATCH = 500
TRACKED_FIELDS = {
    "Partnership": (
        "title",
        "need_statement",
        "territory",
        "classifications",
        "partnership_type",
        "status",
        "in_force",
        "pending",
        "brokers",
    ),
    "Commitment": ("status", "recipient", "quantity", "valuation", "period", "conditions"),
    "Organisation": ("legal_name", "org_type", "sector", "territory", "identifiers", "active"),
}


@dataclass
class Change:
    """One event at its position, with the state of its aggregate just after it."""

    position: int
    event: Any
    after: Aggregate  # shared: by the end of a batch, the state after its last event
    before: Tracked | None  # tracked fields just before this event; None for a creation
    fields: Tracked  # tracked fields just after this event
    stored: Any = None  # the notification as stored: topic and bytes (the audit log's leaf)

    @property
    def kind(self) -> str:
        return type(self.after).__name__

    def changed_fields(self) -> dict[str, str]:
        """The tracked fields this event changed (every one for a creation), each with its
        new value as JSON text. A field holding the very object it held before is unchanged;
        a new object is compared by its JSON text (as 1.0 and 1.00 differ there)."""
        names = TRACKED_FIELDS.get(self.kind, ())
        if self.before is None:
            return {f: js(v) for f, v in zip(names, self.fields, strict=True)}
        out: dict[str, str] = {}
        for f, old, new in zip(names, self.before, self.fields, strict=True):
            if old is not new and (text := js(new)) != js(old):
                out[f] = text
        return out


class Projection(Protocol):
    name: str
    code_version: int  # bump when the rows it writes change: the views are then rebuilt

    def apply(self, conn: Connection, changes: Sequence[Change]) -> None: ...


# The tracked fields' values just after an event, in TRACKED_FIELDS' order: references, not
# copies. The domain never changes a field's value in place (it assigns a new value), so
# the values an event left stay as they were while later events fold into the aggregate
# (tests/projections/test_field_history.py checks it on every kind of event).
Tracked = tuple[Any, ...]


class StateCache:
    """Aggregates folded event by event; loaded from the store at the version just before."""

    def __init__(self, app: Application[UUID], limit: int = 20_000) -> None:
        self.app = app
        self.limit = limit
        self.states: dict[UUID, tuple[Aggregate, Tracked]] = {}

    def fold(self, event: Any) -> tuple[Aggregate, Tracked | None, Tracked]:
        """Apply one event; the tracked fields' values are kept per event (the aggregate
        itself is shared and mutated by the next event)."""
        cached = self.states.get(event.originator_id)
        before: Tracked | None
        if cached is not None and cached[0].version == event.originator_version - 1:
            aggregate: Aggregate | None = cached[0]
            before = cached[1]
        else:
            aggregate, before = None, None
            if event.originator_version > 1:
                aggregate = self.app.repository.get(
                    event.originator_id, version=event.originator_version - 1
                )
                before = tracked(aggregate)
        after = event.mutate(aggregate)
        fields = tracked(after)
        if len(self.states) >= self.limit:
            self.states.clear()
        self.states[event.originator_id] = (after, fields)
        return after, before, fields


def tracked(aggregate: Any) -> Tracked:
    """The tracked fields' values as they stand (references: see `Tracked`)."""
    return tuple(getattr(aggregate, f) for f in TRACKED_FIELDS.get(type(aggregate).__name__, ()))


class Follower:
    """Feeds every projection from its tracking position; `catch_up` until the head."""

    def __init__(
        self,
        app: Application[UUID],
        engine: Engine,
        tables: Tables,
        projections: Sequence[Projection],
        batch: int = BATCH,
    ) -> None:
        self.app = app
        self.engine = engine
        self.tables = tables
        self.projections = list(projections)
        self.batch = batch
        self.cache = StateCache(app)
        # One thread at a time folds into the cache and writes the rows: the embedded
        # writer, or a request catching the views up after another process's commands.
        self.lock = threading.RLock()

    def positions(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return self.positions_in(conn)

    def positions_in(self, conn: Connection) -> dict[str, int]:
        # Read before every command's catch-up: plain SQL, no statement to compile.
        sql = f'SELECT projection, position FROM "{self.tables.tracking.name}"'
        known = dict(fetch(conn, sql))
        return {p.name: known.get(p.name, 0) for p in self.projections}

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def catch_up(
        self, until: int | None = None, on_batch: Callable[[int], None] | None = None
    ) -> int:
        """Apply batches until every projection has reached `until` (default: the head).

        The tracking rows are read inside each batch's write transaction: one round trip
        fewer per command in embedded mode, and (on SQLite, whose writer begins IMMEDIATE)
        no other follower can move them before the compare-and-set."""
        target = self.head() if until is None else until
        while True:
            with self.lock, self.engine.begin() as conn:
                positions = self.positions_in(conn)
                low = min(positions.values(), default=target)
                if low >= target:
                    return low
                reached = self.apply_in(conn, positions, low)
                if reached is None:
                    conn.rollback()
            if on_batch is not None and reached is not None:
                on_batch(reached)
            if reached is not None and reached >= target:
                # Every projection now stands at `reached` (advance_all moved them together):
                # no second write transaction just to find that out.
                return reached

    def apply_in(self, conn: Connection, positions: dict[str, int], low: int) -> int | None:
        """One batch after `low`, in the caller's transaction: the position it reached, or
        None if there was nothing to do or another follower applied it first."""
        notifications = self.app.recorder.select_notifications(
            low, self.batch, inclusive_of_start=False
        )
        if not notifications:
            return None
        to_event = self.app.mapper.to_domain_event
        changes = [self.change(n.id, to_event(n), n) for n in notifications]
        return self.apply_changes(conn, positions, changes)

    def change(self, position: int, event: Any, stored: Any) -> Change:
        """An event at its position, folded into its aggregate's state (events in order)."""
        after, before, fields = self.cache.fold(event)
        return Change(position, event, after, before, fields, stored)

    def apply_changes(
        self, conn: Connection, positions: dict[str, int], changes: Sequence[Change]
    ) -> int | None:
        """Every projection's rows for `changes` (in position order, following `positions`
        without a gap), in the caller's transaction: the position reached, or None if
        another follower moved a tracking row first (the caller rolls back)."""
        last = changes[-1].position
        if not self.advance_all(conn, positions, last):
            self.cache.states.clear()  # another follower applied it; read again
            return None
        for projection in self.projections:
            mine = [c for c in changes if c.position > positions[projection.name]]
            if mine:
                projection.apply(conn, mine)
        return last

    def setup(self) -> None:
        """Create the tables and a tracking row per projection (idempotent, race-safe)."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Several processes may start at once; DDL must not race.
                conn.execute(text("SELECT pg_advisory_xact_lock(7366203)"))
            self.tables.metadata.create_all(conn)
            for index in self.tables.indexes:  # an index added since these tables were made
                index.create(conn, checkfirst=True)
            if self.tables.indexes:  # live tables: the search's full-text index too
                ensure_index(conn, self.tables)
            for projection in self.projections:
                extra = getattr(projection, "setup", None)
                if extra is not None:
                    extra(conn)  # a consumer with tables of its own (the audit log)
            t = self.tables.tracking
            known = set(conn.execute(select(t.c.projection)).scalars())
            for projection in self.projections:
                if projection.name not in known:
                    conn.execute(
                        insert(t).values(
                            projection=projection.name,
                            position=0,
                            code_version=projection.code_version,
                        )
                    )

    def stale(self) -> list[str]:
        """Projections whose rows were built by other code than this (to be rebuilt)."""
        t = self.tables.tracking
        with self.engine.connect() as conn:
            built = dict(conn.execute(select(t.c.projection, t.c.code_version)).tuples().all())
        return [
            p.name for p in self.projections if built.get(p.name, p.code_version) != p.code_version
        ]

    def advance_all(self, conn: Connection, positions: dict[str, int], new: int) -> bool:
        """Compare and set every tracking row (one statement when they stand together, as
        they do but after a crash between projections); False if another follower moved
        one first: the caller rolls back, nothing is applied twice."""
        placeholder = mark(conn)
        table = self.tables.tracking.name
        groups: dict[int, list[str]] = {}
        for name, old in positions.items():
            groups.setdefault(old, []).append(name)
        for old, names in groups.items():
            if old >= new:
                # Already past this batch (a consumer a rebuild kept, e.g. the due table,
                # trails the rebuilt views): never move a tracking row back.
                continue
            sql = (
                f'UPDATE "{table}" SET position = {placeholder} WHERE position = {placeholder} '
                f"AND projection IN ({', '.join([placeholder] * len(names))})"
            )
            if rowcount(conn, sql, (new, old, *names)) != len(names):
                return False
        return True
