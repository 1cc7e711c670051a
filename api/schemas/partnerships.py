"""Partnership requests and responses: initiation, membership, agreement texts and hashes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas.common import (
    Choice,
    CommandBody,
    Decimal,
    Hash,
    Int,
    Strict,
    Text,
    Uuid,
    Whole,
)
from api.schemas.organisations import Territory
from collab.domain import codes
from collab.domain import values as v


class Bool(fields.Boolean):
    """JSON true or false only: 1, "true" or "yes" are refused rather than coerced."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class PartnershipClassification(Strict):
    vocabulary = Choice(codes.CLASSIFICATION_VOCABULARIES, required=True)
    code = Text(
        50,
        required=True,
        metadata={
            "description": "sdg_goal: an SDG goal ('3') or target ('3.4'); dac5: an active "
            "DAC 5-digit sector code ('16010'); nace and other: free text"
        },
    )


def Classifications(**kw: Any) -> fields.List[Any]:
    return fields.List(
        fields.Nested(PartnershipClassification), validate=validate.Length(max=50), **kw
    )


def Roles(**kw: Any) -> fields.List[Any]:
    return fields.List(
        Choice(codes.ROLES), validate=validate.Length(min=1, max=len(codes.ROLES)), **kw
    )


class LeadMembership(Strict):
    """The initiating organisation's membership; absent fields take the service's defaults."""

    weight = Int()
    interest_group = Choice(codes.INTEREST_GROUPS)
    signatory = Bool()


class InitiatePartnership(CommandBody):
    title = Text(required=True)
    need_statement = Text(v.TEXT, required=True)
    territory = fields.Nested(Territory, required=True)
    partnership_type = Choice(codes.PARTNERSHIP_TYPES, required=True)
    classifications = Classifications(load_default=None)
    lead = fields.Nested(
        LeadMembership,
        load_default=None,
        metadata={"description": "a partner initiating: its organisation becomes the lead"},
    )


class AssignBroker(CommandBody):
    broker_id = Text(100, required=True, metadata={"description": "the broker's actor id"})


class InviteMember(CommandBody):
    organisation_id = Uuid(required=True)
    roles = Roles(required=True)
    weight = Int(required=True, metadata={"description": "voting weight"})
    interest_group = Choice(
        codes.INTEREST_GROUPS,
        load_default=None,
        metadata={"description": "defaults from the organisation's sector"},
    )
    # No load_default: absent, the use case's default (a signatory) applies.
    signatory = Bool(metadata={"description": "signs the agreement (default true)"})


class PartnershipChanges(Strict):
    title = Text()
    need_statement = Text(v.TEXT)
    territory = fields.Nested(Territory)
    classifications = Classifications()


class CorrectPartnership(CommandBody):
    changes = fields.Nested(PartnershipChanges, required=True)
    corrects_version = Int(load_default=None, metadata={"description": "defaults to the latest"})


class RelatePartnerships(CommandBody):
    other_id = Uuid(required=True)
    relation = Choice(codes.RELATIONS, required=True)


class TransferPractice(CommandBody):
    title = Text(required=True)
    need_statement = Text(v.TEXT, required=True)
    territory = fields.Nested(Territory, required=True)
    partnership_type = Choice(codes.PARTNERSHIP_TYPES, load_default=None)
    classifications = Classifications(load_default=None)


class TermsGovernance(Strict):
    rule = Choice(codes.GOVERNANCE_RULES, required=True)
    quorum = Decimal(required=True, metadata={"description": "percent, a decimal string"})
    threshold = Decimal(allow_none=True, metadata={"description": "percent; qualified only"})


class TermsPeriod(Strict):
    start = fields.String(required=True, validate=Whole(v.DATE_RE.pattern))
    end = fields.String(required=True, validate=Whole(v.DATE_RE.pattern))


class ListedDocument(Strict):
    sha256 = Hash(required=True, metadata={"description": "SHA-256 of the file (lowercase hex)"})
    name = Text(255, required=True, metadata={"description": "the file's name as signed"})


class ListedDocumentOut(ma.Schema):
    sha256 = fields.String(required=True)
    name = fields.String(required=True)


