"""Fields and schemas shared by every resource: strict types, decimals as strings."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from collab.domain import values as v


class Whole(validate.Regexp):
    """A pattern matched against the whole string (`re.fullmatch`): marshmallow's Regexp
    uses `re.match`, where `$` lets a trailing newline through. The anchored text is what
    the OpenAPI document shows (JSON Schema searches patterns)."""

    def __call__(self, value: Any) -> Any:
        if self.regex.fullmatch(value) is None:
            raise ma.ValidationError(self._format_error(value))
        return value


UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def Decimal(**kw: Any) -> fields.String:  # a field factory, named as a type
    """A decimal on the wire: a JSON string (a JSON number is refused), documented so."""
    return fields.String(validate=Whole(v.DECIMAL_RE.pattern), **kw)


def Uuid(**kw: Any) -> fields.String:
    return fields.String(validate=Whole(UUID_PATTERN), **kw)


def Date(**kw: Any) -> fields.String:
    return fields.String(validate=Whole(v.DATE_RE.pattern), **kw)


def Hash(**kw: Any) -> fields.String:
    """Lowercase hex SHA-256; upper case is refused."""
    return fields.String(validate=Whole(v.HASH_RE.pattern), **kw)


def Int(**kw: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(0, v.MAX_SAFE_INTEGER), **kw)


def Text(max_length: int = v.SHORT, **kw: Any) -> fields.String:
    return fields.String(validate=validate.Length(max=max_length), **kw)


def Choice(values: Any, **kw: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(list(values)), **kw)


class Strict(ma.Schema):
    """Unknown fields are errors (DESIGN §4)."""

    class Meta:
        unknown = ma.RAISE


class CommandBody(Strict):
    """The envelope options every command accepts; identity comes from the credential."""

    reason = Text(v.LONG, load_default=None, metadata={"description": "why; recorded"})
    effective_date = Date(
        load_default=None, metadata={"description": "business date (YYYY-MM-DD), ≤ today"}
    )
    on_behalf_of = Uuid(
        load_default=None,
        metadata={"description": "a broker acting for this organisation under its mandate"},
    )
    correlation_id = Text(100, load_default=None)


class Outcome(ma.Schema):
    """What a command did: its result (ids, versions) and the log positions it wrote."""

    command = fields.String(required=True)
    result = fields.Dict(keys=fields.String(), required=True)
    position = fields.Integer(required=True)
    positions = fields.List(fields.Integer(), required=True)
    replayed = fields.Boolean(required=True)
    receipts = fields.List(
        fields.Dict(keys=fields.String()),
        required=True,
        metadata={
            "description": "embedded mode: each event's place in the Merkle log (position, "
            "stream, version, leaf, leaf_hash); server mode: [] (GET /v1/audit/receipts/…)"
        },
    )


class Page(Strict):
    """Cursor pagination: opaque cursors, limit 1 to 500."""

    limit = fields.Integer(strict=False, load_default=100, validate=validate.Range(1, 500))
    cursor = fields.String(load_default=None, validate=validate.Length(max=400))


class ReadOptions(Strict):
    """Read-your-writes: wait (≤ 5 s) until the views include this log position."""

    min_position = fields.Integer(load_default=None, validate=validate.Range(0, v.MAX_SAFE_INTEGER))


class Problem(ma.Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    errors = fields.Dict(keys=fields.String())
