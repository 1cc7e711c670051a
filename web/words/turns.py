"""Whose turn it is, in words (web/turns.py says what)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import get_translations
from flask_babel import gettext as _

from web.turns import NO_LEAD, Turn, turns
from web.words.sentence import (
    Lookup,
    Part,
    Say,
    Sentence,
    date_text,
    joined,
    plain,
    quantity,
    said,
)


def stewards(s: Say, view: Mapping[str, Any]) -> list[Part]:
    lead = view.get("lead_organisation")
    if lead:
        return said(
            _("a partnership broker or the lead, %(organisation)s"), organisation=s.org(lead)
        )
    return [str(_("a partnership broker"))]


def turn_parts(s: Say, view: Mapping[str, Any], turn: Turn) -> list[Part]:
    """A turn on the text or a membership, in words."""
    if turn.kind == "draft":
        message = _("No agreement text is drafted yet: that is for %(stewards)s")
        return said(message, stewards=stewards(s, view))
    if turn.kind == "open":
        message = _(
            "Version %(number)s is a draft, waiting to be opened for signature by %(stewards)s"
        )
        return said(message, number=str(turn.version), stewards=stewards(s, view))
    if turn.kind == "answer":
        message = _("%(organisation)s has not answered its invitation yet")
        return said(message, organisation=s.org(turn.who))
    if turn.kind == "accede":
        message = _(
            "%(organisation)s is to sign the text in force (version %(number)s, hash "
            "%(hash)s) to accede"
        )
        full = s.hash(turn.text_hash, full=True)
        return said(message, organisation=s.org(turn.who), number=str(turn.version), hash=full)
    return to_do(s, turn.who, turn.kind)


def to_do(s: Say, who: str, kind: str) -> list[Part]:
    """A turn this module has no sentence for: who is to do what."""
    message = _("%(organisation)s is to %(task)s")
    return said(message, organisation=s.org(who), task=plain(kind, "turn"))


def signing(s: Say, view: Mapping[str, Any], found: list[Turn]) -> list[Part]:
    """Every signatory yet to sign the text open for signature, in one sentence."""
    first = found[0]
    message = (
        _(
            "The amendment, version %(number)s is open for signature: waiting for %(names)s "
            "to sign the text with hash %(hash)s"
        )
        if view.get("status") == "in_modification"
        else _(
            "Version %(number)s is open for signature: waiting for %(names)s to sign the "
            "text with hash %(hash)s"
        )
    )
    names: list[list[Part]] = [[s.org(t.who)] for t in found]
    full = s.hash(first.text_hash, full=True)
    return said(message, number=str(first.version), names=joined(names), hash=full)


def pledge_parts(s: Say, c: Mapping[str, Any]) -> list[Part]:
    """A pledge waiting for its maker's confirmation."""
    message = _(
        "The pledge of %(organisation)s (%(quantity)s %(unit)s %(contribution)s) waits "
        "for %(organisation)s to confirm it"
    )
    return said(
        message,
        organisation=s.org(c["organisation_id"]),
        quantity=quantity(c["quantity"]),
        unit=plain(c["unit"], "unit"),
        contribution=plain(c["contribution_type"], "contribution_type"),
    )


def confirmer(s: Say, c: Mapping[str, Any], who: str) -> list[Part]:
    """Who is to confirm a commitment's deliveries: its recipient, or the lead for the pool."""
    if who == NO_LEAD:
        return [str(_("the lead (the partnership has none now)"))]
    if c["recipient"] == "pool":
        return said(_("%(organisation)s (the lead, for the pool)"), organisation=s.org(who))
    return [s.org(who)]


def deliveries_parts(
    s: Say, c: Mapping[str, Any], kind: str, chosen: list[Any], who: str
) -> list[Part]:
    """A commitment's deliveries to confirm or to correct, in one sentence."""
    days = [date_text(day) for day in sorted(str(d["delivered_on"]) for d in chosen)]
    total = quantity(format(sum(Decimal(d["quantity"]) for d in chosen), "f"))
    if kind == "correct_delivery":
        message = get_translations().ungettext(
            "A delivery of %(total)s %(unit)s by %(owner)s was disputed: waiting for %(owner)s "
            "to correct it",
            "%(num)s deliveries (%(total)s %(unit)s in all) by %(owner)s were disputed: waiting "
            "for %(owner)s to correct them",
            len(chosen),
        )
    else:
        message = get_translations().ungettext(
            "A delivery of %(total)s %(unit)s by %(owner)s (made on %(first)s) waits for "
            "confirmation by %(by)s",
            "%(num)s deliveries (%(total)s %(unit)s in all) by %(owner)s (made from %(first)s "
            "to %(last)s) wait for confirmation by %(by)s",
            len(chosen),
        )
    return said(
        message,
        num=str(len(chosen)),
        total=total,
        unit=plain(c["unit"], "unit"),
        owner=s.org(c["organisation_id"]),
        first=days[0],
        last=days[-1],
        by=confirmer(s, c, who),
    )


def commitment_parts(
    s: Say, c: Mapping[str, Any], kind: str, who: str, ids: set[Any]
) -> list[Part]:
    """A pledge to confirm, or a commitment's deliveries to confirm or to correct (one
    sentence for all of them: a commitment may have hundreds)."""
    if kind == "confirm_commitment":
        return pledge_parts(s, c)
    chosen = [d for d in c.get("deliveries", []) if d["delivery_id"] in ids]
    if not chosen:
        return to_do(s, who, kind)
    return deliveries_parts(s, c, kind, chosen, who)


def whose_turn(view: Mapping[str, Any], lookup: Lookup) -> list[Sentence]:
    """What a partnership waits for, and from whom, from its view (live or as of), in
    words; an invitation-only view tells of its unanswered invitations."""
    s = Say({}, lookup)
    if "members" in view:
        found = turns(view)
    else:
        invited = [view["invitation"]] if view.get("invitation") else view.get("invitations", [])
        found = [Turn("answer", i["organisation_id"]) for i in invited if i["status"] == "invited"]
    to_sign = [t for t in found if t.kind == "sign"]
    said_ = [signing(s, view, to_sign)] if to_sign else []
    said_ += [turn_parts(s, view, t) for t in found if t.commitment_id is None and t.kind != "sign"]
    grouped: dict[tuple[str, str, str], set[Any]] = {}
    for t in found:
        if t.commitment_id is not None:
            grouped.setdefault((t.kind, t.commitment_id, t.who), set()).add(t.delivery_id)
    members = view.get("members") or []
    commitments = {c["commitment_id"]: c for m in members for c in m.get("commitments", [])}
    for (kind, cid, who), ids in grouped.items():
        c = commitments.get(cid)
        said_.append(to_do(s, who, kind) if c is None else commitment_parts(s, c, kind, who, ids))
    nothing = Sentence((str(_("Nothing is waiting for anyone.")),))
    return [Sentence(tuple(p)) for p in said_] or [nothing]
