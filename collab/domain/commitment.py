"""Commitment: what one organisation pledges to a partnership, and its deliveries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate, event

from collab.domain import commitment_rules as rules
from collab.domain.envelope import Acting, Envelope
from collab.domain.errors import ForbiddenError, InvalidInputError, RuleViolationError

OPEN = ("pledged", "confirmed", "in_delivery")
SETTLEMENTS = {"accept_delivery": True, "reject_delivery": False}


class Commitment(Aggregate):
    """Pledged → confirmed → in delivery ⇄ fulfilled; or withdrawn, lapsed, released."""

    # 2: revisions, a proposed lapse and corrections of confirmed deliveries (snapshots of
    # version 1 lack them: upcast_v1_v2).
    class_version: ClassVar[int] = 2

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
        self.revision: dict[str, Any] | None = None  # a proposed revision awaiting an answer
        self.terms_version = 1  # the event that set today's quantity and period
        self.lapse_proposed: str | None = None  # the period end a due-date processor saw pass

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot from before revisions, proposed lapses and pending corrections."""
        state["revision"] = None
        state["terms_version"] = 1
        state["lapse_proposed"] = None
        for d in state["deliveries"].values():
            d["correction"] = None

    # -- checks --------------------------------------------------------------------------

    def check_committer(self, acting: Acting) -> None:
        """Invariant 3: only the committing organisation acts on its commitment."""
        if acting.organisation_id != self.organisation_id:
            raise ForbiddenError("only the committing organisation may do this")

    def check_status(self, *allowed: str) -> None:
        if self.status not in allowed:
            raise RuleViolationError(f"not allowed while the commitment is {self.status}")

    def check_confirmer(self, acting: Acting, lead_id: str | None, broker: bool = False) -> None:
        """The recipient organisation confirms (and consents to revisions); for the pool,
        the lead organisation. Nobody answers for its own commitment: the lead's own to
        the pool is answered by a partnership broker (`broker`: the caller is one)."""
        if self.recipient == "pool" and lead_id == self.organisation_id:
            if broker:
                return
            raise ForbiddenError(
                "the lead's own commitment to the pool is answered by a partnership broker"
            )
        confirmer = lead_id if self.recipient == "pool" else self.recipient
        if confirmer is None or acting.organisation_id != confirmer:
            raise ForbiddenError("only the recipient (for the pool, the lead) confirms deliveries")

    def confirmed_total(self) -> Decimal:
        return rules.confirmed_total(self.deliveries.values())

    def committed(self) -> Decimal:
        return Decimal(self.quantity["value"])

    def surplus(self) -> Decimal:
        """Invariant 6: confirmed deliveries beyond the committed quantity."""
        return rules.surplus(self.confirmed_total(), self.committed())

    def delivery(self, delivery_id: str) -> dict[str, Any]:
        d = self.deliveries.get(delivery_id)
        if d is None:
            raise RuleViolationError("no such delivery on this commitment")
        return d

    def corrects(self, version: int) -> dict[str, Any]:
        """Invariant 6: the event of this stream a correction or revision names."""
        return {"stream": str(self.id), "version": version}

    # -- pledge, confirm, report ---------------------------------------------------------

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
            "correction": None,
        }
        self.status = "in_delivery"

    # -- the recipient's answer: a report, or a correction of a confirmed delivery -------

    def confirm_delivery(
        self,
        delivery_id: str,
        acting: Acting,
        lead_id: str | None,
        meta: Envelope,
        broker: bool = False,
    ) -> None:
        self.check_confirmer(acting, lead_id, broker)
        self.check_status(*rules.DELIVERING)
        if rules.answerable(self.delivery(delivery_id)) == "report":
            self._delivery_confirmed(delivery_id, meta)
        else:
            self._correction_confirmed(delivery_id, meta)
        self.reevaluate(meta)

    @event("DeliveryConfirmed")
    def _delivery_confirmed(self, delivery_id: str, meta: Envelope) -> None:
        self.deliveries[delivery_id]["status"] = "confirmed"

    @event("DeliveryCorrectionConfirmed")
    def _correction_confirmed(self, delivery_id: str, meta: Envelope) -> None:
        self.apply_correction(delivery_id)

    def dispute_delivery(
        self,
        delivery_id: str,
        acting: Acting,
        lead_id: str | None,
        meta: Envelope,
        broker: bool = False,
    ) -> None:
        self.check_confirmer(acting, lead_id, broker)
        self.check_status(*rules.DELIVERING)
        if rules.answerable(self.delivery(delivery_id)) == "report":
            self._delivery_disputed(delivery_id, meta)
        else:
            self._correction_disputed(delivery_id, meta)

    @event("DeliveryDisputed")
    def _delivery_disputed(self, delivery_id: str, meta: Envelope) -> None:
        self.deliveries[delivery_id]["status"] = "disputed"
        self.deliveries[delivery_id]["disputed_at"] = meta["recorded_at"]

    @event("DeliveryCorrectionDisputed")
    def _correction_disputed(self, delivery_id: str, meta: Envelope) -> None:
        self.deliveries[delivery_id]["correction"]["status"] = "disputed"
        self.deliveries[delivery_id]["disputed_at"] = meta["recorded_at"]

    def apply_correction(self, delivery_id: str) -> None:
        """A confirmed delivery takes its correction's figures; it now counts at them."""
        d = self.deliveries[delivery_id]
        c = d["correction"]
        d.update(quantity=c["quantity"], delivered_on=c["delivered_on"], note=c["note"])
        d.update(reported_in=c["proposed_in"], correction=None)

    # -- corrections (invariant 6) -------------------------------------------------------

    def correct_delivery(
        self,
        delivery_id: str,
        quantity: Decimal,
        delivered_on: str,
        note: str | None,
        acting: Acting,
        meta: Envelope,
    ) -> None:
        """Invariant 6: the correction names the report it corrects; both stay in history.
        A confirmed delivery keeps counting at its confirmed figure until the recipient
        confirms the correction (or a decision settles it); 0 reverses it."""
        self.check_committer(acting)
        self.check_status(*rules.DELIVERING)
        d = self.delivery(delivery_id)
        rules.check_correctable(d)
        corrects = self.corrects(d["reported_in"])
        if d["status"] == "confirmed":
            self._confirmed_corrected(delivery_id, quantity, delivered_on, note, corrects, meta)
        else:
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

    @event("ConfirmedDeliveryCorrected")
    def _confirmed_corrected(
        self,
        delivery_id: str,
        quantity: Decimal,
        delivered_on: str,
        note: str | None,
        corrects: dict[str, Any],
        meta: Envelope,
    ) -> None:
        self.deliveries[delivery_id]["correction"] = {
            "quantity": quantity,
            "delivered_on": delivered_on,
            "note": note,
            "status": "proposed",
            "proposed_in": self.version + 1,
        }

    # -- settlement by a partnership decision ----------------------------------------------

    def settle_delivery(
        self,
        action: str,
        delivery_id: str,
        decision_id: str,
        meta: Envelope,
        decided_at: str,
    ) -> None:
        """A passed decision accepts or rejects a disputed delivery or correction; called
        by the application once the partnership has checked and used the decision, which
        was recorded at `decided_at`: it settles the figures disputed then, so a dispute
        raised after it (on figures corrected since) needs a decision of its own."""
        disputed = self.check_settlement(action, delivery_id)
        if decided_at < self.deliveries[delivery_id].get("disputed_at", ""):
            raise RuleViolationError(
                "the delivery was disputed again after the decision: a new decision settles it"
            )
        accepted = SETTLEMENTS[action]
        self._delivery_settled(delivery_id, decision_id, disputed, accepted, meta)
        self.reevaluate(meta)

    def check_settlement(self, action: str, delivery_id: str) -> str:
        """What the decision would settle (a disputed report or correction), or refused."""
        if action not in SETTLEMENTS:
            raise RuleViolationError(f"a delivery is not settled by {action}")
        self.check_status(*rules.DELIVERING)
        return rules.settleable(self.delivery(delivery_id))

    @event("DeliverySettled")
    def _delivery_settled(
        self, delivery_id: str, decision_id: str, disputed: str, accepted: bool, meta: Envelope
    ) -> None:
        d = self.deliveries[delivery_id]
        if disputed == "report":
            d["status"] = "confirmed" if accepted else "rejected"
        elif accepted:
            self.apply_correction(delivery_id)
        else:
            d["correction"] = None

    # -- fulfilment ----------------------------------------------------------------------

    def reevaluate(self, meta: Envelope) -> None:
        """Fulfilled when confirmed deliveries reach the quantity; back in delivery when
        they fall below it: each change recorded as an event, nothing silent."""
        total = self.confirmed_total()
        if self.status == "in_delivery" and total >= self.committed():
            self._fulfilled(total, meta)
        elif self.status == "fulfilled" and total < self.committed():
            self._fulfilment_reopened(total, meta)

    @event("Fulfilled")
    def _fulfilled(self, delivered: Decimal, meta: Envelope) -> None:
        self.status = "fulfilled"

    @event("FulfilmentReopened")
    def _fulfilment_reopened(self, delivered: Decimal, meta: Envelope) -> None:
        self.status = "in_delivery"

    # -- revisions with the recipient's consent (invariant 6) --------------------------------

    def propose_revision(
        self,
        revision_id: str,
        quantity: Decimal | None,
        period: dict[str, str] | None,
        acting: Acting,
        meta: Envelope,
    ) -> None:
        self.check_committer(acting)
        self.check_status(*rules.REVISABLE)
        if self.revision is not None:
            raise RuleViolationError("a revision of this commitment already awaits an answer")
        if not meta["reason"]:
            raise InvalidInputError("reason", "a revision states its reason")
        rules.check_revision(quantity, period, vars(self))
        corrects = self.corrects(self.terms_version)
        self._revision_proposed(revision_id, quantity, period, corrects, meta)

    @event("RevisionProposed")
    def _revision_proposed(
        self,
        revision_id: str,
        quantity: Decimal | None,
        period: dict[str, str] | None,
        corrects: dict[str, Any],
        meta: Envelope,
    ) -> None:
        self.revision = {"revision_id": revision_id, "quantity": quantity, "period": period}
        self.revision["proposed_in"] = self.version + 1

    def answer_revision(
        self,
        revision_id: str,
        agree: bool,
        acting: Acting,
        lead_id: str | None,
        meta: Envelope,
        broker: bool = False,
    ) -> None:
        """The recipient (for the pool, the lead) agrees or declines; only an agreement
        changes the commitment, and its fulfilment is evaluated anew."""
        self.check_confirmer(acting, lead_id, broker)
        self.check_status(*rules.REVISABLE)
        if self.revision is None or self.revision["revision_id"] != revision_id:
            raise RuleViolationError("no such revision awaits an answer")
        if agree:
            self._revision_agreed(revision_id, meta)
            self.reevaluate(meta)
        else:
            self._revision_declined(revision_id, meta)

    @event("RevisionAgreed")
    def _revision_agreed(self, revision_id: str, meta: Envelope) -> None:
        revision, self.revision = self.revision or {}, None
        if revision["quantity"] is not None:
            self.quantity = {**self.quantity, "value": revision["quantity"]}
            if self.contribution_type == "cash":  # cash is valued at its own amount
                self.valuation = {**self.valuation, "amount": revision["quantity"]}
        if revision["period"] is not None:
            self.period = revision["period"]
            self.lapse_proposed = None  # a new period: its end is yet to pass
        self.terms_version = self.version + 1

    @event("RevisionDeclined")
    def _revision_declined(self, revision_id: str, meta: Envelope) -> None:
        self.revision = None

    # -- endings -------------------------------------------------------------------------

    def withdraw(self, acting: Acting, meta: Envelope) -> None:
        self.check_committer(acting)
        self.check_status(*OPEN)
        if self.status != "pledged" and not meta["reason"]:
            raise InvalidInputError("reason", "withdrawing a confirmed commitment states a reason")
        self._withdrawn(meta)

    @event("Withdrawn")
    def _withdrawn(self, meta: Envelope) -> None:
        self.status = "withdrawn"

    def propose_lapse(self, today: str, meta: Envelope) -> bool:
        """Invariant 8, for the due-date processor: a confirmed commitment whose period
        ended before `today` unfulfilled is proposed for lapse, once (a steward decides);
        False when there is nothing to propose."""
        if self.status not in ("confirmed", "in_delivery") or self.period is None:
            return False
        if self.period["end"] >= today or self.lapse_proposed is not None:
            return False
        self._lapse_proposed(self.period["end"], meta)
        return True

    @event("LapseProposed")
    def _lapse_proposed(self, period_end: str, meta: Envelope) -> None:
        self.lapse_proposed = period_end

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
