"""Phrases of a commitment: its pledge, confirmation, deliveries and their corrections,
settlements, revisions, and end."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from web.words.sentence import Part, Phrase, Say, amount, date_text, plain, quantity, said


def pledge_message(for_org: bool, to_pool: bool) -> str:
    if to_pool:
        if for_org:
            return str(
                _("%(who)s pledged %(quantity)s %(contribution)s for %(organisation)s to the pool")
            )
        return str(_("%(who)s pledged %(quantity)s %(contribution)s to the pool"))
    if for_org:
        return str(
            _("%(who)s pledged %(quantity)s %(contribution)s for %(organisation)s to %(recipient)s")
        )
    return str(_("%(who)s pledged %(quantity)s %(contribution)s to %(recipient)s"))


def pledged(s: Say, d: Mapping[str, Any]) -> list[Part]:
    org, recipient = d["organisation_id"], d.get("recipient")
    parts = said(
        pledge_message(not s.acts_for(org), recipient == "pool"),
        who=s.who(),
        quantity=amount(d["quantity"]),
        contribution=plain(d["contribution_type"], "contribution_type"),
        organisation=s.org(org),
        recipient=s.org(recipient),
    )
    return parts + valued(d.get("valuation") or {}) + lasting(d.get("period"))


def valued(valuation: Mapping[str, Any]) -> list[Part]:
    if valuation.get("amount") is None:
        return []
    message = _(", valued at %(amount)s %(currency)s (%(method)s)")
    method = plain(valuation.get("method"), "valuation_method")
    money = quantity(valuation["amount"])
    return said(message, amount=money, currency=str(valuation.get("currency")), method=method)


def lasting(period: Any) -> list[Part]:
    if not isinstance(period, Mapping):
        return []
    start, end = date_text(period.get("start")), date_text(period.get("end"))
    return said(_(", from %(start)s to %(end)s"), start=start, end=end)


DELIVERED = {
    "reported": lambda: _("%(who)s reported %(delivery)s on %(commitment)s"),
    "confirmed": lambda: _("%(who)s confirmed %(delivery)s on %(commitment)s"),
    "disputed": lambda: _("%(who)s disputed %(delivery)s on %(commitment)s"),
    "corrected": lambda: _("%(who)s corrected %(delivery)s on %(commitment)s"),
}


def the_delivery(corrected: bool, how_much: str, made: str) -> list[Part]:
    """A delivery as a noun phrase: its quantity (to which it was corrected) and day."""
    if how_much and corrected:
        message = (
            _("a delivery to %(quantity)s made on %(date)s")
            if made
            else _("a delivery to %(quantity)s")
        )
    elif how_much:
        message = (
            _("a delivery of %(quantity)s made on %(date)s")
            if made
            else _("a delivery of %(quantity)s")
        )
    else:
        message = _("a delivery made on %(date)s") if made else _("a delivery")
    return said(message, quantity=how_much, date=made)


def delivery(verb: str) -> Phrase:
    def phrase(s: Say, d: Mapping[str, Any]) -> list[Part]:
        found = d.get("quantity") or s.lookup("delivery", str(s.entry.get("position")))
        how_much = " ".join(x for x in (quantity(found), s.unit()) if x) if found else ""
        made = date_text(d["delivered_on"]) if d.get("delivered_on") else ""
        what = the_delivery(verb == "corrected", how_much, made)
        return said(DELIVERED[verb](), who=s.who(), delivery=what, commitment=s.commitment())

    return phrase


def fulfilled(s: Say, d: Mapping[str, Any]) -> list[Part]:
    done = " ".join(x for x in (quantity(d["delivered"]), s.unit()) if x)
    message = _("%(commitment)s was fulfilled: %(quantity)s delivered and confirmed")
    return said(message, commitment=s.commitment(first=True), quantity=done)


def released(s: Say, d: Mapping[str, Any]) -> list[Part]:
    message = _("%(commitment)s was released (the member %(status)s)")
    status = plain(d["member_status"], "member_status")
    return said(message, commitment=s.commitment(first=True), status=status)


ZERO = re.compile(r"0+(\.0+)?")  # a correction to nothing: the delivery reversed


def correcting(s: Say, d: Mapping[str, Any]) -> list[Part]:
    """A confirmed delivery corrected (0: reversed); it counts as confirmed until answered."""
    how_much = " ".join(x for x in (quantity(d["quantity"]), s.unit()) if x)
    if ZERO.fullmatch(str(d["quantity"])):
        message = _(
            "%(who)s reversed a confirmed delivery on %(commitment)s (it counts until the "
            "recipient confirms the reversal)"
        )
    else:
        message = _(
            "%(who)s corrected a confirmed delivery on %(commitment)s to %(quantity)s (it "
            "counts as confirmed until the recipient confirms the correction)"
        )
    return said(message, who=s.who(), commitment=s.commitment(), quantity=how_much)


SETTLED = {
    ("report", True): lambda: _(
        "%(who)s applied a decision accepting a disputed delivery on %(commitment)s: it counts"
    ),
    ("report", False): lambda: _(
        "%(who)s applied a decision rejecting a disputed delivery on %(commitment)s: it does "
        "not count"
    ),
    ("correction", True): lambda: _(
        "%(who)s applied a decision accepting the disputed correction of a delivery on "
        "%(commitment)s: the correction counts"
    ),
    ("correction", False): lambda: _(
        "%(who)s applied a decision rejecting the disputed correction of a delivery on "
        "%(commitment)s: the delivery counts as confirmed before"
    ),
}


def settled(s: Say, d: Mapping[str, Any]) -> list[Part]:
    message = SETTLED[str(d["disputed"]), d["accepted"] is True]()
    return said(message, who=s.who(), commitment=s.commitment())


def reopened(s: Say, d: Mapping[str, Any]) -> list[Part]:
    done = " ".join(x for x in (quantity(d["delivered"]), s.unit()) if x)
    message = _(
        "%(commitment)s is in delivery again: %(quantity)s delivered and confirmed, less than "
        "its quantity"
    )
    return said(message, commitment=s.commitment(first=True), quantity=done)


def revision(s: Say, d: Mapping[str, Any]) -> list[Part]:
    """A revision proposed: its new quantity, its new period, or both."""
    how_much = " ".join(x for x in (quantity(d["quantity"]), s.unit()) if x)
    period = d["period"] if isinstance(d.get("period"), Mapping) else None
    start, end = (date_text(period["start"]), date_text(period["end"])) if period else ("", "")
    if d.get("quantity") is not None and period:
        message = _(
            "%(who)s proposed to revise %(commitment)s to %(quantity)s, from %(start)s to "
            "%(end)s (the recipient agrees or declines)"
        )
    elif period:
        message = _(
            "%(who)s proposed to revise %(commitment)s to run from %(start)s to %(end)s "
            "(the recipient agrees or declines)"
        )
    else:
        message = _(
            "%(who)s proposed to revise %(commitment)s to %(quantity)s (the recipient agrees "
            "or declines)"
        )
    values = {"quantity": how_much, "start": start, "end": end}
    return said(message, who=s.who(), commitment=s.commitment(), **values)


def lapse_proposed(s: Say, d: Mapping[str, Any]) -> list[Part]:
    message = _(
        "%(commitment)s was proposed for lapse: its period ended on %(end)s unfulfilled (a "
        "partnership broker or the lead decides)"
    )
    end = date_text(d["period_end"])
    return said(message, commitment=s.commitment(first=True), end=end)


OF_COMMITMENT = {
    "Confirmed": lambda: _("%(who)s confirmed %(commitment)s"),
    "Withdrawn": lambda: _("%(who)s withdrew %(commitment)s"),
    "Lapsed": lambda: _("%(who)s marked as lapsed %(commitment)s"),
    "DeliveryCorrectionConfirmed": lambda: _(
        "%(who)s confirmed the correction of a delivery on %(commitment)s"
    ),
    "DeliveryCorrectionDisputed": lambda: _(
        "%(who)s disputed the correction of a delivery on %(commitment)s"
    ),
    "RevisionAgreed": lambda: _("%(who)s agreed to the revision of %(commitment)s"),
    "RevisionDeclined": lambda: _("%(who)s declined the revision of %(commitment)s"),
}


def of_commitment(event: str) -> Phrase:
    return lambda s, d: said(OF_COMMITMENT[event](), who=s.who(), commitment=s.commitment())


PHRASES: dict[str, Phrase] = {
    "Pledged": pledged,
    "Confirmed": of_commitment("Confirmed"),
    "DeliveryReported": delivery("reported"),
    "DeliveryConfirmed": delivery("confirmed"),
    "DeliveryDisputed": delivery("disputed"),
    "DeliveryCorrected": delivery("corrected"),
    "Fulfilled": fulfilled,
    "Withdrawn": of_commitment("Withdrawn"),
    "Lapsed": of_commitment("Lapsed"),
    "Released": released,
    "ConfirmedDeliveryCorrected": correcting,
    "DeliveryCorrectionConfirmed": of_commitment("DeliveryCorrectionConfirmed"),
    "DeliveryCorrectionDisputed": of_commitment("DeliveryCorrectionDisputed"),
    "DeliverySettled": settled,
    "FulfilmentReopened": reopened,
    "RevisionProposed": revision,
    "RevisionAgreed": of_commitment("RevisionAgreed"),
    "RevisionDeclined": of_commitment("RevisionDeclined"),
    "LapseProposed": lapse_proposed,
}
