"""Events as the public sees them: the feed's versioned representation, and histories."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas.common import Strict
from collab.domain import values as v


def Nullable() -> fields.String:
    return fields.String(required=True, allow_none=True)


class FeedQuery(Strict):
    after = fields.Integer(
        load_default=0,
        validate=validate.Range(0, v.MAX_SAFE_INTEGER),
        metadata={
            "description": "the log position to read after (0: from the start); at most "
            "the head (beyond it: 422)"
        },
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))


class EventEnvelope(ma.Schema):
    """What every event carries besides its own fields (DESIGN §2): ids only."""

    actor = fields.String(required=True)
    on_behalf_of = Nullable()
    mandate = Nullable()
    reason = Nullable()
    recorded_at = fields.String(required=True, metadata={"description": "RFC 3339 UTC"})
    effective_date = fields.String(required=True)
    correlation_id = fields.String(required=True)


class FeedEvent(ma.Schema):
    """One event in its public, versioned representation (never a Python topic)."""

    position = fields.Integer(required=True)
    type = fields.String(required=True, metadata={"description": "e.g. MemberJoined"})
    version = fields.Integer(required=True, metadata={"description": "the event schema version"})
    stream = fields.String(required=True)
    stream_type = fields.String(
        required=True,
        metadata={
            "description": "partnership, commitment, organisation, identifier, actor, "
            "practice, lineage or exchange"
        },
    )
    stream_version = fields.Integer(required=True)
    envelope = fields.Nested(EventEnvelope, required=True)
    data = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "the event's own fields; decimals as strings"},
    )


class FeedPage(ma.Schema):
    items = fields.List(fields.Nested(FeedEvent), required=True)
    next_after = fields.Integer(
        required=True, metadata={"description": "the last position examined: the next `after`"}
    )
    head = fields.Integer(required=True, metadata={"description": "the log's last position"})


class HistoryEntry(ma.Schema):
    """One event of a partnership's or a commitment's history, as the history view keeps it."""

    position = fields.Integer(required=True)
    stream_id = fields.String(required=True)
    stream_version = fields.Integer(required=True)
    stream_kind = fields.String(required=True)
    partnership_id = Nullable()
    event_type = fields.String(required=True)
    actor = Nullable()
    on_behalf_of = Nullable()
    mandate = Nullable()
    reason = Nullable()
    recorded_at = Nullable()
    effective_date = Nullable()
    correlation_id = Nullable()
    corrects_stream = Nullable()
    corrects_version = fields.Integer(required=True, allow_none=True)
    data = fields.Dict(keys=fields.String(), required=True)
    names = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={
            "description": "organisation id → the register's legal name (today's), for every "
            "organisation the entry's data and envelope mention"
        },
    )


class EventHistory(ma.Schema):
    stream_id = fields.String(required=True)
    items = fields.List(fields.Nested(HistoryEntry), required=True)
    next_cursor = Nullable()
    position = fields.Integer(required=True)


class FieldValueEntry(ma.Schema):
    value = fields.Raw(required=True, allow_none=True)
    position = fields.Integer(required=True)
    stream_version = fields.Integer(required=True)
    event_type = fields.String(required=True)


class FieldHistory(ma.Schema):
    """Each tracked field's successive values, with the event that set each."""

    stream_id = fields.String(required=True)
    fields_ = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(FieldValueEntry)),
        required=True,
        attribute="fields",
        data_key="fields",
    )
    position = fields.Integer(required=True)
