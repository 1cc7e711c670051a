"""Organisation requests and responses."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas.common import (
    Choice,
    CommandBody,
    Date,
    Int,
    Page,
    ReadOptions,
    Strict,
    Text,
    Uuid,
    Whole,
)
from collab.domain import codes
from collab.domain import values as v

SECTOR_TABLE = "; ".join(
    f"{org_type}: {' or '.join(sectors)}" for org_type, sectors in codes.SECTORS_BY_ORG_TYPE.items()
)


class Identifier(Strict):
    scheme = fields.String(
        required=True,
        validate=Whole(v.SCHEME_RE.pattern),
        metadata={"description": "a code of the org-id.guide register, e.g. GB-COH, PT-NIPPC"},
    )
    id = Text(
        100,
        required=True,
        metadata={
            "description": "kept after Unicode NFKC; then printable ASCII without spaces, "
            "so ids that look alike are one identifier"
        },
    )


class Territory(Strict):
    country = fields.String(required=True, validate=validate.Length(equal=2))
    nuts = fields.String(
        validate=Whole(v.NUTS_RE.pattern),
        allow_none=True,
        metadata={"description": "a NUTS 2024 code of the country (Greece: EL), e.g. PT1C2"},
    )
    lau = fields.String(validate=Whole(v.LAU_RE.pattern), allow_none=True)


class RegisterOrganisation(CommandBody):
    identifiers = fields.List(fields.Nested(Identifier), required=True)
    legal_name = Text(required=True)
    org_type = Int(required=True, metadata={"description": "IATI OrganisationType code"})
    sector = Choice(
        codes.SECTORS,
        required=True,
        metadata={"description": f"consistent with org_type: {SECTOR_TABLE}"},
    )
    territory = fields.Nested(Territory, required=True)


class OrganisationChanges(Strict):
    legal_name = Text()
    territory = fields.Nested(Territory)
    identifiers = fields.List(fields.Nested(Identifier))


class CorrectOrganisation(CommandBody):
    changes = fields.Nested(OrganisationChanges, required=True)
    corrects_version = Int(load_default=None)


class ClassifyOrganisation(CommandBody):
    org_type = Int(required=True)
    sector = Choice(codes.SECTORS, required=True)


class GrantMandate(CommandBody):
    broker_id = Text(100, required=True)
    partnership_id = Uuid(load_default=None)
    until = Date(load_default=None)


class ContactBody(Strict):
    name = Text(required=True)
    email = Text(254, required=True)
    role = Text(100, required=True)


class OrganisationQuery(Page, ReadOptions):
    sector = Choice(codes.SECTORS)
    org_type = fields.Integer(validate=validate.Range(0, 999))
    country = fields.String(validate=validate.Length(equal=2))
    nuts = fields.String(validate=Whole(v.NUTS_RE.pattern))


class TerritoryOut(ma.Schema):
    country = fields.String(required=True)
    nuts = fields.String(allow_none=True)
    lau = fields.String(allow_none=True)


class IdentifierOut(ma.Schema):
    scheme = fields.String(required=True)
    id = fields.String(required=True)


class Organisation(ma.Schema):
    organisation_id = fields.String(required=True)
    identifiers = fields.List(fields.Nested(IdentifierOut), required=True)
    legal_name = fields.String(required=True)
    org_type = fields.Integer(required=True)
    sector = fields.String(required=True)
    territory = fields.Nested(TerritoryOut, required=True)
    active = fields.Boolean(required=True)
    version = fields.Integer(required=True)


class OrganisationRow(ma.Schema):
    organisation_id = fields.String(required=True)
    legal_name = fields.String(required=True)
    org_type = fields.Integer(required=True)
    sector = fields.String(required=True)
    country = fields.String(required=True)
    nuts = fields.String(allow_none=True)
    lau = fields.String(allow_none=True)
    active = fields.Boolean(required=True)
    identifiers = fields.List(fields.Nested(IdentifierOut), required=True)
    version = fields.Integer(required=True)


class OrganisationList(ma.Schema):
    items = fields.List(fields.Nested(OrganisationRow), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
    position = fields.Integer(required=True)


class Mandate(ma.Schema):
    mandate_id = fields.String(required=True)
    broker_id = fields.String(required=True)
    partnership_id = fields.String(allow_none=True, required=True)
    until = fields.String(allow_none=True, required=True)
    revoked = fields.Boolean(required=True)


class MandateList(ma.Schema):
    items = fields.List(fields.Nested(Mandate), required=True)


class Contact(ma.Schema):
    contact_id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    role = fields.String(required=True)
    updated_at = fields.String(required=True)


class ContactList(ma.Schema):
    items = fields.List(fields.Nested(Contact), required=True)
