"""Partnership core: identity, state, and who may steer it (DESIGN §2 state table)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate, event

from collab.domain.envelope import Acting, Envelope
from collab.domain.errors import ForbiddenError, RuleViolationError

PRE_FORCE = ("scoping", "negotiating", "awaiting_signatures")
IN_FORCE = ("active", "in_modification", "moving_on")
CLOSED = ("concluded", "cancelled", "terminated")
BALANCE_LIMIT = Decimal(49)


class PartnershipCore(Aggregate):
    """State shared by every part of the partnership aggregate."""

    @event("Initiated")
    def __init__(
        self,
        title: str,
        need_statement: str,
        territory: dict[str, Any],
        classifications: list[dict[str, str]],
        partnership_type: str,
        broker_id: str | None,
        lead: dict[str, Any] | None,
        lineage: dict[str, Any] | None,
        meta: Envelope,
    ) -> None:
        self.title = title
        self.need_statement = need_statement
        self.territory = territory
        self.classifications = classifications
        self.partnership_type = partnership_type
        self.status = "scoping"
        self.brokers: list[str] = [broker_id] if broker_id else []
        self.members: dict[str, dict[str, Any]] = {}
        self.versions: dict[str, dict[str, Any]] = {}
        self.signatures: dict[str, dict[str, dict[str, Any]]] = {}
        self.in_force: int | None = None
        self.pending: int | None = None
        self.decisions: dict[str, dict[str, Any]] = {}
        self.milestones: dict[str, dict[str, Any]] = {}
        self.indicators: dict[str, dict[str, Any]] = {}
        self.related: list[dict[str, Any]] = [lineage] if lineage else []
        self.commitments: dict[str, dict[str, Any]] = {}
        if lead is not None:
            self.members[lead["organisation"]] = {**lead}  # never share the event's dict

    # -- queries used by the checks ------------------------------------------------------

    def member(self, org_id: str | None) -> dict[str, Any] | None:
        return self.members.get(org_id) if org_id else None

    def lead_organisation(self) -> str | None:
        for org_id, m in self.members.items():
            if "lead" in m["roles"] and m["status"] == "active":
                return org_id
        return None

    def is_partnership_broker(self, acting: Acting) -> bool:
        return acting.as_broker and acting.actor_id in self.brokers

    def is_lead(self, acting: Acting) -> bool:
        lead = self.lead_organisation()
        return lead is not None and acting.organisation_id == lead

    def in_force_version(self) -> dict[str, Any] | None:
        return self.versions.get(str(self.in_force)) if self.in_force else None

    # -- checks: raise before anything changes -------------------------------------------

    def check_status(self, *allowed: str) -> None:
        if self.status not in allowed:
            raise RuleViolationError(
                f"not allowed while the partnership is {self.status} (needs {' or '.join(allowed)})"
            )

    def check_steward(self, acting: Acting) -> None:
        """A partnership broker, or the lead organisation (or a broker under its mandate)."""
        if not (self.is_partnership_broker(acting) or self.is_lead(acting)):
            raise ForbiddenError("only a partnership broker or the lead organisation may do this")

    def check_active_member(self, acting: Acting) -> dict[str, Any]:
        """Invariant 3: only an active member acts for itself (or a broker under its mandate)."""
        m = self.member(acting.organisation_id)
        if m is None or acting.actor.role not in ("partner", "broker"):
            raise ForbiddenError("only a member organisation may do this for itself")
        if acting.actor.role == "broker" and acting.mandate_id is None:
            raise ForbiddenError("a broker acts for an organisation only under its mandate")
        if m["status"] not in ("active", "defaulting"):
            raise RuleViolationError(f"the member is {m['status']} and can no longer act")
        return m

    # -- details and lifecycle transitions -----------------------------------------------

    def assign_broker(self, broker_id: str, acting: Acting, meta: Envelope) -> None:
        self.check_steward(acting)
        self.check_status(*PRE_FORCE, *IN_FORCE, "suspended")
        if broker_id in self.brokers:
            raise RuleViolationError("the broker is already assigned")
        self._broker_assigned(broker_id, meta)

    @event("BrokerAssigned")
    def _broker_assigned(self, broker_id: str, meta: Envelope) -> None:
        self.brokers.append(broker_id)

    def correct_details(
        self, changes: dict[str, Any], corrects: dict[str, Any], acting: Acting, meta: Envelope
    ) -> None:
        self.check_steward(acting)
        self.check_status(*PRE_FORCE, *IN_FORCE, "suspended")
        if not set(changes) <= {"title", "need_statement", "territory", "classifications"}:
            raise RuleViolationError(
                "only title, need, territory and classifications are corrected"
            )
        if not changes:
            raise RuleViolationError("a correction must change at least one field")
        self._details_corrected(changes, corrects, meta)

    @event("DetailsCorrected")
    def _details_corrected(
        self, changes: dict[str, Any], corrects: dict[str, Any], meta: Envelope
    ) -> None:
        for name, value in changes.items():
            setattr(self, name, value)

    def cancel(self, acting: Acting, meta: Envelope) -> None:
        self.check_steward(acting)
        self.check_status(*PRE_FORCE)
        self._cancelled(meta)

    @event("Cancelled")
    def _cancelled(self, meta: Envelope) -> None:
        self.status = "cancelled"

    def relate(self, other_id: str, relation: str, acting: Acting, meta: Envelope) -> None:
        self.check_steward(acting)
        if other_id == str(self.id):
            raise RuleViolationError("a partnership cannot relate to itself")
        if any(r["partnership"] == other_id and r["relation"] == relation for r in self.related):
            raise RuleViolationError("this relation is already recorded")
        self._related({"partnership": other_id, "relation": relation}, meta)

    @event("PartnershipRelated")
    def _related(self, link: dict[str, Any], meta: Envelope) -> None:
        self.related.append(link)

    def check_transferable(self, acting: Acting, territory: dict[str, Any]) -> None:
        self.check_steward(acting)
        self.check_status("moving_on")
        if territory == self.territory:
            raise RuleViolationError("a practice is transferred to another territory")

    def record_transfer(
        self, new_id: str, territory: dict[str, Any], acting: Acting, meta: Envelope
    ) -> None:
        self.check_transferable(acting, territory)
        self._practice_transferred(new_id, territory, meta)

    @event("PracticeTransferred")
    def _practice_transferred(self, new_id: str, territory: dict[str, Any], meta: Envelope) -> None:
        self.related.append(
            {"partnership": new_id, "relation": "replicated_by", "territory": territory}
        )
