"""Commitments: pledge, confirm, deliver, confirm, dispute, correct or settle deliveries,
revise with consent, withdraw, lapse."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from api import authority
from api.auth import current_actor
from api.authority import before_body
from api.http import Blueprint, Body, Reply, run, wait_for_views
from api.schemas import commitments as s
from api.schemas.common import CommandBody, Outcome, ReadOptions
from api.service import service
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
from collab.domain import commitment_rules as rules
from collab.domain.commitment import Commitment

blp = Blueprint("commitments", __name__, url_prefix="/v1", description=__doc__)

COMMITMENT = "/commitments/<commitment_id>"
DELIVERY = f"{COMMITMENT}/deliveries/<delivery_id>"
REVISION = f"{COMMITMENT}/revisions/<revision_id>"


def text(value: Any) -> str | None:
    """A stored decimal as its wire form: plain digits, never an exponent."""
    return None if value is None else format(Decimal(value), "f")


def as_body(c: Commitment) -> dict[str, object]:
    return {
        "commitment_id": str(c.id),
        "partnership_id": c.partnership_id,
        "organisation_id": c.organisation_id,
        "recipient": c.recipient,
        "contribution_type": c.contribution_type,
        "quantity": {"value": text(c.quantity["value"]), "unit": c.quantity["unit"]},
        "valuation": {**c.valuation, "amount": text(c.valuation["amount"])},
        "period": c.period,
        "conditions": c.conditions,
        "status": c.status,
        "deliveries": [
            {
                "delivery_id": delivery_id,
                "quantity": text(d["quantity"]),
                "delivered_on": d["delivered_on"],
                "note": d["note"],
                "status": d["status"],
                "correction": correction(d.get("correction")),
            }
            for delivery_id, d in c.deliveries.items()
        ],
        "delivered": text(c.confirmed_total()),
        "fulfilment": text(rules.fulfilment(c.confirmed_total(), c.committed())),
        "surplus": text(c.surplus()),
        "revision": revision(c.revision),
        "lapse_proposed": c.lapse_proposed,
        "version": c.version,
    }


def correction(pending: dict[str, Any] | None) -> dict[str, object] | None:
    """A confirmed delivery's correction awaiting the recipient or a decision."""
    if pending is None:
        return None
    keys = ("delivered_on", "note", "status")
    return {"quantity": text(pending["quantity"]), **{k: pending[k] for k in keys}}


def revision(pending: dict[str, Any] | None) -> dict[str, object] | None:
    """A proposed revision awaiting the recipient's answer."""
    if pending is None:
        return None
    return {
        "revision_id": pending["revision_id"],
        "quantity": text(pending["quantity"]),
        "period": pending["period"],
    }


@blp.route("/partnerships/<partnership_id>/commitments", methods=["POST"])
@before_body(authority.partnership(authority.member))
@blp.arguments(s.Pledge)
@blp.response(201, Outcome)
def pledge(body: Body, partnership_id: str) -> Reply:
    """A member pledges a contribution to the pool or to another member."""
    return run(body, lambda a: Pledge(partnership_id=partnership_id, **a))


@blp.route(COMMITMENT, methods=["GET"])
@before_body(authority.seen_commitment)
@blp.arguments(ReadOptions, location="query")
@blp.response(200, s.Commitment)
def show(query: Body, commitment_id: str) -> Any:
    """One commitment and its deliveries, where its partnership is visible (ETag: version)."""
    wait_for_views(query.pop("min_position", None))
    c = service().app.get_commitment(current_actor(), commitment_id)
    return as_body(c), {"ETag": f'"{c.version}"'}


@blp.route(f"{COMMITMENT}/confirm", methods=["POST"])
@before_body(authority.commitment(authority.committer))
@blp.arguments(CommandBody)
@blp.response(200, Outcome)
def confirm(body: Body, commitment_id: str) -> Reply:
    """The committing member confirms its pledge; needs an agreement in force."""
    return run(body, lambda a: ConfirmCommitment(commitment_id=commitment_id))


@blp.route(f"{COMMITMENT}/deliveries", methods=["POST"])
@before_body(authority.commitment(authority.committer))
@blp.arguments(s.ReportDelivery)
@blp.response(201, Outcome)
def report_delivery(body: Body, commitment_id: str) -> Reply:
    """The committing member reports a delivery in the commitment's unit."""
    return run(body, lambda a: ReportDelivery(commitment_id=commitment_id, **a))


