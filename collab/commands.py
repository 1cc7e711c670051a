"""Running one command: authority, envelope, optimistic concurrency, idempotency, one save."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from collab.domain import values as v
from collab.domain.envelope import Acting, Actor, Envelope, make_envelope, rfc3339
from collab.domain.errors import (
    ConflictError,
    IdempotencyKeyReuseError,
    InvalidInputError,
    NotFoundError,
    StaleVersionError,
)
from collab.stores.base import IdempotencyRecord
from collab.visibility import Window

A = TypeVar("A", bound=Aggregate)
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Command:
    """How a caller invokes a use case: identity and the optional controls of DESIGN §4."""

    actor: Actor
    on_behalf_of: str | None = None
    reason: str | None = None
    effective_date: str | None = None
    correlation_id: str | None = None
    idempotency_key: str | None = None
    fingerprint: str | None = None
    expected_version: int | None = None

    def checked(self) -> Command:
        """Refuse malformed controls before any work (422); ids come back normalised."""
        on_behalf_of = self.on_behalf_of
        if on_behalf_of is not None:
            on_behalf_of = v.identifier(on_behalf_of, "on_behalf_of")
        v.optional_text(self.reason, "reason", max_length=v.LONG)
        v.optional_date(self.effective_date, "effective_date")
        v.optional_text(self.correlation_id, "correlation_id", max_length=100)
        if self.idempotency_key is not None:
            v.pattern(
                self.idempotency_key,
                "idempotency_key",
                v.KEY_RE,
                "1-64 characters of A-Z a-z 0-9 _ . : -",
            )
        if self.expected_version is not None:
            v.integer(self.expected_version, "expected_version", minimum=1)
        return replace(self, on_behalf_of=on_behalf_of)


@dataclass(frozen=True)
class Outcome:
    """What a command did: its result (ids, versions), the log positions of its events."""

    command: str
    result: dict[str, Any]
    positions: tuple[int, ...]
    replayed: bool = False

    @property
    def position(self) -> int:
        return max(self.positions) if self.positions else 0


@dataclass
class Attempt:
    """One try of a command: aggregates loaded fresh, events collected for one save."""

    cmd: Command
    now: datetime
    load: Callable[[UUID], Aggregate]
    acting: Acting | None = None
    window: Window | None = None  # the caller's window on the target partnership, once checked
    staged: list[Aggregate] = field(default_factory=list)
    # One correlation id for every event of the command (DESIGN §2 envelope).
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get(self, cls: type[A], aggregate_id: str) -> A:
        aggregate = self.load(UUID(aggregate_id))
        if not isinstance(aggregate, cls):
            raise NotFoundError(f"no {cls.__name__.lower()} {aggregate_id}")
        return aggregate

    def target(self, aggregate: A) -> A:
        """The aggregate the caller's expected version (If-Match) refers to."""
        expected = self.cmd.expected_version
        if expected is not None and expected != aggregate.version:
            raise StaleVersionError(
                f"expected version {expected}, current version is {aggregate.version}"
            )
        return aggregate

    def meta(self) -> Envelope:
        assert self.acting is not None, "resolve the acting identity first"
        effective = self.cmd.effective_date
        if effective is not None and effective > self.now.date().isoformat():
            # Business dates of facts are past or today: a future one would let a caller
            # skip a remedy period or lapse a commitment early.
            raise InvalidInputError("effective_date", "must not be later than today (UTC)")
        return make_envelope(
            self.acting,
            recorded_at=self.now,
            effective_date=self.cmd.effective_date,
            reason=self.cmd.reason,
            correlation_id=self.cmd.correlation_id or self.correlation_id,
        )

    def stage(self, *aggregates: Aggregate) -> None:
        for aggregate in aggregates:
            if all(aggregate is not s for s in self.staged):
                self.staged.append(aggregate)


def fingerprint(command: str, args: dict[str, Any]) -> str:
    """Deterministic digest of a command's input, for idempotency without the API's own."""
    try:
        body = json.dumps({"command": command, "args": args}, sort_keys=True, default=str)
    except (TypeError, ValueError, RecursionError):
        # Keys that are not strings, or nesting too deep: not a JSON document at all.
        raise InvalidInputError("request", "must be plain JSON data (string keys)") from None
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


def replay_or_refuse(record: IdempotencyRecord, command: str, print_: str) -> Outcome:
    if record.fingerprint != print_ or record.command != command:
        raise IdempotencyKeyReuseError("this idempotency key was used with a different request")
    return Outcome(command, dict(record.result), tuple(record.positions), replayed=True)


def idempotency_record(
    cmd: Command, command: str, print_: str, result: dict[str, Any], now: datetime
) -> IdempotencyRecord | None:
    if cmd.idempotency_key is None:
        return None
    return IdempotencyRecord(
        actor_id=cmd.actor.id,
        key=cmd.idempotency_key,
        fingerprint=print_,
        command=command,
        result=result,
        recorded_at=rfc3339(now),
    )


def conflict_exhausted(command: str) -> ConflictError:
    return ConflictError(f"{command}: concurrent changes kept conflicting; try again")


__all__ = [
    "MAX_ATTEMPTS",
    "Attempt",
    "Command",
    "IntegrityError",
    "Outcome",
    "conflict_exhausted",
    "fingerprint",
    "idempotency_record",
    "replay_or_refuse",
]
