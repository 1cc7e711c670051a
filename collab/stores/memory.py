"""In-memory store for unit tests: the library's POPO recorder plus our side rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, IntegrityError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory

from collab.stores import _rows
from collab.stores.base import Contact, EventSigner, IdempotencyRecord, Signature


class MemoryCollabRecorder(POPOApplicationRecorder):
    """Events, idempotency rows and contacts in dicts, all guarded by one lock.

    Rows are kept encoded exactly as the SQL stores keep them, so a value that SQLite or
    PostgreSQL would refuse or change is refused or changed here too.
    """

    def __init__(self) -> None:
        super().__init__()
        self._idempotency: dict[tuple[str, str], _rows.Row] = {}
        self._contacts: dict[str, _rows.Row] = {}
        self.signer: EventSigner | None = None
        self.signatures: dict[tuple[str, int], Signature] = {}

    def _assert_uniqueness(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        # Runs under the database lock before anything is written: every check that can
        # fail (events, duplicate key, unencodable result) happens here, so there is no
        # half-write.
        super()._assert_uniqueness(stored_events, **kwargs)
        record = _rows.idempotency_of(kwargs)
        if record is None:
            return
        _rows.idempotency_row(record, ())
        if (record.actor_id, record.key) in self._idempotency:
            msg = f"idempotency key already recorded: {record.actor_id!r} {record.key!r}"
            raise IntegrityError(msg)

    def _update_table(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        notification_ids = super()._update_table(stored_events, **kwargs)
        for stream, version, key_id, signature in _rows.signature_rows(self.signer, stored_events):
            self.signatures[(stream, version)] = (key_id, signature)
        record = _rows.idempotency_of(kwargs)
        if record is not None:
            row = _rows.idempotency_row(record, notification_ids or ())
            self._idempotency[(record.actor_id, record.key)] = row
        return notification_ids

    def get_signatures(self, events: Sequence[tuple[str, int]]) -> dict[tuple[str, int], Signature]:
        with self._database_lock:
            return {e: self.signatures[e] for e in events if e in self.signatures}

    def get_idempotency(self, actor_id: str, key: str) -> IdempotencyRecord | None:
        with self._database_lock:
            row = self._idempotency.get((actor_id, key))
        if row is None:
            return None
        return _rows.idempotency_from_row(_rows.as_mapping(_rows.IDEMPOTENCY_COLUMNS, row))

    def purge_idempotency(self, recorded_before: str) -> int:
        with self._database_lock:
            # Textual comparison, as the SQL stores do (binary collation).
            old = [k for k, row in self._idempotency.items() if row[-1] < recorded_before]
            for k in old:
                del self._idempotency[k]
        return len(old)

    def put_contact(self, contact: Contact) -> None:
        row = _rows.contact_row(contact)
        with self._database_lock:
            self._contacts[contact.contact_id] = row

    def list_contacts(self, organisation_id: str) -> list[Contact]:
        with self._database_lock:
            rows = [r for r in self._contacts.values() if r[1] == organisation_id]
        mappings = (_rows.as_mapping(_rows.CONTACT_COLUMNS, r) for r in rows)
        return _rows.sorted_contacts([_rows.contact_from_row(m) for m in mappings])

    def erase_contact(self, contact_id: str) -> bool:
        with self._database_lock:
            return self._contacts.pop(contact_id, None) is not None


class MemoryStoreFactory(POPOFactory):
    """``PERSISTENCE_MODULE`` for ``memory://``; snapshots use the library's POPO recorder."""

    def application_recorder(self) -> ApplicationRecorder:
        return MemoryCollabRecorder()
