"""PostgreSQL store: the library's recorder, with our side rows in the insert's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from typing import Any

import psycopg
from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    InterfaceError,
    OperationalError,
    ProcessRecorder,
    StoredEvent,
)
from eventsourcing.postgres import (
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
    TPostgresTrackingRecorder,
)
from eventsourcing.utils import Environment, EnvType, retry
from psycopg import Connection
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Composed, Identifier

from collab.stores import _rows
from collab.stores._postgres_datastore import CollabPostgresDatastore
from collab.stores.base import Contact, EventSigner, IdempotencyRecord, Signature

BEGIN, COMMIT = SQL("BEGIN"), SQL("COMMIT")
PIPELINED_MOST = 64 * 1024  # bytes of event state an insert sends in pipeline mode
# Events an insert sends as one multi-row VALUES statement (a command's few); more (an
# import, a benchmark's seeding) go as the library's array of its composite type.
VALUES_MOST = 64
# COLLATE "C" compares bytes, as SQLite's BINARY does: purging by RFC 3339 text and any
# ordering give the same answer on both backends whatever the database's locale.
_IDEMPOTENCY_DDL = (
    "CREATE TABLE IF NOT EXISTS {t} ("
    'actor_id text COLLATE "C" NOT NULL, idempotency_key text COLLATE "C" NOT NULL, '
    "fingerprint text NOT NULL, command text NOT NULL, result text NOT NULL, "
    'positions text NOT NULL, recorded_at text COLLATE "C" NOT NULL, '
    "PRIMARY KEY (actor_id, idempotency_key))"
)
_CONTACTS_DDL = (
    "CREATE TABLE IF NOT EXISTS {t} ("
    'contact_id text COLLATE "C" PRIMARY KEY, organisation_id text COLLATE "C" NOT NULL, '
    "name text NOT NULL, email text NOT NULL, role text NOT NULL, updated_at text NOT NULL)"
)
_SIGNATURES_DDL = (
    "CREATE TABLE IF NOT EXISTS {t} ("
    "originator_id uuid NOT NULL, originator_version bigint NOT NULL, key_id text NOT NULL, "
    "signature text NOT NULL, PRIMARY KEY (originator_id, originator_version))"
)
_UPSERT_CONTACT = (
    "INSERT INTO {t} VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT (contact_id) DO UPDATE SET "
    "organisation_id=excluded.organisation_id, name=excluded.name, email=excluded.email, "
    "role=excluded.role, updated_at=excluded.updated_at"
)


def rendered(statement: Composable) -> bytes:
    """A composed statement as the bytes psycopg would send (identifiers quoted as
    PostgreSQL quotes them, without a connection)."""
    return statement.as_bytes(None)


class PostgresCollabRecorder(PostgresApplicationRecorder):
    """Events, their writer signatures and the command's idempotency row in one PostgreSQL
    transaction."""

    signer: EventSigner | None = None

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(datastore.schema)

        def ddl(template: str, table: str) -> Composed:
            return SQL(template).format(t=SQL("{}.{}").format(schema, Identifier(table)))

        # The statements of every command, and of every catch-up's head, rendered once:
        # psycopg renders a composed statement again at each execution (4 % of a keyed
        # registration's instructions went there).
        def sql(template: str, table: str) -> bytes:
            return rendered(ddl(template, table))

        idem, contacts = _rows.IDEMPOTENCY_TABLE, _rows.CONTACTS_TABLE
        signatures = _rows.SIGNATURES_TABLE
        index = "CREATE INDEX IF NOT EXISTS {name} ON {{t}} ({column})"
        self.sql_create_statements += [
            ddl(_IDEMPOTENCY_DDL, idem),
            ddl(index.format(name=f"{idem}_recorded_at_idx", column="recorded_at"), idem),
            ddl(_CONTACTS_DDL, contacts),
            ddl(index.format(name=f"{contacts}_org_idx", column="organisation_id"), contacts),
            ddl(_SIGNATURES_DDL, signatures),
        ]
        # The library sets the lock timeout (`SET LOCAL`) in every insert's transaction;
        # our connections set it once, when the pool opens them (CollabPostgresDatastore):
        # a statement fewer per command. Only the table lock is left to send.
        self.lock_table_statements = [
            rendered(
                SQL("LOCK TABLE {0}.{1} IN EXCLUSIVE MODE").format(
                    Identifier(self.datastore.schema), Identifier(self.events_table_name)
                )
            )
        ]
        # The library's head query runs its attribute, which psycopg takes as bytes too.
        self.max_notification_id_statement = rendered(self.max_notification_id_statement)  # type: ignore[assignment]
        self.notify_statement = rendered(SQL("NOTIFY {0}").format(Identifier(self.channel_name)))
        self.insert_events_head = rendered(
            SQL(
                "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
                "VALUES "
            ).format(
                schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name)
            )
        )
        self.values_statements: dict[tuple[bytes, int, bytes], bytes] = {}
        self.insert_signature = sql("INSERT INTO {t} VALUES (%s,%s,%s,%s)", signatures)
        self.insert_signatures_head = sql("INSERT INTO {t} VALUES ", signatures)
        self.select_signatures = sql(
            "SELECT t.* FROM {t} t JOIN unnest(%s::uuid[], %s::bigint[]) AS w(s, v) "
            "ON t.originator_id = w.s AND t.originator_version = w.v",
            signatures,
        )
        self.insert_idempotency = sql("INSERT INTO {t} VALUES (%s,%s,%s,%s,%s,%s,%s)", idem)
        self.select_idempotency = sql(
            "SELECT * FROM {t} WHERE actor_id=%s AND idempotency_key=%s", idem
        )
        self.purge_idempotency_statement = sql("DELETE FROM {t} WHERE recorded_at<%s", idem)
        self.upsert_contact = sql(_UPSERT_CONTACT, contacts)
        self.select_contacts = sql("SELECT * FROM {t} WHERE organisation_id=%s", contacts)
        self.delete_contact = sql("DELETE FROM {t} WHERE contact_id=%s", contacts)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """The library's insert (``LOCK TABLE … IN EXCLUSIVE MODE``, ``NOTIFY``, ``INSERT …
        RETURNING notification_id``; its lock timeout set on the connection, see
        `CollabPostgresDatastore`), then our rows, in one transaction in pipeline mode: two
        round trips, one to learn the positions (the idempotency row holds them), one for
        our rows and the commit.

        Why not the library's pipelined ``insert_events`` with our rows in its
        ``_fetch_ids_after_insert_events`` hook: it catches any exception raised after its
        INSERT and still commits (events without their rows). Here any failure, ours or
        the server's, leaves the transaction by an exception and rolls back everything;
        the retry is the library's (connection errors only; a duplicate key is an
        IntegrityError and is not retried).
        """
        record = _rows.idempotency_of(kwargs)
        notification_ids: Sequence[int] | None = None
        pipelined = sum(len(e.state) for e in stored_events) <= PIPELINED_MOST
        with self.datastore.get_connection() as conn, self._transaction(conn, pipelined) as sync:
            curs = conn.cursor()
            if stored_events:
                self._insert_stored_events(curs, stored_events, **kwargs)
                sync()  # a duplicate version raises here, and all rolls back
                notification_ids = self._fetch_ids_after_insert_events(curs, stored_events)
                signed = _rows.signature_rows(self.signer, stored_events)
                if len(signed) > VALUES_MOST:
                    curs.executemany(self.insert_signature, signed)
                elif signed:
                    values = self.values(self.insert_signatures_head, 4, len(signed))
                    curs.execute(values, [value for row in signed for value in row])
            if record is not None:
                row = _rows.idempotency_row(record, notification_ids or ())
                curs.execute(self.insert_idempotency, row)
        return notification_ids

    def _insert_stored_events(
        self, curs: psycopg.Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        """The library's statements (the table lock, NOTIFY, an INSERT returning the
        positions in the events' order), but a command's few events go as one multi-row
        VALUES with a parameter per column: psycopg dumps those in C, where the library's
        array of its composite type is escaped field by field in Python (9 % of a keyed
        registration's instructions in process). The NOTIFY is composed once, not per
        insert."""
        count = len(stored_events)
        if count > VALUES_MOST:
            super()._insert_stored_events(curs, stored_events, **kwargs)
            return
        self._lock_table(curs)
        curs.execute(self.notify_statement)
        params: list[Any] = []
        for e in stored_events:
            params += (e.originator_id, e.originator_version, e.topic, e.state)
        statement = self.values(self.insert_events_head, 4, count, b" RETURNING notification_id")
        curs.execute(statement, params)

    def values(self, head: bytes, width: int, count: int, tail: bytes = b"") -> bytes:
        """`head` (an INSERT up to its VALUES) with `count` rows of `width` parameters, then
        `tail`: one statement per table and count, made once. PostgreSQL numbers the rows,
        and returns them, in the VALUES' order."""
        key = (head, count, tail)
        found = self.values_statements.get(key)
        if found is None:
            row = b"(" + b",".join([b"%s"] * width) + b")"
            found = self.values_statements[key] = head + b",".join([row] * count) + tail
        return found

    @staticmethod
    @contextmanager
    def _transaction(conn: Connection[DictRow], pipelined: bool) -> Iterator[Callable[[], None]]:
        """One transaction on one of the pool's autocommit connections; it gives the sync
        that makes the statements sent so far answer.

        Pipelined (a command's few events): BEGIN is sent with the first statements and
        COMMIT with the last, not each with a sync of its own as `conn.transaction()`
        would (two round trips more). A bulk insert (an import, a benchmark's seeding) is
        sent plainly: in pipeline mode a message of megabytes hung at its sync on this
        machine (psycopg 3.3, as in psycopg#685), and for it round trips do not count.
        Anything raised rolls the transaction back."""
        if not pipelined:
            with conn.transaction():
                yield lambda: None
            return
        try:
            with conn.pipeline() as pipeline:
                conn.execute(BEGIN)
                yield pipeline.sync
                conn.execute(COMMIT)
        except BaseException:
            with suppress(psycopg.Error):  # a broken connection: the pool replaces it
                conn.rollback()
            raise

    # Reads are single statements on the pool's autocommit connections: no BEGIN and
    # ROLLBACK round trips around them (the library's own reads do the same).

    def get_idempotency(self, actor_id: str, key: str) -> IdempotencyRecord | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_idempotency, (actor_id, key), prepare=True)
            row = curs.fetchone()
        return None if row is None else _rows.idempotency_from_row(row)

    def get_signatures(self, events: Sequence[tuple[str, int]]) -> dict[tuple[str, int], Signature]:
        found: dict[tuple[str, int], Signature] = {}
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            for chunk in _rows.chunks(events):
                streams = [s for s, _ in chunk]
                versions = [v for _, v in chunk]
                curs.execute(self.select_signatures, (streams, versions))
                found.update(
                    {
                        (str(r["originator_id"]), int(r["originator_version"])): (
                            r["key_id"],
                            r["signature"],
                        )
                        for r in curs.fetchall()
                    }
                )
        return found

    def purge_idempotency(self, recorded_before: str) -> int:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.purge_idempotency_statement, (recorded_before,))
            return curs.rowcount

    def put_contact(self, contact: Contact) -> None:
        row = _rows.contact_row(contact)
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.upsert_contact, row)

    def list_contacts(self, organisation_id: str) -> list[Contact]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_contacts, (organisation_id,))
            rows = curs.fetchall()
        return _rows.sorted_contacts([_rows.contact_from_row(r) for r in rows])

    def erase_contact(self, contact_id: str) -> bool:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.delete_contact, (contact_id,))
            return curs.rowcount > 0


