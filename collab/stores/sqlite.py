"""SQLite store: the library's recorder, with our side rows in the insert's own transaction."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.sqlite import (
    SQLiteAggregateRecorder,
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
)
from eventsourcing.utils import Environment, EnvType

from collab.stores import _rows, tighten
from collab.stores.base import Contact, EventSigner, GroupCommit, IdempotencyRecord, Signature

SQLITE_BUSY_TIMEOUT = 5  # seconds; the library's default when SQLITE_LOCK_TIMEOUT is unset
_IDEMPOTENCY = _rows.IDEMPOTENCY_TABLE
_CONTACTS = _rows.CONTACTS_TABLE
_SIGNATURES = _rows.SIGNATURES_TABLE
# Every column TEXT (BINARY collation): the same values and ordering as on PostgreSQL.
CREATE_SIDE_TABLES = (
    f"CREATE TABLE IF NOT EXISTS {_IDEMPOTENCY} ("
    "actor_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, fingerprint TEXT NOT NULL, "
    "command TEXT NOT NULL, result TEXT NOT NULL, positions TEXT NOT NULL, "
    "recorded_at TEXT NOT NULL, PRIMARY KEY (actor_id, idempotency_key)) WITHOUT ROWID",
    f"CREATE INDEX IF NOT EXISTS {_IDEMPOTENCY}_recorded_at_idx ON {_IDEMPOTENCY} (recorded_at)",
    f"CREATE TABLE IF NOT EXISTS {_CONTACTS} ("
    "contact_id TEXT NOT NULL PRIMARY KEY, organisation_id TEXT NOT NULL, name TEXT NOT NULL, "
    "email TEXT NOT NULL, role TEXT NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID",
    f"CREATE INDEX IF NOT EXISTS {_CONTACTS}_organisation_idx ON {_CONTACTS} (organisation_id)",
    f"CREATE TABLE IF NOT EXISTS {_SIGNATURES} ("
    "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, key_id TEXT NOT NULL, "
    "signature TEXT NOT NULL, PRIMARY KEY (originator_id, originator_version)) WITHOUT ROWID",
)
INSERT_SIGNATURE = f"INSERT INTO {_SIGNATURES} VALUES (?,?,?,?)"
SELECT_SIGNATURES = (
    f"SELECT * FROM {_SIGNATURES} WHERE (originator_id, originator_version) IN (VALUES {{}})"
)
INSERT_IDEMPOTENCY = f"INSERT INTO {_IDEMPOTENCY} VALUES (?,?,?,?,?,?,?)"
SELECT_IDEMPOTENCY = f"SELECT * FROM {_IDEMPOTENCY} WHERE actor_id=? AND idempotency_key=?"
PURGE_IDEMPOTENCY = f"DELETE FROM {_IDEMPOTENCY} WHERE recorded_at<?"
UPSERT_CONTACT = (
    f"INSERT INTO {_CONTACTS} VALUES (?,?,?,?,?,?) ON CONFLICT (contact_id) DO UPDATE SET "
    "organisation_id=excluded.organisation_id, name=excluded.name, email=excluded.email, "
    "role=excluded.role, updated_at=excluded.updated_at"
)
SELECT_CONTACTS = f"SELECT * FROM {_CONTACTS} WHERE organisation_id=?"
DELETE_CONTACT = f"DELETE FROM {_CONTACTS} WHERE contact_id=?"


class CollabSQLiteConnectionPool(SQLiteConnectionPool):
    """The library's pool, plus the durability DESIGN §1 asks of every connection."""

    def _create_connection(self) -> SQLiteConnection:
        # The parent turns WAL on for a file database (WAL persists in the file) but
        # leaves `synchronous` at the build's default; we want FULL whatever the build
        # says: a commit is on disk when the command answers.
        conn = self._create_wal_connection()
        with conn.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=FULL")
        return conn

    def _create_wal_connection(self) -> SQLiteConnection:
        # Switching a fresh file to WAL takes an exclusive lock, and SQLite answers
        # "database is locked" at once (no busy handler) while another connection is
        # switching it too: gunicorn workers starting together on a new file. The switch
        # is idempotent, so it is retried until the lock timeout, like any busy lock.
        deadline = time.monotonic() + (self.lock_timeout or SQLITE_BUSY_TIMEOUT)
        while True:
            try:
                return super()._create_connection()
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() >= deadline:
                    raise
            time.sleep(0.01)


class CollabSQLiteDatastore(SQLiteDatastore):
    """The library's datastore, using our pool (it constructs its own, with no hook)."""

    def __init__(
        self,
        db_name: str,
        *,
        lock_timeout: int | None = None,
        single_row_tracking: bool = True,
        originator_id_type: Literal["uuid", "text"] = "uuid",
    ) -> None:
        super().__init__(
            db_name,
            lock_timeout=lock_timeout,
            single_row_tracking=single_row_tracking,
            originator_id_type=originator_id_type,
        )
        private_database(db_name)
        unused = self.pool  # never opened a connection: nothing to lose
        self.pool = CollabSQLiteConnectionPool(
            db_name=db_name,
            lock_timeout=lock_timeout,
            pool_size=unused.pool_size,
            max_overflow=unused.max_overflow,
            pool_timeout=unused.pool_timeout,
            max_age=unused.max_age,
            pre_ping=unused.pre_ping,
        )
        unused.close()


