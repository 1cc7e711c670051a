"""A page's GET parameters: loaded as the API loads them, a 422 page for a bad value."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
from flask import request

from api.errors import ApiProblem
from api.schemas import views as s
from api.seen import POSITION_RE
from api.views import as_of_position
from collab.domain.errors import InvalidInputError
from web.validation_texts import translated

# What a datetime-local form field sends (no zone): read as UTC, as the form says.
LOCAL_TIME_RE = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?$"
)


def query_of(schema: ma.Schema) -> dict[str, Any]:
    """A page's GET parameters loaded by the API's schema (empty form fields left out,
    others ignored): a 422 page for a bad value."""
    given = {k: val for k, val in request.args.items() if val != ""}
    try:
        loaded: dict[str, Any] = schema.load(given, unknown=ma.EXCLUDE)
    except ma.ValidationError as error:
        problems = error.messages if isinstance(error.messages, dict) else {"": error.messages}
        detail = "; ".join(f"{k}: {' '.join(said(m))}" for k, m in problems.items())
        raise ApiProblem(422, "invalid-input", detail, errors=problems) from None
    loaded.pop("min_position", None)  # views_reached() has waited for it
    return loaded


def said(messages: Any) -> list[str]:
    """A parameter's messages (a list, or one text) in the reader's language."""
    return [translated(str(m)) for m in (messages if isinstance(messages, list) else [messages])]


def as_of_asked() -> int | None:
    """The log position an as-of page asks for (`as_of_position` or `as_of`), checked as
    the API checks it; a datetime-local value is read as UTC."""
    position, moment = request.args.get("as_of_position", ""), request.args.get("as_of", "")
    query: dict[str, Any] = {}
    if position:
        if not POSITION_RE.fullmatch(position):
            raise InvalidInputError("as_of_position", "is not a log position (0, 1, 2 …)")
        query["as_of_position"] = int(position)
    if moment:
        if LOCAL_TIME_RE.fullmatch(moment):
            moment += "+00:00"
        elif not re.fullmatch(s.TIME_RE, moment):
            raise InvalidInputError("as_of", "is not a valid RFC 3339 UTC time")
        query["as_of"] = moment
    return as_of_position(query)


def with_args(path: str, **changes: Any) -> str:
    """This page's URL with some GET parameters changed (None: removed)."""
    args = {k: val for k, val in request.args.items() if val != ""}
    args.update({k: str(val) for k, val in changes.items() if val is not None})
    for k in [k for k, val in changes.items() if val is None]:
        args.pop(k, None)
    return f"{path}?{urlencode(args)}" if args else path
