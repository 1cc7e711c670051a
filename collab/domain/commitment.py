"""Commitment: what one organisation pledges to a partnership, and its deliveries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate, event

from collab.domain.envelope import Acting, Envelope
from collab.domain.errors import ForbiddenError, InvalidInputError, RuleViolationError

OPEN = ("pledged", "confirmed", "in_delivery")


class Commitment(Aggregate):
    """Pledged → confirmed → in delivery → fulfilled; or withdrawn, lapsed, released."""

    @event("Pledged")
    def __init__(
        self,
        partnership_id: str,
        organisation_id: str,
        recipient: str,
        contribution_type: str,
        quantity: dict[str, Any],
        valuation: dict[str, Any],
        period: dict[str, str] | None,
        conditions: str | None,
        meta: Envelope,
    ) -> None:
        self.partnership_id = partnership_id
        self.organisation_id = organisation_id
        self.recipient = recipient
        self.contribution_type = contribution_type
        self.quantity = quantity
        self.valuation = valuation
        self.period = period
        self.conditions = conditions
        self.status = "pledged"
        self.deliveries: dict[str, dict[str, Any]] = {}

    # -- checks --------------------------------------------------------------------------

    def check_committer(self, acting: Acting) -> None:
        """Invariant 3: only the committing organisation acts on its commitment."""
        if acting.organisation_id != self.organisation_id:
            raise ForbiddenError("only the committing organisation may do this")

    def check_status(self, *allowed: str) -> None:
        if self.status not in allowed:
            raise RuleViolationError(f"not allowed while the commitment is {self.status}")

    def confirmed_total(self) -> Decimal:
        return sum(
            (
                Decimal(d["quantity"])
                for d in self.deliveries.values()
                if d["status"] == "confirmed"
            ),
            Decimal(0),
        )

    def delivery(self, delivery_id: str) -> dict[str, Any]:
        d = self.deliveries.get(delivery_id)
        if d is None:
            raise RuleViolationError("no such delivery on this commitment")
        return d

    # -- commands ------------------------------------------------------------------------

    def confirm(self, acting: Acting, meta: Envelope) -> None:
        self.check_committer(acting)
        self.check_status("pledged")
        self._confirmed(meta)

    @event("Confirmed")
    def _confirmed(self, meta: Envelope) -> None:
        self.status = "confirmed"

    def report_delivery(
        self,
        delivery_id: str,
        quantity: Decimal,
        delivered_on: str,
        note: str | None,
        acting: Acting,
        meta: Envelope,
    ) -> None:
        self.check_committer(acting)
        self.check_status("confirmed", "in_delivery")
        if delivery_id in self.deliveries:
            raise RuleViolationError("this delivery id is already reported")
        self._delivery_reported(delivery_id, quantity, delivered_on, note, meta)

    @event("DeliveryReported")
    def _delivery_reported(
        self,
        delivery_id: str,
        quantity: Decimal,
        delivered_on: str,
        note: str | None,
        meta: Envelope,
    ) -> None:
        self.deliveries[delivery_id] = {
            "quantity": quantity,
            "delivered_on": delivered_on,
            "note": note,
            "status": "reported",
            "reported_in": self.version + 1,  # this event's version: apply runs before the bump
        }
        self.status = "in_delivery"

    def check_confirmer(self, acting: Acting, lead_id: str | None) -> None:
        """The recipient organisation confirms; for the pool, the lead organisation."""
        confirmer = lead_id if self.recipient == "pool" else self.recipient
        if confirmer is None or acting.organisation_id != confirmer:
            raise ForbiddenError("only the recipient (for the pool, the lead) confirms deliveries")

    def confirm_delivery(
        self, delivery_id: str, acting: Acting, lead_id: str | None, meta: Envelope
    ) -> None:
        self.check_confirmer(acting, lead_id)
        self.check_status("in_delivery")
        if self.delivery(delivery_id)["status"] != "reported":
            raise RuleViolationError(
                "only a reported delivery awaiting confirmation can be confirmed"
            )
        self._delivery_confirmed(delivery_id, meta)
        if self.confirmed_total() >= Decimal(self.quantity["value"]):
            self._fulfilled(self.confirmed_total(), meta)

    @event("DeliveryConfirmed")
    def _delivery_confirmed(self, delivery_id: str, meta: Envelope) -> None:
        self.deliveries[delivery_id]["status"] = "confirmed"

    @event("Fulfilled")
    def _fulfilled(self, delivered: Decimal, meta: Envelope) -> None:
        self.status = "fulfilled"

    def dispute_delivery(
        self, delivery_id: str, acting: Acting, lead_id: str | None, meta: Envelope
    ) -> None:
        self.check_confirmer(acting, lead_id)
        self.check_status("in_delivery")
        if self.delivery(delivery_id)["status"] != "reported":
            raise RuleViolationError(
                "only a reported delivery awaiting confirmation can be disputed"
            )
        self._delivery_disputed(delivery_id, meta)

    @event("DeliveryDisputed")
    def _delivery_disputed(self, delivery_id: str, meta: Envelope) -> None:
        self.deliveries[delivery_id]["status"] = "disputed"

    def correct_delivery(
        self,
        delivery_id: str,
        quantity: Decimal,
        delivered_on: str,
        note: str | None,
        acting: Acting,
        meta: Envelope,
    ) -> None:
        """Invariant 6: the correction names the report it corrects; both stay in history."""
        self.check_committer(acting)
        self.check_status("in_delivery")
        d = self.delivery(delivery_id)
        if d["status"] == "confirmed":
            raise RuleViolationError("a confirmed delivery is not corrected")
        corrects = {"stream": str(self.id), "version": d["reported_in"]}
        self._delivery_corrected(delivery_id, quantity, delivered_on, note, corrects, meta)

    @event("DeliveryCorrected")
    def _delivery_corrected(
        self,
        delivery_id: str,
        quantity: Decimal,
        delivered_on: str,
        note: str | None,
        corrects: dict[str, Any],
        meta: Envelope,
    ) -> None:
        d = self.deliveries[delivery_id]
        d.update(quantity=quantity, delivered_on=delivered_on, note=note, status="reported")
        d["reported_in"] = self.version + 1

    def withdraw(self, acting: Acting, meta: Envelope) -> None:
        self.check_committer(acting)
        self.check_status(*OPEN)
        if self.status != "pledged" and not meta["reason"]:
            raise InvalidInputError("reason", "withdrawing a confirmed commitment states a reason")
        self._withdrawn(meta)

    @event("Withdrawn")
    def _withdrawn(self, meta: Envelope) -> None:
        self.status = "withdrawn"

    def lapse(self, meta: Envelope) -> None:
        """Called by the application once the caller is a steward of the partnership."""
        self.check_status("confirmed", "in_delivery")
        if self.period is None or meta["effective_date"] <= self.period["end"]:
            raise RuleViolationError("a commitment lapses only after its period has ended")
        self._lapsed(meta)

    @event("Lapsed")
    def _lapsed(self, meta: Envelope) -> None:
        self.status = "lapsed"

    def release(self, member_status: str, meta: Envelope) -> bool:
        """Automatic when the member leaves: returns False when nothing was open."""
        if self.status not in OPEN:
            return False
        self._released(member_status, meta)
        return True

    @event("Released")
    def _released(self, member_status: str, meta: Envelope) -> None:
        self.status = "released"
