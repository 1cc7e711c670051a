"""The library's PostgreSQL datastore with the settings collab insists on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal, cast

import psycopg
from eventsourcing.postgres import PostgresDatastore
from psycopg import Connection, sql

# pg_advisory_lock key for our DDL ("collab" in ASCII): one per database, all schemas.
DDL_LOCK_KEY = 0x636F6C6C6162


class CollabPostgresDatastore(PostgresDatastore):
    """The library's datastore, plus the durability DESIGN §1 asks of every connection."""

    def after_connect_func(self) -> Callable[[Connection[Any]], None]:
        library_after_connect = super().after_connect_func()
        timeout = sql.Literal(f"{self.lock_timeout}s")  # a value: no reference to self

        def after_connect(conn: Connection[Any]) -> None:
            library_after_connect(conn)
            # Explicit, so a server, database or role default of off/local cannot weaken
            # what a committed command means.
            conn.execute("SET synchronous_commit = on")
            # The library's lock timeout for an insert's table lock, set here once rather
            # than with SET LOCAL in every insert (PostgresCollabRecorder): only the insert
            # takes a lock that waits on these connections.
            conn.execute(sql.SQL("SET lock_timeout = {}").format(timeout))

        return after_connect

    @classmethod
    def like(cls, plain: PostgresDatastore) -> CollabPostgresDatastore:
        """Same settings as ``plain`` (built by the library's factory from the env)."""
        if plain.enable_db_functions:
            # DESIGN §1: the function path lets a higher position commit before a lower
            # one, and our follower would skip the lower one for ever.
            raise ValueError("POSTGRES_ENABLE_DB_FUNCTIONS is not supported by collab")
        pool, kwargs = plain.pool, plain.pool.kwargs
        assert isinstance(kwargs, dict)
        return cls(
            dbname=kwargs["dbname"],
            host=kwargs["host"],
            port=kwargs["port"],
            user=kwargs["user"],
            password=kwargs["password"],
            connect_timeout=pool.timeout,
            idle_in_transaction_session_timeout=plain.idle_in_transaction_session_timeout,
            pool_size=pool.min_size,
            max_overflow=pool.max_size - pool.min_size,
            max_waiting=pool.max_waiting,
            conn_max_age=pool.max_lifetime,
            pre_ping=plain.pre_ping,
            lock_timeout=plain.lock_timeout,
            schema=plain.schema,
            pool_open_timeout=plain.pool_open_timeout,
            get_password_func=pool.get_password_func,
            single_row_tracking=plain.single_row_tracking,
            originator_id_type=cast(Literal["uuid", "text"], plain.originator_id_type),
        )

    @contextmanager
    def ddl_lock(self) -> Iterator[None]:
        """Serialise schema changes between processes that start together (gunicorn
        workers): run concurrently, the library's CREATE OR REPLACE FUNCTION and CREATE
        TYPE fail with "tuple concurrently updated" or a unique violation."""
        kwargs = self.pool.kwargs
        assert isinstance(kwargs, dict)
        kwargs = {k: v for k, v in kwargs.items() if k != "row_factory"}
        if self.pool.get_password_func is not None:
            kwargs["password"] = self.pool.get_password_func()
        # Its own connection, outside the pool (which may hold a single connection): the
        # session lock goes when the connection closes, whatever happens meanwhile.
        with psycopg.connect(**kwargs, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (DDL_LOCK_KEY,))
            yield
