"""Commitment requests and responses; decimals are JSON strings both ways."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from api.schemas.common import (
    UUID_PATTERN,
    Choice,
    CommandBody,
    Date,
    Decimal,
    Strict,
    Text,
    Uuid,
    Whole,
)
from collab.domain import codes
from collab.domain import values as v

RECIPIENT_PATTERN = f"^pool$|{UUID_PATTERN}"


class PledgeQuantity(Strict):
    value = Decimal(required=True, metadata={"description": "greater than zero"})
    unit = Text(
        10,
        required=True,
        metadata={"description": "ISO 4217 currency for cash; else hour, day, fte_month, ..."},
    )


class PledgeValuation(Strict):
    amount = Decimal(allow_none=True)
    currency = fields.String(allow_none=True, validate=Whole("^[A-Z]{3}$"))
    method = Choice(codes.VALUATION_METHODS, required=True)


class CommitmentPeriod(Strict):
    start = Date(required=True)
    end = Date(required=True)


class Pledge(CommandBody):
    contribution_type = Choice(codes.CONTRIBUTION_TYPES, required=True)
    quantity = fields.Nested(PledgeQuantity, required=True)
    valuation = fields.Nested(PledgeValuation, required=True)
    recipient = fields.String(
        validate=Whole(RECIPIENT_PATTERN),
        metadata={"description": "'pool' (the default) or a member organisation id"},
    )
    period = fields.Nested(CommitmentPeriod, load_default=None, allow_none=True)
    conditions = Text(v.LONG, load_default=None, allow_none=True)


class ReportDelivery(CommandBody):
    quantity = Decimal(required=True, metadata={"description": "in the commitment's unit"})
    delivered_on = Date(required=True)
    note = Text(v.LONG, load_default=None, allow_none=True)


class CorrectDelivery(ReportDelivery):
    quantity = Decimal(
        required=True,
        metadata={"description": "in the commitment's unit; 0 reverses the delivery"},
    )


class SettleDelivery(CommandBody):
    action = Choice(
        codes.DELIVERY_SUBJECTS,
        required=True,
        metadata={"description": "the passed decision's subject: it counts, or it does not"},
    )
    decision_id = Uuid(required=True, metadata={"description": "a passed, unused decision"})


class ProposeRevision(CommandBody):
    quantity = Decimal(
        load_default=None,
        allow_none=True,
        metadata={"description": "the new committed quantity, in the commitment's unit"},
    )
    period = fields.Nested(CommitmentPeriod, load_default=None, allow_none=True)


class CommitmentQuantity(ma.Schema):
    value = fields.String(required=True)
    unit = fields.String(required=True)


class CommitmentValuation(ma.Schema):
    amount = fields.String(required=True, allow_none=True)
    currency = fields.String(required=True, allow_none=True)
    method = fields.String(required=True)


class CommitmentPeriodOut(ma.Schema):
    start = fields.String(required=True)
    end = fields.String(required=True)


class CommitmentCorrection(ma.Schema):
    quantity = fields.String(required=True)
    delivered_on = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)
    status = fields.String(
        required=True, metadata={"description": "proposed (the recipient's turn) or disputed"}
    )


class CommitmentDelivery(ma.Schema):
    delivery_id = fields.String(required=True)
    quantity = fields.String(required=True)
    delivered_on = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)
    status = fields.String(
        required=True,
        metadata={
            "description": "reported, confirmed (counts), disputed, or rejected (by decision)"
        },
    )
    correction = fields.Nested(
        CommitmentCorrection,
        required=True,
        allow_none=True,
        metadata={"description": "a confirmed delivery's correction awaiting an answer"},
    )


class CommitmentRevision(ma.Schema):
    revision_id = fields.String(required=True)
    quantity = fields.String(required=True, allow_none=True)
    period = fields.Nested(CommitmentPeriodOut, required=True, allow_none=True)


class Commitment(ma.Schema):
    commitment_id = fields.String(required=True)
    partnership_id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    recipient = fields.String(required=True)
    contribution_type = fields.String(required=True)
    quantity = fields.Nested(CommitmentQuantity, required=True)
    valuation = fields.Nested(CommitmentValuation, required=True)
    period = fields.Nested(CommitmentPeriodOut, required=True, allow_none=True)
    conditions = fields.String(required=True, allow_none=True)
    status = fields.String(required=True)
    deliveries = fields.List(fields.Nested(CommitmentDelivery), required=True)
    delivered = fields.String(
        required=True, metadata={"description": "the sum of confirmed deliveries"}
    )
    fulfilment = fields.String(
        required=True,
        metadata={"description": "confirmed ÷ committed, at most 1 (beyond it: surplus)"},
    )
    surplus = fields.String(
        required=True, metadata={"description": "confirmed deliveries beyond the quantity"}
    )
    revision = fields.Nested(
        CommitmentRevision,
        required=True,
        allow_none=True,
        metadata={"description": "a proposed revision awaiting the recipient's answer"},
    )
    lapse_proposed = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "the period end after which a lapse was proposed"},
    )
    version = fields.Integer(required=True)
