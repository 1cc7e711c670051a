"""Use cases on commitments: pledge, confirm, deliver, confirm or dispute, withdraw, lapse."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from collab.commands import Attempt, Command, Outcome
from collab.domain import codes, terms
from collab.domain import values as v
from collab.domain.commitment import Commitment
from collab.domain.envelope import Acting, Envelope
from collab.domain.errors import InvalidInputError, RuleViolationError
from collab.domain.partnership import Partnership
from collab.use_cases.governance import GovernanceUseCases

Act = Callable[[Attempt, Commitment, Partnership, Acting, Envelope], dict[str, Any] | None]


class CommitmentUseCases(GovernanceUseCases):
    """Each commitment is its own stream; markers on the partnership keep invariant 5 at commit."""

    def pledge(
        self,
        cmd: Command,
        partnership_id: Any,
        *,
        contribution_type: Any,
        quantity: Any,
        valuation: Any,
        recipient: Any = "pool",
        period: Any = None,
        conditions: Any = None,
    ) -> Outcome:
        """A member organisation pledges a contribution to the pool or to another member."""
        kind = v.choice(contribution_type, "contribution_type", codes.CONTRIBUTION_TYPES)
        qty = terms.quantity(quantity, kind)
        value = terms.valuation(valuation)
        when = terms.optional_period(period)
        cond = v.optional_text(conditions, "conditions", max_length=v.LONG)
        to = "pool" if recipient == "pool" else v.identifier(recipient, "recipient")
        args = {
            "type": kind,
            "quantity": quantity,
            "valuation": valuation,
            "recipient": recipient,
            "period": period,
            "conditions": conditions,
        }

        def handle(attempt: Attempt) -> dict[str, Any]:
            p, acting = self.partnership_for(attempt, partnership_id)
            if to != "pool":
                member = p.member(to)
                if member is None or member["status"] not in ("active", "invited"):
                    raise RuleViolationError("the recipient is not a member of this partnership")
                if to == acting.organisation_id:
                    raise RuleViolationError("an organisation does not commit to itself")
            meta = attempt.meta()
            c = Commitment(
                str(p.id),
                str(acting.organisation_id),
                to,
                kind,
                terms.plain(qty),
                terms.plain(value),
                terms.plain(when) if when else None,
                cond,
                meta,
            )
            p.note_pledge(str(c.id), acting, meta)
            attempt.stage(c, p)
            return {"commitment_id": str(c.id), "partnership_id": str(p.id), "version": c.version}

        return self.run("pledge", cmd, {"partnership": partnership_id, **args}, handle)

    def on_commitment(
        self, name: str, cmd: Command, commitment_id: Any, args: dict[str, Any], act: Act
    ) -> Outcome:
        def handle(attempt: Attempt) -> dict[str, Any]:
            c = attempt.target(
                attempt.get(Commitment, v.identifier(commitment_id, "commitment_id"))
            )
            p, acting = self.partnership_for(attempt, c.partnership_id, target=False)
            assert attempt.window is not None
            self.check_commitment_visible(c, p, attempt.window)
            extra = act(attempt, c, p, acting, attempt.meta()) or {}
            attempt.stage(c)
            return {"commitment_id": str(c.id), "version": c.version, "status": c.status, **extra}

        return self.run(name, cmd, {"commitment": commitment_id, **args}, handle)

    def confirm_commitment(self, cmd: Command, commitment_id: Any) -> Outcome:
        """The committing member confirms its pledge; needs an agreement in force at commit."""

        def act(
            attempt: Attempt, c: Commitment, p: Partnership, acting: Acting, meta: Envelope
        ) -> None:
            c.confirm(acting, meta)
            p.note_confirmation(str(c.id), acting, meta)
            attempt.stage(p)

        return self.on_commitment("confirm_commitment", cmd, commitment_id, {}, act)

    def report_delivery(
        self,
        cmd: Command,
        commitment_id: Any,
        *,
        quantity: Any,
        delivered_on: Any,
        note: Any = None,
    ) -> Outcome:
        """The committing member reports a delivery in the commitment's unit."""
        amount = v.decimal(quantity, "quantity", positive=True)
        day = v.iso_date(delivered_on, "delivered_on")
        text = v.optional_text(note, "note", max_length=v.LONG)

        def act(
            attempt: Attempt, c: Commitment, p: Partnership, acting: Acting, meta: Envelope
        ) -> dict[str, Any]:
            p.check_active_member(acting)
            delivery_id = str(uuid.uuid4())
            c.report_delivery(delivery_id, amount, day, text, acting, meta)
            return {"delivery_id": delivery_id}

        return self.on_commitment(
            "report_delivery",
            cmd,
            commitment_id,
            {"quantity": quantity, "on": day, "note": note},
            act,
        )

    def confirm_delivery(self, cmd: Command, commitment_id: Any, *, delivery_id: Any) -> Outcome:
        """The recipient (for the pool, the lead) confirms a delivery; it counts."""
        did = v.identifier(delivery_id, "delivery_id")

        def act(
            attempt: Attempt, c: Commitment, p: Partnership, acting: Acting, meta: Envelope
        ) -> None:
            p.check_active_member(acting)
            c.confirm_delivery(did, acting, p.lead_organisation(), meta)

        return self.on_commitment("confirm_delivery", cmd, commitment_id, {"delivery": did}, act)

    def dispute_delivery(self, cmd: Command, commitment_id: Any, *, delivery_id: Any) -> Outcome:
        """The recipient (for the pool, the lead) disputes a delivery; it does not count."""
        did = v.identifier(delivery_id, "delivery_id")

        def act(
            attempt: Attempt, c: Commitment, p: Partnership, acting: Acting, meta: Envelope
        ) -> None:
            p.check_active_member(acting)
            if not meta["reason"]:
                raise InvalidInputError("reason", "a dispute states its reason")
            c.dispute_delivery(did, acting, p.lead_organisation(), meta)

        return self.on_commitment("dispute_delivery", cmd, commitment_id, {"delivery": did}, act)

    def correct_delivery(
        self,
        cmd: Command,
        commitment_id: Any,
        *,
        delivery_id: Any,
        quantity: Any,
        delivered_on: Any,
        note: Any = None,
    ) -> Outcome:
        """The committing member corrects a reported or disputed delivery (to confirm anew)."""
        did = v.identifier(delivery_id, "delivery_id")
        amount = v.decimal(quantity, "quantity", positive=True)
        day = v.iso_date(delivered_on, "delivered_on")
        text = v.optional_text(note, "note", max_length=v.LONG)

        def act(
            attempt: Attempt, c: Commitment, p: Partnership, acting: Acting, meta: Envelope
        ) -> None:
            p.check_active_member(acting)
            c.correct_delivery(did, amount, day, text, acting, meta)

        args = {"delivery": did, "quantity": quantity, "on": day, "note": note}
        return self.on_commitment("correct_delivery", cmd, commitment_id, args, act)

    def withdraw_commitment(self, cmd: Command, commitment_id: Any) -> Outcome:
        """The committing member withdraws its commitment (a reason once confirmed)."""

        def act(
            attempt: Attempt, c: Commitment, p: Partnership, acting: Acting, meta: Envelope
        ) -> None:
            p.check_active_member(acting)
            c.withdraw(acting, meta)

        return self.on_commitment("withdraw_commitment", cmd, commitment_id, {}, act)

    def mark_lapsed(self, cmd: Command, commitment_id: Any) -> Outcome:
        """A partnership broker or the lead marks an unfulfilled commitment lapsed."""

        def act(
            attempt: Attempt, c: Commitment, p: Partnership, acting: Acting, meta: Envelope
        ) -> None:
            p.check_steward(acting)
            c.lapse(meta)

        return self.on_commitment("mark_lapsed", cmd, commitment_id, {}, act)
