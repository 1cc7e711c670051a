"""Governance requests: decisions with votes, decided transitions, breaches, plans, results."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import Choice, CommandBody, Date, Decimal, Int, Strict, Text, Uuid
from collab.domain import codes, practice_terms
from collab.domain import values as v


class DecisionSubject(Strict):
    action = Choice(
        codes.DECISION_SUBJECTS,
        required=True,
        metadata={"description": "what was decided; the transition that may cite it"},
    )
    organisation_id = Uuid(
        allow_none=True,
        metadata={"description": "the member concerned (admit, defaulting, remedied, remove)"},
    )
    summary = Text(v.LONG, allow_none=True)
    commitment_id = Uuid(
        allow_none=True,
        metadata={"description": "the commitment a settlement names (accept/reject_delivery)"},
    )
    delivery_id = Uuid(
        allow_none=True,
        metadata={"description": "the disputed delivery a settlement names"},
    )
    publishes = fields.List(
        Choice(practice_terms.FIGURES),
        allow_none=True,
        metadata={
            "description": "publish_practice: the figures computed from the ledger it "
            "publishes besides the practice's own fields (DESIGN §8)"
        },
    )
    audience = Choice(
        practice_terms.AUDIENCES,
        allow_none=True,
        metadata={"description": "publish_practice: who reads the practice (default signed_in)"},
    )


class RecordDecision(CommandBody):
    body = Text(required=True, metadata={"description": "the body that met, e.g. the assembly"})
    subject = fields.Nested(DecisionSubject, required=True)
    votes = fields.Dict(
        keys=Uuid(),
        values=Choice(codes.VOTES),
        required=True,
        metadata={
            "description": "member organisation id → for / against / abstain; 1 to 500 "
            "entries (the command's limit)"
        },
    )
    conflicts = fields.List(
        Uuid(),
        load_default=None,
        validate=validate.Length(max=500),
        metadata={
            "description": "members declaring a conflict of interest: they neither vote nor "
            "count as present (Reg. (EU) 2021/1060 art. 33(3)(b)); never also in `votes`"
        },
    )


class ApplyDecision(CommandBody):
    decision_id = Uuid(required=True, metadata={"description": "a passed, unused decision"})


class AdmitMember(CommandBody):
    decision_id = Uuid(required=True)
    organisation_id = Uuid(required=True)
    roles = fields.List(Choice(codes.ROLES), required=True, validate=validate.Length(max=10))
    weight = Int(required=True, metadata={"description": "voting weight"})
    interest_group = Choice(
        codes.INTEREST_GROUPS,
        load_default=None,
        metadata={"description": "defaults from the organisation's sector"},
    )
    signatory = fields.Boolean(metadata={"description": "default true"})


class NotifyBreach(CommandBody):
    remedy_days = Int(
        required=True, metadata={"description": "days to remedy, 0 to 3650 (the command's limit)"}
    )


class SetMilestone(CommandBody):
    title = Text(required=True)
    due_date = Date(required=True)
    status = Choice(codes.MILESTONE_STATUSES, metadata={"description": "default planned"})
    milestone_id = Uuid(load_default=None, metadata={"description": "to update a milestone"})


class SetIndicator(CommandBody):
    kind = Choice(codes.INDICATOR_KINDS, required=True)
    name = Text(required=True)
    unit = Text(50, required=True)
    baseline = Decimal(required=True)
    target = Decimal(required=True)
    indicator_id = Uuid(load_default=None, metadata={"description": "to update an indicator"})


class ReportResult(CommandBody):
    indicator_id = Uuid(required=True)
    actual = Decimal(required=True)
    as_of = Date(required=True)
