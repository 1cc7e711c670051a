"""Organisation: a registered public body, civil-society organisation or company."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from collab.domain.envelope import Acting, Envelope
from collab.domain.errors import ForbiddenError, RuleViolationError

IDENTIFIER_NAMESPACE = uuid5(NAMESPACE_URL, "https://collab.example/organisation-identifier")


@dataclass(frozen=True)
class Mandate:
    """Authority an organisation gave a broker: in one partnership or all of its own, until
    an optional date, revocable (DESIGN §3)."""

    mandate_id: str
    organisation_id: str
    broker_id: str
    partnership_id: str | None
    until: str | None
    revoked: bool

    def in_force(self, today: str) -> bool:
        """Neither revoked nor past its end date."""
        return not self.revoked and (self.until is None or today <= self.until)

    def live(self, broker_id: str, partnership_id: str | None, today: str) -> bool:
        """Whether it lets this broker act for the organisation here and today."""
        if self.broker_id != broker_id or not self.in_force(today):
            return False
        return self.partnership_id is None or self.partnership_id == partnership_id


class Organisation(Aggregate):
    """An organisation and the broker mandates it grants."""

    # 2: the registrar kept (snapshots of version 1 lack it: upcast_v1_v2).
    class_version: ClassVar[int] = 2

    @event("Registered")
    def __init__(
        self,
        identifiers: list[dict[str, str]],
        legal_name: str,
        org_type: int,
        sector: str,
        territory: dict[str, Any],
        meta: Envelope,
    ) -> None:
        self.identifiers = identifiers
        self.legal_name = legal_name
        self.org_type = org_type
        self.sector = sector
        self.territory = territory
        self.active = True
        self.mandates: dict[str, dict[str, Any]] = {}
        self.registered_by: str | None = meta["actor"]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot from before the registrar was kept: unknown (no broker may amend the
        organisation as its registrar; admins, the organisation and its mandated brokers
        still may)."""
        state["registered_by"] = None

    # -- details -------------------------------------------------------------------------

    def check_amender(self, acting: Acting) -> None:
        """DESIGN §3, correcting or reclassifying O: admins; the broker that registered it;
        the organisation itself, or a broker under its mandate for all its partnerships."""
        actor = acting.actor
        if actor.role == "admin":
            return
        if acting.as_broker and actor.id == self.registered_by:
            return
        if acting.organisation_id == str(self.id) and actor.role in ("partner", "broker"):
            return
        raise ForbiddenError(
            "an organisation is corrected by admins, the broker that registered it, "
            "its own partners or a broker under its mandate"
        )

    def check_active(self) -> None:
        if not self.active:
            raise RuleViolationError("the organisation is deactivated")

    def correct(
        self, changes: dict[str, Any], corrects: dict[str, Any], acting: Acting, meta: Envelope
    ) -> None:
        self.check_amender(acting)
        if not set(changes) <= {"legal_name", "territory", "identifiers"}:
            raise RuleViolationError("only legal name, territory and identifiers are corrected")
        if not changes:
            raise RuleViolationError("a correction must change at least one field")
        self._corrected(changes, corrects, meta)

    @event("DetailsCorrected")
    def _corrected(self, changes: dict[str, Any], corrects: dict[str, Any], meta: Envelope) -> None:
        for name, value in changes.items():
            setattr(self, name, value)

    def classify(self, org_type: int, sector: str, acting: Acting, meta: Envelope) -> None:
        self.check_amender(acting)
        if (org_type, sector) == (self.org_type, self.sector):
            raise RuleViolationError("the organisation already has this classification")
        self._classified(org_type, sector, meta)

    @event("Classified")
    def _classified(self, org_type: int, sector: str, meta: Envelope) -> None:
        self.org_type = org_type
        self.sector = sector

    def deactivate(self, meta: Envelope) -> None:
        self.check_active()
        self._deactivated(meta)

    @event("Deactivated")
    def _deactivated(self, meta: Envelope) -> None:
        self.active = False

    # -- mandates ------------------------------------------------------------------------

    def check_own_partner(self, acting: Acting) -> None:
        """Only a partner actor of this organisation grants or revokes its mandates."""
        if acting.actor.role != "partner" or acting.organisation_id != str(self.id):
            raise ForbiddenError("only a partner of the organisation manages its mandates")

    def grant_mandate(
        self,
        mandate_id: str,
        broker_id: str,
        partnership_id: str | None,
        until: str | None,
        acting: Acting,
        meta: Envelope,
    ) -> None:
        self.check_own_partner(acting)
        self.check_active()
        self._mandate_granted(mandate_id, broker_id, partnership_id, until, meta)

    @event("MandateGranted")
    def _mandate_granted(
        self,
        mandate_id: str,
        broker_id: str,
        partnership_id: str | None,
        until: str | None,
        meta: Envelope,
    ) -> None:
        self.mandates[mandate_id] = {
            "broker": broker_id,
            "partnership": partnership_id,
            "until": until,
            "revoked": False,
        }

    def revoke_mandate(self, mandate_id: str, acting: Acting, meta: Envelope) -> None:
        self.check_own_partner(acting)
        mandate = self.mandates.get(mandate_id)
        if mandate is None:
            raise RuleViolationError("no such mandate")
        if mandate["revoked"]:
            raise RuleViolationError("the mandate is already revoked")
        self._mandate_revoked(mandate_id, meta)

    @event("MandateRevoked")
    def _mandate_revoked(self, mandate_id: str, meta: Envelope) -> None:
        self.mandates[mandate_id]["revoked"] = True

    def end_mandate(self, mandate_id: str, today: str, meta: Envelope) -> bool:
        """Due-date processor: a mandate whose end date has passed has ended (invariant 8).
        Authority already stops after that date (`Mandate.in_force`); this records it.
        False when there is nothing (any more) to record."""
        mandate = self.mandates.get(mandate_id)
        if mandate is None or mandate["revoked"] or mandate.get("ended"):
            return False
        if mandate["until"] is None or today <= mandate["until"]:
            return False
        self._mandate_ended(mandate_id, mandate["until"], meta)
        return True

    @event("MandateEnded")
    def _mandate_ended(self, mandate_id: str, until: str, meta: Envelope) -> None:
        self.mandates[mandate_id]["ended"] = True

    def mandate(self, mandate_id: str) -> Mandate | None:
        m = self.mandates.get(mandate_id)
        if m is None:
            return None
        return Mandate(
            mandate_id, str(self.id), m["broker"], m["partnership"], m["until"], m["revoked"]
        )

    def mandates_of(self, broker_id: str) -> list[Mandate]:
        """Every mandate this organisation gave the broker, live or not."""
        found = (self.mandate(i) for i, m in self.mandates.items() if m["broker"] == broker_id)
        return [m for m in found if m is not None]

    def mandate_for(self, broker_id: str, partnership_id: str | None, today: str) -> str | None:
        """The id of a mandate that lets this broker act for us here and today, if any."""
        for mandate in self.mandates_of(broker_id):
            if mandate.live(broker_id, partnership_id, today):
                return mandate.mandate_id
        return None


class IdentifierClaim(Aggregate):
    """Uniqueness of an organisation identifier: a uuid5 index saved with the registration."""

    @staticmethod
    def create_id(scheme: str, identifier: str) -> UUID:
        return uuid5(IDENTIFIER_NAMESPACE, f"{scheme}\x1f{identifier}")

    @event("Claimed")
    def __init__(self, scheme: str, identifier: str, organisation_id: str, meta: Envelope) -> None:
        self.scheme = scheme
        self.identifier = identifier
        self.organisation_id = organisation_id
