"""Document requests and answers: the upload's form fields, the list a caller sees."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from api.schemas.common import Choice, Date, Strict, Text, Uuid, Whole
from collab.domain import documents as d
from collab.domain import values as v

NUMBER = Whole(r"^[1-9][0-9]{0,15}$")


class AttachDocumentForm(Strict):
    """The form fields beside the `file` part (all text, as multipart sends them)."""

    documents = Choice(
        d.SUBJECTS, required=True, metadata={"description": "what the document documents"}
    )
    name = Text(
        d.NAME_LENGTH,
        load_default=None,
        metadata={"description": "the file's name; default the `file` part's filename"},
    )
    agreement_version = fields.String(
        validate=NUMBER, metadata={"description": "with agreement_version: its number"}
    )
    decision_id = Uuid(metadata={"description": "with decision: the decision's id"})
    commitment_id = Uuid(
        metadata={"description": "with delivery: a commitment to this partnership"}
    )
    delivery_id = Uuid(metadata={"description": "with delivery: the delivery's id"})
    report = fields.String(
        validate=NUMBER, metadata={"description": "with indicator_report: the report's number"}
    )
    reason = Text(v.LONG, load_default=None, metadata={"description": "why; recorded"})
    effective_date = Date(load_default=None, metadata={"description": "business date, ≤ today"})
    on_behalf_of = Uuid(
        load_default=None, metadata={"description": "a broker: the organisation it acts for"}
    )
    correlation_id = Text(v.SHORT, load_default=None)


def upload_body() -> dict[str, Any]:
    """The OpenAPI request body: multipart/form-data, the file and the form fields."""
    properties: dict[str, Any] = {
        "file": {"type": "string", "format": "binary", "description": "the document"}
    }
    for name, f in AttachDocumentForm().fields.items():
        properties[name] = {"type": "string", "description": f.metadata.get("description", "")}
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": properties,
                    "required": ["file", "documents"],
                }
            }
        },
    }


class About(ma.Schema):
    documents = fields.String(required=True)
    agreement_version = fields.Integer()
    decision_id = fields.String()
    commitment_id = fields.String()
    delivery_id = fields.String()
    report = fields.Integer()


class AttachedDocument(ma.Schema):
    sha256 = fields.String(required=True)
    name = fields.String(required=True)
    media_type = fields.String(required=True, metadata={"description": "sniffed from the bytes"})
    size = fields.Integer(required=True)
    about = fields.Nested(About, required=True)
    position = fields.Integer(required=True, metadata={"description": "log position of its event"})
    version = fields.Integer(required=True, metadata={"description": "the partnership's version"})
    recorded_at = fields.String(required=True)
    actor = fields.String(required=True)
    on_behalf_of = fields.String(allow_none=True, required=True)


class TermsListedDocument(ma.Schema):
    sha256 = fields.String(required=True)
    name = fields.String(required=True)
    agreement_version = fields.Integer(required=True)
    text_status = fields.String(required=True)


class DocumentList(ma.Schema):
    partnership_id = fields.String(required=True)
    attached = fields.List(fields.Nested(AttachedDocument), required=True)
    listed = fields.List(
        fields.Nested(TermsListedDocument),
        required=True,
        metadata={"description": "documents the agreement versions' terms list, by hash"},
    )
