"""Histories: every event as a readable entry, and each field's successive values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from collab.stores.sql import insert_tuples
from projections.follower import Change
from projections.rows import js
from projections.tables import Tables

PRIVATE = {"originator_id", "originator_version", "timestamp", "meta", "originator_topic"}


def public_data(event: Any) -> dict[str, Any]:
    """The event's own fields, as JSON-ready values (decimals as strings)."""
    return {k: v for k, v in vars(event).items() if k not in PRIVATE}


def partnership_of(change: Change) -> str | None:
    after = change.after
    if change.kind == "Partnership":
        return str(after.id)
    return getattr(after, "partnership_id", None)


# The tables' columns, in order: rows are built as tuples (a rebuild writes one history row
# per event, and a dict per row cost a tenth of it). HistoryProjection checks the order.
ENTRY_COLUMNS = (
    "position",
    "stream_id",
    "stream_version",
    "stream_kind",
    "partnership_id",
    "event_type",
    "actor",
    "on_behalf_of",
    "mandate",
    "reason",
    "recorded_at",
    "effective_date",
    "correlation_id",
    "corrects_stream",
    "corrects_version",
    "data",
)
FIELD_COLUMNS = ("stream_id", "field", "position", "stream_version", "event_type", "value")


def entry(change: Change) -> tuple[Any, ...]:
    """The event's history row (ENTRY_COLUMNS)."""
    event = change.event
    meta = getattr(event, "meta", None) or {}
    corrects = getattr(event, "corrects", None) or {}
    get = meta.get
    return (
        change.position,
        str(event.originator_id),
        event.originator_version,
        change.kind.lower(),
        partnership_of(change),
        type(event).__name__,
        get("actor"),
        get("on_behalf_of"),
        get("mandate"),
        get("reason"),
        get("recorded_at"),
        get("effective_date"),
        get("correlation_id"),
        corrects.get("stream"),
        corrects.get("version"),
        js(public_data(event)),
    )


def field_changes(change: Change) -> list[tuple[Any, ...]]:
    """The rows (FIELD_COLUMNS) of the tracked fields this event changed (every one for a
    creation)."""
    changed = change.changed_fields()
    if not changed:
        return []
    event = change.event
    stream, version, name = str(change.after.id), event.originator_version, type(event).__name__
    return [
        (stream, field, change.position, version, name, value) for field, value in changed.items()
    ]


class HistoryProjection:
    name = "history"
    code_version = 1

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        for table, columns in (
            (tables.history, ENTRY_COLUMNS),
            (tables.field_history, FIELD_COLUMNS),
        ):
            if tuple(c.name for c in table.columns) != columns:
                raise RuntimeError(f"{table.name}'s columns are not the rows' order")

    def apply(self, conn: Connection, changes: Sequence[Change]) -> None:
        insert_tuples(conn, self.tables.history, [entry(c) for c in changes])
        insert_tuples(
            conn, self.tables.field_history, [r for c in changes for r in field_changes(c)]
        )
