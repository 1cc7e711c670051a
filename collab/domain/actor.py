"""ActorBinding: an actor's role, organisation and audit grants (DESIGN §3), ids only.

The actor's id is the binding's id. Display names and token hashes are not here: they
live in erasable tables (api/credentials.py); the log stays complete after erasure.
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event

from collab.domain.envelope import Actor, Envelope, Role
from collab.domain.errors import RuleViolationError

ALL = "*"  # an auditor grant on every partnership


class ActorBinding(Aggregate):
    """Who an actor is to the service: one role, bound to one organisation for partners."""

    @event("Bound")
    def __init__(self, role: Role, organisation_id: str | None, meta: Envelope) -> None:
        self.role = role
        self.organisation_id = organisation_id
        self.active = True
        self.grants: list[str] = []  # partnership ids, or ALL; auditors only

    def actor(self) -> Actor:
        return Actor(str(self.id), self.role, self.organisation_id)

    def check_active(self) -> None:
        if not self.active:
            raise RuleViolationError("the actor is disabled")

    def disable(self, meta: Envelope) -> None:
        self.check_active()
        self._disabled(meta)

    @event("Disabled")
    def _disabled(self, meta: Envelope) -> None:
        self.active = False

    def sees(self, partnership_id: str) -> bool:
        """An auditor's grants: every partnership, or the listed ones."""
        return ALL in self.grants or partnership_id in self.grants

    def grant(self, partnership_id: str, meta: Envelope) -> None:
        self.check_active()
        if self.role != "auditor":
            raise RuleViolationError("only auditors receive audit grants")
        if partnership_id in self.grants:
            raise RuleViolationError("the auditor already holds this grant")
        self._granted(partnership_id, meta)

    @event("AuditGranted")
    def _granted(self, partnership_id: str, meta: Envelope) -> None:
        self.grants.append(partnership_id)

    def remove_grant(self, partnership_id: str, meta: Envelope) -> None:
        if partnership_id not in self.grants:
            raise RuleViolationError("the auditor holds no such grant")
        self._grant_removed(partnership_id, meta)

    @event("AuditGrantRemoved")
    def _grant_removed(self, partnership_id: str, meta: Envelope) -> None:
        self.grants.remove(partnership_id)
