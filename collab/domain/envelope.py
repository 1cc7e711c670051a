"""Who acts, for whom, and the envelope every event carries (DESIGN §2, §3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypedDict

ROLES = ("admin", "broker", "partner", "auditor")
Role = Literal["admin", "broker", "partner", "auditor"]


@dataclass(frozen=True)
class Actor:
    """The authenticated identity: taken from the credential, never from a request body."""

    id: str
    role: Role
    organisation_id: str | None = None


@dataclass(frozen=True)
class Acting:
    """An actor resolved for one command: the organisation it acts as, and under which mandate."""

    actor: Actor
    organisation_id: str | None
    mandate_id: str | None = None

    @property
    def actor_id(self) -> str:
        return self.actor.id

    @property
    def as_broker(self) -> bool:
        """A broker acting in its own right (not for an organisation under a mandate)."""
        return self.actor.role == "broker" and self.mandate_id is None


class Envelope(TypedDict):
    """Carried by every event: ids only, never personal data."""

    actor: str
    on_behalf_of: str | None
    mandate: str | None
    reason: str | None
    recorded_at: str
    effective_date: str
    correlation_id: str


def utc_now() -> datetime:
    return datetime.now(UTC)


def rfc3339(moment: datetime) -> str:
    """UTC RFC 3339 with microseconds, identical text on every store."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def make_envelope(
    acting: Acting,
    *,
    recorded_at: datetime,
    effective_date: str | None,
    reason: str | None,
    correlation_id: str,
) -> Envelope:
    on_behalf_of = acting.organisation_id if acting.mandate_id else None
    return Envelope(
        actor=acting.actor.id,
        on_behalf_of=on_behalf_of,
        mandate=acting.mandate_id,
        reason=reason,
        recorded_at=rfc3339(recorded_at),
        effective_date=effective_date or recorded_at.date().isoformat(),
        correlation_id=correlation_id,
    )
