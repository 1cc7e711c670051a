"""Plain SQL for the hot paths of SQLAlchemy tables (read models, the Merkle log).

Rows of plain text and integers gain nothing from SQLAlchemy's per-row parameter
processing, statement compilation and result objects: the embedded writer runs these for
every command, so they go through the driver's own cursor, in the transaction the
SQLAlchemy connection began.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table


def mark(conn: Connection) -> str:
    """The driver's parameter placeholder."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


@contextmanager
def driver_cursor(conn: Connection) -> Iterator[Any]:
    """A cursor of the driver's own connection under ``conn``, in the transaction
    SQLAlchemy began: none of SQLAlchemy's per-statement events and result objects (about
    80 µs a statement, against 10-20 µs for SQLite's own work on these small statements)."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        yield cursor
    finally:
        cursor.close()


def fetch(conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """The rows of one statement, through the driver's cursor."""
    with driver_cursor(conn) as cursor:
        cursor.execute(sql, tuple(params))
        return list(cursor.fetchall())


def rowcount(conn: Connection, sql: str, params: Sequence[Any] = ()) -> int:
    """One statement that writes, through the driver's cursor: the rows it changed."""
    with driver_cursor(conn) as cursor:
        cursor.execute(sql, tuple(params))
        return int(cursor.rowcount)


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """executemany of ``rows`` (dicts keyed by every column of ``table``)."""
    if rows:
        columns = [c.name for c in table.columns]
        insert_tuples(conn, table, [tuple(row[c] for c in columns) for row in rows])


# From this many rows on, PostgreSQL takes an insert as COPY: one stream of rows rather than
# a statement per row (a rebuild's batch writes thousands of history rows; a command's few
# rows stay plain INSERTs).
COPY_FROM = 64


def insert_tuples(conn: Connection, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
    """``rows``, tuples of every column of ``table`` in its order: executemany, or on
    PostgreSQL a COPY for `COPY_FROM` rows or more (psycopg's, which escapes each value)."""
    if not rows:
        return
    columns = ", ".join(c.name for c in table.columns)
    with driver_cursor(conn) as cursor:
        if conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
            with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
            return
        values = f"({', '.join([mark(conn)] * len(table.columns))})"
        if conn.dialect.name == "postgresql":
            # One statement of len(rows) rows: one round trip, where psycopg's executemany
            # opens a pipeline and sends a statement per row (a follower's batch writes
            # a row or two to each of a dozen tables: the pipeline cost more than the rows).
            flat = [value for row in rows for value in row]
            cursor.execute(
                f'INSERT INTO "{table.name}" ({columns}) VALUES {", ".join([values] * len(rows))}',
                flat,
            )
            return
        cursor.executemany(f'INSERT INTO "{table.name}" ({columns}) VALUES {values}', rows)


def streams_begun(events: Iterable[Any]) -> set[str]:
    """The streams (ids as text) whose first event in `events` is their first ever: no
    rows of theirs can exist yet, so a consumer writing theirs has none to delete or read."""
    seen: set[str] = set()
    begun: set[str] = set()
    for e in events:
        stream = str(e.originator_id)
        if stream not in seen:
            seen.add(stream)
            if e.originator_version == 1:
                begun.add(stream)
    return begun


def delete_many(conn: Connection, table: Table, key: str, ids: Sequence[str | int]) -> None:
    """The rows whose ``key`` is one of ``ids``, in one statement."""
    placeholder = mark(conn)
    sql = f'DELETE FROM "{table.name}" WHERE {key} IN ({", ".join([placeholder] * len(ids))})'
    rowcount(conn, sql, ids)
