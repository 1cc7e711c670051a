"""Phrases of a partnership's own events: its life, its relations and its members."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

from web.words.sentence import (
    Named,
    Part,
    Phrase,
    Say,
    date_text,
    listed,
    plain,
    quantity,
    said,
    territory,
)

Message = Callable[[], str]


def initiated(s: Say, d: Mapping[str, Any]) -> list[Part]:
    parts = said(
        _("%(who)s started the partnership %(title)s (%(type)s) in %(territory)s"),
        who=s.who(),
        title=s.text(d["title"]),
        type=plain(d["partnership_type"], "partnership_type"),
        territory=territory(d["territory"]),
    )
    lead = d.get("lead")
    if isinstance(lead, Mapping) and lead.get("organisation"):
        parts += said(_(", led by %(organisation)s"), organisation=s.org(lead["organisation"]))
    lineage = d.get("lineage")
    if isinstance(lineage, Mapping):
        relation = plain(lineage.get("relation"), "relation")
        parts += said(_(", as a partnership that %(relation)s another"), relation=relation)
    return parts


def corrected(s: Say, d: Mapping[str, Any]) -> list[Part]:
    # An organisation's corrections share the event's name: one phrase says both.
    fields = listed(sorted(d["changes"]), "field")
    if s.entry.get("stream_kind") == "organisation":
        message = _("%(who)s corrected the %(fields)s of %(organisation)s")
        return said(
            message, who=s.who(), fields=fields, organisation=s.org(s.entry.get("stream_id"))
        )
    return said(_("%(who)s corrected the partnership's %(fields)s"), who=s.who(), fields=fields)


def related(s: Say, d: Mapping[str, Any]) -> list[Part]:
    link = d["link"]
    where = territory(link["territory"]) if link.get("territory") else _("another territory")
    return said(
        _("%(who)s recorded that this partnership %(relation)s one in %(territory)s"),
        who=s.who(),
        relation=plain(link["relation"], "relation"),
        territory=str(where),
    )


def transferred(s: Say, d: Mapping[str, Any]) -> list[Part]:
    message = _("%(who)s transferred the practice to a new partnership in %(territory)s")
    return said(message, who=s.who(), territory=territory(d["territory"]))


# Each event of the partnership's life: its sentence, and the same by a recorded decision.
LIFE: dict[str, tuple[Message, Message]] = {
    "Cancelled": (
        lambda: _("%(who)s cancelled the partnership"),
        lambda: _("%(who)s cancelled the partnership by a recorded decision"),
    ),
    "Suspended": (
        lambda: _("%(who)s suspended the partnership"),
        lambda: _("%(who)s suspended the partnership by a recorded decision"),
    ),
    "Resumed": (
        lambda: _("%(who)s resumed the partnership"),
        lambda: _("%(who)s resumed the partnership by a recorded decision"),
    ),
    "MovingOnStarted": (
        lambda: _("%(who)s started the moving-on phase"),
        lambda: _("%(who)s started the moving-on phase by a recorded decision"),
    ),
    "Concluded": (
        lambda: _("%(who)s concluded the partnership"),
        lambda: _("%(who)s concluded the partnership by a recorded decision"),
    ),
    "Terminated": (
        lambda: _("%(who)s terminated the partnership"),
        lambda: _("%(who)s terminated the partnership by a recorded decision"),
    ),
}


def of_partnership(event: str) -> Phrase:
    def phrase(s: Say, d: Mapping[str, Any]) -> list[Part]:
        return said(LIFE[event][s.decided(d)](), who=s.who())

    return phrase


MEMBERSHIP: dict[str, tuple[Message, Message]] = {
    "MemberInvited": (
        lambda: _("%(who)s invited %(organisation)s as %(roles)s (%(terms)s)"),
        lambda: _(
            "%(who)s invited %(organisation)s as %(roles)s (%(terms)s) by a recorded decision"
        ),
    ),
    "MemberAdmitted": (
        lambda: _("%(who)s admitted %(organisation)s as %(roles)s (%(terms)s)"),
        lambda: _(
            "%(who)s admitted %(organisation)s as %(roles)s (%(terms)s) by a recorded decision"
        ),
    ),
}


def membership(event: str) -> Phrase:
    def phrase(s: Say, d: Mapping[str, Any]) -> list[Part]:
        m = d["membership"]
        group, weight = plain(m["interest_group"], "interest_group"), quantity(m["weight"])
        terms = (
            _("%(group)s, weight %(weight)s", group=group, weight=weight)
            if m.get("signatory", True)
            else _("%(group)s, weight %(weight)s, not a signatory", group=group, weight=weight)
        )
        roles = listed(m["roles"], "member_role") or _("member")
        message = MEMBERSHIP[event][s.decided(d)]()
        org = s.org(m["organisation"])
        return said(message, who=s.who(), organisation=org, roles=str(roles), terms=str(terms))

    return phrase


OF_MEMBER: dict[str, tuple[Message, Message]] = {
    "MemberDeclaredDefaulting": (
        lambda: _("%(who)s declared %(organisation)s defaulting"),
        lambda: _("%(who)s declared %(organisation)s defaulting by a recorded decision"),
    ),
    "DefaultRemedied": (
        lambda: _("%(who)s recorded that %(organisation)s remedied its default"),
        lambda: _(
            "%(who)s recorded that %(organisation)s remedied its default by a recorded decision"
        ),
    ),
    "MemberRemoved": (
        lambda: _("%(who)s removed %(organisation)s"),
        lambda: _("%(who)s removed %(organisation)s by a recorded decision"),
    ),
}


def of_member(event: str) -> Phrase:
    def phrase(s: Say, d: Mapping[str, Any]) -> list[Part]:
        message = OF_MEMBER[event][s.decided(d)]()
        return said(message, who=s.who(), organisation=s.org(d["org_id"]))

    return phrase


def joined_member(s: Say, d: Mapping[str, Any]) -> list[Part]:
    org = d["org_id"]
    if s.acts_for(org):
        return said(_("%(who)s accepted the invitation"), who=s.who())
    message = _("%(who)s accepted the invitation for %(organisation)s")
    return said(message, who=s.who(), organisation=s.org(org))


def declined(s: Say, d: Mapping[str, Any]) -> list[Part]:
    org = d["org_id"]
    if s.acts_for(org):
        return said(_("%(who)s declined the invitation"), who=s.who())
    message = _("%(who)s declined the invitation for %(organisation)s")
    return said(message, who=s.who(), organisation=s.org(org))


def withdrew(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return said(
        _("%(who)s withdrew %(organisation)s from the partnership, leaving on %(date)s"),
        who=s.who(),
        organisation=s.org(d["org_id"]),
        date=date_text(d["exit_date"]),
    )


def gave_notice(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return said(
        _("%(who)s gave notice for %(organisation)s to leave the partnership on %(date)s"),
        who=s.who(),
        organisation=s.org(d["org_id"]),
        date=date_text(d["exit_date"]),
    )


def exited(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return said(
        _("%(organisation)s left the partnership on %(date)s, its notice over (%(who)s)"),
        who=s.who(),
        organisation=s.org(d["org_id"]),
        date=date_text(d["exit_date"]),
    )


def remedy_ended(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return said(
        _("The remedy period of %(organisation)s ended on %(date)s (%(who)s)"),
        who=s.who(),
        organisation=s.org(d["org_id"]),
        date=date_text(d["remedy_until"]),
    )


def breach(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return said(
        _("%(who)s notified %(organisation)s of a breach, to remedy by %(date)s"),
        who=s.who(),
        organisation=s.org(d["org_id"]),
        date=date_text(d["remedy_until"]),
    )


def noted(s: Say, d: Mapping[str, Any]) -> list[Part]:
    org = d["org_id"]
    if s.acts_for(org):
        return [str(_("The partnership noted a pledge"))]
    message = _("The partnership noted a pledge for %(organisation)s")
    return said(message, organisation=s.org(org))


def broker_assigned(s: Say, d: Mapping[str, Any]) -> list[Part]:
    message = _("%(who)s assigned %(broker)s as a partnership broker")
    return said(message, who=s.who(), broker=s.actor(d["broker_id"]))


def document_attached(s: Say, d: Mapping[str, Any]) -> list[Part]:
    # The generic sentence's words (already translated), naming the file as recorded.
    name = Named("text", "", str(d["document"]["name"]))
    return said(_("%(who)s recorded %(event)s"), who=s.who(), event=name)


def budget_adopted(s: Say, d: Mapping[str, Any]) -> list[Part]:
    message = _("%(who)s adopted version %(number)s of the budget by a recorded decision")
    return said(message, who=s.who(), number=str(d["number"]))


PHRASES: dict[str, Phrase] = {
    "Initiated": initiated,
    "BudgetAdopted": budget_adopted,
    "DocumentAttached": document_attached,
    "BrokerAssigned": broker_assigned,
    "DetailsCorrected": corrected,
    "PartnershipRelated": related,
    "PracticeTransferred": transferred,
    **{event: of_partnership(event) for event in LIFE},
    **{event: membership(event) for event in MEMBERSHIP},
    "MemberJoined": joined_member,
    "MemberDeclined": declined,
    "MemberWithdrew": withdrew,
    "MemberGaveNotice": gave_notice,
    "MemberExited": exited,
    "BreachNotified": breach,
    "RemedyPeriodEnded": remedy_ended,
    **{event: of_member(event) for event in OF_MEMBER},
    "CommitmentNoted": noted,
    "CommitmentConfirmationNoted": lambda s, d: [
        str(_("The partnership noted a confirmed commitment"))
    ],
}
