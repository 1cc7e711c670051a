"""The application service: one eventsourcing Application whose methods are the use cases."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from collab.commands import Attempt, Command, Outcome
from collab.domain import values as v
from collab.domain.commitment import Commitment
from collab.domain.envelope import Actor
from collab.domain.errors import NotFoundError
from collab.domain.organisation import Organisation
from collab.domain.partnership import Partnership
from collab.use_cases.actors import ActorUseCases
from collab.use_cases.commitments import CommitmentUseCases
from collab.use_cases.organisations import OrganisationUseCases


class Collab(CommitmentUseCases, OrganisationUseCases, ActorUseCases):
    """Every command of DESIGN §2 and the reads the other layers need."""

    def get_organisation(self, organisation_id: Any) -> Organisation:
        """The register is visible to every authenticated caller."""
        org = self.load(UUID(v.identifier(organisation_id, "organisation_id")))
        if not isinstance(org, Organisation):
            raise NotFoundError(f"no organisation {organisation_id}")
        return org

    def get_partnership(
        self, actor: Actor, partnership_id: Any, version: int | None = None
    ) -> Partnership:
        """A partnership as the caller may see it, at its latest or a given version."""
        pid = UUID(v.identifier(partnership_id, "partnership_id"))
        current = self.load(pid)
        if not isinstance(current, Partnership):
            raise NotFoundError(f"no partnership {partnership_id}")
        self.check_visible(current, self.reader(actor))
        if version is None:
            return current
        past: Partnership = self.repository.get(
            pid, version=v.integer(version, "version", minimum=1, maximum=current.version)
        )
        return past

    def partnership_content(self, actor: Actor, partnership_id: Any) -> Partnership:
        """What a caller may read of a partnership (DESIGN §3): an invited or declined
        organisation sees its invitation only (404 here), a former member the partnership
        as it was when it left."""
        p = self.get_partnership(actor, partnership_id)
        if actor.role != "partner":
            return p
        org = str(actor.organisation_id)
        status = p.members[org]["status"]
        if status in ("invited", "declined"):
            raise NotFoundError(f"no partnership {partnership_id}")
        if status in ("withdrawn", "removed"):
            return self.get_partnership(actor, p.id, version=self.exit_version(p, org))
        return p

    def get_commitment(self, actor: Actor, commitment_id: Any) -> Commitment:
        """A commitment, readable where its partnership's content is."""
        c = self.load(UUID(v.identifier(commitment_id, "commitment_id")))
        if not isinstance(c, Commitment):
            raise NotFoundError(f"no commitment {commitment_id}")
        p = self.get_partnership(actor, c.partnership_id)
        if not self.commitment_visible(actor, p, c):
            raise NotFoundError(f"no commitment {commitment_id}")
        return c

    def reader(self, actor: Actor) -> Attempt:
        """An attempt that only reads: visibility checks outside a command."""
        return Attempt(cmd=Command(actor), now=self.clock(), load=self.load)


__all__ = ["Actor", "Collab", "Command", "Outcome"]