class AgreementTerms(Strict):
    """The negotiated terms; the service adds partnership_id and version before hashing."""

    vision = Text(v.TEXT, required=True)
    shared_objectives = fields.List(
        Text(v.LONG), required=True, validate=validate.Length(min=1, max=50)
    )
    member_objectives = fields.Dict(
        keys=Uuid(),
        values=fields.List(Text(v.LONG), validate=validate.Length(max=50)),
        required=True,
        validate=validate.Length(max=200),
        metadata={"description": "organisation id → its own objectives"},
    )
    governance = fields.Nested(TermsGovernance, required=True)
    review_schedule = Text(v.LONG, required=True)
    exit_notice_days = Int(required=True, metadata={"description": "0 to 3650"})
    moving_on_strategy = Choice(codes.MOVING_ON_STRATEGIES, required=True)
    period = fields.Nested(TermsPeriod, required=True)
    balance_limit = Decimal(
        load_default=None,
        metadata={
            "description": "CLLD local action groups only: the percent of the voting weight "
            "no interest group (public authorities counted together) may exceed, above 0 "
            "and at most 50; omitted means 49 (Reg. (EU) 2021/1060 art. 31(2)(b))"
        },
    )
    documents = fields.List(
        fields.Nested(ListedDocument),
        load_default=None,
        validate=validate.Length(min=1, max=50),
        metadata={
            "description": "files in the partnership's document store, by hash: hashed with "
            "the terms, so signing binds them (omitted: none, and the hash is unchanged)"
        },
    )


class DraftVersion(CommandBody):
    terms = fields.Nested(AgreementTerms, required=True)


class OpenForSignature(CommandBody):
    agreement_version = Int(required=True, metadata={"description": "the latest draft"})


class SignAgreement(CommandBody):
    text_hash = Hash(
        required=True, metadata={"description": "SHA-256 (lowercase hex) of the terms signed"}
    )


class ProposeAmendment(CommandBody):
    base_version = Int(required=True, metadata={"description": "the version in force"})
    terms = fields.Nested(AgreementTerms, required=True)


class TermsGovernanceOut(ma.Schema):
    rule = fields.String(required=True)
    quorum = fields.String(required=True)
    threshold = fields.String(required=True, metadata={"description": '"" unless qualified'})


class TermsPeriodOut(ma.Schema):
    start = fields.String(required=True)
    end = fields.String(required=True)


class TermsOut(ma.Schema):
    """The exact object hashed: text_hash = hex SHA-256 of its RFC 8785 canonical JSON."""

    partnership_id = fields.String(required=True)
    version = fields.Integer(required=True)
    vision = fields.String(required=True)
    shared_objectives = fields.List(fields.String(), required=True)
    member_objectives = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), required=True
    )
    governance = fields.Nested(TermsGovernanceOut, required=True)
    review_schedule = fields.String(required=True)
    exit_notice_days = fields.Integer(required=True)
    moving_on_strategy = fields.String(required=True)
    period = fields.Nested(TermsPeriodOut, required=True)
    balance_limit = fields.String(
        metadata={"description": "present only when the terms set it; absent means 49"}
    )
    documents = fields.List(
        fields.Nested(ListedDocumentOut),
        metadata={"description": "present only when the terms list documents"},
    )


class TermsVersion(ma.Schema):
    agreement_version = fields.Integer(required=True)
    status = fields.String(
        required=True,
        metadata={"description": "draft, open, in_force, superseded, abandoned or rejected"},
    )
    base_version = fields.Integer(allow_none=True, required=True)
    text_hash = fields.String(required=True)
    terms = fields.Nested(TermsOut, required=True)
    signed_by = fields.List(fields.String(), required=True, metadata={"description": "org ids"})


class TermsVersionList(ma.Schema):
    partnership_id = fields.String(required=True)
    partnership_status = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "the partnership's (ETag)"})
    agreement_in_force = fields.Integer(allow_none=True, required=True)
    pending_version = fields.Integer(allow_none=True, required=True)
    items = fields.List(fields.Nested(TermsVersion), required=True)