class PostgresStoreFactory(PostgresFactory):
    """``PERSISTENCE_MODULE`` for ``postgresql+psycopg://``; snapshots: library recorder."""

    application_recorder_class = PostgresCollabRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)  # parses and validates the POSTGRES_* settings
        plain = self.datastore
        self.datastore: CollabPostgresDatastore = CollabPostgresDatastore.like(plain)
        plain.close()
        if self.env_create_table():
            with self._ddl_lock():
                # Before any recorder: constructing one already reads the schema's types.
                statement = SQL("CREATE SCHEMA IF NOT EXISTS {}")
                with self.datastore.transaction(commit=True) as curs:
                    curs.execute(statement.format(Identifier(self.datastore.schema)))

    def _ddl_lock(self) -> AbstractContextManager[None]:
        return self.datastore.ddl_lock() if self.env_create_table() else nullcontext()

    def application_recorder(self) -> ApplicationRecorder:
        with self._ddl_lock():
            return super().application_recorder()

    def aggregate_recorder(self, purpose: str = "events") -> AggregateRecorder:
        with self._ddl_lock():
            return super().aggregate_recorder(purpose)

    def tracking_recorder(
        self, tracking_recorder_class: type[TPostgresTrackingRecorder] | None = None
    ) -> TPostgresTrackingRecorder:
        with self._ddl_lock():
            return super().tracking_recorder(tracking_recorder_class)

    def process_recorder(self) -> ProcessRecorder:
        with self._ddl_lock():
            return super().process_recorder()
