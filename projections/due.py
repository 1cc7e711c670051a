"""The due table: effects that take time, waiting for their date (DESIGN §2 invariant 8).

A consumer of the follower, written in its batch transaction: for each aggregate touched,
its rows are replaced by what its state says is still due (`collab.due.due_of`). The
due-date processor reads the rows whose day has come (`due_items`, one indexed range
query), never a scan of every aggregate; a row goes away when the event recording its
effect reaches the follower. Its own table, beside the views: not in their digest, and a
rebuild of the views keeps its tracking (as the audit log's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Connection, Index, MetaData, Table, Text, select

from collab.due import DueItem, due_of
from collab.stores.sql import delete_many, insert_many, streams_begun


def due_table(prefix: str = "rm_") -> Table:
    table = Table(
        f"{prefix}due",
        MetaData(),
        Column("kind", Text, primary_key=True),
        Column("stream_id", Text, primary_key=True),
        Column("subject", Text, primary_key=True),
        Column("due_on", Text, nullable=False),
    )
    Index(f"{prefix}due_on_idx", table.c.due_on)
    return table


class DueProjection:
    """Rows of `due_table`, from each touched aggregate's state after the batch."""

    name = "due"
    code_version = 1  # its rows follow state only: never rebuilt with the views

    def __init__(self, prefix: str = "rm_") -> None:
        self.table = due_table(prefix)

    def setup(self, conn: Connection) -> None:
        self.table.metadata.create_all(conn)

    def apply(self, conn: Connection, changes: Sequence[Any]) -> None:
        last = {change.after.id: change.after for change in changes}
        rows = [
            {"kind": i.kind, "stream_id": i.stream_id, "subject": i.subject, "due_on": i.due_on}
            for aggregate in last.values()
            for i in due_of(aggregate)
        ]
        new = streams_begun(c.event for c in changes)
        if held := [str(i) for i in last if str(i) not in new]:
            delete_many(conn, self.table, "stream_id", held)
        insert_many(conn, self.table, rows)


def due_items(conn: Connection, table: Table, today: str, limit: int = 500) -> list[DueItem]:
    """Effects whose day has come, oldest first (at most `limit`)."""
    t = table.c
    found = conn.execute(
        select(t.kind, t.stream_id, t.subject, t.due_on)
        .where(t.due_on <= today)
        .order_by(t.due_on, t.kind, t.stream_id, t.subject)
        .limit(limit)
    )
    return [DueItem(*row) for row in found.tuples()]
