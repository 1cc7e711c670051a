"""Requests that change a membership's terms."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import Choice, CommandBody, Int, Uuid
from collab.domain import codes


class ChangeMembership(CommandBody):
    """Only the terms given change; at least one."""

    decision_id = Uuid(
        required=True, metadata={"description": "a passed change_membership decision on it"}
    )
    roles = fields.List(
        Choice(codes.ROLES),
        load_default=None,
        validate=validate.Length(max=10),
        metadata={"description": "the roles it now holds; 'lead' hands the lead over to it"},
    )
    weight = Int(load_default=None, metadata={"description": "voting weight"})
    interest_group = Choice(codes.INTEREST_GROUPS, load_default=None)
    signatory = fields.Boolean(
        load_default=None,
        metadata={"description": "a new signatory accedes to the text in force first"},
    )
