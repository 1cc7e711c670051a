"""B2's write paths, each run inside a writer process: one command's append, or its ceiling.

* ``app``: ``Application.save(note, idempotency=record)`` through a store module (ours or
  the eventsourcing-sqlalchemy variant), chosen by the ``env`` given.
* ``raw``: the same two rows (one event, one idempotency row with the event's position)
  inserted in one transaction by the bare driver, with the same durability and, on
  PostgreSQL, the same ``LOCK TABLE … IN EXCLUSIVE MODE``.
Inputs (aggregates, records, ids) are built before the clock starts: B2 times the append.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Protocol
from uuid import UUID, uuid4

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.sqlite import SQLiteDatastore
from psycopg.sql import SQL, Identifier

from collab.stores import IdempotencyRecord, StoreConfig, eventsourcing_env

RESULT = {"status": "accepted", "agreement": "00000000-0000-0000-0000-000000000000"}
RESULT_JSON = '{"agreement":"00000000-0000-0000-0000-000000000000","status":"accepted"}'
RECORDED_AT = "2025-01-01T00:00:00Z"


class Note(Aggregate):
    """A one-event aggregate of a realistic size."""

    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text


def new_record(key: str) -> IdempotencyRecord:
    return IdempotencyRecord("actor-b2", key, "sha256:" + "0" * 64, "B2", RESULT, RECORDED_AT)


def sample_event() -> tuple[str, bytes]:
    """Topic and state bytes of a real ``Note`` event, for the raw ceiling's rows."""
    app: Application[UUID] = Application(env=eventsourcing_env(StoreConfig("memory://")))
    [stored] = app.save(Note("b2 " * 20))
    app.close()
    return stored.notification.topic, stored.notification.state


class WritePath(Protocol):
    def prepare(self, n: int) -> list[Any]: ...
    def run(self, item: Any) -> None: ...
    def settings(self) -> dict[str, str]: ...
    def close(self) -> None: ...


class AppPath:
    """``Application.save`` through a store module: ``store`` is "collab" or "sqlalchemy"."""

    def __init__(self, env: dict[str, str], store: str) -> None:
        self.app: Application[UUID] = Application(env=env)
        self.store = store

    def prepare(self, n: int) -> list[Any]:
        return [(Note("b2 " * 20), new_record(uuid4().hex)) for _ in range(n)]

    def run(self, item: Any) -> None:
        note, record = item
        self.app.save(note, idempotency=record)

    def settings(self) -> dict[str, str]:
        """Durability as a writer connection actually has it, read back from the database."""
        datastore: Any = self.app.recorder.datastore  # type: ignore[attr-defined]
        if self.store == "sqlalchemy":
            with datastore.engine.connect() as conn:
                return _read_settings(conn.connection.driver_connection)
        if isinstance(datastore, SQLiteDatastore):
            pooled = datastore.pool.get_connection(is_writer=False)
            try:
                with pooled.cursor() as cursor:
                    return _read_settings(cursor.connection)
            finally:
                datastore.pool.put_connection(pooled)
        with datastore.get_connection() as conn:
            return _read_settings(conn)

    def close(self) -> None:
        self.app.close()


class RawSQLitePath:
    """The ceiling on SQLite: ``sqlite3``, WAL, synchronous=FULL, deferred BEGIN, 5 s busy."""

    def __init__(self, config: StoreConfig) -> None:
        self.conn = sqlite3.connect(config.sqlite_path, isolation_level=None, timeout=5)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.topic, self.state = sample_event()

    def prepare(self, n: int) -> list[Any]:
        return [(uuid4().hex, uuid4().hex) for _ in range(n)]

    def run(self, item: Any) -> None:
        originator_id, key = item
        c = self.conn.cursor()
        c.execute("BEGIN")
        c.execute(
            "INSERT INTO stored_events VALUES (?,?,?,?)", (originator_id, 1, self.topic, self.state)
        )
        positions = f"[{c.lastrowid}]"
        c.execute(
            "INSERT INTO collab_idempotency VALUES (?,?,?,?,?,?,?)",
            ("actor-b2", key, "sha256:" + "0" * 64, "B2", RESULT_JSON, positions, RECORDED_AT),
        )
        c.execute("COMMIT")

    def settings(self) -> dict[str, str]:
        return _read_settings(self.conn)

    def close(self) -> None:
        self.conn.close()


class RawPostgresPath:
    """The ceiling on PostgreSQL: psycopg, synchronous_commit=on, the same table lock."""

    def __init__(self, config: StoreConfig, events_table: str = "application_events") -> None:
        self.conn = psycopg.connect(**config.psycopg_kwargs(), autocommit=True)
        self.conn.execute("SET synchronous_commit = on")
        schema = Identifier(config.postgres_settings()["POSTGRES_SCHEMA"])
        events = SQL("{}.{}").format(schema, Identifier(events_table))
        self.lock = SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(events)
        self.insert_event = SQL(
            "INSERT INTO {} (originator_id, originator_version, topic, state) "
            "VALUES (%s,%s,%s,%s) RETURNING notification_id"
        ).format(events)
        self.insert_row = SQL(
            "INSERT INTO {}.collab_idempotency VALUES (%s,%s,%s,%s,%s,%s,%s)"
        ).format(schema)
        self.topic, self.state = sample_event()

    def prepare(self, n: int) -> list[Any]:
        return [(uuid4(), uuid4().hex) for _ in range(n)]

    def run(self, item: Any) -> None:
        originator_id, key = item
        with self.conn.transaction(), self.conn.cursor() as c:
            c.execute(self.lock)
            c.execute(self.insert_event, (originator_id, 1, self.topic, self.state))
            row = c.fetchone()
            assert row is not None
            positions = f"[{row[0]}]"
            c.execute(
                self.insert_row,
                ("actor-b2", key, "sha256:" + "0" * 64, "B2", RESULT_JSON, positions, RECORDED_AT),
            )

    def settings(self) -> dict[str, str]:
        return _read_settings(self.conn)

    def close(self) -> None:
        self.conn.close()


def _read_settings(conn: Any) -> dict[str, str]:
    if isinstance(conn, sqlite3.Connection):
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
        synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
        return {"journal_mode": str(journal), "synchronous": str(synchronous)}
    row = conn.execute("SHOW synchronous_commit").fetchone()
    value = row["synchronous_commit"] if isinstance(row, dict) else row[0]
    return {"synchronous_commit": str(value)}


def open_path(spec: dict[str, Any]) -> WritePath:
    """``{"path": "app", "env": ..., "store": ...}`` or ``{"path": "raw", "url": ...}``."""
    if spec["path"] == "app":
        return AppPath(spec["env"], spec["store"])
    config = StoreConfig(spec["url"])
    return RawSQLitePath(config) if config.kind == "sqlite" else RawPostgresPath(config)


def serve(conn: Any, barrier: Any, specs: dict[str, dict[str, Any]]) -> None:
    """A writer process: open every path, then run batches on request, in step with the
    others (the parent starts its clock when everyone has passed the barrier)."""
    import traceback

    paths: dict[str, WritePath] = {}
    try:
        paths = {name: open_path(spec) for name, spec in specs.items()}
        conn.send(("ready", {name: path.settings() for name, path in paths.items()}))
        while (request := conn.recv()) is not None:
            name, n = request
            batch = paths[name].prepare(n)
            barrier.wait(timeout=300)
            for item in batch:
                paths[name].run(item)
            conn.send(("done", None))
    except BaseException:
        barrier.abort()
        conn.send(("error", traceback.format_exc()))
    finally:
        for path in paths.values():
            path.close()
