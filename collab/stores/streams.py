"""One stream's stored events with their log positions, read by the stream's own key.

As-of reads fold a stream up to a position, and the visibility rule places a former
member's exit (a partnership version) in the log: both ask here. On SQLite and PostgreSQL
one query through the events table's primary key (originator_id, originator_version), so
the cost is the stream's, not the log's; any other recorder (memory://) is scanned.
These know the library's table layout (SQLite keeps the position as the rowid,
PostgreSQL as notification_id): the library has no such reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

PAGE = 1000
COLUMNS = "originator_id, originator_version, topic, state"


def fold(app: Application[UUID], stream: UUID, position: int) -> tuple[Aggregate | None, int]:
    """The stream's state from its events at or before `position`, and the last position."""
    aggregate: Aggregate | None = None
    last = 0
    for n in stream_notifications(app.recorder, stream, position):
        event: Any = app.mapper.to_domain_event(n)
        aggregate = event.mutate(aggregate)
        last = n.id
    return aggregate, last


def stream_notifications(recorder: Any, stream: UUID, position: int) -> Sequence[Notification]:
    """The stream's stored events at or before `position`, with their positions, in order."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        return _sqlite(recorder, "rowid<=?", (stream.hex, position))
    if isinstance(recorder, PostgresApplicationRecorder):
        return _postgres(recorder, "notification_id<=%s", (stream, position))
    return scanned_stream(recorder, stream, position)


def position_of(recorder: Any, stream: UUID, version: int) -> int | None:
    """The log position of one stored event, by its stream and version."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        found: Sequence[Notification] = _sqlite(
            recorder, "originator_version=?", (stream.hex, version)
        )
    elif isinstance(recorder, PostgresApplicationRecorder):
        found = _postgres(recorder, "originator_version=%s", (stream, version))
    else:
        head = recorder.max_notification_id() or 0
        found = [
            n for n in scanned_stream(recorder, stream, head) if n.originator_version == version
        ]
    return found[0].id if found else None


def _sqlite(
    recorder: SQLiteApplicationRecorder, condition: str, params: tuple[Any, ...]
) -> list[Notification]:
    statement = (
        f"SELECT rowid, {COLUMNS} FROM {recorder.events_table_name} "
        f"WHERE originator_id=? AND {condition} ORDER BY originator_version"
    )
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(statement, params)
        rows = c.fetchall()
    return [
        Notification(
            id=row[0],
            originator_id=recorder.convert_originator_id(row[1]),
            originator_version=row[2],
            topic=row[3],
            state=row[4],
        )
        for row in rows
    ]


def _postgres(
    recorder: PostgresApplicationRecorder, condition: str, params: tuple[Any, ...]
) -> list[Notification]:
    statement = SQL(
        "SELECT notification_id, " + COLUMNS + " FROM {schema}.{table} "
        "WHERE originator_id=%s AND " + condition + " ORDER BY originator_version"
    ).format(
        schema=Identifier(recorder.datastore.schema),
        table=Identifier(recorder.events_table_name),
    )
    with recorder.datastore.transaction(commit=False) as curs:
        curs.execute(statement, params)
        rows = curs.fetchall()
    return [
        Notification(
            id=row["notification_id"],
            originator_id=row["originator_id"],
            originator_version=row["originator_version"],
            topic=row["topic"],
            state=bytes(row["state"]),
        )
        for row in rows
    ]


def scanned_stream(recorder: Any, stream: UUID, position: int) -> list[Notification]:
    found: list[Notification] = []
    start = 0
    while start < position:
        page = recorder.select_notifications(start, PAGE, stop=position, inclusive_of_start=False)
        if not page:
            break
        found += [n for n in page if n.originator_id == stream]
        start = page[-1].id
    return found
