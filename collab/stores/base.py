"""Types shared by every store: the side rows a command writes beside its events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

StoreKind = Literal["memory", "sqlite", "postgres"]
Signature = tuple[str, str]  # (key id, base64 Ed25519 signature)


@dataclass(frozen=True)
class IdempotencyRecord:
    """A successful command's outcome, kept so a retry with the same key can be replayed.

    ``positions`` is filled in by the recorder inside the command's transaction (the
    notification ids of the events just inserted); the application passes ``()``.
    """

    actor_id: str
    key: str
    fingerprint: str
    command: str
    result: dict[str, Any]
    recorded_at: str
    positions: tuple[int, ...] = field(default=())


@dataclass(frozen=True)
class Contact:
    """A representative's contact details: personal data, never in an event, erasable."""

    contact_id: str
    organisation_id: str
    name: str
    email: str
    role: str
    updated_at: str


class EventSigner(Protocol):
    """Signs each stored event in the command's transaction (DESIGN §5 writer signature)."""

    @property
    def key_id(self) -> str: ...

    def sign_event(self, stream: str, version: int, topic: str, state_sha256: str) -> str: ...


class GroupCommit(Protocol):
    """Commits a command's events together with other commands' (the embedded writer)."""

    def submit(
        self, events: Sequence[Any], stored: Sequence[Any], kwargs: dict[str, Any]
    ) -> Sequence[int]:
        """The events' positions once their group has committed; the library's
        IntegrityError if a version or an idempotency key was taken (nothing of this
        command recorded); OperationalError if the writer cannot record (503)."""
        ...

    def submit_rows(self, insert: Callable[[Any], object]) -> None:
        """Rows beside the log (snapshots), written by `insert(cursor)` in a group."""
        ...

    def held(self) -> AbstractContextManager[None]:
        """The writer's turn, for a command tried again after a conflict: while the body
        runs, no process writes, and the body's first `submit` is inserted first."""
        ...


@runtime_checkable
class CollabRecorder(Protocol):
    """What our application recorders add to the library's ``ApplicationRecorder``."""

    signer: EventSigner | None

    def get_idempotency(self, actor_id: str, key: str) -> IdempotencyRecord | None: ...

    def get_signatures(self, events: Sequence[tuple[str, int]]) -> dict[tuple[str, int], Signature]:
        """The writer signatures recorded for these (stream, version) pairs."""
        ...

    def purge_idempotency(self, recorded_before: str) -> int: ...

    def put_contact(self, contact: Contact) -> None: ...

    def list_contacts(self, organisation_id: str) -> list[Contact]: ...

    def erase_contact(self, contact_id: str) -> bool: ...
