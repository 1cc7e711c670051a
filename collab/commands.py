"""Commands and what running one gives back (DESIGN §1, §4).

A command is a frozen dataclass, one per use case, whose fields are stated once and
checked once, when it is built (`__post_init__`, with `collab/domain/values.py`): a
command that exists is well-formed. Who issues it, and the controls of DESIGN §4
(idempotency key, If-Match, envelope fields), travel beside it in a `Context`. The API's
schemas, the CLI, the demo and the tests all build the same command objects and hand them
to `Collab.execute`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar, TypeAlias

from collab.domain import values as v
from collab.domain.envelope import Actor, rfc3339
from collab.domain.errors import ConflictError, IdempotencyKeyReuseError
from collab.stores.base import IdempotencyRecord

MAX_ATTEMPTS = 5
Json: TypeAlias = "bool | int | str | list[Json] | dict[str, Json] | None"
Result: TypeAlias = "dict[str, Json]"  # what a handler returns: ids, versions, statuses


class Command:
    """The base of every command: its name in outcomes and idempotency records, and its
    fingerprint when the caller gave none (the API gives DESIGN §4's own)."""

    NAME: ClassVar[str]

    def command_name(self) -> str:
        return self.NAME

    def fingerprint(self) -> str:
        """SHA-256 of the command's name and fields (cosmicpython: a command's asdict)."""
        fields = dataclasses.asdict(self)  # type: ignore[call-overload]
        body = json.dumps(
            {"command": self.command_name(), "args": fields}, sort_keys=True, default=str
        )
        return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()

    def normalise(self, field: str, value: object) -> None:
        """Keep a checked field in its canonical form (frozen: set once, when built)."""
        object.__setattr__(self, field, value)


@dataclass(frozen=True)
class Context:
    """Who issues a command (from the credential, never from a body) and its controls."""

    actor: Actor
    on_behalf_of: str | None = None
    reason: str | None = None
    effective_date: str | None = None
    correlation_id: str | None = None
    idempotency_key: str | None = None
    fingerprint: str | None = None
    expected_version: int | None = None

    def checked(self) -> Context:
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
    result: Result
    positions: tuple[int, ...]
    replayed: bool = False

    @property
    def position(self) -> int:
        return max(self.positions) if self.positions else 0

    def text(self, key: str) -> str:
        """A text the result holds (an id, a hash)."""
        value = self.result[key]
        assert isinstance(value, str), f"{key} is not a text: {value!r}"
        return value


def replay_or_refuse(record: IdempotencyRecord, command: str, print_: str) -> Outcome:
    if record.fingerprint != print_ or record.command != command:
        raise IdempotencyKeyReuseError("this idempotency key was used with a different request")
    return Outcome(command, dict(record.result), tuple(record.positions), replayed=True)


def idempotency_record(
    ctx: Context, command: str, print_: str, result: Result, now: datetime
) -> IdempotencyRecord | None:
    if ctx.idempotency_key is None:
        return None
    return IdempotencyRecord(
        actor_id=ctx.actor.id,
        key=ctx.idempotency_key,
        fingerprint=print_,
        command=command,
        result=result,
        recorded_at=rfc3339(now),
    )


def conflict_exhausted(command: str) -> ConflictError:
    return ConflictError(f"{command}: concurrent changes kept conflicting; try again")


__all__ = [
    "MAX_ATTEMPTS",
    "Command",
    "Context",
    "Json",
    "Outcome",
    "Result",
    "conflict_exhausted",
    "idempotency_record",
    "replay_or_refuse",
]
