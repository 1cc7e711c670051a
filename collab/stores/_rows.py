"""Side-row encoding shared by every store, so all three hold and return identical values."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import astuple
from typing import Any

from eventsourcing.persistence import DataError, StoredEvent

from collab.stores.base import Contact, EventSigner, IdempotencyRecord

IDEMPOTENCY_TABLE = "collab_idempotency"
CONTACTS_TABLE = "collab_contacts"
SIGNATURES_TABLE = "collab_event_signatures"

IDEMPOTENCY_COLUMNS = (
    "actor_id",
    "idempotency_key",
    "fingerprint",
    "command",
    "result",
    "positions",
    "recorded_at",
)
CONTACT_COLUMNS = ("contact_id", "organisation_id", "name", "email", "role", "updated_at")

# A row as written: every column is TEXT, in the order of *_COLUMNS.
Row = tuple[str, ...]


def idempotency_of(kwargs: Mapping[str, Any]) -> IdempotencyRecord | None:
    """The record passed down by ``Application.save(..., idempotency=...)``, if any."""
    record = kwargs.get("idempotency")
    if record is not None and not isinstance(record, IdempotencyRecord):
        msg = f"idempotency must be an IdempotencyRecord, not {type(record).__name__}"
        raise TypeError(msg)
    return record


def dump_json(value: object) -> str:
    # Sorted, compact and ASCII-only: the same text on every backend, and no NUL or lone
    # surrogate can reach a PostgreSQL TEXT column (both are escaped by ensure_ascii).
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as e:
        raise DataError(f"not storable as JSON: {e}") from e


def check_text(*values: str) -> None:
    """Refuse on every backend what PostgreSQL TEXT refuses, so the stores behave alike."""
    for value in values:
        if "\x00" in value:
            raise DataError("text contains NUL")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:
            raise DataError(f"text is not valid UTF-8: {e}") from e


def idempotency_row(record: IdempotencyRecord, positions: Sequence[int]) -> Row:
    """Encode ``record`` with ``positions`` (the notification ids just inserted)."""
    text = (record.actor_id, record.key, record.fingerprint, record.command, record.recorded_at)
    check_text(*text)
    result = dump_json(record.result)
    return (*text[:4], result, dump_json([int(p) for p in positions]), record.recorded_at)


def idempotency_from_row(row: Any) -> IdempotencyRecord:
    """Decode a row read by column name (``sqlite3.Row``, psycopg ``dict_row``, tuple map)."""
    return IdempotencyRecord(
        actor_id=row["actor_id"],
        key=row["idempotency_key"],
        fingerprint=row["fingerprint"],
        command=row["command"],
        result=json.loads(row["result"]),
        recorded_at=row["recorded_at"],
        positions=tuple(json.loads(row["positions"])),
    )


def contact_row(contact: Contact) -> Row:
    row: Row = astuple(contact)
    check_text(*row)
    return row


def contact_from_row(row: Any) -> Contact:
    return Contact(**{name: row[name] for name in CONTACT_COLUMNS})


def as_mapping(columns: Sequence[str], row: Row) -> dict[str, str]:
    return dict(zip(columns, row, strict=True))


def sorted_contacts(contacts: list[Contact]) -> list[Contact]:
    # Sorted in Python, not by the database, so every backend returns the same order
    # whatever its collation.
    return sorted(contacts, key=lambda c: c.contact_id)


def signature_rows(
    signer: EventSigner | None, stored_events: Sequence[StoredEvent]
) -> list[tuple[str, int, str, str]]:
    """(stream, version, key id, signature) per event, signed over its stored bytes."""
    if signer is None:
        return []
    rows = []
    for e in stored_events:
        stream, version = str(e.originator_id), int(e.originator_version)
        digest = hashlib.sha256(e.state).hexdigest()
        rows.append(
            (stream, version, signer.key_id, signer.sign_event(stream, version, e.topic, digest))
        )
    return rows


def chunks(items: Sequence[tuple[str, int]], size: int = 500) -> list[Sequence[tuple[str, int]]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
