"""The read models' SQLAlchemy engine: the same database as the event store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from collab.stores import StoreConfig
from collab.stores.sql import mark
from projections.checkpointer import Checkpointer

__all__ = ["mark", "read_engine"]


def read_engine(
    config: StoreConfig, *, writer: bool = False, checkpointer: Checkpointer | None = None
) -> Engine:
    """SQLite: WAL + synchronous=FULL (a writer begins IMMEDIATE; given a `checkpointer`,
    its connections leave checkpoints to it and nudge it at each commit); PostgreSQL: the
    schema.

    On PostgreSQL no pre-ping (a round trip per checkout): a connection the server dropped
    fails its statement, SQLAlchemy invalidates the pool and the API answers 503 once. The
    readers run in autocommit: under READ COMMITTED each statement sees its own snapshot
    anyway, and no BEGIN / ROLLBACK round trips wrap a single SELECT."""
    if config.kind == "postgres":
        settings = config.postgres_settings()
        engine = create_engine(
            "postgresql+psycopg://",
            connect_args={
                **config.psycopg_kwargs(),
                "options": f"-c search_path={settings['POSTGRES_SCHEMA']} -c synchronous_commit=on",
            },
            **({} if writer else {"isolation_level": "AUTOCOMMIT"}),
        )
        return engine
    if config.kind == "sqlite":
        engine = create_engine(f"sqlite:///{config.sqlite_path}", connect_args={"timeout": 30})
    else:  # memory://: the read models of a throwaway application live in memory too
        engine = create_engine(
            "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
        )
    _sqlite_transactions(engine, immediate=writer, checkpointer=checkpointer)
    return engine


def _sqlite_transactions(
    engine: Engine, *, immediate: bool, checkpointer: Checkpointer | None
) -> None:
    """Take the write lock at BEGIN, so two followers never both work on one batch."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        if engine.url.database:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        if checkpointer is not None:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    if checkpointer is not None:

        @event.listens_for(engine, "commit")
        def on_commit(_connection: Any) -> None:
            checkpointer.nudge()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
