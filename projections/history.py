"""Histories: every event as a readable entry, and each field's successive values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from collab.stores.sql import insert_many
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


def entry(change: Change) -> dict[str, Any]:
    event = change.event
    meta = getattr(event, "meta", {}) or {}
    corrects = getattr(event, "corrects", None) or {}
    return {
        "position": change.position,
        "stream_id": str(event.originator_id),
        "stream_version": event.originator_version,
        "stream_kind": change.kind.lower(),
        "partnership_id": partnership_of(change),
        "event_type": type(event).__name__,
        "actor": meta.get("actor"),
        "on_behalf_of": meta.get("on_behalf_of"),
        "mandate": meta.get("mandate"),
        "reason": meta.get("reason"),
        "recorded_at": meta.get("recorded_at"),
        "effective_date": meta.get("effective_date"),
        "correlation_id": meta.get("correlation_id"),
        "corrects_stream": corrects.get("stream"),
        "corrects_version": corrects.get("version"),
        "data": js(public_data(event)),
    }


def field_changes(change: Change) -> list[dict[str, Any]]:
    """The tracked fields this event changed (all of them for a creation)."""
    return [
        {
            "stream_id": str(change.after.id),
            "field": field,
            "position": change.position,
            "stream_version": change.event.originator_version,
            "event_type": type(change.event).__name__,
            "value": js(value),
        }
        for field, value in change.changed_fields().items()
    ]


class HistoryProjection:
    name = "history"
    code_version = 1

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def apply(self, conn: Connection, changes: Sequence[Change]) -> None:
        insert_many(conn, self.tables.history, [entry(c) for c in changes])
        insert_many(conn, self.tables.field_history, [r for c in changes for r in field_changes(c)])
