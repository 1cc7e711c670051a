"""Actors, tokens and audit grants (admins)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.credentials import TOKEN_DAYS_CEILING
from api.schemas.common import Choice, CommandBody, Strict, Text, Uuid
from collab.domain.envelope import ROLES


class CreateActor(CommandBody):
    name = Text(required=True, metadata={"description": "display name (erasable, not logged)"})
    role = Choice(ROLES, required=True)
    organisation_id = Uuid(load_default=None, metadata={"description": "partners only"})


class CreateToken(Strict):
    label = Text(100, load_default="")
    days = fields.Integer(
        strict=True,
        load_default=None,
        validate=validate.Range(1, TOKEN_DAYS_CEILING),
        metadata={
            "description": "lifetime in days: at most COLLAB_TOKEN_MAX_DAYS (default 90) and "
            "never past the calling token's expiry (else 422); omitted: COLLAB_TOKEN_DAYS, "
            "cut to the calling token's expiry"
        },
    )


class Grant(CommandBody):
    partnership_id = fields.String(
        required=True,
        validate=validate.Length(max=36),
        metadata={"description": 'a partnership id, or "*" for every partnership'},
    )


class Actor(ma.Schema):
    actor_id = fields.String(required=True)
    name = fields.String(allow_none=True, required=True)
    role = fields.String(required=True)
    organisation_id = fields.String(allow_none=True, required=True)
    active = fields.Boolean(required=True)
    grants = fields.List(fields.String(), required=True)
    version = fields.Integer(required=True)


class Token(ma.Schema):
    token_id = fields.String(required=True)
    actor_id = fields.String(required=True)
    label = fields.String(required=True)
    created_at = fields.String(required=True)
    expires_at = fields.String(required=True)
    revoked_at = fields.String(allow_none=True, required=True)


class IssuedToken(Token):
    token = fields.String(required=True, metadata={"description": "shown once; kept hashed"})


class TokenList(ma.Schema):
    items = fields.List(fields.Nested(Token), required=True)


class SigninLink(ma.Schema):
    actor_id = fields.String(required=True)
    link = fields.String(
        required=True,
        metadata={"description": "a one-time sign-in address for a person; shown once"},
    )
    expires_at = fields.String(required=True)
