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
from collab.stores.streams import fold
from collab.use_cases.actors import ActorUseCases
from collab.use_cases.commitments import CommitmentUseCases
from collab.use_cases.organisations import OrganisationUseCases
from collab.visibility import Window


class Collab(CommitmentUseCases, OrganisationUseCases, ActorUseCases):
    """Every command of DESIGN §2 and the reads the other layers need."""

    def get_organisation(self, organisation_id: Any) -> Organisation:
        """The register is visible to every authenticated caller."""
        org = self.load(UUID(v.identifier(organisation_id, "organisation_id")))
        if not isinstance(org, Organisation):
            raise NotFoundError(f"no organisation {organisation_id}")
        return org

    def visible_partnership(self, actor: Actor, partnership_id: Any) -> tuple[Partnership, Window]:
        """A partnership the caller may see (404 otherwise) and the caller's window on it."""
        pid = UUID(v.identifier(partnership_id, "partnership_id"))
        current = self.load(pid)
        if not isinstance(current, Partnership):
            raise NotFoundError(f"no partnership {partnership_id}")
        return current, self.check_visible(current, self.reader(actor))

    def get_partnership(
        self, actor: Actor, partnership_id: Any, version: int | None = None
    ) -> Partnership:
        """A partnership as the caller may see it, at its latest or a given version."""
        current, _ = self.visible_partnership(actor, partnership_id)
        if version is None:
            return current
        past: Partnership = self.repository.get(
            current.id, version=v.integer(version, "version", minimum=1, maximum=current.version)
        )
        return past

    def partnership_content(self, actor: Actor, partnership_id: Any) -> Partnership:
        """What a caller may read of a partnership (DESIGN §3): an invited or declined
        organisation sees its invitation only (404 here), a former member the partnership
        as it was when it left."""
        p, win = self.visible_partnership(actor, partnership_id)
        if not win.content:
            raise NotFoundError(f"no partnership {partnership_id}")
        if win.until is None:
            return p
        past, _ = fold(self, p.id, win.until)
        assert isinstance(past, Partnership)
        return past

    def visible_commitment(
        self, actor: Actor, commitment_id: Any
    ) -> tuple[Commitment, Partnership, Window]:
        """A commitment the caller may see (404 otherwise), its partnership, the window."""
        c = self.load(UUID(v.identifier(commitment_id, "commitment_id")))
        if not isinstance(c, Commitment):
            raise NotFoundError(f"no commitment {commitment_id}")
        p, win = self.visible_partnership(actor, c.partnership_id)
        self.check_commitment_visible(c, p, win)
        return c, p, win

    def get_commitment(self, actor: Actor, commitment_id: Any) -> Commitment:
        """A commitment, readable where its partnership's content is; a former member
        reads it as it stood at its exit."""
        c, _p, win = self.visible_commitment(actor, commitment_id)
        if win.until is None:
            return c
        past, _ = fold(self, c.id, win.until)
        assert isinstance(past, Commitment)
        return past

    def reader(self, actor: Actor) -> Attempt:
        """An attempt that only reads: visibility checks outside a command."""
        return Attempt(cmd=Command(actor), now=self.clock(), load=self.load)


__all__ = ["Actor", "Collab", "Command", "Outcome"]
