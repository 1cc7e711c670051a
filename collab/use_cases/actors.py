"""Use cases on actors: enrol with a role, disable, and auditors' grants (DESIGN §3)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from collab.commands import Attempt, Command, Outcome
from collab.domain import values as v
from collab.domain.actor import ALL, ActorBinding
from collab.domain.envelope import ROLES, Actor
from collab.domain.errors import ForbiddenError, InvalidInputError, NotFoundError
from collab.domain.partnership import Partnership
from collab.use_cases.base import CollabBase

# The identity the `collab` command line acts as: an operator with database access.
OPERATOR = Actor("operator", "admin")


def check_admin(actor: Actor, on_behalf_of: str | None = None) -> None:
    """Admins manage actors and grants, in their own right."""
    if actor.role != "admin" or on_behalf_of:
        raise ForbiddenError("only admins manage actors and grants")


class ActorUseCases(CollabBase):
    """Role bindings and audit grants are events with ids only."""

    def enrol_actor(self, cmd: Command, *, role: Any, organisation_id: Any = None) -> Outcome:
        """Bind a new actor id to one role (a partner also to one organisation)."""
        args = {"role": role, "organisation_id": organisation_id}
        chosen = v.choice(role, "role", ROLES)
        if chosen == "partner" and organisation_id is None:
            raise InvalidInputError("organisation_id", "a partner is bound to an organisation")
        if chosen != "partner" and organisation_id is not None:
            raise InvalidInputError("organisation_id", "only partners are bound to one")

        def handle(attempt: Attempt) -> dict[str, Any]:
            check_admin(attempt.cmd.actor, attempt.cmd.on_behalf_of)
            self.resolve_acting(attempt, None)
            org = None
            if organisation_id is not None:
                org = str(self.organisation(attempt, organisation_id).id)
            binding = ActorBinding(chosen, org, attempt.meta())
            attempt.stage(binding)
            return {"actor_id": str(binding.id), "version": binding.version}

        return self.run("enrol_actor", cmd, args, handle)

    def disable_actor(self, cmd: Command, actor_id: Any) -> Outcome:
        """Disable an actor: its tokens stop working; its events stay."""
        return self.on_binding("disable_actor", cmd, actor_id, {}, lambda b, m: b.disable(m))

    def grant_audit(self, cmd: Command, actor_id: Any, *, partnership_id: Any) -> Outcome:
        """Let an auditor read one partnership (or every one, with "*")."""
        return self.on_binding(
            "grant_audit",
            cmd,
            actor_id,
            {"partnership_id": partnership_id},
            lambda b, m: b.grant(self.grant_target(partnership_id), m),
        )

    def remove_audit_grant(self, cmd: Command, actor_id: Any, *, partnership_id: Any) -> Outcome:
        """Withdraw one of an auditor's grants."""
        target = partnership_id if partnership_id == ALL else None
        if target is None:
            target = v.identifier(partnership_id, "partnership_id")
        return self.on_binding(
            "remove_audit_grant",
            cmd,
            actor_id,
            {"partnership_id": partnership_id},
            lambda b, m: b.remove_grant(target, m),
        )

    def grant_target(self, partnership_id: Any) -> str:
        if partnership_id == ALL:
            return ALL
        pid = v.identifier(partnership_id, "partnership_id")
        if not isinstance(self.load(UUID(pid)), Partnership):
            raise NotFoundError(f"no partnership {pid}")
        return pid

    def on_binding(
        self, command: str, cmd: Command, actor_id: Any, args: dict[str, Any], act: Any
    ) -> Outcome:
        aid = v.identifier(actor_id, "actor_id")

        def handle(attempt: Attempt) -> dict[str, Any]:
            self.check_actor_visible(attempt.cmd.actor, aid)
            check_admin(attempt.cmd.actor, attempt.cmd.on_behalf_of)
            self.resolve_acting(attempt, None)
            binding = attempt.target(attempt.get(ActorBinding, aid))
            act(binding, attempt.meta())
            attempt.stage(binding)
            return {"actor_id": aid, "version": binding.version}

        return self.run(command, cmd, {"actor_id": aid, **args}, handle)