@blp.route(f"{DELIVERY}/confirm", methods=["POST"])
@before_body(authority.commitment(authority.confirmer))
@blp.arguments(CommandBody)
@blp.response(200, Outcome)
def confirm_delivery(body: Body, commitment_id: str, delivery_id: str) -> Reply:
    """The recipient (for the pool, the lead) confirms a delivery: it counts."""
    return run(body, lambda a: ConfirmDelivery(commitment_id, delivery_id))


@blp.route(f"{DELIVERY}/dispute", methods=["POST"])
@before_body(authority.commitment(authority.confirmer))
@blp.arguments(CommandBody)
@blp.response(200, Outcome)
def dispute_delivery(body: Body, commitment_id: str, delivery_id: str) -> Reply:
    """The recipient (for the pool, the lead) disputes a delivery, stating a reason."""
    return run(body, lambda a: DisputeDelivery(commitment_id, delivery_id))


@blp.route(f"{DELIVERY}/corrections", methods=["POST"])
@before_body(authority.commitment(authority.committer))
@blp.arguments(s.CorrectDelivery)
@blp.response(200, Outcome)
def correct_delivery(body: Body, commitment_id: str, delivery_id: str) -> Reply:
    """The committing member corrects a delivery (a confirmed one: to confirm; 0 reverses)."""
    return run(body, lambda a: CorrectDelivery(commitment_id, delivery_id=delivery_id, **a))


@blp.route(f"{DELIVERY}/settle", methods=["POST"])
@before_body(authority.commitment(authority.settler))
@blp.arguments(s.SettleDelivery)
@blp.response(200, Outcome)
def settle_delivery(body: Body, commitment_id: str, delivery_id: str) -> Reply:
    """A partnership broker or the lead applies a decision settling a disputed delivery."""
    return run(body, lambda a: SettleDelivery(commitment_id, delivery_id=delivery_id, **a))


@blp.route(f"{COMMITMENT}/revisions", methods=["POST"])
@before_body(authority.commitment(authority.committer))
@blp.arguments(s.ProposeRevision)
@blp.response(201, Outcome)
def propose_revision(body: Body, commitment_id: str) -> Reply:
    """The committing member proposes a new quantity or period, stating a reason."""
    return run(body, lambda a: ProposeRevision(commitment_id=commitment_id, **a))


@blp.route(f"{REVISION}/agree", methods=["POST"])
@before_body(authority.commitment(authority.confirmer))
@blp.arguments(CommandBody)
@blp.response(200, Outcome)
def agree_revision(body: Body, commitment_id: str, revision_id: str) -> Reply:
    """The recipient (for the pool, the lead) agrees: the commitment changes."""
    return run(body, lambda a: AgreeRevision(commitment_id, revision_id=revision_id))


@blp.route(f"{REVISION}/decline", methods=["POST"])
@before_body(authority.commitment(authority.confirmer))
@blp.arguments(CommandBody)
@blp.response(200, Outcome)
def decline_revision(body: Body, commitment_id: str, revision_id: str) -> Reply:
    """The recipient (for the pool, the lead) declines: nothing changes."""
    return run(body, lambda a: DeclineRevision(commitment_id, revision_id=revision_id))


@blp.route(f"{COMMITMENT}/withdraw", methods=["POST"])
@before_body(authority.commitment(authority.committer))
@blp.arguments(CommandBody)
@blp.response(200, Outcome)
def withdraw(body: Body, commitment_id: str) -> Reply:
    """The committing member withdraws its commitment (a reason once confirmed)."""
    return run(body, lambda a: WithdrawCommitment(commitment_id=commitment_id))


@blp.route(f"{COMMITMENT}/lapse", methods=["POST"])
@before_body(authority.commitment(authority.lapser))
@blp.arguments(CommandBody)
@blp.response(200, Outcome)
def mark_lapsed(body: Body, commitment_id: str) -> Reply:
    """A partnership broker or the lead marks an unfulfilled commitment lapsed."""
    return run(body, lambda a: MarkLapsed(commitment_id=commitment_id))
