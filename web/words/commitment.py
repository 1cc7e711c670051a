"""Phrases of a commitment: its pledge, confirmation, deliveries and end."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from web.words.sentence import Part, Phrase, Say, amount, plain


def pledged(s: Say, d: Mapping[str, Any]) -> list[Part]:
    parts: list[Part] = [
        *s.who(),
        f" pledged {amount(d['quantity'])} {plain(d['contribution_type'])}",
    ]
    parts += s.for_org(d["organisation_id"])
    recipient = d.get("recipient")
    parts += [" to the pool"] if recipient == "pool" else [" to ", s.org(recipient)]
    valuation = d.get("valuation") or {}
    if valuation.get("amount") is not None:
        parts.append(
            f", valued at {valuation['amount']} {valuation.get('currency')}"
            f" ({plain(valuation.get('method'))})"
        )
    period = d.get("period")
    if isinstance(period, Mapping):
        parts.append(f", from {period.get('start')} to {period.get('end')}")
    return parts


def delivery(verb: str) -> Phrase:
    def phrase(s: Say, d: Mapping[str, Any]) -> list[Part]:
        quantity = d.get("quantity") or s.lookup("delivery", str(s.entry.get("position")))
        of = " to" if verb == "corrected" else " of"
        what = f" a delivery{of} {quantity}{s.unit()}" if quantity else " a delivery"
        when = f" made on {d['delivered_on']}" if d.get("delivered_on") else ""
        return [*s.who(), f" {verb}{what}{when} on ", *s.commitment()]

    return phrase


def fulfilled(s: Say, d: Mapping[str, Any]) -> list[Part]:
    done = f" was fulfilled: {d['delivered']}{s.unit()} delivered and confirmed"
    return [*s.commitment(first=True), done]


def released(s: Say, d: Mapping[str, Any]) -> list[Part]:
    why = f" was released (the member {plain(d['member_status'])})"
    return [*s.commitment(first=True), why]


def of_commitment(verb: str) -> Phrase:
    return lambda s, d: [*s.who(), f" {verb} ", *s.commitment()]


PHRASES: dict[str, Phrase] = {
    "Pledged": pledged,
    "Confirmed": of_commitment("confirmed"),
    "DeliveryReported": delivery("reported"),
    "DeliveryConfirmed": delivery("confirmed"),
    "DeliveryDisputed": delivery("disputed"),
    "DeliveryCorrected": delivery("corrected"),
    "Fulfilled": fulfilled,
    "Withdrawn": of_commitment("withdrew"),
    "Lapsed": of_commitment("marked as lapsed"),
    "Released": released,
}
