"""Tracked fields' values (the field history) in words."""

from __future__ import annotations

import json
from typing import Any

from web.words.sentence import Lookup, Part, Say, Sentence, amount, joined, plain, territory


def field_parts(s: Say, field: str, value: Any) -> list[Part]:
    if value is None or value == [] or value == {}:
        return ["none"]
    if field in ("title", "need_statement", "legal_name", "conditions"):
        return [s.text(value)]
    if field == "territory":
        return [territory(value)]
    if field == "classifications":
        return [s.text(", ".join(f"{c['vocabulary']} {c['code']}" for c in value))]
    if field in ("in_force", "pending"):
        return [f"version {value}"]
    if field == "brokers":
        return joined([[s.actor(b)] for b in value])
    if field == "recipient":
        return ["the pool"] if value == "pool" else [s.org(value)]
    if field == "quantity":
        return [amount(value)]
    if field == "valuation":
        money = f"{value['amount']} {value['currency']} " if value.get("amount") else ""
        return [f"{money}({plain(value['method'])})"]
    if field == "period":
        return [f"from {value.get('start')} to {value.get('end')}"]
    if field == "identifiers":
        return [s.text(", ".join(f"{i['scheme']} {i['id']}" for i in value))]
    if field == "active":
        return ["yes" if value else "no"]
    if isinstance(value, str | int):
        return [plain(value)]
    return [s.text(json.dumps(value, ensure_ascii=False, sort_keys=True))]


def field_value(field: str, value: Any, lookup: Lookup) -> Sentence:
    """A tracked field's recorded value in words (JSON text for a shape it does not know)."""
    say = Say({}, lookup)
    try:
        return Sentence(tuple(field_parts(say, field, value)))
    except (KeyError, TypeError, ValueError, AttributeError):
        return Sentence((say.text(json.dumps(value, ensure_ascii=False, default=str)),))
