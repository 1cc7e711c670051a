"""Commands on actors: enrol with a role, disable, grant and remove audit grants."""

from __future__ import annotations

from dataclasses import dataclass

from collab.commands import Command
from collab.domain import values as v
from collab.domain.actor import ALL
from collab.domain.envelope import ROLES, Role
from collab.domain.errors import InvalidInputError


@dataclass(frozen=True)
class EnrolActor(Command):
    """Bind a new actor id to one role (a partner also to one organisation)."""

    NAME = "enrol_actor"
    role: Role
    organisation_id: str | None = None

    def __post_init__(self) -> None:
        v.choice(self.role, "role", ROLES)
        if self.role == "partner" and self.organisation_id is None:
            raise InvalidInputError("organisation_id", "a partner is bound to an organisation")
        if self.role != "partner" and self.organisation_id is not None:
            raise InvalidInputError("organisation_id", "only partners are bound to one")
        if self.organisation_id is not None:
            self.normalise("organisation_id", v.identifier(self.organisation_id, "organisation_id"))


@dataclass(frozen=True)
class DisableActor(Command):
    """Disable an actor: its tokens stop working; its events stay."""

    NAME = "disable_actor"
    actor_id: str

    def __post_init__(self) -> None:
        self.normalise("actor_id", v.identifier(self.actor_id, "actor_id"))


@dataclass(frozen=True)
class GrantAudit(Command):
    """Let an auditor read one partnership (or every one, with "*")."""

    NAME = "grant_audit"
    actor_id: str
    partnership_id: str

    def __post_init__(self) -> None:
        self.normalise("actor_id", v.identifier(self.actor_id, "actor_id"))
        if self.partnership_id != ALL:
            self.normalise("partnership_id", v.identifier(self.partnership_id, "partnership_id"))


@dataclass(frozen=True)
class RemoveAuditGrant(GrantAudit):
    """Withdraw one of an auditor's grants."""

    NAME = "remove_audit_grant"