def private_database(db_name: str) -> None:
    """Make a new database file 0600 before SQLite does (SQLite would make it 0644 less the
    umask); SQLite gives a new -wal or -shm file the database's mode. Files an older
    version made open to others are tightened."""
    if db_name == ":memory:" or db_name.startswith("file:"):
        return
    path = Path(db_name)
    # There already (tightened below), or not possible: SQLite will say why when it opens it.
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        tighten(name)


class SQLiteCollabRecorder(SQLiteApplicationRecorder):
    """Events, their writer signatures and the command's idempotency row in one SQLite
    transaction."""

    signer: EventSigner | None = None

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *CREATE_SIDE_TABLES]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # Same cursor, same transaction: a duplicate key raises sqlite3.IntegrityError,
        # which the library's transaction rolls back (events included) and re-raises as
        # eventsourcing.persistence.IntegrityError.
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        signatures = _rows.signature_rows(self.signer, stored_events)
        if signatures:
            c.executemany(INSERT_SIGNATURE, signatures)
        record = _rows.idempotency_of(kwargs)
        if record is not None:
            c.execute(INSERT_IDEMPOTENCY, _rows.idempotency_row(record, notification_ids or ()))
        return notification_ids

    def insert_on(
        self, cursor: sqlite3.Cursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        """Events and side rows through another owner's connection, in its open transaction
        (the embedded writer's group, `projections/group.py`): their positions, or the
        library's IntegrityError when a version or an idempotency key is taken."""
        try:
            ids = self._insert_events(SQLiteCursor(cursor), stored_events, **kwargs)
        except sqlite3.IntegrityError as e:
            raise IntegrityError(e) from e
        return ids or ()

    def get_idempotency(self, actor_id: str, key: str) -> IdempotencyRecord | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(SELECT_IDEMPOTENCY, (actor_id, key))
            row = c.fetchone()
        return None if row is None else _rows.idempotency_from_row(row)

    def get_signatures(self, events: Sequence[tuple[str, int]]) -> dict[tuple[str, int], Signature]:
        found: dict[tuple[str, int], Signature] = {}
        with self.datastore.transaction(commit=False) as c:
            for chunk in _rows.chunks(events):
                marks = ",".join(["(?,?)"] * len(chunk))
                c.execute(SELECT_SIGNATURES.format(marks), [x for pair in chunk for x in pair])
                found.update({(r[0], int(r[1])): (r[2], r[3]) for r in c.fetchall()})
        return found

    def purge_idempotency(self, recorded_before: str) -> int:
        with self.datastore.transaction(commit=True) as c:
            c.execute(PURGE_IDEMPOTENCY, (recorded_before,))
            return int(c.sqlite_cursor.rowcount)

    def put_contact(self, contact: Contact) -> None:
        row = _rows.contact_row(contact)
        with self.datastore.transaction(commit=True) as c:
            c.execute(UPSERT_CONTACT, row)

    def list_contacts(self, organisation_id: str) -> list[Contact]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(SELECT_CONTACTS, (organisation_id,))
            rows = c.fetchall()
        return _rows.sorted_contacts([_rows.contact_from_row(r) for r in rows])

    def erase_contact(self, contact_id: str) -> bool:
        with self.datastore.transaction(commit=True) as c:
            c.execute(DELETE_CONTACT, (contact_id,))
            return bool(c.sqlite_cursor.rowcount)


class SQLiteSnapshotRecorder(SQLiteAggregateRecorder):
    """The library's recorder of snapshots, writing through the embedded writer once one is
    attached (`rows`): a write of its own would queue for SQLite's lock behind the writers
    while holding the library pool's writer lock, which the pool's readers (the writer's
    own catch-up among them) queue behind."""

    rows: GroupCommit | None = None

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if self.rows is None:
            return super().insert_events(stored_events, **kwargs)

        def insert(cursor: sqlite3.Cursor) -> None:
            self._insert_events(SQLiteCursor(cursor), stored_events)

        self.rows.submit_rows(insert)
        return None


class SQLiteStoreFactory(SQLiteFactory):
    """``PERSISTENCE_MODULE`` for ``sqlite:///``; snapshots through the writer once attached."""

    application_recorder_class = SQLiteCollabRecorder
    aggregate_recorder_class = SQLiteSnapshotRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)  # parses and validates the SQLITE_* settings
        plain = self.datastore
        self.datastore = CollabSQLiteDatastore(
            plain.pool.db_name,
            lock_timeout=plain.pool.lock_timeout,
            single_row_tracking=plain.single_row_tracking,
            originator_id_type=plain.originator_id_type,
        )
        plain.close()
