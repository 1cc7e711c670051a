"""Handlers of commitments. Each commitment is its own stream; markers on the partnership
keep invariant 5 (an active member under an agreement in force) true at commit."""

from __future__ import annotations

import uuid

from collab.commands import Json, Result
from collab.commitments.commands import (
    AgreeRevision,
    ConfirmCommitment,
    ConfirmDelivery,
    CorrectDelivery,
    DeclineRevision,
    DisputeDelivery,
    MarkLapsed,
    Pledge,
    ProposeRevision,
    ReportDelivery,
    SettleDelivery,
    WithdrawCommitment,
)
from collab.domain import terms
from collab.domain.commitment import Commitment
from collab.domain.envelope import Acting
from collab.domain.errors import InvalidInputError, RuleViolationError
from collab.domain.partnership import Partnership
from collab.domain.partnership_rules import STANDING
from collab.tx import Handlers, Tx, registry

HANDLERS: Handlers = {}
handles = registry(HANDLERS)


def answering_broker(p: Partnership, acting: Acting) -> bool:
    """Whether the caller answers as a partnership broker in its own right (for the lead's
    own commitments to the pool); anyone else answers as an active member."""
    if acting.as_broker and p.is_partnership_broker(acting):
        return True
    p.check_active_member(acting)
    return False


def result(c: Commitment, **extra: Json) -> Result:
    return {"commitment_id": str(c.id), "version": c.version, "status": c.status, **extra}


@handles(Pledge)
def pledge(tx: Tx, c: Pledge) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    if c.recipient != "pool":
        member = p.member(c.recipient)
        if member is None or member.status not in (*STANDING, "invited"):
            raise RuleViolationError("the recipient is not a member of this partnership")
        if c.recipient == acting.organisation_id:
            raise RuleViolationError("an organisation does not commit to itself")
    meta = tx.meta()
    commitment = Commitment(
        str(p.id),
        str(acting.organisation_id),
        c.recipient,
        c.contribution_type,
        terms.plain(c.quantity),
        terms.plain(c.valuation),
        terms.plain(c.period) if c.period else None,
        c.conditions,
        meta,
    )
    p.note_pledge(str(commitment.id), acting, meta)
    tx.save(commitment, p)
    return {
        "commitment_id": str(commitment.id),
        "partnership_id": str(p.id),
        "version": commitment.version,
    }


@handles(ConfirmCommitment)
def confirm_commitment(tx: Tx, c: ConfirmCommitment) -> Result:
    commitment, p, acting = tx.commitment(c.commitment_id)
    meta = tx.meta()
    commitment.confirm(acting, meta)
    p.note_confirmation(str(commitment.id), acting, meta)
    tx.save(p, commitment)
    return result(commitment)


@handles(ReportDelivery)
def report_delivery(tx: Tx, c: ReportDelivery) -> Result:
    commitment, p, acting = tx.commitment(c.commitment_id)
    p.check_active_member(acting)
    delivery_id = str(uuid.uuid4())
    commitment.report_delivery(delivery_id, c.quantity, c.delivered_on, c.note, acting, tx.meta())
    tx.save(commitment)
    return result(commitment, delivery_id=delivery_id)


@handles(ConfirmDelivery)
def confirm_delivery(tx: Tx, c: ConfirmDelivery) -> Result:
    commitment, p, acting = tx.commitment(c.commitment_id)
    broker = answering_broker(p, acting)
    lead, meta = p.lead_organisation(), tx.meta()
    commitment.confirm_delivery(c.delivery_id, acting, lead, meta, broker)
    tx.save(commitment)
    return result(commitment)


@handles(DisputeDelivery)
def dispute_delivery(tx: Tx, c: DisputeDelivery) -> Result:
    commitment, p, acting = tx.commitment(c.commitment_id)
    broker = answering_broker(p, acting)
    meta = tx.meta()
    if not meta["reason"]:
        raise InvalidInputError("reason", "a dispute states its reason")
    commitment.dispute_delivery(c.delivery_id, acting, p.lead_organisation(), meta, broker)
    tx.save(commitment)
    return result(commitment)


@handles(CorrectDelivery)
def correct_delivery(tx: Tx, c: CorrectDelivery) -> Result:
    commitment, p, acting = tx.commitment(c.commitment_id)
    p.check_active_member(acting)
    commitment.correct_delivery(
        c.delivery_id, c.quantity, c.delivered_on, c.note, acting, tx.meta()
    )
    tx.save(commitment)
    return result(commitment)


@handles(WithdrawCommitment)
def withdraw_commitment(tx: Tx, c: WithdrawCommitment) -> Result:
    commitment, p, acting = tx.commitment(c.commitment_id)
    p.check_active_member(acting)
    commitment.withdraw(acting, tx.meta())
    tx.save(commitment)
    return result(commitment)


@handles(MarkLapsed)
def mark_lapsed(tx: Tx, c: MarkLapsed) -> Result:
    commitment, p, acting = tx.commitment(c.commitment_id)
    p.check_steward(acting)
    commitment.lapse(tx.meta())
    tx.save(commitment)
    return result(commitment)


@handles(SettleDelivery)
def settle_delivery(tx: Tx, c: SettleDelivery) -> Result:
    """The partnership uses its decision and the commitment applies it: one transaction."""
    commitment, p, acting = tx.commitment(c.commitment_id)
    p.check_steward(acting)
    meta = tx.meta()
    commitment.check_settlement(c.action, c.delivery_id)  # before the decision is used
    decided_at = p.use_settlement(
        c.action, c.decision_id, str(commitment.id), c.delivery_id, acting, meta
    )
    commitment.settle_delivery(c.action, c.delivery_id, c.decision_id, meta, decided_at)
    tx.save(p, commitment)
    return result(commitment)


@handles(ProposeRevision)
def propose_revision(tx: Tx, c: ProposeRevision) -> Result:
    commitment, p, acting = tx.commitment(c.commitment_id)
    p.check_active_member(acting)
    revision_id = str(uuid.uuid4())
    period = terms.plain(c.period) if c.period else None
    commitment.propose_revision(revision_id, c.quantity, period, acting, tx.meta())
    tx.save(commitment)
    return result(commitment, revision_id=revision_id)


@handles(AgreeRevision)
def agree_revision(tx: Tx, c: AgreeRevision) -> Result:
    return answer_revision(tx, c, agree=True)


@handles(DeclineRevision)
def decline_revision(tx: Tx, c: DeclineRevision) -> Result:
    return answer_revision(tx, c, agree=False)


def answer_revision(tx: Tx, c: AgreeRevision, *, agree: bool) -> Result:
    """The recipient (for the pool, the lead) answers; only an agreement changes it."""
    commitment, p, acting = tx.commitment(c.commitment_id)
    broker = answering_broker(p, acting)
    lead = p.lead_organisation()
    commitment.answer_revision(c.revision_id, agree, acting, lead, tx.meta(), broker)
    tx.save(commitment)
    return result(commitment)
