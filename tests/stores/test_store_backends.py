"""What each database must be told on every connection, and PostgreSQL's own rules."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from uuid import UUID

import psycopg
import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from collab.stores import IdempotencyRecord, StoreConfig
from collab.stores import eventsourcing_env as env_for


@pytest.fixture
def sqlite_app(sqlite_config: StoreConfig) -> Iterator[Application[UUID]]:
    app: Application[UUID] = Application(env=env_for(sqlite_config))
    yield app
    app.close()


@pytest.fixture
def postgres_app(postgres_config: StoreConfig) -> Iterator[Application[UUID]]:
    app: Application[UUID] = Application(env=env_for(postgres_config))
    yield app
    app.close()


def test_sqlite_connections_are_wal_and_synchronous_full(sqlite_app: Application[UUID]) -> None:
    datastore = sqlite_app.recorder.datastore  # type: ignore[attr-defined]
    assert isinstance(datastore, SQLiteDatastore)
    pool = datastore.pool
    # Holding the pooled connection forces the pool to open a fresh one beside it.
    reused = pool.get_connection(is_writer=False)
    fresh = pool.get_connection(is_writer=False)
    try:
        assert fresh is not reused
        for conn in (reused, fresh):
            with conn.cursor() as cursor:
                journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
                synchronous = cursor.execute("PRAGMA synchronous").fetchone()[0]
            assert (journal, synchronous) == ("wal", 2)
    finally:
        pool.put_connection(fresh)
        pool.put_connection(reused)


@pytest.mark.postgres
def test_postgres_connections_set_synchronous_commit_on(postgres_app: Application[UUID]) -> None:
    datastore = postgres_app.recorder.datastore  # type: ignore[attr-defined]
    assert isinstance(datastore, PostgresDatastore)
    with datastore.get_connection() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT setting, source FROM pg_settings WHERE name = 'synchronous_commit'")
        # source 'session': set by us on this connection, not inherited from the server.
        assert cursor.fetchone() == {"setting": "on", "source": "session"}


@pytest.mark.postgres
def test_postgres_store_creates_its_schema(postgres_app: Application[UUID]) -> None:
    datastore = postgres_app.recorder.datastore  # type: ignore[attr-defined]
    with datastore.get_connection() as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (datastore.schema,),
        )
        tables = {row["table_name"] for row in cursor.fetchall()}
    assert {"application_events", "collab_idempotency", "collab_contacts"} <= tables


@pytest.mark.postgres
def test_postgres_keeps_the_table_lock_insert_path(postgres_config: StoreConfig) -> None:
    env = {**env_for(postgres_config), "POSTGRES_ENABLE_DB_FUNCTIONS": "y"}

    with pytest.raises(ValueError, match="POSTGRES_ENABLE_DB_FUNCTIONS"):
        Application(env=env)


def test_applications_starting_together_all_open(store_config: StoreConfig) -> None:
    # Given several workers starting at once on an empty database (gunicorn's start)
    starting = 6
    barrier = threading.Barrier(starting)
    errors: list[BaseException] = []

    def start() -> None:
        barrier.wait()
        try:
            Application(env=env_for(store_config)).close()
        except BaseException as e:  # reported below, in the test's thread
            errors.append(e)

    # When they all create the tables concurrently
    threads = [threading.Thread(target=start) for _ in range(starting)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then none of them fails (PostgreSQL's DDL races are serialised by an advisory lock)
    assert errors == []


@pytest.mark.postgres
def test_postgres_connection_is_reusable_after_a_duplicate_key(
    postgres_config: StoreConfig,
) -> None:
    # Given one pooled connection only, so the failed one is the one used next
    env = {**env_for(postgres_config), "POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "0"}
    app: Application[UUID] = Application(env=env)
    try:
        record = IdempotencyRecord("actor", "k", "f", "Cmd", {}, "2025-01-01T00:00:00Z")
        app.save(Aggregate(), idempotency=record)

        # When a duplicate key fails
        with pytest.raises(IntegrityError):
            app.save(Aggregate(), idempotency=record)

        # Then its event was rolled back and the connection serves the next command
        assert app.recorder.max_notification_id() == 1
        [recording] = app.save(Aggregate())
        assert recording.notification.id == 3  # the failed insert burnt position 2
    finally:
        app.close()


@pytest.mark.postgres
def test_postgres_inserts_take_the_table_lock_with_the_configured_timeout(
    postgres_config: StoreConfig,
) -> None:
    # Given a store configured with a lock timeout of one second
    env = {**env_for(postgres_config), "POSTGRES_LOCK_TIMEOUT": "1"}
    app: Application[UUID] = Application(env=env)
    try:
        app.save(Aggregate())
        datastore = app.recorder.datastore  # type: ignore[attr-defined]
        # Then each of its connections has it (set once, not with every insert)
        with datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute("SELECT setting, source FROM pg_settings WHERE name = 'lock_timeout'")
            assert cursor.fetchone() == {"setting": "1000", "source": "session"}
        # When another session holds a lock that only the insert's EXCLUSIVE table lock
        # conflicts with (a plain INSERT's ROW EXCLUSIVE does not), for half a second
        table = f'"{datastore.schema}"."{app.recorder.events_table_name}"'  # type: ignore[attr-defined]
        holder = psycopg.connect(**postgres_config.psycopg_kwargs())
        holder.execute(f"LOCK TABLE {table} IN ROW SHARE MODE")  # type: ignore[arg-type]
        release = threading.Timer(0.5, holder.close)
        release.start()
        started = time.monotonic()
        app.save(Aggregate())
        # Then the insert waited for it: commit order is still position order
        assert time.monotonic() - started >= 0.4
        release.join()
    finally:
        app.close()
