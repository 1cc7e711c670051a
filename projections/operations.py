"""Operations on the read models: status, digest, rebuild into fresh tables then swap."""

from __future__ import annotations

import fcntl
import gc
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, event, select, text

from projections.engine import mark, read_engine
from projections.follower import Follower
from projections.readside import ReadSide, view_projections
from projections.search import drop_index, ensure_index
from projections.tables import Tables, define

REBUILD_BATCH = 5000
DECIMAL_COLUMNS = {
    "quantity",
    "delivered",
    "confirmed",
    "valuation_amount",
    "baseline",
    "target",
    "actual",
}


def canonical_row(row: dict[str, Any]) -> str:
    """One row as canonical JSON: keys sorted, decimals normalised, booleans as JSON."""
    values = {}
    for name, value in row.items():
        if name in DECIMAL_COLUMNS and value is not None:
            normal = Decimal(value).normalize()
            value = format(normal, "f")
        values[name] = value
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(conn: Connection, tables: Tables) -> str:
    """SHA-256 over every view's rows, sorted in Python by code point (not by collation)."""
    h = hashlib.sha256()
    for table in tables.views():
        name = table.name.removeprefix(tables_prefix(tables))
        rows = sorted(canonical_row(dict(r._mapping)) for r in conn.execute(select(table)))
        h.update(f"{name}\n".encode())
        for line in rows:
            h.update(line.encode() + b"\n")
    return h.hexdigest()


def tables_prefix(tables: Tables) -> str:
    return tables.tracking.name.removesuffix("tracking")


def status(read: ReadSide) -> list[dict[str, Any]]:
    head = read.follower.head()
    return [
        {"projection": name, "position": pos, "head": head, "lag": head - pos}
        for name, pos in read.follower.positions().items()
    ]


def rebuild(read: ReadSide, progress: Callable[[int, int], None] | None = None) -> int:
    """Fill fresh tables from position 0 in batches, then swap them in, in one transaction.

    Readers see the old views until the swap; the swap also brings the new views up to
    the head reached meanwhile, so a rebuild under load ends caught up.
    """
    with collector_paused():
        return fill_and_swap(read, progress)


def fill_and_swap(read: ReadSide, progress: Callable[[int, int], None] | None) -> int:
    fresh = define(tables_prefix(read.tables) + "new_", indexes=False)
    engine = read.writer
    drop(engine, fresh)
    with filling(read) as filler:
        follower = Follower(read.app, filler, fresh, view_projections(fresh))
        follower.batch = REBUILD_BATCH  # fewer, larger transactions while nobody reads them
        follower.setup()
        # One pass to the head as it was at the start, batch by batch; what arrives
        # meanwhile is applied inside the swap transaction below (it never chases a
        # moving head).
        target = follower.head()
        follower.catch_up(
            target, None if progress is None else lambda reached: progress(reached, target)
        )
    with engine.begin() as conn:
        # Inside the swap's write transaction no follower can commit: finish, then swap.
        follower_in_tx(follower, conn)
        keep_other_tracking(conn, read.tables, fresh, follower)
        drop_index(conn, read.tables)  # the search's full-text index, made again below
        for old, new in zip(
            read.tables.metadata.sorted_tables, fresh.metadata.sorted_tables, strict=True
        ):
            conn.execute(text(f'DROP TABLE IF EXISTS "{old.name}"'))
            conn.execute(text(f'ALTER TABLE "{new.name}" RENAME TO "{old.name}"'))
            if conn.dialect.name == "postgresql":
                # The primary key's index keeps its name across a rename: give it back.
                conn.execute(text(f'ALTER INDEX "{new.name}_pkey" RENAME TO "{old.name}_pkey"'))
        # The old tables' secondary indexes went with them; build them on the new rows.
        for index in read.tables.indexes:
            index.create(conn)
        ensure_index(conn, read.tables)
    follower.cache.states.clear()  # garbage for the collector, once it runs again
    return read.follower.positions()[read.follower.projections[0].name]


@contextmanager
def filling(read: ReadSide) -> Iterator[Engine]:
    """The engine that fills the fresh tables: its commits are not waited on for the disk
    (SQLite synchronous=NORMAL, never OFF: the file holds the events too; PostgreSQL
    synchronous_commit=off). Nothing reads those tables before the swap, and the swap's
    commit, on the read side's own engine (synchronous FULL / on), is durable and makes
    every earlier commit durable with it: SQLite's WAL and PostgreSQL's are written in
    order. A crash before it leaves fresh tables that the next rebuild drops."""
    if read.config.kind == "memory":  # one in-memory database: the read side's engine
        yield read.writer
        return
    engine = read_engine(read.config, writer=True)
    setting = (
        "PRAGMA synchronous=NORMAL"
        if read.config.kind == "sqlite"
        else "SET synchronous_commit TO off"
    )

    @event.listens_for(engine, "connect")
    def relax(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(setting)
        cursor.close()
        if read.config.kind == "postgres":
            dbapi_connection.commit()  # psycopg began a transaction for the SET

    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a rebuild folds: each batch makes thousands of
    objects that live until its end, and the collector's passes over them cost a tenth of
    the rebuild (B3). The garbage is collected after; the previous state is restored."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def follower_in_tx(follower: Follower, conn: Connection) -> None:
    """Bring the fresh tables to the head as it is now, inside the swap transaction.

    Bounded: it never chases commands that keep arriving (the live follower goes on from
    the swapped-in tracking). Whatever the live follower commits meanwhile goes to the old
    tables, dropped with their tracking.
    """
    target = follower.head()
    while True:
        positions = follower.positions_in(conn)
        low = min(positions.values())
        if low >= target or follower.apply_in(conn, positions, low) is None:
            return


def keep_other_tracking(conn: Connection, old: Tables, fresh: Tables, follower: Follower) -> None:
    """Carry over the tracking rows of consumers a rebuild does not rebuild (the audit log):
    the swap replaces the tracking table, and they must not start again from 0."""
    rebuilt = [p.name for p in follower.projections]
    marks = ", ".join([mark(conn)] * len(rebuilt))
    conn.exec_driver_sql(
        f'INSERT INTO "{fresh.tracking.name}" SELECT * FROM "{old.tracking.name}" '
        f"WHERE projection NOT IN ({marks})",
        tuple(rebuilt),
    )


def drop(engine: Engine, tables: Tables) -> None:
    with engine.begin() as conn:
        tables.metadata.drop_all(conn)


@contextmanager
def rebuild_lock(read: ReadSide) -> Iterator[None]:
    """One rebuilder at a time across processes (they would share the fresh tables)."""
    config = read.config
    if config.kind == "postgres":
        with psycopg.connect(**config.psycopg_kwargs(), autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(7366204)")
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(7366204)")
    elif config.kind == "sqlite":
        with open(f"{config.sqlite_path}.rebuild.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    else:
        yield


def ensure_current(read: ReadSide) -> list[str]:
    """Rebuild the views when a projection's code changed; returns the stale ones found."""
    stale = read.follower.stale()
    if stale:
        with rebuild_lock(read):
            if read.follower.stale():  # another process may have rebuilt meanwhile
                rebuild(read)
    return stale
