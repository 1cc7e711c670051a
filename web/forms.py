"""Forms of the explorer: the daily work as form posts (DESIGN §7).

A form is read into the body the JSON API's route would receive (`fields_of`: dotted names
make nested objects, `name.0.field` list items, digits become integers where the API's
schema takes integers), loaded with that route's own marshmallow schema, and turned into
the same command object the route builds; the command runs through the same application
with the signed-in person's actor. A refusal (the schema's 422, the domain's 403/404/409)
records nothing and comes back as a `Refused`: the page is shown again with the person's
input kept and the problem's text beside the form. Success redirects (303), so reloading
never posts twice.

A route that shows a form names the API's authority check for its target (`api.authority`)
and calls it before showing or accepting the form: a person who may not act sees the
same 403 or 404 page the API would answer, and an auditor never sees a form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import marshmallow as ma
from babel.numbers import get_decimal_symbol
from flask import g, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import fields as mf
from sqlalchemy import Connection
from werkzeug.datastructures import MultiDict

from api.errors import status_of
from api.http import ENVELOPE
from api.schemas.common import Whole
from api.seen import read, viewer
from api.service import service
from collab.commands import Command, Context, Outcome
from collab.domain import values as v
from collab.domain.errors import CollabError, InvalidInputError
from projections.tables import Tables
from projections.views import legal_names
from web.frame import acted_at, page
from web.home_broker import mandates
from web.validation_texts import translated, translated_all

Body = dict[str, Any]
BOOLEANS = {"on": True, "true": True, "yes": True, "1": True}
BOOLEANS |= {"off": False, "false": False, "no": False, "0": False}
INDEX = re.compile(r"[0-9]{1,2}")
DECIMAL_COMMA = re.compile(r"-?[0-9]+,[0-9]+")


@dataclass(frozen=True)
class Refused:
    """A refused form: the status the API would answer, the problem's text, and the
    messages per field (dotted names, as the form's inputs are named)."""

    status: int
    problem: str
    errors: dict[str, str] = field(default_factory=dict)


def fields_of(schema: ma.Schema, form: MultiDict[str, str], prefix: str = "") -> Body:
    """The body the API's route would receive, from a form's inputs named after the
    schema's fields. Empty inputs are left out (so the schema's defaults and its
    'required' apply); a nested object whose inputs are all empty is left out."""
    body: Body = {}
    for name, kind in schema.fields.items():
        if kind.dump_only:
            continue
        key = prefix + name
        value = value_of(kind, form, key)
        if value is not None:
            body[name] = value
    return body


def value_of(kind: mf.Field[Any], form: MultiDict[str, str], key: str) -> Any:
    if isinstance(kind, mf.Nested):
        inner = kind.schema
        nested = fields_of(inner, form, key + ".")
        return nested or None
    if isinstance(kind, mf.List):
        items = [value_of(kind.inner, form, f"{key}.{i}") for i in range(list_length(form, key))]
        listed = form.getlist(key)  # a list of plain values may also come as repeated inputs
        if not items and listed:
            items = [scalar(kind.inner, raw) for raw in listed if raw.strip()]
        present = [item for item in items if item is not None]
        return present or None
    raw = form.get(key, "")
    return scalar(kind, raw) if raw.strip() else None


def list_length(form: MultiDict[str, str], key: str) -> int:
    """How many indexed items (`key.0…`, `key.0.field…`) the form holds (at most 100)."""
    marker = key + "."
    indexes = set()
    for name in form:
        if name.startswith(marker):
            index = index_of(name[len(marker) :].split(".", 1)[0])
            if index is not None:
                indexes.add(index)
    return max(indexes) + 1 if indexes else 0


def index_of(text: str) -> int | None:
    """A list item's index in an input's name: one or two ASCII digits ("²" is a digit to
    `str.isdigit`, not to `int`), else None."""
    return int(text) if INDEX.fullmatch(text) else None


def scalar(kind: mf.Field[Any], raw: str) -> Any:
    """A form's text as the API's JSON would carry it: integers for integer fields
    (anything else is left for the schema to refuse), booleans for checkboxes, and a
    decimal typed with the reader's decimal comma ("12,5" where the page is in Portuguese)
    with a point, as the API takes it."""
    text = raw.strip()
    if (
        is_decimal(kind)
        and DECIMAL_COMMA.fullmatch(text)
        and get_decimal_symbol(get_locale()) == ","
    ):
        return text.replace(",", ".")
    if isinstance(kind, mf.Integer):
        return int(text) if text.isascii() and text.isdigit() and len(text) < 17 else text
    if isinstance(kind, mf.Boolean):  # a checkbox or a yes/no choice; else the schema refuses
        return BOOLEANS.get(text.lower(), text)
    return text


def decimal_comma() -> bool:
    return str(get_decimal_symbol(get_locale() or "en")) == ","


def is_decimal(kind: mf.Field[Any]) -> bool:
    """A field made by the API's `Decimal()`: a string checked against the decimal pattern."""
    checks = kind.validators
    return any(isinstance(c, Whole) and c.regex.pattern == v.DECIMAL_RE.pattern for c in checks)


def messages(error: ma.ValidationError) -> dict[str, str]:
    """marshmallow's messages flattened to dotted input names, one text each."""
    found: dict[str, str] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for k, sub in node.items():
                walk(sub, f"{path}.{k}" if path else str(k))
        elif isinstance(node, list) and node and all(isinstance(x, str) for x in node):
            found[path or "_schema"] = " ".join(node)
        elif isinstance(node, list):
            for sub in node:
                walk(sub, path)
        else:
            found[path or "_schema"] = str(node)

    walk(error.messages, "")
    return found


def submit(
    schema: ma.Schema,
    build: Callable[[Body], Command],
    form: MultiDict[str, str] | None = None,
    place: Callable[[str, str], dict[str, str]] | None = None,
) -> Outcome | Refused:
    """Run the command the form describes as the signed-in person; nothing is recorded
    when it is refused. `place(message, translated)`: the inputs a refusal other than a
    field's names, from its own (English) words."""
    posted = request.form if form is None else form
    try:
        body = schema.load(fields_of(schema, posted))
    except ma.ValidationError as invalid:
        errors = translated_all(messages(invalid))
        listed = "; ".join(f"{k}: {m}" for k, m in errors.items())
        return Refused(422, _("Please check what you entered: %(fields)s", fields=listed), errors)
    ctx = Context(
        g.actor,
        on_behalf_of=body.get("on_behalf_of"),
        reason=body.get("reason"),
        effective_date=body.get("effective_date"),
        correlation_id=body.get("correlation_id"),
    )
    args = {k: value for k, value in body.items() if k not in ENVELOPE}
    try:
        outcome = service().app.execute(ctx, build(args))
    except CollabError as refused:
        errors = {} if place is None else place(refused.message, translated(refused.message))
        if isinstance(
            refused, InvalidInputError
        ):  # `identifiers[0].id` is input `identifiers.0.id`
            field = re.sub(r"\[(\d+)\]", r".\1", refused.field)
            errors = {field: translated(refused.reason)}
        return Refused(status_of(refused), translated(refused.message), errors)
    acted_at(outcome.position)
    return outcome


def kept(form: Mapping[str, str] | None = None) -> dict[str, str]:
    """The person's input, to show again beside a refusal (the CSRF token left out)."""
    posted = request.form if form is None else form
    return {k: posted[k] for k in posted if k != "csrf_token"}


def handle(
    template: str,
    schema: ma.Schema,
    build: Callable[[Body], Command],
    done: Callable[[Outcome], str],
    *,
    filled: Mapping[str, str] | None = None,
    **context: Any,
) -> ResponseReturnValue:
    """One form page: GET shows the form (blank, or `filled`); POST runs the command and
    redirects (303) to `done(outcome)`, or shows the form again with the input kept, the
    problem's text and the refusal's status. The route has already run its authority
    check."""
    if request.method == "GET":
        return page(template, form=filled or {}, errors={}, problem=None, **context)
    result = submit(schema, build)
    if isinstance(result, Refused):
        shown = page(template, form=kept(), errors=result.errors, problem=result.problem, **context)
        return shown, result.status
    return redirect(done(result), 303)


def acting_for(partnership_id: str | None = None) -> list[tuple[str, str]]:
    """For a broker: the organisations it may act for under a mandate in force (for this
    partnership where one is named), as (organisation id, legal name), by name; others
    act as themselves ([])."""
    actor = g.actor
    if actor.role != "broker":
        return []

    def ask(conn: Connection, t: Tables) -> list[tuple[str, str]]:
        held = mandates(conn, t, viewer(), actor.id)
        ids = {
            m["organisation_id"]
            for m in held
            if m["state"] == "in force"
            and (partnership_id is None or m["partnership_id"] in (None, partnership_id))
        }
        names = legal_names(conn, t, ids) if ids else {}
        return sorted(((i, names.get(i, i)) for i in ids), key=lambda pair: pair[1].casefold())

    return read(ask)
