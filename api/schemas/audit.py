"""Schemas of the verifiable log (docs/verifiable-log.md): hashes are lowercase hex."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas.common import Strict
from collab.domain import values as v


class Receipt(ma.Schema):
    """Where an event sits in the Merkle log: keep it to ask for proofs later."""

    position = fields.Integer(required=True)
    stream = fields.String(required=True)
    version = fields.Integer(required=True)
    leaf = fields.Integer(required=True)
    leaf_hash = fields.String(required=True, metadata={"description": "SHA-256, hex"})


class Checkpoint(ma.Schema):
    """The latest signed checkpoint: a C2SP tlog-checkpoint as an Ed25519 signed note."""

    origin = fields.String(required=True)
    size = fields.Integer(required=True)
    root = fields.String(required=True, metadata={"description": "SHA-256, hex"})
    note = fields.String(required=True, metadata={"description": "the signed note, verbatim"})


class InclusionQuery(Strict):
    position = fields.Integer(required=True, validate=validate.Range(1, v.MAX_SAFE_INTEGER))
    from_size = fields.Integer(
        load_default=None,
        validate=validate.Range(0, v.MAX_SAFE_INTEGER),
        metadata={"description": "also prove consistency from this older checkpoint size"},
    )


class ConsistencyRange(ma.Schema):
    from_size = fields.Integer(required=True)
    proof = fields.List(fields.String(), required=True)


class InclusionBundle(ma.Schema):
    """Everything `verify.py` needs to check offline that one event is in the log."""

    format = fields.String(required=True)
    v = fields.Integer(required=True)
    checkpoint = fields.String(required=True)
    leaf = fields.Integer(required=True)
    entry = fields.String(required=True)
    leaf_hash = fields.String(required=True)
    inclusion = fields.List(fields.String(), required=True)
    consistency = fields.Nested(ConsistencyRange, allow_none=True, required=True)


class ConsistencyQuery(Strict):
    from_size = fields.Integer(
        required=True,
        validate=validate.Range(1, v.MAX_SAFE_INTEGER),
        metadata={
            "description": "an older checkpoint's size, at least 1: from the empty tree there "
            "is no proof (RFC 9162 verifiers refuse one); check that a size-0 checkpoint's "
            "root is SHA-256 of nothing instead"
        },
    )
    to_size = fields.Integer(
        load_default=None,
        validate=validate.Range(0, v.MAX_SAFE_INTEGER),
        metadata={"description": "a checkpoint's size (default: the latest)"},
    )


class ConsistencyProof(ma.Schema):
    from_size = fields.Integer(required=True)
    to_size = fields.Integer(required=True)
    checkpoint = fields.String(required=True)
    proof = fields.List(fields.String(), required=True)


class ExportQuery(Strict):
    partnership = fields.UUID(
        load_default=None, metadata={"description": "only this partnership's events"}
    )
