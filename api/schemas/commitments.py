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


class CommitmentDelivery(ma.Schema):
    delivery_id = fields.String(required=True)
    quantity = fields.String(required=True)
    delivered_on = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)
    status = fields.String(
        required=True, metadata={"description": "reported, confirmed (counts) or disputed"}
    )


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
    version = fields.Integer(required=True)
