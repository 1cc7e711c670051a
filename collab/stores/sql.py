"""Plain SQL for the hot paths of SQLAlchemy tables (read models, the Merkle log).

Rows of plain text and integers gain nothing from SQLAlchemy's per-row parameter
processing and statement compilation; executemany through the driver is what is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table


def mark(conn: Connection) -> str:
    """The driver's parameter placeholder."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """executemany of ``rows`` (dicts keyed by every column of ``table``)."""
    if not rows:
        return
    columns = [c.name for c in table.columns]
    values = ", ".join([mark(conn)] * len(columns))
    sql = f'INSERT INTO "{table.name}" ({", ".join(columns)}) VALUES ({values})'
    conn.exec_driver_sql(sql, [tuple(row[c] for c in columns) for row in rows])


def delete_many(conn: Connection, table: Table, key: str, ids: Sequence[str | int]) -> None:
    """The rows whose ``key`` is one of ``ids``, in one statement."""
    placeholder = mark(conn)
    sql = f'DELETE FROM "{table.name}" WHERE {key} IN ({", ".join([placeholder] * len(ids))})'
    conn.exec_driver_sql(sql, tuple(ids))
