"""Tracked fields' values (the field history) in words."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _

from web.words.sentence import (
    Lookup,
    Named,
    Part,
    Say,
    Sentence,
    amount,
    date_text,
    joined,
    plain,
    quantity,
    territory,
)

RECORDED_TEXT = ("title", "need_statement", "legal_name", "conditions")
CODES = {"sector": "sector", "partnership_type": "partnership_type", "org_type": "org_type"}


def field_parts(s: Say, field: str, value: Any) -> list[Part]:
    if value is None or value == [] or value == {}:
        return [str(_("none"))]
    if field in RECORDED_TEXT:
        return [s.text(value)]
    if field == "classifications":
        return [s.text(", ".join(f"{c['vocabulary']} {c['code']}" for c in value))]
    if field == "identifiers":
        return [s.text(", ".join(f"{i['scheme']} {i['id']}" for i in value))]
    if field == "brokers":
        return joined([[s.actor(b)] for b in value])
    if field == "recipient":
        return [str(_("the pool"))] if value == "pool" else [s.org(value)]
    return [said_value(field, value)]


def said_value(field: str, value: Any) -> str | Part:
    """A field's value that is neither recorded text nor names, in words."""
    if field == "territory":
        return territory(value)
    if field in ("in_force", "pending"):
        return str(_("version %(number)s", number=value))
    if field == "quantity":
        return amount(value)
    if field == "valuation":
        method = plain(value["method"], "valuation_method")
        if not value.get("amount"):
            return str(_("(%(method)s)", method=method))
        money = quantity(value["amount"])
        return str(
            _(
                "%(amount)s %(currency)s (%(method)s)",
                amount=money,
                currency=value["currency"],
                method=method,
            )
        )
    if field == "period":
        start, end = date_text(value.get("start")), date_text(value.get("end"))
        return str(_("from %(start)s to %(end)s", start=start, end=end))
    if field == "active":
        return str(_("yes") if value else _("no"))
    if isinstance(value, str | int):
        return plain(value, CODES.get(field, "any"))
    return Named("text", "", json.dumps(value, ensure_ascii=False, sort_keys=True))


def field_value(field: str, value: Any, lookup: Lookup) -> Sentence:
    """A tracked field's recorded value in words (JSON text for a shape it does not know)."""
    say = Say({}, lookup)
    try:
        return Sentence(tuple(field_parts(say, field, value)))
    except (KeyError, TypeError, ValueError, AttributeError):
        return Sentence((say.text(json.dumps(value, ensure_ascii=False, default=str)),))
