"""The store option not taken, kept only to measure it: ``eventsourcing-sqlalchemy`` 1.0.1
with the same transaction shape as ``collab.stores`` (events + idempotency row, one
transaction) and the same durability, so B2 compares the two store modules like for like.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.utils import Environment
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import Column, Engine, MetaData, PrimaryKeyConstraint, Table, Text, event, insert
from sqlalchemy.orm import Session

from collab.stores import _rows


def idempotency_table(schema: str | None) -> Table:
    columns = [Column(name, Text, nullable=False) for name in _rows.IDEMPOTENCY_COLUMNS]
    return Table(
        _rows.IDEMPOTENCY_TABLE,
        MetaData(schema=schema),
        *columns,
        PrimaryKeyConstraint("actor_id", "idempotency_key"),
    )


class SQLAIdempotencyRecorder(SQLAlchemyApplicationRecorder):
    """The library's recorder plus the idempotency row, flushed in the events' session."""

    def __init__(self, datastore: Any, *, events_table_name: str, schema_name: str | None = None):
        super().__init__(datastore, events_table_name=events_table_name, schema_name=schema_name)
        self.idempotency = idempotency_table(schema_name)
        self.tables.append(self.idempotency)

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        # After the flush the ids are known; the row joins the same session, so the
        # library's commit (or rollback on IntegrityError) covers both.
        ids: Sequence[int] = super()._insert_stored_events(session, stored_events, **kwargs)
        record = _rows.idempotency_of(kwargs)
        if record is not None:
            row = _rows.as_mapping(_rows.IDEMPOTENCY_COLUMNS, _rows.idempotency_row(record, ids))
            session.execute(insert(self.idempotency).values(**row))
        return ids


def _set_durability(engine: Engine) -> None:
    # PITFALLS: this library leaves SQLite's journal in DELETE mode; B2 must compare equal
    # durability, so WAL + synchronous=FULL (and synchronous_commit=on) on every connection.
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
        else:
            cursor.execute("SET synchronous_commit = on")
        cursor.close()
        if engine.dialect.name == "postgresql":
            dbapi_connection.commit()  # psycopg opened a transaction for the SET


class SQLAStoreFactory(SQLAlchemyFactory):
    """``PERSISTENCE_MODULE`` for the B2 comparison (``SQLALCHEMY_URL``, ``SQLALCHEMY_SCHEMA``)."""

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        engine = self.datastore.engine
        assert isinstance(engine, Engine)
        _set_durability(engine)

    def application_recorder(self) -> ApplicationRecorder:
        recorder = SQLAIdempotencyRecorder(
            self.datastore,
            events_table_name=(self.env.name.lower() or "stored") + "_events",
            schema_name=self._schema_name,
        )
        if self.env_create_table():
            recorder.create_table()
        return recorder

    def close(self) -> None:
        # The library's factory leaves its engine's pool open (a ResourceWarning per
        # connection when the process ends).
        engine = self.datastore.engine
        if isinstance(engine, Engine):
            engine.dispose()
